"""Tenancy as an invariant: a model that belongs to an organization is read through a scope.

Every such model uses a manager built from `ScopedQuerySet` (see `scoped_manager`). A queryset
of it counts as *scoped* when

- a selector filtered it through a named method: `.for_organization(org)` (the model's
  organization fields, in the query), `.for_user(user)` (what belongs to one person: tasks,
  notifications, memberships), or `.scoped(reason)` when the selector applies its own
  organization rule (a provider's visibility) or reads deliberately without one (a public
  booking page reached by a token, a check across the whole database);
- or it was reached from an object already fetched (`summary.orders.all()`): Django's related
  managers put that object in the queryset's hints.

While a request is handled (`ScopingMiddleware` sets the context) an unscoped queryset of a
scoped model that is evaluated raises `UnscopedQuery` when settings.SCOPING_STRICT is on (the
test suite turns it on), and logs a warning otherwise. Outside requests (workers, management
commands, the demo loader, tests' own set-up) nothing changes.

Trusted code may read without a scope even inside a request: the write layer (`services`
modules, which receive objects a view already fetched through a selector and re-read them by
primary key to lock them), `tasks` modules (worker code, which runs in-process when there is no
broker), Django's uniqueness validation, and the admin site (superusers with a second factor,
whose pages are read-only where services enforce rules).
"""

import contextvars
import logging
import sys
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.forms import ModelChoiceField
from django.forms.models import BaseInlineFormSet

logger = logging.getLogger("portal.scoping")


class UnscopedQuery(Exception):
    """A query of an organization's data that no selector scoped, while a request is handled."""


@dataclass
class _RequestScope:
    enforced: bool = True


_current = contextvars.ContextVar("liaison_request_scope", default=None)


def enter_request():
    """Start enforcing for the request being handled; returns the token for `leave_request`."""
    return _current.set(_RequestScope())


def leave_request(token):
    _current.reset(token)


def current():
    return _current.get()


def relax_current_request():
    """The rest of this request reads without scopes (the admin site)."""
    scope = _current.get()
    if scope is not None:
        scope.enforced = False


class request_context:
    """`with request_context():` behaves as if a request were being handled (tests, shells)."""

    def __enter__(self):
        self._token = enter_request()
        return _current.get()

    def __exit__(self, *exc):
        leave_request(self._token)
        return False


# Module names whose reads are trusted (see the module docstring for why).
TRUSTED_MODULE_SUFFIXES = (".services", ".tasks")
TRUSTED_MODULES = {
    "django.db.models.base",  # validate_unique / validate_constraints of model forms
    "django.db.models.constraints",
}


def _trusted_caller():
    frame = sys._getframe(2)
    extra = set(getattr(settings, "SCOPING_TRUSTED_MODULES", ()))
    while frame is not None:
        name = frame.f_globals.get("__name__", "")
        if name in TRUSTED_MODULES or name in extra or name.endswith(TRUSTED_MODULE_SUFFIXES):
            return True
        frame = frame.f_back
    return False


class ScopedQuerySet(models.QuerySet):
    # The fields that hold the organization(s) the rows belong to (any of them gives access).
    organization_fields: tuple[str, ...] = ("organization",)
    # The field that holds the person the rows belong to, for `for_user`.
    user_field: str | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._scope_reason = None

    def _clone(self):
        clone = super()._clone()
        clone._scope_reason = self._scope_reason
        return clone

    # Scoping --------------------------------------------------------------------------------

    def scoped(self, reason):
        """Mark as scoped by the caller's own rule; `reason` says which (read by people, not code)."""
        clone = self._chain()
        clone._scope_reason = reason
        return clone

    def for_organization(self, organization):
        """The rows of this organization (by id or object), filtered in the query."""
        if organization is None:
            return self.none().scoped("no organization")
        pk = getattr(organization, "pk", organization)
        condition = Q()
        for field in self.organization_fields:
            condition |= Q(**{field: pk})
        return self.filter(condition).scoped("organization")

    def for_user(self, user):
        """The rows that belong to this person."""
        if self.user_field is None:
            raise TypeError(f"{self.model.__name__} does not belong to a person.")
        if not getattr(user, "is_authenticated", False):
            return self.none().scoped("anonymous")
        return self.filter(**{self.user_field: user.pk}).scoped("user")

    def none(self):
        # An empty result reveals nothing.
        return super().none().scoped("empty")

    @property
    def is_scoped(self):
        return self._scope_reason is not None or self._hints.get("instance") is not None

    def _check_scope(self):
        if self.is_scoped:
            return
        scope = _current.get()
        if scope is None or not scope.enforced or _trusted_caller():
            return
        message = (
            f"Unscoped query of {self.model._meta.label} while handling a request: "
            "fetch it through a selector that filters by organization "
            "(.for_organization(), .for_user() or .scoped(reason))."
        )
        if getattr(settings, "SCOPING_STRICT", False):
            raise UnscopedQuery(message)
        logger.warning(message, stack_info=True)

    # Every way a queryset reaches the database -------------------------------------------------

    def _fetch_all(self):
        if self._result_cache is None:
            self._check_scope()
        super()._fetch_all()

    def iterator(self, *args, **kwargs):
        self._check_scope()
        return super().iterator(*args, **kwargs)

    def count(self):
        if self._result_cache is None:
            self._check_scope()
        return super().count()

    def exists(self):
        if self._result_cache is None:
            self._check_scope()
        return super().exists()

    def contains(self, obj):
        if self._result_cache is None:
            self._check_scope()
        return super().contains(obj)

    def aggregate(self, *args, **kwargs):
        self._check_scope()
        return super().aggregate(*args, **kwargs)

    def in_bulk(self, *args, **kwargs):
        self._check_scope()
        return super().in_bulk(*args, **kwargs)

    def update(self, **kwargs):
        self._check_scope()
        return super().update(**kwargs)

    update.alters_data = True  # type: ignore[attr-defined]  # Django's marker on a method

    def delete(self):
        self._check_scope()
        return super().delete()

    delete.alters_data = True  # type: ignore[attr-defined]  # Django's markers on a method
    delete.queryset_only = True  # type: ignore[attr-defined]


def scoped_queryset(
    *organization_fields: str, user: str | None = None, base: type[ScopedQuerySet] = ScopedQuerySet
) -> type[ScopedQuerySet]:
    """A ScopedQuerySet class for a model whose organization is reached through these fields."""
    attrs: dict[str, Any] = {"user_field": user, "__module__": base.__module__}
    if organization_fields:
        attrs["organization_fields"] = tuple(organization_fields)
    return type("ScopedQuerySet", (base,), attrs)


def scoped_manager(*organization_fields: str, user: str | None = None) -> models.Manager[Any]:
    """`objects = scoped_manager("department", "provider")` on an organization's model."""
    return scoped_queryset(*organization_fields, user=user).as_manager()


class ScopedInlineFormSet(BaseInlineFormSet):
    """An inline formset whose rows are read from the parent object (a scoped read).

    Django's own reads its rows, and checks the ids posted back, through the model's default
    manager; here both go through the parent's related manager.
    """

    def __init__(self, data=None, files=None, instance=None, queryset=None, **kwargs):
        if queryset is None and instance is not None and instance.pk is not None:
            queryset = getattr(instance, self.fk.remote_field.get_accessor_name()).all()
        super().__init__(data, files, instance=instance, queryset=queryset, **kwargs)

    def add_fields(self, form, index):
        super().add_fields(form, index)
        field = form.fields.get(self._pk_field.name)
        if isinstance(field, ModelChoiceField):
            field.queryset = self.get_queryset()
