from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InterpretersConfig(AppConfig):
    name = "interpreters"
    verbose_name = _("Interpreter bank")

    def ready(self):
        from interpreters import roles  # noqa: F401  (registers the app's roles with the portal)
