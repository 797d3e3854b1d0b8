"""The interpreter bank's reference lists, and the default rates a new bank starts with (editable
by its coordinators).

Loaded by a data migration; tests that empty the database load them again (ensure_reference_data).
"""

from decimal import Decimal

LANGUAGES = [
    # code, French, English, sign language
    ("ar", "Arabe", "Arabic", False),
    ("es", "Espagnol", "Spanish", False),
    ("fa", "Persan (farsi, dari)", "Persian (Farsi, Dari)", False),
    ("zh", "Mandarin", "Mandarin", False),
    ("ti", "Tigrigna", "Tigrinya", False),
    ("sw", "Swahili", "Swahili", False),
    ("uk", "Ukrainien", "Ukrainian", False),
    ("ru", "Russe", "Russian", False),
    ("pt", "Portugais", "Portuguese", False),
    ("ht", "Créole haïtien", "Haitian Creole", False),
    ("lsq", "Langue des signes québécoise (LSQ)", "Quebec Sign Language (LSQ)", True),
    ("asl", "American Sign Language (ASL)", "American Sign Language (ASL)", True),
]
SERVICE_TYPES = [
    ("medical", "Médical", "Medical"),
    ("social", "Social", "Social"),
    ("mental-health", "Santé mentale", "Mental health"),
    ("youth-protection", "Protection de la jeunesse", "Youth protection"),
    ("rehabilitation", "Réadaptation", "Rehabilitation"),
]
RATES = [
    # A bank's first rates (services.ensure_rates).
    # modality, hourly rate billed, hourly pay, minimum minutes, travel per km, late window (hours)
    ("in_person", Decimal("65.00"), Decimal("45.00"), 120, Decimal("0.55"), 48),
    ("phone", Decimal("55.00"), Decimal("38.00"), 30, Decimal("0"), 24),
    ("video", Decimal("60.00"), Decimal("42.00"), 60, Decimal("0"), 24),
]


def load_reference_data(apps):
    Language = apps.get_model("interpreters", "Language")
    ServiceType = apps.get_model("interpreters", "ServiceType")
    for position, (code, fr, en, sign) in enumerate(LANGUAGES):
        Language.objects.update_or_create(
            code=code,
            defaults={
                "name": fr,
                "name_fr": fr,
                "name_en": en,
                "position": position,
                "is_sign_language": sign,
            },
        )
    for position, (code, fr, en) in enumerate(SERVICE_TYPES):
        ServiceType.objects.update_or_create(
            code=code, defaults={"name": fr, "name_fr": fr, "name_en": en, "position": position}
        )
    # Rates are each bank's: interpreters.services.ensure_rates(bank=...) sets RATES for a bank.


def ensure_reference_data():
    from django.apps import apps

    if not apps.get_model("interpreters", "Language").objects.exists():
        load_reference_data(apps)
