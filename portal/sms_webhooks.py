"""The SMS provider's webhooks: delivery status callbacks and the SMS people send back.

Server to server: no session, so no CSRF token and no sign-in; instead every request must carry
Twilio's signature of its address and parameters, made with our auth token
(portal.sms_providers.valid_twilio_signature). A request without a valid signature gets 403 and
changes nothing. Give Twilio these addresses (on SITE_URL):

- status callback: <SITE_URL>/sms/twilio/status/ (sent by Liaison with each message);
- the number's "A message comes in" webhook (HTTP POST): <SITE_URL>/sms/twilio/inbound/.
"""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from portal import scoping, sms_services
from portal.sms_providers import valid_twilio_signature

# TwiML that asks Twilio to send nothing itself (what twilio.twiml's MessagingResponse() writes).
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response />'


def _webhook(view):
    return login_not_required(csrf_exempt(never_cache(require_POST(view))))


@_webhook
def twilio_status(request):
    """Twilio reports a message's progress: sent, delivered, failed or undelivered."""
    if not valid_twilio_signature(request):
        return HttpResponseForbidden()
    sms_services.record_delivery_status(
        provider_id=request.POST.get("MessageSid", "")[:64],
        status=request.POST.get("MessageStatus", ""),
        error_code=request.POST.get("ErrorCode", "")[:16],
    )
    return HttpResponse(status=204)


@_webhook
def twilio_inbound(request):
    """Someone answered an SMS. The answer leaves through notify (outbox, retries, delivery
    callbacks), so the response to Twilio is an empty TwiML document."""
    if not valid_twilio_signature(request):
        return HttpResponseForbidden()
    provider_id = request.POST.get("MessageSid", "")[:64]
    from_number = request.POST.get("From", "")
    if not provider_id or not from_number:
        return HttpResponseBadRequest()
    # No person and no organization asks: the apps' reply handlers find the record by its number
    # and the sender's phone, across organizations, as trusted code of the portal.
    scoping.relax_current_request()
    sms_services.receive_sms(
        provider_id=provider_id, from_number=from_number, body=request.POST.get("Body", "")
    )
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")
