"""The sender's list of a case's referrals (issue 19, Chromium walk): the row's hidden text reads the
referral's own date as the row does (not the day the page is read), a referral the receiving agency
answered shows that answer alone (not "Failed" beside "Accepted"), and the decline form puts each
reason on a line of its own."""

import html
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from portal import dates
from referrals.models import Referral, ReferralStatus, ReferralType, ResponseStatus
from referrals.responses import services as responses
from tests.helpers import verified_client

pytestmark = pytest.mark.django_db

MONCTON = ZoneInfo("America/Moncton")
SENT = datetime(2026, 11, 22, 10, 0, tzinfo=MONCTON)
LATER = datetime(2026, 12, 4, 9, 0, tzinfo=MONCTON)


@pytest.fixture
def sent(network, django_capture_on_commit_callbacks):
    with time_machine.travel(SENT, tick=False):
        referral = network.send(network.referral(ReferralType.WITHIN), django_capture_on_commit_callbacks)
    referral.refresh_from_db()
    return referral


def _list(network, referral, language):
    client = verified_client(network.manager, membership=network.manager_membership)
    client.cookies["liaison_language"] = language
    with time_machine.travel(LATER, tick=False):
        page = client.get(reverse("referrals:referrals", args=[referral.case.number]))
    assert page.status_code == 200
    return html.unescape(page.content.decode())


def _row(page, referral):
    match = re.search(rf'<tr id="referral-{referral.pk}">(.*?)</tr>', page, re.S)
    assert match, "the referral's row"
    return match.group(1)


def _cells(row):
    return [re.sub(r"<[^>]+>", " ", cell).split() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_rows_hidden_text_reads_the_referral_date_not_today(network, sent, language):
    row = _row(_list(network, sent, language), sent)
    with translation.override(language):
        sent_on = dates.long_date(SENT)
        today = dates.long_date(LATER)

    hidden = re.search(r'<span class="visually-hidden">(.*?)</span>', row, re.S).group(1)
    assert sent_on in hidden
    assert "2026-12-04" not in hidden and "2026-11-22" not in hidden and today not in hidden
    # The same date as the row's own column.
    assert sent_on in row.split("</td>", 3)[3]


def test_a_drafts_hidden_text_says_it_is_a_draft(network):
    draft = network.referral(ReferralType.WITHIN)
    row = _row(_list(network, draft, "en"), draft)
    hidden = re.search(r'<span class="visually-hidden">(.*?)</span>', row, re.S).group(1)
    assert str(ReferralStatus.DRAFT.label) in hidden
    assert "2026-12-04" not in hidden


@pytest.mark.parametrize("language", ["en", "fr"])
def test_an_answered_referral_whose_email_failed_shows_the_answer_alone(network, sent, language):
    # The copy sent by email bounced, but the receiving agency read the referral in Liaison and
    # accepted it: the row says where the referral is, once.
    Referral.objects.filter(pk=sent.pk).update(status=ReferralStatus.FAILED, failure_reason="550 Mailbox")
    sent.refresh_from_db()
    with time_machine.travel(LATER, tick=False):
        responses.accept_referral(actor=network.outsider, referral=sent)

    row = _row(_list(network, sent, language), sent)
    status_cell = " ".join(_cells(row)[-1])
    with translation.override(language):
        accepted = str(ResponseStatus.ACCEPTED.label)
        failed = str(ReferralStatus.FAILED.label)
    assert status_cell == accepted
    assert failed not in status_cell


def test_a_failed_referral_awaiting_an_answer_says_both_in_one_coherent_cell(network, sent):
    Referral.objects.filter(pk=sent.pk).update(status=ReferralStatus.FAILED)
    sent.refresh_from_db()

    status_cell = " ".join(_cells(_row(_list(network, sent, "en"), sent))[-1])

    assert status_cell == f"{ReferralStatus.FAILED.label} {ResponseStatus.AWAITING.label}"


def test_the_state_of_a_referral(network, sent):
    assert sent.status == ReferralStatus.EMAILED
    assert (sent.state_display, sent.state_note) == (
        ReferralStatus.EMAILED.label,
        ResponseStatus.AWAITING.label,
    )
    sent.response_status = ResponseStatus.DECLINED
    sent.status = ReferralStatus.FAILED
    assert (sent.state_display, sent.state_note) == (ResponseStatus.DECLINED.label, "")


def test_the_decline_form_puts_each_reason_on_its_own_line_in_one_fieldset(network, sent):
    client = verified_client(network.outsider, membership=network.outsider_membership)
    client.cookies["liaison_language"] = "en"
    response = client.get(reverse("referrals:incoming_respond", args=[sent.pk, "decline"]))
    assert response.status_code == 200
    page = html.unescape(response.content.decode())

    fieldset = re.search(r"<fieldset[^>]*>(.*?)</fieldset>", page, re.S).group(1)
    assert re.search(r"<legend>\s*Reason of the decline", fieldset)
    assert '<div class="choices choices--stacked">' in fieldset
    # One radio per choice, each in its own block with its label ("Other" last, alone).
    choices = re.findall(r'<div class="choice">(.*?)</div>', fieldset, re.S)
    assert len(choices) == 5
    assert all(choice.count('type="radio"') == 1 for choice in choices)
    assert "Other" in choices[-1]


def test_the_stacked_layout_is_in_the_stylesheet():
    from django.contrib.staticfiles import finders

    css = open(finders.find("css/liaison.css"), encoding="utf-8").read()
    assert re.search(r"\.choices--stacked\s*\{[^}]*flex-direction:\s*column", css)


# Needs the French catalogue (the changed French of "Referral date"): the coordinator fills it.
def test_the_referral_date_column_says_renvoi_as_the_rest_of_the_portal(network, sent):
    # The guide's word for the thing is "renvoi" (Renvois, Type de renvoi, Envoyer le renvoi…);
    # "aiguillage" appears only in one field label of its screenshots.
    page = _list(network, sent, "fr")
    assert '<th scope="col">Date du renvoi</th>' in page
    assert "aiguillage" not in page.lower()


def test_an_answered_referral_is_not_sent_again(network, sent, django_capture_on_commit_callbacks):
    # Browser walk: a declined referral whose email copy had failed still offered "Send the email
    # again", and sending it emailed the agency that had declined it.
    from django.core import mail

    from portal.workflow import ActionError
    from referrals.referrals import services as referral_services

    Referral.objects.filter(pk=sent.pk).update(status=ReferralStatus.FAILED, failure_reason="550 Mailbox")
    sent.refresh_from_db()
    manager = verified_client(network.manager, membership=network.manager_membership)
    manager.cookies["liaison_language"] = "en"
    resend = reverse("referrals:referral_action", args=[sent.case.number, sent.pk, "resend"])
    # Before the answer, the failed referral can be sent again (the button is on its row).
    assert resend in _list(network, sent, "en")
    with time_machine.travel(LATER, tick=False):
        responses.decline_referral(actor=network.outsider, referral=sent, reason="no_capacity")
    sent.refresh_from_db()

    assert resend not in _list(network, sent, "en")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        page = manager.post(resend, follow=True)
        assert manager.get(resend).status_code == 302
    text = html.unescape(page.content.decode())
    assert "has already answered this referral" in text
    with pytest.raises(ActionError):
        referral_services.resend_referral(actor=network.manager, referral=sent)
    sent.refresh_from_db()
    assert sent.status == ReferralStatus.FAILED and mail.outbox == []
