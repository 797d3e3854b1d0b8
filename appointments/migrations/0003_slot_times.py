"""The booking inventory (issue 16): a row per (slot, time) with its places and the places taken,
built for every existing slot from its appointments (booked or confirmed)."""

from collections import Counter
from datetime import timedelta

import django.db.models.deletion
from django.db import migrations, models


def build_times(apps, schema_editor):
    Slot = apps.get_model("appointments", "Slot")
    SlotTime = apps.get_model("appointments", "SlotTime")
    Appointment = apps.get_model("appointments", "Appointment")
    taken = Counter(
        Appointment.objects.filter(status__in=["booked", "confirmed"])
        .values_list("slot_id", "starts_at")
        .iterator()
    )
    rows = []
    slots = Slot.objects.order_by("pk").values_list(
        "pk", "starts_at", "ends_at", "interval_minutes", "per_interval"
    )
    for pk, starts_at, ends_at, interval, per_interval in slots.iterator(chunk_size=2000):
        if interval <= 0:
            continue
        count = int((ends_at - starts_at).total_seconds() // 60) // interval
        times = [starts_at + timedelta(minutes=interval) * index for index in range(count)]
        # A time already overbooked (before the inventory) keeps its bookings: its places are
        # raised to them so that the table's check holds; check_inventory reports it.
        rows.extend(
            SlotTime(
                slot_id=pk,
                starts_at=moment,
                capacity=max(per_interval, taken[pk, moment]),
                taken=taken[pk, moment],
            )
            for moment in times
        )
        if len(rows) >= 5000:
            SlotTime.objects.bulk_create(rows)
            rows = []
    SlotTime.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [
        ("appointments", "0002_history_entry"),
    ]

    operations = [
        migrations.CreateModel(
            name="SlotTime",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("starts_at", models.DateTimeField(verbose_name="time")),
                ("capacity", models.PositiveSmallIntegerField(verbose_name="places")),
                ("taken", models.PositiveSmallIntegerField(default=0, verbose_name="places taken")),
                ("version", models.PositiveIntegerField(default=0)),
            ],
            options={
                "verbose_name": "slot time",
                "verbose_name_plural": "slot times",
                "ordering": ["slot", "starts_at"],
            },
        ),
        migrations.AddIndex(
            model_name="appointment",
            index=models.Index(
                condition=models.Q(("status__in", ["booked", "confirmed"])),
                fields=["service", "person_key", "starts_at"],
                name="appointment_person_holding",
            ),
        ),
        migrations.AddField(
            model_name="slottime",
            name="slot",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="times", to="appointments.slot"
            ),
        ),
        migrations.AddConstraint(
            model_name="slottime",
            constraint=models.UniqueConstraint(fields=("slot", "starts_at"), name="one_row_per_slot_time"),
        ),
        migrations.AddConstraint(
            model_name="slottime",
            constraint=models.CheckConstraint(
                condition=models.Q(("taken__lte", models.F("capacity"))), name="slot_time_not_oversold"
            ),
        ),
        migrations.RunPython(build_times, migrations.RunPython.noop, elidable=True),
    ]
