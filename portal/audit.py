"""Which organizations an audit entry belongs to: one registry for every portal.

Each app registers its audited models here instead of calling auditlog directly:

    audit.register(Request, "bank", "establishment")
    audit.register(FundingRequest, "intervention__case__agency")

The strings are paths from the record to its organizations, as in a query (`summary__department`).
When auditlog writes an entry (a change, or an access through portal.services.record_view), the
record's organizations are resolved from these paths and kept as `portal.AuditScope` rows: the
portal's audit page lists an organization's entries through them, in the query.

A forward foreign key at the end of a path is read from the record itself (no query), so a
deleted record keeps the organization it had; a reverse path (a person's cases) asks the
database. Rules that paths cannot say are callables: `audit.register(User, resolve=...)`.
"""

from datetime import UTC

from auditlog.registry import auditlog
from django.apps import apps
from django.db import transaction

_resolvers = {}


def register(model, *organization_paths, resolve=None, **auditlog_options):
    """Audit `model` with auditlog and say how to find its organizations.

    `organization_paths`: paths to Organization foreign keys (or "pk" for an Organization itself);
    `resolve`: a callable (instance) -> iterable of organization ids, instead of paths.
    """
    if not organization_paths and resolve is None:
        raise ValueError(f"Say where the organization of {model.__name__} is (paths or resolve=).")
    auditlog.register(model, **auditlog_options)
    _resolvers[model] = resolve or _path_resolver(organization_paths)


def registered_models():
    return list(_resolvers)


def is_registered(model):
    return model in _resolvers


def _ids_along(instance, path):
    if path == "pk":
        return {instance.pk}
    steps = path.split("__")
    current = instance
    for index, step in enumerate(steps):
        field = current._meta.get_field(step)
        if field.concrete and (field.many_to_one or field.one_to_one):
            if index == len(steps) - 1:
                value = getattr(current, field.attname)
                return set() if value is None else {value}
            # Forward relations read through the base manager (no tenancy scope: trusted code).
            current = getattr(current, step)
            if current is None:
                return set()
            continue
        # A reverse or many-to-many step: the rest of the path is read in the database.
        rest = "__".join(steps[index:])
        values = type(current)._base_manager.filter(pk=current.pk).values_list(rest, flat=True)
        return {value for value in values if value is not None}
    return set()


def _path_resolver(paths):
    def resolve(instance):
        ids = set()
        for path in paths:
            ids |= _ids_along(instance, path)
        return ids

    return resolve


def organization_ids(instance):
    """The organizations an audited record belongs to (a set of ids; empty when none)."""
    resolver = _resolvers.get(type(instance)._meta.concrete_model)
    if resolver is None:
        return set()
    return {int(pk) for pk in resolver(instance)}


def scope_entries(pairs):
    """Write the AuditScope rows of (log entry, record) pairs in one insert."""
    from portal.models import AuditScope

    rows = [
        AuditScope(log_entry_id=entry.pk, organization_id=organization_id)
        for entry, instance in pairs
        for organization_id in sorted(organization_ids(instance))
    ]
    AuditScope.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def on_post_log(sender, instance, log_entry=None, log_created=False, **kwargs):
    """auditlog's post_log signal: the new entry gets its organizations."""
    if log_created and log_entry is not None and log_entry.pk is not None:
        scope_entries([(log_entry, instance)])


def backfill(entries=None):
    """Scope entries written before this registry existed (or by hand): returns rows written.

    The record is read again by its key; an entry whose record is gone stays unscoped (only
    superusers see it, in the admin site).
    """
    from auditlog.models import LogEntry

    entries = entries if entries is not None else LogEntry.objects.filter(scopes__isnull=True)
    written = 0
    by_model = {}
    for entry in entries.select_related("content_type").iterator():
        model = entry.content_type.model_class()
        if model is not None and is_registered(model):
            by_model.setdefault(model, []).append(entry)
    for model, model_entries in by_model.items():
        records = model._base_manager.in_bulk([entry.object_pk for entry in model_entries])
        pairs = []
        for entry in model_entries:
            record = records.get(model._meta.pk.to_python(entry.object_pk))
            if record is not None:
                pairs.append((entry, record))
        with transaction.atomic():
            written += scope_entries(pairs)
    return written


def record_types():
    """(value, label) of the audited record types, for the audit page's filter."""
    choices = []
    for model in _resolvers:
        choices.append((model._meta.label_lower, model._meta.verbose_name))
    return sorted(choices, key=lambda choice: str(choice[1]).casefold())


def model_for(label):
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return None
    return model if is_registered(model) else None


# Reading entries ---------------------------------------------------------------------------------

TRUNCATE_AT = 200


def _field(model, name):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except Exception:  # FieldDoesNotExist, or a field since removed
        return None


EMPTY_VALUES = (None, "", "None", "{}", "[]", "null")
# Records saved first with a placeholder number, renumbered in the same transaction (orders).
PLACEHOLDER_PREFIX = "tmp-"


def _is_shown_field(model, field):
    """A real, editable column of the record: not a reverse relation, not the automatic key."""
    from django.db.models.fields import AutoFieldMixin

    if model is None or field is None:
        return True  # the model or the field is gone since: show what was stored
    if field.many_to_many:
        return True
    return bool(field.concrete) and not field.auto_created and not isinstance(field, AutoFieldMixin)


def _is_relation(field):
    return field is not None and field.concrete and (field.many_to_one or field.one_to_one)


def related_names(entries):
    """{(related model, key as text): name} of the records the entries' foreign keys point to.

    One query per related model present in the entries, whatever their number; read through the
    base manager (trusted code: the entries are already the viewer's organization's).
    """
    wanted = {}
    for entry in entries:
        model = entry.content_type.model_class()
        for name, values in (entry.changes_dict or {}).items():
            field = _field(model, name)
            if not _is_relation(field) or isinstance(values, dict):
                continue
            related = field.related_model._meta.concrete_model
            target = field.target_field
            for value in list(values)[:2]:
                if value in EMPTY_VALUES:
                    continue
                try:
                    key = target.to_python(value)
                except Exception:  # ValidationError: a value that is not a key
                    continue
                wanted.setdefault((related, target.name), {})[str(value)] = key
    names = {}
    for (related, target_name), keys in wanted.items():
        found = related._base_manager.in_bulk(set(keys.values()), field_name=target_name)
        for text, key in keys.items():
            if key in found:
                names[(related, text)] = str(found[key])
    return names


def _readable_value(field, value, names=None):
    from decimal import Decimal, InvalidOperation

    from dateutil import parser
    from django.utils import formats, timezone
    from django.utils.translation import gettext as _

    if value in EMPTY_VALUES:
        return "—"
    value = str(value)
    if field is not None:
        if _is_relation(field):
            name = (names or {}).get((field.related_model._meta.concrete_model, value))
            return name if name is not None else f"#{value}"
        choices = getattr(field, "flatchoices", None)
        if choices:
            labels = {str(key): label for key, label in choices}
            if value in labels:
                return str(labels[value])
        internal = field.get_internal_type() if hasattr(field, "get_internal_type") else ""
        if internal == "BooleanField":
            return _("Yes") if value == "True" else _("No") if value == "False" else value
        try:
            if internal == "DateTimeField":
                moment = parser.parse(value)
                if timezone.is_naive(moment):
                    moment = moment.replace(tzinfo=UTC)
                return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")
            if internal == "DateField":
                return formats.date_format(parser.parse(value).date(), "SHORT_DATE_FORMAT")
            if internal == "DecimalField":
                return formats.number_format(Decimal(value))
            if internal == "FloatField":
                return formats.number_format(float(value))
        except (ValueError, OverflowError, InvalidOperation):
            pass
    return value if len(value) <= TRUNCATE_AT else value[:TRUNCATE_AT] + "…"


def readable_changes(entry, names=None):
    """[(field label, old, new)] of an entry, in the active language (no query).

    `names`: related_names() of the page's entries, so that a foreign key shows its record's name
    ("#5" when the record is gone). Reverse relations, the automatic key, values empty on both
    sides and placeholder numbers ("tmp-…", replaced by the real number) are left out.
    """
    model = entry.content_type.model_class()
    rows = []
    for name, values in (entry.changes_dict or {}).items():
        field = _field(model, name)
        if not _is_shown_field(model, field):
            continue
        label = str(getattr(field, "verbose_name", name))
        if isinstance(values, dict):  # a many-to-many change: the objects added or removed
            objects = ", ".join(str(item) for item in values.get("objects", []))
            if not objects:
                continue
            old, new = (objects, "—") if values.get("operation") == "delete" else ("—", objects)
            rows.append((label, old, new))
            continue
        values = list(values) + [None, None]
        old, new = (
            None if isinstance(value, str) and value.startswith(PLACEHOLDER_PREFIX) else value
            for value in values[:2]
        )
        if old in EMPTY_VALUES and new in EMPTY_VALUES:
            continue
        rows.append((label, _readable_value(field, old, names), _readable_value(field, new, names)))
    return rows
