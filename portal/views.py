import textwrap
from base64 import b32encode

import qrcode
import qrcode.image.svg
from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token

from portal import other_roles, roles, selectors, services
from portal.accounts import invitations
from portal.accounts import services as accounts
from portal.filters import AuditFilter
from portal.forms import (
    ActiveRoleForm,
    CodeForm,
    InvitationForm,
    LanguageForm,
    ProfileForm,
    show_service_error,
)
from portal.middleware import ACTIVE_MEMBERSHIP_SESSION_KEY
from portal.models import ExportStatus, Language
from portal.params import safe_next
from portal.permissions import capability_required, has_capability
from portal.search import personal_search
from portal.tables import AuditTable, MemberTable, NotificationTable, OutboxTable, TaskTable, paginate

BACKUP_CODES_SESSION_KEY = "new_backup_codes"


def _with_next(url_name, next_url):
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


def _safe_next(request, fallback="portal:home"):
    return safe_next(request, reverse(fallback))


# Home --------------------------------------------------------------------------------------


def _tiles_for(user):
    tiles = []
    for tile in roles.all_tiles():
        if tile.capability and not has_capability(user, tile.capability):
            continue
        try:
            url = reverse(tile.url_name, kwargs=tile.url_kwargs)
        except NoReverseMatch:
            continue
        tiles.append({"tile": tile, "url": url, "count": tile.count(user) if tile.count else None})
    return tiles


HOME_LIST_LIMIT = 10


def _home_extras(request):
    """Templates of the home boxes the active role may use."""
    return [
        template
        for template, capability in roles.all_home_boxes()
        if has_capability(request.user, capability)
    ]


def home(request):
    user = request.user
    tasks = list(selectors.open_tasks_for(user)[:HOME_LIST_LIMIT])
    notifications = list(selectors.unread_notifications_for(user)[:HOME_LIST_LIMIT])
    return render(
        request,
        "portal/home.html",
        {
            "tiles": _tiles_for(user),
            # The home page shows the first few; the full lists are one link away.
            "tasks": tasks,
            "task_count": selectors.open_tasks_for(user).count(),
            # Record columns (case id, person, program, created by) when the items carry them.
            "task_columns": any(task.record_number for task in tasks),
            "notifications": notifications,
            "notification_count": selectors.unread_notifications_for(user).count(),
            "notification_columns": any(item.record_number for item in notifications),
            "home_extras": _home_extras(request),
            "horizon": selectors.home_horizon(),
        },
    )


def task_list(request):
    table = paginate(request, TaskTable(selectors.all_open_tasks_for(request.user)))
    return render(request, "portal/task_list.html", {"table": table})


def notification_list(request):
    table = paginate(request, NotificationTable(selectors.all_notifications_for(request.user)))
    return render(request, "portal/notification_list.html", {"table": table})


def open_notification(request, pk):
    """Mark a notification read and go to its record (harmless to repeat, so a plain link)."""
    notification = selectors.get_notification_for_user(request.user, pk)
    services.mark_notification_read(notification=notification)
    safe = url_has_allowed_host_and_scheme(notification.link, allowed_hosts={request.get_host()})
    return HttpResponseRedirect(notification.link if safe else reverse("portal:home"))


@require_POST
def complete_task(request, pk):
    task = selectors.get_task_for_user(request.user, pk)
    services.complete_task(task=task)
    messages.success(request, _("Task marked as done: %(title)s") % {"title": task.title})
    return redirect(_safe_next(request))


# Active role and language ------------------------------------------------------------------


@require_POST
def switch_role(request):
    memberships = selectors.valid_memberships(request.user)
    form = ActiveRoleForm(request.POST, memberships=memberships)
    if not form.is_valid():
        messages.error(request, _("That role is not available to you. Choose one of your roles."))
        return redirect(_safe_next(request))
    request.session[ACTIVE_MEMBERSHIP_SESSION_KEY] = form.cleaned_data["membership"]
    membership = next(m for m in memberships if m.pk == form.cleaned_data["membership"])
    messages.success(request, _("Your role is now: %(role)s") % {"role": membership})
    if request.POST.get("open") == "1":
        # "Switch and open" from a page of another role (other_role.html): go on to that page.
        return redirect(_safe_next(request))
    # The new role may not open the current page: start from the home page.
    return redirect("portal:home")


def _other_role_or(request, exception, plain):
    """A 403 or 404 of a page another of the person's roles opens: offer that role (other_roles)."""
    found = other_roles.roles_that_open(request)
    if not found:
        return plain(request, exception)
    return render(
        request,
        "portal/other_role.html",
        {"other_memberships": found, "target": request.get_full_path()},
        status=403,
    )


def permission_denied(request, exception=None):
    """handler403 (config/urls.py)."""
    return _other_role_or(request, exception, defaults.permission_denied)


def page_not_found(request, exception=None):
    """handler404 (config/urls.py)."""
    return _other_role_or(request, exception, defaults.page_not_found)


@login_not_required
@require_POST
def set_language(request):
    form = LanguageForm(request.POST)
    response = HttpResponseRedirect(_safe_next(request))
    if form.is_valid():
        language = form.cleaned_data["language"]
        # The pages' language only: the language of the person's emails and text messages is the
        # profile's choice (issue 18), never changed by this button.
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            secure=getattr(settings, "LANGUAGE_COOKIE_SECURE", False),
            httponly=False,
        )
    return response


# Profile and second factor -----------------------------------------------------------------


def profile(request):
    user = request.user
    initial = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "phone": user.phone,
        "preferred_language": user.preferred_language,
    }
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        accounts.update_profile(user=user, **form.cleaned_data)
        messages.success(request, _("Your profile has been saved."))
        return redirect("portal:profile")
    return render(request, "portal/profile.html", {"form": form})


def _qr_svg(data):
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return image.to_string(encoding="unicode")


def _verified(request):
    return request.user.is_verified()


# Replacing the authenticator, once set up, asks for the password again (allauth reauthentication).
@reauthentication_required(enabled=_verified)
def mfa_setup(request):
    """Enrol an authenticator app: scan the code (or type the key), then confirm with a code."""
    user = request.user
    if user.is_verified():
        # Replacing an authenticator is a deliberate act from the profile page, once verified.
        if request.method == "GET" and request.GET.get("replace") != "1":
            return redirect("portal:profile")
    elif accounts.user_has_second_factor(user):
        return redirect(_with_next("portal:mfa_verify", _safe_next(request)))
    device = accounts.start_totp_enrolment(user=user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            replacing = user.is_verified()
            codes = accounts.confirm_totp_enrolment(user=user, device=device)
            if replacing:
                accounts.tell_owner_of_security_change(user=user, change="authenticator")
            _second_factor_passed(request, device)
            request.session[BACKUP_CODES_SESSION_KEY] = codes
            return redirect(_with_next("portal:backup_codes", _safe_next(request)))
        form.add_error(
            "code", _("This code is not valid. Check the time on your phone and try the newest code.")
        )
    return render(
        request,
        "portal/mfa_setup.html",
        {
            "form": form,
            "qr_svg": _qr_svg(device.config_url),
            # In groups of four, easier to read out and to type.
            "secret": " ".join(textwrap.wrap(b32encode(device.bin_key).decode(), 4)),
            "next": _safe_next(request),
        },
    )


def _second_factor_passed(request, device):
    """The session is now fully signed in: it gets a new key, so that a key seen before the second
    factor (a fixation, a shoulder) opens nothing."""
    otp_login(request, device)
    request.session.cycle_key()


def mfa_verify(request):
    user = request.user
    if user.is_verified():
        return redirect(_safe_next(request))
    if not accounts.user_has_second_factor(user):
        return redirect(_with_next("portal:mfa_setup", _safe_next(request)))
    form = CodeForm(request.POST or None, accept_backup=True)
    # The page is there to type one code: the cursor starts in its field (issue 18).
    form.fields["code"].widget.attrs["autofocus"] = True
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["code"])
        if device is not None:
            _second_factor_passed(request, device)
            return redirect(_safe_next(request))
        form.add_error("code", _("This code is not valid. Try the newest code, or a backup code."))
    return render(request, "portal/mfa_verify.html", {"form": form, "next": _safe_next(request)})


@reauthentication_required(allow_get=True)
def backup_codes(request):
    """Shows new backup codes once; a POST makes a new set (the old ones stop working)."""
    if request.method == "POST":
        request.session[BACKUP_CODES_SESSION_KEY] = accounts.regenerate_backup_codes(user=request.user)
        accounts.tell_owner_of_security_change(user=request.user, change="backup_codes")
        return redirect("portal:backup_codes")
    codes = request.session.pop(BACKUP_CODES_SESSION_KEY, None)
    return render(request, "portal/backup_codes.html", {"codes": codes, "next": _safe_next(request)})


# Organization ------------------------------------------------------------------------------


@capability_required("portal.view_members")
def my_organization(request):
    organization = selectors.active_organization(request.user)
    return redirect("portal:organization_detail", pk=organization.pk)


@capability_required("portal.view_members")
def organization_detail(request, pk):
    organization = selectors.get_organization_for_member(request.user, pk)
    pending = {
        invitation.membership_id: invitation for invitation in selectors.pending_invitations(organization)
    }
    table = paginate(
        request, MemberTable(selectors.organization_members(organization), pending=pending), per_page=50
    )
    services.record_view(instance=organization)
    return render(
        request,
        "portal/organization_detail.html",
        {
            "organization": organization,
            "table": table,
            "can_invite": has_capability(request.user, "portal.invite_members", organization),
        },
    )


@capability_required("portal.invite_members")
def invite_member(request):
    """Invite a person to a role of the active organization: they set their own password."""
    organization = selectors.active_organization(request.user)
    form = InvitationForm(
        request.POST or None,
        roles=invitations.invitable_roles(organization),
        initial={"language": request.user.preferred_language},
    )
    if request.method == "POST" and form.is_valid():
        try:
            invitations.invite_member(inviter=request.user, organization=organization, **form.cleaned_data)
        except ValidationError as error:
            show_service_error(request, form, error)
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]}
            )
            return redirect("portal:organization_detail", pk=organization.pk)
    return render(
        request,
        "portal/invite.html",
        {"form": form, "organization": organization, "days": invitations.INVITATION_MAX_AGE.days},
    )


@capability_required("portal.invite_members")
def invitation_list(request):
    """The active organization's pending invitations: who, which role, sent and expiring when."""
    organization = selectors.active_organization(request.user)
    return render(
        request,
        "portal/invitation_list.html",
        {
            "organization": organization,
            "invitations": selectors.pending_invitations(organization)[:200],
            "now": timezone.now(),
        },
    )


@require_POST
@capability_required("portal.invite_members")
def resend_invitation(request, pk):
    """A new link, valid from now; the previous one stops working."""
    invitation = selectors.get_pending_invitation_for_user(request.user, pk)
    try:
        invitations.resend_invitation(invitation=invitation, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Invitation sent again to %(email)s. The previous link no longer works.")
            % {"email": invitation.user.email},
        )
    return redirect("portal:invitations")


@capability_required("portal.invite_members")
def withdraw_invitation(request, pk):
    """Asks first (a page, without JavaScript too), then the link stops working and the role goes."""
    invitation = selectors.get_pending_invitation_for_user(request.user, pk)
    if request.method == "POST":
        try:
            invitations.withdraw_invitation(invitation=invitation)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("The invitation of %(email)s is withdrawn.") % {"email": invitation.user.email}
            )
        return redirect("portal:invitations")
    return render(request, "portal/invitation_withdraw.html", {"invitation": invitation})


@login_not_required
def accept_invitation(request, token):
    """The invitation's link: the person chooses a password, is signed in, then enrols MFA."""
    user = invitations.user_for_token(token)
    if user is not None and _language_not_chosen(request) and user.preferred_language in Language.values:
        # Not signed in yet, so the middleware read the browser's language: the page speaks the
        # invitation's (the language its email was written in) unless the person pressed the
        # header's button, whose choice wins as on every page.
        translation.activate(user.preferred_language)
        request.LANGUAGE_CODE = translation.get_language()
    if user is None:
        return render(request, "portal/invitation_invalid.html")
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = invitations.accept_invitation(user=user, password=form.cleaned_data["new_password1"])
        login(request, user, backend="allauth.account.auth_backends.AuthenticationBackend")
        messages.success(request, _("Your password is set. Now set up your authenticator app."))
        return redirect("portal:mfa_setup")
    return render(
        request,
        "portal/accept_invitation.html",
        {"form": form, "invited": user, "invitations": invitations.pending_for(user)},
    )


def _language_not_chosen(request) -> bool:
    return request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) not in Language.values


# Audit -------------------------------------------------------------------------------------


@capability_required("portal.view_audit")
@personal_search(AuditFilter)
def audit_log(request):
    """The organization's audit trail: who changed or viewed which record, when, from where."""
    entries = selectors.audit_entries_for(request.user)
    audit_filter = AuditFilter(request.search_data or None, queryset=entries)
    if audit_filter.is_bound:
        # A filter the form refuses (a date that is not one) lists nothing, next to its error.
        entries = audit_filter.qs if audit_filter.is_valid() else entries.none()
    table = paginate(request, AuditTable(entries), per_page=50)
    return render(request, "portal/audit_log.html", {"filter": audit_filter, "table": table})


# Exports -----------------------------------------------------------------------------------


def export_detail(request, pk):
    export = selectors.get_export_for_user(request.user, pk)
    return render(request, "portal/export.html", {"export": export})


def export_download(request, pk):
    export = selectors.get_export_for_user(request.user, pk)
    if export.status != ExportStatus.READY or not export.file:
        raise Http404
    created = timezone.localtime(export.created_at)
    filename = f"{slugify(export.name) or 'export'}-{created:%Y%m%d-%H%M}.{export.fmt}"
    return FileResponse(export.file.open("rb"), as_attachment=True, filename=filename)


# Development outbox ------------------------------------------------------------------------


def outbox(request):
    """Staff-only list of sent emails and SMS in debug mode, to follow emailed links locally."""
    if not settings.DEBUG:
        raise Http404
    if not request.user.is_staff:
        raise PermissionDenied
    table = paginate(request, OutboxTable(selectors.outbox()), per_page=50)
    return render(request, "portal/outbox.html", {"table": table})


def keepalive(request):
    """Touching the session (SessionTimeoutMiddleware) is all it takes to stay signed in."""
    return HttpResponse(status=204)


@login_not_required
def health(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
