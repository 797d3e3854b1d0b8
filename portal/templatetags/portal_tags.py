from datetime import date, datetime

from django import template

register = template.Library()


@register.filter
def isodate(value):
    """A date or datetime from its ISO text (message contexts carry JSON, not Python dates)."""
    if not value or isinstance(value, date):
        return value
    try:
        return datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    except (TypeError, ValueError):
        return value
