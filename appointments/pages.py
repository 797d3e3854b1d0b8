"""What every staff page of the appointments application renders with."""

from django.shortcuts import render

from appointments import roles, selectors
from portal.permissions import has_capability
from portal.selectors import active_organization


def render_page(request, template, context=None):
    """Render an appointments page with what its menu needs (decided here, not in templates)."""
    organization = active_organization(request.user)
    context = dict(context or {})
    context.setdefault("clinic", selectors.clinic_settings(organization) if organization else None)
    context["can_configure"] = has_capability(request.user, roles.CONFIGURE)
    context["can_see_schedules"] = has_capability(request.user, roles.SCHEDULES)
    context["can_edit_schedules"] = has_capability(request.user, roles.EDIT_SCHEDULES)
    context["can_book"] = has_capability(request.user, roles.BOOK)
    return render(request, template, context)


def organization_of(request):
    """The application (clinic network) of the person's active role."""
    return active_organization(request.user)
