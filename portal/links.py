"""Typed links from tasks and notifications to their record: content type + id + purpose.

    create_task(..., record=case, purpose="develop-plan")              # portal.services
    Task.objects.for_user(user).filter(about(case))                    # every open item about it
    complete_tasks(record=case, purpose="develop-plan")

One indexed lookup (record_type, record_id, purpose) instead of a substring of a key or a link,
which no index can serve.
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q


def record_link_of(record: Model) -> dict[str, Any]:
    """The fields of a home item that name this record."""
    return {"record_type": ContentType.objects.get_for_model(record), "record_id": record.pk}


def about(record: Model, *, purpose: str | None = None) -> Q:
    """A filter of tasks or notifications: the ones about this record (and for this purpose)."""
    link = Q(record_type=ContentType.objects.get_for_model(record), record_id=record.pk)
    return link & Q(purpose=purpose) if purpose is not None else link
