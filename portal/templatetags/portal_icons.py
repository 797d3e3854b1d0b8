"""Small icons drawn in SVG, not emoji: an emoji needs a colour-emoji font, which many work
stations lack (a box is shown instead). An icon is always next to its words, so it is hidden from
screen readers. `{% load portal_icons %}{% icon "lock" %}`; Python code uses `icon()` directly."""

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_PATHS = {
    # A closed padlock.
    "lock": "M4 7V5a4 4 0 0 1 8 0v2h1v8H3V7h1zm2 0h4V5a2 2 0 0 0-4 0v2z",
    # An open padlock: the shackle lifted on the right.
    "unlock": "M3 7h7V4.5a2 2 0 0 0-4 0H4a4 4 0 0 1 8 0V7h1v8H3V7z",
    # An eye: its outline and pupil.
    "eye": "M8 3C4.2 3 1.4 5.6.5 8c.9 2.4 3.7 5 7.5 5s6.6-2.6 7.5-5C14.6 5.6 11.8 3 8 3zm0 2a3 3 0 1 1 0 6 "
    "3 3 0 0 1 0-6zm0 1.6a1.4 1.4 0 1 0 0 2.8 1.4 1.4 0 0 0 0-2.8z",
    # A key: its ring and blade.
    "key": "M10.5 1a4.5 4.5 0 0 0-4.3 5.8L1 12v3h3v-2h2v-2h2l1.2-1.2A4.5 4.5 0 1 0 10.5 1zm1 2.4a1.6 1.6 0 1 1 "
    "0 3.2 1.6 1.6 0 0 1 0-3.2z",
}

_SVG = {
    name: mark_safe(  # noqa: S308 - constant markup, no input in it
        f'<svg class="icon icon--{name}" width="14" height="14" viewBox="0 0 16 16" aria-hidden="true" '
        f'focusable="false"><path fill="currentColor" fill-rule="evenodd" d="{path}"/></svg>'
    )
    for name, path in _PATHS.items()
}


@register.simple_tag
def icon(name: str) -> SafeString:
    return _SVG[name]
