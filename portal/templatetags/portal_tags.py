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


# Fragments that are the same for every visitor (issue 16: the public booking pages' header, steps
# and help menu cost more to render than the booking itself) -----------------------------------------

_FRAGMENTS: dict[tuple, str] = {}
_FRAGMENTS_MAX = 2048


class MemoNode(template.Node):
    def __init__(self, name, keys, nodelist):
        self.name, self.keys, self.nodelist = name, keys, nodelist

    def render(self, context):
        from django.urls import get_script_prefix
        from django.utils.translation import get_language

        # The active language and the URL prefix are part of every key: a fragment holds
        # translated text and reversed addresses.
        values = [key.resolve(context, ignore_failures=True) for key in self.keys]
        if any(value is None for value in values):
            # A value the page does not have: rendered as usual, not kept.
            return self.nodelist.render(context)
        key = (self.name, get_language(), get_script_prefix(), *map(str, values))
        html = _FRAGMENTS.get(key)
        if html is None:
            if len(_FRAGMENTS) >= _FRAGMENTS_MAX:
                _FRAGMENTS.clear()
            html = _FRAGMENTS[key] = self.nodelist.render(context)
        return html


@register.tag
def memo(parser, token):
    """{% memo "name" value … %}…{% endmemo %}: the block rendered once per process for each set of
    values (and the active language, and the URL prefix), then reused; when a value is missing
    (None) the block is rendered and not kept. The block must depend on nothing but those values: no
    {% csrf_token %}, no request path, no user, no message."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("memo needs a fragment name")
    nodelist = parser.parse(("endmemo",))
    parser.delete_first_token()
    return MemoNode(bits[1], [parser.compile_filter(bit) for bit in bits[2:]], nodelist)
