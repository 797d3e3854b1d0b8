"""Service orders in real Chromium: the department offers, the provider accepts one offer, declines
another and logs each kind of service report, in French and in English."""

import re

import pytest
from django.urls import reverse
from django.utils import formats, timezone, translation
from playwright.sync_api import expect

from orders.models import OrderSummary, ReportKind, ServiceReport, SummaryStatus
from portal.demo import load_all_demo_data
from tests.browser import language_cookie, session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "fr": {
        "new": "Nouveau résumé de commande",
        "save": "Enregistrer le brouillon",
        "offer": "Offrir au fournisseur",
        "answer": "Accepter ou refuser ce résumé de la commande",
        "accept": "Accepter la demande",
        "decline": "Refuser la demande",
        "next": "Suivant",
        "reason": "Raison du refus de la demande",
        "submit": "Soumettre",
        "finish": "Terminer",
        "incident": "Consigner l'incident",
        "observation": "Consigner un changement des observations",
        "change": "Enregistrer une demande de changement",
        "misc": "Enregistrer une demande",
        "description": "Description",
        "thanks": "Merci",
        "activated": "Activé",
        "back": "Retour",
        "confirm": "Confirmer",
    },
    "en": {
        "new": "New order summary",
        "save": "Save the draft",
        "offer": "Offer to the provider",
        "answer": "Accept or decline this order summary",
        "accept": "Accept the request",
        "decline": "Decline the request",
        "next": "Next",
        "reason": "Reason for declining the request",
        "submit": "Submit",
        "finish": "Finish",
        "incident": "Log an incident",
        "observation": "Log an observation change",
        "change": "Log a change request",
        "misc": "Log a request",
        "description": "Description",
        "thanks": "Thank you",
        "activated": "Activated",
        "back": "Back",
        "confirm": "Confirm",
    },
}


@pytest.fixture
def demo():
    return load_all_demo_data()


def as_user(context, live_server, user, language):
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    context.clear_cookies()
    context.add_cookies([language_cookie(live_server.url, language), session_cookie(live_server.url, user)])


def select_by_text(page, label, text):
    select = page.get_by_label(label, exact=False).first
    value = select.locator("option", has_text=text).first.get_attribute("value")
    select.select_option(value)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_offer_accept_decline_and_every_report(live_server, context, demo, language):
    organizations, users = demo
    words = WORDS[language]
    page = context.new_page()
    worker = users["worker@demo.liaison.ca"]
    coordinator = users["financecoord@demo.liaison.ca"]

    # The department creates two summaries and offers them to Horizon Home Care.
    as_user(context, live_server, worker, language)
    numbers = []
    for client in ("Brighton Early", "Mélissa Rachyl"):
        page.goto(live_server.url + reverse("orders:department_list"))
        page.get_by_role("link", name=words["new"]).click()
        provider = organizations["provider"]
        page.locator("#id_provider").select_option(str(provider.pk))
        page.locator("#id_client_name").fill(client)
        page.locator("#id_service").select_option(index=1)
        page.locator("#id_zone").select_option(index=1)
        page.locator("#id_service_centre").select_option(index=1)
        today = timezone.localdate()
        page.locator("#id_start_date").fill(today.isoformat())
        page.locator("#id_end_date").fill(today.replace(year=today.year + 1).isoformat())
        page.locator("#id_effective_date").fill(today.isoformat())
        page.locator("#id_base_units").fill("35")
        page.locator("#id_base_rate").fill("30.09")
        page.get_by_role("button", name=words["save"]).click()
        page.get_by_role("button", name=words["offer"]).click()
        number = re.search(r"OS-\d{7}", page.locator("h1").inner_text()).group(0)
        numbers.append(number)
        assert OrderSummary.objects.get(number=number).status == SummaryStatus.OFFERED

    # The provider accepts the first offer with the guide's two steps, by keyboard.
    as_user(context, live_server, coordinator, language)
    page.goto(live_server.url + reverse("orders:requests") + "?tab=offered")
    page.get_by_role("link", name=numbers[0]).click()
    # The guide's choice sits on the summary page itself: Accept or Decline, then Next.
    page.get_by_label(words["accept"]).check()
    page.get_by_role("button", name=words["next"]).click()
    page.get_by_role("button", name=words["accept"]).press("Enter")
    page.wait_for_url(re.compile(r"/orders/summaries/\d+/$"))
    assert words["activated"] in page.locator("main").inner_text()
    accepted = OrderSummary.objects.get(number=numbers[0])
    assert accepted.status == SummaryStatus.ACTIVATED

    # ... and declines the second one, with the reason the guide requires.
    page.goto(
        live_server.url + reverse("orders:respond", args=[OrderSummary.objects.get(number=numbers[1]).pk])
    )
    page.get_by_label(words["decline"]).check()
    page.get_by_role("button", name=words["next"]).click()
    page.get_by_role("button", name=words["decline"]).click()
    expect(page.locator("#id_reason_errors")).to_be_visible()
    page.get_by_label(words["reason"]).fill("No staff in that area")
    page.get_by_role("button", name=words["decline"]).click()
    page.wait_for_url(live_server.url + "/")
    assert OrderSummary.objects.get(number=numbers[1]).status == SummaryStatus.DECLINED

    # Each kind of service report on the accepted order.
    order = accepted.orders.get()
    order_url = live_server.url + reverse("orders:order", args=[order.pk])

    page.goto(order_url)
    page.get_by_role("link", name=words["incident"]).click()
    page.locator("input[name=types]").first.check()
    page.locator("input[name=measures]").first.check()
    page.locator("#id_description").fill("Fall in the bathroom")
    page.locator("#id_urgency").select_option("high")
    page.locator("#id_location").select_option("home")
    page.locator("#id_occurred_on").fill(timezone.localdate().isoformat())
    page.locator("#id_occurred_at").fill("10:30")
    page.get_by_role("button", name=words["submit"]).click()
    assert words["thanks"] in page.locator("main").inner_text()
    page.get_by_role("link", name=words["finish"]).click()

    page.get_by_role("link", name=words["observation"]).click()
    page.locator("input[name=types]").first.check()
    page.locator("#id_occurred_on").fill(timezone.localdate().isoformat())
    page.locator("#id_occurred_at").fill("09:00")
    page.locator("#id_description").fill("Walks less")
    page.locator("#id_location").select_option("home")
    page.get_by_role("button", name=words["submit"]).click()
    page.get_by_role("link", name=words["finish"]).click()

    page.get_by_role("link", name=words["change"]).click()
    page.locator("#id_category").select_option(index=1)
    page.get_by_role("button", name=words["next"]).click()
    page.locator("input[name=types]").first.check()
    page.locator("#id_description").fill("Two more hours a week")
    # The guide's review step: what was typed, then Next; Back keeps it all.
    page.get_by_role("button", name=words["next"]).click()
    assert "Two more hours a week" in page.locator("#review").inner_text()
    assert not ServiceReport.objects.filter(order=order, kind=ReportKind.CHANGE).exists()
    page.get_by_role("button", name=words["back"]).click()
    assert page.locator("#id_description").input_value() == "Two more hours a week"
    assert page.locator("input[name=types]").first.is_checked()
    page.get_by_role("button", name=words["next"]).click()
    page.get_by_role("button", name=words["next"]).click()
    assert words["thanks"] in page.locator("main").inner_text()

    # A miscellaneous request once the order is terminated.
    from orders.summaries import services as summary_services

    summary_services.terminate_summary(actor=worker, summary=accepted)
    page.goto(order_url)
    page.get_by_role("link", name=words["misc"], exact=True).click()
    page.locator("#id_description").fill("Question about the last invoice")
    page.get_by_role("button", name=words["submit"]).click()
    assert words["thanks"] in page.locator("main").inner_text()

    kinds = sorted(ServiceReport.objects.filter(order=order).values_list("kind", flat=True))
    assert kinds == sorted(ReportKind.values)


# What a person types on their keyboard (press_sequentially, not fill), as each language writes it.
DECIMALS = {
    "fr": {"rate": "30,09", "units": "37,5", "km": "1 123,5", "km_shown": "1 123,5"},
    "en": {"rate": "30.09", "units": "37.5", "km": "1123.5", "km_shown": "1,123.5"},
}


@pytest.mark.parametrize("language", ["fr", "en"])
def test_decimals_are_recorded_as_typed_in_each_language(live_server, context, demo, language):
    """A French "37,5" is 37.5, never 375 (what <input type="number"> made of it in Chromium)."""
    from decimal import Decimal

    from orders.models import MonthlyConfirmation
    from orders.offers import services as offer_services

    organizations, users = demo
    typed = DECIMALS[language]
    words = WORDS[language]
    page = context.new_page()
    worker = users["worker@demo.liaison.ca"]
    coordinator = users["financecoord@demo.liaison.ca"]

    # The department types the base rate of a new summary.
    as_user(context, live_server, worker, language)
    page.goto(live_server.url + reverse("orders:department_list"))
    page.get_by_role("link", name=words["new"]).click()
    page.locator("#id_provider").select_option(str(organizations["provider"].pk))
    page.locator("#id_client_name").fill("Brighton Early")
    page.locator("#id_service").select_option(index=1)
    page.locator("#id_zone").select_option(index=1)
    page.locator("#id_service_centre").select_option(index=1)
    today = timezone.localdate()
    page.locator("#id_start_date").fill(today.isoformat())
    page.locator("#id_end_date").fill(today.replace(year=today.year + 1).isoformat())
    page.locator("#id_effective_date").fill(today.isoformat())
    page.locator("#id_base_units").press_sequentially("35")
    page.locator("#id_base_rate").press_sequentially(typed["rate"])
    page.get_by_role("button", name=words["save"]).click()
    page.get_by_role("button", name=words["offer"]).click()
    number = re.search(r"OS-\d{7}", page.locator("h1").inner_text()).group(0)
    summary = OrderSummary.objects.get(number=number)
    order = summary.orders.get()
    assert order.base_rate == Decimal("30.09")

    # The provider confirms the month: units and kilometres with decimals.
    offer_services.accept_summary(actor=coordinator, summary=summary)
    as_user(context, live_server, coordinator, language)
    page.goto(live_server.url + reverse("orders:confirm_month", args=[order.pk]))
    page.locator("#id_month").fill(today.strftime("%Y-%m"))
    submit = page.locator("main form button[type=submit]")
    if language == "en":
        # An English comma could be a thousands separator: refused next to the field, nothing saved.
        page.locator("#id_units_delivered").press_sequentially("37,5")
        page.locator("#id_km_delivered").fill("")
        page.locator("#id_km_delivered").press_sequentially("0")
        submit.click()
        assert "can be read in more than one way" in page.locator("#id_units_delivered_errors").inner_text()
        assert not MonthlyConfirmation.objects.filter(order=order).exists()
    page.locator("#id_units_delivered").fill("")
    page.locator("#id_units_delivered").press_sequentially(typed["units"])
    page.locator("#id_km_delivered").fill("")
    page.locator("#id_km_delivered").press_sequentially(typed["km"])
    submit.click()
    # The review step: the figures as the language writes them and the month by its name; Back
    # keeps what was typed; nothing is recorded before Confirm.
    question = page.locator("#month-question").inner_text()
    shown = question.replace("\u202f", " ").replace("\xa0", " ")
    assert typed["units"] in shown and typed["km_shown"] in shown
    with translation.override(language):
        assert formats.date_format(today.replace(day=1), "F Y") in question
    assert not MonthlyConfirmation.objects.filter(order=order).exists()
    page.get_by_role("button", name=words["back"]).click()
    assert page.locator("#id_units_delivered").input_value() == typed["units"]
    submit.click()
    page.get_by_role("button", name=words["confirm"], exact=True).click()
    page.wait_for_url(re.compile(r"/orders/orders/\d+/$"))
    confirmation = MonthlyConfirmation.objects.get(order=order)
    assert (confirmation.units_delivered, confirmation.km_delivered) == (Decimal("37.5"), Decimal("1123.5"))


@pytest.mark.parametrize("language", ["fr", "en"])
def test_names_sort_as_letters_and_dates_read_one_way(live_server, context, demo, language):
    """Sorted by account name, Élise sits with the E's and Gérard before Gisèle; no date reads
    as 12/01/2026 in either language."""
    from portal.db import fold

    organizations, users = demo
    as_user(context, live_server, users["worker@demo.liaison.ca"], language)
    page = context.new_page()
    page.goto(live_server.url + reverse("orders:department_list") + "?sort=client_name&per_page=100")
    header = {"fr": "Nom du compte", "en": "Account name"}[language]
    headers = [text.strip() for text in page.locator("table thead th").all_inner_texts()]
    column = next(index for index, text in enumerate(headers) if text.startswith(header)) + 1
    names = [
        text.strip() for text in page.locator(f"table tbody tr td:nth-child({column})").all_inner_texts()
    ]
    assert len(names) > 10
    assert names == sorted(names, key=fold)
    assert any(name.startswith("Élise") for name in names)
    text = page.locator("main").inner_text()
    assert not re.search(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b", text)
    assert re.search(r"\b20\d\d-\d\d-\d\d\b", text)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_ended_offer_expired_block_and_a_corrected_month(live_server, context, demo, language):
    """Accepting an offer whose period is over asks first; the dashboard's expired block lists
    the ended ones; a recorded month is corrected until the department acknowledges it."""
    from decimal import Decimal

    from orders.confirmations import services as confirmation_services
    from orders.models import MonthlyConfirmation
    from orders.summaries import services as summary_services

    organizations, users = demo
    words = WORDS[language]
    page = context.new_page()
    coordinator = users["financecoord@demo.liaison.ca"]
    worker = users["worker@demo.liaison.ca"]
    today = timezone.localdate()
    ended = (
        OrderSummary.objects.filter(
            provider=organizations["provider"], status=SummaryStatus.OFFERED, end_date__lt=today
        )
        .order_by("pk")
        .first()
    )
    assert ended is not None  # the demo has one on any date

    as_user(context, live_server, coordinator, language)
    page.goto(live_server.url + reverse("orders:respond", args=[ended.pk]))
    page.get_by_label(words["accept"]).check()
    page.get_by_role("button", name=words["next"]).click()
    expect(page.locator("#period-over-notice")).to_be_visible()
    page.get_by_role("button", name=words["accept"]).click()
    expect(page.locator("#id_period_over_errors")).to_be_visible()
    ended.refresh_from_db()
    assert ended.status == SummaryStatus.OFFERED
    page.locator("input[name=period_over]").check()
    page.get_by_role("button", name=words["accept"]).click()
    page.wait_for_url(re.compile(r"/orders/summaries/\d+/$"))
    ended.refresh_from_db()
    assert ended.status == SummaryStatus.ACTIVATED

    # The hourly job expires it: the dashboard's expired block lists it, the active one does not.
    assert summary_services.expire_ended_summaries() >= 1
    page.goto(live_server.url + reverse("orders:dashboard"))
    expect(page.locator("#block-all")).to_be_visible()
    expect(page.locator("#block-expired")).to_be_visible()
    page.goto(live_server.url + reverse("orders:dashboard_report", args=["expired"]))
    assert ended.number in page.locator("main").inner_text()
    page.goto(live_server.url + reverse("orders:dashboard_report", args=["activated"]))
    assert ended.number not in page.locator("main").inner_text()

    # A recorded month, corrected from the order page, then acknowledged by the department.
    order = ended.orders.get()
    month = ended.end_date.replace(day=1)
    confirmation = MonthlyConfirmation.objects.filter(order=order, month=month).first() or (
        confirmation_services.confirm_month(
            actor=coordinator, order=order, month=month, units_delivered=Decimal(40), km_delivered=Decimal(0)
        )
    )
    page.goto(live_server.url + reverse("orders:order", args=[order.pk]))
    page.locator(f'a[href="{reverse("orders:confirmation", args=[confirmation.pk])}"]').click()
    page.locator(f'a[href="{reverse("orders:confirmation_correct", args=[confirmation.pk])}"]').click()
    typed = {"fr": "41,5", "en": "41.5"}[language]
    page.locator("#id_units_delivered").fill("")
    page.locator("#id_units_delivered").press_sequentially(typed)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/orders/confirmations/\d+/$"))
    assert f"→ {typed}" in page.locator("main").inner_text()
    confirmation.refresh_from_db()
    assert confirmation.units_delivered == Decimal("41.5")

    as_user(context, live_server, worker, language)
    page.goto(live_server.url + reverse("orders:confirmation", args=[confirmation.pk]))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    confirmation.refresh_from_db()
    assert confirmation.acknowledged_at is not None
    as_user(context, live_server, coordinator, language)
    page.goto(live_server.url + reverse("orders:confirmation", args=[confirmation.pk]))
    expect(page.locator("#correction-notice")).to_be_visible()
    assert (
        page.locator(f'a[href="{reverse("orders:confirmation_correct", args=[confirmation.pk])}"]').count()
        == 0
    )


@pytest.mark.parametrize("language", ["fr", "en"])
def test_care_coordination_exports_the_order_lists_not_the_mileage(live_server, context, demo, language):
    from portal.models import Export

    organizations, users = demo
    coordination = users["coordination@demo.liaison.ca"]
    as_user(context, live_server, coordination, language)
    page = context.new_page()
    page.goto(live_server.url + reverse("orders:dashboard"))
    mileage = reverse("orders:dashboard_export", args=["mileage", "csv"])
    assert page.locator(f'form[action="{mileage}"]').count() == 0
    expired = reverse("orders:dashboard_export", args=["expired", "csv"])
    page.locator(f'form[action="{expired}"] button').click()
    page.wait_for_load_state()
    assert Export.objects.filter(user=coordination).count() == 1
