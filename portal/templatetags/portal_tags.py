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


@register.filter
def in_language(values, language):
    """The text for this language from a {"fr": ..., "en": ...} mapping (message contexts)."""
    if not isinstance(values, dict):
        return values
    return values.get(language) or next(iter(values.values()), "")
