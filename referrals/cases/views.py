"""Case screens (LaMPSS): list, lookup, opening, information, status, reassignment and case tools."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from portal.db import text_search
from portal.files import private_file_response
from portal.formviews import act, submit
from portal.models import OrganizationKind
from portal.params import as_id
from portal.permissions import capability_required
from portal.search import personal_search
from portal.selectors import active_organization
from portal.services import record_view
from portal.tables import paginate
from referrals import roles
from referrals.agreements import selectors as agreement_selectors
from referrals.cases import selectors, services
from referrals.cases.forms import (
    AdditionalInformationForm,
    CaseLookupForm,
    CaseTaskForm,
    DocumentForm,
    EducationForm,
    NoteForm,
    OpenCaseForm,
    OutcomeForm,
    PersonForm,
    ReasonForm,
    ReassignForm,
)
from referrals.cases.pages import CLIENT_SEARCH_FIELDS, can_manage, get_case, render_case, submit_case_form
from referrals.cases.services import CASE_FLOW
from referrals.filters import CaseFilter
from referrals.models import (
    OUTCOME_STATUSES,
    CaseStatus,
)
from referrals.plans import selectors as plan_selectors
from referrals.tables import CaseTable


@capability_required(roles.VIEW_CASES)
@personal_search(CaseFilter)
def case_list(request):
    organization = active_organization(request.user)
    managers = selectors.case_managers(organization) if organization.kind == OrganizationKind.EMPLOYMENT_AGENCY else None
    case_filter = CaseFilter(
        request.search_data or None, queryset=selectors.cases_for(request.user), user=request.user
    )
    queryset = case_filter.qs if case_filter.is_bound and case_filter.is_valid() else case_filter.queryset
    if not case_filter.is_bound and organization.kind == OrganizationKind.EMPLOYMENT_AGENCY:
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
        offices=agreement_selectors.offices_for(agency),
        managers=selectors.case_managers(agency),
        initial={"case_manager": request.user if request.user in selectors.case_managers(agency) else None},
    )

    def open_case(data):
        # A new person is saved with the case, in its transaction: a refusal leaves neither.
        client = person or services.save_person(**person_form.cleaned_data)
        return services.open_case(actor=request.user, agency=agency, person=client, **data)

    done = (person_form is None or person_form.is_valid()) and submit(
        request,
        case_form,
        open_case,
        success=lambda case: _("Case %(number)s was opened.") % {"number": case.number},
        next=lambda case: case,
    )
    if done:
        return done
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


@capability_required(roles.VIEW_CASES)
def case_home(request, number):
    case = get_case(request, number)
    return render_case(
        request,
        "referrals/case_home.html",
        case,
        "home",
        tasks=list(selectors.case_tasks(case)[:20]),
        notifications=list(selectors.case_notifications(case, request.user)[:10]),
        notes=list(case.notes.select_related("author")[:3]),
        history=list(case.status_changes.select_related("actor")[:5]),
        identified=plan_selectors.identified_needs(plan_selectors.latest_needs(case)),
    )


@capability_required(roles.VIEW_CASES)
@require_http_methods(["GET", "POST"])
def case_details(request, number):
    case = get_case(request, number)
    record_view(instance=case.person)
    form = (
        PersonForm(request.POST or None, instance=case.person, prefix="person")
        if can_manage(request, case) and not case.is_closed
        else None
    )
    done = submit_case_form(
        request,
        case,
        form,
        lambda data: services.update_case_person(actor=request.user, case=case, **data),
        success=_("The person's details were saved."),
        next=reverse("referrals:case_details", args=[number]),
    )
    return done or render_case(request, "referrals/case_details.html", case, "details", form=form)


def _case_form_page(request, number, form_class, section, title, success):
    case = get_case(request, number)
    form = form_class(request.POST or None, instance=case) if can_manage(request, case) else None
    done = submit_case_form(
        request,
        case,
        form,
        lambda data: services.update_case_information(actor=request.user, case=case, **data),
        success=success,
        next=reverse(f"referrals:case_{section}", args=[number]),
    )
    if done:
        return done
    readonly = form_class(instance=case)
    return render_case(
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
def outcomes(request, number):
    case = get_case(request, number)
    form = OutcomeForm(request.POST or None) if can_manage(request, case) else None
    done = submit_case_form(
        request,
        case,
        form,
        lambda data: services.record_outcome(actor=request.user, case=case, **data),
        success=_("The employment outcome was recorded."),
        next=reverse("referrals:outcomes", args=[number]),
    )
    return done or render_case(
        request,
        "referrals/outcomes.html",
        case,
        "outcomes",
        form=form,
        outcomes=list(case.outcomes.select_related("recorded_by")),
        can_record=case.status in OUTCOME_STATUSES,
    )


@capability_required(roles.VIEW_CASES)
@require_http_methods(["GET", "POST"])
def notes(request, number):
    case = get_case(request, number)
    form = NoteForm(request.POST or None) if can_manage(request, case) and not case.is_closed else None
    done = submit_case_form(
        request,
        case,
        form,
        lambda data: services.add_note(actor=request.user, case=case, **data),
        success=_("The note was added."),
        next=reverse("referrals:notes", args=[number]),
    )
    return done or render_case(
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
    case = get_case(request, number)
    form = None
    if can_manage(request, case) and not case.is_closed:
        form = CaseTaskForm(
            request.POST or None,
            managers=selectors.case_managers(case.agency),
            initial={"assignee": case.case_manager},
        )
    done = submit_case_form(
        request,
        case,
        form,
        lambda data: services.add_case_task(actor=request.user, case=case, **data),
        success=_("The task was added."),
        next=reverse("referrals:case_tasks", args=[number]),
    )
    return done or render_case(
        request, "referrals/case_tasks.html", case, "tasks", form=form, tasks=list(selectors.case_tasks(case))
    )


@capability_required(roles.VIEW_CASES)
def case_status(request, number):
    case = get_case(request, number)
    return render_case(
        request,
        "referrals/case_status.html",
        case,
        "status",
        history=list(case.status_changes.select_related("actor")),
    )


@capability_required(roles.MANAGE_CASES)
@require_POST
def case_status_action(request, number, action):
    """The status page's buttons: one transition of services.CASE_FLOW, by its name (closing and
    reopening ask for a reason on their own page: case_close)."""
    case = get_case(request, number, manage=True)
    transition = CASE_FLOW.button(action)
    if transition is None or transition.confirm:
        raise Http404
    return act(
        request,
        lambda: services.change_case_status(actor=request.user, case=case, action=action),
        success=_now,
        next=reverse("referrals:case_status", args=[number]),
    )


def _now(case):
    return _("The case is now %(status)s.") % {"status": case.get_status_display()}


@capability_required(roles.MANAGE_CASES)
@require_http_methods(["GET", "POST"])
def case_close(request, number, action):
    """Close or reopen: both need a reason, asked on their own page."""
    case = get_case(request, number, manage=True)
    if action not in ("close", "reopen"):
        raise Http404
    form = ReasonForm(request.POST or None)
    function = services.close_case if action == "close" else services.reopen_case
    done = submit(
        request,
        form,
        lambda data: function(actor=request.user, case=case, reason=data["reason"]),
        success=_now,
        next=reverse("referrals:case_status", args=[number]),
    )
    return done or render_case(request, "referrals/case_close.html", case, "status", form=form, action=action)


@capability_required(roles.REASSIGN)
@require_http_methods(["GET", "POST"])
def case_reassign(request, number):
    case = get_case(request, number)
    form = ReassignForm(
        request.POST or None,
        managers=selectors.case_managers(case.agency),
        initial={"case_manager": case.case_manager},
    )
    done = submit(
        request,
        form,
        lambda data: services.reassign_case(actor=request.user, case=case, case_manager=data["case_manager"]),
        success=_("The case was reassigned."),
        next=case.get_absolute_url(),
    )
    return done or render_case(request, "referrals/case_reassign.html", case, "home", form=form)


@capability_required(roles.VIEW_CASES)
@require_http_methods(["GET", "POST"])
def documents(request, number):
    case = get_case(request, number)
    form = (
        DocumentForm(request.POST or None, request.FILES or None)
        if can_manage(request, case) and not case.is_closed
        else None
    )
    done = submit_case_form(
        request,
        case,
        form,
        lambda data: services.add_document(
            actor=request.user,
            case=case,
            document_type=data["document_type"],
            description=data["description"],
            upload=data["file"],
            content_type=form.content_type,
        ),
        success=_("The document was added."),
        next=reverse("referrals:documents", args=[number]),
    )
    return done or render_case(
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
