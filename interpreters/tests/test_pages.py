"""The interpreter bank's screens through the test client: who sees what, forms, files."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from interpreters.models import Registration, Request, RequestStatus, Statement
from interpreters.requests import services
from portal.models import Export
from tests.helpers import assert_constant_queries, verified_client

pytestmark = pytest.mark.django_db
RS = RequestStatus


@pytest.fixture
def requester(world):
    return verified_client(world.requester, membership=world.requester_membership)


@pytest.fixture
def coordinator(world):
    return verified_client(world.coordinator, membership=world.coordinator_membership)


@pytest.fixture
def interpreter(world):
    return verified_client(world.near.user, membership=world.near_membership)


def _form(world, **changes):
    data = {
        "language": world.arabic.pk,
        "date": (timezone.localdate() + timedelta(days=3)).isoformat(),
        "start_time": "10:00",
        "duration_minutes": "90",
        "modality": "in_person",
        "site_name": "Hôpital",
        "address": "1000, rue Saint-Denis",
        "postal_code": "h2x0c1",
        "service_type": world.medical.pk,
        "participants": "2",
        "contact_name": "Paul",
        "contact_phone": "514-555-0100",
        "cost_centre": world.centre.pk,
    }
    data.update(changes)
    return data


def test_a_requester_creates_a_request(world, requester):
    response = requester.post(reverse("interpreters:request_create"), _form(world))
    request = Request.objects.get()
    assert response["Location"] == request.get_absolute_url()
    assert request.postal_code == "H2X 0C1"
    assert request.establishment == world.hospital


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"date": "2001-01-01"}, "date"),
        ({"language": "999999"}, "language"),
        ({"language": "²"}, "language"),
        ({"duration_minutes": "5"}, "duration_minutes"),
        ({"cost_centre": "abc"}, "cost_centre"),
        ({"postal_code": "12345"}, "postal_code"),
        ({"modality": "phone", "remote_details": ""}, "remote_details"),
        ({"gender_preference": "woman", "preference_reason": ""}, "preference_reason"),
    ],
)
def test_bad_input_is_refused_next_to_the_field(world, requester, changes, field):
    response = requester.post(reverse("interpreters:request_create"), _form(world, **changes))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Request.objects.exists()


def test_another_establishments_cost_centre_is_not_a_choice(world, requester):
    response = requester.post(
        reverse("interpreters:request_create"), _form(world, cost_centre=world.other_centre.pk)
    )
    assert "cost_centre" in response.context["form"].errors


def test_requesters_see_their_establishments_requests_only(world, requester):
    mine = world.request()
    theirs = services.create_request(
        actor=world.other_requester,
        establishment=world.clinic,
        **world.values(cost_centre=world.other_centre),
    )[0]
    assert requester.get(mine.get_absolute_url()).status_code == 200
    assert requester.get(theirs.get_absolute_url()).status_code == 404
    listing = requester.get(reverse("interpreters:request_list"))
    assert [row.record for row in listing.context["table"].page.object_list] == [mine]


def test_interpreters_see_only_their_own_assignments(world, interpreter):
    offered = services.assign_interpreter(
        actor=world.coordinator, request=world.request(), interpreter=world.near
    )
    other = world.request(start_time=timezone.datetime(2000, 1, 1, 14, 0).time())
    assert interpreter.get(offered.get_absolute_url()).status_code == 200
    assert interpreter.get(other.get_absolute_url()).status_code == 404
    work = interpreter.get(reverse("interpreters:my_work"))
    assert offered.number in work.content.decode()


def test_the_coordinator_assigns_from_the_suggestions(world, coordinator):
    request = world.request()
    page = coordinator.get(reverse("interpreters:assign", args=[request.pk]))
    assert [row["interpreter"] for row in page.context["suggested"]] == [world.near, world.far]
    coordinator.post(reverse("interpreters:assign", args=[request.pk]), {"interpreter": world.near.pk})
    request.refresh_from_db()
    assert (request.status, request.interpreter) == (RS.ASSIGNED, world.near)
    for value in ("", "abc", "²", "99999"):
        response = coordinator.post(reverse("interpreters:assign", args=[request.pk]), {"interpreter": value})
        assert response.status_code == 200


def test_an_overlapping_assignment_gets_a_clear_message(world, coordinator):
    first = world.request()
    services.assign_interpreter(actor=world.coordinator, request=first, interpreter=world.near)
    second = world.request()
    response = coordinator.post(
        reverse("interpreters:assign", args=[second.pk]), {"interpreter": world.near.pk}, follow=True
    )
    assert "already holds an assignment at that time" in response.content.decode()
    second.refresh_from_db()
    assert second.status == RS.SUBMITTED


def test_the_interpreter_accepts_declines_and_downloads_the_calendar(world, interpreter):
    offered = services.assign_interpreter(
        actor=world.coordinator, request=world.request(), interpreter=world.near
    )
    interpreter.post(reverse("interpreters:offer_answer", args=[offered.pk, "accept"]))
    offered.refresh_from_db()
    assert offered.status == RS.ACCEPTED
    ics = interpreter.get(reverse("interpreters:request_ics", args=[offered.pk]))
    assert ics["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VEVENT" in ics.content and offered.number.encode() in ics.content
    second = services.assign_interpreter(
        actor=world.coordinator,
        request=world.request(start_time=timezone.datetime(2000, 1, 1, 15, 0).time()),
        interpreter=world.near,
    )
    response = interpreter.post(
        reverse("interpreters:offer_answer", args=[second.pk, "decline"]), {"reason": ""}
    )
    assert "reason" in response.context["form"].errors
    interpreter.post(reverse("interpreters:offer_answer", args=[second.pk, "decline"]), {"reason": "Away"})
    second.refresh_from_db()
    assert second.status == RS.DECLINED


def test_the_interpreter_records_the_service(world, interpreter):
    request = world.confirmed()
    start = timezone.now() - timedelta(hours=3)
    Request.objects.filter(pk=request.pk).update(starts_at=start, ends_at=start + timedelta(minutes=90))
    url = reverse("interpreters:completion_record", args=[request.pk])
    response = interpreter.post(
        url,
        {
            "actual_start": timezone.localtime(start).strftime("%Y-%m-%dT%H:%M"),
            "actual_end": timezone.localtime(start - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "travel_km": "5",
            "waiting_minutes": "0",
            "expenses": "0",
        },
    )
    assert "actual_end" in response.context["form"].errors
    interpreter.post(
        url,
        {
            "actual_start": timezone.localtime(start).strftime("%Y-%m-%dT%H:%M"),
            "actual_end": timezone.localtime(start + timedelta(minutes=95)).strftime("%Y-%m-%dT%H:%M"),
            "travel_km": "5",
            "waiting_minutes": "10",
            "expenses": "3.50",
        },
    )
    request.refresh_from_db()
    assert request.status == RS.COMPLETED
    assert request.completion.waiting_minutes == 10


def test_messages_on_a_request_reach_the_other_people(world, requester):
    request = world.confirmed()
    requester.post(request.get_absolute_url(), {"text": "Entrance B, please."})
    from portal.models import Notification

    assert Notification.objects.filter(recipient=world.near.user, link=request.get_absolute_url()).exists()
    assert Notification.objects.filter(recipient=world.coordinator, link=request.get_absolute_url()).exists()


def test_sign_up_then_approval(world, coordinator):
    response = Client().post(
        reverse("interpreters:sign_up"),
        {
            "first_name": "Nadine",
            "last_name": "Bélanger",
            "email": "nadine@example.ca",
            "establishment": world.hospital.pk,
            "job_title": "Social worker",
            "preferred_language": "fr",
        },
    )
    assert response["Location"] == reverse("interpreters:sign_up_done")
    registration = Registration.objects.get()
    coordinator.post(
        reverse("interpreters:registration_decide", args=[registration.pk]), {"decision": "approve"}
    )
    registration.refresh_from_db()
    assert registration.status == "approved"


def test_public_sign_ups_are_limited_per_address_and_keep_what_was_typed(world, settings):
    settings.INTERPRETERS_SIGN_UPS_PER_HOUR = 3
    public = Client(HTTP_ACCEPT_LANGUAGE="en")
    answers = []
    for number in range(5):
        answers.append(
            public.post(
                reverse("interpreters:sign_up"),
                {
                    "first_name": "Nadine",
                    "last_name": "Bélanger",
                    "email": f"nadine{number}@example.ca",
                    "establishment": world.hospital.pk,
                    "job_title": "Social worker",
                    "preferred_language": "fr",
                },
            )
        )
    assert [answer.status_code for answer in answers] == [302, 302, 302, 200, 200]
    assert Registration.objects.count() == 3
    page = answers[-1].content.decode()
    assert "Too many sign-ups from this connection" in page
    assert "nadine4@example.ca" in page


def test_statements_are_issued_and_exported(world, coordinator, django_capture_on_commit_callbacks):
    request = world.validated()
    coordinator.post(reverse("interpreters:statements"), {"month": request.date.strftime("%Y-%m")})
    statement = Statement.objects.get(kind="establishment")
    page = coordinator.get(reverse("interpreters:statement", args=[statement.pk])).content.decode()
    assert request.number in page
    with django_capture_on_commit_callbacks(execute=True):
        coordinator.post(reverse("interpreters:statement", args=[statement.pk]), {"format": "pdf"})
        coordinator.post(reverse("interpreters:statement", args=[statement.pk]), {"format": "xlsx"})
    assert set(Export.objects.values_list("fmt", "status")) == {("pdf", "ready"), ("xlsx", "ready")}
    future = (timezone.localdate().replace(day=1) + timedelta(days=40)).strftime("%Y-%m")
    response = coordinator.post(reverse("interpreters:statements"), {"month": future})
    assert "month" in response.context["form"].errors


def test_requesters_and_interpreters_cannot_reach_coordinator_pages(world, requester, interpreter):
    request = world.request()
    for client in (requester, interpreter):
        assert client.get(reverse("interpreters:queue")).status_code == 403
        assert client.get(reverse("interpreters:assign", args=[request.pk])).status_code == 403
        assert client.get(reverse("interpreters:statements")).status_code == 403


def test_the_queue_costs_the_same_queries_for_1_and_50(world, coordinator):
    counter = iter(range(1000))

    def add(count):
        for _index in range(count):
            world.request(date=timezone.localdate() + timedelta(days=3 + next(counter) % 300))

    assert_constant_queries(coordinator, reverse("interpreters:queue"), add)


def test_the_request_list_costs_the_same_queries_for_1_and_50(world, requester):
    counter = iter(range(1000))

    def add(count):
        for _index in range(count):
            world.request(date=timezone.localdate() + timedelta(days=3 + next(counter) % 300))

    assert_constant_queries(requester, reverse("interpreters:request_list"), add)


def test_a_coordinator_sets_up_the_profile_of_a_new_interpreter(world, coordinator):
    from interpreters.models import InterpreterProfile
    from tests.factories import MembershipFactory

    newcomer = MembershipFactory(organization=world.bank, role="interpreters.interpreter").user
    page = coordinator.get(reverse("interpreters:interpreters"))
    assert newcomer in page.context["newcomers"]
    response = coordinator.post(reverse("interpreters:interpreters"), {"user": newcomer.pk})
    profile = InterpreterProfile.objects.get(user=newcomer)
    assert response["Location"] == reverse("interpreters:interpreter_edit", args=[profile.pk])
    assert coordinator.post(reverse("interpreters:interpreters"), {"user": "x"}).status_code == 404
    coordinator.post(
        reverse("interpreters:interpreter_edit", args=[profile.pk]),
        {
            "languages": [world.arabic.pk],
            "modalities": ["phone"],
            "home_postal_code": "h2x1y4",
            "accreditation": "accredited",
            "is_active": "on",
        },
    )
    profile.refresh_from_db()
    assert (profile.home_postal_code, profile.modalities, profile.is_active) == ("H2X 1Y4", ["phone"], True)


# The request page's buttons come from services.REQUEST_FLOW ------------------------------------


def _buttons(client, request):
    html = client.get(request.get_absolute_url()).content.decode()
    return {name for name in ("accept", "confirm", "validate") if f"/requests/{request.pk}/{name}/" in html}


def test_the_request_page_offers_each_person_the_buttons_of_the_current_status(
    world, coordinator, interpreter
):
    offered = services.assign_interpreter(
        actor=world.coordinator, request=world.request(), interpreter=world.near
    )
    assert (_buttons(interpreter, offered), _buttons(coordinator, offered)) == ({"accept"}, set())
    accepted = services.accept_offer(actor=world.near.user, request=offered)
    assert (_buttons(interpreter, accepted), _buttons(coordinator, accepted)) == (set(), {"confirm"})


def test_the_interpreter_accepts_from_the_request_page_and_goes_back_to_their_work(world, interpreter):
    offered = services.assign_interpreter(
        actor=world.coordinator, request=world.request(), interpreter=world.near
    )
    response = interpreter.post(reverse("interpreters:coordinator_action", args=[offered.pk, "accept"]))
    assert response["Location"] == reverse("interpreters:my_work")
    offered.refresh_from_db()
    assert offered.status == RS.ACCEPTED
    assert offered.events.last().action == "accept"


def test_a_button_needs_its_own_capability_and_the_status_it_starts_from(world, coordinator, interpreter):
    offered = services.assign_interpreter(
        actor=world.coordinator, request=world.request(), interpreter=world.near
    )
    assert (
        coordinator.post(reverse("interpreters:coordinator_action", args=[offered.pk, "accept"])).status_code
        == 403
    )
    assert (
        interpreter.post(reverse("interpreters:coordinator_action", args=[offered.pk, "decline"])).status_code
        == 404
    )
    response = coordinator.post(
        reverse("interpreters:coordinator_action", args=[offered.pk, "confirm"]), follow=True
    )
    assert "this action needs it to be Accepted" in response.content.decode()
    offered.refresh_from_db()
    assert offered.status == RS.ASSIGNED


def test_the_interpreter_adds_and_removes_weekly_hours_and_is_told_a_backwards_window(world, interpreter):
    url = reverse("interpreters:availability")
    response = interpreter.post(
        url, {"kind": "weekly", "weekly-weekday": "0", "weekly-start_time": "12:00", "weekly-end_time": "9:00"}
    )
    assert response.status_code == 200
    assert "The end cannot be before the start." in response.content.decode()
    assert not world.near.availabilities.exists()
    response = interpreter.post(
        url, {"kind": "weekly", "weekly-weekday": "0", "weekly-start_time": "9:00", "weekly-end_time": "12:00"}
    )
    assert response["Location"] == url
    window = world.near.availabilities.get()
    assert interpreter.post(url, {"kind": "remove_weekly", "pk": window.pk})["Location"] == url
    assert not world.near.availabilities.exists()
