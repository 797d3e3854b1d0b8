"""Form fields that tell assistive technology about their help text and errors."""

from django import template

register = template.Library()


@register.simple_tag
def field_describedby(field):
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}_help")
    if field.errors:
        ids.append(f"{field.auto_id}_errors")
    return " ".join(ids)


@register.simple_tag
def field_widget(field):
    attrs = {}
    describedby = field_describedby(field)
    if describedby:
        attrs["aria-describedby"] = describedby
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.filter
def label_colon(label):
    """The language's colon after a field's name in the error summary ("Rôle :", "Role:"), none
    after a name that already ends a sentence ("…given here.", "Which one?", "Date:")."""
    from django.utils.translation import gettext

    text = str(label or "").rstrip()
    if not text or text[-1] in ".?!:…":
        return ""
    return gettext(":")


@register.filter
def error_anchor(field):
    """The id the error summary links to: the box itself, or the first choice of radio buttons and
    checkbox lists (their group has no element with the field's own id)."""
    widget = field.field.widget
    if getattr(widget, "input_type", None) in ("radio", "checkbox") and hasattr(widget, "choices"):
        subwidgets = field.subwidgets
        if subwidgets:
            return subwidgets[0].id_for_label
    return field.id_for_label or field.auto_id
