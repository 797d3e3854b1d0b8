"""The help page's words that an organization's coordinators write (issue 19, the interpreter
bank guide's sections 5 and 6: toolkit and support): per portal, a support contact, a lexicon and
good practices, in French and in English. A part left empty shows the default text."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.models.accounts import Organization
from portal.scoping import scoped_manager

# Each part is plain text: line breaks and web or email addresses become paragraphs and links,
# nothing else is markup (portal/help/custom_part.html).
PART_MAX_LENGTH = 4000


class HelpPortal(models.TextChoices):
    ORDERS = "orders", _("Service orders")
    REFERRALS = "referrals", _("Employment case management")
    INTERPRETERS = "interpreters", _("Interpreter bank")
    APPOINTMENTS = "appointments", _("Clinic scheduling")


class HelpContent(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="help_contents", verbose_name=_("organization")
    )
    portal = models.CharField(_("portal"), max_length=20, choices=HelpPortal.choices)
    support_fr = models.TextField(_("support contact (French)"), blank=True, max_length=PART_MAX_LENGTH)
    support_en = models.TextField(_("support contact (English)"), blank=True, max_length=PART_MAX_LENGTH)
    lexicon_fr = models.TextField(_("lexicon (French)"), blank=True, max_length=PART_MAX_LENGTH)
    lexicon_en = models.TextField(_("lexicon (English)"), blank=True, max_length=PART_MAX_LENGTH)
    practices_fr = models.TextField(_("good practices (French)"), blank=True, max_length=PART_MAX_LENGTH)
    practices_en = models.TextField(_("good practices (English)"), blank=True, max_length=PART_MAX_LENGTH)
    updated_at = models.DateTimeField(_("last modified"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("modified by"),
    )

    objects = scoped_manager("organization")

    class Meta:
        verbose_name = _("help content")
        verbose_name_plural = _("help contents")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "portal"], name="portal_help_content_one_per_portal"
            )
        ]

    def __str__(self):
        return f"{self.organization} — {self.get_portal_display()}"

    def part(self, name: str, language: str) -> str:
        """The text of one part ("support", "lexicon", "practices") in a language ("" when empty)."""
        suffix = "fr" if language == "fr" else "en"
        return str(getattr(self, f"{name}_{suffix}")).strip()
