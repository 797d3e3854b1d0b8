from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Service orders")

    def ready(self):
        from auditlog.registry import auditlog

        from orders import roles  # noqa: F401  (registers the app's roles and tiles with the portal)
        from orders.models import MonthlyConfirmation, Order, OrderSummary, ServiceReport
        from portal import outbound

        auditlog.register(OrderSummary, exclude_fields=["client_name_search"])
        auditlog.register(Order)
        auditlog.register(ServiceReport)
        auditlog.register(MonthlyConfirmation)
        # What a worker may call by a dotted path stored in an export (portal.outbound).
        outbound.allow("orders.exports.dashboard_block")
