"""The interpreter bank's page with several forms and submit buttons, by keyboard in real Chromium,
in French and in English (issue 19, "Enter key"): on the interpreter's availability page, Enter in a
field of the usual hours adds those hours, Enter in the absence's reason adds the absence (never
the other form's button, nor a "Remove"); a refusal shows next to its field with what was typed
kept, nothing saved. On a requester's registration, Enter on Refuse refuses with the reason typed
(a new line in the reason, never the Approve form's button).

The bank's other forms with two submit buttons (assign one date or the whole series; a
statement's PDF or Excel) hold no field to type in: Enter has nothing to submit there."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from interpreters.models import Availability, InterpreterProfile, Unavailability
from portal.demo import load_all_demo_data
from tests.browser import language_cookie, session_cookie, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
INTERPRETER = "interpreter@demo.liaison.ca"


def _t(text, language):
    with translation.override(language):
        return translation.gettext(text)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_enter_in_each_availability_form_runs_that_forms_action_and_keeps_what_was_typed(
    live_server, context, language
):
    _organizations, users = load_all_demo_data()
    user = users[INTERPRETER]
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    profile = InterpreterProfile.objects.get(user=user)
    context.add_cookies([language_cookie(live_server.url, language), session_cookie(live_server.url, user)])
    page = context.new_page()
    url = live_server.url + reverse("interpreters:availability")
    page.goto(url)
    windows, absences = profile.availabilities.count(), profile.unavailabilities.count()

    # A refusal: the end before the start, Enter in the start field.
    page.select_option("#id_weekly-weekday", "2")
    page.fill("#id_weekly-start_time", "15:00")
    page.fill("#id_weekly-end_time", "14:00")
    page.focus("#id_weekly-start_time")
    page.keyboard.press("Enter")
    page.get_by_text(_t("The end cannot be before the start.", language)).first.wait_for()
    assert page.input_value("#id_weekly-start_time") == "15:00"
    assert page.input_value("#id_weekly-end_time") == "14:00"
    assert page.input_value("#id_weekly-weekday") == "2"
    assert profile.availabilities.count() == windows

    # Corrected, Enter in the end field adds the hours (not the absence, not a removal).
    page.fill("#id_weekly-start_time", "09:00")
    page.fill("#id_weekly-end_time", "12:00")
    page.focus("#id_weekly-end_time")
    page.keyboard.press("Enter")
    page.get_by_text(_t("Your availability was added.", language)).wait_for()
    assert profile.availabilities.count() == windows + 1
    added = Availability.objects.filter(interpreter=profile).order_by("-pk").first()
    assert (added.weekday, f"{added.start_time:%H:%M}", f"{added.end_time:%H:%M}") == (2, "09:00", "12:00")
    assert profile.unavailabilities.count() == absences

    # Enter in the absence's reason adds the absence, with the reason typed.
    start = timezone.localtime() + timedelta(days=10)
    page.fill("#id_away-starts_at", start.strftime("%Y-%m-%dT08:00"))
    page.fill("#id_away-ends_at", start.strftime("%Y-%m-%dT17:00"))
    page.fill("#id_away-reason", "Congrès à Halifax")
    page.focus("#id_away-reason")
    page.keyboard.press("Enter")
    page.get_by_text(_t("Your absence was added.", language)).wait_for()
    assert profile.unavailabilities.count() == absences + 1
    absence = Unavailability.objects.filter(interpreter=profile).order_by("-pk").first()
    assert absence.reason == "Congrès à Halifax"
    assert timezone.localtime(absence.starts_at).strftime("%H:%M") == "08:00"
    assert profile.availabilities.count() == windows + 1
    assert re.search(re.escape(reverse("interpreters:availability")) + r"$", page.url)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_registration_refuse_form_by_keyboard_refuses_with_the_reason_and_never_approves(
    live_server, context, language
):
    """Two forms, each with its own button: "Approve" (no field) and "Refuse" (a reason). Enter in
    the reason is a new line; Enter on Refuse refuses with what was typed, or shows the error next
    to the reason when it is empty; nothing approves the registration but its own button."""
    from interpreters.models import Registration, RegistrationStatus

    _organizations, users = load_all_demo_data()
    sign_in(
        context, live_server, users["coordinator@demo.liaison.ca"], language, role="interpreters.coordinator"
    )
    registration = Registration.objects.get(email="nouvelle.demandeuse@example.ca")
    assert registration.status == RegistrationStatus.PENDING
    page = context.new_page()
    page.goto(live_server.url + reverse("interpreters:registration_decide", args=[registration.pk]))
    refuse = page.locator('button[name="decision"][value="refuse"]')

    # Enter on Refuse with no reason: the error is next to the reason, nothing is decided.
    refuse.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.locator("#id_reason_errors").wait_for()
    assert _t("This field is required.", language) in page.inner_text("#id_reason_errors")
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.PENDING

    # Enter in the reason is a new line: nothing is sent.
    reason = page.locator("#id_reason")
    reason.fill("Établissement inconnu")
    reason.press("End")
    reason.press("Enter")
    reason.type("Écrivez-nous")
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.PENDING
    assert reason.input_value() == "Établissement inconnu\nÉcrivez-nous"

    # Tab from the reason reaches Refuse (not Approve); Enter refuses with the reason typed.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.value") == "refuse"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.get_by_text(_t("The registration was refused: the person was emailed.", language)).wait_for()
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.REFUSED
    assert registration.decision_reason.replace("\r\n", "\n") == "Établissement inconnu\nÉcrivez-nous"
