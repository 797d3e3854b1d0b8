"""The "?" menu of every page (issues 19 and 20, the guides' help menu): help for the portals of
the person's roles, the support contact, the terms of use, the privacy policy and "About" (the
version). Pages in both languages, open to everyone (the sign-in page has the menu too).

Each portal's section shows what the person's organization wrote for it (portal.help_content:
support contact, lexicon, good practices), or the default text; its coordinators edit it here."""

import tomllib
from functools import cache

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal import help_content, selectors
from portal.forms import HelpContentForm
from portal.formviews import submit
from portal.help_content import PORTALS


@cache
def version() -> str:
    """The version of the software, as pyproject.toml declares it."""
    try:
        with open(settings.BASE_DIR / "pyproject.toml", "rb") as file:
            return str(tomllib.load(file)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "—"


def _portals_of(user) -> list[tuple[str, object]]:
    """The portals of the person's roles with the organization of each, the active role's first."""
    memberships = selectors.valid_memberships(user)
    active = selectors.active_membership(user)
    ordered = ([active] if active else []) + [m for m in memberships if m != active]
    portals: dict[str, object] = {}
    for membership in ordered:
        portal = membership.role.split(".", 1)[0]
        if portal in PORTALS and portal not in portals:
            portals[portal] = membership.organization
    return list(portals.items())


@login_not_required
def help_page(request):
    organization = selectors.active_organization(request.user)
    portals = _portals_of(request.user) or [(portal, None) for portal in PORTALS]
    return render(
        request,
        "portal/help/help.html",
        {
            "sections": [
                help_content.portal_help(portal, owner, user=request.user) for portal, owner in portals
            ],
            "organization": organization,
        },
    )


@require_http_methods(["GET", "POST"])
def help_edit(request, portal):
    """A portal's help for the active organization, written by its administrators or coordinators."""
    if portal not in PORTALS:
        raise Http404
    organization = selectors.active_organization(request.user)
    if not help_content.can_edit(request.user, portal, organization):
        raise PermissionDenied
    content = help_content.content_of(organization, portal)
    initial = {name: getattr(content, name) for name in help_content.FIELDS} if content else None
    form = HelpContentForm(request.POST or None, initial=initial)
    done = submit(
        request,
        form,
        lambda data: help_content.save_help_content(
            actor=request.user, organization=organization, portal=portal, **data
        ),
        success=_("The help page was saved."),
        next=reverse("portal:help") + f"#help-{portal}",
    )
    return done or render(
        request,
        "portal/help/help_edit.html",
        {"form": form, "portal": portal, "portal_name": help_content.HelpPortal(portal).label},
    )


@login_not_required
def about(request):
    return render(request, "portal/help/about.html", {"version": version()})


@login_not_required
def terms(request):
    return render(request, "portal/help/terms.html")


@login_not_required
def privacy(request):
    return render(request, "portal/help/privacy.html")
