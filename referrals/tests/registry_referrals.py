"""Employment case management's registry entries for referrals, incoming referrals and transfers,
and referral templates.

referrals/tests/registry.py gathers them with those of registry_cases.py; reach them through
tests.registry (importing this module first is a circular import).
"""

from django.urls import reverse

from referrals.tests.registry_cases import (
    AGENCY,
    AGENCY_AND_DEPARTMENT,
    CASE_MANAGER,
    _case_url,
    _referrals_case,
)
from tests.registry import WORKER, ObjectURL, Page

OBJECT_URLS: list[ObjectURL] = []
CAPABILITY_PAGES: list[tuple] = []
PAGES: list[Page] = []


def _referrals_referral(organization, kind="transfer", sent=False):
    """A referral of a case visible to `organization` (sent: as the receiving agency would find it)."""
    from referrals.models import Agreement, Referral, TransferStatus
    from referrals.referrals import services as referral_services
    from tests.factories import OrganizationFactory

    case = _referrals_case(organization)
    receiving = OrganizationFactory(kind="employment_agency")
    Agreement.objects.create(
        number=f"R-{receiving.pk}",
        department=Agreement.objects.filter(agency=case.agency).first().department,
        agency=receiving,
        start_date=case.opened_on,
        client_tracking=True,
    )
    referral = referral_services.create_referral(actor=case.case_manager, case=case, referral_type=kind)
    referral = referral_services.update_referral(
        actor=case.case_manager,
        referral=referral,
        agency=receiving,
        contact_person="Contact",
        email_to="contact@example.ca",
        language=referral.language,
        template=referral.template,
        subject=referral.subject,
        body=referral.body,
    )
    if sent:
        Referral.objects.filter(pk=referral.pk).update(
            status="emailed", transfer_status=TransferStatus.PENDING if kind == "transfer" else ""
        )
    return referral


def _referrals_incoming(organization):
    """A transfer sent to `organization` by another agency."""
    from referrals.models import Agreement, Referral
    from tests.factories import OrganizationFactory

    sender = OrganizationFactory(kind="employment_agency")
    referral = _referrals_referral(sender, sent=True)
    Agreement.objects.get_or_create(
        agency=organization,
        department=Agreement.objects.filter(agency=sender).first().department,
        defaults={
            "number": f"I-{organization.pk}",
            "start_date": referral.case.opened_on,
            "client_tracking": True,
        },
    )
    Referral.objects.filter(pk=referral.pk).update(agency=organization)
    return referral


def _referrals_incoming_within(organization):
    """An informational referral sent to `organization` by another agency, awaiting its answer."""
    from referrals.models import Referral

    referral = _referrals_incoming(organization)
    Referral.objects.filter(pk=referral.pk).update(
        referral_type="within", transfer_status="", response_status="awaiting"
    )
    return referral


OBJECT_URLS += [
    ObjectURL(
        "referrals:referrals", "referrals.view_cases", AGENCY_AND_DEPARTMENT, _case_url("referrals:referrals")
    ),
    *[
        ObjectURL(
            f"referrals:{name}",
            "referrals.manage_cases",
            AGENCY,
            lambda org, name=name: (
                lambda item: reverse(f"referrals:{name}", args=[item.case.number, item.pk])
            )(_referrals_referral(org)),
        )
        for name in ("referral_edit", "referral_send", "referral_cancel")
    ],
    ObjectURL(
        "referrals:referral_action",
        "referrals.manage_cases",
        AGENCY,
        lambda org: (
            lambda item: reverse("referrals:referral_action", args=[item.case.number, item.pk, "withdraw"])
        )(_referrals_referral(org, sent=True)),
    ),
    ObjectURL(
        "referrals:incoming_detail",
        "referrals.manage_cases",
        AGENCY,
        lambda org: reverse("referrals:incoming_detail", args=[_referrals_incoming(org).pk]),
    ),
    ObjectURL(
        "referrals:transfer",
        "referrals.manage_cases",
        AGENCY,
        lambda org: reverse("referrals:transfer", args=[_referrals_incoming(org).pk]),
    ),
    *[
        ObjectURL(
            "referrals:incoming_respond",
            "referrals.manage_cases",
            AGENCY,
            lambda org, action=action: reverse(
                "referrals:incoming_respond", args=[_referrals_incoming_within(org).pk, action]
            ),
        )
        for action in ("accept", "decline")
    ],
]

CAPABILITY_PAGES += [
    ("referrals:incoming", (), "referrals.manage_cases"),
    ("referrals:template_list", (), "referrals.manage_agencies"),
    ("referrals:template_create", (), "referrals.manage_agencies"),
]

NEW_PATH = "newpath@demo.liaison.ca"


def _demo_referral(world, kind, status):
    from referrals.models import Referral

    return Referral.objects.filter(referral_type=kind, status=status).first()


def _demo_incoming(world):
    from referrals.models import Referral

    return Referral.objects.filter(referral_type="transfer", transfer_status="pending").first()


def _demo_awaiting(world):
    """The demo's informational referral New Path has not answered yet (its email left)."""
    from referrals.models import Referral

    return Referral.objects.filter(referral_type="within", status="sent", response_status="awaiting").first()


PAGES += [
    Page(
        "referrals-referrals",
        lambda w: (
            reverse("referrals:referrals", args=[_demo_referral(w, "within", "failed").case.number])
            + f"?open={_demo_referral(w, 'within', 'failed').pk}"
        ),
        account=CASE_MANAGER,
    ),
    *[
        Page(
            f"referrals-referral-edit-{kind}",
            lambda w, kind=kind: reverse(
                "referrals:referral_edit",
                args=[_demo_referral(w, kind, "draft").case.number, _demo_referral(w, kind, "draft").pk],
            ),
            account=CASE_MANAGER,
        )
        for kind in ("transfer", "within", "outside")
    ],
    Page(
        "referrals-referral-send",
        lambda w: reverse(
            "referrals:referral_send",
            args=[
                _demo_referral(w, "outside", "draft").case.number,
                _demo_referral(w, "outside", "draft").pk,
            ],
        ),
        account=CASE_MANAGER,
    ),
    Page(
        "referrals-referral-cancel",
        lambda w: reverse(
            "referrals:referral_cancel",
            args=[_demo_referral(w, "within", "draft").case.number, _demo_referral(w, "within", "draft").pk],
        ),
        account=CASE_MANAGER,
    ),
    Page("referrals-incoming", lambda w: reverse("referrals:incoming"), account=NEW_PATH),
    Page(
        "referrals-incoming-detail",
        lambda w: reverse("referrals:incoming_detail", args=[_demo_incoming(w).pk]),
        account=NEW_PATH,
    ),
    *[
        Page(
            f"referrals-incoming-{action}",
            lambda w, action=action: reverse(
                "referrals:incoming_respond", args=[_demo_awaiting(w).pk, action]
            ),
            account=NEW_PATH,
        )
        for action in ("accept", "decline")
    ],
    Page(
        "referrals-incoming-detail-within",
        lambda w: reverse("referrals:incoming_detail", args=[_demo_awaiting(w).pk]),
        account=NEW_PATH,
    ),
    Page(
        "referrals-referrals-declined",
        lambda w: (
            reverse("referrals:referrals", args=[_demo_referral(w, "within", "emailed").case.number])
            + f"?open={_demo_referral(w, 'within', 'emailed').pk}"
        ),
        account=CASE_MANAGER,
    ),
    Page(
        "referrals-transfer",
        lambda w: reverse("referrals:transfer", args=[_demo_incoming(w).pk]),
        account=NEW_PATH,
    ),
    Page(
        "referrals-templates",
        lambda w: reverse("referrals:template_list"),
        account=WORKER,
        role="referrals.department_staff",
    ),
    Page(
        "referrals-template-edit",
        lambda w: reverse(
            "referrals:template_edit", args=[_demo_referral(w, "transfer", "draft").template_id]
        ),
        account=WORKER,
        role="referrals.department_staff",
    ),
]
