"""Department staff: agencies, their agreements and offices, and the reference lists."""

from django.forms import modelform_factory
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from portal.formviews import submit
from portal.permissions import capability_required
from portal.selectors import active_organization
from portal.tables import paginate
from referrals import roles
from referrals.agreements import selectors, services
from referrals.agreements.forms import AgreementForm, OfficeForm
from referrals.models import (
    Agreement,
    Barrier,
    Dimension,
    FundingType,
    InterventionType,
    PartnerService,
    Program,
)
from referrals.tables import AgreementTable, ReferenceTable


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
    done = submit(
        request,
        form,
        lambda data: services.save_agreement(
            actor=request.user, agreement=agreement if pk else None, department=department, **data
        ),
        success=_("The agreement was saved."),
        next=lambda saved: reverse("referrals:agency", args=[saved.agency_id]),
    )
    return done or render(
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
    done = submit(
        request,
        form,
        lambda data: services.save_office(office=office, agency=agency, **data),
        success=_("The office was saved."),
        next=reverse("referrals:agency", args=[agency.pk]),
    )
    return done or render(
        request, "referrals/office_form.html", {"form": form, "agency": agency, "office": office}
    )


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
    done = submit(
        request,
        form,
        lambda data: services.save_reference_item(item=item, **data),
        success=_("The entry was saved."),
        next=reverse("referrals:reference_list", args=[kind]),
    )
    return done or render(
        request,
        "referrals/reference_form.html",
        {"form": form, "title": title, "kind": kind, "item": item if pk else None},
    )
