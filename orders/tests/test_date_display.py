"""Dates on the service orders pages are ISO in lists and written out on records, in English as in
French; never 12/01/2026."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from portal import dates
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
        written = dates.long_date(order.effective_date)
    assert written in page
    assert SLASHED.findall(page) == []


def test_the_excel_export_holds_date_and_number_cells(world, django_capture_on_commit_callbacks):
    import io
    from decimal import Decimal

    from django.utils import timezone
    from openpyxl import load_workbook

    from orders.confirmations import services as confirmation_services
    from portal.models import Export

    world.offered()
    summary = world.activated()
    confirmation_services.confirm_month(
        actor=world.coordinator,
        order=summary.orders.get(),
        month=timezone.localdate(),
        units_delivered=Decimal("37.5"),
        km_delivered=Decimal("123.5"),
    )
    client = verified_client(world.both, membership=world.both_membership)

    def sheet(block):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("orders:dashboard_export", args=[block, "xlsx"]))
        export = Export.objects.latest("pk")
        content = b"".join(client.get(reverse("portal:export_download", args=[export.pk])).streaming_content)
        return list(load_workbook(io.BytesIO(content)).active.iter_rows())

    header, *rows = sheet("new")
    assert header[2].value == "Start date" and header[8].value == "Last modified"
    first = rows[0]
    assert first[2].is_date and first[2].number_format == "yyyy-mm-dd"
    assert first[3].is_date and first[8].is_date and first[8].number_format == "yyyy-mm-dd hh:mm"

    header, row = sheet("mileage")
    assert [cell.value for cell in header][-2:] == ["Units delivered", "Kilometres driven"]
    assert (row[-2].data_type, row[-2].value, row[-1].data_type, row[-1].value) == ("n", 37.5, "n", 123.5)


@pytest.mark.parametrize(
    ("language", "day", "moment"),
    [("en", "1 December 2026", "1 Dec. 2026, 14:05"), ("fr", "1er décembre 2026", "1er déc. 2026, 14:05")],
)
def test_the_review_rows_write_dates_and_times_not_their_iso_text(language, day, moment):
    from datetime import date, datetime, time
    from zoneinfo import ZoneInfo

    from django import forms

    from orders.reports.views import _review_items

    class _Form(forms.Form):
        occurred_on = forms.DateField(label="Date")
        occurred_at = forms.TimeField(label="Time")
        logged = forms.DateTimeField(label="Logged")

    form = _Form(data={})
    form.cleaned_data = {
        "occurred_on": date(2026, 12, 1),
        "occurred_at": time(14, 5),
        "logged": datetime(2026, 12, 1, 14, 5, tzinfo=ZoneInfo("America/Moncton")),
    }
    with translation.override(language):
        rows = dict(_review_items(form))
    assert rows == {"Date": day, "Time": "14:05", "Logged": moment}
