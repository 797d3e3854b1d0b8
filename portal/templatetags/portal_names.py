"""Organization names inside sentences (portal.names).

{{ organization|the_name }}                 le Ministère… / the Department…
{% translate "with" context "booking an appointment with an organization" as with_word %}
{{ organization|name_after:with_word }}     auprès du Réseau… / with the Network…
"""

from django import template

from portal import names

register = template.Library()


@register.filter
def the_name(organization):
    return names.the_name(organization)


@register.filter
def name_after(organization, preposition):
    return names.name_after(preposition, organization)
