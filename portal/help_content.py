"""The help page's words that coordinators write (issue 19): reads and the one write.

Each organization writes, per portal, a support contact, a lexicon and good practices, in French
and in English (portal.HelpContent). Who may write them: the portal's administrator or coordinator
capabilities below, checked with the one portal check (`has_capability`) on the active
organization. Who reads them: the people of that organization, on the help page of that portal; an
establishment's requesters read the help of the interpreter bank that serves them. A part left
empty shows the default text, so a page is never blank.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import get_language

from portal.models import HelpContent, HelpPortal, Organization, OrganizationKind, User
from portal.permissions import has_capability

# The portals, in the order of the home page; a role's code starts with its portal's app label.
PORTALS = tuple(HelpPortal.values)

# Who writes a portal's help for their organization: its administrators and coordinators.
EDITORS: dict[str, tuple[str, ...]] = {
    # The department's workers (orders.manage) and the provider's care coordination (orders.respond).
    HelpPortal.ORDERS: ("orders.manage", "orders.respond"),
    # The department's staff (agencies and agreements) and the agency's supervisors.
    HelpPortal.REFERRALS: ("referrals.manage_agencies", "referrals.reassign"),
    # The bank's coordinators.
    HelpPortal.INTERPRETERS: ("interpreters.assign",),
    # The network's pilots (configuration).
    HelpPortal.APPOINTMENTS: ("appointments.configure",),
}

PARTS = ("support", "lexicon", "practices")
FIELDS = tuple(f"{part}_{language}" for part in PARTS for language in ("fr", "en"))

# "Term: definition" (French "Terme : définition"); a colon inside an address ("https://") is not one.
_TERM = re.compile(r"\s*:\s+")


def can_edit(user: Any, portal: str, organization: Organization | None) -> bool:
    """May this person write this portal's help for the organization (the active one)?"""
    if organization is None or portal not in EDITORS:
        return False
    return any(has_capability(user, capability, organization) for capability in EDITORS[portal])


def source_organization(portal: str, organization: Organization | None) -> Organization | None:
    """Whose help the people of this organization read for this portal."""
    if (
        organization is not None
        and portal == HelpPortal.INTERPRETERS
        and organization.kind == OrganizationKind.HEALTH_ESTABLISHMENT
    ):
        # Requesters read their bank's words (its support contact): apps meet through selectors.
        from interpreters.selectors import bank_of

        return bank_of(organization)
    return organization


def content_of(organization: Organization | None, portal: str) -> HelpContent | None:
    """The organization's help for this portal, or None (the default text then)."""
    if organization is None:
        return None
    return HelpContent.objects.for_organization(organization).filter(portal=portal).first()


@dataclass
class PortalHelp:
    """One portal's section of the help page: its custom parts in the page's language, or ""."""

    portal: str
    support: str = ""
    lexicon: str = ""
    practices: str = ""
    edit_url: str = ""
    # The lexicon as (term, definition) when every line of it reads "term: definition" (a list of
    # terms on the page); empty otherwise (the lexicon is then shown as paragraphs).
    terms: list[tuple[str, str]] = field(default_factory=list)


def _terms(text: str) -> list[tuple[str, str]]:
    pairs = []
    for line in filter(None, (line.strip() for line in text.splitlines())):
        parts = [part.strip() for part in _TERM.split(line, maxsplit=1)]
        if len(parts) != 2 or not all(parts):
            return []
        pairs.append((parts[0], parts[1]))
    return pairs


def portal_help(
    portal: str, organization: Organization | None, *, user: Any = None, language: str | None = None
) -> PortalHelp:
    """What the help page shows for one portal to the people of `organization`."""
    language = language or get_language() or "en"
    content = content_of(source_organization(portal, organization), portal)
    section = PortalHelp(portal=portal)
    if content is not None:
        section.support = content.part("support", language)
        section.lexicon = content.part("lexicon", language)
        section.practices = content.part("practices", language)
        section.terms = _terms(section.lexicon)
    if user is not None and can_edit(user, portal, organization):
        section.edit_url = reverse("portal:help_edit", args=[portal])
    return section


@transaction.atomic
def save_help_content(*, actor: User, organization: Organization, portal: str, **parts: str) -> HelpContent:
    """Write the organization's help for this portal (every part, both languages); audited.

    The organization's row is locked first: two coordinators saving its first help at once write
    one after the other (the second changes the row the first made), never two rows or an error."""
    Organization.objects.select_for_update().filter(pk=organization.pk).first()
    content = HelpContent.objects.for_organization(organization).filter(portal=portal).first() or HelpContent(
        organization=organization, portal=portal
    )
    for name in FIELDS:
        setattr(content, name, (parts.get(name) or "").strip())
    content.updated_by = actor
    content.save()
    return content
