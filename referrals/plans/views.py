"""Needs determination and action plan screens: interventions, funding requests, prints."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.files import private_file_response
from portal.formviews import act, submit
from portal.params import as_id
from portal.permissions import capability_required
from portal.services import record_view
from referrals import roles
from referrals.cases.pages import can_manage, get_case, render_case, submit_case_form
from referrals.models import (
    PLAN_STATUSES,
    CaseStatus,
    PrintStatus,
)
from referrals.partners import selectors as partner_selectors
from referrals.partners.forms import PartnerSearchForm
from referrals.plans import selectors, services
from referrals.plans.forms import (
    DeleteInterventionsForm,
    FundingRequestForm,
    InterventionForm,
    NeedsForm,
    PrintForm,
)


@capability_required(roles.VIEW_CASES)
@require_http_methods(["GET", "POST"])
def needs(request, number):
    case = get_case(request, number)
    latest = selectors.latest_needs(case)
    form = None
    if can_manage(request, case) and not case.is_closed:
        initial = {
            "barriers": list(latest.barriers.all()) if latest else [],
            "comments": latest.comments if latest else "",
        }
        form = NeedsForm(request.POST or None, initial=initial)
    complete = request.POST.get("complete") == "1"
    done = submit_case_form(
        request,
        case,
        form,
        lambda data: services.save_needs_determination(
            actor=request.user,
            case=case,
            barriers=data["barriers"],
            comments=data["comments"],
            complete_assessment_now=complete,
        ),
        success=lambda determination: (
            (
                _(
                    "Version %(version)s was saved and the assessment is completed. "
                    "The task “Develop action plan” is on your home page."
                )
                if complete
                else _("Version %(version)s was saved.")
            )
            % {"version": determination.version}
        ),
        next=reverse("referrals:needs", args=[number]),
    )
    if done:
        return done
    groups = []
    if form is not None:
        chosen = {str(value) for value in (form["barriers"].value() or [])}
        for dimension, barriers in selectors.barriers_by_dimension():
            groups.append((dimension, [(barrier, str(barrier.pk) in chosen) for barrier in barriers]))
    return render_case(
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
    case = get_case(request, number)
    determination = selectors.get_needs_version(case, version)
    return render_case(
        request,
        "referrals/needs_version.html",
        case,
        "needs",
        determination=determination,
        by_dimension=_group_barriers(determination),
    )


@capability_required(roles.VIEW_CASES)
def plan(request, number):
    case = get_case(request, number)
    interventions = list(selectors.interventions_of(case))
    return render_case(
        request,
        "referrals/plan.html",
        case,
        "plan",
        interventions=interventions,
        identified=selectors.identified_needs(selectors.latest_needs(case)),
        plan_open=case.status in PLAN_STATUSES,
        prints=list(case.plan_prints.filter(requested_by=request.user)[:3]),
        print_form=PrintForm(initial={"language": translation.get_language()}),
    )


@capability_required(roles.MANAGE_CASES)
@require_POST
def plan_delete(request, number):
    """Delete the ticked planned interventions, after the guide's warning (a confirmation page)."""
    case = get_case(request, number, manage=True)
    form = DeleteInterventionsForm(request.POST, queryset=case.interventions.all())
    if not form.is_valid():
        messages.error(request, _("Choose the interventions to delete."))
        return redirect("referrals:plan", number)
    chosen = list(form.cleaned_data["interventions"].select_related("intervention_type"))
    refused = [item for item in chosen if not item.is_planned]
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
        return render_case(request, "referrals/plan_delete.html", case, "plan", chosen=chosen)
    return act(
        request,
        lambda: services.delete_interventions(actor=request.user, case=case, interventions=chosen),
        success=lambda count: (
            translation.ngettext(
                "%(count)s intervention was deleted.", "%(count)s interventions were deleted.", count
            )
            % {"count": count}
        ),
        next=reverse("referrals:plan", args=[number]),
    )


PARTNER_FIELDS = ("delivering_organization", "local_coordinator")


def _intervention_form_page(request, case, intervention=None):
    partners = partner_selectors.active_partners_for(request.user)
    searching = request.method == "POST" and (
        request.POST.get("search") in PARTNER_FIELDS or request.POST.get("refresh") == "dimension"
    )
    if searching:
        # The business partner search, or the types of the chosen dimension: keep what was typed,
        # show the results, save nothing.
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
    done = not searching and submit(
        request,
        form,
        lambda data: (
            services.add_intervention(actor=request.user, case=case, **form.values())
            if intervention is None
            else services.update_intervention(actor=request.user, intervention=intervention, **form.values())
        ),
        success=_("The intervention was added to the action plan.")
        if intervention is None
        else _("The intervention was saved."),
        next=reverse(
            "referrals:intervention_add" if request.POST.get("another") == "1" else "referrals:plan",
            args=[case.number],
        ),
    )
    if done:
        return done
    return _render_intervention_form(request, case, intervention, form, partners, searching)


def _render_intervention_form(request, case, intervention, form, partners, searching):
    pickers = []
    recent = partner_selectors.recent_partners(request.user)
    for field in PARTNER_FIELDS:
        # Every search keeps what was typed in it, whichever button was pressed; only the asked
        # one runs.
        search_form = PartnerSearchForm(request.POST if request.method == "POST" else None, prefix=field)
        asked = searching and request.POST.get("search") == field
        typed = search_form.is_bound and any(
            request.POST.get(f"{field}-{name}") for name in PartnerSearchForm.base_fields
        )
        results = None
        if asked and search_form.is_valid():
            results = list(
                partner_selectors.search_partners(
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
                "open": asked or typed,
            }
        )
    return render_case(
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
    case = get_case(request, number, manage=True)
    if case.status not in PLAN_STATUSES:
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
    case = get_case(request, number, manage=True)
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
    case = get_case(request, number)
    intervention = selectors.get_intervention(case, pk)
    plan_open = case.status in PLAN_STATUSES
    return render_case(
        request,
        "referrals/intervention_detail.html",
        case,
        "plan",
        intervention=intervention,
        actions=services.INTERVENTION_FLOW.actions_for(intervention, request.user) if plan_open else [],
        funding_requests=list(selectors.funding_requests_of(intervention)),
        can_request_funding=(
            intervention.funding_requested
            and intervention.is_editable
            and not intervention.open_funding
            and case.status in PLAN_STATUSES
        ),
    )


@capability_required(roles.MANAGE_CASES)
@require_http_methods(["GET", "POST"])
def intervention_action(request, number, pk, action):
    """An intervention's buttons: one transition of services.INTERVENTION_FLOW, by its name, asked
    first on a page of its own (GET), taken there (POST)."""
    case = get_case(request, number, manage=True)
    intervention = selectors.get_intervention(case, pk)
    transition = services.INTERVENTION_FLOW.button(action)
    if transition is None:
        raise Http404
    if request.method == "GET":
        return render_case(
            request,
            "referrals/intervention_action.html",
            case,
            "plan",
            intervention=intervention,
            label=transition.label,
            action=action,
        )
    return act(
        request,
        lambda: services.change_intervention_status(
            actor=request.user, intervention=intervention, action=action
        ),
        success=lambda changed: (
            _("The intervention is now %(status)s.") % {"status": changed.get_status_display()}
        ),
        next=reverse("referrals:intervention", args=[number, pk]),
    )


@capability_required(roles.MANAGE_CASES)
@require_http_methods(["GET", "POST"])
def funding_request_create(request, number, pk):
    case = get_case(request, number, manage=True)
    intervention = selectors.get_intervention(case, pk)
    form = FundingRequestForm(request.POST or None)
    done = submit(
        request,
        form,
        lambda data: services.request_funding(actor=request.user, intervention=intervention, **data),
        success=_("The funding request was sent to the department."),
        next=reverse("referrals:intervention", args=[number, pk]),
    )
    return done or render_case(
        request, "referrals/funding_request.html", case, "plan", intervention=intervention, form=form
    )


@capability_required(roles.VIEW_CASES)
@require_POST
def plan_print(request, number):
    case = get_case(request, number)
    form = PrintForm(request.POST)
    language = form.cleaned_data["language"] if form.is_valid() else translation.get_language()
    return act(
        request,
        lambda: services.request_plan_print(actor=request.user, case=case, language=language),
        success=None,
        next=lambda plan_print: reverse("referrals:plan_print_status", args=[number, plan_print.pk]),
        refused=reverse("referrals:plan", args=[number]),
    )


@capability_required(roles.VIEW_CASES)
def plan_print_status(request, number, pk):
    case = get_case(request, number)
    plan_print = get_object_or_404(case.plan_prints.filter(requested_by=request.user), pk=pk)
    template = (
        "referrals/includes/print_status.html"
        if request.headers.get("HX-Request")
        else "referrals/plan_print.html"
    )
    return render_case(request, template, case, "plan", plan_print=plan_print)


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
