"""Referrals and case transfer: correspondence templates and referrals."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.models import Organization
from portal.scoping import scoped_manager

from .cases import Case


class ReferralType(models.TextChoices):
    TRANSFER = "transfer", _("Case transfer")
    WITHIN = "within", _("Informational (within the network)")
    OUTSIDE = "outside", _("Informational (outside the network)")


# The types whose organization is an agency of the network, chosen from a list.
NETWORK_TYPES = (ReferralType.TRANSFER, ReferralType.WITHIN)


class ReferralStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("referral", "Draft")  # French: "Ébauche", as the guide says
    SENT = "sent", _("Sent")
    EMAILED = "emailed", _("Emailed")
    FAILED = "failed", _("Failed")


SENT_STATUSES = (ReferralStatus.SENT, ReferralStatus.EMAILED, ReferralStatus.FAILED)


class TransferStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the receiving agency")
    COMPLETED = "completed", _("Transferred")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ResponseStatus(models.TextChoices):
    """The receiving agency's answer to an informational referral within the network (issue 19)."""

    AWAITING = "awaiting", pgettext_lazy("referral response", "Awaiting a response")
    ACCEPTED = "accepted", pgettext_lazy("referral response", "Accepted")
    DECLINED = "declined", pgettext_lazy("referral response", "Declined")


class DeclineReason(models.TextChoices):
    NOT_ELIGIBLE = "not_eligible", _("The client is not eligible for our services")
    NO_CAPACITY = "no_capacity", _("We cannot take new clients at this time")
    NOT_OFFERED = "not_offered", _("We do not offer the service the client needs")
    UNREACHABLE = "unreachable", _("We could not reach the client")
    OTHER = "other", pgettext_lazy("decline reason", "Other")


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
    # Who referred, as it was when sent: a transfer later changes the case's agency and manager,
    # never the sender of the referrals sent before it.
    sending_agency = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sending agency"),
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("referred by"),
    )
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

    # The receiving agency's answer (informational referrals within the network): once, who, when, why.
    response_status = models.CharField(
        _("response"), max_length=10, choices=ResponseStatus.choices, blank=True
    )
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    response_reason = models.CharField(
        _("reason"), max_length=20, choices=DeclineReason.choices, blank=True
    )
    response_comment = models.CharField(_("comment"), max_length=500, blank=True)
    # When the sender was reminded that no answer came (one reminder per referral).
    response_reminded_at = models.DateTimeField(null=True, blank=True)

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
    def sender_agency(self):
        """The agency that sent it (the case's agency while still a draft)."""
        return self.sending_agency if self.sending_agency_id else self.case.agency

    @property
    def sender_person(self):
        """The case manager who referred (the case's while still a draft)."""
        return self.referred_by if self.referred_by_id else self.case.case_manager

    def is_from_other_agency(self, agency_id):
        """Sent by another agency than this one (the case came here by a later transfer)."""
        return self.sending_agency_id is not None and self.sending_agency_id != agency_id

    @property
    def response_reason_display(self):
        """The reason as read: the chosen one, and what was typed (alone for "Other")."""
        if self.response_reason == DeclineReason.OTHER or not self.response_reason:
            return self.response_comment
        label = self.get_response_reason_display()
        return f"{label} ({self.response_comment})" if self.response_comment else label

    @property
    def is_answered(self):
        return self.response_status in (ResponseStatus.ACCEPTED, ResponseStatus.DECLINED)

    @property
    def state_display(self):
        """The one state the sender's list shows. Once the receiving agency answered, its answer:
        it read the referral in Liaison, so whether the copy sent by email failed no longer tells
        where the referral is (the failure stays in the row's details). Before, the sending's."""
        if self.is_answered:
            return self.get_response_status_display()
        return self.get_status_display()

    @property
    def state_note(self):
        """What goes with that state, under it: where a transfer is, or that an answer is awaited."""
        if self.transfer_status:
            return self.get_transfer_status_display()
        if self.response_status == ResponseStatus.AWAITING:
            return self.get_response_status_display()
        return ""

    @property
    def is_draft(self):
        return self.status == ReferralStatus.DRAFT

    @property
    def is_failed(self):
        return self.status == ReferralStatus.FAILED

    @property
    def organization_ids(self):
        return {self.case.agency_id}
