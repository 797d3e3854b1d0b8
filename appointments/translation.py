from modeltranslation.translator import TranslationOptions, register

from appointments.models import ClinicSettings, EligibilityQuestion, Location, Service


@register(Service)
class ServiceTranslation(TranslationOptions):
    fields = (
        "name",
        "description",
        "instructions",
        "message_available",
        "message_unavailable",
        "message_not_eligible",
    )
    required_languages = {"fr": ("name",), "en": ("name",)}


@register(EligibilityQuestion)
class QuestionTranslation(TranslationOptions):
    fields = ("text",)
    required_languages = ("fr", "en")


@register(Location)
class LocationTranslation(TranslationOptions):
    fields = ("name", "message")
    required_languages = {"fr": ("name",), "en": ("name",)}


@register(ClinicSettings)
class SettingsTranslation(TranslationOptions):
    fields = (
        "public_name",
        "welcome_message",
        "popup_message",
        "transitional_message",
        "terms_text",
        "privacy_text",
    )
