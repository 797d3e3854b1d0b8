from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = _("Employment case management")

    def ready(self):
        from auditlog.registry import auditlog

        from portal import outbound
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
        # What a worker may call by a dotted path stored in a message or an export (portal.outbound).
        outbound.allow(
            "referrals.exports.accountability",
            "referrals.services.letter_attachment",
            "referrals.services.referral_emailed",
            "referrals.services.referral_not_emailed",
        )
