"""Reference data of employment case management: programs, employability dimensions, barriers,
intervention, funding and partner service types (bilingual, kept in the Django admin)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.models import ReferenceData


class Program(ReferenceData):
    """A case management program, e.g. "ECM (LAE-ENS)"."""

    needs_ecm_agreement = models.BooleanField(
        _("requires the external case management program"), default=True
    )

    class Meta(ReferenceData.Meta):
        verbose_name = _("program")
        verbose_name_plural = _("programs")


class Dimension(ReferenceData):
    """An employability dimension (employment maintenance, job search, skills enhancement...)."""

    abbreviation = models.CharField(_("abbreviation"), max_length=5)

    class Meta(ReferenceData.Meta):
        verbose_name = _("employability dimension")
        verbose_name_plural = _("employability dimensions")


class Barrier(ReferenceData):
    dimension = models.ForeignKey(
        Dimension,
        on_delete=models.PROTECT,
        related_name="barriers",
        verbose_name=_("employability dimension"),
    )

    class Meta(ReferenceData.Meta):
        verbose_name = _("barrier to employment")
        verbose_name_plural = _("barriers to employment")


class InterventionType(ReferenceData):
    dimension = models.ForeignKey(
        Dimension,
        on_delete=models.PROTECT,
        related_name="intervention_types",
        verbose_name=_("employability dimension"),
    )

    class Meta(ReferenceData.Meta):
        verbose_name = _("intervention type")
        verbose_name_plural = _("intervention types")


class FundingType(ReferenceData):
    counts_as_edmt = models.BooleanField(_("counted in the EDMT accountability report"), default=False)

    class Meta(ReferenceData.Meta):
        verbose_name = _("funding type")
        verbose_name_plural = _("funding types")


class PartnerService(ReferenceData):
    """A service a business partner offers (training, job search workshops, self-employment...)."""

    class Meta(ReferenceData.Meta):
        verbose_name = _("business partner service")
        verbose_name_plural = _("business partner services")
