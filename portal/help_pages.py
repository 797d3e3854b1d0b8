"""The "?" menu of every page (issues 19 and 20, the guides' help menu): help for the portals of
the person's roles, the support contact, the terms of use, the privacy policy and "About" (the
version). Pages in both languages, open to everyone (the sign-in page has the menu too)."""

import tomllib
from functools import cache

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render

from portal import selectors

# The portals, in the order of the home page; a role's code starts with its portal's app label.
PORTALS = ("orders", "referrals", "interpreters", "appointments")


@cache
def version() -> str:
    """The version of the software, as pyproject.toml declares it."""
    try:
        with open(settings.BASE_DIR / "pyproject.toml", "rb") as file:
            return str(tomllib.load(file)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "—"


def _portals_of(user) -> list[str]:
    """The portals of the person's roles, the active role's first."""
    memberships = selectors.valid_memberships(user)
    active = selectors.active_membership(user)
    ordered = ([active] if active else []) + [m for m in memberships if m != active]
    portals: list[str] = []
    for membership in ordered:
        portal = membership.role.split(".", 1)[0]
        if portal in PORTALS and portal not in portals:
            portals.append(portal)
    return portals


@login_not_required
def help_page(request):
    organization = selectors.active_organization(request.user)
    return render(
        request,
        "portal/help/help.html",
        {
            "portals": _portals_of(request.user) or list(PORTALS),
            "organization": organization,
        },
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
