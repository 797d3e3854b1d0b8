"""The waiting room in front of public booking (portal.waiting_room), and the pilot's page for it.

`public_line` decorates the booking steps (search, eligibility, times, details): until a visitor
is admitted they see "You are in line: position N, about M minutes" at the address they asked for,
which refreshes itself and lets them through in their turn. The public page, the confirmation,
cancellation and the person's link are never behind the line.
"""

from django import forms
from django.core.cache import cache
from django.db import DatabaseError
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from appointments import roles
from appointments.models import ClinicSettings
from appointments.pages import organization_of, render_page
from portal import waiting_room
from portal.formviews import submit
from portal.models import WaitingRoom
from portal.permissions import capability_required

NAME_SECONDS = 60


def _names(organization_id):
    """The clinic's public name (French, English), cached: the line page reads no table when busy."""
    key = f"waiting_room:name:{organization_id}"
    names = cache.get(key)
    if names is None:
        try:
            row = (
                ClinicSettings.objects.for_organization(organization_id)
                .values_list(
                    "public_name_fr", "public_name_en", "organization__name_fr", "organization__name_en"
                )
                .first()
            )
        except DatabaseError:
            row = None
        names = (row[0] or row[2] or "", row[1] or row[3] or row[2] or "") if row else ("", "")
        cache.set(key, names, NAME_SECONDS)
    return names


def _line_context(organization_id):
    french, english = _names(organization_id)
    return {"public_name": french if get_language() == "fr" else english}


def _cookie_path(organization_id):
    # The clinic's public pages only (…/public/<id>/): the ticket is not sent anywhere else.
    return reverse("appointments:public_page", args=[organization_id])


public_line = waiting_room.line_for(
    "appointments/waiting_room.html", context=_line_context, cookie_path=_cookie_path
)


# The pilot's page ---------------------------------------------------------------------------------


class WaitingRoomForm(forms.ModelForm):
    class Meta:
        model = WaitingRoom
        fields = ["is_on", "per_minute"]
        labels = {
            "is_on": gettext_lazy("Turn the waiting room on"),
            "per_minute": gettext_lazy("Visitors admitted per minute"),
        }
        help_texts = {
            "is_on": gettext_lazy(
                "When more people arrive than this rate, newcomers wait in line and are let in by order "
                "of arrival. People already booking are never sent back to the line."
            ),
            "per_minute": gettext_lazy(
                "How many new visitors may start booking each minute (from 1 to 100,000)."
            ),
        }


def _room(organization):
    return WaitingRoom.objects.for_organization(organization).first() or WaitingRoom(
        organization=organization
    )


@capability_required(roles.CONFIGURE)
@require_http_methods(["GET", "POST"])
def waiting_room_settings(request):
    organization = organization_of(request)
    room = _room(organization)
    form = WaitingRoomForm(request.POST or None, instance=room)
    done = submit(
        request,
        form,
        lambda data: waiting_room.configure(organization=organization, **data),
        success=lambda saved: (
            _("The waiting room is on: %(rate)s visitors a minute are let in.") % {"rate": saved.per_minute}
            if saved.is_on
            else _("The waiting room is off: every visitor goes straight to booking.")
        ),
        next="appointments:waiting_room_settings",
    )
    return done or render_page(
        request,
        "appointments/waiting_room_settings.html",
        {"form": form, "room": room, "length": waiting_room.length(organization.pk)},
    )


@capability_required(roles.CONFIGURE)
def waiting_room_preview(request):
    """What a visitor in line sees (position 3, about 1 minute), without being in line."""
    organization = organization_of(request)
    return render(
        request,
        "appointments/waiting_room.html",
        {
            **_line_context(organization.pk),
            "organization_id": organization.pk,
            "line": waiting_room.Visit(admitted=False, position=3, minutes=1, refresh=30),
            "preview": True,
        },
    )
