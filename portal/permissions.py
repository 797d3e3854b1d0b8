"""The one capability check, and the one view mixin/decorator built on it.

Order of answers, everywhere: anonymous → sign-in page with `next` (LoginRequiredMiddleware);
active role without the capability → 403; record of another organization → 404, because views
fetch records through selectors that filter by organization in the query.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied

from portal import roles
from portal.selectors import active_membership


def _organization_ids(obj_or_org):
    """The organizations that may act on a record.

    A record names them with `organization_ids` (several, e.g. a department and a provider) or
    `organization_id` (one); an Organization is its own.
    """
    ids = getattr(obj_or_org, "organization_ids", None)
    if ids is not None:
        return set(ids)
    return {obj_or_org.organization_id}


def has_capability(user, capability, obj_or_org=None):
    """May this person, in the active role, do `capability` (on this record or organization)?"""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    membership = active_membership(user)
    if membership is None:
        return False
    role = roles.get_role(membership.role)
    if role is None or capability not in role.capabilities:
        return False
    if obj_or_org is None:
        return True
    return membership.organization_id in _organization_ids(obj_or_org)


def check_capability(request, capability):
    if not has_capability(request.user, capability):
        raise PermissionDenied


def capability_required(capability):
    """Function views: 403 unless the active role has the capability."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            check_capability(request, capability)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
