"""{% memo %} (portal_tags): a fragment that is the same for every visitor is rendered once per
process for its values and language, then reused (issue 16: the public booking pages)."""

from django.template import Context, Template
from django.utils import translation

from portal.templatetags import portal_tags


class Counter:
    def __init__(self):
        self.calls = 0

    def __str__(self):
        self.calls += 1
        return f"rendered {self.calls}"


TEMPLATE = Template('{% load portal_tags i18n %}{% memo "test_fragment" name %}{{ counter }} {% translate "Help" %}{% endmemo %}')


def _render(**values):
    return TEMPLATE.render(Context(values))


def setup_function():
    portal_tags._FRAGMENTS.clear()
    translation.activate("en")  # the default language is French: the English text is asserted


def teardown_function():
    translation.deactivate()


def test_it_renders_a_fragment_once_for_the_same_values():
    counter = Counter()
    assert _render(name="a", counter=counter) == _render(name="a", counter=counter) == "rendered 1 Help"
    assert counter.calls == 1


def test_it_renders_again_for_other_values():
    counter = Counter()
    _render(name="a", counter=counter)
    assert _render(name="b", counter=counter) == "rendered 2 Help"


def test_it_keeps_one_fragment_per_language():
    counter = Counter()
    with translation.override("en"):
        english = _render(name="a", counter=counter)
    with translation.override("fr"):
        french = _render(name="a", counter=counter)
    assert english == "rendered 1 Help" and french.startswith("rendered 2")
    with translation.override("en"):
        assert _render(name="a", counter=counter) == english


def test_it_does_not_keep_a_fragment_whose_value_is_missing():
    counter = Counter()
    _render(counter=counter)
    assert _render(counter=counter) == "rendered 2 Help"
    assert not portal_tags._FRAGMENTS
