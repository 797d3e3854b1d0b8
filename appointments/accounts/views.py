"""Access accounts and roles (Pilot, Configuration > Resources)."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from appointments import roles, selectors
from appointments.accounts import services
from appointments.accounts.forms import AccountEditForm, AccountForm, RoleForm
from appointments.pages import _organization, _page
from portal.forms import show_service_error
from portal.permissions import capability_required
from portal.roles import get_role
from portal.workflow import ActionError


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
def account_create(request):
    form = AccountForm(request.POST or None, initial={"preferred_language": request.LANGUAGE_CODE})
    if request.method == "POST" and form.is_valid():
        data = {key: value for key, value in form.cleaned_data.items() if key != "limit_access"}
        data["phone"] = str(data["phone"]) if data["phone"] else ""
        try:
            account = services.create_access_account(organization=_organization(request), **data)
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
