import re
from decimal import Decimal, DecimalException

from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from portal.models import Language
from portal.models.help import PART_MAX_LENGTH


class IsoDateInput(forms.DateInput):
    """A date typed as year-month-day (2026-12-01), shown the same in every browser and language.

    Not <input type="date">: a browser shows that in its computer's locale, whatever the page's
    language (12/01/2026 on a US-English desktop, where the help text says year-month-day)."""

    input_type = "text"

    def __init__(self, attrs=None):
        base = {"placeholder": _("YYYY-MM-DD"), "autocomplete": "off", "spellcheck": "false", "size": "12"}
        super().__init__(attrs={**base, **(attrs or {})}, format="%Y-%m-%d")


# The date box of every form: use it as `widget=DATE_WIDGET` (Django copies a widget per field).
DATE_WIDGET = IsoDateInput()

# A date box's error when what was typed is not a date says what it reads, in the words of its
# placeholder (Django's own "Enter a valid date." leaves the person guessing): error_messages=DATE_ERRORS.
DATE_ERRORS = {"invalid": _("Enter a date as YYYY-MM-DD.")}

ISO_DATE_SHAPE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")


class IsoDateField(forms.DateField):
    """A date box that tells a wrong format (DATE_ERRORS) from a day that does not exist in the
    right format (1990-02-30): the second is said as such, not as a format to follow."""

    default_error_messages = {
        **DATE_ERRORS,
        "no_such_date": _("This date does not exist: check the day and the month."),
    }

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError as error:
            if error.code == "invalid" and isinstance(value, str) and ISO_DATE_SHAPE.fullmatch(value.strip()):
                raise ValidationError(self.error_messages["no_such_date"], code="no_such_date") from None
            raise


# A date of birth says its format in words beside the box (a placeholder alone disappears as soon as
# one types, and is not read by every screen reader): help_text=DATE_OF_BIRTH_HELP, which
# portal/includes/field.html shows under the label and links with aria-describedby.
DATE_OF_BIRTH_HELP = _("Format: YYYY-MM-DD, for example 1980-01-31.")


class StackedRadioSelect(forms.RadioSelect):
    """Radio buttons one a line (portal/includes/field.html), for choices that are sentences: a
    short choice ("Other") never sits on the line of a long one."""

    stacked = True


class ProfileForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    phone = PhoneNumberField(
        label=_("Mobile phone"),
        required=False,
        region="CA",
        help_text=_("For text-message notices. Example: 506 555 0123."),
        error_messages={"invalid": _("Enter a valid phone number, for example 506 555 0123.")},
    )
    preferred_language = forms.ChoiceField(
        label=_("Language of my emails and text messages"),
        help_text=_("The button at the top of each page changes the language of the pages only."),
        choices=Language.choices,
        widget=forms.RadioSelect,
    )


class CodeForm(forms.Form):
    """A six-digit authenticator code, or a backup code where allowed."""

    code = forms.CharField(
        label=_("Code"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 10}),
    )

    def __init__(self, *args, accept_backup=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.accept_backup = accept_backup
        if accept_backup:
            self.fields["code"].help_text = _(
                "The 6-digit code shown by your authenticator app, or one of your backup codes."
            )
            self.fields["code"].widget.attrs["inputmode"] = "text"
        else:
            self.fields["code"].help_text = _("The 6-digit code shown by your authenticator app.")

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split()).lower()
        if not self.accept_backup and not (code.isascii() and code.isdigit() and len(code) == 6):
            raise forms.ValidationError(_("Enter the 6 digits shown by your authenticator app."))
        if not (code.isascii() and code.isalnum()):
            raise forms.ValidationError(_("A code has only digits and letters."))
        return code


class ActiveRoleForm(forms.Form):
    membership = forms.TypedChoiceField(label=_("My role"), coerce=int)

    def __init__(self, *args, memberships=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membership"].choices = [(m.pk, str(m)) for m in memberships]


class InvitationForm(forms.Form):
    """An administrator invites a person to a role of their organization (portal.accounts.invitations)."""

    email = forms.EmailField(label=_("Email address"), max_length=254)
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), widget=forms.RadioSelect)
    language = forms.ChoiceField(
        label=_("Language of the invitation and of the person's messages"),
        choices=Language.choices,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, roles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(role.code, role.label) for role in roles]


def _help_part(label, help_text, lang):
    return forms.CharField(
        label=label,
        required=False,
        max_length=PART_MAX_LENGTH,
        help_text=help_text,
        # The text's own language, for screen readers and spelling.
        widget=forms.Textarea(attrs={"rows": 6, "lang": lang}),
    )


class HelpContentForm(forms.Form):
    """A portal's help in both languages (portal.help_content): plain text, empty for the default."""

    SUPPORT_HELP = _("Who to ask and how: a name, an email address, a phone number. Empty: the default text.")
    LEXICON_HELP = _("One term a line, then a colon and its meaning: “Term: meaning”. Empty: the default text.")
    PRACTICES_HELP = _("A blank line starts a new paragraph. Empty: the default text.")

    support_fr = _help_part(_("Support contact, in French"), SUPPORT_HELP, "fr")
    support_en = _help_part(_("Support contact, in English"), SUPPORT_HELP, "en")
    lexicon_fr = _help_part(_("Lexicon, in French"), LEXICON_HELP, "fr")
    lexicon_en = _help_part(_("Lexicon, in English"), LEXICON_HELP, "en")
    practices_fr = _help_part(_("Good practices, in French"), PRACTICES_HELP, "fr")
    practices_en = _help_part(_("Good practices, in English"), PRACTICES_HELP, "en")


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=Language.choices)


class LoginForm(AllauthLoginForm):
    """allauth's sign-in form; the "forgot your password?" link is under the form, not in the field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = ""


# Helpers every portal's forms and views share ----------------------------------------------------


def canadian_postal_code(value):
    """ "e1c4m2" → "E1C 4M2"; empty stays empty; anything else is refused with a clear message."""
    value = (value or "").upper().replace(" ", "")
    if value and (
        len(value) != 6 or not value.isascii() or not (value[0::2].isalpha() and value[1::2].isdigit())
    ):
        raise ValidationError(_("Enter a Canadian postal code, e.g. E1C 4M2."))
    return f"{value[:3]} {value[3:]}" if value else ""


# Uploads: what we accept, and the first bytes each kind of file must start with.
ALLOWED_DOCUMENTS = {
    ".pdf": ("application/pdf", [b"%PDF-"]),
    ".png": ("image/png", [b"\x89PNG\r\n\x1a\n"]),
    ".jpg": ("image/jpeg", [b"\xff\xd8\xff"]),
    ".jpeg": ("image/jpeg", [b"\xff\xd8\xff"]),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", [b"PK\x03\x04"]),
    ".txt": ("text/plain", None),
}
ALLOWED_IMAGES = {extension: ALLOWED_DOCUMENTS[extension] for extension in (".png", ".jpg", ".jpeg")}
MAX_DOCUMENT_SIZE = 10 * 1024 * 1024


def check_upload(upload, allowed=ALLOWED_DOCUMENTS, max_size=MAX_DOCUMENT_SIZE):
    """The content type of an accepted upload; a clear ValidationError for anything else."""
    extension = "." + upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if extension not in allowed:
        kinds = ", ".join(sorted({key.lstrip(".").upper() for key in allowed}))
        raise ValidationError(_("This kind of file is not accepted. Accepted: %(kinds)s.") % {"kinds": kinds})
    if upload.size > max_size:
        raise ValidationError(_("The file is larger than %(size)d MB.") % {"size": max_size // (1024 * 1024)})
    if upload.size == 0:
        raise ValidationError(_("The file is empty."))
    content_type, signatures = allowed[extension]
    head = upload.read(16)
    upload.seek(0)
    if signatures is not None and not any(head.startswith(signature) for signature in signatures):
        raise ValidationError(_("The file's content does not match its name: it was not accepted."))
    if signatures is None:
        try:
            upload.read(65536).decode("utf-8")
        except UnicodeDecodeError as error:
            raise ValidationError(_("A text file must be plain UTF-8 text.")) from error
        finally:
            upload.seek(0)
    return content_type


def show_service_error(request, form, error):
    """A service's ValidationError: field errors next to their fields (what was typed stays), anything
    else (a status that does not allow the action) as a page message."""
    if hasattr(error, "error_dict") and form is not None:
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        messages.error(request, " ".join(error.messages))


# Decimal numbers typed by people, in French and in English -----------------------------------------
#
# Why not Django's DecimalField as it is: its widget is <input type="number">, and Chromium reads
# what is typed in such a box with the browser's number format, in which "," groups thousands: a
# French user's "37,5" reached the server as "375" (and "30,09" as "3009") with no warning. This
# field is a text box (inputmode="decimal" still brings up the numeric keypad) whose text the server
# reads itself, in the active language, refusing whatever could be read in more than one way.

SPACES = " \u00a0\u202f\u2009"  # space, no-break space, narrow no-break space, thin space
_PLAIN_NUMBER = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)


def _grouped(digits, separator):
    """ "1 234 567" with `separator` " ": thousands in groups of three after a first group of 1 to 3."""
    groups = digits.split(separator)
    return (
        len(groups) > 1
        and 1 <= len(groups[0]) <= 3
        and all(len(group) == 3 for group in groups[1:])
        and all(group.isascii() and group.isdigit() for group in groups)
    )


class AmbiguousNumber(ValueError):
    pass


def normalise_decimal(text, *, decimal_separator):
    """The number typed as "-1234.5" (a point, no grouping), or ValueError.

    `decimal_separator` is the active language's ("," in French, "." in English). In French both
    "37,5" and "37.5" are 37.5; spaces (also no-break) group thousands: "1 234,5". In English "37.5";
    commas group thousands only in a number that has its decimal point ("1,234.5"): "1,234" and
    "37,5" could each be read two ways and raise AmbiguousNumber, as do "1.234,5", "1.234.5" and
    anything with two decimal separators. Letters, exponents and "NaN" are not numbers here.
    """
    value = text.strip().replace("\u2212", "-")  # a typographic minus sign
    sign = ""
    if value[:1] in ("+", "-"):
        sign, value = value[0], value[1:].strip()
    sign = "-" if sign == "-" else ""
    if any(space in value for space in SPACES):
        for space in SPACES:
            value = value.replace(space, " ")
        head, rest = re.match(r"([^.,]*)(.*)", value).groups()  # the integer part, then the rest
        if " " in rest or not _grouped(head, " "):
            raise ValueError(value)
        value = head.replace(" ", "") + rest
    commas, points = value.count(","), value.count(".")
    if commas and points:
        integer, _point, decimals = value.rpartition(".")
        if not (decimal_separator == "." and points == 1 and "," not in decimals and _grouped(integer, ",")):
            raise AmbiguousNumber(value)
        value = value.replace(",", "")
    elif commas:
        if decimal_separator != "," or commas > 1:
            raise AmbiguousNumber(value)
        value = value.replace(",", ".")
    elif points > 1:
        raise AmbiguousNumber(value)
    if not _PLAIN_NUMBER.fullmatch(value):
        raise ValueError(value)
    return sign + value


class LocalizedDecimalField(forms.DecimalField):
    """A decimal number typed in the active language ("37,5" or "37.5" in French, "37.5" in English),
    shown in that language ("37,5" in French); refused with a clear message when it is not a number
    or could be read in more than one way; never silently multiplied by ten."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
    default_error_messages = {
        "invalid": _("Enter a number, for example %(example)s."),
        "ambiguous": _(
            "“%(value)s” can be read in more than one way. Type the number without a thousands "
            "separator, for example %(example)s."
        ),
    }

    def __init__(self, *args, **kwargs):
        kwargs["localize"] = True  # shown with the active language's decimal separator
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if not isinstance(value, str):
            return super().to_python(value)
        separator = formats.get_format("DECIMAL_SEPARATOR")
        try:
            number = Decimal(normalise_decimal(value, decimal_separator=separator))
        except AmbiguousNumber:
            raise ValidationError(
                self.error_messages["ambiguous"],
                code="ambiguous",
                params={"value": value.strip(), "example": formats.number_format(Decimal("1234.5"))},
            ) from None
        except (ValueError, DecimalException):
            raise ValidationError(
                self.error_messages["invalid"],
                code="invalid",
                params={"example": formats.number_format(Decimal("37.5"))},
            ) from None
        return number

    def validate(self, value):
        forms.Field.validate(self, value)  # Django's own check reuses "invalid", without its example
        if value not in self.empty_values and not value.is_finite():
            raise ValidationError(
                self.error_messages["invalid"],
                code="invalid",
                params={"example": formats.number_format(Decimal("37.5"))},
            )


def localized_formfield(db_field, **kwargs):
    """Meta.formfield_callback of a ModelForm: its decimal model fields become LocalizedDecimalField."""
    if isinstance(db_field, models.DecimalField):
        kwargs.setdefault("form_class", LocalizedDecimalField)
    return db_field.formfield(**kwargs)
