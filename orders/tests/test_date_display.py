"""Dates on the service orders pages are ISO in lists and written out on records, in English as in
French; never 12/01/2026."""

import re

import pytest
from django.urls import reverse
from django.utils import formats, translation

from tests.helpers import verified_client

SLASHED = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_lists_and_the_order_page_show_no_slashed_date(world, language):
    summary = world.activated(client_name="Brighton Early")
    order = summary.orders.get()
    world.worker.preferred_language = language
    world.worker.save(update_fields=["preferred_language"])
    worker = verified_client(world.worker, membership=world.worker_membership)

    listing = worker.get(reverse("orders:department_list")).content.decode()
    assert summary.start_date.isoformat() in listing and summary.end_date.isoformat() in listing
    assert SLASHED.findall(listing) == []

    page = worker.get(reverse("orders:order", args=[order.pk])).content.decode()
    with translation.override(language):
        written = formats.date_format(order.effective_date, "j F Y")
    assert written in page
    assert SLASHED.findall(page) == []
