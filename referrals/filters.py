import django_filters
from django.utils.translation import gettext_lazy as _

from portal.db import text_search
from portal.models import OrganizationKind
from portal.params import as_id
from portal.selectors import active_organization
from referrals.cases.selectors import case_managers
from referrals.models import CaseStatus, Program


class _PersonChoiceField(django_filters.fields.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.email


class PersonChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = _PersonChoiceField


class CaseFilter(django_filters.FilterSet):
    """Cases by ID or person's name, status, program and case manager."""

    # Sent by POST and kept in the session, never in an address (portal.search).
    personal_fields = ("q",)

    q = django_filters.CharFilter(label=_("Case ID or person's name"), method="filter_q")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=CaseStatus.choices, empty_label=_("Any status")
    )
    program = django_filters.ModelChoiceFilter(
        label=_("Program"), queryset=Program.objects.all(), empty_label=_("Any program")
    )
    case_manager = PersonChoiceFilter(
        label=_("Case manager"), queryset=None, empty_label=_("Any case manager")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        organization = active_organization(user)
        field = self.filters["case_manager"]
        if organization is not None and organization.kind == OrganizationKind.EMPLOYMENT_AGENCY:
            field.queryset = case_managers(organization)
        else:
            del self.filters["case_manager"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        number = as_id(value)
        if number is not None:
            return queryset.filter(number=number)
        if value.isdigit():
            return queryset.none()
        # Accents and case ignored: "belanger" finds "Bélanger".
        return queryset.filter(text_search(["person__last_name", "person__first_name"], value))
