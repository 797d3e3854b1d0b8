"""Persons and cases: the case, its history, notes, documents, employment outcomes and needs
determinations."""

import os

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.models import HistoryEntry, Organization
from portal.scoping import scoped_manager

from .agreements import Agreement, Office
from .reference import Barrier, Program

CASE_NUMBER_BASE = 100900


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
# Employment outcomes are recorded once the action plan is under way (and after closing).
OUTCOME_STATUSES = (CaseStatus.PLAN_MANAGEMENT, CaseStatus.FOLLOW_UP, CaseStatus.CLOSED)


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

    def __str__(self):
        return f"{self.case_id} v{self.version}"
