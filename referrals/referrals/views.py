"""Referrals and case transfer screens: a case's referrals, the clients referred to an agency,
the transfer and the correspondence templates.
"""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.db import text_search
from portal.forms import show_service_error as _show_error
from portal.formviews import act, submit
from portal.params import as_id
from portal.permissions import capability_required
from portal.search import personal_search
from portal.selectors import active_organization
from portal.services import record_view
from portal.tables import paginate
from portal.workflow import ActionError
from referrals import roles
from referrals.agreements import selectors as agreement_selectors
from referrals.cases import selectors as case_selectors
from referrals.cases.forms import DocumentForm
from referrals.cases.pages import CLIENT_SEARCH_FIELDS, can_manage, get_case, render_case, submit_case_form
from referrals.models import (
    NETWORK_TYPES,
    CorrespondenceTemplate,
    ReferralType,
)
from referrals.plans import selectors as plan_selectors
from referrals.referrals import selectors, services
from referrals.referrals.forms import (
    ReferralForm,
    ReferralTypeForm,
    ResponseForm,
    TemplateForm,
    TransferForm,
)
from referrals.responses import services as responses
from referrals.tables import IncomingTable, TemplateTable


@capability_required(roles.VIEW_CASES)
@require_http_methods(["GET", "POST"])
def referrals(request, number):
    """The case's referrals: the list (a row opens to every field), and Add by type."""
    case = get_case(request, number)
    form = (
        ReferralTypeForm(request.POST or None, transferable=services.is_transferable(case))
        if can_manage(request, case) and not case.is_closed
        else None
    )
    done = submit_case_form(
        request,
        case,
        form,
        lambda data: services.create_referral(
            actor=request.user, case=case, referral_type=data["referral_type"]
        ),
        success=None,
        next=lambda referral: reverse("referrals:referral_edit", args=[number, referral.pk]),
    )
    if done:
        return done
    referrals = list(selectors.referrals_of(case))
    for referral in referrals:
        # Its buttons, from the referral's and the transfer's declarations (services).
        referral.actions = services.referral_actions(referral, request.user)
    return render_case(
        request,
        "referrals/referrals.html",
        case,
        "referrals",
        form=form,
        referrals=referrals,
        open_pk=as_id(request.GET.get("open", "")),
    )


def _referral_form(request, referral, data=None, initial=None, sending=False):
    return ReferralForm(
        data,
        initial=initial,
        referral=referral,
        agencies=services.network_agencies(excluding=referral.case.agency),
        sending=sending,
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
    case = get_case(request, number, manage=True)
    referral = selectors.get_referral(case, pk)
    if not referral.is_draft:
        messages.error(
            request, _("This referral was sent: it can no longer be changed. Nothing was changed.")
        )
        return redirect(reverse("referrals:referrals", args=[number]) + f"?open={pk}#referral-{pk}")
    if request.method == "POST":
        # "Send the referral" checks every field the sending needs before its confirmation page.
        form = _referral_form(request, referral, request.POST, sending=request.POST.get("action") == "send")
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
            return act(
                request,
                lambda: services.change_referral_language(
                    actor=request.user, referral=referral, language=request.POST["language"], **values
                ),
                success=_("The language was changed: the subject and the body are the template's again."),
                next=reverse("referrals:referral_edit", args=[number, pk]),
            )
        action = request.POST.get("action")
        if action == "preview":
            return _save_and_preview(request, case, referral, form)
        done = submit(
            request,
            form,
            lambda data: services.update_referral(actor=request.user, referral=referral, **form.values()),
            success=None if action == "send" else _("The draft referral was saved."),
            next=reverse(
                "referrals:referral_send" if action == "send" else "referrals:referral_edit",
                args=[number, pk],
            ),
        )
        if done:
            return done
    elif request.GET.get("check") == "send":
        # Back from the confirmation page with something missing: each error next to its field.
        data = {name: value for name, value in _referral_initial(referral).items() if value is not None}
        form = _referral_form(request, referral, data, sending=True)
        form.is_valid()
    else:
        form = _referral_form(request, referral, initial=_referral_initial(referral))
    return _render_referral_form(request, case, referral, form)


def _save_and_preview(request, case, referral, form):
    """Save the draft, then build the letter as it will be attached: the draft stays saved when
    the preview cannot be made (its reason next to the field)."""
    if form.is_valid():
        try:
            referral = services.update_referral(actor=request.user, referral=referral, **form.values())
            preview = services.request_letter_preview(actor=request.user, referral=referral)
        except ActionError as error:
            _show_error(request, form, error)
        else:
            return redirect("referrals:plan_print_status", case.number, preview.pk)
    return _render_referral_form(request, case, referral, form)


def _render_referral_form(request, case, referral, form):
    agencies = (
        services.network_agencies(excluding=case.agency) if referral.referral_type in NETWORK_TYPES else []
    )
    return render_case(
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
    case = get_case(request, number, manage=True)
    referral = selectors.get_referral(case, pk)
    form = DocumentForm(request.POST, request.FILES)
    if not referral.is_draft:
        messages.error(
            request, _("This referral was sent: it can no longer be changed. Nothing was changed.")
        )
    elif form.is_valid():
        return act(
            request,
            lambda: services.add_referral_document(
                actor=request.user,
                referral=referral,
                document_type=form.cleaned_data["document_type"],
                description=form.cleaned_data["description"],
                upload=form.cleaned_data["file"],
                content_type=form.content_type,
            ),
            success=_("The document was added."),
            next=reverse("referrals:referral_edit", args=[number, pk]),
        )
    else:
        messages.error(request, " ".join(" ".join(errors) for errors in form.errors.values()))
    return redirect("referrals:referral_edit", number, pk)


@capability_required(roles.MANAGE_CASES)
@require_http_methods(["GET", "POST"])
def referral_send(request, number, pk):
    """The guide's confirmation before sending; then the referral is read-only for good."""
    case = get_case(request, number, manage=True)
    referral = selectors.get_referral(case, pk)
    if request.method == "POST":
        # Not portal.formviews.act: what the draft lacks is said field by field, one message each,
        # and the person goes back to the draft to fill it in.
        try:
            services.send_referral(actor=request.user, referral=referral)
        except ActionError as error:
            if hasattr(error, "error_dict"):
                for field_errors in error.error_dict.values():
                    for message in field_errors:
                        messages.error(request, " ".join(message.messages))
            else:
                messages.error(request, " ".join(error.messages))
            if referral.is_draft:
                return redirect(reverse("referrals:referral_edit", args=[number, pk]) + "?check=send")
            return redirect("referrals:referrals", number)
        messages.success(request, _("The referral was sent. Its letter is being emailed."))
        return redirect(reverse("referrals:referrals", args=[number]) + f"?open={pk}#referral-{pk}")
    if not referral.is_draft:
        messages.error(
            request, _("This referral was sent: it can no longer be changed. Nothing was changed.")
        )
        return redirect("referrals:referrals", number)
    if services.missing_for_sending(referral):
        # Not the question yet: the draft lacks something, said next to its field.
        return redirect(reverse("referrals:referral_edit", args=[number, pk]) + "?check=send")
    return render_case(request, "referrals/referral_send.html", case, "referrals", referral=referral)


@capability_required(roles.MANAGE_CASES)
@require_http_methods(["GET", "POST"])
def referral_cancel(request, number, pk):
    case = get_case(request, number, manage=True)
    referral = selectors.get_referral(case, pk)
    if request.method == "POST":
        return act(
            request,
            lambda: services.cancel_referral(actor=request.user, referral=referral),
            success=_("The draft referral was deleted."),
            next=reverse("referrals:referrals", args=[number]),
        )
    return render_case(request, "referrals/referral_cancel.html", case, "referrals", referral=referral)


@capability_required(roles.MANAGE_CASES)
@require_http_methods(["GET", "POST"])
def referral_action(request, number, pk, action):
    """A referral's buttons (withdraw a pending transfer, send again a referral whose email
    failed): one transition of services.TRANSFER_FLOW or REFERRAL_FLOW, asked first (GET)."""
    case = get_case(request, number, manage=True)
    referral = selectors.get_referral(case, pk)
    transition = services.referral_action(action)
    if transition is None:
        raise Http404
    if referral.is_from_other_agency(case.agency_id):
        # Sent by the agency the case came from: not this agency's to act on (the service refuses too).
        messages.error(request, services.NOT_YOUR_REFERRAL)
        return redirect(reverse("referrals:referrals", args=[number]) + f"?open={pk}#referral-{pk}")
    refusal = services.answered_refusal(referral, action)
    if refusal:
        messages.error(request, refusal)
        return redirect(reverse("referrals:referrals", args=[number]) + f"?open={pk}#referral-{pk}")
    if request.method == "GET":
        return render_case(
            request,
            "referrals/referral_action.html",
            case,
            "referrals",
            referral=referral,
            label=transition.label,
        )
    return act(
        request,
        lambda: services.take_referral_action(actor=request.user, referral=referral, action=action),
        success=_("Done."),
        next=reverse("referrals:referrals", args=[number]) + f"?open={pk}#referral-{pk}",
    )


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
    context = {
        "referral": referral,
        "case": case,
        "person": case.person,
        # The answers this person may give now (informational referrals: responses.RESPONSE_FLOW).
        "response_actions": responses.response_actions(referral, request.user),
        "answerable": responses.is_answerable(referral),
    }
    if referral.referral_type == ReferralType.TRANSFER:
        context["identified"] = plan_selectors.identified_needs(plan_selectors.latest_needs(case))
        context["interventions"] = list(plan_selectors.interventions_of(case))
    return render(request, "referrals/incoming_detail.html", context)


@capability_required(roles.MANAGE_CASES)
@require_http_methods(["GET", "POST"])
def incoming_respond(request, pk, action):
    """Accept or decline an informational referral: its page (a decline's reason, or a comment),
    then the answer, once; the sender is told."""
    referral = selectors.get_incoming_for_user(request.user, pk)
    transition = responses.RESPONSE_FLOW.get(action)
    if transition is None or referral.referral_type != ReferralType.WITHIN:
        raise Http404
    detail = reverse("referrals:incoming_detail", args=[pk])
    if action not in {item.name for item in responses.response_actions(referral, request.user)}:
        # Answered already (by a colleague, say), or the case left the sender since: said, nothing done.
        flow = responses.RESPONSE_FLOW
        refused = flow.refuse(referral, transition.sources, transition)
        messages.error(
            request,
            " ".join(refused.messages) if not flow.allows(referral, action) else responses.MOVED_SINCE,
        )
        return redirect(detail)
    decline = action == "decline"
    form = ResponseForm(request.POST or None, decline=decline)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if decline:
                responses.decline_referral(
                    actor=request.user, referral=referral, reason=data["reason"], comment=data["comment"]
                )
            else:
                responses.accept_referral(actor=request.user, referral=referral, comment=data["comment"])
        except ActionError as error:
            if hasattr(error, "error_dict"):
                _show_error(request, form, error)
            else:
                # Someone answered first: their answer stands, and the page shows it.
                messages.error(request, " ".join(error.messages))
                return redirect(detail)
        else:
            messages.success(
                request,
                _("The referral was declined. The sender was told.")
                if decline
                else _("The referral was accepted. The sender was told."),
            )
            return redirect(detail)
    return render(
        request,
        "referrals/incoming_respond.html",
        {
            "referral": referral,
            "case": referral.case,
            "form": form,
            "label": transition.label,
            "action": action,
        },
    )


@capability_required(roles.MANAGE_CASES)
@require_http_methods(["GET", "POST"])
def transfer(request, pk):
    """Case details / Transfer: the receiving agency's office, case manager, agreement and location;
    Save; the guide's confirmation (From … To …); then the case is theirs."""
    referral = selectors.get_incoming_for_user(request.user, pk, listed=False)
    if referral.referral_type != ReferralType.TRANSFER:
        raise Http404
    if not services.is_transferable(referral.case):
        # Closed or in follow-up since it was sent: refused before the form is filled in (and the
        # transfer has left the list of clients referred to us).
        messages.error(
            request, _("A case in follow-up or closed cannot be transferred. Nothing was changed.")
        )
        return redirect("referrals:incoming")
    agency = active_organization(request.user)
    form = TransferForm(
        request.POST or None,
        offices=agreement_selectors.offices_for(agency),
        managers=case_selectors.case_managers(agency),
        agreements=agreement_selectors.active_agreements(agency),
        locations=agreement_selectors.delivery_locations(agency),
        initial={"case_manager": request.user},
    )
    if request.method == "POST" and form.is_valid() and request.POST.get("confirm") != "1":
        return render(
            request,
            "referrals/transfer_confirm.html",
            {"referral": referral, "case": referral.case, "form": form},
        )
    done = submit(
        request,
        form,
        lambda data: services.complete_transfer(actor=request.user, referral=referral, **data),
        success=_("The case was transferred successfully."),
        next=lambda case: case,
    )
    if done:
        return done
    return render(
        request, "referrals/transfer.html", {"referral": referral, "case": referral.case, "form": form}
    )


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
        return act(
            request,
            lambda: services.delete_template(template=template),
            success=_("The template was deleted."),
            next=reverse("referrals:template_list"),
            refused=reverse("referrals:template_edit", args=[pk]),
        )
    done = submit(
        request,
        form,
        lambda data: services.save_template(template=template, **data),
        success=_("The template was saved."),
        next=reverse("referrals:template_list"),
    )
    return done or render(
        request,
        "referrals/template_form.html",
        {"form": form, "template": template, "in_use": template is not None and template.referrals.exists()},
    )
