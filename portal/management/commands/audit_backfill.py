from django.core.management.base import BaseCommand

from portal import audit


class Command(BaseCommand):
    help = "Give audit entries written before portal.AuditScope existed their organizations (idempotent)."

    def handle(self, *args, **options):
        written = audit.backfill()
        self.stdout.write(f"{written} organization rows written for earlier audit entries.")
