"""Interpreter bank screens: requesters, coordinators and interpreters (phone first)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from icalendar import Calendar, Event

from interpreters import roles, selectors, services
from interpreters.exports import statement_rows
from interpreters.forms import (
    AvailabilityForm,
    CompletionForm,
    DetailsForm,
    InterpreterForm,
    MessageForm,
    MonthForm,
    RateForm,
    ReasonForm,
    RegistrationForm,
    RequestForm,
    UnavailabilityForm,
)
from interpreters.models import QUEUE_STATUSES, RequestStatus
from interpreters.services import RequestActionError
from interpreters.tables import QueueTable, RegistrationTable, RequestTable, StatementTable
from portal.db import order_by_name
from portal.exports import request_export
from portal.forms import show_service_error as _show_error
from portal.models import User
from portal.params import as_id
from portal.permissions import capability_required, has_capability
from portal.ratelimit import over_limit
from portal.selectors import active_organization, members_with_roles
from portal.services import record_view
from portal.tables import paginate

RS = RequestStatus


# Sign-up (public) --------------------------------------------------------------------------------


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
    elif request.method == "POST" and form.is_valid():
        try:
            services.register_requester(**form.cleaned_data)
        except RequestActionError as error:
            _show_error(request, form, error)
        else:
            return redirect("interpreters:sign_up_done")
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
    if request.method == "POST":
        try:
            if request.POST.get("decision") == "approve":
                services.approve_registration(actor=request.user, registration=registration)
                messages.success(request, _("The registration was approved: the requester was emailed."))
                return redirect("interpreters:registrations")
            if form.is_valid():
                services.refuse_registration(
                    actor=request.user, registration=registration, reason=form.cleaned_data["reason"]
                )
                messages.success(request, _("The registration was refused: the person was emailed."))
                return redirect("interpreters:registrations")
        except RequestActionError as error:
            _show_error(request, form, error)
    return render(
        request,
        "interpreters/registration_decide.html",
        {
            "registration": registration,
            "form": form,
            "existing_account": User.objects.filter(email__iexact=registration.email).exists(),
        },
    )


# Requests (requester) ----------------------------------------------------------------------------


@capability_required(roles.REQUEST)
def request_list(request):
    queryset = selectors.requests_for(request.user)
    status = request.GET.get("status", "")
    if status in RS.values:
        queryset = queryset.filter(status=status)
    upcoming = request.GET.get("period", "upcoming") != "past"
    now = timezone.now()
    queryset = queryset.filter(ends_at__gte=now) if upcoming else queryset.filter(ends_at__lt=now)
    table = paginate(request, RequestTable(queryset.order_by("starts_at" if upcoming else "-starts_at")))
    return render(
        request,
        "interpreters/request_list.html",
        {"table": table, "status": status, "statuses": RS.choices, "upcoming": upcoming},
    )


@capability_required(roles.REQUEST)
@require_http_methods(["GET", "POST"])
def request_create(request):
    establishment = active_organization(request.user)
    form = RequestForm(
        request.POST or None,
        establishment=establishment,
        initial={
            "contact_name": request.user.get_full_name(),
            "contact_phone": str(request.user.phone or ""),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            created = services.create_request(
                actor=request.user,
                establishment=establishment,
                repeat_until=form.cleaned_data["repeat_until"],
                **form.values(),
            )
        except RequestActionError as error:
            _show_error(request, form, error)
        else:
            if len(created) > 1:
                messages.success(
                    request,
                    _("%(count)s requests were created, one per week: %(first)s to %(last)s.")
                    % {"count": len(created), "first": created[0].number, "last": created[-1].number},
                )
            else:
                messages.success(
                    request, _("Request %(number)s was sent to the bank.") % {"number": created[0].number}
                )
            return redirect(created[0])
    return render(request, "interpreters/request_form.html", {"form": form})


@capability_required(roles.VIEW)
@require_http_methods(["GET", "POST"])
def request_detail(request, pk):
    """The request, its history and its message thread (requester, interpreter, coordinators)."""
    item = selectors.get_request_for_user(request.user, pk)
    # The request names the patient's needs and context: a personal record.
    record_view(instance=item)
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.post_message(actor=request.user, request=item, text=form.cleaned_data["text"])
        messages.success(request, _("Your message was sent."))
        return redirect(item)
    is_coordinator = has_capability(request.user, roles.ASSIGN)
    is_requester = has_capability(request.user, roles.REQUEST)
    is_interpreter = has_capability(request.user, roles.PERFORM)
    return render(
        request,
        "interpreters/request_detail.html",
        {
            "item": item,
            "form": form,
            "thread": list(item.messages.select_related("author")),
            "events": list(item.events.select_related("actor")),
            "is_coordinator": is_coordinator,
            "is_requester": is_requester,
            "is_interpreter": is_interpreter,
            "can_cancel": (is_coordinator or is_requester)
            and item.status in (*QUEUE_STATUSES, RS.ASSIGNED, RS.ACCEPTED, RS.CONFIRMED),
            "completion": getattr(item, "completion", None)
            if item.status in (RS.COMPLETED, RS.VALIDATED)
            else None,
            "started": item.starts_at <= timezone.now(),
        },
    )


@capability_required(roles.REQUEST)
@require_http_methods(["GET", "POST"])
def request_edit(request, pk):
    item = selectors.get_request_for_user(request.user, pk)
    initial = {name: getattr(item, name) for name in services.DETAIL_FIELDS}
    form = DetailsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_request(actor=request.user, request=item, **form.cleaned_data)
        except RequestActionError as error:
            _show_error(request, form, error)
        else:
            messages.success(request, _("The request was changed; the interpreter, if any, was told."))
            return redirect(item)
    return render(request, "interpreters/request_edit.html", {"item": item, "form": form})


@capability_required(roles.VIEW)
@require_http_methods(["GET", "POST"])
def request_cancel(request, pk):
    if not (has_capability(request.user, roles.REQUEST) or has_capability(request.user, roles.ASSIGN)):
        raise PermissionDenied
    item = selectors.get_request_for_user(request.user, pk)
    form = ReasonForm(request.POST or None)
    rate = selectors.rate_for(item)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.cancel_request(
                actor=request.user, request=item, reason=form.cleaned_data["reason"]
            )
        except RequestActionError as error:
            _show_error(request, form, error)
        else:
            if item.late_cancellation:
                messages.warning(
                    request, _("The request was cancelled late: it will be billed by the rate rules.")
                )
            else:
                messages.success(request, _("The request was cancelled."))
            return redirect(item)
    return render(request, "interpreters/request_cancel.html", {"item": item, "form": form, "rate": rate})


# Coordinator ---------------------------------------------------------------------------------------

QUEUE_TABS = {
    "assign": (QUEUE_STATUSES, "starts_at"),
    "confirm": ((RS.ACCEPTED,), "starts_at"),
    "validate": ((RS.COMPLETED,), "starts_at"),
    "offered": ((RS.ASSIGNED,), "starts_at"),
}


@capability_required(roles.ASSIGN)
def queue(request):
    tab = request.GET.get("tab", "assign")
    if tab not in QUEUE_TABS:
        tab = "assign"
    statuses, order = QUEUE_TABS[tab]
    queryset = selectors.requests_for_coordinators(request.user).filter(status__in=statuses)
    if tab in ("assign", "offered", "confirm"):
        queryset = queryset.filter(starts_at__gte=timezone.now())
    table = paginate(request, QueueTable(queryset.order_by(order)))
    return render(request, "interpreters/queue.html", {"table": table, "tab": tab})


@capability_required(roles.ASSIGN)
@require_http_methods(["GET", "POST"])
def assign(request, pk):
    """Suggested interpreters (language, modality, free, available), nearest and least busy first."""
    item = selectors.get_request_for_coordinator(request.user, pk)
    if request.method == "POST":
        interpreter_pk = request.POST.get("interpreter", "")
        # Only an interpreter of the coordinator's bank can be chosen.
        interpreter = (
            selectors.bank_interpreters(request.user).filter(pk=as_id(interpreter_pk)).first()
            if as_id(interpreter_pk)
            else None
        )
        if interpreter is None:
            messages.error(request, _("Choose an interpreter."))
        else:
            try:
                services.assign_interpreter(actor=request.user, request=item, interpreter=interpreter)
            except RequestActionError as error:
                _show_error(request, None, error)
            else:
                messages.success(
                    request,
                    _("Request %(number)s was offered to %(name)s.")
                    % {"number": item.number, "name": interpreter},
                )
                return redirect("interpreters:queue")
    suggested = selectors.suggestions(item)
    suggested_ids = {row["interpreter"].pk for row in suggested}
    others = [person for person in selectors.other_interpreters(item) if person.pk not in suggested_ids]
    return render(
        request, "interpreters/assign.html", {"item": item, "suggested": suggested, "others": others}
    )


COORDINATOR_ACTIONS = {
    "confirm": (services.confirm_request, "Confirm"),
    "validate": (services.validate_completion, "Validate"),
}


@capability_required(roles.ASSIGN)
@require_POST
def coordinator_action(request, pk, action):
    item = selectors.get_request_for_coordinator(request.user, pk)
    if action not in COORDINATOR_ACTIONS:
        raise Http404
    try:
        item = COORDINATOR_ACTIONS[action][0](actor=request.user, request=item)
    except RequestActionError as error:
        _show_error(request, None, error)
    else:
        messages.success(
            request,
            _("Request %(number)s is now %(status)s.")
            % {"number": item.number, "status": item.get_status_display()},
        )
    return redirect(item)


@capability_required(roles.ASSIGN)
@require_http_methods(["GET", "POST"])
def completion_correct(request, pk):
    item = selectors.get_request_for_coordinator(request.user, pk)
    if item.status not in (RS.COMPLETED, RS.VALIDATED):
        raise Http404
    completion = item.completion
    form = CompletionForm(
        request.POST or None,
        initial={
            "actual_start": timezone.localtime(completion.actual_start),
            "actual_end": timezone.localtime(completion.actual_end),
            "travel_km": completion.travel_km,
            "waiting_minutes": completion.waiting_minutes,
            "expenses": completion.expenses,
            "notes": completion.notes,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.correct_completion(actor=request.user, request=item, **form.cleaned_data)
        except RequestActionError as error:
            _show_error(request, form, error)
        else:
            messages.success(
                request, _("The completion was corrected; the next statement carries the difference.")
            )
            return redirect(item)
    return render(
        request, "interpreters/completion_form.html", {"item": item, "form": form, "correcting": True}
    )


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
            "gender": profile.gender,
            "accreditation": profile.accreditation,
            "accreditation_number": profile.accreditation_number,
            "is_active": profile.is_active,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        services.save_interpreter(profile=profile, languages=data.pop("languages"), **data)
        messages.success(request, _("The interpreter's profile was saved."))
        return redirect("interpreters:interpreters")
    return render(request, "interpreters/interpreter_form.html", {"profile": profile, "form": form})


# Billing -------------------------------------------------------------------------------------------


@capability_required(roles.BILLING)
@require_http_methods(["GET", "POST"])
def statements(request):
    form = MonthForm(request.POST or None, initial={"month": timezone.localdate().replace(day=1)})
    if request.method == "POST" and form.is_valid():
        try:
            issued = services.issue_statements(
                actor=request.user,
                bank=selectors.user_bank(request.user, roles.BILLING),
                month=form.cleaned_data["month"],
            )
        except RequestActionError as error:
            _show_error(request, None, error)
            return redirect("interpreters:statements")
        if issued:
            messages.success(request, _("%(count)s statements were issued.") % {"count": len(issued)})
        else:
            messages.info(request, _("Nothing new to bill or pay for that month: no statement was issued."))
        return redirect("interpreters:statements")
    table = paginate(request, StatementTable(selectors.statements(request.user)))
    rates = selectors.rates(request.user)
    return render(request, "interpreters/statements.html", {"form": form, "table": table, "rates": rates})


@capability_required(roles.BILLING)
@require_http_methods(["GET", "POST"])
def statement_detail(request, pk):
    statement = selectors.get_statement(request.user, pk)
    fmt = request.POST.get("format")
    if request.method == "POST" and fmt in ("pdf", "xlsx"):
        # Built in the background (portal exports), then downloaded from the export's page.
        export = request_export(
            user=request.user,
            exporter=f"interpreters.exports.statement_{fmt}",
            params={"statement": statement.pk},
            fmt=fmt,
            name=statement.number,
        )
        return redirect(reverse("portal:export", args=[export.pk]))
    headers, rows = statement_rows(statement)
    return render(
        request,
        "interpreters/statement_detail.html",
        {"statement": statement, "headers": headers, "rows": rows},
    )


@capability_required(roles.BILLING)
@require_http_methods(["GET", "POST"])
def rate_edit(request, pk):
    rate = selectors.get_rate(request.user, pk)
    form = RateForm(request.POST or None, instance=rate)
    if request.method == "POST" and form.is_valid():
        services.save_rate(rate=rate, **form.cleaned_data)
        messages.success(request, _("The rate was saved."))
        return redirect("interpreters:statements")
    return render(request, "interpreters/rate_form.html", {"rate": rate, "form": form})


# Interpreter ---------------------------------------------------------------------------------------


def _no_profile(request):
    """An interpreter whose profile the coordinators have not made yet."""
    return render(request, "interpreters/no_profile.html")


@capability_required(roles.PERFORM)
def my_work(request):
    if selectors.interpreter_profile(request.user) is None:
        return _no_profile(request)
    return render(
        request,
        "interpreters/my_work.html",
        {
            "offers": list(selectors.offers_for(request.user)),
            "upcoming": list(selectors.upcoming_for(request.user)),
            "done": list(selectors.done_for(request.user)[:10]),
            "now": timezone.now(),
        },
    )


@capability_required(roles.PERFORM)
@require_http_methods(["GET", "POST"])
def offer_answer(request, pk, answer):
    item = selectors.get_request_for_user(request.user, pk)
    if answer not in ("accept", "decline"):
        raise Http404
    form = ReasonForm(request.POST or None)
    if request.method == "POST":
        try:
            if answer == "accept":
                services.accept_offer(actor=request.user, request=item)
                messages.success(request, _("You accepted request %(number)s.") % {"number": item.number})
                return redirect("interpreters:my_work")
            if form.is_valid():
                services.decline_offer(actor=request.user, request=item, reason=form.cleaned_data["reason"])
                messages.success(request, _("You declined request %(number)s.") % {"number": item.number})
                return redirect("interpreters:my_work")
        except RequestActionError as error:
            _show_error(request, form, error)
            if answer == "accept":
                return redirect("interpreters:my_work")
    return render(request, "interpreters/offer_answer.html", {"item": item, "form": form, "answer": answer})


@capability_required(roles.PERFORM)
def request_ics(request, pk):
    """The assignment as a calendar file."""
    item = selectors.get_request_for_user(request.user, pk)
    if item.status not in (RS.ACCEPTED, RS.CONFIRMED):
        raise Http404
    calendar = Calendar()
    calendar.add("prodid", "-//Liaison//Interpreter bank//FR")
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", f"{item.number}@liaison")
    event.add("summary", f"{item.number} – {item.language.name}")
    event.add("dtstart", item.starts_at)
    event.add("dtend", item.ends_at)
    event.add("dtstamp", timezone.now())
    if item.modality == "in_person":
        event.add("location", ", ".join(part for part in (item.site_name, item.address, item.room) if part))
    else:
        event.add("location", item.remote_details)
    event.add("url", request.build_absolute_uri(item.get_absolute_url()))
    calendar.add_component(event)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{item.number}.ics"'
    return response


@capability_required(roles.PERFORM)
@require_http_methods(["GET", "POST"])
def completion_record(request, pk):
    item = selectors.get_request_for_user(request.user, pk)
    start = timezone.localtime(item.starts_at)
    form = CompletionForm(
        request.POST or None,
        initial={"actual_start": start, "actual_end": timezone.localtime(item.ends_at)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.record_completion(actor=request.user, request=item, **form.cleaned_data)
        except RequestActionError as error:
            _show_error(request, form, error)
        else:
            messages.success(request, _("The service was recorded. Thank you."))
            return redirect("interpreters:my_work")
    return render(
        request, "interpreters/completion_form.html", {"item": item, "form": form, "correcting": False}
    )


@capability_required(roles.PERFORM)
@require_http_methods(["GET", "POST"])
def availability(request):
    profile = selectors.interpreter_profile(request.user)
    if profile is None:
        return _no_profile(request)
    weekly = AvailabilityForm(request.POST if request.POST.get("kind") == "weekly" else None, prefix="weekly")
    away = UnavailabilityForm(request.POST if request.POST.get("kind") == "away" else None, prefix="away")
    if request.method == "POST":
        try:
            if request.POST.get("kind") in ("remove_weekly", "remove_away") and as_id(request.POST.get("pk")):
                services.remove_availability(
                    interpreter=profile,
                    pk=as_id(request.POST["pk"]),
                    weekly=request.POST["kind"] == "remove_weekly",
                )
                messages.success(request, _("Removed."))
                return redirect("interpreters:availability")
            if request.POST.get("kind") == "weekly" and weekly.is_valid():
                services.add_availability(interpreter=profile, **weekly.cleaned_data)
                messages.success(request, _("Your availability was added."))
                return redirect("interpreters:availability")
            if request.POST.get("kind") == "away" and away.is_valid():
                services.add_unavailability(interpreter=profile, **away.cleaned_data)
                messages.success(request, _("Your absence was added."))
                return redirect("interpreters:availability")
        except RequestActionError as error:
            _show_error(request, weekly if request.POST.get("kind") == "weekly" else away, error)
    return render(
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
