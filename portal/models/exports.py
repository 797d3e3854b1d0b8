"""Files prepared in the background for a person (CSV, Excel, PDF)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.models.accounts import Membership, User
from portal.scoping import scoped_manager


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Being prepared")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class Export(models.Model):
    """A CSV or Excel file prepared in the background for one person (portal.exports)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="exports", verbose_name=_("user"))
    membership = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    exporter = models.CharField(max_length=200)
    params = models.JSONField(default=dict, blank=True)
    fmt = models.CharField(
        _("format"), max_length=4, choices=[("csv", "CSV"), ("xlsx", "Excel"), ("pdf", "PDF")]
    )
    status = models.CharField(
        _("status"), max_length=8, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = scoped_manager("membership__organization", user="user")

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.name

    # What its page offers: the download once ready, a reload while being prepared (no template
    # compares statuses to decide an action).
    @property
    def is_ready(self):
        return self.status == ExportStatus.READY

    @property
    def is_being_prepared(self):
        return self.status == ExportStatus.QUEUED
