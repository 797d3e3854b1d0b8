"""The buttons a case, an intervention and a referral offer follow from their declarations
(portal.workflow): only the transitions the current status allows, with their addresses."""

import pytest
from django.urls import reverse
from django.utils import translation

from referrals.models import Agreement, ReferralStatus
from referrals.referrals import services as referral_services
from tests.helpers import verified_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"):
        yield


@pytest.fixture
def manager(world):
    return verified_client(world.manager, membership=world.manager_membership)


def _page(client, name, *args):
    return client.get(reverse(f"referrals:{name}", args=args), HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_the_status_page_offers_the_next_steps_of_the_cycle_and_closing_on_its_own_page(world, manager):
    case = world.case(status="intake")
    content = _page(manager, "case_status", case.number)
    assert reverse("referrals:case_status_action", args=[case.number, "start-assessment"]) in content
    assert reverse("referrals:case_status_action", args=[case.number, "complete-assessment"]) in content
    assert reverse("referrals:case_status_action", args=[case.number, "follow-up"]) not in content
    assert reverse("referrals:case_close", args=[case.number, "close"]) in content
    assert reverse("referrals:case_close", args=[case.number, "reopen"]) not in content


def test_a_closed_case_offers_reopening_only(world, manager):
    case = world.case(status="closed")
    content = _page(manager, "case_status", case.number)
    assert reverse("referrals:case_close", args=[case.number, "reopen"]) in content
    assert reverse("referrals:case_close", args=[case.number, "close"]) not in content
    assert "Start the assessment" not in content
    assert "Employed" in content  # the closing reason, in the history


def test_closing_is_not_a_plain_button(world, manager):
    case = world.case()
    url = reverse("referrals:case_status_action", args=[case.number, "close"])
    assert manager.post(url).status_code == 404
    case.refresh_from_db()
    assert not case.is_closed


def test_a_reassignment_is_in_the_case_history_with_who_and_why(world):
    from referrals.cases import services as case_services

    case = world.case()
    case_services.reassign_case(actor=world.supervisor, case=case, case_manager=world.colleague)
    change = case.status_changes.first()
    assert (change.actor, change.action) == (world.supervisor, "reassigned")
    assert change.from_status == change.to_status == case.status
    assert "reassigned" in change.note


def test_an_intervention_offers_what_its_status_allows(world, manager):
    case = world.case()
    intervention = world.intervention(case)

    def url(action):
        return reverse("referrals:intervention_action", args=[case.number, intervention.pk, action])

    content = _page(manager, "intervention", case.number, intervention.pk)
    assert url("start") in content and url("cancel") in content and url("complete") not in content
    manager.post(url("start"))
    content = _page(manager, "intervention", case.number, intervention.pk)
    assert url("start") not in content and url("complete") in content


def test_a_pending_transfer_offers_withdrawing_and_a_failed_email_sending_again(world, manager):
    Agreement.objects.filter(agency=world.other_agency).update(client_tracking=True)
    case = world.case()
    referral = world.referral(case=case, email_to="intake@example.ca")

    def url(action):
        return reverse("referrals:referral_action", args=[case.number, referral.pk, action])

    content = _page(manager, "referrals", case.number)
    assert url("withdraw") not in content and url("resend") not in content  # a draft
    referral_services.send_referral(actor=world.manager, referral=referral)
    type(referral).objects.filter(pk=referral.pk).update(status=ReferralStatus.FAILED)
    content = _page(manager, "referrals", case.number)
    assert url("withdraw") in content and url("resend") in content
    assert content.index(url("withdraw")) < content.index(url("resend"))
    assert manager.post(url("complete")).status_code == 404  # the receiving agency completes it on its page
