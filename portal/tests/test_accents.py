"""Accents sort and search as letters (portal.db), on the test database (SQLite or PostgreSQL)."""

import django_tables2 as tables
import pytest
from django.db.models import Value
from django.test import RequestFactory
from django.utils import translation

from portal.db import Fold, NameColumn, fold, folded_q, name_order, order_by_name, text_search
from portal.models import Organization, User
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

NAMES = ["Gisèle", "Élise", "Gérard", "Zoé", "Adèle", "eric", "Émile"]
ALPHABETICAL = ["Adèle", "Élise", "Émile", "eric", "Gérard", "Gisèle", "Zoé"]


@pytest.fixture
def people():
    return [
        UserFactory(first_name=name, last_name="Bélanger" if name == "Élise" else "Roy") for name in NAMES
    ]


def test_fold_removes_accents_and_case():
    assert fold("Élise BÉLANGER") == "elise belanger"
    assert fold("Gérard Côté-Lévesque") == "gerard cote-levesque"
    assert fold(None) is None


def test_it_sorts_accented_names_in_their_alphabetical_place(people):
    ordered = order_by_name(User.objects.filter(pk__in=[p.pk for p in people]), "first_name")
    assert [u.first_name for u in ordered] == ALPHABETICAL


def test_it_sorts_names_descending_too(people):
    ordered = order_by_name(User.objects.filter(pk__in=[p.pk for p in people]), "first_name", descending=True)
    assert [u.first_name for u in ordered] == list(reversed(ALPHABETICAL))


def test_name_order_is_usable_in_a_plain_order_by(people):
    ordered = User.objects.filter(pk__in=[p.pk for p in people]).order_by(
        *name_order("last_name", "first_name")
    )
    assert [u.first_name for u in ordered][:1] == ["Élise"]  # Bélanger before Roy


@pytest.mark.parametrize("typed", ["belanger", "BELANGER", "Bélanger", "bÉlAn", "elan"])
def test_it_finds_a_name_whatever_the_accents_and_case(people, typed):
    found = User.objects.filter(folded_q("last_name", typed))
    assert [u.first_name for u in found] == ["Élise"]


@pytest.mark.parametrize("typed", ["ELISE", "elise", "Élise"])
def test_an_accented_name_is_found_without_its_accent(people, typed):
    assert list(
        User.objects.filter(first_name__fold__exact=Fold(Value(typed))).values_list("first_name", flat=True)
    ) == ["Élise"]


def test_text_search_needs_every_word_in_one_of_the_fields(people):
    users = User.objects.filter(pk__in=[p.pk for p in people])
    assert [
        u.first_name for u in users.filter(text_search(["first_name", "last_name"], "elise BELANGER"))
    ] == ["Élise"]
    assert not users.filter(text_search(["first_name", "last_name"], "gerard belanger")).exists()
    assert users.filter(text_search(["first_name", "last_name"], "")).count() == len(NAMES)


def test_search_text_with_like_wildcards_is_taken_literally(people):
    assert not User.objects.filter(folded_q("last_name", "%")).exists()
    assert not User.objects.filter(folded_q("last_name", "_")).exists()


def test_translated_names_sort_in_the_active_language():
    for fr, en in [("Établissement", "Zeta"), ("Fondation", "Alpha"), ("Agence", "Omega")]:
        OrganizationFactory(name=fr, name_fr=fr, name_en=en)
    with translation.override("fr"):
        assert [o.name for o in order_by_name(Organization.objects.all(), "name")] == [
            "Agence",
            "Établissement",
            "Fondation",
        ]
    with translation.override("en"):
        assert [o.name for o in order_by_name(Organization.objects.all(), "name")] == [
            "Alpha",
            "Omega",
            "Zeta",
        ]


class _PeopleTable(tables.Table):
    name = NameColumn(accessor="first_name", order_by=("first_name",))

    class Meta:
        model = User
        fields = ("name",)


@pytest.mark.parametrize("sort,expected", [("name", ALPHABETICAL), ("-name", list(reversed(ALPHABETICAL)))])
def test_a_name_column_sorts_as_letters(people, sort, expected):
    table = _PeopleTable(User.objects.filter(pk__in=[p.pk for p in people]), order_by=sort)
    table.request = RequestFactory().get("/")
    assert [row.record.first_name for row in table.rows] == expected


def test_an_organizations_members_sort_by_name_as_letters():
    from portal.selectors import organization_members

    organization = OrganizationFactory()
    for last in ["Gagnon", "Éthier", "Boucher"]:
        MembershipFactory(organization=organization, user=UserFactory(last_name=last))
    members = organization_members(organization)
    assert [m.user.last_name for m in members] == ["Boucher", "Éthier", "Gagnon"]


def test_the_provider_choices_of_a_summary_sort_as_letters():
    from orders.summaries.forms import SummaryFieldsForm

    for name in ["Soins Zénith", "Équipe Nord", "Aide Sud"]:
        OrganizationFactory(kind="provider_agency", name=name, name_fr=name, name_en=name)
    with translation.override("fr"):
        choices = [str(o) for o in SummaryFieldsForm().fields["provider"].queryset]
    assert choices == ["Aide Sud", "Équipe Nord", "Soins Zénith"]
