from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Service orders")

    def ready(self):
        from orders import roles  # noqa: F401  (registers the app's roles with the portal)
