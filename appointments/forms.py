"""What the forms of the appointments packages share: choices among the application's own rows.

A form field offering services, locations or teams starts with no choices; the view passes the
querysets it may offer (selectors, scoped to the person's application), by keyword, and the form
sets them. The one way to declare such a field and to receive its choices.
"""

from typing import Any

from django import forms
from django.db.models import Model


def choose_many(label: Any, model: type[Model]) -> forms.ModelMultipleChoiceField:
    """Checkboxes among `model`'s rows, optional; the choices come from the view (see ScopedChoices)."""
    return forms.ModelMultipleChoiceField(
        label=label,
        queryset=model._default_manager.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class ScopedChoices:
    """A form mixin: each keyword argument named in `scoped_choices` ({keyword: field}) is the
    queryset of that field's choices, given by the view (a form built without it is a TypeError)."""

    scoped_choices: dict[str, str] = {}
    fields: dict[str, Any]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        missing = [keyword for keyword in self.scoped_choices if keyword not in kwargs]
        if missing:
            raise TypeError(f"{type(self).__name__}() needs the keyword arguments {', '.join(missing)}")
        querysets = {field: kwargs.pop(keyword) for keyword, field in self.scoped_choices.items()}
        super().__init__(*args, **kwargs)
        for field, queryset in querysets.items():
            self.fields[field].queryset = queryset
