from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.demo import ACCOUNTS, DEMO_PASSWORD, load_all_demo_data


class Command(BaseCommand):
    help = "Load the bilingual demo organizations and accounts (idempotent). Refused in production."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("Demo data is not loaded in production.")
        load_all_demo_data()
        self.stdout.write(self.style.SUCCESS("Demo data ready.\n"))
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for email, _first, _last, language, _staff, memberships in ACCOUNTS:
            roles = ", ".join(role for _org, role in memberships)
            self.stdout.write(f"  {email:<32} {language}  {roles}")
        self.stdout.write(
            "\nSecond factor: run `make otp EMAIL=worker@demo.liaison.ca` (or "
            "`.venv/bin/python manage.py demo_otp EMAIL`) for the current 6-digit code.\n"
        )
