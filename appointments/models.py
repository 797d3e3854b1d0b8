"""Appointment scheduling (Clic Santé): the application's configuration, its schedules and slots.

One clinic network (a portal Organization of kind clinic_network) is one "application" of the guide:
its services, locations, team resources, communications and public page. Bilingual texts the public
reads (names, descriptions, messages) have _fr and _en columns through modeltranslation.
"""

import os
from datetime import UTC, timedelta
from uuid import uuid4

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.models import HistoryEntry, Organization
from portal.scoping import scoped_manager


def _private_name(folder, filename):
    # Random names in a private folder: never guessable, served only through a checking view.
    return f"private/{folder}/{uuid4().hex}{os.path.splitext(filename)[1].lower()}"


def attachment_path(instance, filename):
    return _private_name("service-attachments", filename)


def logo_path(instance, filename):
    return _private_name("clinic-logos", filename)


class ClinicSettings(models.Model):
    """The application-wide settings: online booking switch and the public page."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="appointment_settings"
    )
    online_booking_open = models.BooleanField(_("online booking open"), default=False)
    # Public page: contact details and logo.
    public_name = models.CharField(_("name shown on the public page"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    website = models.URLField(_("website"), blank=True)
    logo = models.FileField(_("logo"), upload_to=logo_path, blank=True)
    logo_content_type = models.CharField(max_length=40, blank=True)
    # Texts (bilingual through modeltranslation).
    welcome_message = models.TextField(_("welcome message"), blank=True)
    popup_message = models.TextField(_("pop-up message"), blank=True)
    transitional_message = models.TextField(_("transitional message"), blank=True)
    # The terms of use and privacy policy of online booking, as the network writes them (issue 20);
    # empty: Liaison's default text (templates/appointments/public_notice.html).
    terms_text = models.TextField(_("terms of use"), blank=True)
    privacy_text = models.TextField(_("privacy policy"), blank=True)
    days_shown = models.PositiveSmallIntegerField(
        _("number of days of availability shown"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    show_duration = models.BooleanField(_("show the appointment duration"), default=True)
    waitlist_hold_hours = models.PositiveSmallIntegerField(
        _("waitlist offer hold (hours)"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(72)],
    )

    objects = scoped_manager("organization")

    class Meta:
        verbose_name = _("appointment application settings")
        verbose_name_plural = _("appointment application settings")

    def __str__(self):
        return str(self.organization)


class PersonalField(models.TextChoices):
    """The personal details a booking form may ask for; each service says which, and how."""

    DATE_OF_BIRTH = "date_of_birth", _("Date of birth")
    GENDER = "gender", _("Gender")
    HEALTH_CARD = "health_card_number", _("Health card number")
    EMAIL = "email", _("Email")
    MOBILE = "mobile_phone", _("Mobile phone")
    PHONE = "phone", _("Other phone")
    ADDRESS = "address", _("Address")
    POSTAL_CODE = "postal_code", _("Postal code")
    PARENT_NAME = "parent_name", _("Name of the parent or guardian")
    COMMENT = "comment", _("Comment")


class FieldMode(models.TextChoices):
    OFF = "off", _("Not asked")
    OPTIONAL = "optional", _("Optional")
    REQUIRED = "required", _("Required")


DEFAULT_PERSONAL_FIELDS = {
    PersonalField.DATE_OF_BIRTH: FieldMode.REQUIRED,
    PersonalField.GENDER: FieldMode.OFF,
    PersonalField.HEALTH_CARD: FieldMode.OPTIONAL,
    PersonalField.EMAIL: FieldMode.OPTIONAL,
    PersonalField.MOBILE: FieldMode.OPTIONAL,
    PersonalField.PHONE: FieldMode.OFF,
    PersonalField.ADDRESS: FieldMode.OFF,
    PersonalField.POSTAL_CODE: FieldMode.OPTIONAL,
    PersonalField.PARENT_NAME: FieldMode.OFF,
    PersonalField.COMMENT: FieldMode.OPTIONAL,
}


class Dose(models.TextChoices):
    SINGLE = "single", _("Not part of a series")
    FIRST = "first", _("First dose")
    SECOND = "second", _("Second dose")


class Service(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    # name, description, instructions and the two messages are bilingual (modeltranslation).
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    campaign = models.CharField(
        _("campaign"),
        max_length=100,
        blank=True,
        help_text=_("The first and second doses of one campaign share this name (e.g. COVID-19)."),
    )
    dose = models.CharField(_("dose"), max_length=10, choices=Dose.choices, default=Dose.SINGLE)
    minimum_interval_days = models.PositiveSmallIntegerField(
        _("minimum interval before the second dose (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("For a first dose: the second dose of the campaign can be booked this many days later."),
    )
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), validators=[MinValueValidator(1), MaxValueValidator(480)]
    )
    attachment = models.FileField(_("attachment"), upload_to=attachment_path, blank=True)
    attachment_name = models.CharField(_("attachment name"), max_length=200, blank=True)
    attachment_content_type = models.CharField(max_length=100, blank=True)
    instructions = models.TextField(_("instructions on the coupon"), blank=True)
    message_available = models.TextField(_("message when there is availability"), blank=True)
    message_unavailable = models.TextField(_("message when there is no availability"), blank=True)
    message_not_eligible = models.TextField(_("message when the person is not eligible"), blank=True)
    personal_fields = models.JSONField(_("personal details asked"), default=dict, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = scoped_manager("organization")

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    def field_mode(self, code):
        return self.personal_fields.get(code, DEFAULT_PERSONAL_FIELDS.get(code, FieldMode.OFF))


class EligibilityAnswer(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")


class EligibilityQuestion(models.Model):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField(_("question"), max_length=300)  # bilingual
    eligible_answer = models.CharField(
        _("answer that makes the person eligible"), max_length=3, choices=EligibilityAnswer.choices
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = scoped_manager("service__organization")

    class Meta:
        verbose_name = _("eligibility question")
        verbose_name_plural = _("eligibility questions")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.text


class Location(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=200)  # bilingual
    address = models.CharField(_("street address"), max_length=200)
    city = models.CharField(_("city"), max_length=100)
    province = models.CharField(_("province"), max_length=2, default="NB")
    postal_code = models.CharField(_("postal code"), max_length=7)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    message = models.TextField(_("message for this location"), blank=True)  # bilingual
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = scoped_manager("organization")

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    @property
    def full_address(self):
        return f"{self.address}, {self.city} {self.province} {self.postal_code}"


class TeamResource(models.Model):
    """A virtual team of care givers; its slots appear in one column of the schedule."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("team name"), max_length=200)
    colour = models.CharField(_("colour"), max_length=7, default="#1f5f99")
    variable_capacity = models.BooleanField(
        _("variable capacity"),
        default=True,
        help_text=_("Choose the number of appointments per interval for each slot."),
    )
    locations = models.ManyToManyField(Location, blank=True, related_name="resources")
    services = models.ManyToManyField(Service, blank=True, related_name="resources")
    # Access accounts whose "own" schedules these are (Management #3, Consultation #2).
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="appointment_teams", verbose_name=_("members")
    )
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = scoped_manager("organization")

    class Meta:
        verbose_name = _("team resource")
        verbose_name_plural = _("team resources")
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class CommunicationKind(models.TextChoices):
    FIRST_REMINDER = "first_reminder", _("First reminder")
    SECOND_REMINDER = "second_reminder", _("Second reminder")
    ABSENCE_RELAUNCH = "absence_relaunch", _("Follow-up reminder after an absence")
    CANCELLATION_RELAUNCH = "cancellation_relaunch", _("Follow-up reminder after a cancellation")


class CommunicationRule(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("type"), max_length=32, choices=CommunicationKind.choices)
    is_active = models.BooleanField(_("active"), default=False)
    delay_hours = models.PositiveSmallIntegerField(
        _("delay (hours)"), validators=[MinValueValidator(1), MaxValueValidator(720)]
    )
    by_sms = models.BooleanField(_("SMS"), default=True)
    by_email = models.BooleanField(_("email"), default=True)

    objects = scoped_manager("organization")

    class Meta:
        verbose_name = _("automated communication")
        verbose_name_plural = _("automated communications")
        constraints = [models.UniqueConstraint(fields=["organization", "kind"], name="one_rule_per_kind")]

    def __str__(self):
        return self.get_kind_display()


class Slot(models.Model):
    """A range of time a team offers at a location: `per_interval` places every service interval."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="slots")
    resource = models.ForeignKey(TeamResource, on_delete=models.PROTECT, related_name="slots")
    services = models.ManyToManyField(Service, related_name="slots")
    starts_at = models.DateTimeField(_("start"))
    ends_at = models.DateTimeField(_("end"))
    interval_minutes = models.PositiveSmallIntegerField(_("interval (minutes)"))
    per_interval = models.PositiveSmallIntegerField(
        _("appointments per interval"), validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    # Locked (red padlock): bookable by staff only, not shown online.
    is_locked = models.BooleanField(_("locked (staff only)"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    objects = scoped_manager("organization")

    class Meta:
        verbose_name = _("slot")
        verbose_name_plural = _("slots")
        ordering = ["starts_at", "resource__position", "pk"]
        indexes = [models.Index(fields=["organization", "location", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="slot_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(per_interval__gte=1), name="slot_has_capacity"),
        ]

    def __str__(self):
        return f"{self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M}"

    @property
    def interval_count(self):
        # Real elapsed time: two datetimes of one zone subtract as wall-clock readings.
        seconds = (self.ends_at.astimezone(UTC) - self.starts_at.astimezone(UTC)).total_seconds()
        return int(seconds // 60) // self.interval_minutes

    @property
    def capacity(self):
        return self.interval_count * self.per_interval

    def interval_starts(self):
        # In UTC: on a local-time datetime `+ timedelta` is wall-clock arithmetic, which on a DST
        # day gives times that do not exist (2:15 in spring) or the same instant twice.
        step = timedelta(minutes=self.interval_minutes)
        first = self.starts_at.astimezone(UTC)
        return [first + step * index for index in range(self.interval_count)]


class SlotTime(models.Model):
    """One time of a slot and its places: `capacity` (the slot's places per interval) and `taken`
    (its booked and confirmed appointments).

    The booking inventory: a booking claims a place with one conditional UPDATE (taken + 1 where
    taken < capacity and the slot's version is the one the booking checked), a cancellation or a
    move gives it back in the same transaction as the status change, so bookings at other times of
    the same slot never wait for each other. Every change of the slot's rules (capacity, times,
    services, lock) bumps `version`: a booking checked against the old rules is refused, never
    saved against the new ones. `manage.py check_inventory` recounts from the appointments.
    """

    slot = models.ForeignKey(Slot, on_delete=models.CASCADE, related_name="times")
    starts_at = models.DateTimeField(_("time"))
    capacity = models.PositiveSmallIntegerField(_("places"))
    taken = models.PositiveSmallIntegerField(_("places taken"), default=0)
    version = models.PositiveIntegerField(default=0)

    objects = scoped_manager("slot__organization")

    class Meta:
        verbose_name = _("slot time")
        verbose_name_plural = _("slot times")
        ordering = ["slot", "starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["slot", "starts_at"], name="one_row_per_slot_time"),
            # The invariant itself, in the table: never more bookings than places.
            models.CheckConstraint(
                condition=Q(taken__lte=models.F("capacity")), name="slot_time_not_oversold"
            ),
        ]

    def __str__(self):
        return f"{self.starts_at:%Y-%m-%d %H:%M} {self.taken}/{self.capacity}"

    @property
    def left(self):
        return max(self.capacity - self.taken, 0)


class AppointmentStatus(models.TextChoices):
    """The appointment's status ("Statut RDV" in the guide's follow-up list)."""

    BOOKED = "booked", _("Booked")
    CONFIRMED = "confirmed", pgettext_lazy("appointment", "Confirmed")
    CANCELLED = "cancelled", _("Cancelled")


class Attendance(models.TextChoices):
    """The person's status ("Statut client"): set by staff on the day."""

    UNDEFINED = "undefined", _("Not defined")
    PRESENT = "present", _("Present")
    ABSENT = "absent", _("Absent")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible")


# Appointments that hold a place in their slot.
HOLDING_STATUSES = (AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED)


def person_key(first_name, last_name, date_of_birth=None, email="", mobile_phone=""):
    """The same person, as far as booking rules go: names without case or extra spaces, and the date
    of birth (or, when the service does not ask it, the email or mobile phone). Empty when there is
    nothing but names to go by: the one-appointment rule then does not apply."""
    identity = (
        str(date_of_birth or "")
        or (email or "").strip().casefold()
        or "".join(char for char in (mobile_phone or "") if char.isdigit())
    )
    if not identity:
        return ""
    return "|".join(
        [" ".join(first_name.casefold().split()), " ".join(last_name.casefold().split()), identity]
    )[:300]


class Appointment(models.Model):
    """A booked place at one interval of a slot."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="appointments")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="appointments")
    starts_at = models.DateTimeField(_("time"))
    number = models.CharField(_("confirmation number"), max_length=12, unique=True)
    # Secret of the confirm and cancel links sent by email and SMS.
    token = models.CharField(max_length=64, unique=True, null=True, blank=True)
    status = models.CharField(
        _("appointment status"),
        max_length=20,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.BOOKED,
    )
    attendance = models.CharField(
        _("person's status"), max_length=20, choices=Attendance.choices, default=Attendance.UNDEFINED
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    email = models.EmailField(_("email"), blank=True)
    mobile_phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    details = models.JSONField(_("other details"), default=dict, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    person_key = models.CharField(max_length=300, db_index=True, default="")
    for_someone_else = models.BooleanField(_("booked for someone else"), default=False)
    send_email = models.BooleanField(_("send the coupon by email"), default=False)
    send_sms = models.BooleanField(_("send the coupon by SMS"), default=False)
    language = models.CharField(_("language"), max_length=2, default="fr")
    booked_online = models.BooleanField(_("booked online"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    attendance_at = models.DateTimeField(null=True, blank=True)
    # Automated communications: when each went out (never twice), and the counts the list shows.
    first_reminder_at = models.DateTimeField(null=True, blank=True)
    second_reminder_at = models.DateTimeField(null=True, blank=True)
    relaunch_at = models.DateTimeField(null=True, blank=True)
    reminders = models.PositiveSmallIntegerField(_("reminders"), default=0)
    relaunches = models.PositiveSmallIntegerField(_("follow-up reminders"), default=0)

    objects = scoped_manager("organization")

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["slot", "status"]),
            models.Index(fields=["organization", "starts_at"]),
            # The person rule's look-up (booking.services.active_duplicate): the holding ones only.
            models.Index(
                fields=["service", "person_key", "starts_at"],
                condition=Q(status__in=["booked", "confirmed"]),
                name="appointment_person_holding",
            ),
        ]
        # One person holds one upcoming appointment per service: services.book_place checks it
        # under a transaction-scoped advisory lock per (application, service, person), never under
        # the slot's lock (a past appointment never blocks, which "now" in an index cannot say, so no
        # partial unique constraint).

    def __str__(self):
        return self.number

    @property
    def is_active(self):
        return self.status in HOLDING_STATUSES

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.slot.interval_minutes)

    @property
    def person_comment(self) -> str:
        """The comment the person typed booking online (kept with their details)."""
        return str((self.details or {}).get(PersonalField.COMMENT) or "").strip()

    @property
    def comments(self) -> str:
        """What staff read under "Comment": the person's own comment (booking online), then the
        one staff typed, one a line."""
        return "\n".join(text for text in (self.person_comment, self.comment.strip()) if text)


class AppointmentEvent(HistoryEntry):
    """The appointment's history: every status change and communication, who and when (the one
    history shape, portal.models.HistoryEntry: a status change also says old → new)."""

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="events")

    objects = scoped_manager("appointment__organization")

    class Meta(HistoryEntry.Meta):
        pass

    def __str__(self):
        return self.action

    @property
    def label(self):
        labels = {
            "booked": _("Booked"),
            "confirmed": pgettext_lazy("appointment", "Confirmed"),
            "cancelled": _("Cancelled"),
            "changed": _("Changed"),
            "relaunch": _("Follow-up reminder sent"),
            "reminder:first": _("First reminder sent"),
            "reminder:second": _("Second reminder sent"),
            "reminder:manual": _("Reminder sent"),
        }
        if self.action.startswith("attendance:"):
            return _("Person's status: %(status)s") % {
                "status": Attendance(self.action.split(":", 1)[1]).label
            }
        return labels.get(self.action, self.action)


class ListPreference(models.Model):
    """The follow-up list's columns each person chose (guide 6.1), remembered."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    columns = models.JSONField(default=list)

    def __str__(self):
        return str(self.user_id)


class WaitlistStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    OFFERED = "offered", _("Offered")
    BOOKED = "booked", pgettext_lazy("waitlist", "Booked")
    EXPIRED = "expired", _("Expired")
    LEFT = "left", _("Left the list")


# The entries still on a service's list: one per person (email or mobile) and service.
WAITLIST_ACTIVE = (WaitlistStatus.WAITING, WaitlistStatus.OFFERED)


def waitlist_contact_key(email="", mobile_phone=""):
    """The same person on a waitlist: the email without case, else the mobile's digits."""
    return (email or "").strip().casefold() or "".join(
        char for char in (mobile_phone or "") if char.isdigit()
    )


class WaitlistEntry(models.Model):
    """A person waiting for a place of a service in an area (issue 20): offered places in order of
    sign-up (`created_at`, then `pk`) when places open."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="waitlist")
    email = models.EmailField(_("email"), blank=True)
    mobile_phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    contact_key = models.CharField(max_length=254)
    language = models.CharField(_("language"), max_length=5, default="fr")
    # The postal code's first three characters (forward sortation area), upper case.
    area = models.CharField(_("area"), max_length=3)
    status = models.CharField(
        _("status"), max_length=10, choices=WaitlistStatus.choices, default=WaitlistStatus.WAITING
    )
    created_at = models.DateTimeField(_("signed up"))
    offered_time = models.ForeignKey(
        SlotTime, on_delete=models.SET_NULL, related_name="+", null=True, blank=True
    )
    offer_expires_at = models.DateTimeField(_("offered until"), null=True, blank=True)
    appointment = models.ForeignKey(
        Appointment, on_delete=models.SET_NULL, related_name="+", null=True, blank=True
    )
    left_at = models.DateTimeField(null=True, blank=True)

    objects = scoped_manager("organization")

    class Meta:
        verbose_name = _("waitlist entry")
        verbose_name_plural = _("waitlist entries")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["service", "status", "area", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "contact_key"],
                condition=Q(status__in=["waiting", "offered"]),
                name="one_waitlist_entry_per_person",
            ),
            models.CheckConstraint(condition=~Q(contact_key=""), name="waitlist_entry_has_contact"),
        ]

    def __str__(self):
        return f"{self.service_id} {self.area} {self.status}"
