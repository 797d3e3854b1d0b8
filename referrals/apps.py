from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = _("Employment case management")

    def ready(self):
        from auditlog.registry import auditlog

        from referrals import roles  # noqa: F401  (registers the app's roles and tiles with the portal)
        from referrals.models import (
            Agreement,
            BusinessPartner,
            Case,
            CaseDocument,
            CaseNote,
            EmploymentOutcome,
            FundingRequest,
            Intervention,
            NeedsDetermination,
            Office,
            Person,
        )

        for model in (
            Agreement,
            Office,
            Person,
            Case,
            CaseNote,
            CaseDocument,
            EmploymentOutcome,
            NeedsDetermination,
            Intervention,
            FundingRequest,
            BusinessPartner,
        ):
            auditlog.register(model)
