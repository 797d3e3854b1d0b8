"""Bilingual demo data for a newcomer (`make run`). Idempotent: running it twice changes nothing."""

from datetime import timedelta
from importlib import import_module

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal import services
from portal.models import HelpContent, HelpPortal, Membership, Organization, User

DEMO_PASSWORD = "Liaison-demo-2026"

ORGANIZATIONS = {
    "department": ("Ministère du Développement social", "Department of Social Development", "department"),
    "provider": ("Soins à domicile Horizon", "Horizon Home Care", "provider_agency"),
    "provider2": ("Services de soutien Atlantique", "Atlantic Support Services", "provider_agency"),
    "employment": ("Agence d'emploi Cap-Acadie", "Cap-Acadie Employment Agency", "employment_agency"),
    "employment2": ("Emploi Nouvelle Voie", "New Path Employment", "employment_agency"),
    "health": ("Hôpital régional de Moncton", "Moncton Regional Hospital", "health_establishment"),
    "health2": ("CISSS de la Montérégie-Centre", "CISSS de la Montérégie-Centre", "health_establishment"),
    "health3": ("CLSC des Faubourgs", "CLSC des Faubourgs", "health_establishment"),
    "bank": (
        "Banque d'interprètes du Nouveau-Brunswick",
        "New Brunswick Interpreter Bank",
        "interpreter_bank",
    ),
    "clinic": ("Réseau des cliniques de vaccination", "Vaccination Clinic Network", "clinic_network"),
}

# The article each name takes in a sentence (portal.names): French, English.
ARTICLES = {
    "department": ("le", "the"),
    "provider2": ("les", ""),
    "employment": ("l'", "the"),
    "health": ("l'", "the"),
    "health2": ("le", "the"),
    "health3": ("le", "the"),
    "bank": ("la", "the"),
    "clinic": ("le", "the"),
}

# email, first name, last name, language, staff, [(organization, role)]
ACCOUNTS = [
    (
        "admin@demo.liaison.ca",
        "Anne",
        "Arsenault",
        "fr",
        True,
        [("department", "portal.department_administrator")],
    ),
    (
        "worker@demo.liaison.ca",
        "Marc",
        "LeBlanc",
        "fr",
        False,
        [("department", "orders.department_worker"), ("department", "referrals.department_staff")],
    ),
    (
        "coordination@demo.liaison.ca",
        "Chloé",
        "Cormier",
        "fr",
        False,
        [("provider", "orders.care_coordination")],
    ),
    ("finance@demo.liaison.ca", "Frank", "Finley", "en", False, [("provider", "orders.finance")]),
    (
        "financecoord@demo.liaison.ca",
        "Julie",
        "Gallant",
        "fr",
        False,
        [("provider", "orders.finance_care_coordination"), ("provider", "portal.administrator")],
    ),
    (
        "atlantic@demo.liaison.ca",
        "Sam",
        "Steeves",
        "en",
        False,
        [("provider2", "orders.finance_care_coordination")],
    ),
    (
        "casemanager@demo.liaison.ca",
        "Nadia",
        "Robichaud",
        "fr",
        False,
        [("employment", "referrals.case_manager")],
    ),
    (
        "casemanager2@demo.liaison.ca",
        "Ryan",
        "MacLeod",
        "en",
        False,
        [("employment", "referrals.case_manager")],
    ),
    (
        "supervisor@demo.liaison.ca",
        "Hélène",
        "Boudreau",
        "fr",
        False,
        [("employment", "referrals.agency_supervisor")],
    ),
    ("newpath@demo.liaison.ca", "Lina", "Chiasson", "en", False, [("employment2", "referrals.case_manager")]),
    ("requester@demo.liaison.ca", "Paul", "Richard", "en", False, [("health", "interpreters.requester")]),
    (
        "coordinator@demo.liaison.ca",
        "Sophie",
        "Daigle",
        "fr",
        False,
        [("bank", "interpreters.coordinator"), ("bank", "interpreters.interpreter")],
    ),
    ("interpreter@demo.liaison.ca", "Omar", "Haddad", "fr", False, [("bank", "interpreters.interpreter")]),
    (
        "pilot@demo.liaison.ca",
        "Louise",
        "Thériault",
        "fr",
        False,
        [("clinic", "appointments.pilot"), ("clinic", "appointments.management_1")],
    ),
    (
        "consultation@demo.liaison.ca",
        "Kevin",
        "Doucet",
        "en",
        False,
        [("clinic", "appointments.consultation_2")],
    ),
    (
        "scheduler@demo.liaison.ca",
        "Nadia",
        "LeBlanc",
        "fr",
        False,
        [
            ("clinic", "appointments.management_2"),
            ("clinic", "appointments.management_3"),
            ("clinic", "appointments.consultation_1"),
        ],
    ),
]


@transaction.atomic
def demo_account(email, first, last, language, *, staff=False):
    """A demo person (created once) with the demo password and an authenticator."""
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email,
            password=DEMO_PASSWORD,
            first_name=first,
            last_name=last,
            preferred_language=language,
            is_staff=staff,
            is_superuser=staff,
        )
    TOTPDevice.objects.get_or_create(user=user, confirmed=True, defaults={"name": "Demo authenticator"})
    return user


def load_demo_data():
    today = timezone.localdate()
    organizations = {}
    for key, (name_fr, name_en, kind) in ORGANIZATIONS.items():
        organization, _created = Organization.objects.get_or_create(
            name_fr=name_fr,
            defaults={
                "name": name_fr,
                "name_en": name_en,
                "kind": kind,
                "contact_email": f"{key}@demo.liaison.ca",
            },
        )
        article_fr, article_en = ARTICLES.get(key, ("", ""))
        if (organization.article_fr, organization.article_en) != (article_fr, article_en):
            organization.article_fr, organization.article_en = article_fr, article_en
            organization.save(update_fields=["article_fr", "article_en"])
        organizations[key] = organization
    users = {}
    for email, first, last, language, staff, memberships in ACCOUNTS:
        user = users[email] = demo_account(email, first, last, language, staff=staff)
        for org_key, role in memberships:
            Membership.objects.get_or_create(
                user=user,
                organization=organizations[org_key],
                role=role,
                defaults={"valid_from": today - timedelta(days=365)},
            )
    worker = users["worker@demo.liaison.ca"]
    services.create_task(
        assignee=worker,
        title=_("Welcome to Liaison: review your profile and language"),
        due_date=today + timedelta(days=7),
        link="/profile/",
        key="demo:welcome-task",
    )
    services.create_task(
        assignee=worker,
        title=_("Make new backup codes and keep them in a safe place"),
        due_date=today - timedelta(days=2),
        link="/security/backup-codes/",
        key="demo:backup-codes-task",
    )
    services.create_notification(
        recipient=worker,
        title=_("Your access to Liaison is ready"),
        link="/",
        key="demo:welcome-notification",
    )
    # The bank's coordinators wrote its help (issue 19): its requesters and interpreters read it.
    HelpContent.objects.get_or_create(
        organization=organizations["bank"], portal=HelpPortal.INTERPRETERS, defaults=DEMO_BANK_HELP
    )
    return organizations, users


DEMO_BANK_HELP = {
    "support_fr": "Coordination de la banque : bank@demo.liaison.ca\n"
    "506 555-0142, du lundi au vendredi, de 8 h à 16 h 30.",
    "support_en": "The bank's coordination: bank@demo.liaison.ca\n506 555-0142, Monday to Friday, 8:00 to 16:30.",
    "lexicon_fr": "Demande : un rendez-vous qui a besoin d'un interprète\n"
    "LSQ : langue des signes québécoise\n"
    "Relevé : les services facturables d'un mois pour un établissement",
    "lexicon_en": "Request: one appointment that needs an interpreter\n"
    "LSQ: Quebec Sign Language (langue des signes québécoise)\n"
    "Statement: the billable services of a month for an establishment",
    "practices_fr": "Faites la demande au moins deux jours ouvrables d'avance.\n\n"
    "N'écrivez aucun renseignement sur le patient : l'interprète a besoin du lieu, de l'heure et de la langue.",
    "practices_en": "Ask at least two working days ahead.\n\n"
    "Write no patient detail: the interpreter needs the place, the time and the language.",
}


PORTAL_APPS = ("orders", "referrals", "interpreters", "appointments")


def load_all_demo_data():
    """The portal's demo people, then each portal's own demo records (`<app>.demo.load_demo_data`)."""
    organizations, users = load_demo_data()
    context = {"organizations": organizations, "users": users}
    for app in PORTAL_APPS:
        try:
            module = import_module(f"{app}.demo")
        except ModuleNotFoundError:
            continue
        module.load_demo_data(context)
    return organizations, users


def current_code(user):
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return None
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():0{device.digits}d}"
