from auditlog.admin import LogEntryAdmin
from auditlog.filters import CIDFilter, ResourceTypeFilter
from auditlog.models import LogEntry
from django.contrib import admin
from django.contrib.admin import BooleanFieldListFilter, DateFieldListFilter, SimpleListFilter
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.template.loader import render_to_string
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice
from modeltranslation.admin import TranslationAdmin

from portal.models import Membership, Message, Notification, Organization, SignInAlert, Task, User

# The admin site is the platform staff's alone (Django's rule: active and staff). Department
# administrators read their organization's audit trail on the portal's audit page
# (portal:audit_log), never auditlog's raw list of every organization's entries.


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never changed here: the rules live in services (limits, history, notices).

    Memberships change on the portals' screens (the three-pilot limit, one's own pilot role),
    tasks and notifications through portal.services, registrations through their approval.
    """

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class HistoryInline(admin.TabularInline):
    """A record's history rows (portal.models.HistoryEntry) on its admin page, read-only, with the
    action in words in the active language (issue 18: the admin in French), not its code."""

    extra = 0
    can_delete = False
    fields = ("at", "actor", "action_label", "from_status", "to_status", "note")
    readonly_fields = fields
    # The app's sentence for one row, as the record's own page shows it (rendered with {"event": row});
    # without one, the label of the workflow transition that wrote the row (portal.workflow).
    event_template: str = ""
    # The row's foreign key to its record (to find the record's workflow).
    record_field: str = ""

    @admin.display(description=_("action"))
    def action_label(self, obj):
        if self.event_template:
            return render_to_string(self.event_template, {"event": obj}).strip()
        return history_action_label(obj, getattr(obj, self.record_field, None) if self.record_field else None)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def history_action_label(event, record):
    """The label of the transition that wrote this history row, else its code."""
    from portal.workflow import workflow_for

    workflow = workflow_for(record) if record is not None else None
    for transition in workflow.transitions if workflow is not None else ():
        if transition.action == event.action:
            return str(transition.label)
    return event.action


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    can_delete = False
    fields = ("organization", "role", "valid_from", "valid_to", "scope")
    readonly_fields = fields

    # Read-only for the same reason as MembershipAdmin.
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "preferred_language", "is_active", "is_staff")
    list_filter = ("is_active", "is_staff", "preferred_language")
    search_fields = ("email", "first_name", "last_name")
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("first_name", "last_name", "phone", "preferred_language")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(Organization)
class OrganizationAdmin(TranslationAdmin):
    list_display = ("name", "kind", "contact_email", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name_fr", "name_en", "contact_email")


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ("user", "organization", "role", "valid_from", "valid_to")
    list_filter = ("role", "organization__kind")
    search_fields = ("user__email", "user__last_name", "organization__name_fr", "organization__name_en")
    list_select_related = ("user", "organization")


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin, TranslationAdmin):
    list_display = ("title", "assignee", "due_date", "done_at")
    list_filter = ("done_at",)
    search_fields = ("title_fr", "title_en", "assignee__email")


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin, TranslationAdmin):
    list_display = ("title", "recipient", "due_date", "read_at")
    search_fields = ("title_fr", "title_en", "recipient__email")


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("created_at", "channel", "to_address", "subject", "status", "attempts")
    list_filter = ("channel", "status")
    search_fields = ("key", "to_address", "subject")
    # The context may hold a secret link until the message is sent: never shown.
    exclude = ("context",)
    readonly_fields = [field.name for field in Message._meta.fields if field.name != "context"]

    def has_add_permission(self, request):
        return False


class ReferenceAdmin(TranslationAdmin):
    """The admin of every portal's bilingual reference lists (portal.models.ReferenceData)."""

    list_display = ("name", "code", "is_active", "position")
    list_editable = ("is_active", "position")
    search_fields = ("name_fr", "name_en", "code")


@admin.register(SignInAlert)
class SignInAlertAdmin(ReadOnlyAdmin):
    """Addresses blocked for failing sign-ins across accounts (portal.auth.AddressLimitHandler)."""

    list_display = ("created_at", "ip_address", "failures", "accounts", "blocked_until")
    search_fields = ("ip_address",)
    date_hierarchy = "created_at"

    def has_view_permission(self, request, obj=None):
        return request.user.is_staff and super().has_view_permission(request, obj)


# The audit log and the second factor, in the active language (issue 18) ------------------------
#
# django-auditlog and django-otp ship no French for these screens (and django-otp none at all for
# its devices): their admin classes are kept, with the headings, actions and names said here.

# Third-party names wrapped in gettext upstream, listed so that our catalogue carries their French.
THIRD_PARTY_NAMES = (
    _("Audit log"),
    _("log entry"),
    _("log entries"),
    _("Correlation ID"),
    # An entry's name (the change page's title), and its action where Django shows the choice.
    _("Created {repr:s}"),
    _("Updated {repr:s}"),
    _("Deleted {repr:s}"),
    _("Logged {repr:s}"),
    _("create"),
    _("update"),
    _("delete"),
    _("access"),
)


class AuditActionFilter(SimpleListFilter):
    title = _("Action")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        from portal.filters import ACTIONS

        return [(str(value), label) for value, label in ACTIONS]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(action=int(value)) if value and value.isdigit() else queryset


class AuditRecordTypeFilter(ResourceTypeFilter):
    title = _("Record type")


class AuditCorrelationFilter(CIDFilter):
    title = _("Correlation ID")


admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class AuditEntryAdmin(LogEntryAdmin):
    list_display = ["created", "resource_url", "action_label", "msg_short", "user_url", "cid_url"]
    list_filter = [AuditActionFilter, AuditRecordTypeFilter, AuditCorrelationFilter]
    readonly_fields = ["created", "resource_url", "action_label", "user_url", "msg", "cid_url"]
    fieldsets = [
        (None, {"fields": ["created", "user_url", "resource_url", "cid_url"]}),
        (_("Changes"), {"fields": ["action_label", "msg"]}),
    ]

    @admin.display(description=_("When"))
    def created(self, obj):
        return super().created(obj)

    @admin.display(description=_("Who"))
    def user_url(self, obj):
        if obj.actor is None:
            return obj.actor_email or gettext("System or public page")
        return super().user_url(obj)

    @admin.display(description=pgettext_lazy("audit entry", "Record"))
    def resource_url(self, obj):
        return super().resource_url(obj)

    @admin.display(description=_("Action"))
    def action_label(self, obj):
        from portal.filters import ACTION_LABELS

        return ACTION_LABELS.get(obj.action, obj.action)

    @admin.display(description=_("Changes"))
    def msg_short(self, obj):
        from portal.audit import readable_changes

        return ", ".join(label for label, _old, _new in readable_changes(obj)) or "—"

    @admin.display(description=_("Changes"))
    def msg(self, obj):
        from portal.audit import readable_changes

        changes = readable_changes(obj)
        if not changes:
            return "—"
        items = format_html_join(
            "",
            "<li>{}</li>",
            (
                (gettext("%(field)s: %(old)s → %(new)s") % {"field": label, "old": old, "new": new},)
                for label, old, new in changes
            ),
        )
        return format_html('<ul class="audit-changes">{}</ul>', items)

    @admin.display(description=_("Correlation ID"))
    def cid_url(self, obj):
        return super().cid_url(obj)


# The names the enrolment gives the devices (portal.accounts.services), said in the active language.
DEVICE_NAMES = {"Authenticator": _("Authenticator app"), "Backup codes": _("Backup codes")}


def device_name(device):
    return DEVICE_NAMES.get(device.name, device.name)


def _titled(base, title):
    """A list filter of django-otp's (whose fields' names are not translated) under our title."""

    class Titled(base):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.title = title

    return Titled


class DeviceAdminMixin:
    """django-otp's device admin, with its headings in the active language."""

    @admin.display(description=_("person"), ordering="user")
    def device_user(self, obj):
        return obj.user

    @admin.display(description=_("name"), ordering="name")
    def device_name(self, obj):
        return device_name(obj)

    @admin.display(description=_("created"), ordering="created_at")
    def device_created(self, obj):
        return obj.created_at

    @admin.display(description=_("last used"), ordering="last_used_at")
    def device_last_used(self, obj):
        return obj.last_used_at

    @admin.display(description=_("confirmed"), boolean=True, ordering="confirmed")
    def device_confirmed(self, obj):
        return obj.confirmed

    list_filter = [
        ("created_at", _titled(DateFieldListFilter, _("created"))),
        ("last_used_at", _titled(DateFieldListFilter, _("last used"))),
        ("confirmed", _titled(BooleanFieldListFilter, _("confirmed"))),
    ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        labels = {
            "user": _("person"),
            "name": _("name"),
            "confirmed": _("confirmed"),
            # The authenticator's technical fields (issue 18: shown in English until now).
            "key": _("secret key"),
            "step": _("time step (seconds)"),
            "t0": _("start time (t0)"),
            "digits": _("number of digits"),
            "tolerance": _("tolerance"),
            "drift": _("drift"),
            "last_t": _("last time step used"),
            "throttling_failure_timestamp": _("last failed attempt"),
            "throttling_failure_count": _("failed attempts"),
        }
        for name, label in labels.items():
            if name in form.base_fields:
                form.base_fields[name].label = capfirst(label)
        return form

    # Their dates, shown read-only, under our headings.
    READ_ONLY = {"created_at": "device_created", "last_used_at": "device_last_used"}

    def get_readonly_fields(self, request, obj=None):
        return [self.READ_ONLY.get(name, name) for name in super().get_readonly_fields(request, obj)]

    def get_list_display(self, request):
        names = {
            "user": "device_user",
            "name": "device_name",
            "created_at": "device_created",
            "last_used_at": "device_last_used",
            "confirmed": "device_confirmed",
        }
        return [names.get(name, name) for name in super().get_list_display(request)]

    def get_fieldsets(self, request, obj=None):
        titles = {
            "Identity": _("Identity"),
            "Timestamps": _("Timestamps"),
            "Configuration": _("Configuration"),
            "State": _("State"),
            "Throttling": _("Throttling"),
        }
        return [
            (
                titles.get(title, title),
                {**options, "fields": [self.READ_ONLY.get(f, f) for f in options["fields"]]},
            )
            for title, options in super().get_fieldsets(request, obj)
        ]


admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)


@admin.register(TOTPDevice)
class AuthenticatorAdmin(DeviceAdminMixin, TOTPDeviceAdmin):
    pass


@admin.register(StaticDevice)
class BackupCodesAdmin(DeviceAdminMixin, StaticDeviceAdmin):
    pass
