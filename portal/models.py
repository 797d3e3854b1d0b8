"""What every portal shares: people, organizations, memberships, tasks, notifications, messages.

Data and invariants only. Every write goes through portal.services; every read that depends on
who asks goes through portal.selectors.
"""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.contenttypes.fields import GenericForeignKey
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from portal import roles
from portal.scoping import ScopedQuerySet, scoped_manager


class Language(models.TextChoices):
    FRENCH = "fr", _("French")
    ENGLISH = "en", _("English")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("email address"), unique=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    phone = PhoneNumberField(_("phone"), blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.FRENCH
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("staff status"), default=False, help_text=_("Can sign in to the administration site.")
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "email"]

    def __str__(self):
        return self.get_full_name() or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self):
        return self.first_name or self.email


class OrganizationKind(models.TextChoices):
    DEPARTMENT = "department", _("Department")
    PROVIDER_AGENCY = "provider_agency", _("Service provider agency")
    EMPLOYMENT_AGENCY = "employment_agency", _("Employment agency")
    HEALTH_ESTABLISHMENT = "health_establishment", _("Health establishment")
    INTERPRETER_BANK = "interpreter_bank", _("Interpreter bank")
    CLINIC_NETWORK = "clinic_network", _("Clinic network")


class FrenchArticle(models.TextChoices):
    # The articles themselves are French words, the same in an English page.
    NONE = "", _("none (the name stands alone: Horizon)")
    LE = "le", "le"
    LA = "la", "la"
    ELIDED = "l'", "l'"
    LES = "les", "les"


class EnglishArticle(models.TextChoices):
    NONE = "", _("none (the name stands alone: Horizon Home Care)")
    THE = "the", "the"


class Organization(models.Model):
    # name is bilingual through modeltranslation (name_fr, name_en): see portal/translation.py.
    name = models.CharField(_("name"), max_length=200)
    # What a sentence needs before the name (portal.names): French contracts it with "de" and "à"
    # ("du Ministère", "au Réseau", "à la Clinique"); English says "the Department of …".
    article_fr = models.CharField(
        _("article of the French name"),
        max_length=3,
        choices=FrenchArticle.choices,
        blank=True,
        default=FrenchArticle.NONE,
        help_text=_(
            "The article French puts before the name: le (le Ministère…), la (la Clinique…), "
            "l' (l'Hôpital…), les (les Services…), or none."
        ),
    )
    article_en = models.CharField(
        _("article of the English name"),
        max_length=3,
        choices=EnglishArticle.choices,
        blank=True,
        default=EnglishArticle.NONE,
        help_text=_("“the” when English says “the Department of …”, or none."),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=OrganizationKind.choices)
    contact_email = models.EmailField(_("general contact email"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def organization_id(self):
        # An organization belongs to itself: lets has_capability() treat it like any record.
        return self.pk


class MembershipQuerySet(ScopedQuerySet):
    # A membership is its organization's (for_organization) and its person's (for_user).
    user_field = "user"

    def valid_on(self, day):
        """Memberships that give access on that day: within their dates, active user and organization."""
        return self.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day),
            valid_from__lte=day,
            user__is_active=True,
            organization__is_active=True,
        )

    def valid_now(self):
        return self.valid_on(timezone.localdate())


class Membership(models.Model):
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("organization")
    )
    role = models.CharField(_("role"), max_length=64, choices=roles.role_choices)
    valid_from = models.DateField(_("valid from"), default=timezone.localdate)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    # What an app narrows the role to (for example {"locations": [3, 5]}); the app reads it.
    scope = models.JSONField(_("scope"), default=dict, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organization__name", "role"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="membership_dates_in_order",
            ),
        ]

    def __str__(self):
        return f"{self.organization} · {self.role_label}"

    @property
    def role_label(self):
        role = roles.get_role(self.role)
        return role.label if role else self.role

    def clean(self):
        super().clean()
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("The end date cannot be before the start date.")})
        role = roles.get_role(self.role)
        if role and self.organization_id and self.organization.kind not in role.organization_kinds:
            raise ValidationError({"role": _("This role does not exist for this kind of organization.")})

    def is_valid_on(self, day):
        return (
            self.valid_from <= day
            and (self.valid_to is None or self.valid_to >= day)
            and self.user.is_active
            and self.organization.is_active
        )


class InvitationQuerySet(ScopedQuerySet):
    organization_fields = ("organization",)
    user_field = "user"

    def pending(self):
        """Not withdrawn, and the person has not chosen a password yet (expired ones included:
        an administrator sends those again)."""
        from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX

        return self.filter(withdrawn_at__isnull=True, user__password__startswith=UNUSABLE_PASSWORD_PREFIX)


class Invitation(models.Model):
    """A person invited to a role who has not chosen their password yet (portal.accounts.invitations).

    The emailed link carries `nonce`: sending the invitation again gives a new one, so the previous
    link stops working; withdrawing it stops the link and removes the role it gave."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("organization")
    )
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("person")
    )
    membership = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("membership"),
    )
    role = models.CharField(_("role"), max_length=64, choices=roles.role_choices)
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("invited by")
    )
    sent_at = models.DateTimeField(_("sent"))
    nonce = models.CharField(max_length=32, unique=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-sent_at", "-pk"]

    def __str__(self):
        return f"{self.user} · {self.role_label}"

    @property
    def role_label(self):
        role = roles.get_role(self.role)
        return role.label if role else self.role

    @property
    def expires_at(self):
        from portal.accounts.invitations import INVITATION_MAX_AGE

        return self.sent_at + INVITATION_MAX_AGE

    @property
    def has_expired(self):
        return timezone.now() >= self.expires_at


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
        "portal.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("date"), auto_now_add=True)
    action = models.CharField(_("action"), max_length=40, blank=True)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]


class Priority(models.TextChoices):
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")
    LOW = "low", _("Low")


class HomeItem(models.Model):
    """What the home page lists for one person: a bilingual title, a date and a link to the record.

    Created by apps through portal.services; `key` makes creating the same item twice harmless.
    """

    # title is bilingual through modeltranslation (title_fr, title_en): see portal/translation.py.
    title = models.CharField(_("title"), max_length=255)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("organization")
    )
    due_date = models.DateField(_("due date"), default=timezone.localdate)
    link = models.CharField(_("link"), max_length=500, help_text=_("Path of the record, e.g. /orders/12/."))
    key = models.CharField(max_length=200, unique=True, null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Optional columns of a work list (LaMPSS: priority, case id, person, program, created by).
    priority = models.CharField(
        _("priority"), max_length=6, choices=Priority.choices, default=Priority.NORMAL
    )
    record_number = models.CharField(_("record number"), max_length=40, blank=True)
    record_link = models.CharField(_("record link"), max_length=500, blank=True)
    about = models.CharField(_("person"), max_length=200, blank=True)
    # details is bilingual through modeltranslation, like title (e.g. the program's name).
    details = models.CharField(_("details"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    # The record it is about, typed (content type + id) and why (its purpose: "develop-plan",
    # "report"…): readers ask for "the open tasks about case 12" through an index, never by a
    # substring of `key` or `link`. Set by the app when it creates the item (portal.services).
    record_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    record_id = models.PositiveBigIntegerField(null=True, blank=True)
    purpose = models.CharField(max_length=60, blank=True)
    record = GenericForeignKey("record_type", "record_id")

    class Meta:
        abstract = True
        ordering = ["due_date", "pk"]

    def __str__(self):
        return self.title

    @property
    def is_overdue(self):
        return not self.is_closed and self.due_date < timezone.localdate()


class Task(HomeItem):
    """Something a person has to do about a record, by a date."""

    assignee = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("assignee")
    )
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    # A task is its assignee's: read through for_user (or for_organization for an organization's).
    objects = scoped_manager("organization", user="assignee")

    class Meta(HomeItem.Meta):
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [
            models.Index(fields=["assignee", "done_at", "due_date"]),
            models.Index(fields=["record_type", "record_id", "purpose"], name="portal_task_record"),
            # The home page and "My open tasks": a person's open tasks by due date, read in index
            # order (the id breaks ties) and stopped after the page, however many there are.
            models.Index(
                fields=["assignee", "due_date", "id"], condition=Q(done_at__isnull=True), name="portal_task_open"
            ),
        ]

    @property
    def is_closed(self):
        return self.done_at is not None


class Notification(HomeItem):
    """Something a person should know about a record."""

    recipient = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    objects = scoped_manager("organization", user="recipient")

    class Meta(HomeItem.Meta):
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "read_at", "due_date"]),
            models.Index(fields=["record_type", "record_id", "purpose"], name="portal_notification_record"),
            # The home page: a person's unread notifications by date (see Task's portal_task_open).
            models.Index(
                fields=["recipient", "due_date", "id"],
                condition=Q(read_at__isnull=True),
                name="portal_notification_unread",
            ),
        ]

    @property
    def is_closed(self):
        return self.read_at is not None


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class DeliveryStatus(models.TextChoices):
    """What the SMS provider reported after the message left (its status callbacks)."""

    SENT = "sent", _("Sent to the carrier")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Not delivered (failed)")
    UNDELIVERED = "undelivered", _("Not delivered (undelivered)")


class Message(models.Model):
    """One email or SMS to one recipient. The unique key makes sending idempotent.

    Only ids and a template name travel to the worker; the text is rendered when sent, in the
    recipient's language. The subject and link are kept for the outbox (never personal details).
    """

    key = models.CharField(max_length=200, unique=True)
    channel = models.CharField(_("channel"), max_length=5, choices=Channel.choices)
    template = models.CharField(_("template"), max_length=200)
    context = models.JSONField(default=dict, blank=True)
    recipient = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("recipient")
    )
    to_address = models.CharField(_("to"), max_length=254)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    link = models.URLField(_("link"), max_length=500, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # An SMS provider's side (portal.sms_providers): its message id, and what its status
    # callbacks last said (portal.sms_services.record_delivery_status), with its error code.
    provider_id = models.CharField(_("provider's message id"), max_length=64, blank=True, db_index=True)
    delivery_status = models.CharField(
        _("delivery"), max_length=12, choices=DeliveryStatus.choices, blank=True
    )
    delivery_error = models.CharField(_("provider's reason"), max_length=255, blank=True)
    delivery_updated_at = models.DateTimeField(_("delivery updated"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_channel_display()} {self.key}"


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


class SmsAnswer(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")


class InboundSms(models.Model):
    """One SMS a person sent to Liaison's number (portal.sms_services.receive_sms), kept once per
    provider message id: a webhook delivered twice is answered once. Not organization data: the
    handler that takes it (an app's, portal.sms.replies) records what it did on its own record."""

    provider_id = models.CharField(_("provider's message id"), max_length=64, unique=True)
    from_number = models.CharField(_("from"), max_length=32)
    body = models.TextField(_("text"), blank=True)
    answer = models.CharField(_("answer"), max_length=3, choices=SmsAnswer.choices, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    handled_by = models.CharField(_("handled by"), max_length=200, blank=True)
    reply = models.ForeignKey(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("reply")
    )
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("received text message")
        verbose_name_plural = _("received text messages")
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["from_number", "received_at"])]

    def __str__(self):
        return self.provider_id


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
