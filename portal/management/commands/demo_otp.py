from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.demo import current_code
from portal.models import User


class Command(BaseCommand):
    help = "Print the current authenticator code of a demo account, to sign in without a phone (debug only)."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        if not settings.DEBUG:
            raise CommandError("demo_otp works only in debug mode.")
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"No account with the email {email}.")
        code = current_code(user)
        if code is None:
            raise CommandError(f"{email} has no authenticator yet: sign in once to set one up.")
        self.stdout.write(code)
