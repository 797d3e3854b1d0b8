"""Follow-up (guide 6): an appointment's page and changes, the follow-up list, its batch actions and
export, and the statistics (Pilot).
"""

from datetime import timedelta

from django.contrib import messages
from django.core.paginator import EmptyPage
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from appointments import roles, selectors
from appointments.booking.forms import PersonForm, StaffBookingForm, TimeChoiceForm, person_initial
from appointments.booking.views_common import time_gone, time_value_of
from appointments.booking.views_staff import booked_second_dose_for, staff_times
from appointments.exports import STAT_MEASURES, ExportColumnsForm, stat_labels, statistics_data
from appointments.follow_up import services
from appointments.follow_up.forms import (
    BATCH_CONFIRMATIONS,
    BATCH_LABELS,
    DEFAULT_COLUMNS,
    FOLLOW_UP_COLUMNS,
    BatchForm,
    ColumnsForm,
    FollowUpForm,
    StatisticsForm,
)
from appointments.models import (
    AppointmentStatus,
    ListPreference,
    PersonalField,
)
from appointments.pages import organization_of, render_page
from appointments.tables import FollowUpTable
from portal import dates
from portal.forms import show_service_error
from portal.params import as_id, safe_next
from portal.permissions import capability_required, has_capability
from portal.search import criteria, personal_search
from portal.services import record_list_view, record_view
from portal.tables import NearerEndPaginator
from portal.workflow import ActionError


def _can_book(request, appointment):
    return selectors.bookable_appointments_for(request.user).filter(pk=appointment.pk).exists()


@capability_required(roles.SCHEDULES)
def appointment_detail(request, pk):
    """Guide 4.4: the appointment's details and its options (modify, book again for this person)."""
    appointment = selectors.get_appointment(request.user, pk)
    record_view(instance=appointment)
    if request.GET.get("print") == "coupon":
        # "Print the coupon": the coupon alone, as the person gets it online (never the health card
        # number, the history or staff's names of the staff page).
        return render_page(request, "appointments/coupon_print.html", {"appointment": appointment})
    can_book = _can_book(request, appointment)
    second_dose_booked, second_dose_url = (
        booked_second_dose_for(request.user, appointment) if can_book else (None, "")
    )
    return render_page(
        request,
        "appointments/appointment_detail.html",
        {
            "appointment": appointment,
            "can_book": can_book,
            "second_dose_booked": second_dose_booked,
            "booked_url": second_dose_url,
            "upcoming": appointment.starts_at > timezone.now()
            and appointment.status != AppointmentStatus.CANCELLED,
            "events": appointment.events.select_related("actor"),
            "details": [
                (PersonalField(code).label, value)
                for code, value in (appointment.details or {}).items()
                # The person's comment shows with staff's, under "Comment".
                if code in PersonalField.values and code != PersonalField.COMMENT
            ],
        },
    )


@capability_required(roles.BOOK)
@require_http_methods(["GET", "POST"])
def appointment_edit(request, pk):
    """Guide 4.5: an upcoming appointment may move; a past or cancelled one keeps its time."""
    appointment = selectors.get_appointment(request.user, pk)
    if not _can_book(request, appointment):
        raise Http404
    record_view(instance=appointment)
    user = request.user
    movable = appointment.starts_at > timezone.now() and appointment.status != AppointmentStatus.CANCELLED
    service, location = appointment.service, appointment.slot.location
    day = timezone.localtime(appointment.starts_at).date()
    choice = None
    times = []
    if movable:
        choice = StaffBookingForm(
            request.GET if "service" in request.GET else None,
            initial={"service": service, "location": location, "date": day},
            services=selectors.services_for(user).filter(is_active=True),
            locations=selectors.locations_for(user).filter(is_active=True),
        )
        if choice.is_bound and choice.is_valid():
            service, location, day = (choice.cleaned_data[key] for key in ("service", "location", "date"))
        times = staff_times(request, service=service, location=location, day=day)
    current = time_value_of(appointment.slot_id, appointment.starts_at)
    person = PersonForm(
        request.POST or None, service=service, staff=True, initial=person_initial(appointment)
    )
    time_form = TimeChoiceForm(request.POST or None) if movable else None
    if request.method == "POST":
        valid = person.is_valid() and (time_form is None or time_form.is_valid())
        if valid:
            values = person.booking_values()
            details = {
                key: values[key]
                for key in (
                    "first_name",
                    "last_name",
                    "date_of_birth",
                    "email",
                    "mobile_phone",
                    "details",
                    "comment",
                )
            }
            move = {}
            if time_form is not None:
                slot = (
                    selectors.bookable_slots_for(user)
                    .filter(pk=time_form.cleaned_data["slot_id"], location=location)
                    .first()
                )
                if slot is None:
                    time_form.add_error("time", _("This time is not available. Choose a time in the list."))
                    valid = False
                else:
                    move = {"slot": slot, "service": service, "starts_at": time_form.cleaned_data["time"]}
            if valid:
                try:
                    services.update_appointment(actor=user, appointment=appointment, details=details, **move)
                except ActionError as error:
                    if time_gone(error) and time_form is not None:
                        time_form.add_error("time", error)
                    else:
                        show_service_error(request, person, error)
                else:
                    messages.success(request, _("The appointment was changed."))
                    return redirect("appointments:appointment", pk=appointment.pk)
    time_choices = [(time_value_of(slot.pk, moment), slot, moment, left) for slot, moment, left in times]
    if (
        movable
        and current not in {value for value, *_rest in time_choices}
        and day == timezone.localtime(appointment.starts_at).date()
        and location == appointment.slot.location
    ):
        time_choices.insert(0, (current, appointment.slot, appointment.starts_at, 0))
    return render_page(
        request,
        "appointments/appointment_edit.html",
        {
            "appointment": appointment,
            "movable": movable,
            "choice": choice,
            "times": sorted(time_choices, key=lambda item: item[2]),
            "chosen_time": request.POST.get("time", current),
            "person": person,
            "time_form": time_form,
            "service": service,
            "location": location,
            "day": day,
        },
    )


# Follow-up (guide 6) ---------------------------------------------------------------------------------------


def _columns_for(user):
    preference = ListPreference.objects.filter(user=user).first()
    valid = {code for code, _label in FOLLOW_UP_COLUMNS}
    chosen = [code for code in (preference.columns if preference else DEFAULT_COLUMNS) if code in valid]
    return chosen or DEFAULT_COLUMNS


def _follow_up_form(request, data=None):
    user = request.user
    return FollowUpForm(
        data,
        services=selectors.services_for(user),
        locations=selectors.locations_for(user),
        resources=selectors.resources_for(user),
    )


# The follow-up list and its print show 100 appointments a page.
FOLLOW_UP_PAGE = 100


def _paginate(table, page):
    """The asked page of the list; past its end (rows have left it since the link was made), the last."""
    try:
        table.paginate(paginator_class=NearerEndPaginator, page=page, per_page=FOLLOW_UP_PAGE)
    except EmptyPage:
        table.paginate(
            paginator_class=NearerEndPaginator, page=table.paginator.num_pages, per_page=FOLLOW_UP_PAGE
        )


# How far "previous" and "next" move the follow-up list's date, by period.
_PERIOD_MONTHS = {"month": 1, "quarter": 3}


def _shifted(query, period, day, direction):
    """The list's address (its shareable filters kept) for the period `direction` periods away."""
    if period in _PERIOD_MONTHS:
        day = dates.add_months(day, direction * _PERIOD_MONTHS[period])
    else:
        day += timedelta(days=direction * (7 if period == "week" else 1))
    query = query.copy()
    query["date"] = day.isoformat()
    query["period"] = period
    return f"{reverse('appointments:follow_up')}?{query.urlencode()}"


@capability_required(roles.SCHEDULES)
@personal_search(FollowUpForm)
def follow_up(request):
    return _follow_up_page(request, request.search_data, request.GET)


def _follow_up_page(request, search_data, query, export_form=None):
    """The follow-up list for `search_data` (the shareable `query` with the session's personal
    criteria); `export_form`: the export's column chooser as posted, shown with its errors."""
    form = _follow_up_form(request, search_data or {})
    form.is_valid()
    data = {key: value for key, value in form.cleaned_data.items()}
    for key, default in (
        ("report", "active"),
        ("period", "day"),
        ("date", timezone.localdate()),
        ("view_type", "appointments"),
    ):
        data.setdefault(key, default)
    if not data.get("date"):
        data["date"] = timezone.localdate()
    printing = query.get("print") == "1"
    can_book = has_capability(request.user, roles.BOOK)
    columns = _columns_for(request.user)
    listed = data["view_type"] in ("appointments", "both")
    table = FollowUpTable.for_person(
        selectors.follow_up_queryset(request.user, data) if listed else [],
        columns=columns,
        can_book=can_book,
        printing=printing,
    )
    _paginate(table, as_id(query.get("page")) or 1)
    rows = [row.record for row in table.page.object_list]
    total, page, pages = table.paginator.count, table.page.number, table.paginator.num_pages
    if listed:
        # The list shows people's names and phones: each one shown leaves an access entry.
        record_list_view(instances=rows)
    availabilities = []
    if data["view_type"] in ("availabilities", "both"):
        first, last = selectors.follow_up_period(data["period"], data["date"])
        start, _end = selectors.day_bounds(first)
        _start, end = selectors.day_bounds(last)
        slots = selectors.slots_for(request.user).filter(
            starts_at__lt=end, ends_at__gt=max(start, timezone.now())
        )
        if data.get("locations"):
            slots = slots.filter(location__in=data["locations"])
        if data.get("resources"):
            slots = slots.filter(resource__in=data["resources"])
        for service in data.get("services") or selectors.services_for(request.user).filter(is_active=True):
            for slot, moment, left in selectors.open_times(
                slots, service=service, online=False, now=timezone.now()
            )[:500]:
                availabilities.append((moment, slot, service, left))
        availabilities.sort(key=lambda item: item[0])
    base = query.copy()
    base.pop("page", None)
    base.pop("print", None)
    if export_form is None:
        # The file starts with the list's columns and the confirmation number (a row's key).
        export_form = ExportColumnsForm(initial={"file_columns": [*columns, "number"]})
    first, last = selectors.follow_up_period(data["period"], data["date"])
    context = {
        # The day or period shown, with the links to the previous and next one (same filters).
        "first": first,
        "last": last,
        "by_number": bool(data.get("number")),
        "previous_url": _shifted(base, data["period"], data["date"], -1),
        "next_url": _shifted(base, data["period"], data["date"], 1),
        "today_url": _shifted(base, data["period"], timezone.localdate(), 0),
        "form": form,
        "table": table,
        "rows": rows,
        "total": total,
        "page": page,
        "pages": pages,
        "availabilities": availabilities[:500],
        "columns": columns,
        "columns_form": ColumnsForm(initial={"columns": columns}),
        "batch_actions": list(BATCH_LABELS.items()) if can_book else [],
        "can_book": can_book,
        "query": base.urlencode(),
        "shareable": base,
        "here": reverse("appointments:follow_up") + (f"?{query.urlencode()}" if query else ""),
        "export_form": export_form,
        "printing": printing,
        "data": data,
    }
    return render_page(
        request, "appointments/follow_up_print.html" if printing else "appointments/follow_up.html", context
    )


@capability_required(roles.SCHEDULES)
@require_POST
def follow_up_columns(request):
    form = ColumnsForm(request.POST)
    if form.is_valid():
        ListPreference.objects.update_or_create(
            user=request.user, defaults={"columns": form.cleaned_data["columns"]}
        )
        messages.success(request, _("Your columns were saved."))
    else:
        messages.error(request, _("Choose at least one column."))
    return redirect(safe_next(request, reverse("appointments:follow_up")))


@capability_required(roles.BOOK)
@require_POST
def follow_up_batch(request):
    """Guide 6.7–6.10: an action on the selected appointments, after a confirmation."""
    visible = selectors.bookable_appointments_for(request.user)
    ids = [value for value in (as_id(raw) for raw in request.POST.getlist("selected")) if value]
    allowed = list(visible.filter(pk__in=ids).values_list("pk", flat=True))
    # Ids outside the role's scope (another clinic, team or location) are left out silently: the
    # others are still done, and the form's "not one of the choices" error would only confuse.
    data = request.POST.copy()
    data.setlist("selected", [str(pk) for pk in allowed])
    form = BatchForm(data, choices=[(pk, pk) for pk in allowed])
    back = safe_next(request, reverse("appointments:follow_up"))
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(back)
    action = form.cleaned_data["action"]
    chosen = list(visible.filter(pk__in=form.cleaned_data["selected"]).select_related("service", "slot"))
    if request.POST.get("confirmed") != "1":
        return render_page(
            request,
            "appointments/batch_confirm.html",
            {
                "action": action,
                "title": BATCH_CONFIRMATIONS[action][0],
                "question": BATCH_CONFIRMATIONS[action][1],
                "button": BATCH_CONFIRMATIONS[action][2],
                "appointments": chosen,
                "next": back,
            },
        )
    done, refused = services.batch_action(actor=request.user, appointments=chosen, action=action)
    messages.success(
        request,
        ngettext("%(action)s: %(count)d appointment done.", "%(action)s: %(count)d appointments done.", done)
        % {"action": BATCH_LABELS[action], "count": done},
    )
    for appointment, reason in refused:
        messages.warning(request, f"{appointment.number}: {reason}")
    return redirect(back)


@capability_required(roles.SCHEDULES)
@require_POST
def follow_up_export(request):
    from portal.exports import request_export

    # The shareable filters come with the form; the personal ones from the list's session criteria
    # (portal.search), as on the list itself.
    shareable = request.POST.copy()
    for key in ("csrfmiddlewaretoken", "next", "file_columns", "choosing_columns"):
        shareable.pop(key, None)
    posted = criteria(request, "appointments:follow_up", FollowUpForm.personal_fields, base=shareable)
    filters = {
        key: posted.getlist(key) if key in ("services", "locations", "resources") else posted.get(key, "")
        for key in posted
    }
    params = {"filters": filters}
    # The page's export form says it carries the column chooser: a file of no column is refused
    # there, next to the chooser, with the list and what was ticked (nothing queued). A post
    # without it (an older page) exports every column of the list.
    if "choosing_columns" in request.POST:
        columns_form = ExportColumnsForm(request.POST)
        if not columns_form.is_valid():
            return _follow_up_page(request, posted, shareable, export_form=columns_form)
        params["columns"] = columns_form.cleaned_data["file_columns"]
    request_export(
        user=request.user,
        exporter="appointments.exports.follow_up_rows",
        # Under their own key: portal.exports adds "email" (send by email) to the params, which is
        # also the list's email search field.
        params=params,
        fmt="xlsx",
        name=_("Appointments"),
        email=True,
    )
    messages.success(request, _("The export is being prepared: the Excel file will be sent to your mailbox."))
    return redirect(safe_next(request, reverse("appointments:follow_up")))


# Statistics (Pilot) ------------------------------------------------------------------------------------------


@capability_required(roles.STATISTICS)
def statistics(request):
    form = StatisticsForm(request.GET or {})
    form.is_valid()
    today = timezone.localdate()
    first = form.cleaned_data.get("first_day") or today - timedelta(days=30)
    last = form.cleaned_data.get("last_day") or today + timedelta(days=14)
    if last < first or (last - first).days > 366:
        first, last = today - timedelta(days=30), today + timedelta(days=14)
    data = statistics_data(organization_of(request), first, last)
    peak = max([row["bookings"] for row in data["by_day"]] + [1])
    for row in data["by_day"]:
        row["percent"] = round(100 * row["bookings"] / peak)
    return render_page(
        request,
        "appointments/statistics.html",
        {
            "form": form,
            "data": data,
            "first": first,
            "last": last,
            "measures": [(key, stat_labels()[key]) for key in STAT_MEASURES],
            "totals": [
                (key, stat_labels()[key], value)
                for key, value in zip(STAT_MEASURES, data["total_figures"], strict=True)
            ],
            "query": request.GET.urlencode(),
        },
    )


@capability_required(roles.STATISTICS)
@require_POST
def statistics_export(request):
    from portal.exports import request_export

    back = safe_next(request, reverse("appointments:statistics"))
    form = StatisticsForm(request.POST)
    if not form.is_valid():
        # Checked here, not in the worker: a period the exporter refuses would fail there unseen.
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
        return redirect(back)
    request_export(
        user=request.user,
        exporter="appointments.exports.statistics_rows",
        params={"first_day": request.POST.get("first_day", ""), "last_day": request.POST.get("last_day", "")},
        fmt="xlsx",
        name=_("Appointment statistics"),
        email=True,
    )
    messages.success(request, _("The export is being prepared: the Excel file will be sent to your mailbox."))
    return redirect(back)
