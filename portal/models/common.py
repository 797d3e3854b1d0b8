"""Abstract shapes the apps share: bilingual reference lists and domain history rows."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReferenceData(models.Model):
    """Bilingual reference data users see (name_fr / name_en through each app's modeltranslation)."""

    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(_("code"), max_length=50, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        abstract = True
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class HistoryEntry(models.Model):
    """The one shape of a record's history row, in every app: who, when, what (old → new), note.

    An app's history model adds the foreign key to its record (and its scoped manager), and may
    give from_status/to_status its status choices; portal.workflow writes one row per change."""

    actor = models.ForeignKey(
        "portal.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("date"), auto_now_add=True)
    action = models.CharField(_("action"), max_length=40, blank=True)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]
