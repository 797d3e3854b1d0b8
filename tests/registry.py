"""What the cross-app suites walk: object URLs for the permission matrix, pages for accessibility.

Each app adds its entries when it adds a page, in its own section here or in its own
`<app>/tests/registry.py` listed in APP_REGISTRIES below (the same four lists, collected at the end):
- `ObjectURL`: a URL of one record, the capability it needs and the kind of organization that
  owns such records. `make(organization)` creates a record owned by that organization and
  returns its URL. The matrix signs in as every role of organization A and asks for B's record.
- `Page`: a page for the accessibility suite (axe, French and English) opened by a demo account
  (`account=None`: signed out). `path(world)` returns its path; `world` is the demo data.
"""

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

from django.urls import reverse


@dataclass(frozen=True)
class ObjectURL:
    name: str
    capability: str
    organization_kinds: tuple
    make: Callable


@dataclass(frozen=True)
class Page:
    name: str
    path: Callable
    account: str | None = None
    # "verified": signed in and past the second factor; "password": signed in, second factor
    # still to pass; "new": signed in, no authenticator yet.
    state: str = "verified"
    status: int = 200
    debug: bool = False  # pages that exist in debug mode only
    role: str | None = None  # the active role, for accounts with several
    # Personal criteria typed into the page's search form before it is checked: they go by POST
    # into the session, never into the address (portal.search), so they are not in `path`.
    search: dict | None = None


ALL_KINDS = (
    "department",
    "provider_agency",
    "employment_agency",
    "health_establishment",
    "interpreter_bank",
    "clinic_network",
)

# portal ------------------------------------------------------------------------------------

OBJECT_URLS = [
    ObjectURL(
        name="portal:organization_detail",
        capability="portal.view_members",
        organization_kinds=ALL_KINDS,
        make=lambda organization: reverse("portal:organization_detail", args=[organization.pk]),
    ),
    ObjectURL(
        name="portal:withdraw_invitation",
        capability="portal.invite_members",
        organization_kinds=ALL_KINDS,
        make=lambda organization: reverse(
            "portal:withdraw_invitation", args=[_pending_invitation(organization).pk]
        ),
    ),
]

def _pending_invitation(organization):
    """An invitation of the organization whose person has not chosen a password yet."""
    from uuid import uuid4

    from django.utils import timezone

    from portal.models import Invitation, User
    from portal.roles import roles_for_kind

    invited = User.objects.create_user(email=f"invited-{uuid4().hex[:12]}@example.ca", password=None)
    role = next(role.code for role in roles_for_kind(organization.kind))
    return Invitation.objects.create(
        organization=organization, user=invited, role=role, sent_at=timezone.now(), nonce=uuid4().hex
    )


# Capability-gated pages without an object, for the 403 half of the matrix: (url name, args, capability).
CAPABILITY_PAGES = [
    ("portal:my_organization", (), "portal.view_members"),
    ("portal:audit_log", (), "portal.view_audit"),
    ("portal:invite", (), "portal.invite_members"),
    ("portal:invitations", (), "portal.invite_members"),
    # A portal's help is written by its coordinators (issue 19; portal.help_content.EDITORS).
    ("portal:help_edit", ("interpreters",), "interpreters.assign"),
    ("portal:help_edit", ("appointments",), "appointments.configure"),
]

WORKER = "worker@demo.liaison.ca"
ADMIN = "admin@demo.liaison.ca"
NEWCOMER = "newcomer@demo.liaison.ca"
PILOT = "pilot@demo.liaison.ca"
SCHEDULER = "scheduler@demo.liaison.ca"
COORDINATOR = "coordinator@demo.liaison.ca"


def _invitation(world):
    """A pending invitation to the department (an account without a password yet)."""
    from django.utils import timezone

    from portal.models import Invitation, User

    invited, created = User.objects.get_or_create(email="invited@demo.liaison.ca")
    if created:
        invited.set_unusable_password()
        invited.save(update_fields=["password"])
    invitation, _created = Invitation.objects.get_or_create(
        nonce="demo-invitation",
        defaults={
            "user": invited,
            "organization": world["organizations"]["department"],
            "role": "orders.department_worker",
            "sent_at": timezone.now(),
        },
    )
    return invitation


def _invitations_page(world):
    """The pending invitations, one of them listed."""
    _invitation(world)
    return reverse("portal:invitations")


def _invitation_link(world):
    """The link an invited person receives."""
    from portal.accounts.invitations import make_token

    return reverse("portal:accept_invitation", args=[make_token(_invitation(world))])


PAGES = [
    Page("sign-in", lambda world: reverse("account_login"), account=None),
    Page("password-reset", lambda world: reverse("account_reset_password"), account=None),
    Page("password-reset-done", lambda world: reverse("account_reset_password_done"), account=None),
    Page(
        "password-reset-bad-link",
        lambda world: reverse("account_reset_password_from_key", kwargs={"uidb36": "zz", "key": "bad-key"}),
        account=None,
    ),
    Page(
        "password-reset-changed", lambda world: reverse("account_reset_password_from_key_done"), account=None
    ),
    Page("no-sign-up", lambda world: reverse("account_signup"), account=None),
    Page("not-found", lambda world: "/no-such-page/", account=None, status=404),
    Page("second-factor", lambda world: reverse("portal:mfa_verify"), account=WORKER, state="password"),
    Page("enrolment", lambda world: reverse("portal:mfa_setup"), account=NEWCOMER, state="new"),
    Page("home", lambda world: reverse("portal:home"), account=WORKER),
    Page("profile", lambda world: reverse("portal:profile"), account=WORKER),
    Page("tasks", lambda world: reverse("portal:task_list"), account=WORKER),
    Page("notifications", lambda world: reverse("portal:notification_list"), account=WORKER),
    Page("backup-codes", lambda world: reverse("portal:backup_codes"), account=WORKER),
    Page("password-change", lambda world: reverse("account_change_password"), account=WORKER),
    Page("sign-out", lambda world: reverse("account_logout"), account=WORKER),
    Page("access-denied", lambda world: reverse("portal:my_organization"), account=WORKER, status=403),
    # A page of the person's other role (issue 18): the switch to the role that opens it is offered.
    Page(
        "other-role",
        lambda world: reverse("interpreters:queue"),
        account=COORDINATOR,
        role="interpreters.interpreter",
        status=403,
    ),
    Page(
        "organization",
        lambda world: reverse("portal:organization_detail", args=[world["organizations"]["department"].pk]),
        account=ADMIN,
    ),
    Page("outbox", lambda world: reverse("portal:outbox"), account=ADMIN, debug=True),
    # Accounts are invited (issue 18): the administrator's form, the invited person's link.
    Page("invite", lambda world: reverse("portal:invite"), account=ADMIN),
    Page("invitation", lambda world: _invitation_link(world), account=None),
    # Pending invitations: sent again or withdrawn (a confirmation page first).
    Page("invitations", lambda world: _invitations_page(world), account=ADMIN),
    Page(
        "invitation-withdraw",
        lambda world: reverse("portal:withdraw_invitation", args=[_invitation(world).pk]),
        account=ADMIN,
    ),
    Page(
        "invitation-used",
        lambda world: reverse("portal:accept_invitation", args=["used-or-expired"]),
        account=None,
    ),
    Page("audit-log", lambda world: reverse("portal:audit_log"), account=ADMIN),
    # The "?" menu's pages (issues 19 and 20): signed out and signed in.
    Page("help", lambda world: reverse("portal:help"), account=None),
    Page("help-signed-in", lambda world: reverse("portal:help"), account=WORKER),
    # The bank's help as its coordinators wrote it (demo), with the link to edit it, and the form.
    Page("help-written", lambda world: reverse("portal:help"), account=COORDINATOR, role="interpreters.coordinator"),
    Page(
        "help-edit",
        lambda world: reverse("portal:help_edit", args=["interpreters"]),
        account=COORDINATOR,
        role="interpreters.coordinator",
    ),
    Page("about", lambda world: reverse("portal:about"), account=None),
    Page("terms", lambda world: reverse("portal:terms"), account=None),
    Page("privacy", lambda world: reverse("portal:privacy"), account=None),
    Page(
        "audit-log-filtered",
        lambda world: reverse("portal:audit_log") + "?action=3&date_from=2000-01-01&date_to=not-a-date",
        account=ADMIN,
    ),
]


# Searches by personal details (portal.search) -------------------------------------------------
#
# Every list whose search form has personal fields. tests/test_personal_search.py signs in as
# `account` (in `role`), types the criteria that `probe(user)` chose from the demo data, and checks
# that they never reach an address while the results are the filtered ones. `probe(user)` returns
# (criteria typed, shareable query string of the list, text shown for a matching record, text shown
# for a record that must not match, or None when the demo data has no such record).


@dataclass(frozen=True)
class PersonalSearch:
    name: str  # the list's URL name (also the key of its criteria in the session)
    account: str
    probe: Callable
    role: str | None = None


def _fold(text):
    from portal.db import fold

    return fold(text or "")


def _pick(records, names, shown):
    """A record to find by its first name in `names(record)`, and one whose names don't match it."""
    records = [record for record in records if names(record)[0]]
    for found in records:
        typed = names(found)[0]
        others = [
            other
            for other in records
            if not any(_fold(typed) in _fold(name) for name in names(other))
            and shown(other) != shown(found)
        ]
        return typed, shown(found), (shown(others[0]) if others else None)
    raise AssertionError("the demo data has no record to search for")


PERSONAL_SEARCHES: list[PersonalSearch] = []


# Apps that keep their entries next to their code -----------------------------------------------
#
# Each module defines OBJECT_URLS, CAPABILITY_PAGES, PAGES and PERSONAL_SEARCHES of its own (it may
# import the shapes and helpers above: this module is complete by the time it is imported here).

APP_REGISTRIES = (
    "referrals.tests.registry",
    "orders.tests.registry",
    "interpreters.tests.registry",
    "appointments.tests.registry",
)

for _module in map(import_module, APP_REGISTRIES):
    OBJECT_URLS += _module.OBJECT_URLS
    CAPABILITY_PAGES += _module.CAPABILITY_PAGES
    PAGES += _module.PAGES
    PERSONAL_SEARCHES += _module.PERSONAL_SEARCHES
