"""Demo service orders: summaries in every status, for two providers in two zones (idempotent)."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from orders.confirmations import services as confirmation_services
from orders.models import (
    ChangeCategory,
    OptionList,
    OrderSummary,
    ReportKind,
    ReportOption,
    ServiceCentre,
    ServiceType,
    Zone,
)
from orders.offers import services as offer_services
from orders.reference import ensure_reference_data
from orders.reports import services as report_services
from orders.summaries import services as summary_services
from portal import dates
from portal.demo import demo_account
from portal.models import Membership

CLIENTS = [
    "Brighton Early",
    "Mélissa Rachyl",
    "Anita Plourde",
    "Howard Doucette",
    "Élise Thériault",
    "Gérard Landry",
    "Nathalie Savoie",
    "Omar Benali",
    "Claire Boudreau",
    "Patrick O'Neil",
    "Suzanne Gagnon",
    "Yves Arsenault",
    "Léa Cormier",
    "Daniel Hachey",
    "Fatima Haddad",
    "Rémi Bourque",
    "Sophie Leclerc",
    "Marc-André Roy",
    "Jeanne Robichaud",
    "Kevin MacDonald",
    "Lucie Poirier",
    "Samuel Goguen",
    "Isabelle Losier",
    "Tom Fitzgerald",
]
# The life each demo summary has had, in order.
STORIES = [
    [],
    ["offer"],
    ["offer"],
    ["offer", "accept"],
    ["offer", "accept", "pending"],
    ["offer", "accept", "pending", "amend", "reactivate"],
    ["offer", "accept", "terminate", "miscellaneous"],
    ["offer", "cancel"],
    ["offer", "decline"],
    ["offer", "revoke"],
    # Accepted, then past its 25-day period: expired (the demo's "expired requests").
    ["offer", "accept"],
]
# Stories whose period runs a year on any date (they must stay active: pending, adjusted).
LONG = (4,)


# A second department worker (password and authenticator as every demo account), so that giving a
# summary and its open tasks to a colleague ("Change the assigned worker") can be tried.
SECOND_WORKER = ("worker2@demo.liaison.ca", "Émilie", "Doiron", "en")


def _second_worker(department, today):
    email, first, last, language = SECOND_WORKER
    user = demo_account(email, first, last, language)
    Membership.objects.get_or_create(
        user=user,
        organization=department,
        role="orders.department_worker",
        defaults={"valid_from": today - timedelta(days=365)},
    )
    return user


def load_demo_data(context):
    ensure_reference_data()
    organizations, users = context["organizations"], context["users"]
    department = organizations["department"]
    users[SECOND_WORKER[0]] = _second_worker(department, timezone.localdate())
    if OrderSummary.objects.filter(department=department).exists():
        return
    worker = users["worker@demo.liaison.ca"]
    coordinators = {
        "provider": users["coordination@demo.liaison.ca"],
        "provider2": users["atlantic@demo.liaison.ca"],
    }
    home_support = ServiceType.objects.get(code="home-support")
    transport = ServiceType.objects.get(code="transport")
    zones = [Zone.objects.get(code="south-west"), Zone.objects.get(code="central")]
    centres = [ServiceCentre.objects.get(code="saint-john"), ServiceCentre.objects.get(code="fredericton")]
    today = timezone.localdate()
    names = iter(CLIENTS)
    for index, provider_key in enumerate(("provider", "provider2")):
        provider = organizations[provider_key]
        coordinator = coordinators[provider_key]
        for number, story in enumerate(STORIES):
            start = today.replace(day=1) - timedelta(days=60 * (number % 3))
            end = start + timedelta(days=365 if number % 2 or number in LONG else 25)
            summary = summary_services.create_summary(
                actor=worker,
                department=department,
                provider=provider,
                client_name=next(names),
                service=home_support,
                zone=zones[index],
                service_centre=centres[index],
                start_date=start,
                end_date=end,
                worker=worker,
                notes_for_provider="Entrée par la porte arrière. / Use the back door.",
                order={
                    "effective_date": start,
                    "per": "week",
                    "base_units": Decimal(10 + number),
                    "base_rate": Decimal("30.09"),
                    "km_units": Decimal(40),
                    "other_monthly_cost": Decimal(0),
                    "client_contribution": Decimal(52),
                },
            )
            _play(story, summary, worker, coordinator, start)
        # A transport service arrives Activated, without acceptance.
        summary = summary_services.create_summary(
            actor=worker,
            department=department,
            provider=provider,
            client_name=next(names),
            service=transport,
            zone=zones[index],
            service_centre=centres[index],
            start_date=today - timedelta(days=10),
            end_date=today + timedelta(days=20),
            worker=worker,
            order={
                "effective_date": today - timedelta(days=10),
                "per": "month",
                "base_units": Decimal(8),
                "base_rate": Decimal("22.50"),
                "km_units": Decimal(300),
                "other_monthly_cost": Decimal(0),
                "client_contribution": Decimal(0),
            },
        )
        summary_services.offer_summary(actor=worker, summary=summary)
    # What the hourly job would do next: the active ones already past their end date expire.
    summary_services.expire_ended_summaries()


def _play(story, summary, worker, coordinator, start):
    for step in story:
        if step == "offer":
            summary = summary_services.offer_summary(actor=worker, summary=summary)
        elif step == "accept":
            # Some demo periods are over on some days of the month (25-day summaries).
            summary = offer_services.accept_summary(
                actor=coordinator,
                summary=summary,
                message="Nous pouvons commencer lundi.",
                period_over_confirmed=True,
            )
            order = summary.orders.first()
            month = max(
                dates.month_start(start), dates.previous_month(timezone.localdate())
            )
            if month <= timezone.localdate() and month <= summary.end_date:
                confirmation_services.confirm_month(
                    actor=coordinator,
                    order=order,
                    month=month,
                    units_delivered=Decimal(40),
                    km_delivered=Decimal("123.5"),
                )
            report_services.log_report(
                actor=coordinator,
                order=order,
                kind=ReportKind.CHANGE,
                category=ChangeCategory.objects.get(code="change-service"),
                types=ReportOption.objects.filter(
                    list_name=OptionList.CHANGE_TYPE, code="change-person-increase"
                ),
                description="La personne demande deux heures de plus par semaine.",
            )
            report_services.log_report(
                actor=coordinator,
                order=order,
                kind=ReportKind.INCIDENT,
                types=ReportOption.objects.filter(code="incident_type-fall"),
                measures=ReportOption.objects.filter(code="measure-first-aid"),
                description="Chute dans la salle de bain, sans blessure grave.",
                urgency="medium",
                location="home",
                # Never before the service started (on the 1st, two days ago is last month).
                occurred_on=max(start, timezone.localdate() - timedelta(days=2)),
                occurred_at=timezone.localtime().time().replace(microsecond=0),
            )
        elif step == "pending":
            summary = summary_services.set_pending(actor=worker, summary=summary)
            report_services.log_report(
                actor=coordinator,
                order=summary.orders.first(),
                kind=ReportKind.OBSERVATION,
                types=ReportOption.objects.filter(code="observation_type-mobility"),
                description="Se déplace avec plus de difficulté depuis une semaine.",
                location="home",
                occurred_on=max(start, timezone.localdate() - timedelta(days=1)),
                occurred_at=timezone.localtime().time().replace(microsecond=0),
                follow_up_required=True,
            )
        elif step == "amend":
            summary_services.amend_summary(
                actor=worker,
                summary=summary,
                order={
                    "effective_date": timezone.localdate(),
                    "per": "week",
                    "base_units": Decimal(5),
                    "base_rate": Decimal("30.09"),
                    "km_units": Decimal(0),
                    "other_monthly_cost": Decimal(0),
                    "client_contribution": Decimal(0),
                },
            )
        elif step == "reactivate":
            summary = summary_services.reactivate_summary(actor=worker, summary=summary)
        elif step == "revoke":
            summary = summary_services.revoke_offer(actor=worker, summary=summary)
        elif step == "miscellaneous":
            report_services.log_report(
                actor=coordinator,
                order=summary.orders.first(),
                kind=ReportKind.MISCELLANEOUS,
                description="Question sur la dernière facture du mois.",
            )
        elif step == "terminate":
            summary = summary_services.terminate_summary(actor=worker, summary=summary)
        elif step == "cancel":
            summary = summary_services.cancel_summary(actor=worker, summary=summary)
        elif step == "decline":
            summary = offer_services.decline_summary(
                actor=coordinator, summary=summary, reason="Aucun personnel disponible dans ce secteur."
            )
