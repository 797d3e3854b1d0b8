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


@register.filter
def region_label(table):
    """The name of a table's scrolling region (portal/table.html): `table_label` where the page
    renders it ({% with table_label=_("…") %}{% render_table … %}), so that two tables of one page
    are two distinct regions (axe landmark-unique), else the table's verbose name, else "Results"."""
    from django.utils.translation import gettext

    context = getattr(table, "context", None)
    label = context.get("table_label") if context is not None else None
    return label or getattr(table, "verbose_name", "") or gettext("Results")
