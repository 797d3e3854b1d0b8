"""Agencies: the agencies a department may contract, its agreements with them, and agencies' offices."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from portal.models import Organization, OrganizationKind
from portal.scoping import scoped_manager


class ContractableAgency(models.Model):
    """Reference data kept by platform staff (Django admin): an employment agency a department may
    sign agreements with. A department's agreement form offers these agencies and no other."""

    department = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"kind": OrganizationKind.DEPARTMENT},
        verbose_name=_("department"),
    )
    agency = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="contracting_departments",
        limit_choices_to={"kind": OrganizationKind.EMPLOYMENT_AGENCY},
        verbose_name=_("employment agency"),
    )

    objects = scoped_manager("department", "agency")

    class Meta:
        verbose_name = _("agency the department may contract")
        verbose_name_plural = _("agencies departments may contract")
        ordering = ["department__name", "agency__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "agency"], name="referrals_contractable_agency_once"
            )
        ]

    def __str__(self):
        return f"{self.department} → {self.agency}"

    @property
    def organization_ids(self):
        return {self.department_id, self.agency_id}


class Agreement(models.Model):
    """The department's agreement with an employment agency (one it may contract: ContractableAgency).

    A department reads the cases whose accountability agreement is one of its own (Case.agreement),
    never every case of an agency it has an agreement with."""

    number = models.CharField(_("agreement number"), max_length=30, unique=True)
    department = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": OrganizationKind.DEPARTMENT},
        verbose_name=_("department"),
    )
    agency = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="employment_agreements",
        limit_choices_to={"kind": OrganizationKind.EMPLOYMENT_AGENCY},
        verbose_name=_("employment agency"),
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    funding_active = models.BooleanField(_("funding agreement active"), default=True)
    ecm_enabled = models.BooleanField(_("external case management program enabled"), default=True)
    client_tracking = models.BooleanField(_("client tracking enabled"), default=False)

    objects = scoped_manager("department", "agency")

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["agency__name", "number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="referrals_agreement_dates_in_order",
            )
        ]

    def __str__(self):
        return self.number

    @property
    def organization_ids(self):
        return {self.department_id, self.agency_id}


class Office(models.Model):
    agency = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="employment_offices", verbose_name=_("agency")
    )
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=255, blank=True)
    city = models.CharField(_("city"), max_length=100)
    postal_code = models.CharField(_("postal code"), max_length=7, blank=True)
    phone = models.CharField(_("telephone"), max_length=30, blank=True)
    is_delivery_location = models.BooleanField(_("service delivery location"), default=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = scoped_manager("agency")

    class Meta:
        verbose_name = _("office")
        verbose_name_plural = _("offices")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.city})"

    @property
    def organization_ids(self):
        return {self.agency_id}
