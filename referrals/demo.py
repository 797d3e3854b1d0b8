"""Demo employment cases: two agencies, several case managers, cases in every status of the cycle,
with needs determinations, action plans, funding requests and notifications (idempotent)."""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from referrals.agreements import services as agreement_services
from referrals.cases import services as case_services
from referrals.funding import services as funding_services
from referrals.models import (
    Agreement,
    Barrier,
    Case,
    ContractableAgency,
    DeliveryModel,
    FundingType,
    InterventionType,
    PartnerService,
    Program,
)
from referrals.partners import services as partner_services
from referrals.plans import services as plan_services
from referrals.reference import ensure_reference_data
from referrals.referrals import services as referral_services

PARTNERS = [
    # name, city, services, local coordinator
    ("Collège communautaire de la Nouvelle-Écosse", "Halifax", ["training", "essential-skills"], False),
    ("Collège communautaire du Nouveau-Brunswick", "Dieppe", ["training", "language"], False),
    ("Centre de recherche d'emploi Atlantique", "Moncton", ["job-search"], False),
    ("Entreprendre Atlantique", "Moncton", ["self-employment"], False),
    ("Coordination locale Sud-Est", "Moncton", ["coordination"], True),
]
PERSONS = [
    ("Jane", "Johnson", date(1985, 3, 14), "en"),
    ("Mathieu", "Cormier", date(1979, 11, 2), "fr"),
    ("Aisha", "Benali", date(1992, 6, 21), "fr"),
    ("Peter", "MacNeil", date(1968, 1, 30), "en"),
    ("Sylvie", "Thibodeau", date(1990, 9, 5), "fr"),
    ("Daniel", "Savoie", date(1983, 4, 17), "fr"),
    ("Grace", "O'Brien", date(1995, 12, 8), "en"),
    ("Luc", "Gaudet", date(1975, 7, 23), "fr"),
    ("Emma", "Landry", date(1988, 2, 11), "en"),
    ("Rachid", "Haddad", date(1981, 10, 29), "fr"),
    ("Marie", "LeBlanc", date(1993, 5, 19), "fr"),
]
# The path each demo case has taken through the cycle.
STORIES = [
    "intake",
    "assessment",
    "plan_development",
    "plan_development_plan",
    "plan_management",
    "follow_up",
    "closed",
]


def _workshop_start(story, today):
    """The workshop is started from plan management on, and completed from follow-up on: it began
    already then (never "In progress" with its start still to come)."""
    if story in ("follow_up", "closed"):
        return today - timedelta(days=10)
    if story == "plan_management":
        return today - timedelta(days=1)
    return today + timedelta(days=3)


def load_demo_data(context):
    ensure_reference_data()
    organizations, users = context["organizations"], context["users"]
    department = organizations["department"]
    agencies = [organizations["employment"], organizations["employment2"]]
    # The agencies the demo department may contract (platform staff keep this list in the admin).
    for agency in agencies:
        ContractableAgency.objects.get_or_create(department=department, agency=agency)
    if Case.objects.filter(agency__in=agencies).exists():
        return
    today = timezone.localdate()
    for index, agency in enumerate(agencies):
        Agreement.objects.get_or_create(
            number=f"ENT-2026-{index + 1:03d}",
            defaults={
                "department": department,
                "agency": agency,
                "start_date": date(today.year - 1, 4, 1),
                "funding_active": True,
                "ecm_enabled": True,
                "client_tracking": True,
            },
        )
    offices = {
        agencies[0].pk: [
            agreement_services.save_office(
                agency=agencies[0],
                name="Bureau de Moncton",
                city="Moncton",
                address="770, rue Main",
                postal_code="E1C 1E7",
            ),
            agreement_services.save_office(
                agency=agencies[0],
                name="Bureau de Shediac",
                city="Shediac",
                address="290, rue Main",
                postal_code="E4P 2E3",
            ),
        ],
        agencies[1].pk: [
            agreement_services.save_office(
                agency=agencies[1],
                name="Halifax Office",
                city="Halifax",
                address="1800 Argyle St",
                postal_code="B3J 3N8",
            ),
        ],
    }
    services_by_code = {service.code: service for service in PartnerService.objects.all()}
    partners = []
    for name, city, codes, coordinator in PARTNERS:
        partners.append(
            partner_services.save_partner(
                name=name,
                city=city,
                is_local_coordinator=coordinator,
                services=[services_by_code[code] for code in codes],
            )
        )
    partner_services.save_partner(
        agency=agencies[0],
        name="Atelier Menuiserie Bouctouche",
        city="Bouctouche",
        services=[services_by_code["training"]],
    )
    managers = {
        agencies[0].pk: [users["casemanager@demo.liaison.ca"], users["casemanager2@demo.liaison.ca"]],
        agencies[1].pk: [users["newpath@demo.liaison.ca"]],
    }
    ecm = Program.objects.get(code="ecm")
    edmt = FundingType.objects.get(code="edmt")
    agency_budget = FundingType.objects.get(code="agency")
    types = {item.code: item for item in InterventionType.objects.select_related("dimension")}
    barriers = list(Barrier.objects.filter(code__in=["essential-skills", "resume", "interview", "transport"]))
    worker = users["worker@demo.liaison.ca"]
    persons = iter(PERSONS)
    for agency in agencies:
        stories = STORIES if agency == agencies[0] else STORIES[:4]
        for number, story in enumerate(stories):
            first, last, birth, language = next(persons)
            manager = managers[agency.pk][number % len(managers[agency.pk])]
            person = case_services.save_person(
                first_name=first,
                last_name=last,
                birth_date=birth,
                preferred_language=language,
                city="Moncton",
            )
            case = case_services.open_case(
                actor=manager,
                agency=agency,
                person=person,
                program=ecm,
                office=offices[agency.pk][number % len(offices[agency.pk])],
                case_manager=manager,
                opened_on=today - timedelta(days=90 - number * 5),
            )
            if story == "intake":
                continue
            plan_services.save_needs_determination(
                actor=manager, case=case, barriers=barriers[:2], comments="Première évaluation."
            )
            if story == "assessment":
                continue
            plan_services.save_needs_determination(
                actor=manager,
                case=case,
                barriers=barriers,
                comments="Évaluation complétée avec la cliente.",
                complete_assessment_now=True,
            )
            if story == "plan_development":
                continue
            case.refresh_from_db()
            workshop_start = _workshop_start(story, today)
            workshop = plan_services.add_intervention(
                actor=manager,
                case=case,
                dimension=types["js-workshop"].dimension,
                funding_requested=False,
                intervention_type=types["js-workshop"],
                funding_type=agency_budget,
                delivery_model=DeliveryModel.EXTERNAL,
                planned_start=workshop_start,
                planned_end=workshop_start + timedelta(days=1),
                description="Atelier de deux jours : CV et entrevue.",
                local_coordinator=None,
                delivering_organization=partners[2],
            )
            training = plan_services.add_intervention(
                actor=manager,
                case=case,
                dimension=types["se-job-specific-formal"].dimension,
                funding_requested=True,
                intervention_type=types["se-job-specific-formal"],
                funding_type=edmt,
                delivery_model=DeliveryModel.EXTERNAL,
                planned_start=today + timedelta(days=20),
                planned_end=today + timedelta(days=200),
                description="Programme de formation en soins de longue durée.",
                local_coordinator=partners[4],
                delivering_organization=partners[1],
            )
            request = plan_services.request_funding(
                actor=manager,
                intervention=training,
                amount=Decimal("4850.00"),
                justification="Frais de scolarité et matériel.",
            )
            if story == "plan_development_plan":
                continue
            funding_services.approve_funding(
                actor=worker, funding_request=request, comment="Conforme à l'entente."
            )
            case = case_services.start_plan_management(actor=manager, case=case)
            plan_services.start_intervention(actor=manager, intervention=workshop)
            case_services.add_note(
                actor=manager,
                case=case,
                subject="Plan signé",
                text="Plan d'action revu et signé avec la personne.",
            )
            if story == "plan_management":
                continue
            plan_services.complete_intervention(actor=manager, intervention=workshop)
            case = case_services.start_follow_up(actor=manager, case=case)
            case_services.record_outcome(
                actor=manager,
                case=case,
                outcome="part_time",
                outcome_date=today - timedelta(days=2),
                employer="Pharmacie Jean Coutu",
                occupation="Commis",
                hours_per_week=24,
                notes="",
            )
            if story == "follow_up":
                continue
            case_services.close_case(actor=manager, case=case, reason="Emploi trouvé; suivi terminé.")
    _load_referrals(agencies, users)


# Demo referrals: each type in each status, and one transfer waiting for New Path Employment.
REFERRAL_STATES = ["draft", "sent", "emailed", "failed"]


def _load_referrals(agencies, users):
    from referrals.models import Referral, ReferralType, TransferStatus

    sender = users["casemanager@demo.liaison.ca"]
    now = timezone.now()
    cases = list(
        Case.objects.filter(
            agency=agencies[0], case_manager=sender, status__in=["plan_development", "plan_management"]
        )
    )
    for index, (kind, state) in enumerate(
        (kind, state) for kind in ReferralType.values for state in REFERRAL_STATES
    ):
        case = cases[index % len(cases)]
        referral = referral_services.create_referral(actor=sender, case=case, referral_type=kind)
        fields = {
            "contact_person": "Denise Gallant",
            "language": referral.language,
            "template": referral.template,
        }
        fields.update(subject=referral.subject, body=referral.body, notes="")
        if kind in (ReferralType.TRANSFER, ReferralType.WITHIN):
            fields.update(agency=agencies[1], email_to="")
        else:
            fields.update(organization_name="Centre communautaire Sainte-Anne", email_to="accueil@example.ca")
        referral_services.update_referral(actor=sender, referral=referral, **fields)
        if state == "draft":
            continue
        # Sent referrals are stored as they would be after sending (no email leaves the demo loader).
        values = {
            "status": state,
            "sent_at": now - timedelta(days=index),
            "sent_by": sender,
            "sending_agency": case.agency,
            "referred_by": case.case_manager,
        }
        if state == "emailed":
            values["emailed_at"] = now - timedelta(days=index)
        if state == "failed":
            values.update(
                attempts=5,
                failure_reason="550 Mailbox unavailable",
            )
        if kind == ReferralType.TRANSFER:
            # One transfer waits for the receiving agency; the others were withdrawn.
            values["transfer_status"] = (
                TransferStatus.PENDING if state == "emailed" else TransferStatus.WITHDRAWN
            )
        if kind == ReferralType.WITHIN:
            # New Path answers informational referrals (issue 19): the emailed one was declined.
            values["response_status"] = "declined" if state == "emailed" else "awaiting"
            if state == "emailed":
                values.update(
                    responded_by=users["newpath@demo.liaison.ca"],
                    responded_at=now - timedelta(days=index) + timedelta(hours=3),
                    response_reason="no_capacity",
                    response_comment="",
                )
        Referral.objects.filter(pk=referral.pk).update(**values)
