"""Issue 20 (browser walk): Chromium shows the site's icon and no page 404s /favicon.ico."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_browser_finds_the_icon(live_server, context, language):
    from tests.browser import language_cookie

    context.add_cookies([language_cookie(live_server.url, language)])
    page = context.new_page()
    missing = []
    page.on("response", lambda response: missing.append(response.url) if response.status == 404 else None)
    page.goto(live_server.url + "/accounts/login/")
    href = page.locator('link[rel="icon"]').get_attribute("href")
    icon = page.request.get(live_server.url + href)
    assert icon.status == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    legacy = page.request.get(live_server.url + "/favicon.ico")  # followed to the SVG
    assert legacy.status == 200 and legacy.headers["content-type"].startswith("image/svg+xml")
    assert not missing
