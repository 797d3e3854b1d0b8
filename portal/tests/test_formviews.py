"""The form-view toolkit: valid → service → message → redirect; a refusal keeps what was typed."""

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from portal.formviews import act, submit
from portal.workflow import ActionError

pytestmark = pytest.mark.django_db


class NameForm(forms.Form):
    name = forms.CharField(max_length=10)


def _request(method="post", data=None):
    request = getattr(RequestFactory(), method)("/somewhere/", data or {})
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_valid_form_calls_the_service_once_then_says_so_and_redirects():
    calls = []
    request = _request(data={"name": "Léa"})
    form = NameForm(request.POST)
    response = submit(
        request,
        form,
        lambda data: calls.append(data["name"]) or "done",
        success=lambda result: f"Saved: {result}",
        next="/after/",
    )
    assert calls == ["Léa"]
    assert response.status_code == 302 and response["Location"] == "/after/"
    assert [str(m) for m in get_messages(request)] == ["Saved: done"]


def test_get_and_invalid_form_show_the_page():
    request = _request("get")
    assert submit(request, NameForm(), lambda data: 1 / 0, success="", next="/") is None
    request = _request(data={"name": "far too long a name"})
    form = NameForm(request.POST)
    assert submit(request, form, lambda data: 1 / 0, success="", next="/") is None
    assert form.errors["name"]


def test_service_refusal_goes_next_to_the_field_and_keeps_the_input():
    request = _request(data={"name": "Léa"})
    form = NameForm(request.POST)

    def refuse(data):
        raise ActionError({"name": "This name is taken."})

    assert submit(request, form, refuse, success="Saved", next="/after/") is None
    assert form.errors["name"] == ["This name is taken."]
    assert form["name"].value() == "Léa"
    assert list(get_messages(request)) == []


def test_status_refusal_without_field_is_a_page_message():
    request = _request()

    def refuse():
        raise ActionError("This record is now Closed. Nothing was changed.")

    response = act(request, refuse, success="Done", next="/record/")
    assert response["Location"] == "/record/"
    assert [str(m) for m in get_messages(request)] == ["This record is now Closed. Nothing was changed."]


def test_act_success():
    request = _request()
    response = act(
        request, lambda: 7, success=lambda n: f"Number {n}", next=lambda n: f"/r/{n}/", refused="/r/"
    )
    assert response["Location"] == "/r/7/"
    assert [str(m) for m in get_messages(request)] == ["Number 7"]


def test_act_with_a_next_computed_from_the_result_must_say_where_a_refusal_goes():
    with pytest.raises(TypeError):
        act(_request(), lambda: 7, success="", next=lambda n: f"/r/{n}/")
