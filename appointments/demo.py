"""Demo clinic network: two locations, first- and second-dose services with eligibility questions,
three teams, communications, the public page, and slots for the coming two weeks (idempotent)."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from appointments.booking import services as booking_services
from appointments.configuration import services as configuration_services
from appointments.models import (
    ClinicSettings,
    CommunicationKind,
    Dose,
    EligibilityAnswer,
    EligibilityQuestion,
    Location,
    Service,
    Slot,
    TeamResource,
)
from appointments.schedules import services as schedules_services

SERVICES = [
    # key, name fr, name en, dose, position
    ("first", "1re dose – Vaccin contre la COVID-19", "First dose – COVID-19 vaccine", Dose.FIRST, 1),
    ("second", "2e dose – Vaccin contre la COVID-19", "Second dose – COVID-19 vaccine", Dose.SECOND, 2),
]
DEMO_INTERVAL_DAYS = 28
LOCATIONS = [
    (
        "moncton",
        "Clinique de vaccination de Moncton",
        "Moncton Vaccination Clinic",
        "1 rue Main",
        "Moncton",
        "E1C 8K6",
        1,
    ),
    (
        "fredericton",
        "Clinique de vaccination de Fredericton",
        "Fredericton Vaccination Clinic",
        "520 rue King",
        "Fredericton",
        "E3B 5H1",
        2,
    ),
]
TEAMS = [
    # name, colour, location keys, service keys, position
    ("Équipe infirmières – #1", "#1f5f99", ["moncton"], ["first"], 1),
    ("Équipe infirmières – #2", "#7a3e9d", ["moncton"], ["second"], 2),
    ("Équipe infirmières – #3", "#2e7d32", ["fredericton"], ["first", "second"], 3),
    ("Équipe grippe", "#b35c00", ["moncton", "fredericton"], ["flu"], 4),
]


def load_demo_data(context):
    organization = context["organizations"]["clinic"]
    users = context["users"]
    if Service.objects.filter(organization=organization).exists():
        return
    ClinicSettings.objects.update_or_create(
        organization=organization,
        defaults=dict(
            online_booking_open=True,
            public_name_fr="Réseau des cliniques de vaccination",
            public_name_en="Vaccination Clinic Network",
            address="1 rue Main, Moncton NB E1C 8K6",
            phone="506 555 0100",
            email="vaccination@demo.liaison.ca",
            welcome_message_fr="Bienvenue! Prenez rendez-vous pour votre vaccin contre la COVID-19.",
            welcome_message_en="Welcome! Book your COVID-19 vaccine appointment.",
            popup_message_fr="Nous vaccinons actuellement les personnes de 12 ans et plus.",
            popup_message_en="We are currently vaccinating people aged 12 and over.",
            transitional_message_fr="La prise de rendez-vous en ligne ouvrira bientôt. Revenez nous voir.",
            transitional_message_en="Online booking opens soon. Please come back.",
            days_shown=14,
        ),
    )
    service_by_key = {}
    for key, name_fr, name_en, dose, position in SERVICES:
        service = Service.objects.create(
            organization=organization,
            name_fr=name_fr,
            name_en=name_en,
            description_fr="Vaccin contre la COVID-19, sur rendez-vous.",
            description_en="COVID-19 vaccine, by appointment.",
            campaign="COVID-19",
            dose=dose,
            # Issue 20: the first dose's confirmation offers the second dose 28 days later.
            minimum_interval_days=DEMO_INTERVAL_DAYS if dose == Dose.FIRST else None,
            duration_minutes=15,
            instructions_fr="Portez un vêtement à manches courtes et apportez votre carte d'assurance-maladie.",
            instructions_en="Wear a short-sleeved top and bring your health card.",
            message_available_fr="Choisissez une date puis une heure.",
            message_available_en="Choose a date, then a time.",
            message_unavailable_fr="Aucune disponibilité pour le moment à ce lieu. Essayez un autre lieu.",
            message_unavailable_en="No availability at this location for now. Try another location.",
            message_not_eligible_fr="Vous n'êtes pas admissible à ce service pour le moment.",
            message_not_eligible_en="You are not eligible for this service at this time.",
            personal_fields={
                "date_of_birth": "required",
                "health_card_number": "required",
                "email": "optional",
                "mobile_phone": "optional",
                "postal_code": "optional",
                "comment": "optional",
            },
            position=position,
        )
        EligibilityQuestion.objects.create(
            service=service,
            text_fr="Avez-vous 12 ans ou plus?",
            text_en="Are you 12 years of age or older?",
            eligible_answer=EligibilityAnswer.YES,
            position=1,
        )
        EligibilityQuestion.objects.create(
            service=service,
            text_fr="Avez-vous reçu un autre vaccin au cours des 14 derniers jours?",
            text_en="Have you received another vaccine in the last 14 days?",
            eligible_answer=EligibilityAnswer.NO,
            position=2,
        )
        service_by_key[key] = service
    service_by_key["flu"] = Service.objects.create(
        organization=organization,
        name_fr="Vaccin contre la grippe",
        name_en="Flu vaccine",
        description_fr="Vaccin saisonnier contre la grippe, pour toute personne de 6 mois et plus.",
        description_en="Seasonal flu vaccine, for anyone 6 months of age and older.",
        duration_minutes=10,
        instructions_fr="Apportez votre carte d'assurance-maladie.",
        instructions_en="Bring your health card.",
        personal_fields={"date_of_birth": "required", "email": "optional", "mobile_phone": "optional"},
        position=3,
    )
    location_by_key = {}
    for key, name_fr, name_en, address, city, postal_code, position in LOCATIONS:
        location_by_key[key] = configuration_services.save_location(
            organization=organization,
            location=Location(
                name_fr=name_fr,
                name_en=name_en,
                address=address,
                city=city,
                postal_code=postal_code,
                position=position,
                message_fr="Stationnement gratuit à l'arrière.",
                message_en="Free parking at the back.",
            ),
        )
    teams = []
    for name, colour, location_keys, service_keys, position in TEAMS:
        team = TeamResource.objects.create(
            organization=organization, name=name, colour=colour, position=position
        )
        team.locations.set([location_by_key[key] for key in location_keys])
        team.services.set([service_by_key[key] for key in service_keys])
        teams.append((team, location_keys, service_keys))
    # The Management #3 and Consultation #2 demo people see the first team's schedules as their own.
    teams[0][0].members.set(
        [
            users[email]
            for email in ("scheduler@demo.liaison.ca", "consultation@demo.liaison.ca")
            if email in users
        ]
    )
    configuration_services.save_communications(
        organization=organization,
        rules={
            CommunicationKind.FIRST_REMINDER: dict(
                is_active=True, delay_hours=48, by_sms=True, by_email=True
            ),
            CommunicationKind.SECOND_REMINDER: dict(
                is_active=True, delay_hours=24, by_sms=True, by_email=True
            ),
            CommunicationKind.ABSENCE_RELAUNCH: dict(
                is_active=True, delay_hours=24, by_sms=True, by_email=True
            ),
            CommunicationKind.CANCELLATION_RELAUNCH: dict(
                is_active=False, delay_hours=24, by_sms=False, by_email=True
            ),
        },
    )
    pilot = users.get("pilot@demo.liaison.ca")
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    for offset in range(0, 15):
        day = today + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for team, location_keys, service_keys in teams:
            for start, end in ((time(9, 0), time(12, 0)), (time(13, 0), time(16, 0))):
                schedules_services.create_slot(
                    actor=pilot,
                    organization=organization,
                    location=location_by_key[location_keys[0]],
                    resource=team,
                    services=[service_by_key[key] for key in service_keys],
                    starts_at=timezone.make_aware(datetime.combine(day, start), tz),
                    ends_at=timezone.make_aware(datetime.combine(day, end), tz),
                    per_interval=2,
                    is_locked=start == time(13, 0) and team.position == 2,
                )
    # The second doses' mornings at Moncton from the first doses' interval on (a first dose of the
    # coming two weeks finds its second dose's times, whatever the day the demo is loaded).
    second_team = next(team for team, _locations, keys in teams if keys == ["second"])
    for offset in range(DEMO_INTERVAL_DAYS, DEMO_INTERVAL_DAYS + 15 + 14):
        day = today + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        schedules_services.create_slot(
            actor=pilot,
            organization=organization,
            location=location_by_key["moncton"],
            resource=second_team,
            services=[service_by_key["second"]],
            starts_at=timezone.make_aware(datetime.combine(day, time(9, 0)), tz),
            ends_at=timezone.make_aware(datetime.combine(day, time(12, 0)), tz),
            per_interval=2,
            is_locked=False,
        )
    # A few booked places, so that the schedule shows what is left.
    people = [
        ("Marc", "Cormier", "1956-03-14"),
        ("Julie", "Gallant", "1988-07-02"),
        ("Amir", "Nasser", "1971-11-23"),
        ("Chloe", "Arsenault", "2001-05-30"),
        ("Robert", "Losier", "1949-09-09"),
        ("Nadia", "Hache", "1993-01-17"),
    ]
    slots = list(
        Slot.objects.filter(
            organization=organization, starts_at__gt=timezone.now(), is_locked=False
        ).order_by("starts_at")[:6]
    )
    for index, (slot, (first, last, born)) in enumerate(zip(slots, people, strict=False)):
        times = slot.interval_starts()
        booking_services.book_place(
            actor=pilot,
            slot=slot,
            service=slot.services.first(),
            starts_at=times[index % len(times)],
            first_name=first,
            last_name=last,
            date_of_birth=date.fromisoformat(born),
            email=f"{first.lower()}.{last.lower()}@example.com",
            mobile_phone=f"+1506555{index + 100:04d}",
            details={"health_card_number": f"{123456700 + index}"},
        )
