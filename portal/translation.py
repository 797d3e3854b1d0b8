"""Bilingual columns (modeltranslation): name_fr / name_en and so on."""

from modeltranslation.translator import TranslationOptions, register

from portal.models import Notification, Organization, Task


@register(Organization)
class OrganizationTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = ("fr", "en")


@register(Task)
class TaskTranslation(TranslationOptions):
    fields = ("title", "details")


@register(Notification)
class NotificationTranslation(TranslationOptions):
    fields = ("title", "details")
