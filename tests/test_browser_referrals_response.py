"""The answer to an informational referral in real Chromium, in French and in English (issue 19):
New Path declines one (the reason "Other", typed, sent with Enter) and accepts another (a comment,
sent with Enter); the sending case manager finds the notice on their home page and the answers on
the case's referrals, and nobody can answer twice."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from portal.demo import load_all_demo_data
from referrals.models import Case, CaseStatus, Referral, ReferralStatus, ResponseStatus
from tests.browser import language_cookie, session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "fr": {
        "type": "Type de renvoi",
        "add": "Ajouter le renvoi",
        "organization": "Organisme",
        "contact": "Personne-ressource",
        "send": "Envoyer le renvoi",
        "ok": "OK, l'envoyer",
        "within": "Pour information (à l'intérieur du réseau)",
        "receiving": "Emploi Nouvelle Voie",
    },
    "en": {
        "type": "Referral type",
        "add": "Add the referral",
        "organization": "Organization",
        "contact": "Contact person",
        "send": "Send the referral",
        "ok": "OK, send it",
        "within": "Informational (within the network)",
        "receiving": "New Path Employment",
    },
}


def _in(language, text):
    """The words as the page shows them (their French once the catalogue has it)."""
    with translation.override(language):
        return translation.gettext(text)


def field(page, label):
    return page.get_by_label(re.compile("^" + re.escape(label)))


def sign_in(context, live_server, user, language):
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    context.clear_cookies()
    context.add_cookies([language_cookie(live_server.url, language), session_cookie(live_server.url, user)])


def send_within(page, live_server, words, case):
    page.goto(live_server.url + reverse("referrals:referrals", args=[case.number]))
    field(page, words["type"]).select_option(label=words["within"])
    page.get_by_role("button", name=words["add"]).click()
    field(page, words["organization"]).select_option(label=words["receiving"])
    field(page, words["contact"]).fill("Denise Gallant")
    page.get_by_role("button", name=words["send"]).click()
    page.get_by_role("button", name=words["ok"]).click()
    referral = Referral.objects.filter(case=case, referral_type="within").order_by("-pk").first()
    page.locator(f"#referral-{referral.pk}").wait_for()
    assert referral.status in (ReferralStatus.SENT, ReferralStatus.EMAILED)
    return referral


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_receiving_agency_declines_and_accepts_and_the_sender_reads_it(live_server, context, language):
    organizations, users = load_all_demo_data()
    words = WORDS[language]
    sender = users["casemanager@demo.liaison.ca"]
    receiver = users["newpath@demo.liaison.ca"]
    case = Case.objects.filter(
        case_manager=sender, status__in=[CaseStatus.PLAN_DEVELOPMENT, CaseStatus.PLAN_MANAGEMENT]
    ).first()
    sign_in(context, live_server, sender, language)
    page = context.new_page()
    declined = send_within(page, live_server, words, case)
    accepted = send_within(page, live_server, words, case)
    mail.outbox.clear()

    # New Path declines the first one: "Other", the reason typed, Enter in the reason field.
    sign_in(context, live_server, receiver, language)
    page.goto(live_server.url + reverse("referrals:incoming_detail", args=[declined.pk]))
    page.get_by_role("link", name=_in(language, "Decline the referral")).click()
    page.get_by_role("heading", name=_in(language, "Decline the referral")).wait_for()
    # Enter with no reason chosen: the error is next to the field, nothing is sent or lost.
    comment = page.locator("input[name=comment]")
    comment.fill("Plus de places ce mois-ci")
    comment.press("Enter")
    page.get_by_text(_in(language, "Choose the reason of the decline.")).first.wait_for()
    assert page.locator("input[name=comment]").input_value() == "Plus de places ce mois-ci"
    declined.refresh_from_db()
    assert declined.response_status == ResponseStatus.AWAITING
    with translation.override(language):
        other = translation.pgettext("decline reason", "Other")
    page.get_by_label(other, exact=True).check()
    page.locator("input[name=comment]").press("Enter")
    page.get_by_text(_in(language, "The referral was declined. The sender was told.")).wait_for()
    declined.refresh_from_db()
    assert (declined.response_status, declined.response_reason, declined.response_comment) == (
        ResponseStatus.DECLINED,
        "other",
        "Plus de places ce mois-ci",
    )
    assert page.get_by_role("link", name=_in(language, "Decline the referral")).count() == 0

    # The second one is accepted, by keyboard only: Tab to the link, Enter, a comment, Enter.
    page.goto(live_server.url + reverse("referrals:incoming_detail", args=[accepted.pk]))
    link = page.get_by_role("link", name=_in(language, "Accept the referral"))
    link.focus()
    link.press("Enter")
    page.get_by_role("heading", name=_in(language, "Accept the referral")).wait_for()
    page.locator("input[name=comment]").fill("Rendez-vous le 8")
    page.locator("input[name=comment]").press("Enter")
    page.get_by_text(_in(language, "The referral was accepted. The sender was told.")).wait_for()
    accepted.refresh_from_db()
    assert accepted.response_status == ResponseStatus.ACCEPTED

    # Answering again (an old tab): refused, said, nothing changed.
    page.goto(live_server.url + reverse("referrals:incoming_respond", args=[accepted.pk, "decline"]))
    page.get_by_text(
        _in(language, "This referral was already answered (%(status)s). Nothing was changed.")[:15]
    ).first.wait_for()
    accepted.refresh_from_db()
    assert accepted.response_status == ResponseStatus.ACCEPTED

    # The sender: two emails (the case number, no name), two notices on the home page, the answers
    # on the case's referrals.
    assert sorted(m.to[0] for m in mail.outbox) == [sender.email, sender.email]
    for message in mail.outbox:
        assert str(case.number) in message.subject and case.person.last_name not in message.subject
    sign_in(context, live_server, sender, language)
    page.goto(live_server.url + "/")
    with translation.override(language):
        notice = translation.gettext("Your referral of case %(number)s was declined by %(agency)s") % {
            "number": case.number,
            "agency": organizations["employment2"].name,
        }
    page.get_by_text(notice).first.wait_for()
    page.goto(live_server.url + reverse("referrals:referrals", args=[case.number]) + f"?open={declined.pk}")
    details = page.locator(f"#referral-details-{declined.pk}")
    details.get_by_text("Plus de places ce mois-ci").wait_for()
    assert receiver.get_full_name() in details.inner_text()
    with translation.override(language):
        assert str(ResponseStatus.DECLINED.label) in page.locator(f"#referral-{declined.pk}").inner_text()
