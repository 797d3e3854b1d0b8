"""Issue 20 (browser walk): every page 404'd /favicon.ico. The pages link an SVG icon, and
/favicon.ico (asked by browsers whatever the page links) leads to it, signed in or not."""

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.test import Client

pytestmark = pytest.mark.django_db

ICON = "img/favicon.svg"


def test_it_redirects_favicon_ico_to_the_svg_icon_without_signing_in():
    response = Client().get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == static(ICON)


def test_the_icon_is_a_small_svg():
    path = finders.find(ICON)
    assert path, "static/img/favicon.svg is missing"
    with open(path, encoding="utf-8") as icon:
        text = icon.read()
    assert text.lstrip().startswith("<svg") and 'xmlns="http://www.w3.org/2000/svg"' in text
    assert len(text.encode()) < 2048


@pytest.mark.parametrize("language", ["en", "fr"])
def test_pages_link_the_icon(language):
    page = Client(HTTP_ACCEPT_LANGUAGE=language).get("/accounts/login/").content.decode()
    assert f'<link rel="icon" href="{static(ICON)}" type="image/svg+xml">' in page


def test_the_icon_is_served():
    response = Client().get(static(ICON))  # whitenoise, as in production
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
