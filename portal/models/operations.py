"""Sign-in alerts, audit scopes, number sequences and waiting rooms."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models.accounts import Organization
from portal.scoping import scoped_manager


class SignInAlert(models.Model):
    """One address that failed too many sign-ins across accounts (password spraying).

    Written by portal.auth.AddressLimitHandler when an address crosses
    settings.SIGN_IN_FAILURES_PER_ADDRESS within the lockout hour; listed in the admin for the
    platform's staff (who also receive it by email). Not organization data: an address may try
    any organization's accounts.
    """

    ip_address = models.GenericIPAddressField(_("address"))
    failures = models.PositiveIntegerField(_("failed sign-ins"))
    accounts = models.PositiveIntegerField(_("accounts tried"))
    created_at = models.DateTimeField(_("blocked at"), default=timezone.now)
    blocked_until = models.DateTimeField(_("blocked until"))

    class Meta:
        verbose_name = _("sign-in alert")
        verbose_name_plural = _("sign-in alerts")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["ip_address", "blocked_until"])]

    def __str__(self):
        return f"{self.ip_address} ({self.failures})"


class AuditScope(models.Model):
    """An audit entry (auditlog's LogEntry) belongs to this organization.

    Written when the entry is (portal.audit, auditlog's post_log signal), from the paths each app
    registers next to its audited models. The rule, per kind of record:

    - a record with an organization (`organization`, `bank`, `agency`...) or reached through a
      parent (an order through its summary, a case's notes through the case's agency, a completion
      through its interpreter request) belongs to that organization;
    - a record shared by two organizations (an order summary's department and provider, an
      interpreter request's bank and establishment, an agreement's department and agency) belongs
      to both: one row for each;
    - an organization's own record belongs to itself; a membership to its organization;
    - a person's user record belongs to every organization the person holds a membership in
      when the entry is written (several rows); a person with no membership, or a deleted one,
      leaves an entry that no organization sees (superusers read it in the admin site).

    The portal's audit page lists an organization's entries through these rows, in the query.
    """

    log_entry = models.ForeignKey(
        "auditlog.LogEntry", on_delete=models.CASCADE, related_name="scopes", verbose_name=_("audit entry")
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("organization")
    )

    class Meta:
        verbose_name = _("audit entry organization")
        verbose_name_plural = _("audit entry organizations")
        constraints = [
            models.UniqueConstraint(fields=["organization", "log_entry"], name="audit_scope_once"),
        ]

    def __str__(self):
        return f"{self.log_entry_id} · {self.organization_id}"


class NumberSequence(models.Model):
    """The last number given for one kind of record ("referrals.case", "interpreters.request"…).

    portal.numbering.next_number is the one way records are numbered: the row is locked by its
    UPDATE until the caller's transaction ends, so two records never get the same number and a
    rolled-back creation gives its number back."""

    name = models.CharField(max_length=60, primary_key=True)
    last = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("number sequence")

    def __str__(self):
        return f"{self.name}: {self.last}"


class WaitingRoom(models.Model):
    """A fair line in front of an organization's public path (portal.waiting_room).

    The organization's setting (on or off, visitors admitted per minute) and the line's counters
    used when Redis is away or not configured: tickets given (`issued`), admissions due
    (`served`, a count that grows with time at the admission rate) as of `served_at` (Unix time),
    and `epoch`, which names this line so that a ticket of another (Redis's) is recognised."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="waiting_room", verbose_name=_("organization")
    )
    is_on = models.BooleanField(_("waiting room on"), default=False)
    per_minute = models.PositiveIntegerField(
        _("visitors admitted per minute"),
        default=300,
        validators=[MinValueValidator(1), MaxValueValidator(100_000)],
    )
    issued = models.BigIntegerField(default=0)
    served = models.FloatField(default=0)
    served_at = models.FloatField(default=0)
    epoch = models.CharField(max_length=16, blank=True)

    objects = scoped_manager("organization")

    class Meta:
        verbose_name = _("waiting room")
        verbose_name_plural = _("waiting rooms")

    def __str__(self):
        return f"{self.organization_id}: {self.per_minute}/min{'' if self.is_on else ' (off)'}"
