from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone, translation

from appointments.booking import services as booking_services
from appointments.configuration import services as configuration_services
from appointments.models import Dose, Location, Service, TeamResource
from appointments.schedules import services as schedules_services
from tests.factories import MembershipFactory, OrganizationFactory

ROLES = {
    "pilot": "appointments.pilot",
    "manager1": "appointments.management_1",
    "manager2": "appointments.management_2",
    "manager3": "appointments.management_3",
    "consult1": "appointments.consultation_1",
    "consult2": "appointments.consultation_2",
}


class World:
    """A clinic network with one person per role of the guide's table, two locations, three teams,
    first- and second-dose services; and another network (whose records answer 404)."""

    def __init__(self):
        self.clinic = OrganizationFactory(kind="clinic_network")
        self.other_clinic = OrganizationFactory(kind="clinic_network")
        self.memberships = {}
        for key, role in ROLES.items():
            membership = MembershipFactory(organization=self.clinic, role=role, user__preferred_language="en")
            self.memberships[key] = membership
            setattr(self, key, membership.user)
        # A Management #1 limited to location B.
        self.limited_membership = MembershipFactory(
            organization=self.clinic, role="appointments.management_1", user__preferred_language="en"
        )
        self.limited = self.limited_membership.user
        self.first = Service.objects.create(
            organization=self.clinic,
            name_fr="1re dose",
            name_en="First dose",
            campaign="COVID-19",
            dose=Dose.FIRST,
            duration_minutes=15,
        )
        self.second = Service.objects.create(
            organization=self.clinic,
            name_fr="2e dose",
            name_en="Second dose",
            campaign="COVID-19",
            dose=Dose.SECOND,
            duration_minutes=15,
        )
        self.location_a = self.location("Lieu A", "E1C 8K6")
        self.location_b = self.location("Lieu B", "E3B 5H1")
        self.limited_membership.scope = {"locations": [self.location_b.pk]}
        self.limited_membership.save()
        self.team_a = self.team(
            "Équipe A", [self.location_a], [self.first], members=[self.manager3, self.consult2]
        )
        self.team_b = self.team("Équipe B", [self.location_a], [self.second])
        self.team_c = self.team("Équipe C", [self.location_b], [self.first, self.second])
        # The other network's own records.
        self.other_member = MembershipFactory(
            organization=self.other_clinic, role="appointments.pilot", user__preferred_language="en"
        ).user
        self.other_service = Service.objects.create(
            organization=self.other_clinic, name_fr="Autre", name_en="Other", duration_minutes=10
        )
        self.other_location = Location.objects.create(
            organization=self.other_clinic,
            name_fr="Ailleurs",
            name_en="Elsewhere",
            address="1 rue X",
            city="Moncton",
            postal_code="E1C 4M2",
            latitude=46,
            longitude=-64,
        )
        self.other_team = TeamResource.objects.create(organization=self.other_clinic, name="Autre équipe")
        self.other_team.locations.set([self.other_location])
        self.other_team.services.set([self.other_service])

    def location(self, name, postal_code):
        return configuration_services.save_location(
            organization=self.clinic,
            location=Location(
                name_fr=name, name_en=name, address="1 rue Main", city="Moncton", postal_code=postal_code
            ),
        )

    def team(self, name, locations, services_, members=()):
        team = TeamResource.objects.create(organization=self.clinic, name=name)
        team.locations.set(locations)
        team.services.set(services_)
        team.members.set(members)
        return team

    def at(self, day_offset, hour, minute=0):
        day = timezone.localdate() + timedelta(days=day_offset)
        return timezone.make_aware(datetime.combine(day, time(hour, minute)), timezone.get_current_timezone())

    def slot(
        self,
        *,
        day=1,
        start=9,
        end=10,
        team=None,
        location=None,
        services_=None,
        per_interval=2,
        locked=False,
    ):
        team = team or self.team_a
        location = location or self.location_a
        return schedules_services.create_slot(
            actor=self.manager1,
            organization=self.clinic,
            location=location,
            resource=team,
            services=services_ or list(team.services.all()),
            starts_at=self.at(day, start),
            ends_at=self.at(day, end),
            per_interval=per_interval,
            is_locked=locked,
        )

    def book(self, slot, *, at=None, service=None, name=("Marc", "Cormier")):
        return booking_services.book_place(
            actor=self.manager1,
            slot=slot,
            service=service or slot.services.first(),
            starts_at=at or slot.starts_at,
            first_name=name[0],
            last_name=name[1],
        )


@pytest.fixture
def world(db):
    return World()


@pytest.fixture
def in_english():
    """Messages in English, whatever the request or the user (modules that read messages use it)."""
    with translation.override("en"):
        yield


@pytest.fixture
def public():
    """A visitor without an account, in English."""
    from django.test import Client

    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def pilot(world):
    """The pilot, signed in."""
    from appointments.tests.helpers import client_for

    return client_for(world, "pilot")


@pytest.fixture
def manager(world):
    """Management #1, signed in."""
    from appointments.tests.helpers import client_for

    return client_for(world, "manager1")


# Booking helpers (test_booking_*.py, test_booking_pages_*.py) ------------------------------------


def open_online_booking(world, **values):
    """Online booking open for the world's clinic, with optional settings (days_shown, messages...)."""
    from appointments.models import ClinicSettings

    clinic_settings, _created = ClinicSettings.objects.get_or_create(organization=world.clinic)
    clinic_settings.online_booking_open = True
    for field, value in values.items():
        setattr(clinic_settings, field, value)
    clinic_settings.save()
    return clinic_settings


def book_person(world, slot, *, at=None, service=None, name=("Anne", "Roy"), born="1980-01-02", **values):
    """A booking with a date of birth (so that the one-person-per-service rule applies)."""
    from datetime import date

    values.setdefault("actor", world.manager1)
    return booking_services.book_place(
        slot=slot,
        service=service or slot.services.first(),
        starts_at=at or slot.starts_at,
        first_name=name[0],
        last_name=name[1],
        date_of_birth=date.fromisoformat(born) if isinstance(born, str) else born,
        **values,
    )


@pytest.fixture(autouse=True)
def daytime(monkeypatch):
    """Staff send reminders and relaunches by hand only between 8:00 and 21:00: tests that do so run
    at 10:00 whatever the real time (tests of the night rule set the clock themselves)."""
    from appointments.follow_up import services as follow_up_services

    def ten_o_clock():
        return timezone.make_aware(
            datetime.combine(timezone.localdate(), time(10, 0)), timezone.get_current_timezone()
        )

    monkeypatch.setattr(follow_up_services, "_clock", ten_o_clock)
    # The worker holds reminders at night (portal.tasks.send_message): in tests, it is daytime.
    from portal import services as portal_services

    monkeypatch.setattr(portal_services, "sending_time", lambda moment: moment)
