"""The scheduler's lists as django-tables2 tables (rendered by portal/table.html, like the other
portals), and the follow-up export built from the follow-up table (portal.exports.from_table): a
column is declared once, here.

The lists keep the order their selectors give (they have no sort links), and each has a caption for
screen readers (appointments/includes/table.html).
"""

from typing import Any

import django_tables2 as tables
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from appointments.models import (
    Appointment,
    AppointmentStatus,
    Location,
    PersonalField,
    Service,
    TeamResource,
)

TABLE_TEMPLATE = "appointments/includes/table.html"
BUTTON_ROW = {"td": {"class": "button-row"}}


def _cell(template: str, **kwargs: Any) -> tables.TemplateColumn:
    """A column whose cell is a small template (links and forms that carry their own wording).

    Every column names an accessor the record has: a failed lookup formats the record's repr,
    which may query (a membership's organization), once per row."""
    kwargs.setdefault("orderable", False)
    kwargs.setdefault("exclude_from_export", True)
    return tables.TemplateColumn(template_name=f"appointments/includes/{template}", **kwargs)


class HiddenHeaderColumn(tables.TemplateColumn):
    """A column whose heading is for screen readers only (the row checkboxes)."""

    @property
    def header(self) -> Any:
        return format_html('<span class="visually-hidden">{}</span>', self.verbose_name)


class CaptionedTable(tables.Table):
    """A scheduler list: its caption (for screen readers unless caption_visible) also names the
    scrolling region around it (portal/table.html reads verbose_name)."""

    caption: Any = ""
    caption_visible = False

    @property
    def verbose_name(self) -> Any:
        return self.caption


def _data(verbose_name: Any, **kwargs: Any) -> tables.Column:
    """A data column: its cell is always the table's render_<name> (an empty value stays empty, as
    the pages and files have always shown it, rather than django-tables2's dash)."""
    return tables.Column(verbose_name=verbose_name, empty_values=(), **kwargs)


# Follow-up (guide 6.1) ------------------------------------------------------------------------------------

# The columns a person may choose for the follow-up list, in the table's order (ColumnsForm).
CHOOSABLE_COLUMNS = (
    "date",
    "time",
    "service",
    "location",
    "resource",
    "name",
    "date_of_birth",
    "phone",
    "email",
    "number",
    "reminders",
    "relaunches",
    "attendance",
    "status",
    "comment",
)


# The personal details a service may ask (PersonalField) that the list has no column of: in the Excel
# file only, when the person ticks them in the export's column chooser (appointments.exports).
DETAIL_COLUMNS = {
    "detail_gender": PersonalField.GENDER,
    "detail_health_card_number": PersonalField.HEALTH_CARD,
    "detail_phone": PersonalField.PHONE,
    "detail_address": PersonalField.ADDRESS,
    "detail_postal_code": PersonalField.POSTAL_CODE,
    "detail_parent_name": PersonalField.PARENT_NAME,
}
# The booking form's gender choices (appointments.booking.forms), in words in the file.
GENDERS = {"woman": _("Woman"), "man": _("Man"), "other": _("Another gender")}


def follow_up_columns() -> list[tuple[str, Any]]:
    """The column chooser's choices (code, heading), in the table's order."""
    return [(name, FollowUpTable.base_columns[name].verbose_name) for name in CHOOSABLE_COLUMNS]


class FollowUpTable(CaptionedTable):
    """The follow-up list: the columns the person chose (ListPreference), a checkbox per row for the
    batch actions when the role books, and the appointment's link.

    The Excel export is the same table (appointments.exports.follow_up_rows): the page's combined
    name is two columns in the file (first_name and last_name, visible=False), counts are numbers
    and dates are dates there (value_<column>)."""

    select = HiddenHeaderColumn(
        template_name="appointments/includes/follow_up_select_cell.html",
        verbose_name=_("Select"),
        accessor="pk",
        orderable=False,
        exclude_from_export=True,
    )
    actions = _cell("follow_up_actions_cell.html", verbose_name=_("Actions"), accessor="pk")
    date = _data(_("Date"), accessor="starts_at")
    time = _data(_("Time"), accessor="starts_at")
    service = _data(_("Service"), accessor="service__name")
    location = _data(_("Location"), accessor="slot__location__name")
    resource = _data(_("Team resource"), accessor="slot__resource__name")
    name = _data(_("Name"), accessor="last_name", exclude_from_export=True)
    first_name = _data(_("First name"), visible=False)
    last_name = _data(_("Last name"), visible=False)
    date_of_birth = _data(_("Date of birth"))
    phone = _data(_("Mobile phone"), accessor="mobile_phone")
    email = _data(_("Email"))
    number = _data(_("Confirmation number"))
    reminders = _data(_("Reminder"))
    relaunches = _data(_("Follow-up reminders"))
    attendance = _data(_("Person's status"))
    status = _data(_("Appointment status"))
    # The person's comment (typed booking online) and staff's, one a line.
    comment = _data(_("Comment"), attrs={"td": {"class": "prewrap"}})
    # The file's personal details (DETAIL_COLUMNS), read from the appointment's details.
    detail_gender = _data(PersonalField.GENDER.label, accessor="details", visible=False)
    detail_health_card_number = _data(PersonalField.HEALTH_CARD.label, accessor="details", visible=False)
    detail_phone = _data(PersonalField.PHONE.label, accessor="details", visible=False)
    detail_address = _data(PersonalField.ADDRESS.label, accessor="details", visible=False)
    detail_postal_code = _data(PersonalField.POSTAL_CODE.label, accessor="details", visible=False)
    detail_parent_name = _data(PersonalField.PARENT_NAME.label, accessor="details", visible=False)

    class Meta:
        model = Appointment
        fields = ()
        orderable = False
        template_name = TABLE_TEMPLATE
        attrs = {"class": "follow-up"}
        row_attrs = {
            "class": lambda record: "row--cancelled" if record.status == AppointmentStatus.CANCELLED else None
        }
        empty_text = _("No appointment matches.")

    caption = _("Appointments")

    @classmethod
    def for_person(
        cls, rows: Any, *, columns: list[str], can_book: bool, printing: bool = False
    ) -> "FollowUpTable":
        """The list with the person's columns, in their order; the checkboxes only for a role that
        books, and neither checkboxes nor links on paper."""
        leading = [] if printing else (["select", "actions"] if can_book else ["actions"])
        shown = leading + list(columns)
        return cls(
            rows, sequence=[*shown, "..."], exclude=[name for name in cls.base_columns if name not in shown]
        )

    # The page's cells (text: escaped by the template) ------------------------------------------------

    def render_date(self, record: Appointment) -> str:
        return f"{timezone.localtime(record.starts_at):%Y-%m-%d}"

    def render_time(self, record: Appointment) -> str:
        return f"{timezone.localtime(record.starts_at):%H:%M}"

    def render_service(self, record: Appointment) -> str:
        return record.service.name

    def render_location(self, record: Appointment) -> str:
        return record.slot.location.name

    def render_resource(self, record: Appointment) -> str:
        return record.slot.resource.name

    def render_name(self, record: Appointment) -> str:
        return f"{record.first_name} {record.last_name}"

    def render_first_name(self, record: Appointment) -> str:
        return record.first_name

    def render_last_name(self, record: Appointment) -> str:
        return record.last_name

    def render_date_of_birth(self, record: Appointment) -> str:
        return f"{record.date_of_birth:%Y-%m-%d}" if record.date_of_birth else ""

    def render_phone(self, record: Appointment) -> str:
        return record.mobile_phone

    def render_email(self, record: Appointment) -> str:
        return record.email

    def render_number(self, record: Appointment) -> str:
        return record.number

    def render_reminders(self, record: Appointment) -> str:
        return gettext("Reminder (%(count)s)") % {"count": record.reminders}

    def render_relaunches(self, record: Appointment) -> str:
        return gettext("Follow-up reminders (%(count)s)") % {"count": record.relaunches}

    def render_attendance(self, record: Appointment) -> str:
        return record.get_attendance_display()

    def render_status(self, record: Appointment) -> str:
        return record.get_status_display()

    def render_comment(self, record: Appointment) -> str:
        return record.comments

    def _detail(self, record: Appointment, code: str) -> str:
        value = (record.details or {}).get(code)
        if code == PersonalField.GENDER and value in GENDERS:
            return str(GENDERS[value])
        return "" if value is None else str(value)

    def render_detail_gender(self, record: Appointment) -> str:
        return self._detail(record, PersonalField.GENDER)

    def render_detail_health_card_number(self, record: Appointment) -> str:
        return self._detail(record, PersonalField.HEALTH_CARD)

    def render_detail_phone(self, record: Appointment) -> str:
        return self._detail(record, PersonalField.PHONE)

    def render_detail_address(self, record: Appointment) -> str:
        return self._detail(record, PersonalField.ADDRESS)

    def render_detail_postal_code(self, record: Appointment) -> str:
        return self._detail(record, PersonalField.POSTAL_CODE)

    def render_detail_parent_name(self, record: Appointment) -> str:
        return self._detail(record, PersonalField.PARENT_NAME)

    # The export's cells: real dates and numbers where the page shows words -------------------------

    def value_date(self, record: Appointment) -> Any:
        return timezone.localtime(record.starts_at).date()

    def value_date_of_birth(self, record: Appointment) -> Any:
        return record.date_of_birth

    def value_reminders(self, record: Appointment) -> int:
        return record.reminders

    def value_relaunches(self, record: Appointment) -> int:
        return record.relaunches


# Configuration (Pilot) ------------------------------------------------------------------------------------


def _active(active: bool) -> str:
    return gettext("Active") if active else gettext("Inactive")


class ServiceTable(CaptionedTable):
    position = tables.Column(verbose_name=pgettext_lazy("position", "Order"))
    is_active = _data(_("Active"))
    name = _data(_("Name"), linkify=("appointments:service_edit", [tables.A("pk")]))
    campaign = _data(_("Campaign and dose"))
    duration = _data(_("Duration"), accessor="duration_minutes")
    questions = _data(_("Eligibility questions"))
    attachment = _cell("service_attachment_cell.html", verbose_name=_("Attachment"))

    class Meta:
        model = Service
        fields = ()
        orderable = False
        template_name = TABLE_TEMPLATE
        empty_text = _("No service yet: add the services people will book.")

    caption = _("Services")

    def render_is_active(self, record: Service) -> str:
        return _active(record.is_active)

    def render_name(self, record: Service) -> str:
        return record.name

    def render_campaign(self, record: Service) -> str:
        text = record.campaign or "—"
        return text if record.dose == "single" else f"{text} · {record.get_dose_display()}"

    def render_duration(self, record: Service) -> str:
        return gettext("%(minutes)s min") % {"minutes": localize(record.duration_minutes)}

    def render_questions(self, record: Service) -> Any:
        # Prefetched by the view: counted in Python, no query per row.
        return len(record.questions.all())


class LocationTable(CaptionedTable):
    position = tables.Column(verbose_name=pgettext_lazy("position", "Order"))
    is_active = _data(_("Active"))
    name = _data(_("Name"), linkify=("appointments:location_edit", [tables.A("pk")]))
    address = _data(_("Address"), accessor="full_address")
    coordinates = _data(_("Coordinates"), accessor="latitude")

    class Meta:
        model = Location
        fields = ()
        orderable = False
        template_name = TABLE_TEMPLATE
        empty_text = _("No location yet.")

    caption = _("Locations")

    def render_is_active(self, record: Location) -> str:
        return _active(record.is_active)

    def render_name(self, record: Location) -> str:
        return record.name

    def render_address(self, record: Location) -> str:
        return record.full_address

    def render_coordinates(self, record: Location) -> str:
        def coordinate(value: Any) -> str:
            return localize(value) if value else "—"

        return f"{coordinate(record.latitude)}, {coordinate(record.longitude)}"


class TeamTable(CaptionedTable):
    position = tables.Column(verbose_name=pgettext_lazy("position", "Order"))
    name = _cell("team_name_cell.html", verbose_name=_("Name"), exclude_from_export=False)
    capacity = _data(_("Capacity"), accessor="variable_capacity")
    locations = _data(_("Associated locations"))
    services = _data(_("Associated services"))
    actions = _cell("team_actions_cell.html", verbose_name=_("Actions"), accessor="pk", attrs=BUTTON_ROW)

    class Meta:
        model = TeamResource
        fields = ()
        orderable = False
        template_name = TABLE_TEMPLATE
        empty_text = _("No team yet: create at least two teams per location.")

    caption = _("Team resources")

    def render_capacity(self, record: TeamResource) -> str:
        return gettext("Variable") if record.variable_capacity else gettext("Fixed")

    def _names(self, items: Any) -> Any:
        names = ", ".join(item.name for item in items)
        return names or format_html("<strong>{}</strong>", gettext("None"))

    def render_locations(self, record: TeamResource) -> Any:
        return self._names(record.locations.all())

    def render_services(self, record: TeamResource) -> Any:
        return self._names(record.services.all())


# Access accounts and roles --------------------------------------------------------------------------------


class AccountTable(CaptionedTable):
    """Rows are {"account": user, "roles": [role rows]} (appointments.accounts.views._role_row)."""

    name = _data(_("Name"), accessor="account")
    email = _data(_("Email"), accessor="account__email")
    roles = _cell("account_roles_cell.html", verbose_name=_("Roles"))
    actions = _cell(
        "account_actions_cell.html", verbose_name=_("Actions"), accessor="account", attrs=BUTTON_ROW
    )

    class Meta:
        orderable = False
        template_name = TABLE_TEMPLATE
        empty_text = _("No access account matches.")

    caption = _("Access accounts")

    def render_name(self, record: dict[str, Any]) -> str:
        return record["account"].get_full_name() or record["account"].email

    def render_email(self, record: dict[str, Any]) -> str:
        return record["account"].email


class EndedAccountTable(AccountTable):
    """The accounts whose every role here has ended: their roles page reopens them."""

    class Meta(AccountTable.Meta):
        empty_text = _("No ended access.")

    caption = _("Ended access")


class RoleTable(CaptionedTable):
    """A person's roles here (guide 2.4); rows from appointments.accounts.views._role_row. The
    caption, shown, is the sector (the organization)."""

    role = _cell("role_label_cell.html", verbose_name=_("Role"), accessor="label", exclude_from_export=False)
    sector = _data(_("Sector"), accessor="membership")
    location = _data(_("Location"))
    valid_from = _data(_("Effective start date"), accessor="membership__valid_from")
    valid_to = _data(_("Effective end date"), accessor="membership__valid_to")
    actions = _cell(
        "role_actions_cell.html", verbose_name=_("Actions"), accessor="membership", attrs=BUTTON_ROW
    )

    class Meta:
        orderable = False
        template_name = TABLE_TEMPLATE
        empty_text = ""

    caption_visible = True

    def __init__(self, data: Any, *, organization: Any, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.caption = str(organization)

    def render_sector(self, record: dict[str, Any]) -> str:
        return self.caption

    def render_location(self, record: dict[str, Any]) -> str:
        return record["location"]

    def render_valid_from(self, record: dict[str, Any]) -> str:
        return _short_date(record["membership"].valid_from)

    def render_valid_to(self, record: dict[str, Any]) -> str:
        return _short_date(record["membership"].valid_to) or "—"


def _short_date(value: Any) -> str:
    from django.template.defaultfilters import date as date_filter

    return date_filter(value, "SHORT_DATE_FORMAT") if value else ""
