"""The scheduler's screens through the test client: who sees what, forms, bad input, files, query counts."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from appointments.models import ClinicSettings, Location, Service, Slot, TeamResource
from appointments.schedules import services as schedules_services
from portal.models import Membership, User
from tests.factories import MembershipFactory
from tests.helpers import assert_constant_queries, verified_client

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
NON_PILOTS = ["manager1", "manager2", "manager3", "consult1", "consult2"]

# Every configuration page (GET) and the configuration actions (POST): for the pilot only.
CONFIGURATION_PAGES = [
    ("checklist", {}),
    ("service_list", {}),
    ("service_create", {}),
    ("service_edit", {"pk": "first"}),
    ("service_attachment", {"pk": "first"}),
    ("location_list", {}),
    ("location_create", {}),
    ("location_edit", {"pk": "location_a"}),
    ("resource_list", {}),
    ("resource_create", {}),
    ("resource_edit", {"pk": "team_a"}),
    ("resource_associations", {"pk": "team_a"}),
    ("account_create", {}),
    ("account_edit", {"pk": "manager1"}),
    ("account_roles", {"pk": "manager1"}),
    ("role_create", {"account_pk": "manager1"}),
    ("role_edit", {"pk": "membership_manager1"}),
    ("communications", {}),
    ("public_page_settings", {}),
    ("public_page_preview", {}),
]
CONFIGURATION_ACTIONS = [
    ("online_booking", {}),
    ("account_reset_password", {"pk": "manager1"}),
    ("role_remove", {"pk": "membership_manager1"}),
]


def _url(world, name, kwargs):
    values = {}
    for key, value in kwargs.items():
        if value.startswith("membership_"):
            values[key] = world.memberships[value.removeprefix("membership_")].pk
        else:
            values[key] = getattr(world, value).pk
    return reverse(f"appointments:{name}", kwargs=values)


def _client(world, key):
    if key == "limited":
        return verified_client(world.limited, membership=world.limited_membership)
    return verified_client(getattr(world, key), membership=world.memberships[key])


@pytest.fixture
def pilot(world):
    return _client(world, "pilot")


@pytest.fixture
def manager(world):
    return _client(world, "manager1")


def _messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def _day(offset):
    return timezone.localdate() + timedelta(days=offset)


# Who may open what ---------------------------------------------------------------------------------


@pytest.mark.parametrize("key", [*NON_PILOTS, "limited"])
def test_configuration_pages_are_for_the_pilot_only(world, key):
    client = _client(world, key)
    for name, kwargs in CONFIGURATION_PAGES:
        assert client.get(_url(world, name, kwargs)).status_code == 403, name
    for name, kwargs in CONFIGURATION_ACTIONS:
        assert client.post(_url(world, name, kwargs), {"open": "1"}).status_code == 403, name
    assert not ClinicSettings.objects.filter(online_booking_open=True).exists()
    assert Membership.objects.filter(pk=world.memberships["manager1"].pk).exists()


def test_an_anonymous_visitor_is_sent_to_sign_in(world):
    response = Client().get(reverse("appointments:checklist"))
    assert response.status_code == 302
    assert "next=" in response["Location"]
    assert Client().get(reverse("appointments:calendar")).status_code == 302


@pytest.mark.parametrize("key", [*NON_PILOTS, "limited"])
def test_the_schedules_open_for_every_role_but_the_pilot(world, key):
    world.slot()
    assert _client(world, key).get(reverse("appointments:calendar")).status_code == 200


def test_the_pilot_does_not_see_the_schedules(world, pilot):
    slot = world.slot()
    for url in [
        reverse("appointments:calendar"),
        reverse("appointments:slot", kwargs={"pk": slot.pk}),
        reverse("appointments:slot_create"),
        reverse("appointments:clone"),
    ]:
        assert pilot.get(url).status_code == 403, url


@pytest.mark.parametrize("key", ["manager2", "consult1", "consult2"])
def test_roles_without_editing_cannot_change_a_slot(world, key):
    slot = world.slot(team=world.team_a)
    client = _client(world, key)
    page = client.get(reverse("appointments:slot", kwargs={"pk": slot.pk}))
    assert page.status_code == 200
    assert page.context["can_edit"] is False
    assert b'id="slot-form"' not in page.content
    response = client.post(
        reverse("appointments:slot", kwargs={"pk": slot.pk}), _slot_form(world, per_interval=9)
    )
    assert response.status_code == 302
    assert "not change it" in " ".join(_messages(response))
    slot.refresh_from_db()
    assert slot.per_interval == 2
    for name, kwargs, data in [
        ("slot_create", {}, _slot_form(world)),
        ("slot_delete", {"pk": slot.pk}, {}),
        ("slot_lock", {"pk": slot.pk}, {"locked": "1"}),
        ("day_lock", {}, {"location": world.location_a.pk, "date": _day(1).isoformat(), "locked": "1"}),
        ("clone", {}, {}),
    ]:
        assert client.post(reverse(f"appointments:{name}", kwargs=kwargs), data).status_code == 403, name
    slot.refresh_from_db()
    assert slot.is_locked is False
    assert Slot.objects.count() == 1


# Whose slots --------------------------------------------------------------------------------------


def _calendar(client, world, **params):
    query = {"date": _day(1).isoformat(), "location": world.location_a.pk, "view": "week"}
    query.update(params)
    return client.get(reverse("appointments:calendar"), query)


@pytest.mark.parametrize(
    ("key", "sees_team_b"), [("manager3", False), ("consult2", False), ("consult1", True)]
)
def test_own_roles_see_only_their_teams_slots(world, key, sees_team_b):
    own = world.slot(team=world.team_a)
    other = world.slot(team=world.team_b, start=11, end=12)
    client = _client(world, key)
    response = _calendar(client, world)
    assert response.status_code == 200
    shown = {slot.pk for slot in response.context["slots"]}
    assert shown == ({own.pk, other.pk} if sees_team_b else {own.pk})
    answer = client.get(reverse("appointments:slot", kwargs={"pk": other.pk})).status_code
    assert answer == (200 if sees_team_b else 404)


def test_management_3_edits_only_its_own_teams_slots(world):
    own = world.slot(team=world.team_a)
    other = world.slot(team=world.team_b, start=11, end=12)
    client = _client(world, "manager3")
    response = client.post(
        reverse("appointments:slot", kwargs={"pk": own.pk}), _slot_form(world, per_interval=5)
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.per_interval == 5
    assert (
        client.post(reverse("appointments:slot_lock", kwargs={"pk": other.pk}), {"locked": "1"}).status_code
        == 404
    )
    # Locking the day locks its own slots only.
    client.post(
        reverse("appointments:day_lock"),
        {"location": world.location_a.pk, "date": _day(1).isoformat(), "locked": "1"},
    )
    own.refresh_from_db()
    other.refresh_from_db()
    assert (own.is_locked, other.is_locked) == (True, False)
    # Its slot form offers only its own team.
    page = client.get(reverse("appointments:slot_create"), {"location": world.location_a.pk})
    assert list(page.context["form"].fields["resource"].queryset) == [world.team_a]


def test_a_role_limited_to_a_location_does_not_see_the_others(world):
    hidden = world.slot(team=world.team_a, location=world.location_a)
    shown = world.slot(team=world.team_c, location=world.location_b, services_=[world.first])
    client = _client(world, "limited")
    response = _calendar(client, world, location=world.location_b.pk)
    assert response.context["location"] == world.location_b
    assert {slot.pk for slot in response.context["slots"]} == {shown.pk}
    # Asking for location A falls back on what the role may see.
    response = _calendar(client, world, location=world.location_a.pk)
    assert response.status_code == 200
    assert hidden.pk not in {slot.pk for slot in response.context["slots"]}
    assert list(response.context["form"].fields["location"].queryset) == [world.location_b]
    assert client.get(reverse("appointments:slot", kwargs={"pk": hidden.pk})).status_code == 404
    assert client.post(reverse("appointments:slot_delete", kwargs={"pk": hidden.pk})).status_code == 404
    assert (
        client.get(reverse("appointments:slot_create"), {"location": world.location_a.pk}).status_code == 404
    )
    day_lock = client.post(
        reverse("appointments:day_lock"),
        {"location": world.location_a.pk, "date": _day(1).isoformat(), "locked": "1"},
    )
    assert day_lock.status_code == 404
    hidden.refresh_from_db()
    assert hidden.is_locked is False
    assert client.get(reverse("appointments:slot", kwargs={"pk": shown.pk})).status_code == 200


def test_a_role_whose_dates_ended_gives_no_access(world):
    membership = world.memberships["manager1"]
    membership.valid_from = _day(-10)
    membership.valid_to = _day(-1)
    membership.save()
    assert _client(world, "manager1").get(reverse("appointments:calendar")).status_code == 403


def test_another_clinics_records_answer_404(world, pilot, manager):
    other_membership = Membership.objects.get(user=world.other_member)
    other_slot = schedules_services.create_slot(
        actor=world.other_member,
        organization=world.other_clinic,
        location=world.other_location,
        resource=world.other_team,
        services=[world.other_service],
        starts_at=world.at(1, 9),
        ends_at=world.at(1, 10),
        per_interval=1,
        is_locked=False,
    )
    for name, kwargs in [
        ("service_edit", {"pk": world.other_service.pk}),
        ("service_attachment", {"pk": world.other_service.pk}),
        ("location_edit", {"pk": world.other_location.pk}),
        ("resource_edit", {"pk": world.other_team.pk}),
        ("resource_associations", {"pk": world.other_team.pk}),
        ("account_edit", {"pk": world.other_member.pk}),
        ("account_roles", {"pk": world.other_member.pk}),
        ("role_create", {"account_pk": world.other_member.pk}),
        ("role_edit", {"pk": other_membership.pk}),
    ]:
        assert pilot.get(reverse(f"appointments:{name}", kwargs=kwargs)).status_code == 404, name
    for name, kwargs in [
        ("account_reset_password", {"pk": world.other_member.pk}),
        ("role_remove", {"pk": other_membership.pk}),
        ("role_edit", {"pk": other_membership.pk}),
    ]:
        assert (
            pilot.post(
                reverse(f"appointments:{name}", kwargs=kwargs), {"role": "appointments.pilot"}
            ).status_code
            == 404
        )
    assert Membership.objects.filter(pk=other_membership.pk, role="appointments.pilot").exists()
    for name in ("slot", "slot_delete", "slot_lock"):
        method = manager.get if name == "slot" else manager.post
        assert method(reverse(f"appointments:{name}", kwargs={"pk": other_slot.pk})).status_code == 404, name
    assert (
        manager.get(reverse("appointments:slot_create"), {"location": world.other_location.pk}).status_code
        == 404
    )
    assert Slot.objects.filter(pk=other_slot.pk).exists()


# Configuration forms ---------------------------------------------------------------------------------


def _service_form(service=None, **changes):
    data = {
        "name_fr": service.name_fr if service else "Grippe",
        "name_en": service.name_en if service else "Flu",
        "campaign": service.campaign if service else "",
        "dose": service.dose if service else "single",
        "duration_minutes": str(service.duration_minutes) if service else "10",
        "is_active": "on",
        "position": "0",
        "questions-TOTAL_FORMS": "0",
        "questions-INITIAL_FORMS": "0",
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "20",
    }
    for code in (
        "date_of_birth",
        "gender",
        "health_card_number",
        "email",
        "mobile_phone",
        "phone",
        "address",
        "postal_code",
        "parent_name",
        "comment",
    ):
        data[f"field_{code}"] = "optional"
    data.update(changes)
    return data


def test_a_service_is_created_with_its_eligibility_questions(world, pilot):
    data = _service_form(
        **{
            "field_health_card_number": "required",
            "questions-TOTAL_FORMS": "1",
            "questions-0-text_fr": "Avez-vous 18 ans?",
            "questions-0-text_en": "Are you 18?",
            "questions-0-eligible_answer": "yes",
            "questions-0-position": "1",
        }
    )
    response = pilot.post(reverse("appointments:service_create"), data)
    assert response.status_code == 302
    service = Service.objects.get(name_en="Flu")
    assert service.organization == world.clinic
    assert service.field_mode("health_card_number") == "required"
    assert [question.text_en for question in service.questions.all()] == ["Are you 18?"]


@pytest.mark.parametrize("duration", ["0", "-5", "abc", "481"])
def test_a_service_duration_out_of_range_is_refused(world, pilot, duration):
    response = pilot.post(reverse("appointments:service_create"), _service_form(duration_minutes=duration))
    assert response.status_code == 200
    assert "duration_minutes" in response.context["form"].errors
    assert not Service.objects.filter(name_en="Flu").exists()


def test_the_campaign_duration_rule_shows_next_to_the_duration(world, pilot):
    response = pilot.post(
        reverse("appointments:service_edit", kwargs={"pk": world.second.pk}),
        _service_form(world.second, duration_minutes="20"),
    )
    assert response.status_code == 200
    assert "same duration" in " ".join(response.context["form"].errors["duration_minutes"])
    assert "same duration" in response.content.decode()


def test_a_pdf_attachment_is_kept_and_downloaded_by_the_pilot_only(world, pilot, manager):
    upload = SimpleUploadedFile("Consignes.pdf", PDF, content_type="application/pdf")
    response = pilot.post(
        reverse("appointments:service_edit", kwargs={"pk": world.first.pk}),
        _service_form(world.first, attachment_upload=upload),
    )
    assert response.status_code == 302
    world.first.refresh_from_db()
    assert world.first.attachment_name == "Consignes.pdf"
    assert world.first.attachment_content_type == "application/pdf"
    assert "Consignes" not in world.first.attachment.name  # a random private name
    url = reverse("appointments:service_attachment", kwargs={"pk": world.first.pk})
    download = pilot.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert manager.get(url).status_code == 403
    assert Client().get(url).status_code == 302
    # Removing it.
    pilot.post(
        reverse("appointments:service_edit", kwargs={"pk": world.first.pk}),
        _service_form(world.first, remove_attachment="on"),
    )
    world.first.refresh_from_db()
    assert not world.first.attachment
    assert pilot.get(url).status_code == 404


@pytest.mark.parametrize(
    ("name", "content"),
    [("Consignes.pdf", b"this is not a pdf"), ("programme.exe", b"MZ\x90\x00"), ("vide.pdf", b"")],
)
def test_a_fake_or_forbidden_attachment_is_refused(world, pilot, name, content):
    upload = SimpleUploadedFile(name, content)
    response = pilot.post(
        reverse("appointments:service_edit", kwargs={"pk": world.first.pk}),
        _service_form(world.first, attachment_upload=upload),
    )
    assert response.status_code == 200
    assert "attachment_upload" in response.context["form"].errors
    world.first.refresh_from_db()
    assert not world.first.attachment


def _location_form(**changes):
    data = {
        "name_fr": "Lieu C",
        "name_en": "Place C",
        "address": "10 rue King",
        "city": "Fredericton",
        "province": "NB",
        "postal_code": "e3b5h1",
        "latitude": "",
        "longitude": "",
        "is_active": "on",
        "position": "3",
    }
    data.update(changes)
    return data


def test_a_location_is_created_with_coordinates_from_its_postal_code(world, pilot):
    response = pilot.post(reverse("appointments:location_create"), _location_form())
    assert response.status_code == 302
    location = Location.objects.get(name_en="Place C")
    assert location.postal_code == "E3B 5H1"
    assert location.latitude is not None and location.longitude is not None
    assert location.organization == world.clinic


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"postal_code": "12345"}, "postal_code"),
        ({"postal_code": "E1C 4M"}, "postal_code"),
        ({"postal_code": ""}, "postal_code"),
        ({"postal_code": "E9Z 9Z9"}, "postal_code"),  # well formed, unknown, no coordinates
        ({"postal_code": "D1A 1A1"}, "postal_code"),  # a letter no postal code uses
        ({"latitude": "95", "longitude": "-64"}, "latitude"),
        ({"latitude": "46", "longitude": "-200"}, "longitude"),
        ({"latitude": "abc"}, "latitude"),
        ({"name_en": ""}, "name_en"),
    ],
)
def test_bad_location_input_is_refused_next_to_the_field(world, pilot, changes, field):
    response = pilot.post(reverse("appointments:location_create"), _location_form(**changes))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Location.objects.filter(name_fr="Lieu C").exists()


def test_an_unknown_postal_code_with_typed_coordinates_is_accepted(world, pilot):
    response = pilot.post(
        reverse("appointments:location_create"),
        _location_form(postal_code="E9Z 9Z9", latitude="46.5", longitude="-65.1"),
    )
    assert response.status_code == 302
    assert Location.objects.get(name_fr="Lieu C").postal_code == "E9Z 9Z9"


@pytest.mark.parametrize("colour", ["red", "#12345", "#gggggg", "1f5f99a", ""])
def test_a_bad_team_colour_is_refused(world, pilot, colour):
    response = pilot.post(
        reverse("appointments:resource_create"),
        {"name": "Équipe D", "colour": colour, "variable_capacity": "on", "is_active": "on", "position": "0"},
    )
    assert response.status_code == 200
    assert "colour" in response.context["form"].errors
    assert not TeamResource.objects.filter(name="Équipe D").exists()


def test_a_team_is_created_then_associated(world, pilot):
    response = pilot.post(
        reverse("appointments:resource_create"),
        {
            "name": "Équipe D",
            "colour": "#AABBCC",
            "variable_capacity": "on",
            "is_active": "on",
            "position": "0",
        },
    )
    team = TeamResource.objects.get(name="Équipe D")
    assert team.colour == "#aabbcc"
    assert response["Location"] == reverse("appointments:resource_associations", kwargs={"pk": team.pk})
    response = pilot.post(
        response["Location"],
        {"locations": [world.location_b.pk], "services": [world.first.pk], "members": [world.consult2.pk]},
    )
    assert response.status_code == 302
    assert list(team.locations.all()) == [world.location_b]
    assert list(team.members.all()) == [world.consult2]


def test_an_association_refused_by_upcoming_slots_is_explained_next_to_the_field(world, pilot):
    world.slot(team=world.team_a)
    response = pilot.post(
        reverse("appointments:resource_associations", kwargs={"pk": world.team_a.pk}),
        {"locations": [world.location_b.pk], "services": [world.first.pk]},
    )
    assert response.status_code == 200
    assert "locations" in response.context["form"].errors
    # Another clinic's location is not a choice.
    response = pilot.post(
        reverse("appointments:resource_associations", kwargs={"pk": world.team_a.pk}),
        {"locations": [world.location_a.pk, world.other_location.pk], "services": [world.first.pk]},
    )
    assert response.status_code == 200
    assert "locations" in response.context["form"].errors
    assert list(world.team_a.locations.all()) == [world.location_a]


def _account_form(**changes):
    data = {
        "preferred_language": "fr",
        "first_name": "Julie",
        "last_name": "Gallant",
        "phone": "506 555 0123",
        "email": "Julie.Gallant@Example.ca",
    }
    data.update(changes)
    return data


def test_an_access_account_is_created_and_gets_its_sign_in_details(
    world, pilot, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = pilot.post(reverse("appointments:account_create"), _account_form())
    user = User.objects.get(email="julie.gallant@example.ca")
    assert response["Location"] == reverse("appointments:account_roles", kwargs={"pk": user.pk})
    assert Membership.objects.get(user=user).role == "appointments.consultation_2"
    assert len(mail.outbox) == 1
    assert "Julie" not in mail.outbox[0].subject
    page = pilot.get(response["Location"])
    assert page.status_code == 200
    assert "Consultation #2" in page.content.decode()


def test_an_email_already_used_is_shown_next_to_the_email_field(
    world, pilot, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = pilot.post(
            reverse("appointments:account_create"), _account_form(email=world.manager2.email)
        )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["email"]
    assert "already used" in errors["email"][0]
    assert "already used" in response.content.decode()
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        (
            {"limit_access": "on", "valid_from": _day(9).isoformat(), "valid_to": _day(2).isoformat()},
            "valid_to",
        ),
        ({"limit_access": "on"}, "valid_from"),
        ({"limit_access": "on", "valid_to": _day(-1).isoformat()}, "valid_to"),
        ({"limit_access": "on", "valid_from": "2025-02-30"}, "valid_from"),
        ({"email": "not-an-email"}, "email"),
        ({"phone": "123"}, "phone"),
        ({"preferred_language": "de"}, "preferred_language"),
    ],
)
def test_bad_account_input_is_refused_next_to_the_field(world, pilot, changes, field):
    response = pilot.post(reverse("appointments:account_create"), _account_form(**changes))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not User.objects.filter(email="julie.gallant@example.ca").exists()


def test_an_access_account_with_several_roles_is_edited(world, pilot):
    MembershipFactory(user=world.manager1, organization=world.clinic, role="appointments.consultation_1")
    response = pilot.post(
        reverse("appointments:account_edit", kwargs={"pk": world.manager1.pk}),
        {"preferred_language": "fr", "first_name": "Luc", "last_name": "Roy", "phone": ""},
    )
    assert response.status_code == 302
    world.manager1.refresh_from_db()
    assert (world.manager1.first_name, world.manager1.preferred_language) == ("Luc", "fr")


def test_a_role_is_added_for_one_location(world, pilot):
    response = pilot.post(
        reverse("appointments:role_create", kwargs={"account_pk": world.consult1.pk}),
        {"role": "appointments.management_1", "location": world.location_b.pk},
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user=world.consult1, role="appointments.management_1")
    assert membership.scope == {"locations": [world.location_b.pk]}
    page = pilot.get(reverse("appointments:account_roles", kwargs={"pk": world.consult1.pk}))
    assert "Lieu B" in page.content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"role": "portal.administrator"}, "role"),
        ({"role": "appointments.management_1", "location": "abc"}, "location"),
        (
            {
                "role": "appointments.management_1",
                "limit_access": "on",
                "valid_from": _day(5).isoformat(),
                "valid_to": _day(1).isoformat(),
            },
            "valid_to",
        ),
        (
            {"role": "appointments.management_1", "limit_access": "on", "valid_to": _day(-1).isoformat()},
            "valid_to",
        ),
    ],
)
def test_bad_role_input_is_refused_next_to_the_field(world, pilot, data, field):
    response = pilot.post(reverse("appointments:role_create", kwargs={"account_pk": world.consult1.pk}), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Membership.objects.filter(user=world.consult1).count() == 1


def test_another_clinics_location_is_not_a_choice_for_a_role(world, pilot):
    response = pilot.post(
        reverse("appointments:role_create", kwargs={"account_pk": world.consult1.pk}),
        {"role": "appointments.management_1", "location": world.other_location.pk},
    )
    assert response.status_code == 200
    assert "location" in response.context["form"].errors


def test_a_fourth_pilot_is_refused_with_a_clear_message(world, pilot):
    for key in ("manager1", "manager2"):
        MembershipFactory(user=getattr(world, key), organization=world.clinic, role="appointments.pilot")
    response = pilot.post(
        reverse("appointments:role_create", kwargs={"account_pk": world.consult1.pk}),
        {"role": "appointments.pilot"},
    )
    assert response.status_code == 200
    assert "three pilots" in " ".join(response.context["form"].errors["role"])


def test_removing_a_role_refused_by_the_rules_shows_a_message(world, pilot):
    response = pilot.post(
        reverse("appointments:role_remove", kwargs={"pk": world.memberships["pilot"].pk}), follow=True
    )
    assert response.status_code == 200
    assert "only role" in response.content.decode() or "own pilot role" in response.content.decode()
    assert Membership.objects.filter(pk=world.memberships["pilot"].pk).exists()


def test_a_password_reset_from_the_roles_page(world, pilot, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = pilot.post(
            reverse("appointments:account_reset_password", kwargs={"pk": world.consult1.pk})
        )
    assert response.status_code == 302
    assert world.consult1.email in " ".join(_messages(response))
    world.consult1.refresh_from_db()
    assert not world.consult1.has_usable_password()
    assert len(mail.outbox) == 1
    response = pilot.post(reverse("appointments:account_reset_password", kwargs={"pk": world.pilot.pk}))
    assert "your own password" in " ".join(_messages(response))


def _communications_form(**changes):
    data = {}
    for kind, delay in (
        ("first_reminder", 48),
        ("second_reminder", 24),
        ("absence_relaunch", 2),
        ("cancellation_relaunch", 2),
    ):
        data.update(
            {f"{kind}_active": "on", f"{kind}_delay": str(delay), f"{kind}_sms": "on", f"{kind}_email": "on"}
        )
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_communications_are_saved(world, pilot):
    response = pilot.post(reverse("appointments:communications"), _communications_form())
    assert response.status_code == 302
    page = pilot.get(reverse("appointments:checklist"))
    assert page.context["done"] > 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"first_reminder_delay": "0"}, "first_reminder_delay"),
        ({"first_reminder_delay": "abc"}, "first_reminder_delay"),
        ({"second_reminder_delay": "72"}, "second_reminder_delay"),
        ({"absence_relaunch_sms": None, "absence_relaunch_email": None}, "absence_relaunch_email"),
    ],
)
def test_bad_communications_are_refused(world, pilot, changes, field):
    response = pilot.post(reverse("appointments:communications"), _communications_form(**changes))
    assert response.status_code == 200
    assert field in response.context["form"].errors


# Public page and online booking ---------------------------------------------------------------------


def _public_form(**changes):
    data = {
        "public_name_fr": "Réseau de cliniques",
        "public_name_en": "Clinic network",
        "phone": "506 555 0100",
        "email": "clinique@example.ca",
        "website": "clinique.example.ca",
        "welcome_message_fr": "Bienvenue à la clinique",
        "welcome_message_en": "Welcome to the clinic",
        "transitional_message_fr": "Ouverture le 1er mars",
        "transitional_message_en": "Opening on March 1",
        "days_shown": "14",
        "show_duration": "on",
    }
    data.update(changes)
    return data


def test_the_public_page_shows_the_transitional_message_while_closed(world, pilot):
    pilot.post(reverse("appointments:public_page_settings"), _public_form())
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(
        reverse("appointments:public_page", kwargs={"organization_id": world.clinic.pk})
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "Opening on March 1" in content
    assert "Welcome to the clinic" not in content
    assert "First dose" not in content


def test_the_public_page_shows_the_welcome_and_services_while_open(world, pilot):
    pilot.post(reverse("appointments:public_page_settings"), _public_form())
    response = pilot.post(reverse("appointments:online_booking"), {"open": "1"})
    assert response.status_code == 302
    assert ClinicSettings.objects.get(organization=world.clinic).online_booking_open is True
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(
        reverse("appointments:public_page", kwargs={"organization_id": world.clinic.pk})
    )
    content = response.content.decode()
    assert "Welcome to the clinic" in content
    assert "First dose" in content and "Second dose" in content
    assert "Lieu A" in content
    assert "Opening on March 1" not in content


def test_online_booking_is_switched_by_the_pilot(world, pilot):
    response = pilot.post(
        reverse("appointments:online_booking"),
        {"open": "1", "next": reverse("appointments:service_list")},
    )
    assert response["Location"] == reverse("appointments:service_list")
    assert ClinicSettings.objects.get(organization=world.clinic).online_booking_open is True
    response = pilot.post(
        reverse("appointments:online_booking"), {"open": "0", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("appointments:checklist")
    assert ClinicSettings.objects.get(organization=world.clinic).online_booking_open is False
    assert pilot.get(reverse("appointments:online_booking")).status_code == 405


def test_the_preview_shows_either_state(world, pilot):
    pilot.post(reverse("appointments:public_page_settings"), _public_form())
    url = reverse("appointments:public_page_preview")
    assert "Welcome to the clinic" in pilot.get(url, {"state": "open"}).content.decode()
    assert "Opening on March 1" in pilot.get(url, {"state": "closed"}).content.decode()
    assert pilot.get(url, {"state": "<script>"}).status_code == 200


def test_an_unknown_or_other_kind_of_organization_has_no_public_page(world):
    from tests.factories import OrganizationFactory

    department = OrganizationFactory(kind="social_development")
    for pk in (department.pk, 999999):
        response = Client().get(reverse("appointments:public_page", kwargs={"organization_id": pk}))
        assert response.status_code == 404


def test_a_png_logo_is_accepted_and_shown(world, pilot):
    response = pilot.post(
        reverse("appointments:public_page_settings"),
        _public_form(logo_upload=SimpleUploadedFile("logo.png", PNG, content_type="image/png")),
    )
    assert response.status_code == 302
    clinic = ClinicSettings.objects.get(organization=world.clinic)
    assert clinic.logo_content_type == "image/png"
    logo = Client().get(reverse("appointments:public_logo", kwargs={"organization_id": world.clinic.pk}))
    assert logo.status_code == 200
    assert logo["Content-Type"] == "image/png"
    assert b"".join(logo.streaming_content) == PNG


@pytest.mark.parametrize(
    ("name", "content"), [("logo.txt", b"hello"), ("logo.png", b"hello"), ("logo.pdf", PDF)]
)
def test_a_logo_that_is_not_an_image_is_refused(world, pilot, name, content):
    response = pilot.post(
        reverse("appointments:public_page_settings"),
        _public_form(logo_upload=SimpleUploadedFile(name, content)),
    )
    assert response.status_code == 200
    assert "logo_upload" in response.context["form"].errors
    assert not ClinicSettings.objects.filter(organization=world.clinic).exclude(logo="").exists()
    logo = Client().get(reverse("appointments:public_logo", kwargs={"organization_id": world.clinic.pk}))
    assert logo.status_code == 404


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"days_shown": "0"}, "days_shown"), ({"days_shown": "500"}, "days_shown"), ({"email": "x@"}, "email")],
)
def test_bad_public_page_input_is_refused(world, pilot, changes, field):
    response = pilot.post(reverse("appointments:public_page_settings"), _public_form(**changes))
    assert response.status_code == 200
    assert field in response.context["form"].errors


# Slots through the pages ---------------------------------------------------------------------------------


def _slot_form(world, **changes):
    data = {
        "date": _day(1).isoformat(),
        "start": "09:00",
        "end": "10:00",
        "resource": world.team_a.pk,
        "services": [world.first.pk],
        "per_interval": "2",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_a_manager_creates_a_slot_with_the_capacity_calculator(world, manager):
    url = reverse("appointments:slot_create") + f"?location={world.location_a.pk}"
    response = manager.post(url, _slot_form(world, end="13:00", per_interval="1"))
    assert response.status_code == 302
    slot = Slot.objects.get()
    assert slot.capacity == 16
    assert slot.location == world.location_a
    assert "16 appointments" in " ".join(_messages(response))


def test_a_range_not_a_multiple_of_the_duration_needs_the_tick(world, manager):
    url = reverse("appointments:slot_create") + f"?location={world.location_a.pk}"
    response = manager.post(url, _slot_form(world, end="10:10"))
    assert response.status_code == 200
    form = response.context["form"]
    assert "accept_unused" in form.errors
    assert "10 minutes" in form.errors["accept_unused"][0]
    assert form.unused_minutes == 10
    assert form.capacity == 8
    assert 'name="accept_unused"' in response.content.decode()
    assert not Slot.objects.exists()
    response = manager.post(url, _slot_form(world, end="10:10", accept_unused="on"))
    assert response.status_code == 302
    assert Slot.objects.get().capacity == 8


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"date": "garbage"}, "date"),
        ({"date": "2025-13-45"}, "date"),
        ({"start": "25:00"}, "start"),
        ({"end": "08:00"}, "end"),
        ({"per_interval": "0"}, "per_interval"),
        ({"per_interval": "abc"}, "per_interval"),
        ({"resource": "abc"}, "resource"),
        ({"services": []}, "services"),
        ({"services": ["999999"]}, "services"),
    ],
)
def test_bad_slot_input_is_refused_next_to_the_field(world, manager, changes, field):
    url = reverse("appointments:slot_create") + f"?location={world.location_a.pk}"
    response = manager.post(url, _slot_form(world, **changes))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Slot.objects.exists()


def test_another_teams_or_clinics_choices_are_refused(world, manager):
    url = reverse("appointments:slot_create") + f"?location={world.location_a.pk}"
    # Team C works at location B only; the other clinic's team and service are never choices.
    for changes in (
        {"resource": world.team_c.pk},
        {"resource": world.other_team.pk},
        {"services": [world.other_service.pk]},
    ):
        response = manager.post(url, _slot_form(world, **changes))
        assert response.status_code == 200
        assert response.context["form"].errors, changes
    # A service offered at the location but not by this team: refused by the service, next to the field.
    response = manager.post(url, _slot_form(world, services=[world.second.pk]))
    assert response.status_code == 200
    assert "services" in response.context["form"].errors
    assert not Slot.objects.exists()


def test_a_bad_location_on_the_slot_form_is_not_an_error_page(world, manager):
    for location in ("abc", "-1", "99999999999999999999"):
        response = manager.get(reverse("appointments:slot_create"), {"location": location})
        assert response.status_code in (200, 404), location


def test_lowering_a_slot_below_its_bookings_shows_the_reason(world, manager):
    slot = world.slot(per_interval=2)
    world.book(slot)
    world.book(slot, name=("Anne", "Leblanc"))
    response = manager.post(
        reverse("appointments:slot", kwargs={"pk": slot.pk}), _slot_form(world, per_interval="1")
    )
    assert response.status_code == 200
    assert "already booked" in " ".join(response.context["form"].errors["per_interval"])
    slot.refresh_from_db()
    assert slot.per_interval == 2
    response = manager.post(
        reverse("appointments:slot", kwargs={"pk": slot.pk}), _slot_form(world, per_interval="4")
    )
    assert response.status_code == 302
    slot.refresh_from_db()
    assert slot.capacity == 16


def test_a_booked_slot_is_not_deleted_from_its_page(world, manager):
    slot = world.slot()
    world.book(slot)
    response = manager.post(reverse("appointments:slot_delete", kwargs={"pk": slot.pk}))
    assert response["Location"] == reverse("appointments:slot", kwargs={"pk": slot.pk})
    assert "cannot be deleted" in " ".join(_messages(response))
    assert Slot.objects.filter(pk=slot.pk).exists()
    empty = world.slot(start=11, end=12)
    assert manager.post(reverse("appointments:slot_delete", kwargs={"pk": empty.pk})).status_code == 302
    assert not Slot.objects.filter(pk=empty.pk).exists()


def test_slots_and_days_are_locked_from_the_calendar(world, manager):
    first = world.slot(start=9, end=10)
    second = world.slot(start=10, end=11, team=world.team_b)
    manager.post(reverse("appointments:slot_lock", kwargs={"pk": first.pk}), {"locked": "1"})
    first.refresh_from_db()
    assert first.is_locked is True
    response = _calendar(manager, world)
    column = next(column for column in response.context["days"] if column["day"] == _day(1))
    assert column["lock"] == "mixed"
    manager.post(
        reverse("appointments:day_lock"),
        {"location": world.location_a.pk, "date": _day(1).isoformat(), "locked": "1"},
    )
    second.refresh_from_db()
    assert second.is_locked is True
    column = next(column for column in _calendar(manager, world).context["days"] if column["day"] == _day(1))
    assert column["lock"] == "locked"
    for data in (
        {"location": "abc", "date": _day(1).isoformat()},
        {"location": world.location_a.pk, "date": "x"},
    ):
        assert manager.post(reverse("appointments:day_lock"), data).status_code == 404


def test_a_typical_day_is_cloned_over_a_week(world, manager):
    world.slot(day=-7, start=9, end=12, per_interval=2)
    world.slot(day=-7, start=13, end=15, team=world.team_b, locked=True)
    first, last = _day(1), _day(7)
    response = manager.post(
        reverse("appointments:clone"),
        {
            "location": world.location_a.pk,
            "source_day": _day(-7).isoformat(),
            "first_day": first.isoformat(),
            "last_day": last.isoformat(),
            "weekdays": ["0", "1", "2", "3", "4"],
        },
    )
    assert response.status_code == 302
    assert Slot.objects.filter(starts_at__gte=world.at(1, 0)).count() == 10
    assert Slot.objects.filter(starts_at__gte=world.at(1, 0), is_locked=True).count() == 5


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"last_day": _day(0).isoformat()}, "last_day"),
        ({"first_day": "garbage"}, "first_day"),
        ({"last_day": _day(400).isoformat()}, "last_day"),
        ({"weekdays": ["9"]}, "weekdays"),
        (
            {
                "first_day": _day(-3).isoformat(),
                "last_day": _day(-3).isoformat(),
                "weekdays": list("0123456"),
            },
            "target_days",
        ),
        ({"location": "abc"}, "location"),
        ({"location": "999999"}, "location"),
    ],
)
def test_bad_clone_input_is_refused_with_a_message(world, manager, changes, field):
    world.slot(day=-7)
    data = {
        "location": world.location_a.pk,
        "source_day": _day(-7).isoformat(),
        "first_day": _day(1).isoformat(),
        "last_day": _day(3).isoformat(),
        "weekdays": list("0123456"),
    }
    data.update(changes)
    response = manager.post(reverse("appointments:clone"), data)
    assert response.status_code == 200
    form = response.context["form"]
    # The service's refusals that name no field of the form show above it.
    assert ("__all__" if field == "target_days" else field) in form.errors
    assert Slot.objects.count() == 1


@pytest.mark.parametrize(
    "query",
    [
        {"date": "garbage", "view": "xyz", "grid": "7", "location": "abc"},
        {"date": "2025-02-30"},
        {"view": "month", "date": "9999-12-31"},
        {"view": "week", "date": "0001-01-01"},
        {"view": "day", "date": "9999-12-31"},
        {"first_hour": "20", "last_hour": "8"},
        {"first_hour": "x", "last_hour": "99"},
        {"services": ["abc", "999999"], "resources": ["x"]},
        {"location": "99999999999999999999"},
        {"display": "table"},
    ],
)
def test_weird_calendar_parameters_show_the_schedule_with_a_message(world, manager, query):
    world.slot()
    response = manager.get(reverse("appointments:calendar"), query)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "notice--error" in response.content.decode()


@pytest.mark.parametrize("view", ["day", "week", "month"])
@pytest.mark.parametrize("display", ["grid", "list"])
def test_every_calendar_view_shows_the_slots(world, manager, view, display):
    slot = world.slot(start=6, end=7)  # before the grid's period: shown on a row of its own
    world.slot(start=21, end=22, team=world.team_b)
    world.book(slot)
    response = _calendar(manager, world, view=view, display=display)
    assert response.status_code == 200
    assert slot in response.context["slots"]
    if view != "month":
        assert reverse("appointments:slot", kwargs={"pk": slot.pk}) in response.content.decode()


def test_the_calendar_filters_by_service_and_team_without_double_counting(world):
    slot = world.slot(team=world.team_c, location=world.location_b, services_=[world.first, world.second])
    world.book(slot)
    client = _client(world, "manager1")
    response = _calendar(
        client,
        world,
        location=world.location_b.pk,
        services=[world.first.pk, world.second.pk],
        resources=[world.team_c.pk],
    )
    (shown,) = response.context["slots"]
    assert shown.booked == 1
    assert shown.remaining == slot.capacity - 1
    response = _calendar(client, world, location=world.location_b.pk, resources=[world.team_a.pk])
    assert response.context["slots"] == []


def test_the_calendar_week_costs_the_same_queries_for_one_slot_or_many(world, manager):
    # A Monday one to seven days ahead: every slot below falls in its week, in the future.
    monday = _day(7) - timedelta(days=_day(7).weekday())
    created = []

    def add_rows(count):
        for _index in range(count):
            number = len(created)
            team = world.team_a if number % 2 else world.team_b
            starts_at = world.at((monday - _day(0)).days + number % 5, 7) + timedelta(
                minutes=10 * (number // 5 % 60)
            )
            slot = schedules_services.create_slot(
                actor=world.manager1,
                organization=world.clinic,
                location=world.location_a,
                resource=team,
                services=list(team.services.all()),
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=30),
                per_interval=2,
                is_locked=bool(number % 3),
            )
            if number % 4 == 0:
                world.book(slot, name=("Personne", str(number)))
            created.append(slot)

    url = reverse("appointments:calendar") + f"?location={world.location_a.pk}&date={monday.isoformat()}"
    assert_constant_queries(manager, url + "&view=week", add_rows)
    assert len(manager.get(url + "&view=week").context["slots"]) == 50
    assert_constant_queries(manager, url + "&view=week&display=list", add_rows)
    assert_constant_queries(manager, url + "&view=month", add_rows)
    assert_constant_queries(manager, url + "&view=day", add_rows)


def test_the_resource_list_costs_the_same_queries_for_one_account_or_many(world, pilot):
    def add_rows(count):
        for _index in range(count):
            MembershipFactory(
                organization=world.clinic,
                role="appointments.consultation_1",
                scope={"locations": [world.location_a.pk]},
            )

    assert_constant_queries(pilot, reverse("appointments:resource_list"), add_rows)


def test_the_configuration_pages_open_for_the_pilot_in_french(world):
    world.pilot.preferred_language = "fr"
    world.pilot.save()
    client = _client(world, "pilot")
    response = client.get(reverse("appointments:checklist"))
    assert response.status_code == 200
    content = response.content.decode()
    assert '<html lang="fr"' in content
    assert "Aide-mémoire" in content


@pytest.mark.parametrize("far", ["9999-12-31", "0001-01-01"])
def test_dates_at_the_ends_of_the_calendar_are_refused_not_a_crash(world, manager, far):
    world.slot()
    url = reverse("appointments:slot_create") + f"?location={world.location_a.pk}&date={far}"
    assert manager.get(url).status_code == 200
    response = manager.post(url, _slot_form(world, date=far, start="23:00", end="00:00"))
    assert response.status_code == 200
    assert "date" in response.context["form"].errors
    assert (
        manager.get(reverse("appointments:clone"), {"date": far, "location": world.location_a.pk}).status_code
        == 200
    )
    response = manager.post(
        reverse("appointments:clone"),
        {
            "location": world.location_a.pk,
            "source_day": far,
            "first_day": far,
            "last_day": far,
            "weekdays": list("0123456"),
        },
    )
    assert response.status_code == 200
    assert {"source_day", "first_day", "last_day"} <= set(response.context["form"].errors)
    response = manager.post(
        reverse("appointments:day_lock"), {"location": world.location_a.pk, "date": far, "locked": "1"}
    )
    assert response.status_code == 404
    assert Slot.objects.count() == 1


def test_a_replaced_attachment_or_logo_leaves_no_old_file(world, pilot, django_capture_on_commit_callbacks):
    url = reverse("appointments:service_edit", kwargs={"pk": world.first.pk})
    with django_capture_on_commit_callbacks(execute=True):
        pilot.post(url, _service_form(world.first, attachment_upload=SimpleUploadedFile("a.pdf", PDF)))
    world.first.refresh_from_db()
    storage, first_name = world.first.attachment.storage, world.first.attachment.name
    assert storage.exists(first_name)
    with django_capture_on_commit_callbacks(execute=True):
        pilot.post(url, _service_form(world.first, attachment_upload=SimpleUploadedFile("b.pdf", PDF)))
    world.first.refresh_from_db()
    assert world.first.attachment_name == "b.pdf"
    assert storage.exists(world.first.attachment.name)
    assert not storage.exists(first_name)
    settings_url = reverse("appointments:public_page_settings")
    with django_capture_on_commit_callbacks(execute=True):
        pilot.post(settings_url, _public_form(logo_upload=SimpleUploadedFile("logo.png", PNG)))
    logo = ClinicSettings.objects.get(organization=world.clinic).logo.name
    with django_capture_on_commit_callbacks(execute=True):
        pilot.post(settings_url, _public_form(remove_logo="on"))
    assert not ClinicSettings.objects.get(organization=world.clinic).logo
    assert not storage.exists(logo)
