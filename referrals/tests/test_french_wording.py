"""French wording from the LaMPSS guides (issue 19): a referral not yet sent is an "Ébauche";
an intervention ("une intervention") is "Annulée"; the plan names its dimensions, not their codes."""

import pytest
from django.urls import reverse
from django.utils import translation

from referrals.models import InterventionStatus, ReferralStatus
from tests.helpers import verified_client


def test_a_draft_referral_is_an_ebauche_as_the_guide_says():
    with translation.override("fr"):
        assert str(ReferralStatus.DRAFT.label) == "Ébauche"
    with translation.override("en"):
        assert str(ReferralStatus.DRAFT.label) == "Draft"


def test_intervention_statuses_agree_with_une_intervention():
    with translation.override("fr"):
        labels = [str(status.label) for status in InterventionStatus]
    assert labels == ["Prévue", "En cours", "Terminée", "Annulée"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "label", "heading"),
    [("fr", "Recherche d'emploi", "Dimension de l'employabilité"), ("en", "Job Search", "Employability dimension")],
)
def test_the_plan_names_each_dimension_not_its_code(world, language, label, heading):
    """The plan's interventions show their dimension's label in the page's language ("JS", "SE"
    are English codes a French plan never shows)."""
    case = world.case()
    world.intervention(case)
    world.manager.preferred_language = language
    world.manager.save()
    client = verified_client(world.manager, membership=world.manager_membership)
    page = client.get(reverse("referrals:plan", args=[case.number])).content.decode()
    table = page.replace("&#x27;", "'").split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert f"<td>{label}</td>" in table
    assert ">JS<" not in table and 'title="' not in table
    assert heading in page.replace("&#x27;", "'")
