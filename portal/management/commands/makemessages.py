from django.core.management.commands import makemessages


class Command(makemessages.Command):
    """makemessages without fuzzy guesses: a new string stays untranslated until someone translates
    it (the translation test then says so), instead of borrowing a neighbour's translation."""

    msgmerge_options = makemessages.Command.msgmerge_options + ["--no-fuzzy-matching"]
