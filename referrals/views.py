"""Employment case management screens (LaMPSS): thin views over selectors and services."""

from datetime import date

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.forms import modelform_factory
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from portal.db import folded_q, order_by_name, text_search
from portal.exports import request_export
from portal.files import private_file_response
from portal.forms import show_service_error as _show_error
from portal.params import as_id
from portal.permissions import capability_required, has_capability
from portal.search import personal_search
from portal.selectors import active_organization
from portal.services import record_view
from portal.tables import paginate
from referrals import roles, selectors, services
from referrals.filters import CaseFilter
from referrals.forms import (
    AccountabilityForm,
    AdditionalInformationForm,
    AgreementForm,
    CaseLookupForm,
    CaseTaskForm,
    DeleteInterventionsForm,
    DocumentForm,
    EducationForm,
    FundingDecisionForm,
    FundingRequestForm,
    InterventionForm,
    NeedsForm,
    NoteForm,
    OfficeForm,
    OpenCaseForm,
    OutcomeForm,
    PartnerForm,
    PartnerSearchForm,
    PersonForm,
    PrintForm,
    ReasonForm,
    ReassignForm,
    ReferralForm,
    ReferralTypeForm,
    TemplateForm,
    TransferForm,
)
from referrals.models import (
    NETWORK_TYPES,
    Agreement,
    Barrier,
    CaseStatus,
    CorrespondenceTemplate,
    Dimension,
    FundingStatus,
    FundingType,
    InterventionStatus,
    InterventionType,
    PartnerService,
    PrintStatus,
    Program,
    ReferralType,
)
from referrals.services import CaseActionError
from referrals.tables import (
    AccountabilityTable,
    AgreementTable,
    CaseTable,
    FundingRequestTable,
    IncomingTable,
    PartnerTable,
    ReferenceTable,
    TemplateTable,
)


def _can_manage(request, case):
    return has_capability(request.user, roles.MANAGE_CASES, case)


def _case(request, number, *, manage=False):
    """The case, if this person's organization may see it (404 otherwise); `manage` for writes."""
    case = selectors.get_case_for_user(request.user, number)
    if manage and not _can_manage(request, case):
        raise PermissionDenied
    return case


def _case_context(request, case, section, **extra):
    return {
        "case": case,
        "section": section,
        "can_manage": _can_manage(request, case),
        "can_reassign": has_capability(request.user, roles.REASSIGN, case),
        **extra,
    }


def _post_without_form(request, case):
    """A form sent to a page that does not offer it: 403 without the capability; when the case
    was closed in the meantime, the clear message instead, and nothing changes."""
    if not _can_manage(request, case):
        raise PermissionDenied
    messages.error(request, _("This case is closed: reopen it first. Nothing was changed."))
    return redirect(request.path)


def _render_case(request, template, case, section, **extra):
    # Every case screen shows the person (the case header): each view leaves an audit entry.
    record_view(instance=case)
    return render(request, template, _case_context(request, case, section, **extra))


# Lists and lookup ----------------------------------------------------------------------------

# The hand-written "last name" / "name or case ID" boxes of the case creation and incoming pages:
# a person's name, kept out of addresses (portal.search).
CLIENT_SEARCH_FIELDS = ("q",)


@capability_required(roles.VIEW_CASES)
@personal_search(CaseFilter)
def case_list(request):
    organization = active_organization(request.user)
    managers = selectors.case_managers(organization) if organization.kind == "employment_agency" else None
    case_filter = CaseFilter(
        request.search_data or None, queryset=selectors.cases_for(request.user), user=request.user
    )
    queryset = case_filter.qs if case_filter.is_bound and case_filter.is_valid() else case_filter.queryset
    if not case_filter.is_bound and organization.kind == "employment_agency":
        # Case managers start from their own open cases, as on their home page.
        queryset = queryset.filter(case_manager=request.user).exclude(status=CaseStatus.CLOSED)
    table = paginate(request, CaseTable(queryset))
    return render(
        request,
        "referrals/case_list.html",
        {"table": table, "filter": case_filter, "managers": managers, "mine_only": not case_filter.is_bound},
    )


@capability_required(roles.VIEW_CASES)
def case_lookup(request):
    """The home page's "case id → display" box."""
    form = CaseLookupForm(request.GET or None)
    if form.is_valid():
        case = selectors.cases_for(request.user).filter(number=form.cleaned_data["number"]).first()
        if case is not None:
            return redirect(case)
        messages.error(
            request, _("No case of yours has the ID %(number)s.") % {"number": form.cleaned_data["number"]}
        )
    elif form.is_bound:
        messages.error(request, _("Enter a case ID: digits only, e.g. 100923."))
    return redirect(
        request.GET.get("back")
        if request.GET.get("back") == reverse("referrals:case_list")
        else "portal:home"
    )


@capability_required(roles.MANAGE_CASES)
@require_http_methods(["GET", "POST"])
@personal_search(CLIENT_SEARCH_FIELDS)
def case_create(request):
    """Open a case: for a client the agency already serves (search), or a new person."""
    agency = active_organization(request.user)
    query = request.search_data.get("q", "").strip()[:100]
    clients = []
    if query:
        clients = _distinct_clients(
            selectors.cases_for(request.user).filter(
                text_search(["person__last_name", "person__first_name"], query)
            )
        )
    person = None
    if request.GET.get("person") or request.POST.get("person"):
        person_id = as_id(request.GET.get("person") or request.POST.get("person"))
        existing = (
            selectors.cases_for(request.user).filter(person_id=person_id).first() if person_id else None
        )
        if existing is None:
            raise Http404
        person = existing.person
    person_form = None if person else PersonForm(request.POST or None, prefix="person")
    case_form = OpenCaseForm(
        request.POST or None,
        offices=selectors.offices_for(agency),
        managers=selectors.case_managers(agency),
        initial={"case_manager": request.user if request.user in selectors.case_managers(agency) else None},
    )
    if request.method == "POST" and case_form.is_valid() and (person_form is None or person_form.is_valid()):
        try:
            with transaction.atomic():
                if person is None:
                    person = services.save_person(**person_form.cleaned_data)
                case = services.open_case(
                    actor=request.user, agency=agency, person=person, **case_form.cleaned_data
                )
        except CaseActionError as error:
            if person_form is not None:
                person = None
            _show_error(request, case_form, error)
        else:
            messages.success(request, _("Case %(number)s was opened.") % {"number": case.number})
            return redirect(case)
    return render(
        request,
        "referrals/case_create.html",
        {
            "person_form": person_form,
            "case_form": case_form,
            "person": person,
            "query": query,
            "clients": clients,
        },
    )


def _distinct_clients(cases):
    seen, result = set(), []
    for case in cases.order_by("person__last_name", "person__first_name", "-number")[:200]:
        if case.person_id not in seen:
            seen.add(case.person_id)
            result.append(case)
    return result[:20]


# Case home page and case screens -------------------------------------------------------------


@capability_required(roles.VIEW_CASES)
def case_home(request, number):
    case = _case(request, number)
    return _render_case(
        request,
        "referrals/case_home.html",
        case,
        "home",
        tasks=list(selectors.case_tasks(case)[:20]),
        notifications=list(selectors.case_notifications(case, request.user)[:10]),
        notes=list(case.notes.select_related("author")[:3]),
        history=list(case.status_changes.select_related("changed_by")[:5]),
        identified=selectors.identified_needs(selectors.latest_needs(case)),
    )


@capability_required(roles.VIEW_CASES)
@require_http_methods(["GET", "POST"])
def case_details(request, number):
    case = _case(request, number)
    record_view(instance=case.person)
    form = (
        PersonForm(request.POST or None, instance=case.person, prefix="person")
        if _can_manage(request, case) and not case.is_closed
        else None
    )
    if request.method == "POST":
        if form is None:
            return _post_without_form(request, case)
        if form.is_valid():
            try:
                services.update_case_person(actor=request.user, case=case, **form.cleaned_data)
            except CaseActionError as error:
                _show_error(request, form, error)
            else:
                messages.success(request, _("The person's details were saved."))
                return redirect("referrals:case_details", number)
    return _render_case(request, "referrals/case_details.html", case, "details", form=form)


def _case_form_page(request, number, form_class, section, title, success):
    case = _case(request, number)
    form = form_class(request.POST or None, instance=case) if _can_manage(request, case) else None
    if request.method == "POST":
        if form is None:
            return _post_without_form(request, case)
        if form.is_valid():
            try:
                services.update_case_information(actor=request.user, case=case, **form.cleaned_data)
            except CaseActionError as error:
                _show_error(request, form, error)
            else:
                messages.success(request, success)
                return redirect(f"referrals:case_{section}", number)
    readonly = form_class(instance=case)
    return _render_case(
        request, "referrals/case_form.html", case, section, form=form, readonly=readonly, title=title
    )


@capability_required(roles.VIEW_CASES)
@require_http_methods(["GET", "POST"])
def case_additional(request, number):
    return _case_form_page(
        request,
        number,
        AdditionalInformationForm,
        "additional",
        gettext_lazy("Additional information"),
        _("The additional information was saved."),
    )


@capability_required(roles.VIEW_CASES)
@require_http_methods(["GET", "POST"])
def case_education(request, number):
    return _case_form_page(
        request,
        number,
        EducationForm,
        "education",
        gettext_lazy("Education and experience"),
        _("The education and experience were saved."),
    )


@capability_required(roles.VIEW_CASES)
@require_http_methods(["GET", "POST"])
def needs(request, number):
    case = _case(request, number)
    latest = selectors.latest_needs(case)
    form = None
    if _can_manage(request, case) and not case.is_closed:
        initial = {
            "barriers": list(latest.barriers.all()) if latest else [],
            "comments": latest.comments if latest else "",
        }
        form = NeedsForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form is None:
            return _post_without_form(request, case)
        if form.is_valid():
            complete = request.POST.get("complete") == "1"
            try:
                determination = services.save_needs_determination(
                    actor=request.user,
                    case=case,
                    barriers=form.cleaned_data["barriers"],
                    comments=form.cleaned_data["comments"],
                    complete_assessment_now=complete,
                )
            except CaseActionError as error:
                _show_error(request, form, error)
            else:
                if complete:
                    messages.success(
                        request,
                        _(
                            "Version %(version)s was saved and the assessment is completed. "
                            "The task “Develop action plan” is on your home page."
                        )
                        % {"version": determination.version},
                    )
                else:
                    messages.success(
                        request, _("Version %(version)s was saved.") % {"version": determination.version}
                    )
                return redirect("referrals:needs", number)
    groups = []
    if form is not None:
        chosen = {str(value) for value in (form["barriers"].value() or [])}
        for dimension, barriers in selectors.barriers_by_dimension():
            groups.append((dimension, [(barrier, str(barrier.pk) in chosen) for barrier in barriers]))
    return _render_case(
        request,
        "referrals/needs.html",
        case,
        "needs",
        latest=latest,
        latest_by_dimension=_group_barriers(latest),
        versions=list(selectors.needs_versions(case).values("version", "created_at", "completes_assessment"))
        if latest
        else [],
        form=form,
        groups=groups,
        can_complete=case.status in (CaseStatus.INTAKE, CaseStatus.ASSESSMENT),
    )


def _group_barriers(determination):
    if determination is None:
        return []
    groups = {}
    for barrier in determination.barriers.all():
        groups.setdefault(barrier.dimension, []).append(barrier)
    return sorted(groups.items(), key=lambda item: (item[0].position, item[0].name))


@capability_required(roles.VIEW_CASES)
def needs_version(request, number, version):
    case = _case(request, number)
    determination = selectors.get_needs_version(case, version)
    return _render_case(
        request,
        "referrals/needs_version.html",
        case,
        "needs",
        determination=determination,
        by_dimension=_group_barriers(determination),
    )


# Action plan -----------------------------------------------------------------------------------


@capability_required(roles.VIEW_CASES)
def plan(request, number):
    case = _case(request, number)
    interventions = list(selectors.interventions_of(case))
    return _render_case(
        request,
        "referrals/plan.html",
        case,
        "plan",
        interventions=interventions,
        identified=selectors.identified_needs(selectors.latest_needs(case)),
        plan_open=case.status in services.PLAN_STATUSES,
        prints=list(case.plan_prints.filter(requested_by=request.user)[:3]),
        print_form=PrintForm(initial={"language": translation.get_language()}),
    )


@capability_required(roles.MANAGE_CASES)
@require_POST
def plan_delete(request, number):
    """Delete the ticked planned interventions, after the guide's warning (a confirmation page)."""
    case = _case(request, number, manage=True)
    form = DeleteInterventionsForm(request.POST, queryset=case.interventions.all())
    if not form.is_valid():
        messages.error(request, _("Choose the interventions to delete."))
        return redirect("referrals:plan", number)
    chosen = list(form.cleaned_data["interventions"].select_related("intervention_type"))
    refused = [item for item in chosen if item.status != InterventionStatus.PLANNED]
    if refused:
        messages.error(
            request,
            _(
                "Only planned interventions can be deleted; %(names)s already started or ended. Nothing was deleted."
            )
            % {"names": ", ".join(str(item.intervention_type) for item in refused)},
        )
        return redirect("referrals:plan", number)
    if request.POST.get("confirm") != "1":
        return _render_case(request, "referrals/plan_delete.html", case, "plan", chosen=chosen)
    try:
        count = services.delete_interventions(actor=request.user, case=case, interventions=chosen)
    except CaseActionError as error:
        _show_error(request, None, error)
    else:
        messages.success(
            request,
            translation.ngettext(
                "%(count)s intervention was deleted.", "%(count)s interventions were deleted.", count
            )
            % {"count": count},
        )
    return redirect("referrals:plan", number)


PARTNER_FIELDS = ("delivering_organization", "local_coordinator")


def _intervention_form_page(request, case, intervention=None):
    partners = selectors.active_partners_for(request.user)
    searching = request.method == "POST" and request.POST.get("search") in PARTNER_FIELDS
    if searching:
        # The business partner search: keep what was typed, show the results, save nothing.
        initial = {name: request.POST.get(name) for name in InterventionForm.FIELDS}
        initial["funding_requested"] = bool(request.POST.get("funding_requested"))
        form = InterventionForm(initial=initial, partners=partners)
    elif request.method == "POST":
        form = InterventionForm(request.POST, partners=partners)
    else:
        initial = {}
        if intervention is not None:
            initial = {name: getattr(intervention, name) for name in InterventionForm.FIELDS}
        form = InterventionForm(initial=initial, partners=partners)
    if request.method == "POST" and not searching and form.is_valid():
        try:
            if intervention is None:
                services.add_intervention(actor=request.user, case=case, **form.values())
                messages.success(request, _("The intervention was added to the action plan."))
            else:
                services.update_intervention(actor=request.user, intervention=intervention, **form.values())
                messages.success(request, _("The intervention was saved."))
        except CaseActionError as error:
            _show_error(request, form, error)
        else:
            if request.POST.get("another") == "1":
                return redirect("referrals:intervention_add", case.number)
            return redirect("referrals:plan", case.number)
    pickers = []
    recent = selectors.recent_partners(request.user)
    for field in PARTNER_FIELDS:
        search_form = PartnerSearchForm(
            request.POST if searching and request.POST.get("search") == field else None, prefix=field
        )
        results = None
        if search_form.is_bound and search_form.is_valid():
            results = list(
                selectors.search_partners(
                    request.user,
                    name=search_form.cleaned_data["name"],
                    service=search_form.cleaned_data["service"],
                    city=search_form.cleaned_data["city"],
                    limit=25,
                )
            )
        value = form[field].value()
        chosen = partners.filter(pk=as_id(value)).first() if as_id(value) else None
        options = []
        for partner in [chosen, *recent, *(results or [])]:
            if partner is not None and partner not in options:
                options.append(partner)
        pickers.append(
            {
                "field": form[field],
                "search_form": search_form,
                "results": results,
                "recent": recent,
                "options": options,
                "chosen": chosen,
                "open": search_form.is_bound,
            }
        )
    return _render_case(
        request,
        "referrals/intervention_form.html",
        case,
        "plan",
        form=form,
        intervention=intervention,
        pickers=pickers,
        focus=request.POST.get("search") if searching else None,
    )


@capability_required(roles.MANAGE_CASES)
@require_http_methods(["GET", "POST"])
def intervention_add(request, number):
    case = _case(request, number, manage=True)
    if case.status not in services.PLAN_STATUSES:
        messages.error(
            request,
            _(
                "The action plan can be changed once the assessment is completed and until the case is closed."
            ),
        )
        return redirect("referrals:plan", number)
    return _intervention_form_page(request, case)


@capability_required(roles.MANAGE_CASES)
@require_http_methods(["GET", "POST"])
def intervention_edit(request, number, pk):
    case = _case(request, number, manage=True)
    intervention = selectors.get_intervention(case, pk)
    if not intervention.is_editable:
        messages.error(
            request,
            _("This intervention is %(status)s: it can no longer be changed.")
            % {"status": intervention.get_status_display()},
        )
        return redirect("referrals:intervention", number, pk)
    return _intervention_form_page(request, case, intervention)


@capability_required(roles.VIEW_CASES)
def intervention_detail(request, number, pk):
    case = _case(request, number)
    intervention = selectors.get_intervention(case, pk)
    actions = [
        (code, label)
        for code, (_function, allowed, label) in services.INTERVENTION_ACTIONS.items()
        if intervention.status in allowed
    ]
    return _render_case(
        request,
        "referrals/intervention_detail.html",
        case,
        "plan",
        intervention=intervention,
        actions=actions if case.status in services.PLAN_STATUSES else [],
        funding_requests=list(selectors.funding_requests_of(intervention)),
        can_request_funding=(
            intervention.funding_requested
            and intervention.is_editable
            and not intervention.open_funding
            and case.status in services.PLAN_STATUSES
        ),
    )


@capability_required(roles.MANAGE_CASES)
@require_http_methods(["GET", "POST"])
def intervention_action(request, number, pk, action):
    case = _case(request, number, manage=True)
    intervention = selectors.get_intervention(case, pk)
    if action not in services.INTERVENTION_ACTIONS:
        raise Http404
    function, _allowed, label = services.INTERVENTION_ACTIONS[action]
    if request.method == "GET":
        return _render_case(
            request,
            "referrals/intervention_action.html",
            case,
            "plan",
            intervention=intervention,
            label=label,
            action=action,
        )
    try:
        function(actor=request.user, intervention=intervention)
    except CaseActionError as error:
        _show_error(request, None, error)
    else:
        messages.success(
            request, _("The intervention is now %(status)s.") % {"status": _status_label(intervention)}
        )
    return redirect("referrals:intervention", number, pk)


def _status_label(intervention):
    intervention.refresh_from_db(fields=["status"])
    return intervention.get_status_display()


@capability_required(roles.MANAGE_CASES)
@require_http_methods(["GET", "POST"])
def funding_request_create(request, number, pk):
    case = _case(request, number, manage=True)
    intervention = selectors.get_intervention(case, pk)
    form = FundingRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_funding(actor=request.user, intervention=intervention, **form.cleaned_data)
        except CaseActionError as error:
            _show_error(request, form, error)
        else:
            messages.success(request, _("The funding request was sent to the department."))
            return redirect("referrals:intervention", number, pk)
    return _render_case(
        request, "referrals/funding_request.html", case, "plan", intervention=intervention, form=form
    )


@capability_required(roles.VIEW_CASES)
@require_POST
def plan_print(request, number):
    case = _case(request, number)
    form = PrintForm(request.POST)
    language = form.cleaned_data["language"] if form.is_valid() else translation.get_language()
    try:
        plan_print = services.request_plan_print(actor=request.user, case=case, language=language)
    except CaseActionError as error:
        _show_error(request, None, error)
        return redirect("referrals:plan", number)
    return redirect("referrals:plan_print_status", number, plan_print.pk)


@capability_required(roles.VIEW_CASES)
def plan_print_status(request, number, pk):
    case = _case(request, number)
    plan_print = get_object_or_404(case.plan_prints.filter(requested_by=request.user), pk=pk)
    template = (
        "referrals/includes/print_status.html"
        if request.headers.get("HX-Request")
        else "referrals/plan_print.html"
    )
    return _render_case(request, template, case, "plan", plan_print=plan_print)


@capability_required(roles.VIEW_CASES)
def plan_print_download(request, pk):
    plan_print = selectors.get_plan_print_for_user(request.user, pk)
    if plan_print.status != PrintStatus.READY:
        raise Http404
    record_view(instance=plan_print.case)
    name = "referral-letter" if plan_print.referral_id else "action-plan"
    return private_file_response(
        plan_print.file, f"{name}-{plan_print.case.number}-{plan_print.language}.pdf", "application/pdf"
    )


# Outcomes and case tools ---------------------------------------------------------------------


@capability_required(roles.VIEW_CASES)
@require_http_methods(["GET", "POST"])
def outcomes(request, number):
    case = _case(request, number)
    form = OutcomeForm(request.POST or None) if _can_manage(request, case) else None
    if request.method == "POST":
        if form is None:
            return _post_without_form(request, case)
        if form.is_valid():
            try:
                services.record_outcome(actor=request.user, case=case, **form.cleaned_data)
            except CaseActionError as error:
                _show_error(request, form, error)
            else:
                messages.success(request, _("The employment outcome was recorded."))
                return redirect("referrals:outcomes", number)
    return _render_case(
        request,
        "referrals/outcomes.html",
        case,
        "outcomes",
        form=form,
        outcomes=list(case.outcomes.select_related("recorded_by")),
        can_record=case.status in (CaseStatus.PLAN_MANAGEMENT, CaseStatus.FOLLOW_UP, CaseStatus.CLOSED),
    )


@capability_required(roles.VIEW_CASES)
@require_http_methods(["GET", "POST"])
def notes(request, number):
    case = _case(request, number)
    form = NoteForm(request.POST or None) if _can_manage(request, case) and not case.is_closed else None
    if request.method == "POST":
        if form is None:
            return _post_without_form(request, case)
        if form.is_valid():
            try:
                services.add_note(actor=request.user, case=case, **form.cleaned_data)
            except CaseActionError as error:
                _show_error(request, form, error)
            else:
                messages.success(request, _("The note was added."))
                return redirect("referrals:notes", number)
    return _render_case(
        request,
        "referrals/notes.html",
        case,
        "notes",
        form=form,
        notes=list(case.notes.select_related("author")),
    )


@capability_required(roles.VIEW_CASES)
@require_http_methods(["GET", "POST"])
def case_tasks(request, number):
    case = _case(request, number)
    form = None
    if _can_manage(request, case) and not case.is_closed:
        form = CaseTaskForm(
            request.POST or None,
            managers=selectors.case_managers(case.agency),
            initial={"assignee": case.case_manager},
        )
    if request.method == "POST":
        if form is None:
            return _post_without_form(request, case)
        if form.is_valid():
            try:
                services.add_case_task(actor=request.user, case=case, **form.cleaned_data)
            except CaseActionError as error:
                _show_error(request, form, error)
            else:
                messages.success(request, _("The task was added."))
                return redirect("referrals:case_tasks", number)
    return _render_case(
        request, "referrals/case_tasks.html", case, "tasks", form=form, tasks=list(selectors.case_tasks(case))
    )


@capability_required(roles.VIEW_CASES)
def case_status(request, number):
    case = _case(request, number)
    actions = [
        (code, label)
        for code, (_function, allowed, label) in services.STATUS_ACTIONS.items()
        if case.status in allowed
    ]
    return _render_case(
        request,
        "referrals/case_status.html",
        case,
        "status",
        actions=actions,
        history=list(case.status_changes.select_related("changed_by")),
    )


@capability_required(roles.MANAGE_CASES)
@require_POST
def case_status_action(request, number, action):
    case = _case(request, number, manage=True)
    if action not in services.STATUS_ACTIONS:
        raise Http404
    function = services.STATUS_ACTIONS[action][0]
    try:
        case = function(actor=request.user, case=case)
    except CaseActionError as error:
        _show_error(request, None, error)
    else:
        messages.success(request, _("The case is now %(status)s.") % {"status": case.get_status_display()})
    return redirect("referrals:case_status", number)


@capability_required(roles.MANAGE_CASES)
@require_http_methods(["GET", "POST"])
def case_close(request, number, action):
    """Close or reopen: both need a reason, asked on their own page."""
    case = _case(request, number, manage=True)
    if action not in ("close", "reopen"):
        raise Http404
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        function = services.close_case if action == "close" else services.reopen_case
        try:
            case = function(actor=request.user, case=case, reason=form.cleaned_data["reason"])
        except CaseActionError as error:
            _show_error(request, form, error)
        else:
            messages.success(
                request, _("The case is now %(status)s.") % {"status": case.get_status_display()}
            )
            return redirect("referrals:case_status", number)
    return _render_case(request, "referrals/case_close.html", case, "status", form=form, action=action)


@capability_required(roles.REASSIGN)
@require_http_methods(["GET", "POST"])
def case_reassign(request, number):
    case = _case(request, number)
    form = ReassignForm(
        request.POST or None,
        managers=selectors.case_managers(case.agency),
        initial={"case_manager": case.case_manager},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.reassign_case(
                actor=request.user, case=case, case_manager=form.cleaned_data["case_manager"]
            )
        except CaseActionError as error:
            _show_error(request, form, error)
        else:
            messages.success(request, _("The case was reassigned."))
            return redirect(case)
    return _render_case(request, "referrals/case_reassign.html", case, "home", form=form)


@capability_required(roles.VIEW_CASES)
@require_http_methods(["GET", "POST"])
def documents(request, number):
    case = _case(request, number)
    form = (
        DocumentForm(request.POST or None, request.FILES or None)
        if _can_manage(request, case) and not case.is_closed
        else None
    )
    if request.method == "POST":
        if form is None:
            return _post_without_form(request, case)
        if form.is_valid():
            try:
                services.add_document(
                    actor=request.user,
                    case=case,
                    document_type=form.cleaned_data["document_type"],
                    description=form.cleaned_data["description"],
                    upload=form.cleaned_data["file"],
                    content_type=form.content_type,
                )
            except CaseActionError as error:
                _show_error(request, form, error)
            else:
                messages.success(request, _("The document was added."))
                return redirect("referrals:documents", number)
    return _render_case(
        request,
        "referrals/documents.html",
        case,
        "documents",
        form=form,
        documents=list(selectors.documents_of(case)),
    )


@capability_required(roles.VIEW_CASES)
def document_download(request, pk):
    document = selectors.get_document_for_user(request.user, pk)
    record_view(instance=document)
    return private_file_response(document.file, document.original_name, document.content_type)


# Business partners ---------------------------------------------------------------------------


def _can_edit_partner(request, partner):
    if partner.is_public:
        return has_capability(request.user, roles.MANAGE_PUBLIC_PARTNERS)
    return has_capability(request.user, roles.MANAGE_PRIVATE_PARTNERS, partner.agency)


@capability_required(roles.PARTNERS)
def partner_list(request):
    form = PartnerSearchForm(request.GET or None)
    queryset = selectors.partners_for(request.user)
    if form.is_bound and form.is_valid():
        queryset = selectors.search_partners(
            request.user,
            name=form.cleaned_data["name"],
            service=form.cleaned_data["service"],
            city=form.cleaned_data["city"],
        ).prefetch_related("services")
        if has_capability(request.user, roles.MANAGE_PUBLIC_PARTNERS) or has_capability(
            request.user, roles.MANAGE_PRIVATE_PARTNERS
        ):
            # Managers also find the inactive ones, to switch them back on.
            queryset = selectors.partners_for(request.user).filter(pk__in=_search_ids(request, form))
    table = paginate(request, PartnerTable(order_by_name(queryset, "name")))
    can_add = has_capability(request.user, roles.MANAGE_PUBLIC_PARTNERS) or has_capability(
        request.user, roles.MANAGE_PRIVATE_PARTNERS
    )
    return render(request, "referrals/partner_list.html", {"form": form, "table": table, "can_add": can_add})


def _search_ids(request, form):
    partners = selectors.partners_for(request.user)
    if form.cleaned_data["name"]:
        partners = partners.filter(folded_q("name", form.cleaned_data["name"]))
    if form.cleaned_data["service"]:
        partners = partners.filter(services=form.cleaned_data["service"])
    if form.cleaned_data["city"]:
        partners = partners.filter(folded_q("city", form.cleaned_data["city"]))
    return partners.values("pk")


@capability_required(roles.PARTNERS)
def partner_detail(request, pk):
    partner = selectors.get_partner_for_user(request.user, pk)
    return render(
        request,
        "referrals/partner_detail.html",
        {"partner": partner, "can_edit": _can_edit_partner(request, partner)},
    )


@capability_required(roles.PARTNERS)
@require_http_methods(["GET", "POST"])
def partner_edit(request, pk=None):
    organization = active_organization(request.user)
    if pk is None:
        public = has_capability(request.user, roles.MANAGE_PUBLIC_PARTNERS)
        if not public and not has_capability(request.user, roles.MANAGE_PRIVATE_PARTNERS):
            raise PermissionDenied
        partner = None
        agency = None if public else organization
    else:
        partner = selectors.get_partner_for_user(request.user, pk)
        if not _can_edit_partner(request, partner):
            raise PermissionDenied
        agency = partner.agency
    form = PartnerForm(request.POST or None, instance=partner)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        services_offered = data.pop("services")
        partner = services.save_partner(partner=partner, agency=agency, services=services_offered, **data)
        messages.success(request, _("The business partner was saved."))
        return redirect("referrals:partner", partner.pk)
    return render(
        request,
        "referrals/partner_form.html",
        {"form": form, "partner": partner, "public": agency is None},
    )


# Funding decisions (department) --------------------------------------------------------------


@capability_required(roles.DECIDE_FUNDING)
def funding_list(request):
    status = request.GET.get("status", FundingStatus.SUBMITTED)
    if status not in FundingStatus.values:
        status = FundingStatus.SUBMITTED
    queryset = selectors.funding_requests_for(request.user).filter(status=status)
    table = paginate(request, FundingRequestTable(queryset))
    return render(
        request,
        "referrals/funding_list.html",
        {"table": table, "status": status, "statuses": FundingStatus.choices},
    )


@capability_required(roles.DECIDE_FUNDING)
@require_http_methods(["GET", "POST"])
def funding_decide(request, pk):
    funding_request = selectors.get_funding_request_for_user(request.user, pk)
    form = (
        FundingDecisionForm(request.POST or None)
        if funding_request.status == FundingStatus.SUBMITTED
        else None
    )
    if request.method == "POST":
        if form is None:
            messages.error(
                request,
                _("This funding request is already %(status)s. Nothing was changed.")
                % {"status": funding_request.get_status_display()},
            )
            return redirect("referrals:funding_decide", pk)
        if form.is_valid():
            try:
                if form.cleaned_data["decision"] == "approve":
                    services.approve_funding(
                        actor=request.user,
                        funding_request=funding_request,
                        comment=form.cleaned_data["comment"],
                    )
                else:
                    services.refuse_funding(
                        actor=request.user,
                        funding_request=funding_request,
                        comment=form.cleaned_data["comment"],
                    )
            except CaseActionError as error:
                _show_error(request, form, error)
            else:
                messages.success(request, _("The decision was recorded and the case manager notified."))
                return redirect("referrals:funding_list")
    intervention = funding_request.intervention
    return render(
        request,
        "referrals/funding_decide.html",
        {
            "funding_request": funding_request,
            "intervention": intervention,
            "case": intervention.case,
            "form": form,
        },
    )


# Agencies, agreements, offices, reference lists (department) -----------------------------------


@capability_required(roles.MANAGE_AGENCIES)
def agency_list(request):
    table = paginate(request, AgreementTable(selectors.agreements_for(request.user)))
    return render(request, "referrals/agency_list.html", {"table": table})


@capability_required(roles.MANAGE_AGENCIES)
@require_http_methods(["GET", "POST"])
def agreement_edit(request, pk=None):
    department = active_organization(request.user)
    agreement = selectors.get_agreement_for_user(request.user, pk) if pk else Agreement(department=department)
    form = AgreementForm(
        request.POST or None, instance=agreement, agencies=selectors.contractable_agencies(request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            agreement = services.save_agreement(
                actor=request.user,
                agreement=agreement if pk else None,
                department=department,
                **form.cleaned_data,
            )
        except ValidationError as error:
            _show_error(request, form, error)
        else:
            messages.success(request, _("The agreement was saved."))
            return redirect("referrals:agency", agreement.agency_id)
    return render(
        request, "referrals/agreement_form.html", {"form": form, "agreement": agreement if pk else None}
    )


@capability_required(roles.MANAGE_AGENCIES)
def agency_detail(request, pk):
    agency = selectors.get_agency_for_user(request.user, pk)
    return render(
        request,
        "referrals/agency_detail.html",
        {
            "agency": agency,
            "agreements": list(selectors.agreements_for(request.user).filter(agency=agency)),
            "offices": list(agency.employment_offices.all()),
        },
    )


@capability_required(roles.MANAGE_AGENCIES)
@require_http_methods(["GET", "POST"])
def office_edit(request, agency_pk=None, pk=None):
    if pk:
        office = selectors.get_office_for_user(request.user, pk)
        agency = office.agency
    else:
        agency = selectors.get_agency_for_user(request.user, agency_pk)
        office = None
    form = OfficeForm(request.POST or None, instance=office)
    if request.method == "POST" and form.is_valid():
        services.save_office(office=office, agency=agency, **form.cleaned_data)
        messages.success(request, _("The office was saved."))
        return redirect("referrals:agency", agency.pk)
    return render(request, "referrals/office_form.html", {"form": form, "agency": agency, "office": office})


REFERENCE_LISTS = {
    "programs": (Program, ["needs_ecm_agreement"], gettext_lazy("Programs")),
    "dimensions": (Dimension, ["abbreviation"], gettext_lazy("Employability dimensions")),
    "barriers": (Barrier, ["dimension"], gettext_lazy("Barriers to employment")),
    "intervention-types": (InterventionType, ["dimension"], gettext_lazy("Intervention types")),
    "funding-types": (FundingType, ["counts_as_edmt"], gettext_lazy("Funding types")),
    "partner-services": (PartnerService, [], gettext_lazy("Business partner services")),
}


@capability_required(roles.MANAGE_AGENCIES)
def reference_index(request):
    return render(request, "referrals/reference_index.html", {"lists": REFERENCE_LISTS.items()})


@capability_required(roles.MANAGE_AGENCIES)
def reference_list(request, kind):
    if kind not in REFERENCE_LISTS:
        raise Http404
    model, _extra, title = REFERENCE_LISTS[kind]
    table = paginate(request, ReferenceTable(model.objects.all(), kind=kind), per_page=50)
    return render(request, "referrals/reference_list.html", {"table": table, "title": title, "kind": kind})


@capability_required(roles.MANAGE_AGENCIES)
@require_http_methods(["GET", "POST"])
def reference_edit(request, kind, pk=None):
    if kind not in REFERENCE_LISTS:
        raise Http404
    model, extra, title = REFERENCE_LISTS[kind]
    item = get_object_or_404(model, pk=pk) if pk else model()
    form_class = modelform_factory(
        model, fields=["name_fr", "name_en", "code", *extra, "position", "is_active"]
    )
    form = form_class(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        services.save_reference_item(item=item, **form.cleaned_data)
        messages.success(request, _("The entry was saved."))
        return redirect("referrals:reference_list", kind)
    return render(
        request,
        "referrals/reference_form.html",
        {"form": form, "title": title, "kind": kind, "item": item if pk else None},
    )


# Accountability report -----------------------------------------------------------------------


def _period(request):
    today = timezone.localdate()
    fiscal_start = date(today.year if today.month >= 4 else today.year - 1, 4, 1)
    form = AccountabilityForm(
        request.GET or None,
        agencies=selectors.report_agencies(request.user),
        initial={"start": fiscal_start, "end": date(fiscal_start.year + 1, 3, 31)},
    )
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["start"], form.cleaned_data["end"], form.cleaned_data["agency"]
    if form.is_bound:
        return form, None, None, None
    return form, fiscal_start, date(fiscal_start.year + 1, 3, 31), None


@capability_required(roles.REPORTS)
def accountability(request):
    form, start, end, agency = _period(request)
    context = {"form": form, "start": start, "end": end}
    if start is not None:
        context["by_agency"] = selectors.edmt_by_agency(request.user, start=start, end=end, agency=agency)
        context["table"] = paginate(
            request,
            AccountabilityTable(
                selectors.edmt_interventions(request.user, start=start, end=end, agency=agency)
            ),
        )
    return render(request, "referrals/accountability.html", context)


@capability_required(roles.REPORTS)
@require_POST
def accountability_export(request):
    form, start, end, agency = _period(request)
    if start is None:
        messages.error(request, _("Choose a valid period first."))
        return redirect("referrals:accountability")
    export = request_export(
        user=request.user,
        exporter="referrals.exports.accountability",
        params={"start": start.isoformat(), "end": end.isoformat(), "agency": agency.pk if agency else None},
        fmt="xlsx",
        name=_("EDMT accountability report %(start)s to %(end)s")
        % {"start": start.isoformat(), "end": end.isoformat()},
    )
    messages.success(request, _("The Excel file is being prepared. It will be listed in your exports."))
    return redirect(reverse("portal:export", args=[export.pk]))


# Referrals -------------------------------------------------------------------------------------


@capability_required(roles.VIEW_CASES)
@require_http_methods(["GET", "POST"])
def referrals(request, number):
    """The case's referrals: the list (a row opens to every field), and Add by type."""
    case = _case(request, number)
    form = (
        ReferralTypeForm(request.POST or None) if _can_manage(request, case) and not case.is_closed else None
    )
    if request.method == "POST":
        if form is None:
            return _post_without_form(request, case)
        if form.is_valid():
            try:
                referral = services.create_referral(
                    actor=request.user, case=case, referral_type=form.cleaned_data["referral_type"]
                )
            except CaseActionError as error:
                _show_error(request, form, error)
            else:
                return redirect("referrals:referral_edit", number, referral.pk)
    open_pk = request.GET.get("open", "")
    return _render_case(
        request,
        "referrals/referrals.html",
        case,
        "referrals",
        form=form,
        referrals=list(selectors.referrals_of(case)),
        open_pk=as_id(open_pk),
    )


def _referral_form(request, referral, data=None, initial=None):
    return ReferralForm(
        data,
        initial=initial,
        referral=referral,
        agencies=services.network_agencies(excluding=referral.case.agency),
    )


def _referral_initial(referral):
    return {
        "agency": referral.agency_id,
        "organization_name": referral.organization_name,
        "contact_person": referral.contact_person,
        "email_to": referral.email_to,
        "language": referral.language,
        "template": referral.template_id,
        "subject": referral.subject,
        "body": referral.body,
        "notes": referral.notes,
    }


@capability_required(roles.MANAGE_CASES)
@require_http_methods(["GET", "POST"])
def referral_edit(request, number, pk):
    """A draft referral. Buttons: save, preview (new tab), apply a new language, send, cancel."""
    case = _case(request, number, manage=True)
    referral = selectors.get_referral(case, pk)
    if not referral.is_draft:
        messages.error(
            request, _("This referral was sent: it can no longer be changed. Nothing was changed.")
        )
        return redirect(reverse("referrals:referrals", args=[number]) + f"?open={pk}#referral-{pk}")
    if request.method == "POST":
        form = _referral_form(request, referral, request.POST)
        if request.POST.get("action") == "language" and request.POST.get("language") in dict(
            settings.LANGUAGES
        ):
            # A new correspondence language: keep the other fields, reset the template's text.
            form.is_valid()
            values = {
                name: form.cleaned_data.get(name)
                for name in ("agency", "organization_name", "contact_person", "email_to", "notes")
                if name in form.fields and name not in form.errors
            }
            try:
                services.change_referral_language(
                    actor=request.user, referral=referral, language=request.POST["language"], **values
                )
            except CaseActionError as error:
                _show_error(request, None, error)
            else:
                messages.success(
                    request, _("The language was changed: the subject and the body are the template's again.")
                )
            return redirect("referrals:referral_edit", number, pk)
        if form.is_valid():
            try:
                referral = services.update_referral(actor=request.user, referral=referral, **form.values())
            except CaseActionError as error:
                _show_error(request, form, error)
            else:
                action = request.POST.get("action")
                if action == "preview":
                    try:
                        preview = services.request_letter_preview(actor=request.user, referral=referral)
                    except CaseActionError as error:
                        _show_error(request, form, error)
                        return _render_referral_form(request, case, referral, form)
                    return redirect("referrals:plan_print_status", number, preview.pk)
                if action == "send":
                    return redirect("referrals:referral_send", number, pk)
                messages.success(request, _("The draft referral was saved."))
                return redirect("referrals:referral_edit", number, pk)
    else:
        form = _referral_form(request, referral, initial=_referral_initial(referral))
    return _render_referral_form(request, case, referral, form)


def _render_referral_form(request, case, referral, form):
    agencies = (
        services.network_agencies(excluding=case.agency) if referral.referral_type in NETWORK_TYPES else []
    )
    return _render_case(
        request,
        "referrals/referral_form.html",
        case,
        "referrals",
        referral=referral,
        form=form,
        agency_emails={str(agency.pk): agency.contact_email for agency in agencies},
        documents=list(referral.documents.select_related("uploaded_by")),
        document_form=DocumentForm(),
    )


@capability_required(roles.MANAGE_CASES)
@require_POST
def referral_document(request, number, pk):
    """Attach a document to a draft referral (checked like every case document)."""
    case = _case(request, number, manage=True)
    referral = selectors.get_referral(case, pk)
    form = DocumentForm(request.POST, request.FILES)
    if not referral.is_draft:
        messages.error(
            request, _("This referral was sent: it can no longer be changed. Nothing was changed.")
        )
    elif form.is_valid():
        try:
            services.add_referral_document(
                actor=request.user,
                referral=referral,
                document_type=form.cleaned_data["document_type"],
                description=form.cleaned_data["description"],
                upload=form.cleaned_data["file"],
                content_type=form.content_type,
            )
        except CaseActionError as error:
            _show_error(request, None, error)
        else:
            messages.success(request, _("The document was added."))
    else:
        messages.error(request, " ".join(" ".join(errors) for errors in form.errors.values()))
    return redirect("referrals:referral_edit", number, pk)


@capability_required(roles.MANAGE_CASES)
@require_http_methods(["GET", "POST"])
def referral_send(request, number, pk):
    """The guide's confirmation before sending; then the referral is read-only for good."""
    case = _case(request, number, manage=True)
    referral = selectors.get_referral(case, pk)
    if request.method == "POST":
        try:
            services.send_referral(actor=request.user, referral=referral)
        except CaseActionError as error:
            if hasattr(error, "error_dict"):
                for field_errors in error.error_dict.values():
                    for message in field_errors:
                        messages.error(request, " ".join(message.messages))
            else:
                messages.error(request, " ".join(error.messages))
            target = "referrals:referral_edit" if referral.is_draft else "referrals:referrals"
            return redirect(target, number, pk) if referral.is_draft else redirect(target, number)
        messages.success(request, _("The referral was sent. Its letter is being emailed."))
        return redirect(reverse("referrals:referrals", args=[number]) + f"?open={pk}#referral-{pk}")
    if not referral.is_draft:
        messages.error(
            request, _("This referral was sent: it can no longer be changed. Nothing was changed.")
        )
        return redirect("referrals:referrals", number)
    return _render_case(request, "referrals/referral_send.html", case, "referrals", referral=referral)


@capability_required(roles.MANAGE_CASES)
@require_http_methods(["GET", "POST"])
def referral_cancel(request, number, pk):
    case = _case(request, number, manage=True)
    referral = selectors.get_referral(case, pk)
    if request.method == "POST":
        try:
            services.cancel_referral(actor=request.user, referral=referral)
        except CaseActionError as error:
            _show_error(request, None, error)
        else:
            messages.success(request, _("The draft referral was deleted."))
        return redirect("referrals:referrals", number)
    return _render_case(request, "referrals/referral_cancel.html", case, "referrals", referral=referral)


@capability_required(roles.MANAGE_CASES)
@require_http_methods(["GET", "POST"])
def referral_action(request, number, pk, action):
    """Withdraw a pending transfer, or send again a referral whose email failed."""
    case = _case(request, number, manage=True)
    referral = selectors.get_referral(case, pk)
    actions = {
        "withdraw": (services.withdraw_transfer, gettext_lazy("Withdraw the transfer")),
        "resend": (services.resend_referral, gettext_lazy("Send the email again")),
    }
    if action not in actions:
        raise Http404
    function, label = actions[action]
    if request.method == "GET":
        return _render_case(
            request, "referrals/referral_action.html", case, "referrals", referral=referral, label=label
        )
    try:
        function(actor=request.user, referral=referral)
    except CaseActionError as error:
        _show_error(request, None, error)
    else:
        messages.success(request, _("Done."))
    return redirect(reverse("referrals:referrals", args=[number]) + f"?open={pk}#referral-{pk}")


# Incoming referrals and transfer completion (the receiving agency) -------------------------------


@capability_required(roles.MANAGE_CASES)
@personal_search(CLIENT_SEARCH_FIELDS)
def incoming(request):
    """Clients referred to the agency: find them by name or case ID."""
    query = request.search_data.get("q", "").strip()[:100]
    referrals_in = selectors.incoming_for(request.user)
    if as_id(query) is not None:
        referrals_in = referrals_in.filter(case__number=as_id(query))
    elif query.isdigit():
        referrals_in = referrals_in.none()
    elif query:
        referrals_in = referrals_in.filter(
            text_search(["case__person__last_name", "case__person__first_name"], query)
        )
    table = paginate(request, IncomingTable(referrals_in))
    return render(request, "referrals/incoming.html", {"table": table, "query": query})


@capability_required(roles.MANAGE_CASES)
def incoming_detail(request, pk):
    """The person record, and for a transfer a read-only case summary: nothing more."""
    referral = selectors.get_incoming_for_user(request.user, pk)
    case = referral.case
    record_view(instance=case.person)
    context = {"referral": referral, "case": case, "person": case.person}
    if referral.referral_type == ReferralType.TRANSFER:
        context["identified"] = selectors.identified_needs(selectors.latest_needs(case))
        context["interventions"] = list(selectors.interventions_of(case))
    return render(request, "referrals/incoming_detail.html", context)


@capability_required(roles.MANAGE_CASES)
@require_http_methods(["GET", "POST"])
def transfer(request, pk):
    """Case details / Transfer: the receiving agency's office, case manager, agreement and location;
    Save; the guide's confirmation (From … To …); then the case is theirs."""
    referral = selectors.get_incoming_for_user(request.user, pk)
    if referral.referral_type != ReferralType.TRANSFER:
        raise Http404
    agency = active_organization(request.user)
    form = TransferForm(
        request.POST or None,
        offices=selectors.offices_for(agency),
        managers=selectors.case_managers(agency),
        agreements=selectors.active_agreements(agency),
        locations=selectors.delivery_locations(agency),
        initial={"case_manager": request.user},
    )
    if request.method == "POST" and form.is_valid():
        if request.POST.get("confirm") != "1":
            return render(
                request,
                "referrals/transfer_confirm.html",
                {"referral": referral, "case": referral.case, "form": form},
            )
        try:
            case = services.complete_transfer(actor=request.user, referral=referral, **form.cleaned_data)
        except CaseActionError as error:
            _show_error(request, form, error)
        else:
            messages.success(request, _("The case was transferred successfully."))
            return redirect(case)
    return render(
        request, "referrals/transfer.html", {"referral": referral, "case": referral.case, "form": form}
    )


# Correspondence templates (department) -----------------------------------------------------------


@capability_required(roles.MANAGE_AGENCIES)
def template_list(request):
    table = paginate(request, TemplateTable(CorrespondenceTemplate.objects.all()), per_page=50)
    return render(request, "referrals/template_list.html", {"table": table})


@capability_required(roles.MANAGE_AGENCIES)
@require_http_methods(["GET", "POST"])
def template_edit(request, pk=None):
    template = get_object_or_404(CorrespondenceTemplate, pk=pk) if pk else None
    form = TemplateForm(request.POST or None, instance=template)
    if request.method == "POST" and request.POST.get("delete") == "1" and template is not None:
        try:
            services.delete_template(template=template)
        except CaseActionError as error:
            _show_error(request, None, error)
            return redirect("referrals:template_edit", pk)
        messages.success(request, _("The template was deleted."))
        return redirect("referrals:template_list")
    if request.method == "POST" and form.is_valid():
        services.save_template(template=template, **form.cleaned_data)
        messages.success(request, _("The template was saved."))
        return redirect("referrals:template_list")
    return render(
        request,
        "referrals/template_form.html",
        {"form": form, "template": template, "in_use": template is not None and template.referrals.exists()},
    )
