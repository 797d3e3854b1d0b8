import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from orders.models import (
    HIDDEN_FROM_PROVIDER,
    Order,
    OrderSummary,
    ServiceCentre,
    ServiceType,
    SummaryStatus,
    Zone,
)
from orders.summaries.services import normalize_name

PROVIDER_STATUSES = [
    (value, label) for value, label in SummaryStatus.choices if value not in HIDDEN_FROM_PROVIDER
]


class OrderSearch(django_filters.FilterSet):
    """The Search tab: any subset of fields; the account name matches in part, whatever the accents or case."""

    # The account name is the client's name: sent by POST, kept in the session (portal.search).
    personal_fields = ("account_name",)

    order_number = django_filters.CharFilter(label=_("Order number"), method="filter_order_number")
    summary_number = django_filters.CharFilter(
        label=_("Order summary number"), method="filter_summary_number"
    )
    account_name = django_filters.CharFilter(label=_("Account name"), method="filter_account_name")
    service = django_filters.ModelChoiceFilter(
        label=_("Service name"),
        field_name="summary__service",
        queryset=ServiceType.objects.all(),
        empty_label=_("Select an option"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        field_name="summary__status",
        choices=PROVIDER_STATUSES,
        empty_label=_("Select an option"),
    )
    zone = django_filters.ModelChoiceFilter(
        label=_("Zone"),
        field_name="summary__zone",
        queryset=Zone.objects.all(),
        empty_label=_("Select an option"),
    )
    service_centre = django_filters.ModelChoiceFilter(
        label=_("Service centre billed"),
        field_name="summary__service_centre",
        queryset=ServiceCentre.objects.all(),
        empty_label=_("Select an option"),
    )

    class Meta:
        model = Order
        fields = []

    def filter_order_number(self, queryset, name, value):
        return queryset.filter(number__icontains=value.strip())

    def filter_summary_number(self, queryset, name, value):
        return queryset.filter(summary__number__icontains=value.strip())

    def filter_account_name(self, queryset, name, value):
        return queryset.filter(summary__client_name_search__contains=normalize_name(value))

    @property
    def is_searching(self):
        """A search needs at least one field filled in (the tab, page and sort are not fields)."""
        return self.is_bound and any(self.data.get(name) not in (None, "") for name in self.filters)


class DepartmentFilter(django_filters.FilterSet):
    # "Number or account name": may be the client's name (portal.search).
    personal_fields = ("q",)

    q = django_filters.CharFilter(label=_("Number or account name"), method="filter_q")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=SummaryStatus.choices, empty_label=_("All")
    )

    class Meta:
        model = OrderSummary
        fields = []

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(number__icontains=value) | Q(client_name_search__contains=normalize_name(value))
        )
