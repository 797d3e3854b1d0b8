from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Service orders")

    def ready(self):
        from orders import roles  # noqa: F401  (registers the app's roles and tiles with the portal)
        from orders.models import MonthlyConfirmation, Order, OrderSummary, ReportMessage, ServiceReport
        from portal import audit, outbound

        # Audited, each with the organizations its entries belong to (portal.audit).
        audit.register(OrderSummary, "department", "provider", exclude_fields=["client_name_search"])
        audit.register(Order, "summary__department", "summary__provider")
        audit.register(ServiceReport, "summary__department", "summary__provider")
        audit.register(MonthlyConfirmation, "order__summary__department", "order__summary__provider")
        audit.register(ReportMessage, "report__summary__department", "report__summary__provider")
        # What a worker may call by a dotted path stored in an export (portal.outbound).
        outbound.allow("orders.exports.dashboard_block")
