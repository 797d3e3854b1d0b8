"""The business partner directory."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.db import folded_q, order_by_name
from portal.formviews import submit
from portal.permissions import capability_required, has_capability
from portal.selectors import active_organization
from portal.tables import paginate
from referrals import roles
from referrals.partners import selectors, services
from referrals.partners.forms import PartnerForm, PartnerSearchForm
from referrals.tables import PartnerTable


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
    done = submit(
        request,
        form,
        # The form's fields, the services offered included, are save_partner's keywords.
        lambda data: services.save_partner(partner=partner, agency=agency, **data),
        success=_("The business partner was saved."),
        next=lambda saved: reverse("referrals:partner", args=[saved.pk]),
    )
    return done or render(
        request,
        "referrals/partner_form.html",
        {"form": form, "partner": partner, "public": agency is None},
    )
