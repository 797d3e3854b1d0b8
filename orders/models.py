"""Service orders (CommunityCare NB): order summaries, their orders, service reports and monthly
service confirmations. Data and invariants only; every write is in the services of its areas
(orders/summaries, offers, reports, confirmations)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.models import HistoryEntry, Organization, ReferenceData
from portal.scoping import scoped_manager


class ServiceType(ReferenceData):
    # Some services (e.g. transport) arrive already Activated, with no acceptance step.
    auto_activate = models.BooleanField(_("activated without acceptance"), default=False)
    allows_incident = models.BooleanField(_("allows incident reports"), default=True)
    allows_observation = models.BooleanField(_("allows observation reports"), default=True)

    class Meta(ReferenceData.Meta):
        verbose_name = _("service")
        verbose_name_plural = _("services")


class Zone(ReferenceData):
    class Meta(ReferenceData.Meta):
        verbose_name = _("zone")
        verbose_name_plural = _("zones")


class ServiceCentre(ReferenceData):
    class Meta(ReferenceData.Meta):
        verbose_name = _("service centre billed")
        verbose_name_plural = _("service centres billed")


class SummaryStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OFFERED = "offered", _("Offered")
    ACTIVATED = "activated", _("Activated")
    PENDING = "pending", _("Pending")
    CANCELLED = "cancelled", _("Cancelled")
    TERMINATED = "terminated", _("Terminated")
    DECLINED = "declined", _("Declined")
    REVOKED = "revoked", _("Revoked")
    # Past its end date: no longer active (the scheduled services.expire_ended_summaries).
    EXPIRED = "expired", _("Expired")


# What a provider never sees: not yet sent, taken back, or sent back.
HIDDEN_FROM_PROVIDER = (SummaryStatus.DRAFT, SummaryStatus.DECLINED, SummaryStatus.REVOKED)
ACTIVE_STATUSES = (SummaryStatus.ACTIVATED, SummaryStatus.PENDING)


class OrderSummary(models.Model):
    number = models.CharField(_("order summary number"), max_length=20, unique=True, editable=False)
    client_name = models.CharField(_("account name"), max_length=200)
    # Lower case without accents, for searching "Melissa" or "melissa" or "Mélissa" alike.
    client_name_search = models.CharField(max_length=200, editable=False, db_index=True)
    service = models.ForeignKey(ServiceType, on_delete=models.PROTECT, verbose_name=_("service name"))
    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, verbose_name=_("zone"))
    service_centre = models.ForeignKey(
        ServiceCentre, on_delete=models.PROTECT, verbose_name=_("service centre billed")
    )
    start_date = models.DateField(_("order summary start date"))
    end_date = models.DateField(_("order summary end date"))
    status = models.CharField(
        _("status"), max_length=12, choices=SummaryStatus.choices, default=SummaryStatus.DRAFT
    )
    department = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("department")
    )
    provider = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("service provider")
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assigned SD worker"),
    )
    notes_for_provider = models.TextField(_("notes for the service provider"), blank=True)
    provider_message = models.TextField(_("message from the service provider"), blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last modified"), auto_now=True)
    sent_at = models.DateTimeField(_("sent to the provider"), null=True, blank=True, editable=False)

    objects = scoped_manager("department", "provider")

    class Meta:
        verbose_name = _("order summary")
        verbose_name_plural = _("order summaries")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["provider", "status", "-created_at"]),
            models.Index(fields=["department", "status", "-created_at"]),
            # The department's list sorts by last change (newest first; the id breaks ties), with
            # or without a status filter: read in index order, never sorted on disk (issue 16).
            models.Index(fields=["department", "updated_at", "id"], name="orders_summary_dept_updated"),
            models.Index(
                fields=["department", "status", "updated_at", "id"], name="orders_summary_dept_st_upd"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="summary_dates_in_order"
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def organization_ids(self):
        # Both the department and the provider act on a summary (portal.permissions).
        return (self.department_id, self.provider_id)


class OrderType(models.TextChoices):
    SERVICE = "service", _("Service order")
    AMENDMENT = "amendment", _("Amendment")


class Per(models.TextChoices):
    WEEK = "week", _("Week")
    MONTH = "month", _("Month")


class Order(models.Model):
    """One order inside a summary: the original one, then each amendment."""

    number = models.CharField(_("order number"), max_length=20, unique=True, editable=False)
    summary = models.ForeignKey(
        OrderSummary, on_delete=models.CASCADE, related_name="orders", verbose_name=_("order summary")
    )
    effective_date = models.DateField(_("order effective date"))
    status = models.CharField(_("status"), max_length=12, choices=SummaryStatus.choices)
    order_type = models.CharField(_("order type"), max_length=12, choices=OrderType.choices)
    per = models.CharField(_("per"), max_length=5, choices=Per.choices)
    base_units = models.DecimalField(_("base units"), max_digits=8, decimal_places=2)
    base_rate = models.DecimalField(_("base rate"), max_digits=8, decimal_places=2)
    km_units = models.DecimalField(_("units (km)"), max_digits=8, decimal_places=2, default=0)
    other_monthly_cost = models.DecimalField(
        _("other monthly cost"), max_digits=8, decimal_places=2, default=0
    )
    client_contribution = models.DecimalField(
        _("client contribution"), max_digits=8, decimal_places=2, default=0
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = scoped_manager("summary__department", "summary__provider")

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["effective_date", "pk"]

    def __str__(self):
        return self.number

    @property
    def organization_ids(self):
        return self.summary.organization_ids


class SummaryEvent(HistoryEntry):
    """The history of a summary: every status change and every change of its content."""

    summary = models.ForeignKey(OrderSummary, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("from"), max_length=12, choices=SummaryStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=SummaryStatus.choices, blank=True)

    objects = scoped_manager("summary__department", "summary__provider")

    class Meta(HistoryEntry.Meta):
        verbose_name = _("history entry")
        verbose_name_plural = _("history")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.summary_id} {self.action}"


class SummaryVisit(models.Model):
    """When a provider's person last opened a summary: what changed since is shown to them."""

    summary = models.ForeignKey(OrderSummary, on_delete=models.CASCADE, related_name="visits")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField(_("last opened"))

    objects = scoped_manager("summary__department", "summary__provider", user="user")

    class Meta:
        verbose_name = _("order summary visit")
        verbose_name_plural = _("order summary visits")
        constraints = [models.UniqueConstraint(fields=["summary", "user"], name="one_visit_per_summary_user")]

    def __str__(self):
        return f"{self.summary_id} {self.user_id}"


class ReportKind(models.TextChoices):
    INCIDENT = "incident", _("Incident")
    OBSERVATION = "observation", _("Observation change")
    CHANGE = "change", _("Change request")
    MISCELLANEOUS = "miscellaneous", _("Miscellaneous request")


class OptionList(models.TextChoices):
    INCIDENT_TYPE = "incident_type", _("Incident type")
    MEASURE = "measure", _("Measure taken")
    OBSERVATION_TYPE = "observation_type", _("Observation type")
    CHANGE_TYPE = "change_type", _("Change request type")


class ChangeCategory(ReferenceData):
    class Meta(ReferenceData.Meta):
        verbose_name = _("change request category")
        verbose_name_plural = _("change request categories")


class ReportOption(ReferenceData):
    """A choice in the multi-select lists of service reports (bilingual, managed in the admin)."""

    list_name = models.CharField(_("list"), max_length=20, choices=OptionList.choices)
    # Change request types depend on the category chosen.
    category = models.ForeignKey(
        ChangeCategory, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("category")
    )

    class Meta(ReferenceData.Meta):
        verbose_name = _("report option")
        verbose_name_plural = _("report options")


class Urgency(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class Location(models.TextChoices):
    HOME = "home", _("Client's home")
    COMMUNITY = "community", _("In the community")
    HOSPITAL = "hospital", _("Hospital")
    RESIDENCE = "residence", _("Residential facility")
    OTHER = "other", _("Other")


class ServiceReport(models.Model):
    number = models.CharField(_("service report number"), max_length=20, unique=True, editable=False)
    kind = models.CharField(_("report type"), max_length=15, choices=ReportKind.choices)
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="reports", verbose_name=_("order")
    )
    summary = models.ForeignKey(
        OrderSummary, on_delete=models.PROTECT, related_name="reports", verbose_name=_("order summary")
    )
    types = models.ManyToManyField(ReportOption, blank=True, related_name="+", verbose_name=_("type"))
    measures = models.ManyToManyField(
        ReportOption, blank=True, related_name="+", verbose_name=_("measures taken")
    )
    category = models.ForeignKey(
        ChangeCategory, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("category")
    )
    description = models.TextField(_("description"))
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, blank=True)
    location = models.CharField(_("location"), max_length=12, choices=Location.choices, blank=True)
    location_description = models.TextField(_("location description"), blank=True)
    measures_description = models.TextField(_("description of the measures taken"), blank=True)
    repeated = models.BooleanField(_("repeated occurrence"), default=False)
    follow_up_required = models.BooleanField(_("follow-up required"), default=False)
    occurred_on = models.DateField(_("date"), null=True, blank=True)
    occurred_at = models.TimeField(_("time"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("logged by")
    )
    created_at = models.DateTimeField(_("logged on"), auto_now_add=True)
    acknowledged_at = models.DateTimeField(_("acknowledged on"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )

    objects = scoped_manager("summary__department", "summary__provider")

    class Meta:
        verbose_name = _("service report")
        verbose_name_plural = _("service reports")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.number

    @property
    def organization_ids(self):
        return self.summary.organization_ids


class MonthlyConfirmation(models.Model):
    """The provider confirms the units and kilometres delivered on an order for one month."""

    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="confirmations", verbose_name=_("order")
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    units_delivered = models.DecimalField(_("units delivered"), max_digits=8, decimal_places=2)
    km_delivered = models.DecimalField(_("kilometres driven"), max_digits=8, decimal_places=2, default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("confirmed by")
    )
    created_at = models.DateTimeField(_("confirmed on"), auto_now_add=True)
    # Once the department has acknowledged the month, the provider can no longer correct it.
    acknowledged_at = models.DateTimeField(_("acknowledged on"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )

    objects = scoped_manager("order__summary__department", "order__summary__provider")

    class Meta:
        verbose_name = _("monthly service confirmation")
        verbose_name_plural = _("monthly service confirmations")
        ordering = ["-month", "order"]
        constraints = [
            models.UniqueConstraint(fields=["order", "month"], name="one_confirmation_per_order_month")
        ]

    def __str__(self):
        return f"{self.order_id} {self.month:%Y-%m}"


class ConfirmationCorrection(models.Model):
    """A correction of a recorded month by the provider: what it was, what it became."""

    confirmation = models.ForeignKey(
        MonthlyConfirmation, on_delete=models.CASCADE, related_name="corrections", verbose_name=_("month")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("date"), auto_now_add=True)
    units_before = models.DecimalField(_("units before"), max_digits=8, decimal_places=2)
    units_after = models.DecimalField(_("units after"), max_digits=8, decimal_places=2)
    km_before = models.DecimalField(_("kilometres before"), max_digits=8, decimal_places=2)
    km_after = models.DecimalField(_("kilometres after"), max_digits=8, decimal_places=2)

    objects = scoped_manager(
        "confirmation__order__summary__department", "confirmation__order__summary__provider"
    )

    class Meta:
        verbose_name = _("correction of a confirmed month")
        verbose_name_plural = _("corrections of confirmed months")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.confirmation_id} {self.at:%Y-%m-%d}"


class ReportMessage(models.Model):
    """One message of a service report's thread between the department and the provider."""

    report = models.ForeignKey(
        ServiceReport, on_delete=models.CASCADE, related_name="messages", verbose_name=_("service report")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("written by")
    )
    from_department = models.BooleanField(_("from Social Development"))
    body = models.TextField(_("message"), max_length=4000)
    created_at = models.DateTimeField(_("sent on"), auto_now_add=True)

    objects = scoped_manager("report__summary__department", "report__summary__provider")

    class Meta:
        verbose_name = _("service report message")
        verbose_name_plural = _("service report messages")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.report_id} {self.created_at:%Y-%m-%d %H:%M}"
