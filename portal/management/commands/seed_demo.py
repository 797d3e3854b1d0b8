from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.demo import ACCOUNTS, DEMO_PASSWORD, load_all_demo_data
from portal.models import Membership


def demo_accounts():
    """Every demo account with its roles, read back from the database so that an account an app
    adds (orders' second worker, worker2) is listed too: the portal's ACCOUNTS first, in their
    order, then the others by email. One query."""
    listed = {}
    memberships = (
        Membership.objects.filter(user__email__endswith="@demo.liaison.ca")
        .select_related("user")
        .order_by("user__email", "pk")
    )
    for membership in memberships:
        user = membership.user
        listed.setdefault(user.email, (user.preferred_language, []))[1].append(membership.role)
    order = {account[0]: position for position, account in enumerate(ACCOUNTS)}
    emails = sorted(listed, key=lambda email: (order.get(email, len(order)), email))
    return [(email, listed[email][0], listed[email][1]) for email in emails]


class Command(BaseCommand):
    help = "Load the bilingual demo organizations and accounts (idempotent). Refused in production."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("Demo data is not loaded in production.")
        load_all_demo_data()
        self.stdout.write(self.style.SUCCESS("Demo data ready.\n"))
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for email, language, roles in demo_accounts():
            self.stdout.write(f"  {email:<32} {language}  {', '.join(roles)}")
        self.stdout.write(
            "\nSecond factor: run `make otp EMAIL=worker@demo.liaison.ca` (or "
            "`.venv/bin/python manage.py demo_otp EMAIL`) for the current 6-digit code.\n"
        )
