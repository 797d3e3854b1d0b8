"""The frame every case screen shares: the case fetched for the person asking, its menu and context."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from portal.formviews import submit
from portal.permissions import has_capability
from portal.services import record_view
from referrals import roles
from referrals.cases import selectors as case_selectors


def can_manage(request, case):
    return has_capability(request.user, roles.MANAGE_CASES, case)


def get_case(request, number, *, manage=False):
    """The case, if this person's organization may see it (404 otherwise); `manage` for writes."""
    case = case_selectors.get_case_for_user(request.user, number)
    if manage and not can_manage(request, case):
        raise PermissionDenied
    return case


def case_context(request, case, section, **extra):
    return {
        "case": case,
        "section": section,
        "can_manage": can_manage(request, case),
        "can_reassign": has_capability(request.user, roles.REASSIGN, case),
        **extra,
    }


def post_without_form(request, case):
    """A form sent to a page that does not offer it: 403 without the capability; when the case
    was closed in the meantime, the clear message instead, and nothing changes."""
    if not can_manage(request, case):
        raise PermissionDenied
    messages.error(request, _("This case is closed: reopen it first. Nothing was changed."))
    return redirect(request.path)


def submit_case_form(request, case, form, service, **kwargs):
    """portal.formviews.submit for a case screen's form, None when the page does not offer it
    (then a POST answers as post_without_form: 403, or the case was closed in the meantime)."""
    if request.method == "POST" and form is None:
        return post_without_form(request, case)
    return submit(request, form, service, **kwargs)


def render_case(request, template, case, section, **extra):
    # Every case screen shows the person (the case header): each view leaves an audit entry.
    record_view(instance=case)
    return render(request, template, case_context(request, case, section, **extra))


# The hand-written "last name" / "name or case ID" boxes of the case creation and incoming pages:
# a person's name, kept out of addresses (portal.search).
CLIENT_SEARCH_FIELDS = ("q",)
