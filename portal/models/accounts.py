"""People, organizations, memberships and invitations."""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from portal import roles
from portal.scoping import ScopedQuerySet


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
