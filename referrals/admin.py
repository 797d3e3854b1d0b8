"""Case management reference data in the admin site (staff only); cases change through the screens."""

from django.contrib import admin

from portal.admin import ReferenceAdmin
from referrals.models import (
    Barrier,
    ContractableAgency,
    CorrespondenceTemplate,
    Dimension,
    FundingType,
    InterventionType,
    PartnerService,
    Program,
)

for model in (Program, Dimension, Barrier, InterventionType, FundingType, PartnerService):
    admin.site.register(model, ReferenceAdmin)


@admin.register(CorrespondenceTemplate)
class CorrespondenceTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "referral_type", "language", "is_active")
    list_filter = ("referral_type", "language", "is_active")


@admin.register(ContractableAgency)
class ContractableAgencyAdmin(admin.ModelAdmin):
    """Platform staff keep the agencies each department may sign agreements with."""

    list_display = ("department", "agency")
    list_filter = ("department",)
    search_fields = ("department__name", "agency__name")
