"""The one PDF and the one calendar helper."""

from datetime import UTC, datetime
from io import BytesIO

from icalendar import Calendar
from pypdf import PdfReader

from portal.documents import CalendarEvent, calendar_file, pdf


def test_calendar_file_reads_back():
    data = calendar_file(
        CalendarEvent(
            uid="IR-000101",
            summary="IR-000101 – Arabe",
            starts_at=datetime(2027, 3, 14, 14, 0, tzinfo=UTC),
            ends_at=datetime(2027, 3, 14, 15, 30, tzinfo=UTC),
            location="Hôpital, 1 rue Main",
        ),
        product="Interpreter bank",
    )
    calendar = Calendar.from_ical(data)
    (event,) = calendar.walk("VEVENT")
    assert str(event["summary"]) == "IR-000101 – Arabe"
    assert str(event["location"]) == "Hôpital, 1 rue Main"
    assert event.decoded("dtend") - event.decoded("dtstart") == (
        datetime(2027, 3, 14, 15, 30, tzinfo=UTC) - datetime(2027, 3, 14, 14, 0, tzinfo=UTC)
    )
    assert str(event["uid"]).startswith("IR-000101@")
    assert "url" not in event
    assert str(calendar["prodid"]) == "-//Liaison//Interpreter bank//FR"


def test_pdf_is_a_tagged_pdf():
    data = pdf("<html lang='fr'><body><h1>Plan d'action</h1><p>Élève</p></body></html>")
    reader = PdfReader(BytesIO(data))
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged: its structure is read aloud
    assert "Élève" in reader.pages[0].extract_text()
