"""The configuration screens through the test client: services, locations, team resources,
communications, the public page and online booking; forms, bad input, files, query counts."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from appointments.models import ClinicSettings, Location, Service, TeamResource
from appointments.tests.helpers import PDF, PNG, client_for
from tests.factories import MembershipFactory
from tests.helpers import assert_constant_queries

pytestmark = pytest.mark.django_db


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
    client = client_for(world, "pilot")
    response = client.get(reverse("appointments:checklist"))
    assert response.status_code == 200
    content = response.content.decode()
    assert '<html lang="fr"' in content
    assert "Aide-mémoire" in content


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
