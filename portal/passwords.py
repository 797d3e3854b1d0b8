"""Password rules beyond Django's: no password made of repeated or sequential characters
("aaaaaaaaaaaa", "abcdefghijkl", "123456789012": OWASP ASVS 2.1.7 and NIST 800-63B's list of
passwords to refuse). Django's own validators refuse short, common and all-digit passwords."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MIN_DISTINCT = 5
MAX_RUN = 5  # a run of 6 characters that repeat or follow each other is refused


def _longest_run(text):
    """The longest stretch where each character repeats the one before or follows it (±1)."""
    longest = run = 1
    step = None
    for before, after in zip(text, text[1:], strict=False):
        difference = ord(after) - ord(before)
        if difference in (-1, 0, 1) and (step is None or difference == step):
            run += 1
            step = difference
        elif difference in (-1, 0, 1):
            run, step = 2, difference
        else:
            run, step = 1, None
        longest = max(longest, run)
    return longest


class RepeatedOrSequentialValidator:
    def validate(self, password, user=None):
        folded = password.casefold()
        if len(set(folded)) < MIN_DISTINCT or _longest_run(folded) > MAX_RUN:
            raise ValidationError(
                _(
                    "This password is made of repeated or consecutive characters (like aaaa or 1234). "
                    "Choose a password that is harder to guess, such as a few unrelated words."
                ),
                code="password_repeated_or_sequential",
            )

    def get_help_text(self):
        return _("Your password cannot be made of repeated or consecutive characters.")
