"""The role registry: each app's roles.py declares its roles and what they may do.

A capability is a dotted name ("orders.respond"). A role belongs to one app, exists for some
kinds of organization, and grants a set of capabilities. Home-page tiles are declared here too,
so that what a person sees and what a person may do come from one place.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Role:
    code: str
    label: str
    organization_kinds: frozenset
    capabilities: frozenset
    description: str = ""


@dataclass(frozen=True)
class Tile:
    """A home-page entry point, shown when the active role has the capability."""

    key: str
    title: str
    description: str
    url_name: str
    capability: str | None = None
    order: int = 100
    url_kwargs: dict = field(default_factory=dict)
    # How many things wait for the person behind this tile (offers to answer, drafts, reports to
    # acknowledge): a callable(user) → int, one query whatever the rows; None shows no count.
    count: Callable | None = None


_roles: dict[str, Role] = {}
_tiles: dict[str, Tile] = {}
# Small boxes an app adds to the home page for a capability (e.g. "case id → display").
_home_boxes: dict[str, tuple[str, str]] = {}


def register_role(code, *, label, organization_kinds, capabilities, description=""):
    if code in _roles:
        raise ValueError(f"Role {code} is registered twice.")
    role = Role(
        code=code,
        label=label,
        organization_kinds=frozenset(organization_kinds),
        capabilities=frozenset(capabilities),
        description=description,
    )
    _roles[code] = role
    return role


def register_tile(
    key, *, title, description, url_name, capability=None, order=100, url_kwargs=None, count=None
):
    _tiles[key] = Tile(
        key=key,
        title=title,
        description=description,
        url_name=url_name,
        capability=capability,
        order=order,
        url_kwargs=url_kwargs or {},
        count=count,
    )


def register_home_box(key, *, template_name, capability):
    _home_boxes[key] = (template_name, capability)


def all_home_boxes():
    return [_home_boxes[key] for key in sorted(_home_boxes)]


def get_role(code):
    return _roles.get(code)


def all_roles():
    return list(_roles.values())


def all_tiles():
    return sorted(_tiles.values(), key=lambda tile: (tile.order, tile.key))


def all_capabilities():
    return sorted({cap for role in _roles.values() for cap in role.capabilities})


def roles_for_kind(kind):
    return [role for role in _roles.values() if kind in role.organization_kinds]


def role_choices():
    """Choices for Membership.role. A callable, so that adding a role needs no migration."""
    return [(role.code, role.label) for role in _roles.values()]


# portal.models.OrganizationKind's values, spelled out: portal.models imports this module.
ALL_KINDS = (
    "department",
    "provider_agency",
    "employment_agency",
    "health_establishment",
    "interpreter_bank",
    "clinic_network",
)

# The portal's own roles.
register_role(
    "portal.administrator",
    label=_("Organization administrator"),
    organization_kinds=ALL_KINDS,
    capabilities={"portal.view_members", "portal.invite_members"},
    description=_("Sees the organization's members and their roles."),
)
register_role(
    "portal.department_administrator",
    label=_("Department administrator"),
    organization_kinds={"department"},
    capabilities={"portal.view_members", "portal.invite_members", "portal.view_audit"},
    description=_("Sees the members and searches the audit log."),
)

register_tile(
    "portal.profile",
    title=_("My profile and security"),
    description=_("Name, phone, language, password, authenticator and backup codes."),
    url_name="portal:profile",
    order=900,
)
register_tile(
    "portal.members",
    title=_("My organization"),
    description=_("The people of the organization and their roles."),
    url_name="portal:my_organization",
    capability="portal.view_members",
    order=800,
)
register_tile(
    "portal.audit",
    title=_("Audit log"),
    description=_("Search who changed or viewed which record, when and from where."),
    url_name="portal:audit_log",
    capability="portal.view_audit",
    order=810,
)
