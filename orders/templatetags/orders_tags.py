from decimal import Decimal

from django import template
from django.utils import formats
from django.utils.translation import pgettext

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


# French elides "de" before a vowel: "Services d'octobre 2026", "Services de novembre 2026".
VOWELS = "aàâeéèêiîoôuûy"


def of_month(month):
    """The month with its preposition: "for October 2026"; in French "d'octobre 2026", "de mai 2026"."""
    name = formats.date_format(month, "F Y")
    if name[:1].lower() in VOWELS:
        return pgettext("services of a month whose name starts with a vowel", "for %(month)s") % {"month": name}
    return pgettext("services of a month", "for %(month)s") % {"month": name}


@register.filter(name="of_month")
def of_month_filter(month):
    return of_month(month)
