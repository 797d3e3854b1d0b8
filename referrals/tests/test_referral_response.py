"""Issue 19, beyond the guides: the receiving agency accepts or declines an informational referral
(a reason for a decline), once; both sides read the answer; the sender is told, and reminded once
when nothing came back after N working days; nobody answers the sender's old referrals once the
case was transferred."""

import html
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import translation

from portal.models import Message, Notification
from portal.services import send_queued_message
from portal.workflow import ActionError
from referrals.models import CaseStatusChange, Referral, ReferralType, ResponseStatus
from referrals.responses import services as responses
from referrals.tasks import remind_unanswered_referrals
from tests.factories import MembershipFactory
from tests.helpers import assert_constant_queries, verified_client

pytestmark = pytest.mark.django_db

MONCTON = ZoneInfo("America/Moncton")


def _in(language, text, **values):
    """The message as the page shows it in this language (its French once the catalogue has it)."""
    with translation.override(language):
        message = translation.gettext(text)
    return message % values if values else message


def _main(response):
    return html.unescape(response.content.decode()).split("<main", 1)[1]


@pytest.fixture
def network(network):
    world = network
    world.manager.first_name, world.manager.last_name = "Rémi", "Cormier"
    world.manager.save()
    world.outsider.first_name, world.outsider.last_name = "Nadia", "Poirier"
    world.outsider.save()
    return world


def _speak(user, language):
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])


@pytest.fixture
def receiver(network):
    return verified_client(network.outsider, membership=network.outsider_membership)


@pytest.fixture
def sent(network, django_capture_on_commit_callbacks):
    """An informational referral from the agency to the other one, sent (Friday 27 November, 10:00)."""
    with time_machine.travel(datetime(2026, 11, 27, 10, 0, tzinfo=MONCTON), tick=False):
        referral = network.send(network.referral(ReferralType.WITHIN), django_capture_on_commit_callbacks)
    referral.refresh_from_db()
    return referral


def _url(referral, action):
    return reverse("referrals:incoming_respond", args=[referral.pk, action])


def test_a_sent_informational_referral_awaits_an_answer_and_a_transfer_does_not(
    network, sent, django_capture_on_commit_callbacks
):
    assert sent.response_status == ResponseStatus.AWAITING
    transfer = network.send(network.referral(ReferralType.TRANSFER), django_capture_on_commit_callbacks)
    transfer.refresh_from_db()
    assert transfer.response_status == ""
    assert responses.response_actions(transfer, network.outsider) == []


@pytest.mark.parametrize("language", ["en", "fr"])
def test_it_accepts_once_and_tells_the_sender(
    network, receiver, sent, language, mailoutbox, django_capture_on_commit_callbacks
):
    _speak(network.outsider, language)
    _speak(network.manager, language)
    detail = receiver.get(reverse("referrals:incoming_detail", args=[sent.pk]))
    page = _main(detail)
    assert _in(language, "Accept the referral") in page and _in(language, "Decline the referral") in page
    assert _url(sent, "accept") in page and _url(sent, "decline") in page
    form = receiver.get(_url(sent, "accept"))
    assert form.status_code == 200
    mailoutbox.clear()
    with time_machine.travel(datetime(2026, 11, 30, 9, 15, tzinfo=MONCTON), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            response = receiver.post(_url(sent, "accept"), {"comment": "We call her Monday."}, follow=True)
    assert _in(language, "The referral was accepted. The sender was told.") in html.unescape(response.content.decode())
    sent.refresh_from_db()
    assert sent.response_status == ResponseStatus.ACCEPTED
    assert (sent.responded_by, sent.response_comment) == (network.outsider, "We call her Monday.")
    assert sent.responded_at == datetime(2026, 11, 30, 9, 15, tzinfo=MONCTON)
    # The receiving agency's page shows who answered, when, and no more buttons.
    page = _main(receiver.get(reverse("referrals:incoming_detail", args=[sent.pk])))
    assert "Nadia Poirier" in page and "We call her Monday." in page
    assert _url(sent, "accept") not in page and _url(sent, "decline") not in page
    # The sender: a notification on the home page and one email, the case number and a link only.
    notice = Notification.objects.get(recipient=network.manager, purpose="referral.response")
    assert str(sent.case.number) in notice.title
    assert (
        notice.link
        == reverse("referrals:referrals", args=[sent.case.number]) + f"?open={sent.pk}#referral-{sent.pk}"
    )
    [email] = [m for m in mailoutbox if m.to == [network.manager.email]]
    assert str(sent.case.number) in email.subject
    assert "Jane" not in email.subject + email.body and "Johnson" not in email.subject + email.body
    assert f"?open={sent.pk}" in email.body
    # The case's history (the sending agency's status page) has the answer.
    row = CaseStatusChange.objects.get(case=sent.case, action="referral-accepted")
    assert row.actor == network.outsider and "We call her Monday." in row.note
    # Once: a second answer is refused with the status it found, nothing changes.
    for action, data in (("accept", {}), ("decline", {"reason": "no_capacity"})):
        again = receiver.post(_url(sent, action), data, follow=True)
        text = html.unescape(again.content.decode())
        assert (
            _in(language, "This referral was already answered (%(status)s). Nothing was changed.")[:20]
            in text
        )
    with pytest.raises(ActionError):
        responses.decline_referral(actor=network.outsider, referral=sent, reason="no_capacity")
    sent.refresh_from_db()
    assert (sent.response_status, sent.response_reason) == (ResponseStatus.ACCEPTED, "")
    assert Message.objects.filter(key__startswith=f"referrals:response:{sent.pk}:").count() == 1


@pytest.mark.parametrize("language", ["en", "fr"])
def test_decline_requires_reason(network, receiver, sent, language):
    _speak(network.outsider, language)
    response = receiver.post(_url(sent, "decline"), {"comment": "typed text"})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["reason"] == [_in(language, "Choose the reason of the decline.")]
    assert 'value="typed text"' in response.content.decode()  # nothing typed is lost
    response = receiver.post(_url(sent, "decline"), {"reason": "other", "comment": "  "})
    assert response.context["form"].errors["comment"] == [_in(language, "Say why the referral is declined.")]
    response = receiver.post(_url(sent, "decline"), {"reason": "nonsense"})
    assert "reason" in response.context["form"].errors
    sent.refresh_from_db()
    assert (sent.response_status, sent.responded_at) == (ResponseStatus.AWAITING, None)
    assert not Notification.objects.filter(purpose="referral.response").exists()
    # The service says it too (a caller without the form).
    with pytest.raises(ActionError) as refused:
        responses.decline_referral(actor=network.outsider, referral=sent, reason="")
    assert "reason" in refused.value.error_dict


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_decline_with_its_reason_shows_on_both_sides(
    network, receiver, manager, sent, language, django_capture_on_commit_callbacks
):
    _speak(network.outsider, language)
    _speak(network.manager, language)
    with django_capture_on_commit_callbacks(execute=True):
        receiver.post(_url(sent, "decline"), {"reason": "not_eligible", "comment": "Outside our region"})
    sent.refresh_from_db()
    assert (sent.response_status, sent.response_reason) == (ResponseStatus.DECLINED, "not_eligible")
    reason = _in(language, "The client is not eligible for our services")
    declined = str(ResponseStatus.DECLINED.label)
    with translation.override(language):
        declined = str(ResponseStatus.DECLINED.label)
    # The receiving agency's list and detail.
    listing = receiver.get(reverse("referrals:incoming"))
    row = listing.context["table"].page.object_list[0]
    assert str(row.get_cell("response_status")) == declined
    detail = _main(receiver.get(reverse("referrals:incoming_detail", args=[sent.pk])))
    assert f"{reason} (Outside our region)" in detail and "Nadia Poirier" in detail
    # The sender's list and details, and the case's history.
    page = _main(manager.get(reverse("referrals:referrals", args=[sent.case.number]) + f"?open={sent.pk}"))
    assert declined in page and f"{reason} (Outside our region)" in page and "Nadia Poirier" in page
    status = _main(manager.get(reverse("referrals:case_status", args=[sent.case.number])))
    assert "Outside our region" in status
    notice = Notification.objects.get(recipient=network.manager, purpose="referral.response")
    with translation.override(language):
        expected = translation.gettext("Your referral of case %(number)s was declined by %(agency)s") % {
            "number": sent.case.number,
            "agency": network.other_agency.name,
        }
    assert getattr(notice, f"title_{language}") == expected


def test_other_people_cannot_answer(network, sent, manager):
    # The sending agency, a third agency: not theirs to answer (404, nothing changed).
    third = MembershipFactory(organization=network.department, role="referrals.department_staff").user
    for client in (manager,):
        assert client.get(_url(sent, "accept")).status_code == 404
        assert client.post(_url(sent, "decline"), {"reason": "no_capacity"}).status_code == 404
    assert responses.response_actions(sent, network.manager) == []
    assert responses.response_actions(sent, third) == []
    # An unknown answer is not a page.
    receiver = verified_client(network.outsider, membership=network.outsider_membership)
    assert receiver.get(_url(sent, "withdraw")).status_code == 404
    sent.refresh_from_db()
    assert sent.response_status == ResponseStatus.AWAITING


@pytest.mark.parametrize("language", ["en", "fr"])
def test_after_a_transfer_the_senders_old_referral_can_no_longer_be_answered(
    network, receiver, language, django_capture_on_commit_callbacks
):
    _speak(network.outsider, language)
    case = network.case()
    informational = network.send(
        network.referral(ReferralType.WITHIN, case=case), django_capture_on_commit_callbacks
    )
    transfer = network.send(
        network.referral(ReferralType.TRANSFER, case=case), django_capture_on_commit_callbacks
    )
    network.receive(transfer, django_capture_on_commit_callbacks)
    informational.refresh_from_db()
    assert informational.response_status == ResponseStatus.AWAITING
    assert responses.response_actions(informational, network.outsider) == []
    detail = _main(receiver.get(reverse("referrals:incoming_detail", args=[informational.pk])))
    assert _url(informational, "accept") not in detail
    moved = "The case was transferred to another agency after this referral was sent: it can no longer be answered."
    assert _in(language, moved) in detail
    for action in ("accept", "decline"):
        response = receiver.post(_url(informational, action), {"reason": "no_capacity"}, follow=True)
        assert _in(language, str(responses.MOVED_SINCE)) in html.unescape(response.content.decode())
    with pytest.raises(ActionError):
        responses.accept_referral(actor=network.outsider, referral=informational)
    informational.refresh_from_db()
    assert (informational.response_status, informational.responded_at) == (ResponseStatus.AWAITING, None)
    # Nobody is reminded of it either (the case is no longer the sender's).
    with time_machine.travel(datetime(2027, 1, 15, 10, 0, tzinfo=MONCTON), tick=False):
        assert remind_unanswered_referrals() == 0


def test_the_incoming_list_costs_the_same_queries_for_1_and_50_answered_referrals(
    network, receiver, django_capture_on_commit_callbacks
):
    def add(count):
        for _ in range(count):
            referral = network.send(network.referral(ReferralType.WITHIN), django_capture_on_commit_callbacks)
            responses.decline_referral(actor=network.outsider, referral=referral, reason="no_capacity")

    assert_constant_queries(receiver, reverse("referrals:incoming"), add)


# Reminders --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (date(2026, 11, 27), date(2026, 11, 27), 0),  # the day it was sent
        (date(2026, 11, 27), date(2026, 11, 29), 0),  # Friday → Sunday
        (date(2026, 11, 27), date(2026, 11, 30), 1),  # → Monday
        (date(2026, 11, 27), date(2026, 12, 4), 5),  # → next Friday, across the month's end
        (date(2026, 12, 31), date(2027, 1, 7), 5),  # across the year's end
    ],
)
def test_working_days_count_monday_to_friday(start, end, days):
    assert responses.working_days_between(start, end) == days


def _run(capture, moment):
    with time_machine.travel(moment, tick=False):
        with capture(execute=True):
            return remind_unanswered_referrals()


def test_an_unanswered_referral_reminds_the_sender_once_after_5_working_days(
    network, sent, mailoutbox, django_capture_on_commit_callbacks
):
    """Sent Friday 27 November: 5 working days later is Friday 4 December (the month turned)."""
    _speak(network.manager, "fr")
    mailoutbox.clear()
    for moment in (
        datetime(2026, 11, 29, 12, 0, tzinfo=MONCTON),  # Sunday
        datetime(2026, 11, 30, 23, 59, tzinfo=MONCTON),  # Monday night, the end of November
        datetime(2026, 12, 3, 23, 59, tzinfo=MONCTON),  # Thursday: 4 working days
    ):
        assert _run(django_capture_on_commit_callbacks, moment) == 0
    assert mailoutbox == []
    assert _run(django_capture_on_commit_callbacks, datetime(2026, 12, 4, 10, 0, tzinfo=MONCTON)) == 1
    [email] = mailoutbox
    assert email.to == [network.manager.email]
    assert str(sent.case.number) in email.subject
    assert "Jane" not in email.subject + email.body and "Johnson" not in email.subject + email.body
    notice = Notification.objects.get(recipient=network.manager, purpose="referral.reminder")
    assert str(sent.case.number) in notice.title_fr
    # Reminded once: the next runs, and the next days, send nothing more.
    mailoutbox.clear()
    assert _run(django_capture_on_commit_callbacks, datetime(2026, 12, 4, 11, 0, tzinfo=MONCTON)) == 0
    assert _run(django_capture_on_commit_callbacks, datetime(2026, 12, 14, 10, 0, tzinfo=MONCTON)) == 0
    assert mailoutbox == []
    assert Notification.objects.filter(purpose="referral.reminder").count() == 1


def test_an_answered_referral_is_not_reminded(network, sent, django_capture_on_commit_callbacks):
    responses.accept_referral(actor=network.outsider, referral=sent)
    assert _run(django_capture_on_commit_callbacks, datetime(2026, 12, 10, 10, 0, tzinfo=MONCTON)) == 0


def test_a_reminder_due_in_the_quiet_hours_leaves_at_8(
    network, sent, mailoutbox, django_capture_on_commit_callbacks
):
    """The run of 21:00 on the due day records the reminder; its email waits for 8:00."""
    mailoutbox.clear()
    assert _run(django_capture_on_commit_callbacks, datetime(2026, 12, 4, 20, 59, tzinfo=MONCTON)) == 1
    assert len(mailoutbox) == 1  # 20:59: by day, it leaves at once
    Referral.objects.filter(pk=sent.pk).update(response_reminded_at=None)
    Message.objects.filter(key__startswith=f"referrals:response-reminder:{sent.pk}:").delete()
    mailoutbox.clear()
    assert _run(django_capture_on_commit_callbacks, datetime(2026, 12, 4, 21, 0, tzinfo=MONCTON)) == 1
    assert mailoutbox == []  # 21:00: held
    message = Message.objects.get(key__startswith=f"referrals:response-reminder:{sent.pk}:")
    with time_machine.travel(datetime(2026, 12, 5, 7, 59, tzinfo=MONCTON), tick=False):
        send_queued_message(message_id=message.pk)
    assert mailoutbox == []
    with time_machine.travel(datetime(2026, 12, 5, 8, 0, tzinfo=MONCTON), tick=False):
        send_queued_message(message_id=message.pk)
    assert [m.to for m in mail.outbox] == [[network.manager.email]]


def test_the_number_of_working_days_is_a_setting(network, sent, settings, django_capture_on_commit_callbacks):
    settings.REFERRALS_RESPONSE_REMINDER_WORKING_DAYS = 1
    assert _run(django_capture_on_commit_callbacks, datetime(2026, 11, 29, 10, 0, tzinfo=MONCTON)) == 0
    assert _run(django_capture_on_commit_callbacks, datetime(2026, 11, 30, 10, 0, tzinfo=MONCTON)) == 1


def test_beat_runs_the_reminder_every_hour(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["referrals-remind-unanswered-referrals"]
    assert entry == {"task": "referrals.tasks.remind_unanswered_referrals", "schedule": 3600.0}
    from celery import current_app

    assert "referrals.tasks.remind_unanswered_referrals" in current_app.tasks
    assert settings.REFERRALS_RESPONSE_REMINDER_WORKING_DAYS == 5
