"""The bank's pool: the coordinators' list of interpreters and their profiles; an interpreter's
own availability."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from interpreters import roles, selectors
from interpreters.forms import AvailabilityForm, InterpreterForm, UnavailabilityForm
from interpreters.pool import services
from interpreters.requests.views import no_profile
from portal.db import order_by_name
from portal.formviews import submit
from portal.params import as_id
from portal.permissions import capability_required
from portal.selectors import members_with_roles


@capability_required(roles.ASSIGN)
@require_http_methods(["GET", "POST"])
def interpreters(request):
    """The bank's interpreters; members with the interpreter role but no profile yet can be set up."""
    bank = selectors.user_bank(request.user, roles.ASSIGN)
    newcomers = list(
        members_with_roles(bank, ["interpreters.interpreter"]).filter(interpreter_profile__isnull=True)
    )
    if request.method == "POST":
        user = next((person for person in newcomers if person.pk == as_id(request.POST.get("user"))), None)
        if user is None:
            raise Http404
        profile = services.create_interpreter_profile(user=user, bank=bank)
        messages.info(request, _("Complete the interpreter's languages, modalities and home postal code."))
        return redirect("interpreters:interpreter_edit", profile.pk)
    people = order_by_name(
        selectors.bank_interpreters(request.user).prefetch_related("languages"),
        "user__last_name",
        "user__first_name",
    )
    return render(request, "interpreters/interpreters.html", {"people": people, "newcomers": newcomers})


@capability_required(roles.ASSIGN)
@require_http_methods(["GET", "POST"])
def interpreter_edit(request, pk):
    profile = selectors.get_interpreter(request.user, pk)
    form = InterpreterForm(
        request.POST or None,
        initial={
            "languages": list(profile.languages.all()),
            "modalities": profile.modalities,
            "home_postal_code": profile.home_postal_code,
            "travel_radius_km": profile.travel_radius_km,
            "gender": profile.gender,
            "accreditation": profile.accreditation,
            "accreditation_number": profile.accreditation_number,
            "is_active": profile.is_active,
        },
    )

    def save(data):
        data = dict(data)
        return services.save_interpreter(profile=profile, languages=data.pop("languages"), **data)

    done = submit(
        request, form, save, success=_("The interpreter's profile was saved."), next="interpreters:interpreters"
    )
    return done or render(request, "interpreters/interpreter_form.html", {"profile": profile, "form": form})


@capability_required(roles.PERFORM)
@require_http_methods(["GET", "POST"])
def availability(request):
    """Weekly hours and absences: two forms and the remove buttons on one page, told apart by `kind`."""
    profile = selectors.interpreter_profile(request.user)
    if profile is None:
        return no_profile(request)
    kind = request.POST.get("kind")
    weekly = AvailabilityForm(request.POST if kind == "weekly" else None, prefix="weekly")
    away = UnavailabilityForm(request.POST if kind == "away" else None, prefix="away")
    # What each kind of POST does: (its form, the service, the message once done).
    actions = {
        "weekly": (
            weekly,
            lambda data: services.add_availability(interpreter=profile, **data),
            _("Your availability was added."),
        ),
        "away": (
            away,
            lambda data: services.add_unavailability(interpreter=profile, **data),
            _("Your absence was added."),
        ),
    }
    if kind in ("remove_weekly", "remove_away") and as_id(request.POST.get("pk")):
        actions[kind] = (
            None,
            lambda data: services.remove_availability(
                interpreter=profile, pk=as_id(request.POST["pk"]), weekly=kind == "remove_weekly"
            ),
            _("Removed."),
        )
    done = None
    if kind in actions:
        form, service, message = actions[kind]
        done = submit(request, form, service, success=message, next="interpreters:availability")
    return done or render(
        request,
        "interpreters/availability.html",
        {
            "profile": profile,
            "weekly": weekly,
            "away": away,
            "windows": list(profile.availabilities.all()),
            "absences": list(profile.unavailabilities.filter(ends_at__gte=timezone.now())),
        },
    )
