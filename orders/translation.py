from modeltranslation.translator import TranslationOptions, register

from orders.models import ChangeCategory, ReportOption, ServiceCentre, ServiceType, Zone


class NameTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = ("fr", "en")


for model in (ServiceType, Zone, ServiceCentre, ChangeCategory, ReportOption):
    register(model)(NameTranslation)
