"""The staff's waitlist page (issue 20): per service, the people in order of sign-up and their status."""

from django.db.models import Count, Q

from appointments import roles, selectors
from appointments.models import WAITLIST_ACTIVE
from appointments.pages import render_page
from appointments.waitlist import services as waitlist_services
from portal.permissions import capability_required


@capability_required(roles.CONFIGURE)
def waitlist(request):
    services = list(
        selectors.services_for(request.user)
        .annotate(waiting=Count("waitlist", filter=Q(waitlist__status__in=WAITLIST_ACTIVE)))
        .order_by("pk")
    )
    chosen = None
    wanted = request.GET.get("service", "")
    for service in services:
        if str(service.pk) == wanted or (chosen is None and not wanted.isdigit()):
            chosen = service
    # The page marks an entry's status from waitlist_services.WAITLIST_FLOW (the `reached` filter).
    entries = waitlist_services.service_list(chosen) if chosen is not None else []
    return render_page(
        request,
        "appointments/waitlist_staff.html",
        {"services": services, "chosen": chosen, "entries": entries},
    )
