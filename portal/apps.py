from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self):
        from auditlog.registry import auditlog

        from portal import roles  # noqa: F401  (the portal's own roles and tiles)
        from portal.models import Membership, Organization, User

        auditlog.register(User, exclude_fields=["password", "last_login"])
        auditlog.register(Organization)
        auditlog.register(Membership)
