"""What the cross-app suites walk: object URLs for the permission matrix, pages for accessibility.

Each app adds its entries here (in its own section) when it adds a page:
- `ObjectURL`: a URL of one record, the capability it needs and the kind of organization that
  owns such records. `make(organization)` creates a record owned by that organization and
  returns its URL. The matrix signs in as every role of organization A and asks for B's record.
- `Page`: a page for the accessibility suite (axe, French and English) opened by a demo account
  (`account=None`: signed out). `path(world)` returns its path; `world` is the demo data.
"""

from collections.abc import Callable
from dataclasses import dataclass

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
]

# Capability-gated pages without an object, for the 403 half of the matrix.
CAPABILITY_PAGES = [
    ("portal:my_organization", "portal.view_members"),
]

WORKER = "worker@demo.liaison.ca"
ADMIN = "admin@demo.liaison.ca"
NEWCOMER = "newcomer@demo.liaison.ca"

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
    Page(
        "organization",
        lambda world: reverse("portal:organization_detail", args=[world["organizations"]["department"].pk]),
        account=ADMIN,
    ),
    Page("outbox", lambda world: reverse("portal:outbox"), account=ADMIN, debug=True),
]
