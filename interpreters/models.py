"""Interpreter bank (BI du RSSS, IMS platform): requesters of health and social services
establishments, interpreters of the bank's pool and the bank's coordinators.

Data and invariants only; every write is in the services modules of interpreters.<area>.
"""

from datetime import UTC

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal import dates
from portal.models import HistoryEntry, Organization, OrganizationKind, ReferenceData
from portal.scoping import scoped_manager


class Language(ReferenceData):
    is_sign_language = models.BooleanField(_("sign language"), default=False)

    class Meta(ReferenceData.Meta):
        verbose_name = _("language")
        verbose_name_plural = _("languages")


class ServiceType(ReferenceData):
    class Meta(ReferenceData.Meta):
        verbose_name = _("type of service")
        verbose_name_plural = _("types of service")


class Modality(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("By phone")
    VIDEO = "video", _("By video")


class Gender(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    OTHER = "other", _("Another gender")


class Accreditation(models.TextChoices):
    ACCREDITED = "accredited", _("Accredited")
    IN_TRAINING = "in_training", _("In training")
    NOT_ACCREDITED = "none", _("Not accredited")


class InterpreterProfile(models.Model):
    """A person of the bank's pool: what they interpret, how, and from where."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="interpreter_profile"
    )
    bank = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("bank"))
    languages = models.ManyToManyField(Language, verbose_name=_("languages"))
    modalities = models.JSONField(_("modalities accepted"), default=list)
    home_postal_code = models.CharField(_("home postal code"), max_length=7)
    # How far from home the interpreter goes for an in-person request (none given: no limit).
    travel_radius_km = models.PositiveSmallIntegerField(_("travel radius (km)"), null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    accreditation = models.CharField(
        _("accreditation"), max_length=12, choices=Accreditation.choices, default=Accreditation.NOT_ACCREDITED
    )
    accreditation_number = models.CharField(_("accreditation number"), max_length=50, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = scoped_manager("bank", user="user")

    class Meta:
        verbose_name = _("interpreter")
        verbose_name_plural = _("interpreters")
        ordering = ["user__last_name", "user__first_name"]

    def __str__(self):
        return self.user.get_full_name() or self.user.email

    @property
    def organization_ids(self):
        return {self.bank_id}

    @property
    def modality_labels(self):
        return [str(Modality(code).label) for code in self.modalities if code in Modality.values]


class Availability(models.Model):
    """A weekly time window the interpreter usually works in."""

    interpreter = models.ForeignKey(
        InterpreterProfile, on_delete=models.CASCADE, related_name="availabilities"
    )
    weekday = models.PositiveSmallIntegerField(
        _("day"),
        choices=[
            (0, _("Monday")),
            (1, _("Tuesday")),
            (2, _("Wednesday")),
            (3, _("Thursday")),
            (4, _("Friday")),
            (5, _("Saturday")),
            (6, _("Sunday")),
        ],
    )
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("to"))

    objects = scoped_manager("interpreter__bank", user="interpreter__user")

    class Meta:
        verbose_name = _("availability")
        verbose_name_plural = _("availabilities")
        ordering = ["weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")), name="interpreters_availability_order"
            )
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.start_time}–{self.end_time}"


class Unavailability(models.Model):
    """A period the interpreter cannot work (holidays, appointments)."""

    interpreter = models.ForeignKey(
        InterpreterProfile, on_delete=models.CASCADE, related_name="unavailabilities"
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("to"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    objects = scoped_manager("interpreter__bank", user="interpreter__user")

    class Meta:
        verbose_name = _("unavailability")
        verbose_name_plural = _("unavailabilities")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="interpreters_unavailability_order"
            )
        ]

    def __str__(self):
        return f"{self.starts_at:%Y-%m-%d %H:%M} – {self.ends_at:%Y-%m-%d %H:%M}"


class CostCentre(models.Model):
    establishment = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="cost_centres", verbose_name=_("establishment")
    )
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)

    # An establishment's own; the bank that serves it reaches it through its requests.
    objects = scoped_manager("establishment")

    class Meta:
        verbose_name = _("cost centre")
        verbose_name_plural = _("cost centres")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["establishment", "code"], name="interpreters_one_cost_centre_code"
            )
        ]

    def __str__(self):
        return f"{self.code} – {self.name}"


class ServedEstablishment(models.Model):
    """An establishment whose requesters ask this bank for interpreters (one bank each).

    A request, a registration and a statement of the establishment belong to that bank: its
    coordinators see them, its interpreters are offered them.
    """

    establishment = models.OneToOneField(
        Organization,
        on_delete=models.CASCADE,
        related_name="interpreter_bank_link",
        limit_choices_to={"kind": OrganizationKind.HEALTH_ESTABLISHMENT},
        verbose_name=_("establishment"),
    )
    bank = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="served_establishments",
        limit_choices_to={"kind": OrganizationKind.INTERPRETER_BANK},
        verbose_name=_("bank"),
    )

    # The bank's list of what it serves, and an establishment's own link to its bank.
    objects = scoped_manager("bank", "establishment")

    class Meta:
        verbose_name = _("establishment served")
        verbose_name_plural = _("establishments served")

    def __str__(self):
        return f"{self.establishment} → {self.bank}"

    @property
    def organization_ids(self):
        return {self.bank_id}


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class Registration(models.Model):
    """A requester's sign-up, approved (an account is made) or refused by a coordinator."""

    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("work email address"))
    phone = models.CharField(_("work telephone"), max_length=30, blank=True)
    establishment = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("establishment")
    )
    # The bank that serves the establishment: its coordinators decide.
    bank = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("bank"))
    job_title = models.CharField(_("job title"), max_length=200)
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=settings.LANGUAGES, default="fr"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=RegistrationStatus.choices, default=RegistrationStatus.PENDING
    )
    created_at = models.DateTimeField(_("received"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(_("reason"), max_length=500, blank=True)

    # Decided by the bank (the sign-up itself is public: services.register_requester).
    objects = scoped_manager("bank")

    class Meta:
        verbose_name = _("requester registration")
        verbose_name_plural = _("requester registrations")
        ordering = ["created_at"]

    def __str__(self):
        return self.email

    @property
    def organization_ids(self):
        return {self.bank_id}


class RequestStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ASSIGNED = "assigned", _("Offered to an interpreter")
    ACCEPTED = "accepted", _("Accepted")
    # French: a request ("une demande") is "Refusée", "Annulée", beside "Soumise", "Acceptée".
    DECLINED = "declined", pgettext_lazy("interpreter request", "Declined")
    CONFIRMED = "confirmed", _("Confirmed")
    COMPLETED = "completed", _("Completed")
    VALIDATED = "validated", _("Validated")
    CANCELLED = "cancelled", pgettext_lazy("interpreter request", "Cancelled")


# An interpreter holds the time slot of a request in these statuses (no overlap allowed).
HOLDING_STATUSES = (
    RequestStatus.ASSIGNED,
    RequestStatus.ACCEPTED,
    RequestStatus.CONFIRMED,
    RequestStatus.COMPLETED,
)
# Waiting for a coordinator to (re)assign.
QUEUE_STATUSES = (RequestStatus.SUBMITTED, RequestStatus.DECLINED)


class Request(models.Model):
    number = models.CharField(_("request number"), max_length=20, unique=True, editable=False)
    establishment = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="interpreter_requests",
        verbose_name=_("establishment"),
    )
    # The bank that serves the establishment (set when the request is made): its coordinators
    # assign it, its interpreters are offered it.
    bank = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("bank"))
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requester")
    )
    series = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="occurrences",
        verbose_name=_("series"),
    )
    language = models.ForeignKey(Language, on_delete=models.PROTECT, verbose_name=_("language"))
    dialect = models.CharField(_("dialect or variety"), max_length=100, blank=True)
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("start time"))
    duration_minutes = models.PositiveSmallIntegerField(_("expected duration (minutes)"))
    starts_at = models.DateTimeField(editable=False, db_index=True)
    ends_at = models.DateTimeField(editable=False)
    modality = models.CharField(_("modality"), max_length=10, choices=Modality.choices)
    site_name = models.CharField(_("site"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=7, blank=True)
    room = models.CharField(_("room"), max_length=100, blank=True)
    remote_details = models.CharField(_("call or video details"), max_length=500, blank=True)
    service_type = models.ForeignKey(ServiceType, on_delete=models.PROTECT, verbose_name=_("type of service"))
    participants = models.PositiveSmallIntegerField(_("number of participants"), default=2)
    gender_preference = models.CharField(
        _("preferred gender of the interpreter"), max_length=10, choices=Gender.choices, blank=True
    )
    preference_reason = models.CharField(_("reason for the preference"), max_length=300, blank=True)
    context = models.TextField(_("context for the interpreter"), blank=True)
    instructions = models.TextField(_("instructions"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200)
    contact_phone = models.CharField(_("contact telephone"), max_length=30)
    cost_centre = models.ForeignKey(
        CostCentre, on_delete=models.PROTECT, verbose_name=_("cost centre to bill")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.SUBMITTED
    )
    interpreter = models.ForeignKey(
        InterpreterProfile,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requests",
        verbose_name=_("interpreter"),
    )
    cancellation_reason = models.CharField(_("reason for cancelling"), max_length=500, blank=True)
    late_cancellation = models.BooleanField(_("late cancellation (billable)"), default=False)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The rate in force when the service was validated (or cancelled late): later rate changes
    # never re-price it.
    rate_snapshot = models.JSONField(null=True, blank=True, editable=False)
    # What it is owed may differ from what statements carried (validated, cancelled late or
    # corrected since the last issuing): the next issuing reads it even when its month is over.
    to_bill = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    # The bank's (coordinators, interpreters) and the establishment's (requesters).
    objects = scoped_manager("bank", "establishment")

    class Meta:
        verbose_name = _("interpreter request")
        verbose_name_plural = _("interpreter requests")
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["status", "starts_at"]),
            models.Index(fields=["interpreter", "status", "starts_at"]),
            models.Index(fields=["establishment", "starts_at"]),
            models.Index(fields=["bank", "status", "starts_at"]),
            # The coordinator's queue in date order, read from either end (portal.tables).
            models.Index(fields=["bank", "starts_at", "id"], name="interpreters_req_bank_starts"),
            # The queue's first tab (waiting for an interpreter) counted and paged from its index
            # alone, in date order or by language: the page's ids come from an index-only scan,
            # then only those rows are joined (interpreters.tables.PageIdsFirstPaginator).
            models.Index(
                fields=["bank", "starts_at", "id"],
                include=["establishment"],
                condition=Q(status__in=QUEUE_STATUSES),
                name="interpreters_req_queue_starts",
            ),
            models.Index(
                fields=["bank", "language", "id"],
                include=["starts_at", "establishment"],
                condition=Q(status__in=QUEUE_STATUSES),
                name="interpreters_req_queue_lang",
            ),
            # Issuing reads the month's services and the few flagged ones, not the whole history.
            models.Index(fields=["bank", "date"], name="interpreters_req_bank_date"),
            models.Index(fields=["bank"], condition=Q(to_bill=True), name="interpreters_req_to_bill"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=15), name="interpreters_request_min_duration"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="interpreters_request_end_after_start"
            ),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("interpreters:request", args=[self.pk])

    @property
    def organization_ids(self):
        return {self.establishment_id, self.bank_id}

    def compute_times(self):
        """The instants of the local date and start time, and the end in real minutes (DST-safe).

        Raises portal.dates.LocalTimeError for a start time the clocks skip or show twice. Both are
        kept in UTC, as read from the database: `ends_at - starts_at` is then real time too."""
        self.starts_at = dates.aware(self.date, self.start_time).astimezone(UTC)
        self.ends_at = dates.add_minutes(self.starts_at, self.duration_minutes)


class RequestEvent(HistoryEntry):
    """The request's history: every status change, who and why (portal's one history shape)."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("from"), max_length=10, choices=RequestStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=10, choices=RequestStatus.choices, blank=True)

    objects = scoped_manager("request__bank", "request__establishment")

    class Meta(HistoryEntry.Meta):
        pass

    def __str__(self):
        return f"{self.request_id}: {self.to_status}"


class Message(models.Model):
    """The request's message thread between requester, interpreter and coordinators."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("message"))
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    objects = scoped_manager("request__bank", "request__establishment")

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.request_id}: {self.created_at}"


class Completion(models.Model):
    """What the interpreter recorded once the service was rendered (validated by a coordinator)."""

    request = models.OneToOneField(Request, on_delete=models.CASCADE, related_name="completion")
    actual_start = models.DateTimeField(_("actual start"))
    actual_end = models.DateTimeField(_("actual end"))
    travel_km = models.DecimalField(_("travel (km)"), max_digits=6, decimal_places=1, default=0)
    waiting_minutes = models.PositiveSmallIntegerField(_("waiting time (minutes)"), default=0)
    expenses = models.DecimalField(_("expenses ($)"), max_digits=8, decimal_places=2, default=0)
    notes = models.TextField(_("notes"), blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = scoped_manager("request__bank", "request__establishment")

    class Meta:
        verbose_name = _("completion")
        verbose_name_plural = _("completions")
        constraints = [
            models.CheckConstraint(
                condition=Q(actual_end__gt=F("actual_start")), name="interpreters_completion_order"
            ),
            models.CheckConstraint(
                condition=Q(travel_km__gte=0) & Q(expenses__gte=0), name="interpreters_completion_positive"
            ),
        ]

    def __str__(self):
        return str(self.request_id)

    @property
    def minutes(self):
        return int((self.actual_end - self.actual_start).total_seconds() // 60)


class Rate(models.Model):
    """A bank's billing and pay rules for one modality."""

    bank = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("bank"))
    modality = models.CharField(_("modality"), max_length=10, choices=Modality.choices)
    hourly_rate = models.DecimalField(_("hourly rate billed ($)"), max_digits=7, decimal_places=2)
    hourly_pay = models.DecimalField(_("hourly pay of the interpreter ($)"), max_digits=7, decimal_places=2)
    minimum_minutes = models.PositiveSmallIntegerField(_("minimum billable time (minutes)"), default=60)
    travel_rate = models.DecimalField(_("travel, per km ($)"), max_digits=5, decimal_places=2, default=0)
    waiting_billable = models.BooleanField(_("waiting time billable"), default=True)
    late_cancellation_hours = models.PositiveSmallIntegerField(
        _("late cancellation window (hours)"), default=24
    )

    objects = scoped_manager("bank")

    class Meta:
        verbose_name = _("rate")
        verbose_name_plural = _("rates")
        ordering = ["modality"]
        constraints = [
            models.UniqueConstraint(fields=["bank", "modality"], name="interpreters_one_rate_per_modality")
        ]

    def __str__(self):
        return self.get_modality_display()

    @property
    def organization_ids(self):
        return {self.bank_id}


class StatementKind(models.TextChoices):
    ESTABLISHMENT = "establishment", _("Establishment statement")
    PAY = "pay", _("Interpreter pay statement")


class Statement(models.Model):
    """A monthly statement, issued once: its lines never change (a correction is a new line later)."""

    bank = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("bank"))
    # Numbered per bank (F-202601-0001 in each bank).
    number = models.CharField(_("statement number"), max_length=30)
    kind = models.CharField(_("kind"), max_length=15, choices=StatementKind.choices)
    month = models.DateField(_("month"))
    establishment = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("establishment"),
    )
    cost_centre = models.ForeignKey(
        CostCentre, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("cost centre")
    )
    interpreter = models.ForeignKey(
        InterpreterProfile, on_delete=models.PROTECT, null=True, blank=True, related_name="statements"
    )
    total = models.DecimalField(_("total ($)"), max_digits=10, decimal_places=2, default=0)
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = scoped_manager("bank")

    class Meta:
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        ordering = ["-month", "number"]
        constraints = [
            models.UniqueConstraint(fields=["bank", "number"], name="interpreters_one_statement_number")
        ]

    def __str__(self):
        return self.number

    @property
    def organization_ids(self):
        return {self.bank_id}


class StatementLine(models.Model):
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="lines")
    request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="statement_lines")
    kind = models.CharField(max_length=15, choices=StatementKind.choices)
    minutes = models.IntegerField(_("minutes"))
    time_amount = models.DecimalField(_("time ($)"), max_digits=9, decimal_places=2)
    travel_amount = models.DecimalField(_("travel ($)"), max_digits=9, decimal_places=2)
    expenses = models.DecimalField(_("expenses ($)"), max_digits=9, decimal_places=2)
    amount = models.DecimalField(_("amount ($)"), max_digits=9, decimal_places=2)
    is_correction = models.BooleanField(_("correction"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = scoped_manager("statement__bank")

    class Meta:
        ordering = ["request__starts_at", "pk"]

    def __str__(self):
        return f"{self.statement_id}: {self.amount}"
