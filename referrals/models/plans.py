"""The return-to-work action plan: interventions, and the plan printed as a PDF."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.scoping import scoped_manager

from .cases import Case
from .partners import BusinessPartner
from .reference import Dimension, FundingType, InterventionType


class DeliveryModel(models.TextChoices):
    EXTERNAL = "external", _("External, by another organization")
    INTERNAL = "internal", _("Internal, by our organization")
    SELF_MANAGED = "self_managed", _("Self-managed by the client")


class InterventionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", pgettext_lazy("intervention", "Cancelled")  # French: "Annulée"


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
