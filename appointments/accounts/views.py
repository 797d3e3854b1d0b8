"""Access accounts and roles (Pilot, Configuration > Resources)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from appointments import roles, selectors
from appointments.accounts import services
from appointments.accounts.forms import AccountEditForm, AccountForm, RoleForm
from appointments.pages import organization_of, render_page
from appointments.tables import RoleTable
from portal.formviews import act, submit
from portal.permissions import capability_required
from portal.roles import get_role


def role_row(membership, location_names, today):
    """A role of an access account as its lists show it: label, locations, current or not."""
    role = get_role(membership.role)
    ids = (membership.scope or {}).get("locations") or []
    return {
        "membership": membership,
        "label": role.label if role else membership.role,
        "location": ", ".join(location_names.get(pk, "?") for pk in ids) if ids else _("All locations"),
        "current": membership.valid_from <= today
        and (membership.valid_to is None or membership.valid_to >= today),
    }


def _roles_url(account):
    """The account's roles page: where its changes go on."""
    return reverse("appointments:account_roles", kwargs={"pk": account.pk})


def _account_values(data, exclude=()):
    """The account form's values as the services take them (the phone as text, "" when none)."""
    values = {key: value for key, value in data.items() if key not in exclude}
    values["phone"] = str(values["phone"]) if values["phone"] else ""
    return values


@capability_required(roles.CONFIGURE)
@require_http_methods(["GET", "POST"])
def account_create(request):
    form = AccountForm(request.POST or None, initial={"preferred_language": request.LANGUAGE_CODE})
    done = submit(
        request,
        form,
        lambda data: services.create_access_account(
            organization=organization_of(request), **_account_values(data, exclude=("limit_access",))
        ),
        success=_(
            "The access account was created with the Consultation #2 role, and its sign-in details were "
            "sent by email. Check its role now."
        ),
        next=_roles_url,
    )
    return done or render_page(request, "appointments/account_form.html", {"form": form})


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
    done = submit(
        request,
        form,
        lambda data: services.update_access_account(
            organization=organization_of(request), account=account, **_account_values(data)
        ),
        success=_("The access account was saved."),
        next="appointments:resource_list",
    )
    return done or render_page(request, "appointments/account_edit.html", {"form": form, "account": account})


@capability_required(roles.CONFIGURE)
@require_POST
def account_reset_password(request, pk):
    account = selectors.get_access_account(request.user, pk)
    return act(
        request,
        lambda: services.reset_password(
            actor=request.user, organization=organization_of(request), account=account
        ),
        success=_(
            "The password was reset: %(email)s received the sign-in details and a link to choose a new password."
        )
        % {"email": account.email},
        next=_roles_url(account),
    )


@capability_required(roles.CONFIGURE)
def account_roles(request, pk):
    """The key icon: the list of the person's roles here (guide 2.4)."""
    account = selectors.get_access_account(request.user, pk)
    location_names = {location.pk: location.name for location in selectors.locations_for(request.user)}
    today = timezone.localdate()
    rows = [role_row(membership, location_names, today) for membership in account.clinic_memberships]
    table = [(code, get_role(code)) for code in roles.ROLE_CODES]
    return render_page(
        request,
        "appointments/account_roles.html",
        {
            "account": account,
            "rows": rows,
            "roles_table": RoleTable(rows, organization=organization_of(request)),
            "role_table": table,
            "organization": organization_of(request),
            "ended": services.access_ended(account.clinic_memberships, today),
        },
    )


@capability_required(roles.CONFIGURE)
@require_http_methods(["GET", "POST"])
def role_edit(request, pk=None, account_pk=None):
    organization = organization_of(request)
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
    reopening = membership is None and services.access_ended(account.clinic_memberships)
    if reopening:
        # Reopening an ended access: the role it had last, from today, offered first.
        last = max(account.clinic_memberships, key=lambda role: (role.valid_to, role.pk))
        ids = (last.scope or {}).get("locations") or []
        initial = {"role": last.role, "location": ids[0] if ids else None}
    form = RoleForm(request.POST or None, initial=initial, locations=selectors.locations_for(request.user))

    def save(data):
        values = {key: data[key] for key in ("role", "location", "valid_from", "valid_to")}
        if membership is None:
            return services.add_role(organization=organization, account=account, **values)
        return services.change_role(
            actor=request.user, organization=organization, membership=membership, **values
        )

    done = submit(
        request,
        form,
        save,
        success=_("The access was reopened.") if reopening else _("The role was saved."),
        next=_roles_url(account),
    )
    return done or render_page(
        request,
        "appointments/role_form.html",
        {
            "form": form,
            "account": account,
            "membership": membership,
            "organization": organization,
            "reopening": reopening,
        },
    )


@capability_required(roles.CONFIGURE)
@require_POST
def account_end_access(request, pk):
    account = selectors.get_access_account(request.user, pk)
    return act(
        request,
        lambda: services.end_access(
            actor=request.user, organization=organization_of(request), account=account
        ),
        success=_("The access of %(name)s has ended.") % {"name": account.get_full_name() or account.email},
        next="appointments:resource_list",
        refused=_roles_url(account),
    )


@capability_required(roles.CONFIGURE)
@require_POST
def role_remove(request, pk):
    membership = selectors.get_account_membership(request.user, pk)
    return act(
        request,
        lambda: services.remove_role(
            actor=request.user, organization=organization_of(request), membership=membership
        ),
        success=_("The role was removed."),
        next=reverse("appointments:account_roles", kwargs={"pk": membership.user_id}),
    )
