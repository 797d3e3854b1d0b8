from django.contrib import admin

from orders.models import (
    ChangeCategory,
    MonthlyConfirmation,
    Order,
    OrderSummary,
    ReportOption,
    ServiceCentre,
    ServiceReport,
    ServiceType,
    SummaryEvent,
    Zone,
)
from portal.admin import HistoryInline, ReadOnlyAdmin, ReferenceAdmin


@admin.register(ServiceType)
class ServiceTypeAdmin(ReferenceAdmin):
    list_display = (
        "name",
        "code",
        "auto_activate",
        "allows_incident",
        "allows_observation",
        "is_active",
        "position",
    )


admin.site.register(Zone, ReferenceAdmin)
admin.site.register(ServiceCentre, ReferenceAdmin)
admin.site.register(ChangeCategory, ReferenceAdmin)


@admin.register(ReportOption)
class ReportOptionAdmin(ReferenceAdmin):
    list_display = ("name", "list_name", "category", "is_active", "position")
    list_filter = ("list_name", "category")


class OrderInline(admin.TabularInline):
    model = Order
    extra = 0
    can_delete = False
    fields = ("number", "effective_date", "status", "order_type", "per", "base_units", "base_rate")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class EventInline(HistoryInline):
    model = SummaryEvent
    event_template = "orders/includes/event.html"  # the action in words, as on the summary's page


@admin.register(OrderSummary)
class OrderSummaryAdmin(ReadOnlyAdmin):
    list_display = (
        "number",
        "client_name",
        "status",
        "provider",
        "department",
        "service",
        "start_date",
        "end_date",
    )
    list_filter = ("status", "service", "zone")
    search_fields = ("number", "client_name_search")
    list_select_related = ("provider", "department", "service")
    inlines = [OrderInline, EventInline]


@admin.register(ServiceReport)
class ServiceReportAdmin(ReadOnlyAdmin):
    list_display = ("number", "kind", "summary", "created_at", "acknowledged_at")
    list_filter = ("kind",)
    search_fields = ("number", "summary__number")
    list_select_related = ("summary",)


@admin.register(MonthlyConfirmation)
class MonthlyConfirmationAdmin(ReadOnlyAdmin):
    list_display = ("order", "month", "units_delivered", "km_delivered", "created_at")
    list_select_related = ("order",)
