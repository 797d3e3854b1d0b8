"""What each persona of the reference guides may do, written from the guides, not from roles.py.

The permission matrix takes its expectations from this table, and a test checks that roles.py
grants exactly these capabilities: a change to a role that the guide does not describe fails
until this table (and the guide reference beside it) says why.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Persona:
    role: str
    guide: str  # where the guide describes this persona
    may: frozenset


def _persona(role, guide, *capabilities):
    return Persona(role=role, guide=guide, may=frozenset(capabilities))


PERSONAS = [
    # Portal: every organization has an administrator who sees its members and invites its people
    # (issue 18: accounts are invited, not typed); the department's administrator also reads the
    # audit trail.
    _persona(
        "portal.administrator",
        "DESIGN.md, shared layer; issue 18",
        "portal.view_members",
        "portal.invite_members",
    ),
    _persona(
        "portal.department_administrator",
        "DESIGN.md, audit; issue 18",
        "portal.view_members",
        "portal.invite_members",
        "portal.view_audit",
    ),
    # CommunityCare NB provider guide: the department creates and offers summaries; providers'
    # Finance persona sees requests, the dashboard and financial columns but does not answer offers
    # or log reports; Care coordination answers offers and logs reports, without financial columns;
    # Finance and care coordination does both.
    _persona(
        "orders.department_worker",
        "orders guide, 1 (Développement social)",
        "orders.view",
        "orders.manage",
        "orders.view_reports",
        "orders.view_financial",
    ),
    _persona(
        "orders.finance",
        "orders guide, personas (Finances)",
        "orders.view",
        "orders.requests",
        "orders.dashboard",
        "orders.view_financial",
    ),
    _persona(
        "orders.care_coordination",
        "orders guide, personas (Coordination des soins)",
        "orders.view",
        "orders.requests",
        "orders.respond",
        "orders.report",
        "orders.view_reports",
        "orders.dashboard",
    ),
    _persona(
        "orders.finance_care_coordination",
        "orders guide, personas (Finances et coordination des soins)",
        "orders.view",
        "orders.requests",
        "orders.respond",
        "orders.report",
        "orders.view_reports",
        "orders.dashboard",
        "orders.view_financial",
    ),
    # LaMPSS guides: case managers run their agency's cases and private partners; the supervisor
    # also reassigns and reads the accountability report; department staff read the cases opened
    # under their own agreements (Case.agreement: another department's agreement with the same
    # agency opens nothing, tests/registry.py "@shared-agency"), sign agreements only with the
    # agencies they may contract (reference data), decide funding, manage agencies, public
    # partners and transfers.
    _persona(
        "referrals.case_manager",
        "LaMPSS action plan training, gestionnaire de cas",
        "referrals.view_cases",
        "referrals.manage_cases",
        "referrals.partners",
        "referrals.manage_private_partners",
    ),
    _persona(
        "referrals.agency_supervisor",
        "LaMPSS action plan training, superviseur",
        "referrals.view_cases",
        "referrals.manage_cases",
        "referrals.partners",
        "referrals.manage_private_partners",
        "referrals.reassign",
        "referrals.reports",
    ),
    _persona(
        "referrals.department_staff",
        "LaMPSS referrals and transfer guide, personnel du ministère",
        "referrals.view_cases",
        "referrals.decide_funding",
        "referrals.manage_agencies",
        "referrals.manage_public_partners",
        "referrals.partners",
        "referrals.reports",
        "referrals.transfer",
    ),
    # Interpreter bank: requesters ask, coordinators assign and bill, interpreters perform.
    _persona(
        "interpreters.requester",
        "interpreter bank intro, demandeur",
        "interpreters.view",
        "interpreters.request",
    ),
    _persona(
        "interpreters.coordinator",
        "interpreter bank intro, coordonnateur",
        "interpreters.view",
        "interpreters.assign",
        "interpreters.billing",
    ),
    _persona(
        "interpreters.interpreter",
        "interpreter bank intro, interprète",
        "interpreters.view",
        "interpreters.perform",
    ),
    # Clic Santé pilot guide, roles table: the pilot configures and reads statistics (and switches
    # role to manage schedules); Management #1 everything on schedules and appointments; #2 gives
    # and books without editing schedules; #3 edits and books for its own teams; Consultation #1
    # reads everything, #2 its own teams.
    _persona(
        "appointments.pilot",
        "Clic Santé guide 1.2, Pilote",
        "appointments.configure",
        "appointments.statistics",
    ),
    _persona(
        "appointments.management_1",
        "Clic Santé guide 1.2, Gestion #1",
        "appointments.schedules",
        "appointments.edit_schedules",
        "appointments.manage_all",
        "appointments.give",
        "appointments.book",
        "appointments.view_all",
    ),
    _persona(
        "appointments.management_2",
        "Clic Santé guide 1.2, Gestion #2",
        "appointments.schedules",
        "appointments.give",
        "appointments.book",
        "appointments.view_all",
    ),
    _persona(
        "appointments.management_3",
        "Clic Santé guide 1.2, Gestion #3",
        "appointments.schedules",
        "appointments.edit_schedules",
        "appointments.manage_own",
        "appointments.book",
        "appointments.view_own",
    ),
    _persona(
        "appointments.consultation_1",
        "Clic Santé guide 1.2, Consultation #1",
        "appointments.schedules",
        "appointments.view_all",
    ),
    _persona(
        "appointments.consultation_2",
        "Clic Santé guide 1.2, Consultation #2",
        "appointments.schedules",
        "appointments.view_own",
    ),
]

BY_ROLE = {persona.role: persona for persona in PERSONAS}


def persona_may(role, capability):
    return capability in BY_ROLE[role].may
