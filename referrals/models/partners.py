"""Business partners: the Rolodex."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.models import Organization
from portal.scoping import scoped_manager

from .reference import PartnerService


class BusinessPartner(models.Model):
    """An entry of the Rolodex: public (set by the department) or private to one agency."""

    name = models.CharField(_("name"), max_length=200)
    services = models.ManyToManyField(PartnerService, blank=True, verbose_name=_("services offered"))
    address = models.CharField(_("address"), max_length=255, blank=True)
    city = models.CharField(_("city"), max_length=100)
    postal_code = models.CharField(_("postal code"), max_length=7, blank=True)
    phone = models.CharField(_("telephone"), max_length=30, blank=True)
    email = models.EmailField(_("email address"), blank=True)
    website = models.URLField(_("website"), blank=True)
    is_local_coordinator = models.BooleanField(_("can act as local coordinator"), default=False)
    # Null: public, visible to every agency. Otherwise private to this agency.
    agency = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="private_business_partners",
        verbose_name=_("private to"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = scoped_manager("agency")

    class Meta:
        verbose_name = _("business partner")
        verbose_name_plural = _("business partners")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def is_public(self):
        return self.agency_id is None
