"""Issue 19, the interpreter bank's second pass, in French and English: the service record (notes
shown to the coordinator, an end in the future refused), offers as the interpreter's tasks, the
emails and SMS about a request (opened as sent)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy

from interpreters.models import Completion, InterpreterProfile, Modality, Request, RequestStatus
from interpreters.requests import services
from tests.helpers import verified_client

pytestmark = pytest.mark.django_db
RS = RequestStatus
MONCTON = ZoneInfo("America/Moncton")
NOW = datetime(2026, 11, 18, 14, 30, tzinfo=MONCTON)
LANGUAGES = ["fr", "en"]


@pytest.fixture(autouse=True)
def _mid_november(settings):
    settings.TIME_ZONE = "America/Moncton"
    with time_machine.travel(NOW, tick=False):
        yield


def _expected(message, language):
    with translation.override(language):
        return str(message)


def _client(user, membership, language):
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    return verified_client(user, membership=membership)


def _started(world, minutes_ago=120, **changes):
    """A confirmed request whose service began `minutes_ago` minutes ago (moved into the past)."""
    request = world.confirmed(**changes)
    start = timezone.now() - timedelta(minutes=minutes_ago)
    Request.objects.filter(pk=request.pk).update(
        date=timezone.localdate(start), starts_at=start, ends_at=start + timedelta(minutes=90)
    )
    request.refresh_from_db()
    return request


def _local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


# 1. The service record -------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_end_in_the_future_is_refused_next_to_the_field_and_nothing_typed_is_lost(world, language):
    request = _started(world, minutes_ago=30)
    client = _client(world.near.user, world.near_membership, language)
    response = client.post(
        reverse("interpreters:completion_record", args=[request.pk]),
        {
            "actual_start": _local(request.starts_at),
            "actual_end": _local(timezone.now() + timedelta(minutes=45)),
            "travel_km": "12,5" if language == "fr" else "12.5",
            "waiting_minutes": "7",
            "expenses": "0",
            "notes": "Arrivé par l'entrée B",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["actual_end"] == [
        _expected(gettext_lazy("The end cannot be in the future."), language)
    ]
    page = response.content.decode()
    # The message is next to its field (its own error list), and what was typed is still there.
    assert f'<ul class="errorlist" id="id_actual_end_errors"><li>{escape(form.errors["actual_end"][0])}</li>' in page
    assert 'value="{}"'.format("12,5" if language == "fr" else "12.5") in page
    assert escape("Arrivé par l'entrée B") in page
    request.refresh_from_db()
    assert request.status == RS.CONFIRMED
    assert not Completion.objects.exists()


def test_a_coordinator_cannot_correct_an_end_into_the_future_either(world):
    request = _started(world)
    services.record_completion(
        actor=world.near.user,
        request=request,
        actual_start=request.starts_at,
        actual_end=request.starts_at + timedelta(minutes=60),
        travel_km=0,
        waiting_minutes=0,
        expenses=0,
        notes="",
    )
    with pytest.raises(services.ActionError) as error:
        services.correct_completion(
            actor=world.coordinator,
            request=request,
            actual_start=request.starts_at,
            actual_end=timezone.now() + timedelta(minutes=1),
            travel_km=0,
            waiting_minutes=0,
            expenses=0,
            notes="",
        )
    assert list(error.value.error_dict) == ["actual_end"]
    assert Completion.objects.get().actual_end == request.starts_at + timedelta(minutes=60)


def test_an_end_up_to_now_is_recorded(world):
    request = _started(world)
    services.record_completion(
        actor=world.near.user,
        request=request,
        actual_start=request.starts_at,
        actual_end=timezone.now(),
        travel_km=0,
        waiting_minutes=0,
        expenses=0,
        notes="",
    )
    request.refresh_from_db()
    assert request.status == RS.COMPLETED


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_coordinator_reads_the_interpreters_notes_where_they_validate(world, language):
    request = _started(world)
    services.record_completion(
        actor=world.near.user,
        request=request,
        actual_start=request.starts_at,
        actual_end=request.starts_at + timedelta(minutes=95),
        travel_km=8,
        waiting_minutes=10,
        expenses=0,
        notes="Le rendez-vous a commencé 10 minutes en retard.\nStationnement payé.",
    )
    coordinator = _client(world.coordinator, world.coordinator_membership, language)
    page = coordinator.get(request.get_absolute_url()).content.decode()
    assert escape("Le rendez-vous a commencé 10 minutes en retard.") in page
    assert f"<dt>{_expected(gettext_lazy('Notes'), language)}</dt>" in page
    # The validate button is on the same page.
    assert reverse("interpreters:coordinator_action", args=[request.pk, "validate"]) in page
    # The interpreter reads what they wrote; the requester does not read the bank's notes.
    interpreter = _client(world.near.user, world.near_membership, language)
    assert escape("Stationnement payé.") in interpreter.get(request.get_absolute_url()).content.decode()
    requester = _client(world.requester, world.requester_membership, language)
    assert "Stationnement" not in requester.get(request.get_absolute_url()).content.decode()


# 2. Home pages: a waiting offer is the interpreter's task; no case-management columns ----------


def _home(client):
    return client.get(reverse("portal:home")).content.decode()


def _offer_title(request, language):
    return _expected(gettext_lazy("Answer the offer of request %(number)s"), language) % {
        "number": request.number
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_waiting_offer_is_a_task_on_the_interpreters_home_page_until_answered(world, language):
    offered = services.assign_interpreter(actor=world.coordinator, request=world.request(), interpreter=world.near)
    client = _client(world.near.user, world.near_membership, language)
    page = _home(client)
    assert escape(_offer_title(offered, language)) in page
    assert _expected(gettext_lazy("No task is due."), language) not in page
    assert f'href="{offered.get_absolute_url()}"' in page
    task = world.near.user.tasks.get()
    # Due the day before the service (three days ahead here).
    assert task.due_date == offered.date - timedelta(days=1)
    services.accept_offer(actor=world.near.user, request=offered)
    page = _home(client)
    assert escape(_offer_title(offered, language)) not in page
    assert _expected(gettext_lazy("No task is due."), language) in page


def test_an_offer_declined_taken_back_or_cancelled_leaves_no_open_task(world):
    declined = services.assign_interpreter(actor=world.coordinator, request=world.request(), interpreter=world.near)
    services.decline_offer(actor=world.near.user, request=declined, reason="Away")
    moved = services.assign_interpreter(
        actor=world.coordinator, request=world.request(start_time=timezone.datetime(2000, 1, 1, 14, 0).time()),
        interpreter=world.near,
    )
    services.assign_interpreter(actor=world.coordinator, request=moved, interpreter=world.far)
    cancelled = services.assign_interpreter(
        actor=world.coordinator, request=world.request(start_time=timezone.datetime(2000, 1, 1, 17, 0).time()),
        interpreter=world.near,
    )
    services.cancel_request(actor=world.requester, request=cancelled, reason="Rendez-vous déplacé")
    assert not world.near.user.tasks.filter(done_at__isnull=True).exists()
    assert world.near.user.tasks.filter(done_at__isnull=False).count() == 3
    # The request given to the other interpreter is now their task.
    (task,) = world.far.user.tasks.filter(done_at__isnull=True)
    assert task.link == moved.get_absolute_url()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_coordinators_home_lists_request_notices_without_case_management_columns(world, language):
    offered = services.assign_interpreter(actor=world.coordinator, request=world.request(), interpreter=world.near)
    services.accept_offer(actor=world.near.user, request=offered)
    page = _home(_client(world.coordinator, world.coordinator_membership, language))
    title = _expected(gettext_lazy("Request %(number)s was accepted: confirm it"), language) % {
        "number": offered.number
    }
    assert escape(title) in page
    assert "worklist-table" not in page
    for column in ("Program", "Person", "Record no."):
        assert f">{_expected(gettext_lazy(column), language)}</th>" not in page


# 3. Offer, change, confirmation and transfer emails and SMS -----------------------------------


@pytest.fixture
def outboxes(settings):
    from portal import sms

    settings.SMS_BACKEND = "portal.sms.LocmemBackend"
    sms.outbox.clear()
    mail.outbox.clear()
    return sms.outbox


def _speaks(user, language, phone="+15065550123"):
    user.preferred_language, user.phone = language, phone
    user.save(update_fields=["preferred_language", "phone"])


def _email_to(user):
    (email,) = [message for message in mail.outbox if user.email in message.to]
    return email, email.alternatives[0][0]


def _sms_to(outbox, user):
    return [message["body"] for message in outbox if message["to"] == str(user.phone)]


def _names(world):
    world.hospital.name_fr, world.hospital.name_en = "Hôpital régional Dumont", "Dumont Regional Hospital"
    world.hospital.save()


def _decision(world, language, modality=Modality.IN_PERSON):
    with translation.override(language):
        return [str(world.arabic.name), str(Modality(modality).label), str(world.hospital.name)]


PRIVATE = ("Suivi", "Paul", "514-555-0100", "rue Saint-Denis", "B-210", "514-555-0199")


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_offer_gives_the_interpreter_what_they_need_to_decide_and_nothing_personal(
    world, language, outboxes, django_capture_on_commit_callbacks
):
    _names(world)
    _speaks(world.near.user, language)
    request = world.request()
    with django_capture_on_commit_callbacks(execute=True):
        services.assign_interpreter(actor=world.coordinator, request=request, interpreter=world.near)
    email, html = _email_to(world.near.user)
    language_name, modality, establishment = _decision(world, language)
    for body in (email.body, html):
        assert request.number in body
        for value in (language_name, modality, establishment, "Hôpital H2X 0C1"):
            assert value in body
        assert _expected(gettext_lazy("Expected duration: %(duration)s minutes"), language) % {"duration": 90} in body
        for private in PRIVATE:
            assert private not in body
    assert _expected(gettext_lazy("Language: %(language)s"), language) % {"language": language_name} in email.body
    assert request.number in email.subject
    for value in (language_name, establishment, "Hôpital", *PRIVATE):
        assert value not in email.subject
    (text,) = _sms_to(outboxes, world.near.user)
    for value in (request.number, language_name, modality, establishment, "90 min"):
        assert value in text
    for private in PRIVATE:
        assert private not in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_phone_offer_gives_the_call_type_never_the_number_to_call(
    world, language, outboxes, django_capture_on_commit_callbacks
):
    _speaks(world.near.user, language)
    request = world.request(modality="phone", address="", postal_code="", remote_details="514-555-0199 poste 12")
    with django_capture_on_commit_callbacks(execute=True):
        services.assign_interpreter(actor=world.coordinator, request=request, interpreter=world.near)
    email, html = _email_to(world.near.user)
    _language_name, by_phone, _establishment = _decision(world, language, Modality.PHONE)
    (text,) = _sms_to(outboxes, world.near.user)
    for body in (email.body, html, text):
        assert by_phone in body
        assert "514-555-0199" not in body
    assert _expected(gettext_lazy("Place: %(place)s"), language).split("%")[0] not in email.body


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_change_tells_the_interpreter_which_details_changed(
    world, language, outboxes, django_capture_on_commit_callbacks
):
    _speaks(world.near.user, language)
    request = world.confirmed()
    mail.outbox.clear()
    outboxes.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.change_request(
            actor=world.requester, request=request, room="C-300", context="Suivi", contact_name="Paul"
        )
    email, html = _email_to(world.near.user)
    with translation.override(language):
        room = str(capfirst(Request._meta.get_field("room").verbose_name))
    what = _expected(gettext_lazy("What changed: %(changed)s"), language) % {"changed": room}
    assert what in email.body and what in html
    assert "C-300" not in email.body  # the values are read in Liaison
    (text,) = _sms_to(outboxes, world.near.user)
    assert room in text and request.number in text
    # Nothing changed: nobody is told.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.change_request(actor=world.requester, request=request, room="C-300")
    assert not mail.outbox


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_requesters_confirmation_names_the_interpreter(
    world, language, outboxes, django_capture_on_commit_callbacks
):
    _speaks(world.requester, language)
    world.near.user.first_name, world.near.user.last_name = "Nadia", "Haddad"
    world.near.user.save()
    with django_capture_on_commit_callbacks(execute=True):
        request = world.confirmed()
    email, html = _email_to(world.requester)
    assert "Nadia Haddad" in email.body and "Nadia Haddad" in html
    assert request.number in email.subject and "Haddad" not in email.subject


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_request_given_to_another_interpreter_tells_the_first_one_with_a_link_they_can_open(
    world, language, outboxes, django_capture_on_commit_callbacks
):
    _speaks(world.near.user, language)
    request = services.assign_interpreter(actor=world.coordinator, request=world.request(), interpreter=world.near)
    mail.outbox.clear()
    outboxes.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.assign_interpreter(actor=world.coordinator, request=request, interpreter=world.far)
    email, html = _email_to(world.near.user)
    when = _expected(gettext_lazy("Interpreter request %(number)s: given to another interpreter"), language)
    assert email.subject == when % {"number": request.number}
    link = settings.SITE_URL + reverse("interpreters:my_work")
    assert link in email.body and f'href="{link}"' in html
    (text,) = _sms_to(outboxes, world.near.user)
    assert request.number in text and link in text
    client = _client(world.near.user, world.near_membership, language)
    assert client.get(reverse("interpreters:my_work")).status_code == 200
    # The new interpreter's offer links to the request itself.
    offer, _html = _email_to(world.far.user)
    assert settings.SITE_URL + request.get_absolute_url() in offer.body


# 4. The statement's Excel file ------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_statement_excel_has_its_heading_header_row_lines_and_totals(
    world, language, django_capture_on_commit_callbacks
):
    import io

    from openpyxl import load_workbook

    from interpreters.models import Statement
    from portal.models import Export

    _names(world)
    first = world.validated()
    second = world.validated(start_time=timezone.datetime(2000, 1, 1, 15, 0).time())
    client = _client(world.coordinator, world.coordinator_membership, language)
    client.post(reverse("interpreters:statements"), {"month": "2026-11"})
    statement = Statement.objects.get(kind="establishment")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("interpreters:statement", args=[statement.pk]), {"format": "xlsx"})
    export = Export.objects.get()
    assert response["Location"] == reverse("portal:export", args=[export.pk])
    with translation.override(language):
        kind, month = str(statement.get_kind_display()), _expected(gettext_lazy("November"), language)
        establishment = str(world.hospital.name)
        labels = {text: str(gettext_lazy(text)) for text in ("Statement number", "Month", "Establishment", "Total")}
    # The export, and so the downloaded file, is named after the statement.
    assert export.name == f"{kind} {statement.number} – {establishment} – {month} 2026"
    download = client.get(reverse("portal:export_download", args=[export.pk]))
    assert statement.number.lower() in download["Content-Disposition"]
    page = client.get(reverse("portal:export", args=[export.pk])).content.decode()
    assert escape(export.name) in page
    # The export's page links back to its statement, by the file's name.
    with translation.override(language):
        back = str(gettext_lazy("Back to: %(name)s")) % {"name": escape(export.name)}
    assert f'<a href="{reverse("interpreters:statement", args=[statement.pk])}">{back}</a>' in page
    # The statement's page lists its files by name, each linking to its download.
    page = client.get(reverse("interpreters:statement", args=[statement.pk])).content.decode()
    download_url = reverse("portal:export_download", args=[export.pk])
    assert f'<a href="{download_url}">{escape(export.name)}<span class="visually-hidden"> (Excel)</span></a>' in page
    # Another person's files are not listed there.
    other = _client(world.far.user, world.far_membership, language)
    assert other.get(reverse("interpreters:statement", args=[statement.pk])).status_code == 403

    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == f"{kind} {statement.number}"
    assert rows[1][:2] == [labels["Statement number"], statement.number]
    assert rows[2][:2] == [labels["Month"], f"{month} 2026"]
    assert rows[3][:2] == [labels["Establishment"], establishment]
    with translation.override(language):
        from interpreters.exports import statement_rows

        headers, _lines = statement_rows(Statement.objects.get(pk=statement.pk))
    header_row = rows.index([str(header) for header in headers])
    lines = rows[header_row + 1 : -1]
    assert [line[0] for line in lines] == [first.number, second.number]
    total = rows[-1]
    assert total[0] == labels["Total"]
    assert total[9] == pytest.approx(float(statement.total))
    assert total[5] == sum(line[5] for line in lines)
    assert total[9] == pytest.approx(sum(line[9] for line in lines))


# 5. The demo ----------------------------------------------------------------------------------


def _load_demo():
    from interpreters import demo
    from portal.demo import load_demo_data

    organizations, users = load_demo_data()
    demo.load_demo_data({"organizations": organizations, "users": users})
    return organizations, users


@pytest.mark.parametrize(
    "instant",
    [
        datetime(2026, 12, 1, 0, 5, tzinfo=MONCTON),  # the first minutes of a month
        datetime(2026, 12, 31, 23, 55, tzinfo=MONCTON),  # the last of a year
        datetime(2027, 3, 14, 3, 30, tzinfo=MONCTON),  # the clocks went forward at 2:00
        datetime(2028, 2, 29, 21, 30, tzinfo=MONCTON),  # a leap day, in the evening
    ],
)
def test_the_demo_loads_on_any_date_with_nothing_done_in_the_future(instant):
    with time_machine.travel(instant, tick=False):
        _organizations, users = _load_demo()
        now = timezone.now()
        requests = Request.objects.all()
        assert set(requests.values_list("status", flat=True)) == set(RS.values)
        done = (RS.COMPLETED, RS.VALIDATED)
        assert not requests.filter(status__in=done, starts_at__gt=now).exists()
        assert not Completion.objects.filter(actual_end__gt=now).exists()
        assert not requests.filter(status__in=(RS.SUBMITTED, RS.ASSIGNED, RS.ACCEPTED, RS.CONFIRMED), starts_at__lte=now).exists()
        # The demo interpreter's waiting offer is on their home page.
        interpreter = users["interpreter@demo.liaison.ca"]
        offered = requests.get(status=RS.ASSIGNED)
        assert interpreter.tasks.filter(done_at__isnull=True, link=offered.get_absolute_url()).exists()


def test_the_demo_interpreters_live_tens_of_kilometres_from_the_demo_requests():
    from interpreters import selectors

    _load_demo()
    waiting = Request.objects.get(status=RS.SUBMITTED)
    rows = selectors.suggestions(waiting)
    assert rows, "the demo's Arabic request has suggestions"
    distances = [row["distance"] for row in rows]
    assert all(10 <= distance <= 60 for distance in distances), distances
    every = [
        selectors.distance_km(profile.home_postal_code, waiting.postal_code)
        for profile in InterpreterProfile.objects.all()
    ]
    assert all(distance is not None and distance <= 60 for distance in every), every
