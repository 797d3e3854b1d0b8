"""Configuration of the appointment application through its services: services and the campaign
duration rule, locations and their coordinates, team resources and their associations,
communications and quiet hours, online booking and the public page."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from appointments.configuration import services as configuration_services
from appointments.models import ClinicSettings, Dose, Location, Service
from appointments.tests.helpers import field_errors
from portal.dates import next_sending_time as sending_time
from portal.workflow import ActionError

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


MONCTON = ZoneInfo("America/Moncton")


# Services: the campaign duration rule -----------------------------------------------------------------


def test_the_first_and_second_doses_of_a_campaign_keep_the_same_duration(world):
    world.second.duration_minutes = 20
    with pytest.raises(ActionError) as error:
        configuration_services.save_service(organization=world.clinic, service=world.second)
    assert "duration_minutes" in error.value.message_dict
    assert "same duration" in field_errors(error, "duration_minutes")
    assert "15 minutes" in field_errors(error, "duration_minutes")
    world.second.refresh_from_db()
    assert world.second.duration_minutes == 15


def test_the_campaign_rule_ignores_the_case_of_the_campaign_name(world):
    service = Service(
        name_fr="Rappel", name_en="Booster", campaign="covid-19", dose=Dose.SECOND, duration_minutes=10
    )
    with pytest.raises(ActionError) as error:
        configuration_services.save_service(organization=world.clinic, service=service)
    assert "duration_minutes" in error.value.message_dict
    assert not Service.objects.filter(name_en="Booster").exists()


def test_a_single_dose_or_another_campaign_may_have_its_own_duration(world):
    single = configuration_services.save_service(
        organization=world.clinic,
        service=Service(
            name_fr="Grippe", name_en="Flu", campaign="COVID-19", dose=Dose.SINGLE, duration_minutes=5
        ),
    )
    other = configuration_services.save_service(
        organization=world.clinic,
        service=Service(
            name_fr="Zona", name_en="Shingles", campaign="Zona", dose=Dose.FIRST, duration_minutes=30
        ),
    )
    assert single.pk and other.pk
    assert single.organization == world.clinic


def test_the_campaign_rule_does_not_look_at_another_clinic(world):
    Service.objects.create(
        organization=world.other_clinic, name="X", campaign="COVID-19", dose=Dose.FIRST, duration_minutes=45
    )
    world.first.name_en = "First dose, renamed"
    configuration_services.save_service(organization=world.clinic, service=world.first)


def test_a_duration_used_by_upcoming_slots_cannot_change(world):
    world.slot()
    world.first.campaign = ""  # out of the campaign rule: only the slots stop this change
    world.first.duration_minutes = 20
    with pytest.raises(ActionError) as error:
        configuration_services.save_service(organization=world.clinic, service=world.first)
    assert "Upcoming slots" in field_errors(error, "duration_minutes")


# Locations: coordinates from the postal code ------------------------------------------------------------


def _location(postal_code, **values):
    return Location(
        name_fr="Lieu",
        name_en="Place",
        address="1 rue Main",
        city="Moncton",
        postal_code=postal_code,
        **values,
    )


def test_a_location_gets_the_coordinates_of_its_full_postal_code(world):
    location = configuration_services.save_location(organization=world.clinic, location=_location("E1C 8K6"))
    location.refresh_from_db()
    assert location.latitude == Decimal("46.084800")
    assert location.longitude == Decimal("-64.789600")


def test_an_unknown_full_code_falls_back_to_its_forward_sortation_area(world):
    assert configuration_services.coordinates_for("e1c9z9") == (
        Decimal("46.0987"),
        Decimal("-64.8036"),
        False,
    )
    location = configuration_services.save_location(organization=world.clinic, location=_location("E1C 9Z9"))
    assert location.latitude == Decimal("46.0987")
    assert location.longitude == Decimal("-64.8036")


def test_an_unknown_postal_code_without_coordinates_is_refused(world):
    with pytest.raises(ActionError) as error:
        configuration_services.save_location(organization=world.clinic, location=_location("E9Z 9Z9"))
    assert "latitude and longitude" in field_errors(error, "postal_code")
    assert not Location.objects.filter(postal_code="E9Z 9Z9").exists()


@pytest.mark.parametrize("postal_code", ["D1A 1A1", "E1D 1D1", "Z9Z 9Z9", "", "E1"])
def test_a_postal_code_the_data_cannot_read_is_refused_not_a_crash(world, postal_code):
    assert configuration_services.coordinates_for(postal_code) == (None, None, False)
    with pytest.raises(ActionError) as error:
        configuration_services.save_location(organization=world.clinic, location=_location(postal_code))
    assert "postal_code" in error.value.message_dict


def test_coordinates_typed_by_the_pilot_are_kept(world):
    location = configuration_services.save_location(
        organization=world.clinic,
        location=_location("E9Z 9Z9", latitude=Decimal("47.1"), longitude=Decimal("-65.2")),
    )
    location.refresh_from_db()
    assert (location.latitude, location.longitude) == (Decimal("47.100000"), Decimal("-65.200000"))
    kept = configuration_services.save_location(
        organization=world.clinic,
        location=_location("E1C 8K6", latitude=Decimal("45"), longitude=Decimal("-66")),
    )
    assert (kept.latitude, kept.longitude) == (Decimal("45"), Decimal("-66"))


def test_a_new_postal_code_moves_coordinates_that_were_not_edited(world):
    location = Location.objects.get(pk=world.location_a.pk)  # E1C 8K6, Moncton
    location.postal_code = "E3B 5H1"  # Fredericton; the form sends the old coordinates back unchanged
    configuration_services.save_location(organization=world.clinic, location=location)
    location.refresh_from_db()
    assert (location.latitude, location.longitude) == (Decimal("45.956500"), Decimal("-66.641100"))
    # Coordinates typed with the new code are the pilot's.
    location.postal_code = "E1C 8K6"
    location.latitude, location.longitude = Decimal("46.5"), Decimal("-65")
    configuration_services.save_location(organization=world.clinic, location=location)
    location.refresh_from_db()
    assert (location.latitude, location.longitude) == (Decimal("46.500000"), Decimal("-65.000000"))
    # Another change of name only keeps them.
    location.name_en = "Renamed"
    configuration_services.save_location(organization=world.clinic, location=location)
    location.refresh_from_db()
    assert location.latitude == Decimal("46.500000")


# Team resources and their associations -------------------------------------------------------------


def test_a_location_used_by_upcoming_slots_cannot_be_removed_from_a_team(world):
    world.slot(team=world.team_a)
    with pytest.raises(ActionError) as error:
        configuration_services.associate_resource(
            resource=world.team_a, locations=[world.location_b], services=[world.first], members=[]
        )
    assert "locations" in error.value.message_dict
    assert list(world.team_a.locations.all()) == [world.location_a]
    assert set(world.team_a.members.all()) == {world.manager3, world.consult2}


def test_a_service_used_by_upcoming_slots_cannot_be_removed_from_a_team(world):
    world.slot(team=world.team_a)
    with pytest.raises(ActionError) as error:
        configuration_services.associate_resource(
            resource=world.team_a, locations=[world.location_a], services=[world.second], members=[]
        )
    assert "services" in error.value.message_dict
    assert list(world.team_a.services.all()) == [world.first]


def test_removing_one_of_the_services_of_an_upcoming_slot_is_refused(world):
    # The slot offers both doses; keeping the first dose does not make the second one go away.
    world.slot(team=world.team_c, location=world.location_b, services_=[world.first, world.second])
    with pytest.raises(ActionError) as error:
        configuration_services.associate_resource(
            resource=world.team_c, locations=[world.location_b], services=[world.first], members=[]
        )
    assert "services" in error.value.message_dict
    assert set(world.team_c.services.all()) == {world.first, world.second}


def test_past_slots_do_not_hold_a_teams_associations(world):
    world.slot(day=-3, team=world.team_a)
    team = configuration_services.associate_resource(
        resource=world.team_a, locations=[world.location_b], services=[world.second], members=[world.manager3]
    )
    assert list(team.locations.all()) == [world.location_b]
    assert list(team.services.all()) == [world.second]
    assert list(team.members.all()) == [world.manager3]


# Communications: quiet hours ------------------------------------------------------------------------


def _moncton(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=MONCTON)


@pytest.mark.parametrize("day", [date(2025, 1, 15), date(2025, 7, 15)])
@pytest.mark.parametrize(
    ("due", "expected"),
    [
        ((0, 20, 59), (0, 20, 59)),
        ((0, 21, 0), (1, 8, 0)),
        ((0, 23, 30), (1, 8, 0)),
        ((0, 3, 0), (0, 8, 0)),
        ((0, 0, 0), (0, 8, 0)),
        ((0, 7, 59), (0, 8, 0)),
        ((0, 8, 0), (0, 8, 0)),
        ((0, 12, 0), (0, 12, 0)),
    ],
)
def test_nothing_goes_out_between_21_and_8_local_time(day, due, expected):
    with timezone.override(MONCTON):
        moment = _moncton(day + timedelta(days=due[0]), due[1], due[2]).astimezone(ZoneInfo("UTC"))
        sent = sending_time(moment)
    assert sent == _moncton(day + timedelta(days=expected[0]), expected[1], expected[2])


def test_quiet_hours_follow_moncton_even_across_a_time_change():
    # Canada moves its clocks on 9 March 2025 at 2:00.
    with timezone.override(MONCTON):
        sent = sending_time(_moncton(date(2025, 3, 8), 22, 0))
    assert sent == _moncton(date(2025, 3, 9), 8, 0)
    assert sent.astimezone(ZoneInfo("UTC")).hour == 11


def test_communications_are_saved_for_the_four_kinds(world):
    rules = {
        kind: {"is_active": kind == "first_reminder", "delay_hours": delay, "by_sms": True, "by_email": False}
        for kind, delay in configuration_services.DEFAULT_DELAYS.items()
    }
    saved = configuration_services.save_communications(organization=world.clinic, rules=rules)
    assert len(saved) == 4
    again = configuration_services.save_communications(organization=world.clinic, rules=rules)
    assert {rule.pk for rule in again} == {rule.pk for rule in saved}
    assert [rule.kind for rule in saved if rule.is_active] == ["first_reminder"]


# Online booking and public page ------------------------------------------------------------------------


def test_online_booking_is_opened_and_closed(world):
    assert not ClinicSettings.objects.filter(organization=world.clinic).exists()
    assert (
        configuration_services.set_online_booking(organization=world.clinic, is_open=True).online_booking_open
        is True
    )
    assert ClinicSettings.objects.get(organization=world.clinic).online_booking_open is True
    assert (
        configuration_services.set_online_booking(organization=world.clinic, is_open=True).online_booking_open
        is True
    )
    configuration_services.set_online_booking(organization=world.clinic, is_open=False)
    assert ClinicSettings.objects.get(organization=world.clinic).online_booking_open is False
    assert ClinicSettings.objects.filter(organization=world.clinic).count() == 1


def test_the_public_page_texts_are_saved_in_both_languages(world):
    settings = configuration_services.save_public_page(
        organization=world.clinic,
        values={"welcome_message_fr": "Bienvenue", "welcome_message_en": "Welcome", "days_shown": 21},
    )
    settings.refresh_from_db()
    assert (settings.welcome_message_fr, settings.welcome_message_en, settings.days_shown) == (
        "Bienvenue",
        "Welcome",
        21,
    )
