"""The files Liaison produces besides spreadsheets (portal.exports): PDFs and calendar events.

One way to make each: `pdf(html)` for every printable page (plans, letters, statements), and
`calendar_file(...)` for every .ics (an appointment, an interpreter's assignment)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import timezone


def pdf(html: str) -> bytes:
    """A tagged PDF of the HTML (screen readers follow its structure). Run by the worker: heavy."""
    from weasyprint import HTML  # loaded by the worker when it first builds a PDF

    return HTML(string=html).write_pdf(pdf_tags=True)


@dataclass(frozen=True)
class CalendarEvent:
    uid: str  # unique and stable for the record: an update replaces the event in the calendar
    summary: str
    starts_at: datetime
    ends_at: datetime
    location: str = ""
    url: str = ""


def _host() -> str:
    return settings.SITE_URL.split("//")[-1].split("/")[0] or "liaison"


def calendar_file(event: CalendarEvent, *, product: str) -> bytes:
    """The .ics of one event (no health details: the summary says what and the record's number)."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", f"-//Liaison//{product}//FR")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    component = Event()
    component.add("uid", f"{event.uid}@{_host()}")
    component.add("dtstamp", timezone.now())
    component.add("dtstart", event.starts_at)
    component.add("dtend", event.ends_at)
    component.add("summary", event.summary)
    if event.location:
        component.add("location", event.location)
    if event.url:
        component.add("url", event.url)
    calendar.add_component(component)
    return calendar.to_ical()
