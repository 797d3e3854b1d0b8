from modeltranslation.translator import TranslationOptions, register

from referrals.models import Barrier, Dimension, FundingType, InterventionType, PartnerService, Program


class NameTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = ("fr", "en")


for model in (Program, Dimension, Barrier, InterventionType, FundingType, PartnerService):
    register(model)(NameTranslation)
