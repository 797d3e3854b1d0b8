"""A change request (issue 18): the guide's "Examinez… puis Suivant" step before it is submitted;
Back shows the form with everything typed."""

import pytest
from django.urls import reverse

from orders.models import ChangeCategory, ReportKind, ReportOption, ServiceReport
from tests.helpers import verified_client

REVIEW = {"en": "Review the information you entered", "fr": "Suivant"}


def _client(world, language):
    world.coordinator.preferred_language = language
    world.coordinator.save(update_fields=["preferred_language"])
    return verified_client(world.coordinator, membership=world.coordinator_membership)


def _typed(category, option):
    return {"category": category.pk, "types": [option.pk], "description": "Deux heures de plus, le mardi"}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_change_request_is_reviewed_then_submitted_and_back_keeps_what_was_typed(world, language):
    order = world.activated().orders.get()
    client = _client(world, language)
    category = ChangeCategory.objects.get(code="change-service")
    option = ReportOption.objects.get(code="change-person-increase")
    url = reverse("orders:report_create", args=[order.pk, "change"]) + f"?category={category.pk}"
    form = client.get(url).content.decode()
    assert 'name="step" value="review"' in form

    review = client.post(url, _typed(category, option)).content.decode()
    assert 'id="review"' in review and REVIEW[language] in review
    assert str(option) in review and "Deux heures de plus, le mardi" in review
    assert f'type="hidden" name="types" value="{option.pk}"' in review
    assert 'name="step" value="back"' in review and 'name="step" value="submit"' in review
    assert not ServiceReport.objects.exists()

    back = client.post(url, {**_typed(category, option), "step": "back"}).content.decode()
    assert "Deux heures de plus, le mardi</textarea>" in back
    assert f'value="{option.pk}" checked' in back or f'value="{option.pk}"\n' in back or "checked" in back
    assert not ServiceReport.objects.exists()

    response = client.post(url, {**_typed(category, option), "step": "submit"})
    assert response.status_code == 302
    report = ServiceReport.objects.get()
    assert (report.kind, report.category, list(report.types.all()), report.description) == (
        ReportKind.CHANGE,
        category,
        [option],
        "Deux heures de plus, le mardi",
    )
    assert response["Location"] == reverse("orders:report_done", args=[report.pk])


def test_a_change_request_with_missing_fields_stays_on_the_form(world):
    order = world.activated().orders.get()
    client = _client(world, "en")
    category = ChangeCategory.objects.get(code="change-service")
    url = reverse("orders:report_create", args=[order.pk, "change"]) + f"?category={category.pk}"
    page = client.post(url, {"category": category.pk, "description": ""}).content.decode()
    assert 'id="id_description_errors"' in page and 'id="review"' not in page
    assert not ServiceReport.objects.exists()


def test_other_reports_are_submitted_without_a_review_step(world):
    order = world.activated().orders.get()
    client = _client(world, "en")
    response = client.post(
        reverse("orders:report_create", args=[order.pk, "miscellaneous"]), {"description": "x"}
    )
    assert response.status_code == 200 or response.status_code == 302
    # Miscellaneous requests are for cancelled or terminated orders: refused here, never reviewed.
    assert 'id="review"' not in response.content.decode()
