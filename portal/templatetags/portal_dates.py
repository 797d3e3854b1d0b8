"""Dates as people read them, in the active language (portal.dates): "1er décembre 2026".

    {{ day|day_month }}              1er décembre / 1 December
    {{ day|day_month:"weekday" }}    mardi 1er décembre / Tuesday 1 December
    {{ day|day_month:"short" }}      mar. 1er déc. / Tue 1 Dec.
    {{ day|long_date }}              1er décembre 2026 / 1 December 2026
    {{ day|long_date:"weekday" }}    mardi 1er décembre 2026
    {{ moment|moment }}              1er déc. 2026, 14:05 / 1 Dec. 2026, 14:05 (local time)

A value that is not a date (None, "") gives "", so `|default:"—"` still works after them.
"""

from django import template

from portal import dates

register = template.Library()


def _options(arg):
    words = {word.strip() for word in (arg or "").split(",")}
    return {"weekday": "weekday" in words, "short": "short" in words}


@register.filter
def day_month(value, arg=""):
    return dates.day_month(value, **_options(arg))


@register.filter
def long_date(value, arg=""):
    return dates.long_date(value, **_options(arg))


@register.filter
def moment(value):
    return dates.moment(value)
