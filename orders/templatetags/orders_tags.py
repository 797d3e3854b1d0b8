from decimal import Decimal

from django import template
from django.utils import formats
from django.utils.translation import gettext, ngettext, pgettext

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


# The provider's home page: offers awaiting an answer, with their age --------------------------

HOME_OFFERS_LIMIT = 10


def offer_age_text(days):
    """ "today", "1 working day ago", "3 working days ago" (French: "il y a 3 jours ouvrables")."""
    if days == 0:
        return gettext("offered today")
    return ngettext("%(count)s working day ago", "%(count)s working days ago", days) % {"count": days}


@register.simple_tag(takes_context=True)
def awaiting_offers(context):
    """The active organization's offers awaiting an answer, oldest first, with their age, and the
    counts of its home-page tiles (all of them; late: unanswered for the reminder's working days).
    One query whatever their number."""
    from orders import selectors
    from orders.offers import services as offer_services

    user = context["request"].user
    offered = list(selectors.requests_tab(user, "offered").order_by("sent_at", "pk"))
    after = offer_services.reminder_working_days()
    ages = [offer_services.offer_age(summary) for summary in offered]
    listed = zip(offered[:HOME_OFFERS_LIMIT], ages[:HOME_OFFERS_LIMIT], strict=True)
    return {
        "offers": [
            {"summary": summary, "age": offer_age_text(age), "late": age >= after} for summary, age in listed
        ],
        "count": len(ages),
        "late": sum(1 for age in ages if age >= after),
        "after": after,
    }
