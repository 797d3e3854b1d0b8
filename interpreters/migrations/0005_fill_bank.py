"""Existing rows belong to the one existing bank (made here if rows need one and there is none);
every establishment that already has requests, registrations or cost centres is served by it."""

from django.db import migrations

BANK_NAME_FR = "Banque d'interprètes"
BANK_NAME_EN = "Interpreter bank"


def fill(apps, schema_editor):
    Organization = apps.get_model("portal", "Organization")
    Request = apps.get_model("interpreters", "Request")
    Registration = apps.get_model("interpreters", "Registration")
    Rate = apps.get_model("interpreters", "Rate")
    Statement = apps.get_model("interpreters", "Statement")
    CostCentre = apps.get_model("interpreters", "CostCentre")
    InterpreterProfile = apps.get_model("interpreters", "InterpreterProfile")
    ServedEstablishment = apps.get_model("interpreters", "ServedEstablishment")

    has_rows = any(
        model.objects.exists() for model in (Request, Registration, Statement, InterpreterProfile)
    )
    bank = Organization.objects.filter(kind="interpreter_bank").order_by("pk").first()
    if bank is None and not has_rows:
        # A fresh database: rates are set per bank when a bank is created (services.ensure_rates).
        Rate.objects.filter(bank__isnull=True).delete()
        return
    if bank is None:
        bank = Organization.objects.create(
            name=BANK_NAME_FR, name_fr=BANK_NAME_FR, name_en=BANK_NAME_EN, kind="interpreter_bank"
        )
    Request.objects.filter(bank__isnull=True).update(bank=bank)
    Registration.objects.filter(bank__isnull=True).update(bank=bank)
    Statement.objects.filter(bank__isnull=True).update(bank=bank)
    Rate.objects.filter(bank__isnull=True).update(bank=bank)
    # Every bank bills with rates of its own: the defaults where it has none yet.
    from interpreters.reference import RATES

    for each in Organization.objects.filter(kind="interpreter_bank"):
        for modality, rate, pay, minimum, travel, window in RATES:
            Rate.objects.get_or_create(
                bank=each,
                modality=modality,
                defaults={
                    "hourly_rate": rate,
                    "hourly_pay": pay,
                    "minimum_minutes": minimum,
                    "travel_rate": travel,
                    "late_cancellation_hours": window,
                },
            )
    establishment_ids = set(Request.objects.values_list("establishment_id", flat=True))
    establishment_ids |= set(Registration.objects.values_list("establishment_id", flat=True))
    establishment_ids |= set(CostCentre.objects.values_list("establishment_id", flat=True))
    establishment_ids |= set(
        Organization.objects.filter(kind="health_establishment").values_list("pk", flat=True)
    )
    for establishment_id in establishment_ids:
        ServedEstablishment.objects.get_or_create(establishment_id=establishment_id, defaults={"bank": bank})


class Migration(migrations.Migration):
    dependencies = [("interpreters", "0004_bank_key")]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
