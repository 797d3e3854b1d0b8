"""The schedule's slot links, built in Python: a week can hold thousands of slots, and an
{% include %} per slot would dominate the page's time."""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext, pgettext

from portal.templatetags.portal_icons import icon

register = template.Library()


@register.simple_tag
def slot_link(slot):
    # reverse() once per page: the slot URLs differ only by their id.
    url = reverse("appointments:slot", args=[0])[: -len("0/")] + f"{slot.pk}/"
    times = f"{slot.local_start:%H:%M}–{slot.local_end:%H:%M}"
    # Places, counted by what remains ("1/24 place restante", "24/24 places restantes").
    left = ngettext(
        "%(remaining)s/%(capacity)s place left", "%(remaining)s/%(capacity)s places left", slot.remaining
    ) % {
        "remaining": slot.remaining,
        "capacity": slot.capacity,
    }
    if slot.is_locked:
        lock = format_html("{} {}", icon("lock"), gettext("staff only"))
    else:
        lock = format_html(
            '{}<span class="visually-hidden">{}</span>',
            icon("unlock"),
            gettext("open online"),
        )
    return format_html(
        '<a class="slot slot--{}" style="border-left-color: {}" href="{}" title="{} · {} · {}">'
        '<span class="slot__time">{}</span> <span class="slot__team">{}</span> '
        '<span class="slot__left">{}</span> <span class="slot__lock">{}</span> '
        '<span class="slot__services">{}</span></a>',
        "locked" if slot.is_locked else "open",
        slot.resource.colour,
        url,
        times,
        slot.resource.name,
        slot.service_names,
        times,
        slot.resource.name,
        left,
        lock,
        slot.service_names,
    )


@register.simple_tag
def slot_row(slot):
    url = reverse("appointments:slot", args=[0])[: -len("0/")] + f"{slot.pk}/"
    if slot.is_locked:
        online = format_html("{} {}", icon("lock"), gettext("Staff only"))
    else:
        online = format_html("{} {}", icon("unlock"), pgettext("slot", "Open"))
    return format_html(
        '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>'
        "<td>{}/{}</td><td>{}</td></tr>",
        url,
        f"{slot.local_start:%H:%M}–{slot.local_end:%H:%M}",
        slot.resource.name,
        slot.service_names,
        slot.per_interval,
        slot.booked,
        slot.remaining,
        slot.capacity,
        online,
    )
