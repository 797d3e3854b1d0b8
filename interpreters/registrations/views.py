"""Sign-up of establishment staff (public) and the coordinators' decisions."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from interpreters import roles, selectors
from interpreters.forms import ReasonForm, RegistrationForm
from interpreters.models import RegistrationStatus
from interpreters.registrations import services
from interpreters.tables import RegistrationTable
from portal.formviews import submit
from portal.models import User
from portal.permissions import capability_required
from portal.ratelimit import over_limit
from portal.tables import paginate


@login_not_required
@require_http_methods(["GET", "POST"])
def sign_up(request):
    """Establishment staff ask for an account; a coordinator approves it."""
    form = RegistrationForm(request.POST or None)
    limit = getattr(settings, "INTERPRETERS_SIGN_UPS_PER_HOUR", 5)
    if request.method == "POST" and over_limit(request, "interpreters:sign-up", limit):
        # What was typed stays in the form; every coordinator is not emailed again and again.
        form.is_valid()
        form.add_error(None, _("Too many sign-ups from this connection: try again in an hour."))
    else:
        done = submit(
            request,
            form,
            lambda data: services.register_requester(**data),
            success=None,
            next="interpreters:sign_up_done",
        )
        if done:
            return done
    return render(request, "interpreters/sign_up.html", {"form": form})


@login_not_required
def sign_up_done(request):
    return render(request, "interpreters/sign_up_done.html")


@capability_required(roles.ASSIGN)
def registrations(request):
    table = paginate(request, RegistrationTable(selectors.pending_registrations(request.user)))
    return render(request, "interpreters/registrations.html", {"table": table})


@capability_required(roles.ASSIGN)
@require_http_methods(["GET", "POST"])
def registration_decide(request, pk):
    registration = selectors.get_registration(request.user, pk)
    form = ReasonForm(request.POST or None)
    if request.POST.get("decision") == "approve":
        done = submit(
            request,
            None,
            lambda data: services.approve_registration(actor=request.user, registration=registration),
            success=_("The registration was approved: the requester was emailed."),
            next="interpreters:registrations",
        )
    else:
        done = submit(
            request,
            form,
            lambda data: services.refuse_registration(
                actor=request.user, registration=registration, reason=data["reason"]
            ),
            success=_("The registration was refused: the person was emailed."),
            next="interpreters:registrations",
        )
    return done or render(
        request,
        "interpreters/registration_decide.html",
        {
            "registration": registration,
            "form": form,
            "pending": registration.status == RegistrationStatus.PENDING,
            "existing_account": User.objects.filter(email__iexact=registration.email).exists(),
        },
    )
