"""A coordinator's calendar of one interpreter (issue 19, beyond the guides): a day or a week of
their assignments (request number, time span, modality, establishment; nothing of the patient) and
their absences, in local time.

Days are local days (portal.dates.day_bounds: a DST day is 23 or 25 hours long); an assignment or
an absence that crosses midnight is shown on every day it covers, with the date of the end that is
not on that day. Three reads whatever the number of rows: the interpreter, the period's requests,
the period's absences (and the weekly hours, prefetched with the interpreter).
"""

from datetime import date, timedelta

from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from interpreters import roles, selectors
from portal import dates
from portal.permissions import capability_required

VIEWS = ("week", "day")


def _day(value):
    """The day asked for in the address (YYYY-MM-DD), or today for anything else (a year the
    previous or next period could not reach, 0001 or 9999, included)."""
    try:
        day = date.fromisoformat(value or "")
    except ValueError:
        return timezone.localdate()
    return day if 1900 <= day.year <= 2999 else timezone.localdate()


def _label(moment, day):
    """A local time ("23:00"), with its short date when it is not on `day` ("sam. 13 mars 23:00")."""
    if moment.date() == day:
        return f"{moment:%H:%M}"
    return f"{dates.day_month(moment.date(), weekday=True, short=True)} {moment:%H:%M}"


def _entries(day, assignments, absences):
    """What the interpreter has on one local day, in start order (absences first at equal times)."""
    start, end = dates.day_bounds(day)
    rows = []
    for kind, items in (("absence", absences), ("assignment", assignments)):
        for item in items:
            if item.starts_at < end and item.ends_at > start:
                local_start, local_end = timezone.localtime(item.starts_at), timezone.localtime(item.ends_at)
                rows.append(
                    {
                        "kind": kind,
                        "item": item,
                        "start": _label(local_start, day),
                        "end": _label(local_end, day),
                        "sort": (item.starts_at, kind == "assignment", item.pk),
                    }
                )
    rows.sort(key=lambda row: row["sort"])
    return rows


@capability_required(roles.ASSIGN)
@require_GET
def interpreter_calendar(request, pk):
    interpreter = get_object_or_404(
        selectors.bank_interpreters(request.user).prefetch_related("availabilities"),
        pk=pk,
    )
    view = request.GET.get("view") if request.GET.get("view") in VIEWS else "week"
    day = _day(request.GET.get("date"))
    first = day - timedelta(days=day.weekday()) if view == "week" else day
    days = [first + timedelta(days=offset) for offset in range(7 if view == "week" else 1)]
    assignments, absences = selectors.interpreter_calendar(
        interpreter, dates.day_bounds(days[0])[0], dates.day_bounds(days[-1])[1]
    )
    windows = list(interpreter.availabilities.all())
    step = timedelta(days=7 if view == "week" else 1)
    base = reverse("interpreters:interpreter_calendar", args=[interpreter.pk])

    def link(target_view, target_day):
        return f"{base}?{urlencode({'view': target_view, 'date': target_day.isoformat()})}"

    today = timezone.localdate()
    columns = [
        {
            "day": one_day,
            "is_today": one_day == today,
            "url": link("day", one_day),
            "entries": _entries(one_day, assignments, absences),
            "hours": ", ".join(
                f"{window.start_time:%H:%M}–{window.end_time:%H:%M}"
                for window in windows
                if window.weekday == one_day.weekday()
            ),
        }
        for one_day in days
    ]
    return render(
        request,
        "interpreters/interpreter_calendar.html",
        {
            "interpreter": interpreter,
            "view": view,
            "day": day,
            "days": columns,
            "has_hours": bool(windows),
            "previous_url": link(view, day - step),
            "next_url": link(view, day + step),
            "today_url": link(view, today),
            "day_url": link("day", day),
            "week_url": link("week", day),
        },
    )
