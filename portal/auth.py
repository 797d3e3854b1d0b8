"""Glue between the sign-in libraries and the capability registry."""

from portal.permissions import has_capability


def axes_username(request, credentials):
    """allauth passes the email as `email`; the sign-in form names it `login`."""
    credentials = credentials or {}
    value = credentials.get("email") or credentials.get("username") or credentials.get("login")
    if not value and request is not None:
        value = request.POST.get("login", "")
    return (value or "").strip().lower()


class CapabilityBackend:
    """Model permissions that follow from a capability of the active role.

    Department administrators search the audit log in the admin site without being made staff
    by hand: the capability "portal.view_audit" gives view access to audit entries.
    """

    PERMISSIONS = {"auditlog.view_logentry": "portal.view_audit"}

    def authenticate(self, request, **credentials):
        return None

    def has_perm(self, user_obj, perm, obj=None):
        capability = self.PERMISSIONS.get(perm)
        return bool(capability) and has_capability(user_obj, capability)

    def has_module_perms(self, user_obj, app_label):
        return any(
            perm.startswith(f"{app_label}.") and has_capability(user_obj, capability)
            for perm, capability in self.PERMISSIONS.items()
        )

    def get_user(self, user_id):
        return None
