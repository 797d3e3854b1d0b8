"""Issue 20 (browser walk): on the public booking pages the "Liaison" brand leads to the clinic's
public page, not to the staff sign-in ("/"); the staff pages keep it to their home."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from appointments.tests.conftest import open_online_booking

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)


def _brand(page):
    found = re.findall(r'<a class="brand" href="([^"]*)">Liaison</a>', page.content.decode())
    assert len(found) == 1, page.content.decode()[:2000]
    return found[0]


@time_machine.travel(NOW, tick=False)
def test_the_brand_of_the_public_pages_leads_to_the_clinics_public_page(world, public):
    open_online_booking(world)
    home = reverse("appointments:public_page", args=[world.clinic.pk])
    pages = [
        home,
        reverse("appointments:public_search", args=[world.clinic.pk]) + f"?service={world.first.pk}",
        reverse("appointments:public_cancel", args=[world.clinic.pk]),
        reverse("appointments:public_waitlist", args=[world.clinic.pk, world.first.pk]),
    ]
    for url in pages:
        page = public.get(url)
        assert page.status_code == 200, url
        assert _brand(page) == home, url


def test_the_staff_pages_keep_the_brand_to_their_home(public):
    page = public.get(reverse("account_login"))
    assert page.status_code == 200
    assert _brand(page) == reverse("portal:home")
