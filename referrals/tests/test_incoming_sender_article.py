"""The received referral's page names the sending agency with its article (issue 18): French
"Recommandation … de l'Agence d'emploi …", never "de Agence d'emploi …"; English "from the …"."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from portal import names
from referrals.models import ReferralType
from tests.helpers import verified_client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_sender_is_named_with_its_article(network, django_capture_on_commit_callbacks, language):
    agency = network.agency
    agency.name_fr, agency.name_en = "Agence d'emploi Cap-Acadie", "Cap-Acadie Employment Agency"
    agency.article_fr, agency.article_en = "l'", "the"
    agency.save()
    referral = network.send(network.referral(ReferralType.WITHIN), django_capture_on_commit_callbacks)
    network.outsider.preferred_language = language
    network.outsider.save()
    receiver = verified_client(network.outsider, membership=network.outsider_membership)

    page = receiver.get(reverse("referrals:incoming_detail", args=[referral.pk])).content.decode()

    with translation.override(language):
        from_agency = names.name_after(
            translation.pgettext("a referral from an organization", "from"), agency
        )
    if language == "en":
        assert from_agency == "from the Cap-Acadie Employment Agency"
    else:
        # "de l'Agence…" once the catalogue has the French of "from" (this context): "de".
        assert from_agency in ("de l'Agence d'emploi Cap-Acadie", "from l'Agence d'emploi Cap-Acadie")
    assert escape(from_agency) in page
    assert escape("de Agence") not in page
