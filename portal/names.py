"""Organization names inside sentences, as each language writes them.

French puts an article before most organization names and contracts it with "de" and "à":
"auprès du Réseau de santé…", "au sein du Ministère…", "à la Clinique…", "de l'Hôpital…", "aux
Services…"; English says "the Department of …" when the name takes "the". The article is the
organization's (Organization.article_fr / article_en, set in the admin); a plain name (a clinic's
public name, a person) has none.

A message that puts a name after a preposition passes the preposition with the name, already
contracted: msgid "… %(with_organization)s", organization=name_after(pgettext("…", "with"), org)
gives "auprès du Réseau…" in French (pgettext's French is "auprès de") and "with the Clinic…" in
English. A preposition French does not contract ("par", "avec") works the same: "par le Ministère".
"""

from django.utils.functional import lazy
from django.utils.translation import get_language

VOWELS = frozenset("aeiouyàâäéèêëîïôöùûüœæ")
# French "de" and "à" with the definite article (l' only elides: "de l'", "à l'").
CONTRACTIONS = {
    "de": {"le": "du", "les": "des", "la": "de la", "l'": "de l'"},
    "à": {"le": "au", "les": "aux", "la": "à la", "l'": "à l'"},
}


def _french():
    return (get_language() or "").startswith("fr")


def _name_and_article(organization):
    """The organization's name in the active language and the article that goes with it."""
    if organization is None:
        return "", ""
    name = str(organization)
    article = getattr(organization, "article_fr" if _french() else "article_en", "") or ""
    return name, article


def _with_article(name, article):
    if not article:
        return name
    return f"{article}{name}" if article.endswith("'") else f"{article} {name}"


def the_name(organization):
    """The name as a sentence uses it, in the active language: "le Ministère du Développement
    social" / "the Department of Social Development"; "Horizon" when the name takes no article."""
    return _with_article(*_name_and_article(organization))


def name_after(preposition, organization):
    """The preposition and the name, contracted as French does: "de" + le Réseau → "du Réseau",
    "à" + les Services → "aux Services", "auprès de" + l'Hôpital → "auprès de l'Hôpital", "de" +
    Horizon → "de Horizon" ("d'" before a vowel: "d'Emploi…"). English: "with the Department…"."""
    name, article = _name_and_article(organization)
    preposition = str(preposition or "").strip()
    if not name:
        return ""
    if not preposition:
        return _with_article(name, article)
    if _french():
        head, _space, last = preposition.rpartition(" ")
        lead = f"{head} " if head else ""
        forms = CONTRACTIONS.get(last)
        if forms is not None:
            if article:
                return (
                    f"{lead}{forms[article]}{name}" if article == "l'" else f"{lead}{forms[article]} {name}"
                )
            if last == "de" and name[:1].lower() in VOWELS:
                return f"{lead}d'{name}"
            return f"{lead}{last} {name}"
    return f"{preposition} {_with_article(name, article)}"


# The same, read in the language active when the text is used (a notification's title is written
# in each language from one set of parameters).
lazy_the_name = lazy(the_name, str)
lazy_name_after = lazy(name_after, str)
