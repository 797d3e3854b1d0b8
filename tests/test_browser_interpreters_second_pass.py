"""Issue 19, the interpreter bank's second pass, in real Chromium, in French and in English: the
demo interpreter finds a waiting offer among their tasks and answers it; an end time in the future
is refused next to its field with what was typed kept; the coordinator reads the interpreter's notes
where they validate, and their home page lists the notices plainly; the suggestions' distances are
Moncton's; the statement's Excel file is named after the statement."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from interpreters.models import Request, RequestStatus, Statement
from portal.demo import load_all_demo_data
from tests.browser import language_cookie, session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
RS = RequestStatus


def _t(text, language, **params):
    with translation.override(language):
        value = str(gettext_lazy(text))
    return value % params if params else value


def _field(page, label):
    return page.get_by_label(re.compile("^" + re.escape(label)))


def _sign_in(context, live_server, user, language, role=None):
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    context.clear_cookies()
    context.add_cookies(
        [language_cookie(live_server.url, language), session_cookie(live_server.url, user, role=role)]
    )


def _local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_offer_task_record_refused_then_notes_validated_plain_home_distances_and_named_excel(
    live_server, browser, context, language
):
    _organizations, users = load_all_demo_data()
    interpreter = users["interpreter@demo.liaison.ca"]
    coordinator = users["coordinator@demo.liaison.ca"]

    # The demo interpreter's waiting offer is a task on their home page (a phone-sized screen).
    offered = Request.objects.get(status=RS.ASSIGNED, interpreter__user=interpreter)
    phone = browser.new_context(viewport={"width": 375, "height": 740})
    phone.set_default_timeout(15000)
    _sign_in(phone, live_server, interpreter, language)
    mobile = phone.new_page()
    mobile.goto(live_server.url + reverse("portal:home"))
    task = mobile.get_by_role(
        "link", name=_t("Answer the offer of request %(number)s", language, number=offered.number)
    )
    assert task.is_visible()
    assert mobile.get_by_text(_t("No task is due.", language)).count() == 0
    task.click()
    assert mobile.url.endswith(offered.get_absolute_url())
    mobile.get_by_role("button", name=_t("Accept", language)).click()
    offered.refresh_from_db()
    assert offered.status == RS.ACCEPTED
    mobile.goto(live_server.url + reverse("portal:home"))
    assert mobile.get_by_text(_t("No task is due.", language)).is_visible()

    # A confirmed service that began half an hour ago: an end in the future is refused next to
    # its field, and what was typed stays.
    confirmed = Request.objects.get(status=RS.CONFIRMED, interpreter__user=interpreter)
    start = timezone.now() - timedelta(minutes=30)
    Request.objects.filter(pk=confirmed.pk).update(
        date=timezone.localdate(start), starts_at=start, ends_at=start + timedelta(minutes=90)
    )
    mobile.goto(live_server.url + reverse("interpreters:completion_record", args=[confirmed.pk]))
    _field(mobile, _t("Actual end", language)).fill(_local(timezone.now() + timedelta(hours=1)))
    _field(mobile, _t("Travel (km)", language)).fill("14")
    _field(mobile, _t("Notes", language)).fill("Stationnement payé; le rendez-vous a débuté en retard.")
    mobile.get_by_role("button", name=_t("Save", language)).click()
    error = mobile.locator("#id_actual_end_errors")
    assert error.inner_text().strip() == _t("The end cannot be in the future.", language)
    assert _field(mobile, _t("Actual end", language)).get_attribute("aria-invalid") == "true"
    assert _field(mobile, _t("Travel (km)", language)).input_value() == "14"
    assert "Stationnement payé" in _field(mobile, _t("Notes", language)).input_value()
    confirmed.refresh_from_db()
    assert confirmed.status == RS.CONFIRMED
    _field(mobile, _t("Actual end", language)).fill(_local(timezone.now() - timedelta(minutes=2)))
    mobile.get_by_role("button", name=_t("Save", language)).click()
    mobile.wait_for_url(re.compile(re.escape(reverse("interpreters:my_work")) + "$"))
    confirmed.refresh_from_db()
    assert confirmed.status == RS.COMPLETED
    phone.close()

    # The coordinator reads the notes on the page they validate from.
    page = context.new_page()
    _sign_in(context, live_server, coordinator, language, role="interpreters.coordinator")
    page.goto(live_server.url + confirmed.get_absolute_url())
    assert page.get_by_text("Stationnement payé; le rendez-vous a débuté en retard.").is_visible()
    page.get_by_role("button", name=_t("Validate the completion", language)).click()
    confirmed.refresh_from_db()
    assert confirmed.status == RS.VALIDATED

    # Their home page lists the requests' notices plainly, not under case-management columns.
    page.goto(live_server.url + reverse("portal:home"))
    notice = _t("Request %(number)s was completed: validate it", language, number=confirmed.number)
    assert page.get_by_role("link", name=notice).is_visible()
    assert page.locator("table.worklist-table").count() == 0

    # The suggestions for the waiting demo request are tens of kilometres away (Moncton area).
    waiting = Request.objects.get(status=RS.SUBMITTED, bank=offered.bank)
    page.goto(live_server.url + reverse("interpreters:assign", args=[waiting.pk]))
    cells = page.locator("table tbody tr td:nth-child(2)").all_inner_texts()
    distances = [float(cell.strip().replace(",", ".")) for cell in cells]
    assert distances and all(10 <= value <= 60 for value in distances), cells

    # The statement's Excel file is named after the statement.
    statement = Statement.objects.filter(kind="establishment").first()
    page.goto(live_server.url + reverse("interpreters:statement", args=[statement.pk]))
    page.get_by_role("button", name="Excel").click()
    heading = page.get_by_role("heading", level=1).inner_text()
    assert statement.number in heading
    with translation.override(language):
        assert str(statement.establishment.name) in heading
