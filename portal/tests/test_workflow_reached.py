"""Issue 14: templates do not compare statuses; what a page shows comes from the declaration.

`{% if record|reached:"decline" %}` asks the record's workflow whether its status is the one the
transition leads to; an export's page asks the export whether it is ready or being prepared."""

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from orders.models import OrderSummary, SummaryStatus
from orders.offers import services as offer_services
from orders.reference import ensure_reference_data
from orders.summaries.services import SUMMARY_FLOW
from orders.tests.conftest import World
from portal import workflow
from portal.models import Export, ExportStatus
from tests.factories import MembershipFactory
from tests.helpers import verified_client

pytestmark = pytest.mark.django_db


def test_reached_is_true_where_the_transition_leads_and_false_elsewhere():
    declined = OrderSummary(status=SummaryStatus.DECLINED)
    offered = OrderSummary(status=SummaryStatus.OFFERED)

    assert SUMMARY_FLOW.reached(declined, "decline")
    assert not SUMMARY_FLOW.reached(offered, "decline")
    assert workflow.reached(OrderSummary(status=SummaryStatus.ACTIVATED), "accept")
    assert not workflow.reached(declined, "no-such-transition")
    assert not workflow.reached(Export(status=ExportStatus.READY), "decline")  # no workflow


def test_the_template_filter_reads_the_declaration():
    template = Template(
        '{% load portal_workflow %}{% if record|reached:"decline" %}yes{% else %}no{% endif %}'
    )
    assert template.render(Context({"record": OrderSummary(status=SummaryStatus.DECLINED)})) == "yes"
    assert template.render(Context({"record": OrderSummary(status=SummaryStatus.PENDING)})) == "no"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_worker_sees_the_providers_reason_on_a_declined_summary_only(language):
    ensure_reference_data()
    world = World()
    declined = offer_services.decline_summary(
        actor=world.coordinator, summary=world.offered(), reason="Aucune préposée disponible"
    )
    offered = world.offered(client_name="Luc Cormier")
    client = verified_client(world.worker, membership=world.worker_membership)
    client.cookies["liaison_language"] = language
    with translation.override(language):
        notice = gettext("Declined by the provider. Reason:")

    declined_page = client.get(reverse("orders:summary", args=[declined.pk])).content.decode()
    offered_page = client.get(reverse("orders:summary", args=[offered.pk])).content.decode()

    assert notice in declined_page and "Aucune préposée disponible" in declined_page
    assert notice not in offered_page


@pytest.mark.parametrize(
    ("status", "shown", "hidden"),
    [
        (ExportStatus.READY, "Download the file", "Reload this page in a moment."),
        (
            ExportStatus.QUEUED,
            "The file is being prepared. Reload this page in a moment.",
            "Download the file",
        ),
        (ExportStatus.FAILED, "The file could not be prepared. Try again later.", "Download the file"),
    ],
)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_an_exports_page_offers_what_its_state_allows(status, shown, hidden, language):
    membership = MembershipFactory()
    export = Export.objects.create(
        user=membership.user, membership=membership, name="Liste", exporter="x", fmt="csv", status=status
    )
    client = verified_client(membership.user, membership=membership)
    client.cookies["liaison_language"] = language

    page = client.get(reverse("portal:export", args=[export.pk])).content.decode().replace("&#x27;", "'")

    with translation.override(language):
        assert gettext(shown) in page
        assert gettext(hidden) not in page
    assert (reverse("portal:export_download", args=[export.pk]) in page) == (status == ExportStatus.READY)
