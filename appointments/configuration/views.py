"""Configuration (Pilot): the checklist, online booking, services, locations, team resources,
communications and the public page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from appointments import roles, selectors
from appointments.accounts.services import access_ended
from appointments.accounts.views import role_row
from appointments.booking.forms import PublicSearchForm
from appointments.configuration import services
from appointments.configuration.forms import (
    AssociationForm,
    CommunicationsForm,
    LocationForm,
    PublicPageForm,
    QuestionFormSet,
    ResourceForm,
    ServiceForm,
)
from appointments.models import (
    ClinicSettings,
    CommunicationKind,
    Dose,
    Location,
    Service,
)
from appointments.pages import organization_of, render_page
from appointments.tables import AccountTable, EndedAccountTable, LocationTable, ServiceTable, TeamTable
from portal.db import text_search
from portal.files import private_file_response
from portal.forms import show_service_error
from portal.formviews import act, submit
from portal.models import Organization
from portal.params import safe_next
from portal.permissions import capability_required
from portal.workflow import ActionError

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
                    _("I set the minimum interval before the second dose (if applicable)"),
                    all_services(lambda s: s.dose != Dose.FIRST or bool(s.minimum_interval_days)),
                ),
                (
                    _("I checked the personal details asked by the booking form"),
                    all_services(lambda s: bool(s.personal_fields)),
                ),
                (
                    _("I turn on showing the duration of the appointments (if applicable)"),
                    bool(clinic.pk and clinic.show_duration),
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
                (
                    _("I added a role for this sector or another sector if needed for each of my resources"),
                    # Someone holds a second role (another location's, or another role here).
                    any(len(account.clinic_memberships) > 1 for account in accounts),
                ),
            ],
        ),
        (
            _("Communications tab"),
            [
                (_("I activated the first reminder"), rule_on(CommunicationKind.FIRST_REMINDER)),
                (_("I activated the second reminder"), rule_on(CommunicationKind.SECOND_REMINDER)),
                (
                    _("I activated the follow-up reminder after an absence (if applicable)"),
                    rule_on(CommunicationKind.ABSENCE_RELAUNCH),
                ),
                (
                    _("I activated the follow-up reminder after a cancellation (if applicable)"),
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
                    # Days created are offered online at once only while online booking is open.
                    _("I activated the days at their creation (online booking is open)"),
                    bool(clinic.online_booking_open),
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
    sections = checklist_items(organization_of(request))
    done = sum(1 for _title, items in sections for _label, ok in items if ok)
    total = sum(len(items) for _title, items in sections)
    return render_page(
        request, "appointments/checklist.html", {"sections": sections, "done": done, "total": total}
    )


@capability_required(roles.CONFIGURE)
@require_POST
def online_booking(request):
    is_open = request.POST.get("open") == "1"
    return act(
        request,
        lambda: services.set_online_booking(organization=organization_of(request), is_open=is_open),
        success=_("Online booking is open: the public can book the open slots.")
        if is_open
        else _("Online booking is closed: the public page shows the transitional message."),
        next=safe_next(request, reverse("appointments:checklist")),
    )


# Services -----------------------------------------------------------------------------------------------


@capability_required(roles.CONFIGURE)
def service_list(request):
    rows = selectors.services_for(request.user).prefetch_related("questions")
    return render_page(
        request, "appointments/service_list.html", {"services": rows, "table": ServiceTable(rows)}
    )


@capability_required(roles.CONFIGURE)
@require_http_methods(["GET", "POST"])
def service_edit(request, pk=None):
    service = (
        selectors.get_service(request.user, pk) if pk else Service(organization=organization_of(request))
    )
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    form = ServiceForm(data, files, instance=service)
    questions = QuestionFormSet(data, instance=service, prefix="questions")
    if request.method == "POST" and form.is_valid() and questions.is_valid():
        try:
            saved = services.save_service(
                organization=organization_of(request),
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
    return render_page(
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
    return render_page(
        request,
        "appointments/location_list.html",
        {"table": LocationTable(selectors.locations_for(request.user))},
    )


@capability_required(roles.CONFIGURE)
@require_http_methods(["GET", "POST"])
def location_edit(request, pk=None):
    location = (
        selectors.get_location(request.user, pk) if pk else Location(organization=organization_of(request))
    )
    form = LocationForm(request.POST or None, instance=location)
    done = submit(
        request,
        form,
        lambda data: services.save_location(
            organization=organization_of(request), location=form.save(commit=False)
        ),
        success=_("The location was saved."),
        next="appointments:location_list",
    )
    return done or render_page(
        request, "appointments/location_form.html", {"form": form, "location": location}
    )


# Resources: teams and access accounts ------------------------------------------------------------------


@capability_required(roles.CONFIGURE)
def resource_list(request):
    organization = organization_of(request)
    accounts = selectors.access_accounts(organization)
    query = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    if query:
        accounts = accounts.filter(text_search(["first_name", "last_name", "email"], query))
    today = timezone.localdate()
    location_names = {location.pk: location.name for location in selectors.locations_for(request.user)}
    rows, ended = [], []
    for account in accounts:
        row = {
            "account": account,
            "roles": [
                role_row(membership, location_names, today) for membership in account.clinic_memberships
            ],
            "ended": access_ended(account.clinic_memberships, today),
        }
        # Ended accesses apart (guide 2.4): the pilot finds them there and reopens them.
        (ended if row["ended"] else rows).append(row)
    return render_page(
        request,
        "appointments/resource_list.html",
        {
            "accounts": rows,
            "query": query,
            "teams_table": TeamTable(selectors.resources_with_associations(request.user)),
            "accounts_table": AccountTable(rows),
            "ended_accounts_table": EndedAccountTable(ended),
        },
    )


@capability_required(roles.CONFIGURE)
@require_http_methods(["GET", "POST"])
def resource_edit(request, pk=None):
    resource = (
        selectors.get_resource(request.user, pk)
        if pk
        else selectors.TeamResource(organization=organization_of(request))
    )
    form = ResourceForm(request.POST or None, instance=resource)
    done = submit(
        request,
        form,
        lambda data: services.save_resource(
            organization=organization_of(request), resource=form.save(commit=False)
        ),
        success=_("The team was saved. Associate it with its locations and services."),
        next=lambda saved: reverse("appointments:resource_associations", kwargs={"pk": saved.pk}),
    )
    return done or render_page(
        request, "appointments/resource_form.html", {"form": form, "resource": resource}
    )


@capability_required(roles.CONFIGURE)
@require_http_methods(["GET", "POST"])
def resource_associations(request, pk):
    resource = selectors.get_resource(request.user, pk)
    organization = organization_of(request)
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
    done = submit(
        request,
        form,
        lambda data: services.associate_resource(resource=resource, **data),
        success=_("The associations of %(team)s were saved.") % {"team": resource.name},
        next="appointments:resource_list",
    )
    return done or render_page(
        request, "appointments/resource_associations.html", {"form": form, "resource": resource}
    )


# Communications and public page -------------------------------------------------------------------


@capability_required(roles.CONFIGURE)
@require_http_methods(["GET", "POST"])
def communications(request):
    organization = organization_of(request)
    form = CommunicationsForm(request.POST or None, rules=selectors.communication_rules(organization))
    done = submit(
        request,
        form,
        lambda data: services.save_communications(organization=organization, rules=form.rules()),
        success=_("The automated communications were saved."),
        next="appointments:communications",
    )
    return done or render_page(request, "appointments/communications.html", {"form": form})


@capability_required(roles.CONFIGURE)
@require_http_methods(["GET", "POST"])
def public_page_settings(request):
    organization = organization_of(request)
    clinic = selectors.clinic_settings(organization)
    form = PublicPageForm(request.POST or None, request.FILES or None, instance=clinic)
    done = submit(
        request,
        form,
        lambda data: services.save_public_page(
            organization=organization,
            values={field: data[field] for field in PublicPageForm.Meta.fields},
            logo=data.get("logo_upload") or None,
            logo_content_type=form.logo_content_type,
            remove_logo=data.get("remove_logo", False),
        ),
        success=_("The public page was saved."),
        next="appointments:public_page_settings",
    )
    return done or render_page(
        request, "appointments/public_page_form.html", {"form": form, "clinic": clinic}
    )


def _public_context(organization, clinic):
    """The public page shows what a person can book (issue 20): the services at least one location
    offers with an active team, and the locations that offer one of them (the cached public site)."""
    site = selectors.public_site(organization.pk)
    services = site.offered_services()
    locations: dict[int, Location] = {}
    for service in services:
        for location in site.locations[service.pk]:
            locations.setdefault(location.pk, location)
    return {
        "organization": organization,
        "clinic": clinic,
        "search_form": PublicSearchForm(services=services),
        "services": services,
        "locations": sorted(locations.values(), key=lambda location: (location.position, location.pk)),
    }


@capability_required(roles.CONFIGURE)
def public_page_preview(request):
    organization = organization_of(request)
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
