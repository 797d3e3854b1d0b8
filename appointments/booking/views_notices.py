"""The terms of use and the privacy policy of online booking (guide 5, step 10; issue 20), linked
from the consent of the details form: public pages (no account), in the person's language."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language

from appointments import selectors


def notice_urls(organization):
    """(terms of use, privacy policy) of the clinic network's online booking."""
    return (
        reverse("appointments:public_terms", args=[organization.pk]),
        reverse("appointments:public_privacy", args=[organization.pk]),
    )


def _notice(request, organization_id, which):
    site = selectors.public_site(organization_id)
    public_name = getattr(site.clinic, "public_name", "") or ""
    # The sentences put the name after "with" / "of" (French: "auprès du Réseau…"): the network's
    # own name carries its article (portal.names); another public name is used as it is written.
    name = site.organization if public_name in ("", site.organization.name) else public_name
    return render(
        request,
        "appointments/public_notice.html",
        {
            "organization": site.organization,
            "clinic": site.clinic,
            "which": which,
            "notice_name": name,
            "own_text": own_text(site.clinic, which),
        },
    )


def own_text(clinic, which):
    """The network's own terms of use or privacy policy in the reader's language (public page
    settings, issue 20), or "" for the default text. Never the other language's: a reader gets a
    text in their language, the network's or Liaison's."""
    language = "en" if (get_language() or "").startswith("en") else "fr"
    # getattr: a public configuration cached before the fields existed has none.
    return (getattr(clinic, f"{which}_text_{language}", "") or "").strip()


@login_not_required
def public_terms(request, organization_id):
    return _notice(request, organization_id, "terms")


@login_not_required
def public_privacy(request, organization_id):
    return _notice(request, organization_id, "privacy")
