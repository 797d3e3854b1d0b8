"""Accents sort and search as letters, on SQLite and PostgreSQL alike.

One folding rule for the whole platform: a text is compared and sorted by its letters without
accents and without case, so "Élise" sorts with the E's, "Gérard" before "Gisèle", and a search for
"belanger" or "BELANGER" finds "Bélanger".

- ``fold(text)``: the rule in Python (NFKD, combining marks removed, casefold).
- ``Fold``: the same rule in the database. PostgreSQL uses the ``unaccent`` extension (created by
  portal's migration 0005) as ``lower(unaccent(x))``, wrapped in the IMMUTABLE ``liaison_fold(x)``
  (migration 0013) so that trigram indexes on ``liaison_fold(column)`` serve the searches
  (referrals' person names); SQLite calls ``fold`` itself under the same name, registered on
  every new connection. Registered as the ``__fold`` transform on CharField, TextField and
  EmailField: ``Person.objects.filter(last_name__fold__contains=Fold(Value("belanger")))``.
- ``text_search(fields, text)``: the Q for a search box, every word found in one of the fields.
- ``order_by_name(queryset, *paths)``, ``name_order(*paths)`` and ``NameColumn`` (django-tables2):
  sorting by a person's or an organization's name.

Both sides of a comparison go through the database's own function, so what PostgreSQL's unaccent
does with "œ" or "ß" applies to the typed text as well as to the stored one.
"""

import unicodedata

from django.db import models
from django.db.backends.signals import connection_created
from django.db.models import F, Q, Value, lookups
from django.dispatch import receiver
from django_tables2 import Column

SQLITE_FUNCTION = "liaison_fold"


def fold(text):
    """'Élise BÉLANGER' -> 'elise belanger' (None stays None)."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFKD", str(text))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@receiver(connection_created, dispatch_uid="portal-db-fold")
def _register_sqlite_fold(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_FUNCTION, 1, fold, deterministic=True)


class Fold(models.Transform):
    """The text without accents and in lower case, computed by the database."""

    lookup_name = "fold"
    function = "LOWER"
    arity = 1

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function=SQLITE_FUNCTION, **extra_context)

    def as_postgresql(self, compiler, connection, **extra_context):
        # lower(unaccent(x)) in an IMMUTABLE function (portal migration 0013), so that an index on
        # liaison_fold(column) serves searches (unaccent first: lower() of a plain letter does not
        # depend on the database's locale).
        return super().as_sql(compiler, connection, function=SQLITE_FUNCTION, **extra_context)


for _field in (models.CharField, models.TextField):
    _field.register_lookup(Fold)


def _expression(path):
    return F(path) if isinstance(path, str) else path


def folded_q(path, text, lookup="contains"):
    """Q: the field at ``path`` contains (or starts with, equals: ``lookup``) ``text``, folded."""
    return Q(**{f"{path}__fold__{lookup}": Fold(Value(str(text)))})


def text_search(fields, text, *, max_words=4):
    """Q for a search box: each word (up to ``max_words``) is in at least one of ``fields``.

    Accents and case are ignored; an empty text matches everything.
    """
    condition = Q()
    for word in str(text or "").split()[:max_words]:
        any_field = Q()
        for path in fields:
            any_field |= folded_q(path, word)
        condition &= any_field
    return condition


def _localized(queryset, path):
    # A translated model's queryset sorts "name" by the active language's column (as
    # order_by("name") does there); other querysets keep the path as given.
    if queryset is not None and getattr(queryset, "_rewrite", False):
        from modeltranslation.manager import rewrite_order_lookup_key

        return rewrite_order_lookup_key(queryset.model, path)
    return path


def name_order(*paths, descending=False, queryset=None):
    """ORDER BY expressions sorting names as letters: folded first, then as stored (a stable tie).

    A path starting with "-" sorts that key in the other direction.
    """
    keys, ties = [], []
    for path in paths:
        reverse = descending
        if isinstance(path, str) and path.startswith("-"):
            path, reverse = path[1:], not descending
        path = _localized(queryset, path)
        folded = Fold(_expression(path))
        keys.append(folded.desc() if reverse else folded.asc())
        raw = _expression(path)
        ties.append(raw.desc() if reverse else raw.asc())
    return [*keys, *ties]


def order_by_name(queryset, *paths, descending=False, then=()):
    """``queryset`` sorted by the names at ``paths``, accents ignored; ``then`` breaks ties."""
    return queryset.order_by(*name_order(*paths, descending=descending, queryset=queryset), *then)


class NameColumn(Column):
    """A django-tables2 column sorted by names as letters (its ``order_by`` paths, or accessor)."""

    def order(self, queryset, is_descending):
        # Accessors may be written with dots; the paths of a column's order_by are ascending here.
        paths = [str(o).lstrip("-").replace(".", "__") for o in self.order_by or ()]
        if not paths:
            return queryset, False
        return order_by_name(queryset, *paths, descending=is_descending), True


# Ids that no column can hold ------------------------------------------------------------------


@models.IntegerField.register_lookup
class IntegerIn(lookups.In):
    """`pk__in` with a value out of the column's range matches nothing instead of failing.

    Django already does this for `exact`, `gt`, `lt` (IntegerFieldOverflow) but not for `in`, so
    a typed 20-digit id in a checkbox group reached SQLite as an OverflowError (a 500); such a
    value can never match a row, so it is left out of the list.
    """

    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_range(self.lhs.output_field.get_internal_type())
            self.rhs = [
                value
                for value in self.rhs
                if not isinstance(value, int)
                or ((low is None or value >= low) and (high is None or value <= high))
            ]
        return super().process_rhs(compiler, connection)
