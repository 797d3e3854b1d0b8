"""Demo interpreter banks (idempotent): the first serves three establishments, with ten interpreters
in several languages, requests in every status and one issued statement; the second has its own
coordinator and interpreter and none of the first bank's data (it sees none of it either)."""

from datetime import time, timedelta
from decimal import Decimal

from django.utils import timezone

from interpreters.billing import services as billing
from interpreters.models import (
    CostCentre,
    InterpreterProfile,
    Language,
    Registration,
    Request,
    RequestEvent,
    RequestStatus,
    ServedEstablishment,
    ServiceType,
)
from interpreters.reference import ensure_reference_data
from interpreters.requests import notices, services
from portal import dates
from portal.demo import demo_account
from portal.models import Membership, Organization

SECOND_BANK = ("Banque d'interprètes de l'Atlantique", "Atlantic Interpreter Bank")
# email, first, last, language, role (the second bank's people)
SECOND_BANK_PEOPLE = [
    ("coordinator2@demo.liaison.ca", "Martine", "Poirier", "fr", "interpreters.coordinator"),
    ("interpreter2@demo.liaison.ca", "Karim", "Benali", "fr", "interpreters.interpreter"),
]

INTERPRETERS = [
    # email, first, last, language, languages, modalities, postal code, gender. They live around
    # Moncton (Memramcook, Shediac, Salisbury, Sackville, Bouctouche, Petitcodiac), 15 to 50 km
    # from the demo requests' hospital (E1C 6Z8): the suggestions' distances are realistic.
    (
        "interpreter@demo.liaison.ca",
        None,
        None,
        "fr",
        ["ar", "fa"],
        ["in_person", "phone", "video"],
        "E4K 2S1",  # Memramcook, about 20 km from the Moncton hospital
        "man",
    ),
    ("amal@demo.liaison.ca", "Amal", "Khoury", "fr", ["ar"], ["in_person", "video"], "E4P 1A1", "woman"),
    (
        "diego@demo.liaison.ca",
        "Diego",
        "Ramírez",
        "fr",
        ["es", "pt"],
        ["in_person", "phone"],
        "E4J 2B1",
        "man",
    ),
    ("mei@demo.liaison.ca", "Mei", "Chen", "en", ["zh"], ["phone", "video"], "E4L 3B5", "woman"),
    (
        "yonas@demo.liaison.ca",
        "Yonas",
        "Tesfaye",
        "en",
        ["ti", "sw"],
        ["in_person", "phone"],
        "E4S 3A1",
        "man",
    ),
    (
        "olena@demo.liaison.ca",
        "Olena",
        "Kovalenko",
        "fr",
        ["uk", "ru"],
        ["in_person", "video"],
        "E4Z 1A1",
        "woman",
    ),
    (
        "sara@demo.liaison.ca",
        "Sara",
        "Haidari",
        "fr",
        ["fa"],
        ["in_person", "phone", "video"],
        "E4J 1A1",
        "woman",
    ),
    ("jean@demo.liaison.ca", "Jean-Robert", "Pierre", "fr", ["ht"], ["in_person", "phone"], "E4P 8M1", "man"),
    (
        "isabelle@demo.liaison.ca",
        "Isabelle",
        "Gagné",
        "fr",
        ["lsq"],
        ["in_person", "video"],
        "E4L 1A1",
        "woman",
    ),
    (
        "mark@demo.liaison.ca",
        "Mark",
        "Sullivan",
        "en",
        ["asl", "lsq"],
        ["in_person", "video"],
        "E4Z 6A1",
        "man",
    ),
]
# The story of each demo request.
STORIES = [
    "submitted",
    "assigned",
    "accepted",
    "declined",
    "confirmed",
    "completed",
    "validated",
    "cancelled",
]


def _at(day, hour):
    return dates.aware(day, time(hour, 0))


def _demo_user(users, email, first, last, language):
    user = users[email] = users.get(email) or demo_account(email, first, last, language)
    return user


def _load_second_bank(context):
    """A second bank with a coordinator and an interpreter, and nothing of the first bank's."""
    organizations, users = context["organizations"], context["users"]
    name_fr, name_en = SECOND_BANK
    bank, _created = Organization.objects.get_or_create(
        name_fr=name_fr,
        defaults={
            "name": name_fr,
            "name_en": name_en,
            "kind": "interpreter_bank",
            "contact_email": "bank2@demo.liaison.ca",
            "article_fr": "la",
            "article_en": "the",
        },
    )
    organizations["bank2"] = bank
    billing.ensure_rates(bank=bank)
    for email, first, last, language, role in SECOND_BANK_PEOPLE:
        user = _demo_user(users, email, first, last, language)
        Membership.objects.get_or_create(
            user=user,
            organization=bank,
            role=role,
            defaults={"valid_from": timezone.localdate() - timedelta(days=365)},
        )
        if role == "interpreters.interpreter":
            profile, _created = InterpreterProfile.objects.get_or_create(
                user=user,
                defaults={
                    "bank": bank,
                    "modalities": ["phone", "video"],
                    "home_postal_code": "E1A 7R1",
                    "gender": "man",
                    "accreditation": "accredited",
                },
            )
            profile.languages.set(Language.objects.filter(code__in=["ar", "es"]))


def load_demo_data(context):
    ensure_reference_data()
    organizations, users = context["organizations"], context["users"]
    bank = organizations["bank"]
    establishments = [organizations["health"], organizations["health2"], organizations["health3"]]
    for establishment in establishments:
        ServedEstablishment.objects.get_or_create(establishment=establishment, defaults={"bank": bank})
    billing.ensure_rates(bank=bank)
    _load_second_bank(context)
    if Request.objects.filter(bank=bank).exists():
        return
    profiles = _demo_interpreters(users, bank)
    centres = _demo_cost_centres(establishments)
    requester = users["requester@demo.liaison.ca"]
    coordinator = users["coordinator@demo.liaison.ca"]
    Registration.objects.get_or_create(
        email="nouvelle.demandeuse@example.ca",
        defaults={
            "first_name": "Nadine",
            "last_name": "Bélanger",
            "establishment": establishments[2],
            "bank": bank,
            "job_title": "Travailleuse sociale",
        },
    )
    arabic = Language.objects.get(code="ar")
    medical = ServiceType.objects.get(code="medical")
    today = timezone.localdate()
    first_of_month = today.replace(day=1)
    for index, story in enumerate(STORIES):
        past = story in ("completed", "validated")
        day = (
            (first_of_month if past and first_of_month < today else today - timedelta(days=1))
            if past
            else today + timedelta(days=2 + index)
        )
        if past and day >= today:
            day = today - timedelta(days=1)
        request = Request(
            number=f"IR-{900 + index:06d}",
            establishment=establishments[0],
            bank=bank,
            requester=requester,
            language=arabic,
            date=day,
            start_time=time(9 + index % 6, 0),
            duration_minutes=90,
            modality="in_person",
            site_name="Hôpital régional — Pavillon B",
            address="135, rue MacBeath, Moncton",
            postal_code="E1C 6Z8",
            room=f"B-{210 + index}",
            service_type=medical,
            context="Rendez-vous de suivi en clinique externe.",
            contact_name="Paul Richard",
            contact_phone="506-555-0100",
            cost_centre=centres[establishments[0].pk][index % 3],
        )
        request.compute_times()
        request.save()
        RequestEvent.objects.create(
            request=request, action="created", from_status="", to_status=RequestStatus.SUBMITTED, actor=requester
        )
        if story != "submitted":
            # interpreter@ holds the offer, the confirmed assignment and a completed service.
            interpreter = profiles[0] if story in ("assigned", "confirmed", "completed") else profiles[1]
            _play_story(story, request, interpreter=interpreter, requester=requester, coordinator=coordinator)
    # One statement issued, for the month of the validated service.
    validated = Request.objects.filter(bank=bank, status=RequestStatus.VALIDATED).first()
    if validated is not None:
        billing.issue_statements(actor=coordinator, bank=bank, month=validated.date.replace(day=1))


def _demo_interpreters(users, bank):
    profiles = []
    for email, first, last, language, languages, modalities, postal_code, gender in INTERPRETERS:
        user = _demo_user(users, email, first, last, language)
        Membership.objects.get_or_create(
            user=user,
            organization=bank,
            role="interpreters.interpreter",
            defaults={"valid_from": timezone.localdate() - timedelta(days=365)},
        )
        profile, _created = InterpreterProfile.objects.get_or_create(
            user=user,
            defaults={
                "bank": bank,
                "modalities": modalities,
                "home_postal_code": postal_code,
                "gender": gender,
                "accreditation": "accredited",
            },
        )
        profile.languages.set(Language.objects.filter(code__in=languages))
        profiles.append(profile)
    return profiles


def _demo_cost_centres(establishments):
    centres = {}
    for establishment in establishments:
        centres[establishment.pk] = [
            CostCentre.objects.get_or_create(establishment=establishment, code=code, defaults={"name": name})[
                0
            ]
            for code, name in (
                ("7010", "Urgence"),
                ("7420", "Santé mentale adulte"),
                ("6300", "Services sociaux"),
            )
        ]
    return centres


def _play_story(story, request, *, interpreter, requester, coordinator):
    """Take a demo request from submitted to the status its story names."""
    past = story in ("completed", "validated")
    if story == "cancelled":
        services.cancel_request(
            actor=requester, request=request, reason="Rendez-vous reporté par la clinique."
        )
        return
    if past:
        # Past services are stored as they happened (assigning is for future moments only).
        request.interpreter = interpreter
        request.status = RequestStatus.CONFIRMED
        request.save(update_fields=["interpreter", "status"])
    else:
        request = services.assign_interpreter(actor=coordinator, request=request, interpreter=interpreter)
    if story == "assigned":
        return
    if story == "declined":
        services.decline_offer(
            actor=interpreter.user, request=request, reason="Déjà engagé ailleurs ce jour-là."
        )
        return
    if not past:
        request = services.accept_offer(actor=interpreter.user, request=request)
    if story == "accepted":
        return
    if not past:
        request = services.confirm_request(actor=coordinator, request=request)
        notices.post_message(
            actor=requester, request=request, text="Merci! L'accueil est au rez-de-chaussée."
        )
        return
    request = services.record_completion(
        actor=interpreter.user,
        request=request,
        actual_start=request.starts_at,
        actual_end=request.starts_at + timedelta(minutes=100),
        travel_km=Decimal("12.5"),
        waiting_minutes=10,
        expenses=Decimal("8.00"),
        notes="",
    )
    if story == "validated":
        services.validate_completion(actor=coordinator, request=request)
