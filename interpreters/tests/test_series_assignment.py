"""Issue 19 (beyond the guides): one interpreter for a whole weekly series at once. Every date still
to come is offered to them, all or none: a date they cannot take is named and nothing is offered.
The assign page offers it beside each suggested interpreter when the request is part of a series."""

from datetime import timedelta

import pytest
from django.urls import reverse

from interpreters.models import Request, RequestStatus, Unavailability
from interpreters.requests import services
from portal.models import Task
from portal.workflow import ActionError
from tests.helpers import verified_client

pytestmark = pytest.mark.django_db

REFUSED = {
    "en": "On {date}: This interpreter is unavailable at that time.",
    "fr": "Le {date} : Cet interprète est indisponible à ce moment.",
}


def _series(world, weeks=3):
    values = world.values()
    return services.create_request(
        actor=world.requester,
        establishment=world.hospital,
        repeat_until=values["date"] + timedelta(days=7 * (weeks - 1)),
        **values,
    )


def test_the_whole_series_goes_to_one_interpreter(world):
    dates = _series(world)
    assigned = services.assign_series(actor=world.coordinator, request=dates[1], interpreter=world.near)
    assert [request.pk for request in assigned] == [request.pk for request in dates]
    for request in Request.objects.filter(pk__in=[request.pk for request in dates]):
        assert (request.status, request.interpreter) == (RequestStatus.ASSIGNED, world.near)
    # Each date is its own offer, with its own task on the interpreter's home page.
    assert Task.objects.filter(assignee=world.near.user, purpose="offer", done_at__isnull=True).count() == 3


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_date_the_interpreter_cannot_take_is_named_and_nothing_is_offered(world, language):
    from django.utils import translation

    dates = _series(world)
    Unavailability.objects.create(
        interpreter=world.near, starts_at=dates[2].starts_at - timedelta(hours=1), ends_at=dates[2].ends_at
    )
    with translation.override(language):
        with pytest.raises(ActionError) as refused:
            services.assign_series(actor=world.coordinator, request=dates[0], interpreter=world.near)
        messages = " ".join(str(message) for message in refused.value.messages)
    assert any(text.format(date=dates[2].date.isoformat()) in messages for text in REFUSED.values()), messages
    assert (
        not Request.objects.filter(pk__in=[request.pk for request in dates])
        .exclude(status=RequestStatus.SUBMITTED)
        .exists()
    )
    assert not Task.objects.filter(assignee=world.near.user, purpose="offer").exists()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_assign_page_offers_the_series_and_assigns_it(world, language):
    dates = _series(world)
    world.coordinator.preferred_language = language
    world.coordinator.save()
    client = verified_client(world.coordinator, membership=world.coordinator_membership)
    url = reverse("interpreters:assign", args=[dates[0].pk])
    page = client.get(url).content.decode()
    assert 'name="whole_series"' in page
    assert "(3 dates)" in page  # the same word in French
    response = client.post(url, {"interpreter": world.near.pk, "whole_series": "1"})
    assert response.status_code == 302
    assert Request.objects.filter(interpreter=world.near, status=RequestStatus.ASSIGNED).count() == 3
    # A request on its own offers no series button.
    single = world.request(date=dates[0].date + timedelta(days=1))
    assert (
        'name="whole_series"'
        not in client.get(reverse("interpreters:assign", args=[single.pk])).content.decode()
    )
