"""French wording from the LaMPSS guides (issue 19): a referral not yet sent is an "Ébauche";
an intervention ("une intervention") is "Annulée"."""

from django.utils import translation

from referrals.models import InterventionStatus, ReferralStatus


def test_a_draft_referral_is_an_ebauche_as_the_guide_says():
    with translation.override("fr"):
        assert str(ReferralStatus.DRAFT.label) == "Ébauche"
    with translation.override("en"):
        assert str(ReferralStatus.DRAFT.label) == "Draft"


def test_intervention_statuses_agree_with_une_intervention():
    with translation.override("fr"):
        labels = [str(status.label) for status in InterventionStatus]
    assert labels == ["Prévue", "En cours", "Terminée", "Annulée"]
