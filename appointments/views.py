"""Clic Santé screens: Configuration (Pilot), Schedules (Management), and the public page."""

import calendar as pycalendar
from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from appointments import roles, selectors, services
from appointments.forms import (
    AccountEditForm,
    AccountForm,
    AssociationForm,
    CalendarForm,
    CloneForm,
    CommunicationsForm,
    LocationForm,
    PublicPageForm,
    QuestionFormSet,
    ResourceForm,
    RoleForm,
    ServiceForm,
    SlotForm,
)
from appointments.models import ClinicSettings, CommunicationKind, Location, Service
from appointments.services import ActionError
from portal.files import private_file_response
from portal.forms import show_service_error
from portal.models import Organization
from portal.params import as_id
from portal.permissions import capability_required, has_capability
from portal.roles import get_role
from portal.selectors import active_organization


def _page(request, template, context=None):
    """Render an appointments page with what its menu needs (decided here, not in templates)."""
    organization = active_organization(request.user)
    context = dict(context or {})
    context.setdefault("clinic", selectors.clinic_settings(organization) if organization else None)
    context["can_configure"] = has_capability(request.user, roles.CONFIGURE)
    context["can_see_schedules"] = has_capability(request.user, roles.SCHEDULES)
    context["can_edit_schedules"] = has_capability(request.user, roles.EDIT_SCHEDULES)
    return render(request, template, context)


def _organization(request):
    return active_organization(request.user)


# Configuration: checklist and online booking -------------------------------------------------------


def checklist_items(organization):
    """The guide's memory aid (2.7), each line ticked from the real configuration."""
    service_qs = Service.objects.filter(organization=organization, is_active=True)
    services_list = list(service_qs.prefetch_related("questions"))
    locations = list(
        Location.objects.filter(organization=organization, is_active=True).prefetch_related("resources")
    )
    resources = list(
        selectors.TeamResource.objects.filter(organization=organization, is_active=True).prefetch_related(
            "locations", "services"
        )
    )
    rules = selectors.communication_rules(organization)
    clinic = selectors.clinic_settings(organization)
    accounts = list(selectors.access_accounts(organization))

    def rule_on(kind):
        return bool(rules.get(kind) and rules[kind].is_active)

    def all_services(test):
        return bool(services_list) and all(test(service) for service in services_list)

    teams_per_location = {
        location.pk: sum(
            1 for resource in resources if any(loc.pk == location.pk for loc in resource.locations.all())
        )
        for location in locations
    }
    return [
        (
            _("Services tab"),
            [
                (
                    _("I checked the duration of each appointment"),
                    all_services(lambda s: s.duration_minutes > 0),
                ),
                (
                    _("I attached an information document (if applicable)"),
                    any(s.attachment for s in services_list),
                ),
                (
                    _("I wrote a description of the service (if applicable)"),
                    all_services(lambda s: s.description_fr and s.description_en),
                ),
                (
                    _("I personalized the instructions (they appear on the coupon)"),
                    all_services(lambda s: s.instructions_fr and s.instructions_en),
                ),
                (
                    _("I wrote a message for when there is no availability (if applicable)"),
                    all_services(lambda s: s.message_unavailable_fr and s.message_unavailable_en),
                ),
                (
                    _("I wrote a message for when there is availability (if applicable)"),
                    all_services(lambda s: s.message_available_fr and s.message_available_en),
                ),
                (
                    _("I checked the personal details asked by the booking form"),
                    all_services(lambda s: bool(s.personal_fields)),
                ),
                (_("I set the number of days of availability shown on the public page"), bool(clinic.pk)),
            ],
        ),
        (
            _("Locations tab"),
            [
                (
                    _("The address of each location is entered"),
                    bool(locations) and all(loc.latitude is not None for loc in locations),
                ),
                (
                    _("I wrote a message for each location (if applicable)"),
                    bool(locations) and all(loc.message_fr and loc.message_en for loc in locations),
                ),
                (
                    _("I associated the right services with the locations"),
                    bool(locations)
                    and all(
                        any(resource.services.all() for resource in location.resources.all())
                        for location in locations
                    ),
                ),
            ],
        ),
        (
            _("Resources tab"),
            [
                (
                    _("I created at least two teams for each location"),
                    bool(locations) and all(count >= 2 for count in teams_per_location.values()),
                ),
                (_("I created the access accounts needed"), len(accounts) > 1),
                (
                    _("I adjusted the role of each of my resources"),
                    any(
                        m.role != roles.DEFAULT_ROLE
                        for account in accounts
                        for m in account.clinic_memberships
                        if m.user_id != 0
                    ),
                ),
            ],
        ),
        (
            _("Communications tab"),
            [
                (_("I activated the first reminder"), rule_on(CommunicationKind.FIRST_REMINDER)),
                (_("I activated the second reminder"), rule_on(CommunicationKind.SECOND_REMINDER)),
                (
                    _("I activated the relaunch after an absence (if applicable)"),
                    rule_on(CommunicationKind.ABSENCE_RELAUNCH),
                ),
                (
                    _("I activated the relaunch after a cancellation (if applicable)"),
                    rule_on(CommunicationKind.CANCELLATION_RELAUNCH),
                ),
                (
                    _("I turned on SMS and email to reach people"),
                    any(rule.is_active and rule.by_sms and rule.by_email for rule in rules.values()),
                ),
            ],
        ),
        (
            _("Public page tab"),
            [
                (
                    _("I entered the contact details shown on the public page"),
                    bool(clinic.public_name_fr and (clinic.phone or clinic.email)),
                ),
                (
                    _("I personalized the welcome message in French and English"),
                    bool(clinic.welcome_message_fr and clinic.welcome_message_en),
                ),
                (
                    _("I personalized a pop-up message (if applicable)"),
                    bool(clinic.popup_message_fr and clinic.popup_message_en),
                ),
                (
                    _("I wrote a transitional message for when online booking is closed"),
                    bool(clinic.transitional_message_fr and clinic.transitional_message_en),
                ),
            ],
        ),
    ]


@capability_required(roles.CONFIGURE)
def checklist(request):
    sections = checklist_items(_organization(request))
    done = sum(1 for _title, items in sections for _label, ok in items if ok)
    total = sum(len(items) for _title, items in sections)
    return _page(request, "appointments/checklist.html", {"sections": sections, "done": done, "total": total})


@capability_required(roles.CONFIGURE)
@require_POST
def online_booking(request):
    is_open = request.POST.get("open") == "1"
    services.set_online_booking(organization=_organization(request), is_open=is_open)
    if is_open:
        messages.success(request, _("Online booking is open: the public can book the open slots."))
    else:
        messages.success(
            request, _("Online booking is closed: the public page shows the transitional message.")
        )
    return redirect(_safe_next(request, reverse("appointments:checklist")))


def _safe_next(request, default):
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


# Services -----------------------------------------------------------------------------------------------


@capability_required(roles.CONFIGURE)
def service_list(request):
    rows = selectors.services_for(request.user).prefetch_related("questions")
    return _page(request, "appointments/service_list.html", {"services": rows})


@capability_required(roles.CONFIGURE)
@require_http_methods(["GET", "POST"])
def service_edit(request, pk=None):
    service = selectors.get_service(request.user, pk) if pk else Service(organization=_organization(request))
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    form = ServiceForm(data, files, instance=service)
    questions = QuestionFormSet(data, instance=service, prefix="questions")
    if request.method == "POST" and form.is_valid() and questions.is_valid():
        try:
            saved = services.save_service(
                organization=_organization(request), service=form.save(), questions_formset=questions
            )
            if form.cleaned_data.get("attachment_upload"):
                services.set_service_attachment(
                    service=saved,
                    upload=form.cleaned_data["attachment_upload"],
                    content_type=form.attachment_content_type,
                )
            elif form.cleaned_data.get("remove_attachment"):
                services.remove_service_attachment(service=saved)
        except ActionError as error:
            show_service_error(request, form, error)
        else:
            messages.success(request, _("The service was saved."))
            return redirect("appointments:service_list")
    return _page(
        request, "appointments/service_form.html", {"form": form, "questions": questions, "service": service}
    )


@capability_required(roles.CONFIGURE)
def service_attachment(request, pk):
    service = selectors.get_service(request.user, pk)
    if not service.attachment:
        raise Http404
    return private_file_response(service.attachment, service.attachment_name, service.attachment_content_type)


# Locations ---------------------------------------------------------------------------------------------


@capability_required(roles.CONFIGURE)
def location_list(request):
    return _page(
        request, "appointments/location_list.html", {"locations": selectors.locations_for(request.user)}
    )


@capability_required(roles.CONFIGURE)
@require_http_methods(["GET", "POST"])
def location_edit(request, pk=None):
    location = (
        selectors.get_location(request.user, pk) if pk else Location(organization=_organization(request))
    )
    form = LocationForm(request.POST or None, instance=location)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_location(organization=_organization(request), location=form.save(commit=False))
        except ActionError as error:
            show_service_error(request, form, error)
        else:
            messages.success(request, _("The location was saved."))
            return redirect("appointments:location_list")
    return _page(request, "appointments/location_form.html", {"form": form, "location": location})


# Resources: teams and access accounts ------------------------------------------------------------------


@capability_required(roles.CONFIGURE)
def resource_list(request):
    organization = _organization(request)
    accounts = selectors.access_accounts(organization)
    query = request.GET.get("q", "").strip()[:100]
    if query:
        accounts = accounts.filter(
            Q(first_name__icontains=query) | Q(last_name__icontains=query) | Q(email__icontains=query)
        )
    today = timezone.localdate()
    location_names = {location.pk: location.name for location in selectors.locations_for(request.user)}
    rows = []
    for account in accounts:
        rows.append(
            {
                "account": account,
                "roles": [
                    _role_row(membership, location_names, today) for membership in account.clinic_memberships
                ],
            }
        )
    return _page(
        request,
        "appointments/resource_list.html",
        {"teams": selectors.resources_with_associations(request.user), "accounts": rows, "query": query},
    )


def _role_row(membership, location_names, today):
    role = get_role(membership.role)
    ids = (membership.scope or {}).get("locations") or []
    return {
        "membership": membership,
        "label": role.label if role else membership.role,
        "location": ", ".join(location_names.get(pk, "?") for pk in ids) if ids else _("All locations"),
        "current": membership.valid_from <= today
        and (membership.valid_to is None or membership.valid_to >= today),
    }


@capability_required(roles.CONFIGURE)
@require_http_methods(["GET", "POST"])
def resource_edit(request, pk=None):
    resource = (
        selectors.get_resource(request.user, pk)
        if pk
        else selectors.TeamResource(organization=_organization(request))
    )
    form = ResourceForm(request.POST or None, instance=resource)
    if request.method == "POST" and form.is_valid():
        saved = services.save_resource(organization=_organization(request), resource=form.save(commit=False))
        messages.success(request, _("The team was saved. Associate it with its locations and services."))
        return redirect("appointments:resource_associations", pk=saved.pk)
    return _page(request, "appointments/resource_form.html", {"form": form, "resource": resource})


@capability_required(roles.CONFIGURE)
@require_http_methods(["GET", "POST"])
def resource_associations(request, pk):
    resource = selectors.get_resource(request.user, pk)
    organization = _organization(request)
    form = AssociationForm(
        request.POST or None,
        initial={
            "locations": resource.locations.all(),
            "services": resource.services.all(),
            "members": resource.members.all(),
        },
        locations=selectors.locations_for(request.user),
        services=selectors.services_for(request.user),
        members=selectors.access_accounts(organization),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.associate_resource(resource=resource, **form.cleaned_data)
        except ActionError as error:
            show_service_error(request, form, error)
        else:
            messages.success(request, _("The associations of %(team)s were saved.") % {"team": resource.name})
            return redirect("appointments:resource_list")
    return _page(request, "appointments/resource_associations.html", {"form": form, "resource": resource})


@capability_required(roles.CONFIGURE)
@require_http_methods(["GET", "POST"])
def account_create(request):
    form = AccountForm(request.POST or None, initial={"preferred_language": request.LANGUAGE_CODE})
    if request.method == "POST" and form.is_valid():
        data = {key: value for key, value in form.cleaned_data.items() if key != "limit_access"}
        data["phone"] = str(data["phone"]) if data["phone"] else ""
        try:
            account = services.create_access_account(
                actor=request.user, organization=_organization(request), **data
            )
        except ActionError as error:
            show_service_error(request, form, error)
        else:
            messages.success(
                request,
                _(
                    "The access account was created with the Consultation #2 role, and its sign-in details were "
                    "sent by email. Check its role now."
                ),
            )
            return redirect("appointments:account_roles", pk=account.pk)
    return _page(request, "appointments/account_form.html", {"form": form})


@capability_required(roles.CONFIGURE)
@require_http_methods(["GET", "POST"])
def account_edit(request, pk):
    account = selectors.get_access_account(request.user, pk)
    form = AccountEditForm(
        request.POST or None,
        initial={
            "preferred_language": account.preferred_language,
            "first_name": account.first_name,
            "last_name": account.last_name,
            "phone": account.phone,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["phone"] = str(data["phone"]) if data["phone"] else ""
        services.update_access_account(organization=_organization(request), account=account, **data)
        messages.success(request, _("The access account was saved."))
        return redirect("appointments:resource_list")
    return _page(request, "appointments/account_edit.html", {"form": form, "account": account})


@capability_required(roles.CONFIGURE)
@require_POST
def account_reset_password(request, pk):
    account = selectors.get_access_account(request.user, pk)
    try:
        services.reset_password(actor=request.user, organization=_organization(request), account=account)
    except ActionError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _(
                "The password was reset: %(email)s received the sign-in details and a link to choose a new password."
            )
            % {"email": account.email},
        )
    return redirect("appointments:account_roles", pk=account.pk)


@capability_required(roles.CONFIGURE)
def account_roles(request, pk):
    """The key icon: the list of the person's roles here (guide 2.4)."""
    account = selectors.get_access_account(request.user, pk)
    location_names = {location.pk: location.name for location in selectors.locations_for(request.user)}
    today = timezone.localdate()
    rows = [_role_row(membership, location_names, today) for membership in account.clinic_memberships]
    table = [(code, get_role(code)) for code in roles.ROLE_CODES]
    return _page(
        request,
        "appointments/account_roles.html",
        {"account": account, "rows": rows, "role_table": table, "organization": _organization(request)},
    )


@capability_required(roles.CONFIGURE)
@require_http_methods(["GET", "POST"])
def role_edit(request, pk=None, account_pk=None):
    organization = _organization(request)
    membership = selectors.get_account_membership(request.user, pk) if pk else None
    account = membership.user if membership else selectors.get_access_account(request.user, account_pk)
    initial = {}
    if membership is not None:
        ids = (membership.scope or {}).get("locations") or []
        initial = {
            "role": membership.role,
            "location": ids[0] if ids else None,
            "limit_access": bool(membership.valid_to) or membership.valid_from > timezone.localdate(),
            "valid_from": membership.valid_from,
            "valid_to": membership.valid_to,
        }
    form = RoleForm(request.POST or None, initial=initial, locations=selectors.locations_for(request.user))
    if request.method == "POST" and form.is_valid():
        values = {key: form.cleaned_data[key] for key in ("role", "location", "valid_from", "valid_to")}
        try:
            if membership is None:
                services.add_role(organization=organization, account=account, **values)
            else:
                services.change_role(organization=organization, membership=membership, **values)
        except ActionError as error:
            show_service_error(request, form, error)
        else:
            messages.success(request, _("The role was saved."))
            return redirect("appointments:account_roles", pk=account.pk)
    return _page(
        request,
        "appointments/role_form.html",
        {"form": form, "account": account, "membership": membership, "organization": organization},
    )


@capability_required(roles.CONFIGURE)
@require_POST
def role_remove(request, pk):
    membership = selectors.get_account_membership(request.user, pk)
    try:
        services.remove_role(actor=request.user, organization=_organization(request), membership=membership)
    except ActionError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The role was removed."))
    return redirect("appointments:account_roles", pk=membership.user_id)


# Communications and public page -------------------------------------------------------------------


@capability_required(roles.CONFIGURE)
@require_http_methods(["GET", "POST"])
def communications(request):
    organization = _organization(request)
    form = CommunicationsForm(request.POST or None, rules=selectors.communication_rules(organization))
    if request.method == "POST" and form.is_valid():
        services.save_communications(organization=organization, rules=form.rules())
        messages.success(request, _("The automated communications were saved."))
        return redirect("appointments:communications")
    return _page(request, "appointments/communications.html", {"form": form})


@capability_required(roles.CONFIGURE)
@require_http_methods(["GET", "POST"])
def public_page_settings(request):
    organization = _organization(request)
    clinic = selectors.clinic_settings(organization)
    form = PublicPageForm(request.POST or None, request.FILES or None, instance=clinic)
    if request.method == "POST" and form.is_valid():
        values = {field: form.cleaned_data[field] for field in PublicPageForm.Meta.fields}
        services.save_public_page(
            organization=organization,
            values=values,
            logo=form.cleaned_data.get("logo_upload") or None,
            logo_content_type=form.logo_content_type,
            remove_logo=form.cleaned_data.get("remove_logo", False),
        )
        messages.success(request, _("The public page was saved."))
        return redirect("appointments:public_page_settings")
    return _page(request, "appointments/public_page_form.html", {"form": form, "clinic": clinic})


def _public_context(organization, clinic):
    return {
        "organization": organization,
        "clinic": clinic,
        "services": Service.objects.filter(organization=organization, is_active=True),
        "locations": Location.objects.filter(organization=organization, is_active=True),
    }


@capability_required(roles.CONFIGURE)
def public_page_preview(request):
    organization = _organization(request)
    clinic = selectors.clinic_settings(organization)
    state = request.GET.get("state")
    shown_open = clinic.online_booking_open if state not in ("open", "closed") else state == "open"
    context = _public_context(organization, clinic)
    context.update({"preview": True, "shown_open": shown_open})
    return render(request, "appointments/public_page.html", context)


@login_not_required
def public_page(request, organization_id):
    organization = get_object_or_404(
        Organization.objects.filter(kind="clinic_network", is_active=True), pk=organization_id
    )
    clinic = selectors.clinic_settings(organization)
    context = _public_context(organization, clinic)
    context.update({"preview": False, "shown_open": clinic.online_booking_open})
    return render(request, "appointments/public_page.html", context)


@login_not_required
def public_logo(request, organization_id):
    clinic = get_object_or_404(
        ClinicSettings.objects.filter(organization__is_active=True).exclude(logo=""),
        organization_id=organization_id,
    )
    response = private_file_response(clinic.logo, "logo", clinic.logo_content_type, as_attachment=False)
    response["Cache-Control"] = "public, max-age=300"
    return response


# Schedules -----------------------------------------------------------------------------------------


def _week_start(day):
    return day - timedelta(days=day.weekday())


def _period(view, day):
    if view == "day":
        return [day]
    if view == "week":
        start = _week_start(day)
        return [start + timedelta(days=offset) for offset in range(7)]
    first = day.replace(day=1)
    last = first.replace(day=pycalendar.monthrange(first.year, first.month)[1])
    start, end = _week_start(first), last + timedelta(days=6 - last.weekday())
    return [start + timedelta(days=offset) for offset in range((end - start).days + 1)]


def _shift(view, day, direction):
    if view == "day":
        return day + timedelta(days=direction)
    if view == "week":
        return day + timedelta(days=7 * direction)
    month = day.month - 1 + direction
    year = day.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(day.day, pycalendar.monthrange(year, month)[1]))


def _lock_state(slots):
    """Green (every slot open online), red (every slot locked) or orange (both), as in guide 3.5."""
    if not slots:
        return None
    locked = sum(1 for slot in slots if slot.is_locked)
    if locked == 0:
        return "open"
    return "locked" if locked == len(slots) else "mixed"


@capability_required(roles.SCHEDULES)
def calendar(request):
    user = request.user
    locations = selectors.locations_for(user).filter(is_active=True)
    form = CalendarForm(
        request.GET or None,
        locations=locations,
        services=selectors.services_for(user),
        resources=selectors.resources_for(user),
    )
    if form.is_bound and form.is_valid():
        filters = form.cleaned_data
    else:
        filters = CalendarForm(
            {},
            locations=locations,
            services=selectors.services_for(user),
            resources=selectors.resources_for(user),
        )
        filters.is_valid()
        filters = filters.cleaned_data
        if not form.is_bound:
            form = CalendarForm(
                initial={
                    "view": "week",
                    "display": "grid",
                    "date": filters["date"],
                    "grid": 15,
                    "first_hour": 7,
                    "last_hour": 21,
                },
                locations=locations,
                services=selectors.services_for(user),
                resources=selectors.resources_for(user),
            )
    location = filters.get("location") or locations.first()
    view, day = filters["view"], filters["date"]
    days = _period(view, day)
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(days[0], time(0, 0)), tz)
    end = timezone.make_aware(datetime.combine(days[-1] + timedelta(days=1), time(0, 0)), tz)
    slots = []
    if location is not None:
        slots = selectors.calendar_slots(
            user,
            location_ids=[location.pk],
            start=start,
            end=end,
            service_ids=[service.pk for service in filters.get("services") or []],
            resource_ids=[resource.pk for resource in filters.get("resources") or []],
        )
    for slot in slots:
        slot.local_start = timezone.localtime(slot.starts_at, tz)
        slot.local_end = timezone.localtime(slot.ends_at, tz)
        slot.remaining = max(slot.capacity - slot.booked, 0)
        slot.service_names = ", ".join(service.name for service in slot.service_list)
    by_day = {one_day: [] for one_day in days}
    for slot in slots:
        by_day.setdefault(slot.local_start.date(), []).append(slot)
    day_columns = [
        {
            "day": one_day,
            "slots": by_day.get(one_day, []),
            "lock": _lock_state(by_day.get(one_day, [])),
            "capacity": sum(slot.capacity for slot in by_day.get(one_day, [])),
            "remaining": sum(slot.remaining for slot in by_day.get(one_day, [])),
            "in_month": one_day.month == day.month,
        }
        for one_day in days
    ]
    context = {
        "form": form,
        "location": location,
        "view": view,
        "display": filters["display"],
        "day": day,
        "days": day_columns,
        "slots": slots,
        "today": timezone.localdate(),
    }
    base = request.GET.copy()
    for name, direction in (("previous_url", -1), ("next_url", 1)):
        base["date"] = _shift(view, day, direction).isoformat()
        context[name] = f"?{base.urlencode()}"
    base["date"] = timezone.localdate().isoformat()
    context["today_url"] = f"?{base.urlencode()}"
    context["query"] = request.GET.urlencode()
    if view == "month":
        context["weeks"] = [day_columns[index : index + 7] for index in range(0, len(day_columns), 7)]
    elif filters["display"] == "grid":
        columns = day_columns
        if view == "day":
            # Day view: one column per team resource (guide 2.3).
            context["teams"] = _teams_of(slots)
            columns = [{"slots": [s for s in slots if s.resource_id == team.pk]} for team in context["teams"]]
        context["rows"] = _grid_rows(columns, filters)
    return _page(request, "appointments/calendar.html", context)


def _teams_of(slots):
    teams = {}
    for slot in slots:
        teams.setdefault(slot.resource_id, slot.resource)
    return sorted(teams.values(), key=lambda team: (team.position, team.name))


def _grid_rows(columns, filters):
    """Rows of the day and week grids: one per grid step, each cell listing the slots starting in it.

    Slots before or after the period shown get a row of their own: the period filter hides nothing.
    """
    step = filters["grid"]
    first, last = filters["first_hour"] * 60, filters["last_hour"] * 60
    count = (last - first + step - 1) // step
    early, late = [[] for _column in columns], [[] for _column in columns]
    grid = [[[] for _column in columns] for _row in range(count)]
    for index, column in enumerate(columns):
        for slot in column["slots"]:
            minute = slot.local_start.hour * 60 + slot.local_start.minute
            if minute < first:
                early[index].append(slot)
            elif minute >= last:
                late[index].append(slot)
            else:
                grid[(minute - first) // step][index].append(slot)
    rows = [
        {"label": f"{(first + row * step) // 60:02d}:{(first + row * step) % 60:02d}", "cells": cells}
        for row, cells in enumerate(grid)
    ]
    if any(early):
        rows.insert(
            0, {"label": _("Before %(time)s") % {"time": f"{filters['first_hour']:02d}:00"}, "cells": early}
        )
    if any(late):
        rows.append(
            {"label": _("From %(time)s") % {"time": f"{filters['last_hour'] % 24:02d}:00"}, "cells": late}
        )
    return rows


def _slot_form_choices(request, location):
    user = request.user
    resources = selectors.resources_for(user).filter(is_active=True, locations=location)
    services_qs = selectors.services_for(user).filter(is_active=True, resources__in=resources).distinct()
    return resources, services_qs


def _calendar_url(location, day, query=""):
    params = {"location": location.pk, "date": day.isoformat()}
    return f"{reverse('appointments:calendar')}?{query or urlencode(params)}"


@capability_required(roles.EDIT_SCHEDULES)
@require_http_methods(["GET", "POST"])
def slot_create(request):
    location_id = as_id(request.GET.get("location") or request.POST.get("location"))
    location = selectors.get_location(request.user, location_id) if location_id else None
    if location is None:
        location = selectors.locations_for(request.user).filter(is_active=True).first()
        if location is None:
            messages.error(request, _("Create a location first (Configuration)."))
            return redirect("appointments:calendar")
    resources, services_qs = _slot_form_choices(request, location)
    if not has_capability(request.user, roles.MANAGE_ALL):
        resources = resources.filter(members=request.user)
    initial_day = _parse_day(request.GET.get("date")) or timezone.localdate()
    form = SlotForm(
        request.POST or None,
        initial={"date": initial_day, "start": time(9, 0), "end": time(12, 0), "per_interval": 1},
        resources=resources,
        services=services_qs,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            slot = services.create_slot(
                actor=request.user,
                organization=_organization(request),
                location=location,
                resource=data["resource"],
                services=data["services"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                per_interval=data["per_interval"],
                is_locked=data["is_locked"],
            )
        except ActionError as error:
            show_service_error(request, form, error)
        else:
            messages.success(
                request,
                _("The slot was created: %(count)d appointments.") % {"count": slot.capacity},
            )
            return redirect(_calendar_url(location, data["date"]))
    return _page(
        request,
        "appointments/slot_form.html",
        {"form": form, "location": location, "slot": None, "durations": _durations(services_qs)},
    )


def _durations(services_qs):
    return {str(service.pk): service.duration_minutes for service in services_qs}


def _parse_day(value):
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@capability_required(roles.SCHEDULES)
@require_http_methods(["GET", "POST"])
def slot_edit(request, pk):
    slot = selectors.get_slot(request.user, pk)
    can_edit = selectors.editable_slots_for(request.user).filter(pk=slot.pk).exists()
    local_start = timezone.localtime(slot.starts_at)
    local_end = timezone.localtime(slot.ends_at)
    resources, services_qs = _slot_form_choices(request, slot.location)
    if not has_capability(request.user, roles.MANAGE_ALL):
        resources = resources.filter(members=request.user)
    form = SlotForm(
        request.POST or None,
        initial={
            "date": local_start.date(),
            "start": local_start.time(),
            "end": local_end.time(),
            "resource": slot.resource,
            "services": list(slot.services.all()),
            "per_interval": slot.per_interval,
            "is_locked": slot.is_locked,
        },
        resources=resources,
        services=services_qs,
    )
    if request.method == "POST":
        if not can_edit:
            messages.error(request, _("Your role lets you see this slot, not change it."))
            return redirect("appointments:slot", pk=slot.pk)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.update_slot(
                    actor=request.user,
                    slot=slot,
                    resource=data["resource"],
                    services=data["services"],
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    per_interval=data["per_interval"],
                    is_locked=data["is_locked"],
                )
            except ActionError as error:
                show_service_error(request, form, error)
            else:
                messages.success(request, _("The slot was saved."))
                return redirect(_calendar_url(slot.location, data["date"]))
    slot.remaining = max(slot.capacity - slot.booked, 0)
    return _page(
        request,
        "appointments/slot_form.html",
        {
            "form": form,
            "location": slot.location,
            "slot": slot,
            "can_edit": can_edit,
            "durations": _durations(services_qs),
        },
    )


@capability_required(roles.EDIT_SCHEDULES)
@require_POST
def slot_delete(request, pk):
    slot = selectors.get_editable_slot(request.user, pk)
    day = timezone.localtime(slot.starts_at).date()
    try:
        services.delete_slot(actor=request.user, slot=slot)
    except ActionError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("appointments:slot", pk=slot.pk)
    messages.success(request, _("The slot was deleted."))
    return redirect(_calendar_url(slot.location, day))


@capability_required(roles.EDIT_SCHEDULES)
@require_POST
def slot_lock(request, pk):
    slot = selectors.get_editable_slot(request.user, pk)
    locked = request.POST.get("locked") == "1"
    services.set_slot_lock(slot=slot, locked=locked)
    messages.success(
        request,
        _("The slot is locked: staff only.") if locked else _("The slot is open online."),
    )
    return redirect(
        _safe_next(request, _calendar_url(slot.location, timezone.localtime(slot.starts_at).date()))
    )


@capability_required(roles.EDIT_SCHEDULES)
@require_POST
def day_lock(request):
    location_id = as_id(request.POST.get("location"))
    day = _parse_day(request.POST.get("date"))
    if location_id is None or day is None:
        raise Http404
    location = selectors.get_location(request.user, location_id)
    locked = request.POST.get("locked") == "1"
    start, end = services.day_bounds(day)
    slots = selectors.editable_slots_for(request.user).filter(
        location=location, starts_at__gte=start, starts_at__lt=end
    )
    count = services.set_day_lock(slots=slots, locked=locked)
    if locked:
        messages.success(request, _("%(count)d slots of the day were locked.") % {"count": count})
    else:
        messages.success(request, _("%(count)d slots of the day were opened online.") % {"count": count})
    return redirect(_safe_next(request, _calendar_url(location, day)))


@capability_required(roles.EDIT_SCHEDULES)
@require_http_methods(["GET", "POST"])
def clone(request):
    locations = selectors.locations_for(request.user).filter(is_active=True)
    initial_location = as_id(request.GET.get("location"))
    initial_day = _parse_day(request.GET.get("date")) or timezone.localdate()
    form = CloneForm(
        request.POST or None,
        initial={
            "location": initial_location,
            "source_day": initial_day,
            "first_day": max(initial_day + timedelta(days=1), timezone.localdate()),
            "last_day": max(initial_day, timezone.localdate()) + timedelta(days=7),
        },
        locations=locations,
    )
    source_slots = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        start, end = services.day_bounds(data["source_day"])
        source = selectors.editable_slots_for(request.user).filter(
            location=data["location"], starts_at__gte=start, starts_at__lt=end
        )
        try:
            count = services.clone_day(
                actor=request.user,
                organization=_organization(request),
                source_slots=source,
                source_day=data["source_day"],
                target_days=data["target_days"],
            )
        except ActionError as error:
            show_service_error(request, form, error)
        else:
            messages.success(
                request,
                _("%(count)d slots were created on %(days)d days.")
                % {"count": count, "days": len(data["target_days"])},
            )
            return redirect(_calendar_url(data["location"], data["target_days"][0]))
    # The typical day's slots, shown for reference (guide 3.3: "copied in the left column").
    preview_location = as_id(form.data.get("location")) if form.is_bound else initial_location
    preview_day = _parse_day(form.data.get("source_day")) if form.is_bound else initial_day
    if preview_location and preview_day:
        start, end = services.day_bounds(preview_day)
        source_slots = list(
            selectors.with_booked(
                selectors.slots_for(request.user).filter(
                    location_id=preview_location, starts_at__gte=start, starts_at__lt=end
                )
            ).order_by("starts_at")
        )
        for slot in source_slots:
            slot.remaining = max(slot.capacity - slot.booked, 0)
    return _page(request, "appointments/clone.html", {"form": form, "source_slots": source_slots})
