from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from portal.models import Language


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
        label=_("Language for pages and messages"), choices=Language.choices, widget=forms.RadioSelect
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
