"""The reference lists of the CommunityCare NB guide, in French and English (editable in the admin).

Loaded by a data migration; tests that empty the database load them again (ensure_reference_data).
"""

SERVICES = [
    # code, French, English, activated without acceptance, allows incident, allows observation
    ("home-support", "Soutien à domicile/Soins personnels", "Home Support/Personal Care", False, True, True),
    ("transport", "Transport", "Transportation", True, False, False),
    ("day-program", "Programme de jour", "Day Program", False, True, True),
    ("respite", "Répit", "Respite", False, True, True),
    ("meals", "Livraison de repas", "Meal Delivery", True, False, False),
]
ZONES = [
    ("south-west", "Zone du Sud-Ouest", "South West Zone"),
    ("central", "Zone du Centre", "Central Zone"),
    ("south-east", "Zone du Sud-Est", "South East Zone"),
    ("north-west", "Zone du Nord-Ouest", "North West Zone"),
    ("north-east", "Zone du Nord-Est", "North East Zone"),
]
CENTRES = [
    ("fredericton", "Fredericton / Fredericton", "Fredericton / Fredericton"),
    ("saint-john", "Saint John / Saint John", "Saint John / Saint John"),
    ("sussex", "Sussex / Sussex", "Sussex / Sussex"),
    ("moncton", "Moncton / Moncton", "Moncton / Moncton"),
    ("edmundston", "Edmundston / Edmundston", "Edmundston / Edmundston"),
]
OPTIONS = {
    "incident_type": [
        ("death", "Décès de la personne", "Death of the person"),
        ("hospital-visit", "Visite à l'hôpital", "Hospital visit"),
        ("hospital-return", "Retour de l'hôpital", "Return from hospital"),
        ("fall", "Chute", "Fall"),
        ("injury", "Blessure", "Injury"),
        ("medication-error", "Erreur de médication", "Medication error"),
        ("aggression", "Comportement agressif", "Aggressive behaviour"),
        ("missing", "Personne disparue", "Missing person"),
    ],
    "measure": [
        ("cpr", "Réanimation cardiorespiratoire", "Cardiopulmonary resuscitation"),
        (
            "caregiver-instructed",
            "Instruction au soignant de surveiller la personne",
            "Caregiver instructed to monitor the person",
        ),
        ("called-911", "Appel au 9-1-1", "Called 9-1-1"),
        ("first-aid", "Premiers soins", "First aid"),
        ("family-notified", "Famille avisée", "Family notified"),
        ("supervisor-notified", "Superviseur avisé", "Supervisor notified"),
    ],
    "observation_type": [
        ("mobility", "Changement relatif à la mobilité", "Change in mobility"),
        ("function", "Changement relatif à la fonction cognitive", "Change in cognitive function"),
        ("mental-health", "Santé mentale", "Mental health"),
        ("behaviour", "Changement de comportement", "Change in behaviour"),
        ("health", "Changement de l'état de santé", "Change in health condition"),
        ("family", "Changement de la situation familiale", "Change in family situation"),
    ],
}
CATEGORIES = [
    (
        "change-service",
        "Modifier le service",
        "Change the service",
        [
            (
                "person-decrease",
                "La personne demande une baisse du niveau de service",
                "The person asks for a lower level of service",
            ),
            (
                "person-increase",
                "La personne demande une hausse du niveau de service",
                "The person asks for a higher level of service",
            ),
            (
                "agency-decrease",
                "L'organisme demande une baisse du niveau de service",
                "The agency asks for a lower level of service",
            ),
            (
                "agency-increase",
                "L'organisme demande une hausse du niveau de service",
                "The agency asks for a higher level of service",
            ),
        ],
    ),
    (
        "schedule",
        "Horaire",
        "Schedule",
        [
            (
                "schedule-person",
                "Changement d'horaire demandé par la personne",
                "Schedule change asked by the person",
            ),
            (
                "schedule-agency",
                "Changement d'horaire demandé par l'organisme",
                "Schedule change asked by the agency",
            ),
        ],
    ),
    (
        "end-of-service",
        "Fin du service",
        "End of service",
        [
            ("person-ends", "La personne ne veut plus le service", "The person no longer wants the service"),
            (
                "agency-ends",
                "L'organisme ne peut plus offrir le service",
                "The agency can no longer provide the service",
            ),
        ],
    ),
]


def load_reference_data(apps):
    ServiceType = apps.get_model("orders", "ServiceType")
    Zone = apps.get_model("orders", "Zone")
    ServiceCentre = apps.get_model("orders", "ServiceCentre")
    ChangeCategory = apps.get_model("orders", "ChangeCategory")
    ReportOption = apps.get_model("orders", "ReportOption")

    def names(fr, en):
        return {"name": fr, "name_fr": fr, "name_en": en}

    for position, (code, fr, en, auto, incident, observation) in enumerate(SERVICES):
        ServiceType.objects.update_or_create(
            code=code,
            defaults={
                **names(fr, en),
                "position": position,
                "auto_activate": auto,
                "allows_incident": incident,
                "allows_observation": observation,
            },
        )
    for model, rows in ((Zone, ZONES), (ServiceCentre, CENTRES)):
        for position, (code, fr, en) in enumerate(rows):
            model.objects.update_or_create(code=code, defaults={**names(fr, en), "position": position})
    for list_name, rows in OPTIONS.items():
        for position, (code, fr, en) in enumerate(rows):
            ReportOption.objects.update_or_create(
                code=f"{list_name}-{code}",
                defaults={**names(fr, en), "position": position, "list_name": list_name},
            )
    for position, (code, fr, en, types) in enumerate(CATEGORIES):
        category, _created = ChangeCategory.objects.update_or_create(
            code=code, defaults={**names(fr, en), "position": position}
        )
        for type_position, (type_code, type_fr, type_en) in enumerate(types):
            ReportOption.objects.update_or_create(
                code=f"change-{type_code}",
                defaults={
                    **names(type_fr, type_en),
                    "position": type_position,
                    "list_name": "change_type",
                    "category": category,
                },
            )


def ensure_reference_data():
    """Load the lists if they are missing (after a test emptied the database)."""
    from django.apps import apps

    if not apps.get_model("orders", "ServiceType").objects.exists():
        load_reference_data(apps)
