"""Recount the booking inventory (appointments.SlotTime) from the appointments and report drift."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from appointments.schedules import services


def _pair(value):
    return "none" if value is None else f"{value[1]}/{value[0]}"


class Command(BaseCommand):
    help = (
        "Recount each slot time's places taken from its booked and confirmed appointments and waitlist "
        "holds, and report the times whose row differs (0 expected); --fix rewrites them under the slot's "
        "locks."
    )

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="Rewrite the rows that drift.")
        parser.add_argument("--organization", type=int, help="Only this application (organization id).")
        parser.add_argument("--show", type=int, default=50, help="How many drifting times to list (50).")

    def handle(self, *args, fix=False, organization=None, show=50, **options):
        slots, times, drift = services.recount_inventory(fix=fix, organization_id=organization)
        for item in drift[:show]:
            moment = timezone.localtime(item.starts_at).strftime("%Y-%m-%d %H:%M")
            self.stdout.write(
                f"slot {item.slot_id} at {moment}: row says {_pair(item.found)} (taken/places), "
                f"appointments say {_pair(item.expected)}"
            )
        if len(drift) > show:
            self.stdout.write(f"… and {len(drift) - show} more.")
        summary = f"{slots} slots, {times} times checked: {len(drift)} drifting."
        if drift and fix:
            self.stdout.write(self.style.SUCCESS(f"{summary} Fixed."))
        elif drift:
            raise CommandError(f"{summary} Run with --fix to rewrite them.")
        else:
            self.stdout.write(self.style.SUCCESS(summary))
