from uuid import uuid4

from allauth.account.adapter import DefaultAccountAdapter
from django.utils import translation

from portal.models import User

# allauth emails that go through portal.services.notify: queued on commit, sent by Celery, in the
# account's own language. Others (none are used today) keep allauth's direct sending.
NOTIFY_TEMPLATES = {
    "account/email/password_reset_key": "portal/emails/password_reset",
    "account/email/unknown_account": "portal/emails/unknown_account",
}


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are created by administrators: there is no public sign-up."""

    def is_open_for_signup(self, request):
        return False

    def add_message(
        self, request, level, message_template=None, message_context=None, extra_tags="", message=None
    ):
        # "Successfully signed in" would be premature: the second factor is still to come.
        if message_template == "account/messages/logged_in.txt":
            return
        return super().add_message(
            request,
            level,
            message_template=message_template,
            message_context=message_context,
            extra_tags=extra_tags,
            message=message,
        )

    def send_mail(self, template_prefix, email, context):
        template = NOTIFY_TEMPLATES.get(template_prefix)
        if template is None:
            return super().send_mail(template_prefix, email, context)
        from portal.services import notify

        user = context.get("user") or User.objects.filter(email__iexact=email).first()
        notify(
            key=f"account:{uuid4()}",
            template=template,
            recipient=user,
            email=email,
            language=user.preferred_language if user else translation.get_language(),
            # The reset link is a secret: it travels in the context (cleared once sent), not as the
            # message's recorded link.
            context={"password_reset_url": context.get("password_reset_url", "")},
        )
