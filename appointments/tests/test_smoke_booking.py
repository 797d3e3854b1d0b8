import pytest
from django.test import Client
from django.urls import reverse

from appointments.follow_up import services as follow_up_services
from appointments.models import Appointment, ClinicSettings, EligibilityQuestion
from tests.helpers import verified_client

pytestmark = pytest.mark.django_db


def test_public_path_and_staff_pages(world, django_capture_on_commit_callbacks, mailoutbox):
    ClinicSettings.objects.create(organization=world.clinic, online_booking_open=True, popup_message="Hi")
    EligibilityQuestion.objects.create(service=world.first, text_fr="Q", text_en="Q", eligible_answer="yes")
    slot = world.slot(day=2, start=9, end=10)
    client = Client()
    org = world.clinic.pk
    assert client.get(reverse("appointments:public_page", args=[org])).status_code == 200
    response = client.get(
        reverse("appointments:public_search", args=[org]),
        {"service": world.first.pk, "postal_code": "E1C 4M2"},
    )
    assert response.status_code == 200
    assert "Lieu A" in response.content.decode()
    url = reverse("appointments:public_eligibility", args=[org, world.first.pk, world.location_a.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {f"q{world.first.questions.get().pk}": "yes"})
    assert response.status_code == 302
    times_url = reverse("appointments:public_times", args=[org, world.first.pk, world.location_a.pk])
    day = slot.starts_at.astimezone().date()
    response = client.get(times_url, {"date": day.isoformat()})
    assert response.status_code == 200
    from appointments.booking.forms import time_value

    response = client.post(times_url, {"time": time_value(slot, slot.starts_at), "date": day.isoformat()})
    assert response.status_code == 302, response.content.decode()[:2000]
    details = reverse("appointments:public_details", args=[org, world.first.pk, world.location_a.pk])
    assert client.get(details).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            details,
            {
                "first_name": "Anne",
                "last_name": "Roy",
                "date_of_birth": "1980-01-02",
                "email": "anne@example.com",
                "accept_terms": "on",
            },
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    appointment = Appointment.objects.get(last_name="Roy")
    assert client.get(response["Location"]).status_code == 200
    assert len(mailoutbox) == 1
    assert any(name.endswith(".ics") for name, *_rest in mailoutbox[0].attachments)
    assert client.get(reverse("appointments:manage", args=[appointment.token])).status_code == 200
    assert client.get(reverse("appointments:public_cancel", args=[org])).status_code == 200

    manager = verified_client(world.manager1, membership=world.memberships["manager1"])
    for url in [
        reverse("appointments:follow_up"),
        reverse("appointments:follow_up") + f"?period=week&date={day.isoformat()}&view_type=both",
        reverse("appointments:follow_up") + f"?print=1&date={day.isoformat()}",
        reverse("appointments:book"),
        reverse("appointments:book")
        + f"?service={world.first.pk}&location={world.location_a.pk}&date={day.isoformat()}",
        reverse("appointments:appointment", args=[appointment.pk]),
        reverse("appointments:appointment_edit", args=[appointment.pk]),
    ]:
        response = manager.get(url)
        assert response.status_code == 200, url
    response = manager.post(
        reverse("appointments:follow_up_batch"), {"action": "present", "selected": [appointment.pk]}
    )
    assert response.status_code == 200
    response = manager.post(
        reverse("appointments:follow_up_batch"),
        {"action": "present", "selected": [appointment.pk], "confirmed": "1"},
    )
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.attendance == "present"
    pilot = verified_client(world.pilot, membership=world.memberships["pilot"])
    assert pilot.get(reverse("appointments:statistics")).status_code == 200
    follow_up_services.send_due_communications()
