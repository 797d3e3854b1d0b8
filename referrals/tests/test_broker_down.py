"""With the broker away, sending a referral and asking for an export answer normally: the work is
recorded as queued, and the re-queue sends it once the broker is back, exactly once."""

import pytest
from django.core import mail
from django.urls import reverse

from portal.models import Export, ExportStatus, Message, MessageStatus
from referrals.models import PlanPrint, PrintStatus, ReferralStatus, ReferralType
from tests.helpers import verified_client
from tests.outage import broker_down, requeue_later

pytestmark = pytest.mark.django_db


def test_a_referral_sent_while_the_broker_is_down_is_emailed_once_it_is_back(
    network, django_capture_on_commit_callbacks
):
    manager = verified_client(network.manager, membership=network.manager_membership)
    referral = network.referral(ReferralType.OUTSIDE)
    url = reverse("referrals:referral_send", args=[referral.case.number, referral.pk])
    with broker_down() as publishing, django_capture_on_commit_callbacks(execute=True):
        response = manager.post(url, follow=True)
    assert response.status_code == 200
    assert any(attempt.called for attempt in publishing)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT
    message = Message.objects.get(key__startswith=f"referrals:referral:{referral.pk}:")
    assert (message.status, message.attempts) == (MessageStatus.QUEUED, 0)
    assert mail.outbox == []

    assert requeue_later()["messages"] == Message.objects.count()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.EMAILED
    letters = [email for email in mail.outbox if email.to == ["accueil@example.ca"]]
    assert len(letters) == 1
    assert letters[0].attachments[0][2] == "application/pdf"
    sent = len(mail.outbox)
    assert requeue_later(minutes=30)["messages"] == 0
    assert len(mail.outbox) == sent


def test_an_export_asked_for_while_the_broker_is_down_is_built_once_it_is_back(
    world, django_capture_on_commit_callbacks
):
    staff = verified_client(world.staff, membership=world.staff_membership)
    world.intervention(world.case(), funded=True)
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        response = staff.post(reverse("referrals:accountability_export"))
    export = Export.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:export", args=[export.pk])
    assert export.status == ExportStatus.QUEUED
    assert staff.get(response["Location"]).status_code == 200

    assert requeue_later()["exports"] == 1
    export.refresh_from_db()
    assert export.status == ExportStatus.READY
    finished = export.finished_at
    assert requeue_later(minutes=30)["exports"] == 0
    export.refresh_from_db()
    assert export.finished_at == finished


def test_a_plan_print_asked_for_while_the_broker_is_down_is_built_once_it_is_back(
    world, django_capture_on_commit_callbacks
):
    from referrals.plans import services as plan_services

    case = world.case()
    world.intervention(case)
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        plan_print = plan_services.request_plan_print(actor=world.manager, case=case, language="fr")
    plan_print.refresh_from_db()
    assert plan_print.status == PrintStatus.QUEUED
    assert requeue_later()["prints"] == 1
    plan_print.refresh_from_db()
    assert plan_print.status == PrintStatus.READY
    assert requeue_later(minutes=30)["prints"] == 0
    assert PlanPrint.objects.count() == 1
