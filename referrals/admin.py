"""Case management reference data in the admin site (staff only); cases change through the screens."""

from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from referrals.models import (
    Barrier,
    CorrespondenceTemplate,
    Dimension,
    FundingType,
    InterventionType,
    PartnerService,
    Program,
)


class ReferenceAdmin(TranslationAdmin):
    list_display = ("name", "code", "is_active", "position")
    list_editable = ("is_active", "position")
    search_fields = ("name_fr", "name_en", "code")


for model in (Program, Dimension, Barrier, InterventionType, FundingType, PartnerService):
    admin.site.register(model, ReferenceAdmin)


@admin.register(CorrespondenceTemplate)
class CorrespondenceTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "referral_type", "language", "is_active")
    list_filter = ("referral_type", "language", "is_active")
