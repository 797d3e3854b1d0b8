"""Request screens: the requester's list and forms, the request's page and its buttons, the
coordinators' queue, assignment and corrections, the interpreter's answers and work."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from interpreters import roles, selectors
from interpreters.forms import CompletionForm, DetailsForm, MessageForm, ReasonForm, RequestForm
from interpreters.models import Modality, RequestStatus
from interpreters.requests import notices, services
from interpreters.requests.services import REQUEST_FLOW
from interpreters.tables import PageIdsFirstPaginator, QueueTable, RequestTable
from portal.documents import CalendarEvent, calendar_file
from portal.forms import show_service_error
from portal.formviews import act, submit
from portal.params import as_id
from portal.permissions import capability_required, check_capability, has_capability
from portal.selectors import active_organization
from portal.services import record_view
from portal.tables import paginate
from portal.workflow import ActionError

RS = RequestStatus


def _may_cancel(user) -> bool:
    """Cancelling is the requester's or the coordinators'."""
    return has_capability(user, roles.REQUEST) or has_capability(user, roles.ASSIGN)


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


def _created(created):
    if len(created) > 1:
        return _("%(count)s requests were created, one per week: %(first)s to %(last)s.") % {
            "count": len(created),
            "first": created[0].number,
            "last": created[-1].number,
        }
    return _("Request %(number)s was sent to the bank.") % {"number": created[0].number}


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
    done = submit(
        request,
        form,
        lambda data: services.create_request(
            actor=request.user, establishment=establishment, repeat_until=data["repeat_until"], **form.values()
        ),
        success=_created,
        next=lambda created: created[0],
    )
    return done or render(request, "interpreters/request_form.html", {"form": form})


@capability_required(roles.VIEW)
@require_http_methods(["GET", "POST"])
def request_detail(request, pk):
    """The request, its history and its message thread (requester, interpreter, coordinators)."""
    item = selectors.get_request_for_user(request.user, pk)
    # The request names the patient's needs and context: a personal record.
    record_view(instance=item)
    form = MessageForm(request.POST or None)
    done = submit(
        request,
        form,
        lambda data: notices.post_message(actor=request.user, request=item, text=data["text"]),
        success=_("Your message was sent."),
        next=item,
    )
    if done:
        return done
    user = request.user
    is_coordinator = has_capability(user, roles.ASSIGN)
    is_requester = has_capability(user, roles.REQUEST)
    is_interpreter = has_capability(user, roles.PERFORM)
    correctable = item.status in services.CORRECTABLE
    events = list(item.events.select_related("actor"))
    for event in events:
        # A requester does not read why an interpreter declined.
        event.shown_note = "" if is_requester and event.to_status == RS.DECLINED else event.note
    return render(
        request,
        "interpreters/request_detail.html",
        {
            "item": item,
            "form": form,
            "thread": list(item.messages.select_related("author")),
            "events": events,
            # The buttons of REQUEST_FLOW come from {% workflow_actions %}; these open pages of their own.
            "can_assign": REQUEST_FLOW.can(item, "assign", user),
            "can_correct": is_coordinator and correctable,
            "can_edit": is_requester and item.status in services.OPEN,
            "can_cancel": _may_cancel(user) and REQUEST_FLOW.allows(item, "cancel"),
            "can_decline": REQUEST_FLOW.can(item, "decline", user),
            "in_calendar": is_interpreter and item.status in services.HELD,
            "can_record": REQUEST_FLOW.can(item, "complete", user) and item.starts_at <= timezone.now(),
            "completion": getattr(item, "completion", None) if correctable else None,
            # The interpreter's notes are for the bank (the coordinator validates with them), not the requester.
            "show_notes": is_coordinator or is_interpreter,
        },
    )


@capability_required(roles.REQUEST)
@require_http_methods(["GET", "POST"])
def request_edit(request, pk):
    item = selectors.get_request_for_user(request.user, pk)
    initial = {name: getattr(item, name) for name in services.DETAIL_FIELDS}
    form = DetailsForm(request.POST or None, initial=initial)
    done = submit(
        request,
        form,
        lambda data: services.change_request(actor=request.user, request=item, **data),
        success=_("The request was changed; the interpreter, if any, was told."),
        next=item,
    )
    return done or render(request, "interpreters/request_edit.html", {"item": item, "form": form})


@capability_required(roles.VIEW)
@require_http_methods(["GET", "POST"])
def request_cancel(request, pk):
    if not _may_cancel(request.user):
        raise PermissionDenied
    item = selectors.get_request_for_user(request.user, pk)
    form = ReasonForm(request.POST or None)
    rate = selectors.rate_for(item)
    # Not portal.formviews.submit: a late cancellation is a warning, not a success.
    if request.method == "POST" and form.is_valid():
        try:
            item = services.cancel_request(actor=request.user, request=item, reason=form.cleaned_data["reason"])
        except ActionError as error:
            show_service_error(request, form, error)
        else:
            if item.late_cancellation:
                messages.warning(request, _("The request was cancelled late: it will be billed by the rate rules."))
            else:
                messages.success(request, _("The request was cancelled."))
            return redirect(item)
    return render(request, "interpreters/request_cancel.html", {"item": item, "form": form, "rate": rate})


@require_POST
def request_action(request, pk, action):
    """The request page's buttons: one transition of services.REQUEST_FLOW, by its name."""
    transition = REQUEST_FLOW.button(action)
    if transition is None:
        raise Http404
    check_capability(request, transition.capability)
    item = selectors.get_request_for_user(request.user, pk)
    # An interpreter's answer goes back to their assignments; a coordinator's stays on the request.
    after = "interpreters:my_work" if transition.capability == roles.PERFORM else item
    return act(
        request,
        lambda: services.change_status(actor=request.user, request=item, action=action),
        success=lambda done: str(transition.done)
        % {"number": done.number, "status": done.get_status_display()},
        next=after,
        refused=after,
    )


# Coordinator ---------------------------------------------------------------------------------------


@capability_required(roles.ASSIGN)
def queue(request):
    tab = request.GET.get("tab", "assign")
    if tab not in selectors.QUEUE_TABS:
        tab = "assign"
    table = paginate(
        request, QueueTable(selectors.queue(request.user, tab)), paginator_class=PageIdsFirstPaginator
    )
    return render(request, "interpreters/queue.html", {"table": table, "tab": tab})


@capability_required(roles.ASSIGN)
@require_http_methods(["GET", "POST"])
def assign(request, pk):
    """Suggested interpreters (language, modality, free, available), nearest and least busy first."""
    item = selectors.get_request_for_coordinator(request.user, pk)
    if request.method == "POST":
        # Only an interpreter of the coordinator's bank can be chosen.
        chosen = as_id(request.POST.get("interpreter", ""))
        interpreter = selectors.bank_interpreters(request.user).filter(pk=chosen).first() if chosen else None
        if interpreter is None:
            messages.error(request, _("Choose an interpreter."))
        else:
            # "Assign the series": every date still to come goes to this interpreter, all or none.
            if request.POST.get("whole_series"):
                assign_them = services.assign_series
                success = _("Every date of the series of request %(number)s was offered to %(name)s.")
            else:
                assign_them = services.assign_interpreter
                success = _("Request %(number)s was offered to %(name)s.")
            done = submit(
                request,
                None,
                lambda data: assign_them(actor=request.user, request=item, interpreter=interpreter),
                success=success % {"number": item.number, "name": interpreter},
                next="interpreters:queue",
            )
            if done:
                return done
    suggested = selectors.suggestions(item)
    suggested_ids = {row["interpreter"].pk for row in suggested}
    others = [person for person in selectors.other_interpreters(item) if person.pk not in suggested_ids]
    # In person with nobody suggested (too far, busy or unavailable): the requester may be offered
    # a phone or video call instead.
    suggest_remote = item.modality == Modality.IN_PERSON and not suggested
    # A weekly series may go to one interpreter at once (each date is still its own request).
    series_dates = services.series_to_come(item).count() if item.series_id or item.occurrences.exists() else 0
    return render(
        request,
        "interpreters/assign.html",
        {
            "item": item,
            "suggested": suggested,
            "others": others,
            "suggest_remote": suggest_remote,
            "series_dates": series_dates if series_dates > 1 else 0,
        },
    )


@capability_required(roles.ASSIGN)
@require_http_methods(["GET", "POST"])
def completion_correct(request, pk):
    item = selectors.get_request_for_coordinator(request.user, pk)
    if item.status not in services.CORRECTABLE:
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
    done = submit(
        request,
        form,
        lambda data: services.correct_completion(actor=request.user, request=item, **data),
        success=_("The completion was corrected; the next statement carries the difference."),
        next=item,
    )
    return done or render(
        request, "interpreters/completion_form.html", {"item": item, "form": form, "correcting": True}
    )


# Interpreter ---------------------------------------------------------------------------------------


def no_profile(request):
    """An interpreter whose profile the coordinators have not made yet."""
    return render(request, "interpreters/no_profile.html")


@capability_required(roles.PERFORM)
def my_work(request):
    if selectors.interpreter_profile(request.user) is None:
        return no_profile(request)
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
    if answer == "accept" and request.method == "POST":
        return act(
            request,
            lambda: services.accept_offer(actor=request.user, request=item),
            success=_("You accepted request %(number)s.") % {"number": item.number},
            next="interpreters:my_work",
        )
    form = ReasonForm(request.POST or None)
    done = submit(
        request,
        form,
        lambda data: services.decline_offer(actor=request.user, request=item, reason=data["reason"]),
        success=_("You declined request %(number)s.") % {"number": item.number},
        next="interpreters:my_work",
    )
    return done or render(request, "interpreters/offer_answer.html", {"item": item, "form": form, "answer": answer})


@capability_required(roles.PERFORM)
def request_ics(request, pk):
    """The assignment as a calendar file."""
    item = selectors.get_request_for_user(request.user, pk)
    if item.status not in services.HELD:
        raise Http404
    if item.modality == Modality.IN_PERSON:
        location = ", ".join(part for part in (item.site_name, item.address, item.room) if part)
    else:
        location = item.remote_details
    event = CalendarEvent(
        uid=item.number,
        summary=f"{item.number} – {item.language.name}",
        starts_at=item.starts_at,
        ends_at=item.ends_at,
        location=location,
        url=request.build_absolute_uri(item.get_absolute_url()),
    )
    response = HttpResponse(
        calendar_file(event, product="Interpreter bank"), content_type="text/calendar; charset=utf-8"
    )
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
    done = submit(
        request,
        form,
        lambda data: services.record_completion(actor=request.user, request=item, **data),
        success=_("The service was recorded. Thank you."),
        next="interpreters:my_work",
    )
    return done or render(
        request, "interpreters/completion_form.html", {"item": item, "form": form, "correcting": False}
    )
