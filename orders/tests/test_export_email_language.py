"""An export's email follows the language the person asked in (issue 18): asked on an English page by a
person whose profile says French, the email and the export's name are English; and the other way
round. The French email agrees with "exportation" (feminine: "prête", "jointe")."""

import pytest
from django.utils import translation

from orders.dashboard.views import BLOCK_TITLES
from portal import exports
from portal.models import Export, ExportStatus, Message


@pytest.mark.parametrize(("profile", "page"), [("fr", "en"), ("en", "fr")])
def test_the_export_email_is_in_the_language_of_the_page_it_was_asked_on(
    world, profile, page, django_capture_on_commit_callbacks, mailoutbox
):
    world.activated()
    user = world.coordinator
    user.preferred_language = profile
    user.save(update_fields=["preferred_language"])
    user._chosen_membership_id = world.coordinator_membership.pk
    with translation.override(page), django_capture_on_commit_callbacks(execute=True):
        name = str(BLOCK_TITLES["all"])
        export = exports.request_export(
            user=user,
            exporter="orders.exports.dashboard_block",
            params={"block": "all"},
            fmt="csv",
            name=name,
            email=True,
        )
    export = Export.objects.get(pk=export.pk)
    if export.status == ExportStatus.QUEUED:  # a real worker is not running: build it here
        with django_capture_on_commit_callbacks(execute=True):
            exports.run_export(export_id=export.pk)
        export.refresh_from_db()
    assert export.status == ExportStatus.READY
    message = Message.objects.get(recipient=user, template="portal/emails/export_ready")
    assert message.language == page
    sent = [email for email in mailoutbox if email.to == [user.email]]
    assert len(sent) == 1
    rendered = {"subject": sent[0].subject, "text": sent[0].body}
    with translation.override(page):
        assert name == str(BLOCK_TITLES["all"])
        subject = translation.gettext("Liaison: your export is ready")
    assert rendered["subject"] == subject
    assert name in rendered["text"]
    if page == "fr":
        # The catalogue's French agrees with « exportation » (feminine); English until it is filled.
        assert rendered["subject"] in (
            "Liaison : votre exportation est prête",
            "Liaison: your export is ready",
        )
        assert "prêt " not in rendered["text"] and "joint " not in rendered["text"]
