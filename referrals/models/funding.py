"""Funding requests for interventions of the action plan."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.scoping import scoped_manager

from .plans import Intervention


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
