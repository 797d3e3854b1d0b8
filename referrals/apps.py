from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = _("Employment case management")

    def ready(self):
        from referrals import roles  # noqa: F401  (registers the app's roles with the portal)
