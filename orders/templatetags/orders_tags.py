from decimal import Decimal

from django import template
from django.utils import formats

register = template.Library()


def amount(value, grouping=True):
    """37.50 → "37,5" in French, "37.5" in English; 40.00 → "40"; 1123.5 → "1 123,5" (grouped)."""
    if value is None or value == "":
        return ""
    number = Decimal(value).normalize()
    return formats.number_format(number, force_grouping=grouping)


@register.filter(name="amount")
def amount_filter(value):
    return amount(value)
