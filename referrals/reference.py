"""The reference lists of the LaMPSS guides, in French and English (editable by department staff).

Loaded by a data migration; tests that empty the database load them again (ensure_reference_data).
"""

PROGRAMS = [
    # code, French, English, needs the external case management program
    ("ecm", "GCE (LAE-ENS)", "ECM (LAE-ENS)", True),
    ("self-serve", "Libre-service", "Self-Serve", False),
]
DIMENSIONS = [
    # code, abbreviation, French, English
    ("career-decision", "CD", "Prise de décision de carrière", "Career Decision-Making"),
    ("skills-enhancement", "SE", "Perfectionnement des compétences", "Skills Enhancement"),
    ("job-search", "JS", "Recherche d'emploi", "Job Search"),
    ("employment-maintenance", "EM", "Maintien de l'emploi", "Employment Maintenance"),
]
BARRIERS = [
    # dimension, code, French, English
    ("career-decision", "unclear-goal", "Objectif d'emploi imprécis", "Unclear employment goal"),
    (
        "career-decision",
        "labour-market",
        "Méconnaissance du marché du travail",
        "Little knowledge of the labour market",
    ),
    (
        "skills-enhancement",
        "essential-skills",
        "Compétences essentielles à renforcer",
        "Essential skills to strengthen",
    ),
    ("skills-enhancement", "credentials", "Titres de compétences manquants", "Missing credentials"),
    ("skills-enhancement", "language", "Langue seconde à perfectionner", "Second language to improve"),
    ("job-search", "resume", "Curriculum vitæ à préparer", "Résumé to prepare"),
    ("job-search", "interview", "Techniques d'entrevue", "Interview skills"),
    ("job-search", "network", "Réseau professionnel limité", "Limited professional network"),
    ("employment-maintenance", "transport", "Transport", "Transportation"),
    ("employment-maintenance", "childcare", "Garde d'enfants", "Child care"),
    ("employment-maintenance", "workplace-skills", "Habiletés en milieu de travail", "Workplace skills"),
]
INTERVENTION_TYPES = [
    # dimension, code, French, English
    (
        "career-decision",
        "cd-counselling",
        "PriseDécision-Counseling d'orientation",
        "CareerDecision-CareerCounselling",
    ),
    (
        "career-decision",
        "cd-exploration",
        "PriseDécision-Exploration de carrière",
        "CareerDecision-CareerExploration",
    ),
    (
        "skills-enhancement",
        "se-essential-community",
        "Perfectionnement-CompétencesEssentielles-Communautaire",
        "SkillEnhancement-EssentialSkills-Community",
    ),
    (
        "skills-enhancement",
        "se-job-specific-formal",
        "Perfectionnement-PropreÀL'emploi-Formel",
        "SkillEnhancement-JobSpecific-Formal",
    ),
    (
        "skills-enhancement",
        "se-language",
        "Perfectionnement-Langue seconde",
        "SkillEnhancement-SecondLanguage",
    ),
    ("job-search", "js-workshop", "RechercheEmploi-Atelier", "JobSearch-Workshop"),
    ("job-search", "js-coaching", "RechercheEmploi-Accompagnement", "JobSearch-Coaching"),
    (
        "employment-maintenance",
        "em-wage-subsidy",
        "MaintienEmploi-Subvention salariale",
        "EmploymentMaintenance-WageSubsidy",
    ),
    (
        "employment-maintenance",
        "em-supports",
        "MaintienEmploi-Mesures de soutien",
        "EmploymentMaintenance-Supports",
    ),
]
FUNDING_TYPES = [
    # code, French, English, counted in the EDMT accountability report
    ("edmt", "EDMT", "EDMT", True),
    ("lma", "EMT (Entente sur le marché du travail)", "LMA (Labour Market Agreement)", False),
    ("agency", "Budget de l'organisme", "Agency budget", False),
    ("none", "Aucun financement", "No funding", False),
]
PARTNER_SERVICES = [
    ("training", "Formation professionnelle", "Vocational training"),
    ("essential-skills", "Compétences essentielles", "Essential skills"),
    ("job-search", "Ateliers de recherche d'emploi", "Job search workshops"),
    ("self-employment", "Travail indépendant", "Self-employment"),
    ("language", "Cours de langue", "Language courses"),
    ("coordination", "Coordination locale", "Local coordination"),
]


def load_reference_data(apps):
    Program = apps.get_model("referrals", "Program")
    Dimension = apps.get_model("referrals", "Dimension")
    Barrier = apps.get_model("referrals", "Barrier")
    InterventionType = apps.get_model("referrals", "InterventionType")
    FundingType = apps.get_model("referrals", "FundingType")
    PartnerService = apps.get_model("referrals", "PartnerService")

    def names(fr, en):
        return {"name": fr, "name_fr": fr, "name_en": en}

    for position, (code, fr, en, ecm) in enumerate(PROGRAMS):
        Program.objects.update_or_create(
            code=code, defaults={**names(fr, en), "position": position, "needs_ecm_agreement": ecm}
        )
    dimensions = {}
    for position, (code, abbreviation, fr, en) in enumerate(DIMENSIONS):
        dimensions[code], _created = Dimension.objects.update_or_create(
            code=code, defaults={**names(fr, en), "position": position, "abbreviation": abbreviation}
        )
    for model, rows in ((Barrier, BARRIERS), (InterventionType, INTERVENTION_TYPES)):
        for position, (dimension, code, fr, en) in enumerate(rows):
            model.objects.update_or_create(
                code=code,
                defaults={**names(fr, en), "position": position, "dimension": dimensions[dimension]},
            )
    for position, (code, fr, en, edmt) in enumerate(FUNDING_TYPES):
        FundingType.objects.update_or_create(
            code=code, defaults={**names(fr, en), "position": position, "counts_as_edmt": edmt}
        )
    for position, (code, fr, en) in enumerate(PARTNER_SERVICES):
        PartnerService.objects.update_or_create(code=code, defaults={**names(fr, en), "position": position})


def ensure_reference_data():
    """Load the lists if they are missing (after a test emptied the database)."""
    from django.apps import apps

    if not apps.get_model("referrals", "Dimension").objects.exists():
        load_reference_data(apps)
    ensure_templates()


# Correspondence templates: one letter per referral type, in each language ---------------------

_LETTER_FR = """Objet : Renvoi d'un client

Madame, Monsieur [contact_person],

{paragraph}

Personne renvoyée : [client_name] (dossier [case_number])
Organisme destinataire : [organization]

Pour toute question, veuillez communiquer avec [case_manager], gestionnaire de cas, à [agency_name] : [agency_address], [agency_phone], [agency_email].

Veuillez agréer nos salutations distinguées.

[agency_name]
Le [date]"""

_LETTER_EN = """Re: Client referral

Dear [contact_person],

{paragraph}

Person referred: [client_name] (case [case_number])
Receiving organization: [organization]

For any question, please contact [case_manager], case manager, at [agency_name]: [agency_address], [agency_phone], [agency_email].

Sincerely,

[agency_name]
[date]"""

TEMPLATES = [
    # code, type, French name, English name, French paragraph, English paragraph
    (
        "transfer",
        "transfer",
        "Renvoi – Transfert de dossier",
        "Referral – Case transfer",
        "Nous vous informons du transfert potentiel de la personne nommée ci-dessous vers votre organisme. "
        "Vous pouvez consulter son dossier personnel et un résumé de son cas dans Liaison, puis terminer le "
        "transfert à l'écran « Détails du dossier / Transfert ».",
        "We are letting you know that the person named below may be transferred to your agency. You can read "
        "their person record and a summary of their case in Liaison, then complete the transfer from the "
        "“Case details / Transfer” screen.",
    ),
    (
        "within",
        "within",
        "Renvoi – Pour information à l'intérieur du réseau",
        "Referral – Informational within the network",
        "Nous vous renvoyons la personne nommée ci-dessous, qui pourrait bénéficier de vos programmes, services "
        "ou interventions. Notre organisme continue de gérer son dossier.",
        "We are referring the person named below, who could benefit from your programs, services or "
        "interventions. Our agency keeps managing their case.",
    ),
    (
        "outside",
        "outside",
        "Renvoi – Pour information à l'extérieur du réseau",
        "Referral – Informational outside the network",
        "Nous vous renvoyons la personne nommée ci-dessous, qui pourrait bénéficier de vos programmes, services "
        "ou interventions.",
        "We are referring the person named below, who could benefit from your programs, services or "
        "interventions.",
    ),
]
SUBJECTS = {
    "fr": "Renvoi d'un client – Programmes, services et interventions",
    "en": "Client referral – Programs, services and interventions",
}
BODIES = {
    "fr": "Veuillez trouver ci-joint la lettre de renvoi concernant un de nos clients qui pourrait bénéficier "
    "de vos programmes, services ou interventions.",
    "en": "Please find attached the referral letter about one of our clients who could benefit from your "
    "programs, services or interventions.",
}


def load_templates(apps):
    CorrespondenceTemplate = apps.get_model("referrals", "CorrespondenceTemplate")
    for code, kind, name_fr, name_en, paragraph_fr, paragraph_en in TEMPLATES:
        for language, name, letter, paragraph in (
            ("fr", name_fr, _LETTER_FR, paragraph_fr),
            ("en", name_en, _LETTER_EN, paragraph_en),
        ):
            CorrespondenceTemplate.objects.update_or_create(
                code=code,
                language=language,
                defaults={
                    "referral_type": kind,
                    "name": name,
                    "default_subject": SUBJECTS[language],
                    "default_body": BODIES[language],
                    "letter_body": letter.replace("{paragraph}", paragraph),
                },
            )


def ensure_templates():
    from django.apps import apps

    if not apps.get_model("referrals", "CorrespondenceTemplate").objects.exists():
        load_templates(apps)
