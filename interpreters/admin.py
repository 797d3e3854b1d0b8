"""The bank's reference data and records in the admin site (staff only, second factor required)."""

from django.contrib import admin

from interpreters.models import (
    CostCentre,
    InterpreterProfile,
    Language,
    Rate,
    Registration,
    Request,
    ServedEstablishment,
    ServiceType,
    Statement,
)
from portal.admin import ReadOnlyAdmin, ReferenceAdmin

admin.site.register(Language, ReferenceAdmin)
admin.site.register(ServiceType, ReferenceAdmin)


@admin.register(CostCentre)
class CostCentreAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "establishment", "is_active")
    list_filter = ("establishment", "is_active")
    search_fields = ("code", "name")


@admin.register(ServedEstablishment)
class ServedEstablishmentAdmin(admin.ModelAdmin):
    """Which bank serves an establishment: its requests and sign-ups go to that bank."""

    list_display = ("establishment", "bank")
    list_filter = ("bank",)


@admin.register(InterpreterProfile)
class InterpreterProfileAdmin(admin.ModelAdmin):
    list_display = ("__str__", "bank", "home_postal_code", "accreditation", "is_active")
    list_filter = ("bank", "accreditation", "is_active", "languages")
    search_fields = ("user__last_name", "user__email")


@admin.register(Rate)
class RateAdmin(admin.ModelAdmin):
    list_display = (
        "bank",
        "modality",
        "hourly_rate",
        "hourly_pay",
        "minimum_minutes",
        "travel_rate",
        "late_cancellation_hours",
    )


@admin.register(Registration)
class RegistrationAdmin(ReadOnlyAdmin):
    """Approved or refused on the coordinators' screens (the service creates the account)."""

    list_display = ("email", "establishment", "bank", "status", "created_at")
    list_filter = ("status", "bank")


@admin.register(Request)
class RequestAdmin(admin.ModelAdmin):
    """Read-only: every change goes through the screens (one function per status change)."""

    list_display = ("number", "starts_at", "establishment", "bank", "language", "status", "interpreter")
    list_filter = ("status", "modality", "bank", "establishment")
    search_fields = ("number",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Statement)
class StatementAdmin(RequestAdmin):
    list_display = ("number", "bank", "kind", "month", "total", "issued_at")
    list_filter = ("kind", "bank")
