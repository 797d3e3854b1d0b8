"""Landmarks of the pages issue 18 names, in French and in English: every region of a page has a
name of its own (axe's landmark-unique, a best-practice rule the WCAG suite does not run), and the
second-factor page starts with the cursor in its code field.

The demo data and live server are test_accessibility's (loaded once for the module)."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from tests.browser import language_cookie, session_cookie
from tests.registry import WORKER
from tests.test_accessibility import served  # noqa: F401 (the module's live server and demo data)

pytestmark = [pytest.mark.browser]

AXE = Axe()
FINANCE_AND_COORDINATION = "financecoord@demo.liaison.ca"


def _summary(world, status):
    from orders.models import OrderSummary

    return (
        OrderSummary.objects.filter(provider=world["organizations"]["provider"], status=status)
        .order_by("pk")
        .first()
    )


PAGES = [
    # The worker's summary page: its orders and its monthly confirmations are two tables.
    (
        "orders-summary-worker",
        WORKER,
        lambda w: reverse("orders:summary", args=[_summary(w, "activated").pk]),
        2,
    ),
    (
        "orders-summary-provider",
        FINANCE_AND_COORDINATION,
        lambda w: reverse("orders:summary", args=[_summary(w, "activated").pk]),
        1,
    ),
]


def _open(live_server, context, world, account, path, language, *, verified=True):
    user = world["users"][account]
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    context.add_cookies(
        [language_cookie(live_server.url, language), session_cookie(live_server.url, user, verified=verified)]
    )
    page = context.new_page()
    response = page.goto(live_server.url + path)
    assert response.status == 200
    assert page.locator("html").get_attribute("lang") == language
    return page


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize(("name", "account", "path", "tables"), PAGES, ids=[spec[0] for spec in PAGES])
def test_each_region_of_the_page_has_a_name_of_its_own(
    served,  # noqa: F811
    context,
    name,
    account,
    path,
    tables,
    language,
):
    live_server, world = served
    page = _open(live_server, context, world, account, path(world), language)

    results = AXE.run(page, options={"runOnly": {"type": "rule", "values": ["landmark-unique"]}})

    assert results.violations_count == 0, results.generate_report()
    names = page.eval_on_selector_all(
        "[role=region]", "nodes => nodes.map(node => node.getAttribute('aria-label'))"
    )
    assert len(names) >= tables and len(set(names)) == len(names), names


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_second_factor_page_starts_in_the_code_field(served, context, language):  # noqa: F811
    live_server, world = served
    page = _open(live_server, context, world, WORKER, reverse("portal:mfa_verify"), language, verified=False)

    assert page.evaluate("document.activeElement.id") == "id_code"
    page.keyboard.type("12")
    assert page.input_value("#id_code") == "12"
