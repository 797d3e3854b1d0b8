"""The form-view toolkit: the one skeleton of every page that changes something.

A page that changes a record does the same five things: check the capability (the view's
`capability_required`), fetch the record through a selector (404 for another organization's), bind
the form, call one service with what was typed, then say what was done and go on (post, redirect,
get). When the service refuses (`ActionError`, or any ValidationError), its errors go next to their
fields, anything else is a page message, and the page is shown again with everything typed kept.

    @capability_required(roles.MANAGE_CASES)
    def note_add(request, number):
        case = get_case(request, number, manage=True)
        form = NoteForm(request.POST or None)
        done = submit(
            request,
            form,
            lambda data: services.add_note(actor=request.user, case=case, **data),
            success=_("The note was added."),
            next=lambda note: case.get_absolute_url(),
        )
        return done or render(request, "referrals/note_form.html", {"form": form, "case": case})

`act()` is the same for a POST without a form (a button: "Accept", "Close the case").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.functional import Promise

from portal.forms import show_service_error

R = TypeVar("R")

Message = str | Promise | Callable[[Any], str | Promise] | None
Next = str | Callable[[Any], Any]


def _resolve(value: Any, result: Any) -> Any:
    return value(result) if callable(value) else value


def _done(request: HttpRequest, result: Any, success: Message, next: Next) -> HttpResponse:
    text = _resolve(success, result)
    if text:
        messages.success(request, text)
    return redirect(_resolve(next, result))


def submit(
    request: HttpRequest,
    form: forms.BaseForm | None,
    service: Callable[[dict[str, Any]], R],
    *,
    success: Message,
    next: Next,
    method: str = "POST",
) -> HttpResponse | None:
    """Valid form → service(cleaned_data) → message → redirect; None when the page is to be shown
    (not sent yet, invalid, or refused by the service: errors next to the fields, input kept).

    The service runs in one transaction: a refusal part-way leaves nothing behind."""
    if request.method != method or (form is not None and not form.is_valid()):
        return None
    try:
        with transaction.atomic():
            result = service(form.cleaned_data if form is not None else {})
    except ValidationError as error:
        show_service_error(request, form, error)
        return None
    return _done(request, result, success, next)


def act(
    request: HttpRequest,
    service: Callable[[], R],
    *,
    success: Message,
    next: Next,
    refused: Next | None = None,
) -> HttpResponse:
    """A POST without a form (a button): service() → message → redirect; a refusal is a page
    message and goes back (to `refused`, or `next`), nothing changed.

    A `next` computed from the result needs `refused`: a refusal has no result to compute it from."""
    if refused is None:
        if callable(next):
            raise TypeError("act(): a `next` computed from the result needs `refused`.")
        refused = next
    try:
        with transaction.atomic():
            result = service()
    except ValidationError as error:
        show_service_error(request, None, error)
        return redirect(_resolve(refused, None))
    return _done(request, result, success, next)
