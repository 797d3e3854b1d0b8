"""Reads that depend on who asks: scoped to the active clinic network, its locations and teams.

A membership may narrow its role to some locations (`scope = {"locations": [ids]}`); Management #3
and Consultation #2 see only the teams they belong to. Anything outside answers 404.
"""

from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404

from appointments import roles
from appointments.models import (
    HOLDING_STATUSES,
    ClinicSettings,
    CommunicationRule,
    Location,
    Service,
    Slot,
    TeamResource,
)
from portal.models import Membership, User
from portal.permissions import has_capability
from portal.selectors import active_membership, active_organization


def _organization_id(user):
    organization = active_organization(user)
    return organization.pk if organization else None


def location_scope(user):
    """The location ids the active role is limited to, or None for all the application's locations."""
    membership = active_membership(user)
    if membership is None:
        return None
    ids = (membership.scope or {}).get("locations")
    if not ids:
        return None
    return [value for value in ids if isinstance(value, int)]


def sees_all_teams(user):
    return has_capability(user, roles.MANAGE_ALL) or has_capability(user, roles.VIEW_ALL)


# Configuration (Pilot) ------------------------------------------------------------------------


def clinic_settings(organization):
    """The application's settings, or unsaved defaults (services.save_* create the row)."""
    return ClinicSettings.objects.filter(organization=organization).first() or ClinicSettings(
        organization=organization
    )


def services_for(user):
    return Service.objects.filter(organization_id=_organization_id(user))


def get_service(user, pk):
    return get_object_or_404(services_for(user).prefetch_related("questions"), pk=pk)


def locations_for(user):
    queryset = Location.objects.filter(organization_id=_organization_id(user))
    scope = location_scope(user)
    return queryset if scope is None else queryset.filter(pk__in=scope)


def get_location(user, pk):
    return get_object_or_404(locations_for(user), pk=pk)


def resources_for(user):
    queryset = TeamResource.objects.filter(organization_id=_organization_id(user))
    if not sees_all_teams(user) and not has_capability(user, roles.CONFIGURE):
        queryset = queryset.filter(members=user)
    return queryset


def get_resource(user, pk):
    return get_object_or_404(resources_for(user), pk=pk)


def resources_with_associations(user):
    return resources_for(user).prefetch_related("locations", "services", "members")


def access_accounts(organization):
    """The people with a role in the application, each with their memberships there (one query each)."""
    memberships = Membership.objects.filter(organization=organization).order_by("valid_from", "pk")
    return (
        User.objects.filter(memberships__organization=organization)
        .distinct()
        .prefetch_related(Prefetch("memberships", queryset=memberships, to_attr="clinic_memberships"))
        .order_by("last_name", "first_name", "email")
    )


def get_access_account(user, pk):
    organization = active_organization(user)
    return get_object_or_404(access_accounts(organization), pk=pk)


def get_account_membership(user, pk):
    return get_object_or_404(
        Membership.objects.filter(
            organization_id=_organization_id(user), role__in=roles.ROLE_CODES
        ).select_related("user"),
        pk=pk,
    )


def communication_rules(organization):
    return {rule.kind: rule for rule in CommunicationRule.objects.filter(organization=organization)}


# Schedules ------------------------------------------------------------------------------------


def slots_for(user):
    """The slots the active role may see: its application, its locations, and its teams when limited."""
    queryset = Slot.objects.filter(organization_id=_organization_id(user))
    scope = location_scope(user)
    if scope is not None:
        queryset = queryset.filter(location_id__in=scope)
    if not sees_all_teams(user):
        queryset = queryset.filter(resource__members=user)
    return queryset


def editable_slots_for(user):
    if not has_capability(user, roles.EDIT_SCHEDULES):
        return Slot.objects.none()
    return slots_for(user)


def with_booked(queryset):
    """Each slot with `booked` (places held) and its services, in a constant number of queries."""
    return (
        queryset.select_related("resource", "location")
        .prefetch_related("services")
        .annotate(booked=Count("appointments", filter=Q(appointments__status__in=HOLDING_STATUSES)))
    )


def get_slot(user, pk):
    return get_object_or_404(with_booked(slots_for(user)), pk=pk)


def get_editable_slot(user, pk):
    return get_object_or_404(with_booked(editable_slots_for(user)), pk=pk)


def calendar_slots(user, *, location_ids, start, end, service_ids=(), resource_ids=()):
    """The slots of a period as a list, each with `booked` and `service_list`, in three queries.

    A week may hold thousands of slots: their services come from one query of the link table
    and a dict, not from prefetch_related (which builds a manager per slot).
    """
    queryset = slots_for(user).filter(starts_at__lt=end, ends_at__gt=start, location_id__in=location_ids)
    if service_ids:
        # A subquery, not a join: a join would multiply the booked count by the matching services.
        queryset = queryset.filter(
            pk__in=Slot.services.through.objects.filter(service_id__in=service_ids).values("slot_id")
        )
    if resource_ids:
        queryset = queryset.filter(resource_id__in=resource_ids)
    slots = list(
        queryset.select_related("resource")
        .annotate(booked=Count("appointments", filter=Q(appointments__status__in=HOLDING_STATUSES)))
        .order_by("starts_at", "resource__position", "resource__name", "pk")
    )
    services = {
        service.pk: service for service in Service.objects.filter(organization_id=_organization_id(user))
    }
    links = {}
    for slot_id, service_id in Slot.services.through.objects.filter(
        slot__in=queryset.values("pk")
    ).values_list("slot_id", "service_id"):
        links.setdefault(slot_id, []).append(services[service_id])
    for slot in slots:
        slot.service_list = links.get(slot.pk, [])
    return slots
