from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
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
