"""Employment case management (LaMPSS): agency agreements, persons and cases, needs determination,
return-to-work action plans with interventions, funding requests and business partners.

Data and invariants only; every write is in referrals.services.
"""

import os

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.models import HistoryEntry, Organization, OrganizationKind, ReferenceData
from portal.scoping import scoped_manager

CASE_NUMBER_BASE = 100900


class Program(ReferenceData):
    """A case management program, e.g. "ECM (LAE-ENS)"."""

    needs_ecm_agreement = models.BooleanField(
        _("requires the external case management program"), default=True
    )

    class Meta(ReferenceData.Meta):
        verbose_name = _("program")
        verbose_name_plural = _("programs")


class Dimension(ReferenceData):
    """An employability dimension (employment maintenance, job search, skills enhancement...)."""

    abbreviation = models.CharField(_("abbreviation"), max_length=5)

    class Meta(ReferenceData.Meta):
        verbose_name = _("employability dimension")
        verbose_name_plural = _("employability dimensions")


class Barrier(ReferenceData):
    dimension = models.ForeignKey(
        Dimension,
        on_delete=models.PROTECT,
        related_name="barriers",
        verbose_name=_("employability dimension"),
    )

    class Meta(ReferenceData.Meta):
        verbose_name = _("barrier to employment")
        verbose_name_plural = _("barriers to employment")


class InterventionType(ReferenceData):
    dimension = models.ForeignKey(
        Dimension,
        on_delete=models.PROTECT,
        related_name="intervention_types",
        verbose_name=_("employability dimension"),
    )

    class Meta(ReferenceData.Meta):
        verbose_name = _("intervention type")
        verbose_name_plural = _("intervention types")


class FundingType(ReferenceData):
    counts_as_edmt = models.BooleanField(_("counted in the EDMT accountability report"), default=False)

    class Meta(ReferenceData.Meta):
        verbose_name = _("funding type")
        verbose_name_plural = _("funding types")


class PartnerService(ReferenceData):
    """A service a business partner offers (training, job search workshops, self-employment...)."""

    class Meta(ReferenceData.Meta):
        verbose_name = _("business partner service")
        verbose_name_plural = _("business partner services")


# Agencies ------------------------------------------------------------------------------------


class ContractableAgency(models.Model):
    """Reference data kept by platform staff (Django admin): an employment agency a department may
    sign agreements with. A department's agreement form offers these agencies and no other."""

    department = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"kind": OrganizationKind.DEPARTMENT},
        verbose_name=_("department"),
    )
    agency = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="contracting_departments",
        limit_choices_to={"kind": OrganizationKind.EMPLOYMENT_AGENCY},
        verbose_name=_("employment agency"),
    )

    objects = scoped_manager("department", "agency")

    class Meta:
        verbose_name = _("agency the department may contract")
        verbose_name_plural = _("agencies departments may contract")
        ordering = ["department__name", "agency__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "agency"], name="referrals_contractable_agency_once"
            )
        ]

    def __str__(self):
        return f"{self.department} → {self.agency}"

    @property
    def organization_ids(self):
        return {self.department_id, self.agency_id}


class Agreement(models.Model):
    """The department's agreement with an employment agency (one it may contract: ContractableAgency).

    A department reads the cases whose accountability agreement is one of its own (Case.agreement),
    never every case of an agency it has an agreement with."""

    number = models.CharField(_("agreement number"), max_length=30, unique=True)
    department = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": OrganizationKind.DEPARTMENT},
        verbose_name=_("department"),
    )
    agency = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="employment_agreements",
        limit_choices_to={"kind": OrganizationKind.EMPLOYMENT_AGENCY},
        verbose_name=_("employment agency"),
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    funding_active = models.BooleanField(_("funding agreement active"), default=True)
    ecm_enabled = models.BooleanField(_("external case management program enabled"), default=True)
    client_tracking = models.BooleanField(_("client tracking enabled"), default=False)

    objects = scoped_manager("department", "agency")

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["agency__name", "number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="referrals_agreement_dates_in_order",
            )
        ]

    def __str__(self):
        return self.number

    @property
    def organization_ids(self):
        return {self.department_id, self.agency_id}


class Office(models.Model):
    agency = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="employment_offices", verbose_name=_("agency")
    )
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=255, blank=True)
    city = models.CharField(_("city"), max_length=100)
    postal_code = models.CharField(_("postal code"), max_length=7, blank=True)
    phone = models.CharField(_("telephone"), max_length=30, blank=True)
    is_delivery_location = models.BooleanField(_("service delivery location"), default=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = scoped_manager("agency")

    class Meta:
        verbose_name = _("office")
        verbose_name_plural = _("offices")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.city})"

    @property
    def organization_ids(self):
        return {self.agency_id}


# Persons and cases ---------------------------------------------------------------------------


class Person(models.Model):
    """A client. Personal details: every view of a case is recorded in the audit log."""

    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=settings.LANGUAGES, default="en"
    )
    email = models.EmailField(_("email address"), blank=True)
    phone = models.CharField(_("telephone"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=7, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = scoped_manager("cases__agency")

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["last_name", "first_name"]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        """As LaMPSS shows a person: "Johnson, Jane"."""
        return f"{self.last_name}, {self.first_name}"


class CaseStatus(models.TextChoices):
    """The case management cycle."""

    INTAKE = "intake", _("Intake")
    ASSESSMENT = "assessment", _("Assessment")
    PLAN_DEVELOPMENT = "plan_development", _("Action plan development")
    PLAN_MANAGEMENT = "plan_management", _("Action plan management")
    FOLLOW_UP = "follow_up", _("Follow-up")
    CLOSED = "closed", _("Closed")


OPEN_CASE_STATUSES = [status for status in CaseStatus.values if status != CaseStatus.CLOSED]
# The action plan can be built and changed in these statuses.
PLAN_STATUSES = (CaseStatus.PLAN_DEVELOPMENT, CaseStatus.PLAN_MANAGEMENT, CaseStatus.FOLLOW_UP)


class IncomeSource(models.TextChoices):
    EMPLOYMENT_INSURANCE = "ei", _("Employment insurance")
    INCOME_ASSISTANCE = "ia", _("Income assistance")
    EMPLOYMENT = "employment", _("Employment income")
    NONE = "none", _("No income")
    OTHER = "other", _("Other")


class EducationLevel(models.TextChoices):
    NONE = "none", _("No certificate or diploma")
    HIGH_SCHOOL = "high_school", _("High school diploma or equivalent")
    TRADES = "trades", _("Apprenticeship or trades certificate")
    COLLEGE = "college", _("College diploma")
    UNIVERSITY = "university", _("University degree")


class YesNoUnknown(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNDISCLOSED = "undisclosed", _("Prefers not to say")


class Case(models.Model):
    number = models.PositiveIntegerField(_("case ID"), unique=True, editable=False)
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="cases", verbose_name=_("person")
    )
    program = models.ForeignKey(Program, on_delete=models.PROTECT, verbose_name=_("program"))
    agency = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="employment_cases", verbose_name=_("agency")
    )
    office = models.ForeignKey(Office, on_delete=models.PROTECT, verbose_name=_("office"))
    # The accountability agreement and the main service delivery location (set again on transfer).
    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("accountability agreement"),
    )
    delivery_location = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("service delivery location"),
    )
    case_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="managed_cases",
        verbose_name=_("case manager"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.INTAKE
    )
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closure_reason = models.CharField(_("reason for closing"), max_length=500, blank=True)
    # Additional information
    income_source = models.CharField(
        _("main source of income"), max_length=12, choices=IncomeSource.choices, blank=True
    )
    disability = models.CharField(
        _("self-identifies as a person with a disability"),
        max_length=12,
        choices=YesNoUnknown.choices,
        blank=True,
    )
    accommodation_needs = models.TextField(_("accommodation needs"), blank=True)
    has_transportation = models.CharField(
        _("has reliable transportation"), max_length=12, choices=YesNoUnknown.choices, blank=True
    )
    referral_source = models.CharField(_("referred by"), max_length=200, blank=True)
    # Education and experience
    education_level = models.CharField(
        _("highest level of education"), max_length=12, choices=EducationLevel.choices, blank=True
    )
    field_of_study = models.CharField(_("field of study"), max_length=200, blank=True)
    last_occupation = models.CharField(_("last occupation"), max_length=200, blank=True)
    years_experience = models.PositiveSmallIntegerField(_("years of work experience"), null=True, blank=True)
    skills = models.TextField(_("skills and certifications"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = scoped_manager("agency")

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-number"]
        indexes = [models.Index(fields=["agency", "status"]), models.Index(fields=["case_manager", "status"])]

    def __str__(self):
        return str(self.number)

    def get_absolute_url(self):
        return reverse("referrals:case", args=[self.number])

    @property
    def organization_ids(self):
        return {self.agency_id}

    @property
    def is_closed(self):
        return self.status == CaseStatus.CLOSED


class CaseStatusChange(HistoryEntry):
    """A case's history row (portal.HistoryEntry): a status change, a reassignment, a transfer."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("from"), max_length=20, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=CaseStatus.choices)

    objects = scoped_manager("case__agency")

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.case_id}: {self.from_status} → {self.to_status}"


class CaseNote(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    subject = models.CharField(_("subject"), max_length=200)
    text = models.TextField(_("note"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    created_at = models.DateTimeField(_("date"), auto_now_add=True)

    objects = scoped_manager("case__agency")

    class Meta:
        verbose_name = _("case note")
        verbose_name_plural = _("case notes")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.subject


class DocumentType(models.TextChoices):
    IDENTITY = "identity", _("Identification")
    CONSENT = "consent", _("Signed consent")
    SIGNED_PLAN = "signed_plan", _("Signed action plan")
    RESUME = "resume", _("Résumé")
    CERTIFICATE = "certificate", _("Certificate or diploma")
    QUOTE = "quote", _("Quote or invoice")
    OTHER = "other", _("Other")


def _document_path(instance, filename):
    # Random names, under a private folder: never guessable, never served by the web server.
    from uuid import uuid4

    extension = os.path.splitext(filename)[1].lower()
    return f"private/case-documents/{uuid4().hex}{extension}"


class CaseDocument(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    # A document attached to a referral (it also belongs to the case).
    referral = models.ForeignKey(
        "Referral", on_delete=models.CASCADE, null=True, blank=True, related_name="documents"
    )
    document_type = models.CharField(_("document type"), max_length=20, choices=DocumentType.choices)
    description = models.CharField(_("description"), max_length=200, blank=True)
    file = models.FileField(_("file"), upload_to=_document_path)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("date"), auto_now_add=True)

    objects = scoped_manager("case__agency")

    class Meta:
        verbose_name = _("case document")
        verbose_name_plural = _("case documents")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self):
        return self.original_name


class OutcomeType(models.TextChoices):
    FULL_TIME = "full_time", _("Employed full time")
    PART_TIME = "part_time", _("Employed part time")
    SELF_EMPLOYED = "self_employed", _("Self-employed")
    EDUCATION = "education", _("Returned to education or training")
    UNEMPLOYED = "unemployed", _("Unemployed")
    UNKNOWN = "unknown", _("Unknown")


class EmploymentOutcome(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="outcomes")
    outcome = models.CharField(_("outcome"), max_length=20, choices=OutcomeType.choices)
    outcome_date = models.DateField(_("date"))
    employer = models.CharField(_("employer"), max_length=200, blank=True)
    occupation = models.CharField(_("occupation"), max_length=200, blank=True)
    hours_per_week = models.PositiveSmallIntegerField(_("hours per week"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = scoped_manager("case__agency")

    class Meta:
        verbose_name = _("employment outcome")
        verbose_name_plural = _("employment outcomes")
        ordering = ["-outcome_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours_per_week__isnull=True) | Q(hours_per_week__lte=168),
                name="referrals_outcome_hours_in_week",
            )
        ]

    # Needs determination -------------------------------------------------------------------------

    def __str__(self):
        return f"{self.get_outcome_display()} ({self.outcome_date})"


class NeedsDetermination(models.Model):
    """One saved version of the needs determination: saving again makes a new version."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="needs_determinations")
    version = models.PositiveSmallIntegerField(_("version"))
    barriers = models.ManyToManyField(Barrier, blank=True, verbose_name=_("barriers to employment"))
    comments = models.TextField(_("comments"), blank=True)
    completes_assessment = models.BooleanField(_("assessment completed"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("saved by")
    )
    created_at = models.DateTimeField(_("saved"), auto_now_add=True)

    objects = scoped_manager("case__agency")

    class Meta:
        verbose_name = _("needs determination")
        verbose_name_plural = _("needs determinations")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["case", "version"], name="referrals_one_version_number")
        ]

    # Business partners ---------------------------------------------------------------------------

    def __str__(self):
        return f"{self.case_id} v{self.version}"


class BusinessPartner(models.Model):
    """An entry of the Rolodex: public (set by the department) or private to one agency."""

    name = models.CharField(_("name"), max_length=200)
    services = models.ManyToManyField(PartnerService, blank=True, verbose_name=_("services offered"))
    address = models.CharField(_("address"), max_length=255, blank=True)
    city = models.CharField(_("city"), max_length=100)
    postal_code = models.CharField(_("postal code"), max_length=7, blank=True)
    phone = models.CharField(_("telephone"), max_length=30, blank=True)
    email = models.EmailField(_("email address"), blank=True)
    website = models.URLField(_("website"), blank=True)
    is_local_coordinator = models.BooleanField(_("can act as local coordinator"), default=False)
    # Null: public, visible to every agency. Otherwise private to this agency.
    agency = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="private_business_partners",
        verbose_name=_("private to"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = scoped_manager("agency")

    class Meta:
        verbose_name = _("business partner")
        verbose_name_plural = _("business partners")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def is_public(self):
        return self.agency_id is None


# Action plan ---------------------------------------------------------------------------------


class DeliveryModel(models.TextChoices):
    EXTERNAL = "external", _("External, by another organization")
    INTERNAL = "internal", _("Internal, by our organization")
    SELF_MANAGED = "self_managed", _("Self-managed by the client")


class InterventionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


EDITABLE_INTERVENTION_STATUSES = (InterventionStatus.PLANNED, InterventionStatus.IN_PROGRESS)


class Intervention(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="interventions")
    dimension = models.ForeignKey(
        Dimension, on_delete=models.PROTECT, verbose_name=_("employability dimension")
    )
    funding_requested = models.BooleanField(_("funding request"), default=False)
    intervention_type = models.ForeignKey(
        InterventionType, on_delete=models.PROTECT, verbose_name=_("intervention type")
    )
    funding_type = models.ForeignKey(
        FundingType, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("funding type")
    )
    delivery_model = models.CharField(_("delivery model"), max_length=20, choices=DeliveryModel.choices)
    planned_start = models.DateField(_("planned start date"))
    planned_end = models.DateField(_("planned end date"))
    description = models.TextField(_("description"), blank=True)
    local_coordinator = models.ForeignKey(
        BusinessPartner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("local coordinator"),
    )
    delivering_organization = models.ForeignKey(
        BusinessPartner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="delivered_interventions",
        verbose_name=_("delivering organization"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=InterventionStatus.choices, default=InterventionStatus.PLANNED
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = scoped_manager("case__agency")

    class Meta:
        verbose_name = _("intervention")
        verbose_name_plural = _("interventions")
        ordering = ["planned_start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end__gte=F("planned_start")),
                name="referrals_intervention_end_after_start",
            )
        ]

    def __str__(self):
        return str(self.intervention_type)

    @property
    def organization_ids(self):
        return {self.case.agency_id}

    @property
    def is_editable(self):
        return self.status in EDITABLE_INTERVENTION_STATUSES

    @property
    def is_planned(self):
        """Not started yet: the only interventions that may be deleted (the guide)."""
        return self.status == InterventionStatus.PLANNED


class FundingStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class FundingRequest(models.Model):
    intervention = models.ForeignKey(Intervention, on_delete=models.CASCADE, related_name="funding_requests")
    amount = models.DecimalField(_("amount requested"), max_digits=9, decimal_places=2)
    justification = models.TextField(_("justification"))
    status = models.CharField(
        _("status"), max_length=10, choices=FundingStatus.choices, default=FundingStatus.SUBMITTED
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_comment = models.TextField(_("reason"), blank=True)

    objects = scoped_manager("intervention__case__agency")

    class Meta:
        verbose_name = _("funding request")
        verbose_name_plural = _("funding requests")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="referrals_funding_amount_positive"),
            # One open request per intervention at a time.
            models.UniqueConstraint(
                fields=["intervention"],
                condition=Q(status=FundingStatus.SUBMITTED),
                name="referrals_one_open_funding_request",
            ),
        ]

    def __str__(self):
        return f"{self.intervention_id}: {self.amount}"


class PrintStatus(models.TextChoices):
    QUEUED = "queued", _("Being prepared")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class PlanPrint(models.Model):
    """The action plan as a PDF, built in the background, downloadable by whoever may see the case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="plan_prints")
    # Set for the preview of a referral letter (the same background rendering as the plan).
    referral = models.ForeignKey(
        "Referral", on_delete=models.CASCADE, null=True, blank=True, related_name="previews"
    )
    language = models.CharField(_("language"), max_length=2, choices=settings.LANGUAGES)
    status = models.CharField(
        _("status"), max_length=8, choices=PrintStatus.choices, default=PrintStatus.QUEUED
    )
    file = models.FileField(upload_to="private/plans/%Y/%m/", blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = scoped_manager("case__agency")

    class Meta:
        ordering = ["-requested_at", "-pk"]

    def __str__(self):
        return f"{self.case_id} ({self.language})"

    @property
    def is_queued(self):
        return self.status == PrintStatus.QUEUED

    @property
    def is_ready(self):
        return self.status == PrintStatus.READY

    @property
    def is_failed(self):
        return self.status == PrintStatus.FAILED


# Referrals and case transfer -----------------------------------------------------------------


class ReferralType(models.TextChoices):
    TRANSFER = "transfer", _("Case transfer")
    WITHIN = "within", _("Informational (within the network)")
    OUTSIDE = "outside", _("Informational (outside the network)")


# The types whose organization is an agency of the network, chosen from a list.
NETWORK_TYPES = (ReferralType.TRANSFER, ReferralType.WITHIN)


class ReferralStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    EMAILED = "emailed", _("Emailed")
    FAILED = "failed", _("Failed")


SENT_STATUSES = (ReferralStatus.SENT, ReferralStatus.EMAILED, ReferralStatus.FAILED)


class TransferStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the receiving agency")
    COMPLETED = "completed", _("Transferred")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class CorrespondenceTemplate(models.Model):
    """A referral letter in one language. Templates sharing a code are the same letter in each language.

    The letter body takes placeholders in square brackets, e.g. [client_name] (see LETTER_PLACEHOLDERS).
    """

    code = models.SlugField(_("code"), max_length=50)
    referral_type = models.CharField(_("referral type"), max_length=10, choices=ReferralType.choices)
    language = models.CharField(_("language"), max_length=2, choices=settings.LANGUAGES)
    name = models.CharField(_("name"), max_length=200)
    default_subject = models.CharField(_("default email subject"), max_length=200)
    default_body = models.TextField(_("default email body"))
    letter_body = models.TextField(_("letter"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("correspondence template")
        verbose_name_plural = _("correspondence templates")
        ordering = ["referral_type", "name"]
        constraints = [
            models.UniqueConstraint(fields=["code", "language"], name="referrals_one_template_per_language")
        ]

    def __str__(self):
        return self.name


LETTER_PLACEHOLDERS = (
    "client_name",
    "case_number",
    "date",
    "organization",
    "contact_person",
    "agency_name",
    "agency_address",
    "agency_phone",
    "agency_email",
    "case_manager",
)


class Referral(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    referral_type = models.CharField(_("referral type"), max_length=10, choices=ReferralType.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.DRAFT
    )
    # The receiving agency (network types) or the organization's name typed in (outside the network).
    agency = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incoming_referrals",
        verbose_name=_("organization"),
    )
    organization_name = models.CharField(_("organization"), max_length=200, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=200, blank=True)
    email_to = models.EmailField(_("email to"), blank=True)
    template = models.ForeignKey(
        CorrespondenceTemplate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("correspondence template"),
    )
    language = models.CharField(_("correspondence language"), max_length=2, choices=settings.LANGUAGES)
    subject = models.CharField(_("email subject"), max_length=200, blank=True)
    body = models.TextField(_("email body"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField(_("referral date"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    failure_reason = models.CharField(_("reason of the failure"), max_length=500, blank=True)
    transfer_status = models.CharField(
        _("transfer"), max_length=10, choices=TransferStatus.choices, blank=True
    )
    transferred_at = models.DateTimeField(_("transferred"), null=True, blank=True)
    transferred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = scoped_manager("case__agency")

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["agency", "referral_type", "status"])]

    def __str__(self):
        return f"{self.case_id} {self.referral_type}"

    @property
    def organization_display(self):
        return self.agency.name if self.agency_id else self.organization_name

    @property
    def is_draft(self):
        return self.status == ReferralStatus.DRAFT

    @property
    def is_failed(self):
        return self.status == ReferralStatus.FAILED

    @property
    def organization_ids(self):
        return {self.case.agency_id}
