from modeltranslation.translator import TranslationOptions, register

from interpreters.models import Language, ServiceType


class NameTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = ("fr", "en")


for model in (Language, ServiceType):
    register(model)(NameTranslation)
