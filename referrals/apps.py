from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = _("Employment case management")

    def ready(self):
        from portal import audit, outbound
        from referrals import roles  # noqa: F401  (registers the app's roles and tiles with the portal)
        from referrals.models import (
            Agreement,
            BusinessPartner,
            Case,
            CaseDocument,
            CaseNote,
            ContractableAgency,
            EmploymentOutcome,
            FundingRequest,
            Intervention,
            NeedsDetermination,
            Office,
            Person,
        )

        # Audited, each with the organizations its entries belong to (portal.audit): a person is
        # the agencies' that hold their cases.
        for model, organizations in (
            (Agreement, ("department", "agency")),
            (ContractableAgency, ("department", "agency")),
            (Office, ("agency",)),
            (Person, ("cases__agency",)),
            (Case, ("agency",)),
            (CaseNote, ("case__agency",)),
            (CaseDocument, ("case__agency",)),
            (EmploymentOutcome, ("case__agency",)),
            (NeedsDetermination, ("case__agency",)),
            (Intervention, ("case__agency",)),
            (FundingRequest, ("intervention__case__agency",)),
            (BusinessPartner, ("agency",)),
        ):
            audit.register(model, *organizations)
        # What a worker may call by a dotted path stored in a message or an export (portal.outbound).
        outbound.allow(
            "referrals.exports.accountability",
            "referrals.referrals.delivery.letter_attachment",
            "referrals.referrals.delivery.referral_emailed",
            "referrals.referrals.delivery.referral_not_emailed",
        )
        # Messages queued before the app was split by area (issue 14) name referrals.services, and
        # those queued before the email moved out of referrals.referrals.services name that module.
        for hook in ("letter_attachment", "referral_emailed", "referral_not_emailed"):
            for old in ("referrals.services", "referrals.referrals.services"):
                outbound.moved(f"{old}.{hook}", f"referrals.referrals.delivery.{hook}")
