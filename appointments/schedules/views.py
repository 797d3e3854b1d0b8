"""Schedules (Management): the calendar, slots, day locks and cloning a typical day."""

from datetime import datetime, time, timedelta

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from appointments import roles, selectors
from appointments.models import HOLDING_STATUSES
from appointments.pages import organization_of, render_page
from appointments.schedules import services
from appointments.schedules.forms import CalendarForm, CloneForm, SlotForm, parse_day
from portal import dates
from portal.formviews import act, submit
from portal.params import as_id, safe_next
from portal.permissions import capability_required, has_capability

# The name booking.views imported before it was public (schedules.forms.parse_day).
_parse_day = parse_day

# Schedules -----------------------------------------------------------------------------------------


def _week_start(day):
    return day - timedelta(days=day.weekday())


def _period(view, day):
    if view == "day":
        return [day]
    if view == "week":
        start = _week_start(day)
        return [start + timedelta(days=offset) for offset in range(7)]
    first, last = dates.month_start(day), dates.month_end(day)
    start, end = _week_start(first), last + timedelta(days=6 - last.weekday())
    return [start + timedelta(days=offset) for offset in range((end - start).days + 1)]


def _shift(view, day, direction):
    if view == "day":
        return day + timedelta(days=direction)
    if view == "week":
        return day + timedelta(days=7 * direction)
    return dates.add_months(day, direction)


def _lock_state(slots):
    """Green (every slot open online), red (every slot locked) or orange (both), as in guide 3.5."""
    if not slots:
        return None
    locked = sum(1 for slot in slots if slot.is_locked)
    if locked == 0:
        return "open"
    return "locked" if locked == len(slots) else "mixed"


@capability_required(roles.SCHEDULES)
def calendar(request):
    user = request.user
    locations = selectors.locations_for(user).filter(is_active=True)
    form = CalendarForm(
        request.GET or None,
        locations=locations,
        services=selectors.services_for(user),
        resources=selectors.resources_for(user),
    )
    if form.is_bound and form.is_valid():
        filters = form.cleaned_data
    else:
        filters = CalendarForm(
            {},
            locations=locations,
            services=selectors.services_for(user),
            resources=selectors.resources_for(user),
        )
        filters.is_valid()
        filters = filters.cleaned_data
        if not form.is_bound:
            form = CalendarForm(
                initial={
                    "view": "week",
                    "display": "grid",
                    "date": filters["date"],
                    "grid": 15,
                    "first_hour": 7,
                    "last_hour": 21,
                },
                locations=locations,
                services=selectors.services_for(user),
                resources=selectors.resources_for(user),
            )
    location = filters.get("location") or locations.first()
    view, day = filters["view"], filters["date"]
    days = _period(view, day)
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(days[0], time(0, 0)), tz)
    end = timezone.make_aware(datetime.combine(days[-1] + timedelta(days=1), time(0, 0)), tz)
    slots = []
    if location is not None:
        slots = selectors.calendar_slots(
            user,
            location_ids=[location.pk],
            start=start,
            end=end,
            service_ids=[service.pk for service in filters.get("services") or []],
            resource_ids=[resource.pk for resource in filters.get("resources") or []],
        )
    for slot in slots:
        slot.local_start = timezone.localtime(slot.starts_at, tz)
        slot.local_end = timezone.localtime(slot.ends_at, tz)
        slot.remaining = max(slot.capacity - slot.booked, 0)
        slot.service_names = ", ".join(service.name for service in slot.service_list)
    by_day = {one_day: [] for one_day in days}
    for slot in slots:
        by_day.setdefault(slot.local_start.date(), []).append(slot)
    day_columns = [
        {
            "day": one_day,
            "slots": by_day.get(one_day, []),
            "lock": _lock_state(by_day.get(one_day, [])),
            "capacity": sum(slot.capacity for slot in by_day.get(one_day, [])),
            "remaining": sum(slot.remaining for slot in by_day.get(one_day, [])),
            "in_month": one_day.month == day.month,
        }
        for one_day in days
    ]
    context = {
        "form": form,
        "location": location,
        "view": view,
        "display": filters["display"],
        "day": day,
        "days": day_columns,
        "slots": slots,
        "today": timezone.localdate(),
    }
    base = request.GET.copy()
    for name, direction in (("previous_url", -1), ("next_url", 1)):
        base["date"] = _shift(view, day, direction).isoformat()
        context[name] = f"?{base.urlencode()}"
    base["date"] = timezone.localdate().isoformat()
    context["today_url"] = f"?{base.urlencode()}"
    context["query"] = request.GET.urlencode()
    if view == "month":
        context["weeks"] = [day_columns[index : index + 7] for index in range(0, len(day_columns), 7)]
    elif filters["display"] == "grid":
        columns = day_columns
        if view == "day":
            # Day view: one column per team resource (guide 2.3).
            context["teams"] = _teams_of(slots)
            columns = [{"slots": [s for s in slots if s.resource_id == team.pk]} for team in context["teams"]]
        context["rows"] = _grid_rows(columns, filters, _booked_by_time(user, slots))
    return render_page(request, "appointments/calendar.html", context)


def _teams_of(slots):
    teams = {}
    for slot in slots:
        teams.setdefault(slot.resource_id, slot.resource)
    return sorted(teams.values(), key=lambda team: (team.position, team.name))


def _minutes(moment, day):
    """Minutes from the start of `day` to `moment` (local): 24:00 for a slot ending at midnight."""
    return (moment.date() - day).days * 24 * 60 + moment.hour * 60 + moment.minute


def _booked_by_time(user, slots):
    """{slot id: [local start of each appointment holding a place]}, in one query for the page."""
    booked = {}
    if slots:
        holding = (
            selectors.appointments_for(user)
            .filter(slot__in=[slot.pk for slot in slots], status__in=HOLDING_STATUSES)
            .values_list("slot_id", "starts_at")
        )
        for slot_id, moment in holding.order_by():
            booked.setdefault(slot_id, []).append(timezone.localtime(moment))
    return booked


def _grid_rows(columns, filters, booked=None):
    """Rows of the day and week grids: one per grid step. A slot is drawn over its whole time span:
    the cell of its start row holds its link, each later row it covers a continuation in its team's
    colour; every row says how many appointments are booked in the slot at that time.

    Slots before or after the period shown get a row of their own: the period filter hides nothing.
    """
    booked = booked or {}
    step = filters["grid"]
    first, last = filters["first_hour"] * 60, filters["last_hour"] * 60
    count = (last - first + step - 1) // step
    early, late = [[] for _column in columns], [[] for _column in columns]
    grid = [[[] for _column in columns] for _row in range(count)]
    for index, column in enumerate(columns):
        for slot in column["slots"]:
            day = slot.local_start.date()
            minute = _minutes(slot.local_start, day)
            ends = _minutes(slot.local_end, day)
            times = [_minutes(moment, day) for moment in booked.get(slot.pk, [])]

            def entry(start, begins, end, slot=slot, times=times):
                return {"slot": slot, "start": start, "booked": sum(1 for t in times if begins <= t < end)}

            if minute < first:
                early[index].append(entry(True, minute, first))
            elif minute >= last:
                late[index].append(entry(True, minute, ends))
            else:
                row = (minute - first) // step
                grid[row][index].append(entry(True, minute, first + (row + 1) * step))
            # The rows after its start row that the slot still covers, within the grid.
            row = max((minute - first) // step + 1, 0)
            while row < count and first + row * step < ends:
                begins = first + row * step
                grid[row][index].append(entry(False, begins, begins + step))
                row += 1
    rows = [
        {"label": f"{(first + row * step) // 60:02d}:{(first + row * step) % 60:02d}", "cells": cells}
        for row, cells in enumerate(grid)
    ]
    if any(early):
        rows.insert(
            0, {"label": _("Before %(time)s") % {"time": f"{filters['first_hour']:02d}:00"}, "cells": early}
        )
    if any(late):
        rows.append(
            {"label": _("From %(time)s") % {"time": f"{filters['last_hour'] % 24:02d}:00"}, "cells": late}
        )
    return rows


def _slot_form_choices(request, location):
    user = request.user
    resources = selectors.resources_for(user).filter(is_active=True, locations=location)
    services_qs = selectors.services_for(user).filter(is_active=True, resources__in=resources).distinct()
    return resources, services_qs


def _calendar_url(location, day, query=""):
    params = {"location": location.pk, "date": day.isoformat()}
    return f"{reverse('appointments:calendar')}?{query or urlencode(params)}"


@capability_required(roles.EDIT_SCHEDULES)
@require_http_methods(["GET", "POST"])
def slot_create(request):
    location_id = as_id(request.GET.get("location") or request.POST.get("location"))
    location = selectors.get_location(request.user, location_id) if location_id else None
    if location is None:
        location = selectors.locations_for(request.user).filter(is_active=True).first()
        if location is None:
            messages.error(request, _("Create a location first (Configuration)."))
            return redirect("appointments:calendar")
    resources, services_qs = _slot_form_choices(request, location)
    if not has_capability(request.user, roles.MANAGE_ALL):
        resources = resources.filter(members=request.user)
    initial_day = parse_day(request.GET.get("date")) or timezone.localdate()
    form = SlotForm(
        request.POST or None,
        initial={"date": initial_day, "start": time(9, 0), "end": time(12, 0), "per_interval": 1},
        resources=resources,
        services=services_qs,
    )
    done = submit(
        request,
        form,
        lambda data: services.create_slot(
            actor=request.user, organization=organization_of(request), location=location, **_slot_rules(data)
        ),
        success=lambda slot: (
            ngettext(
                "The slot was created: %(count)d appointment.",
                "The slot was created: %(count)d appointments.",
                slot.capacity,
            )
            % {"count": slot.capacity}
        ),
        next=lambda slot: _calendar_url(location, form.cleaned_data["date"]),
    )
    return done or render_page(
        request,
        "appointments/slot_form.html",
        {"form": form, "location": location, "slot": None, "durations": _durations(services_qs)},
    )


def _slot_rules(data):
    """The slot form's values as the slot services take them."""
    keys = ("resource", "services", "starts_at", "ends_at", "per_interval", "is_locked")
    return {key: data[key] for key in keys}


def _durations(services_qs):
    return {str(service.pk): service.duration_minutes for service in services_qs}


@capability_required(roles.SCHEDULES)
@require_http_methods(["GET", "POST"])
def slot_edit(request, pk):
    slot = selectors.get_slot(request.user, pk)
    can_edit = selectors.editable_slots_for(request.user).filter(pk=slot.pk).exists()
    local_start = timezone.localtime(slot.starts_at)
    local_end = timezone.localtime(slot.ends_at)
    resources, services_qs = _slot_form_choices(request, slot.location)
    if not has_capability(request.user, roles.MANAGE_ALL):
        resources = resources.filter(members=request.user)
    form = SlotForm(
        request.POST or None,
        initial={
            "date": local_start.date(),
            "start": local_start.time(),
            "end": local_end.time(),
            "resource": slot.resource,
            "services": list(slot.services.all()),
            "per_interval": slot.per_interval,
            "is_locked": slot.is_locked,
        },
        resources=resources,
        services=services_qs,
    )
    if request.method == "POST" and not can_edit:
        messages.error(request, _("Your role lets you see this slot, not change it."))
        return redirect("appointments:slot", pk=slot.pk)
    done = submit(
        request,
        form,
        lambda data: services.update_slot(slot=slot, **_slot_rules(data)),
        success=_("The slot was saved."),
        next=lambda saved: _calendar_url(slot.location, form.cleaned_data["date"]),
    )
    if done:
        return done
    slot.remaining = max(slot.capacity - slot.booked, 0)
    # Guide 4.7: the appointments booked in the slot, each opening its details.
    booked = (
        selectors.appointments_for(request.user)
        .filter(slot=slot)
        .select_related("service")
        .order_by("starts_at", "last_name")
    )
    return render_page(
        request,
        "appointments/slot_form.html",
        {
            "form": form,
            "location": slot.location,
            "slot": slot,
            "can_edit": can_edit,
            "durations": _durations(services_qs),
            "now": timezone.now(),
            "booked_appointments": booked,
        },
    )


@capability_required(roles.EDIT_SCHEDULES)
@require_POST
def slot_delete(request, pk):
    slot = selectors.get_editable_slot(request.user, pk)
    day = timezone.localtime(slot.starts_at).date()
    if request.POST.get("confirmed") != "1":
        # Deleting cannot be undone: the slot's page button asks first (without JavaScript too).
        return render_page(request, "appointments/slot_delete_confirm.html", {"slot": slot})
    return act(
        request,
        lambda: services.delete_slot(slot=slot),
        success=_("The slot was deleted."),
        next=_calendar_url(slot.location, day),
        refused=reverse("appointments:slot", kwargs={"pk": slot.pk}),
    )


@capability_required(roles.EDIT_SCHEDULES)
@require_POST
def slot_lock(request, pk):
    slot = selectors.get_editable_slot(request.user, pk)
    locked = request.POST.get("locked") == "1"
    return act(
        request,
        lambda: services.set_slot_lock(slot=slot, locked=locked),
        success=_("The slot is locked: staff only.") if locked else _("The slot is open online."),
        next=safe_next(request, _calendar_url(slot.location, timezone.localtime(slot.starts_at).date())),
    )


@capability_required(roles.EDIT_SCHEDULES)
@require_POST
def day_lock(request):
    location_id = as_id(request.POST.get("location"))
    day = parse_day(request.POST.get("date"))
    if location_id is None or day is None:
        raise Http404
    location = selectors.get_location(request.user, location_id)
    locked = request.POST.get("locked") == "1"
    start, end = selectors.day_bounds(day)
    slots = selectors.editable_slots_for(request.user).filter(
        location=location, starts_at__gte=start, starts_at__lt=end
    )

    def lock_day():
        count = services.set_day_lock(slots=slots, locked=locked)
        # A queryset update saves no slot: the public times of the day are retired here.
        selectors.forget_availability(location_id=location.pk, days=[day])
        return count

    return act(
        request,
        lock_day,
        success=lambda count: (
            (
                _("%(count)d slots of the day were locked.")
                if locked
                else _("%(count)d slots of the day were opened online.")
            )
            % {"count": count}
        ),
        next=safe_next(request, _calendar_url(location, day)),
    )


def _cloned_message(count, days):
    """The clone's message, each number agreeing with its word ("1 plage horaire créée sur 1 journée")."""
    on_days = ngettext("%(days)d day", "%(days)d days", days) % {"days": days}
    return ngettext(
        "%(count)d slot was created on %(on_days)s.", "%(count)d slots were created on %(on_days)s.", count
    ) % {"count": count, "on_days": on_days}


@capability_required(roles.EDIT_SCHEDULES)
@require_http_methods(["GET", "POST"])
def clone(request):
    locations = selectors.locations_for(request.user).filter(is_active=True)
    initial_location = as_id(request.GET.get("location"))
    initial_day = parse_day(request.GET.get("date")) or timezone.localdate()
    form = CloneForm(
        request.POST or None,
        initial={
            "location": initial_location,
            "source_day": initial_day,
            "first_day": max(initial_day + timedelta(days=1), timezone.localdate()),
            "last_day": max(initial_day, timezone.localdate()) + timedelta(days=7),
        },
        locations=locations,
    )

    def clone_day(data):
        start, end = selectors.day_bounds(data["source_day"])
        source = selectors.editable_slots_for(request.user).filter(
            location=data["location"], starts_at__gte=start, starts_at__lt=end
        )
        count = services.clone_day(
            actor=request.user,
            organization=organization_of(request),
            source_slots=source,
            source_day=data["source_day"],
            target_days=data["target_days"],
        )
        # Slots created in bulk send no save signal: the public times of those days are retired here.
        selectors.forget_availability(location_id=data["location"].pk, days=data["target_days"])
        return count

    done = submit(
        request,
        form,
        clone_day,
        success=lambda count: _cloned_message(count, len(form.cleaned_data["target_days"])),
        next=lambda count: _calendar_url(form.cleaned_data["location"], form.cleaned_data["target_days"][0]),
    )
    if done:
        return done
    source_slots = []
    # The typical day's slots, shown for reference (guide 3.3: "copied in the left column").
    preview_location = as_id(form.data.get("location")) if form.is_bound else initial_location
    preview_day = parse_day(form.data.get("source_day")) if form.is_bound else initial_day
    if preview_location and preview_day:
        start, end = selectors.day_bounds(preview_day)
        source_slots = list(
            selectors.with_booked(
                selectors.slots_for(request.user).filter(
                    location_id=preview_location, starts_at__gte=start, starts_at__lt=end
                )
            ).order_by("starts_at")
        )
        for slot in source_slots:
            slot.remaining = max(slot.capacity - slot.booked, 0)
    return render_page(request, "appointments/clone.html", {"form": form, "source_slots": source_slots})
