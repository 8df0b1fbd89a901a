from django import forms
from django.contrib.auth.forms import AuthenticationForm

from . import otp


class EmailAuthenticationForm(AuthenticationForm):
    """The login form: the username is the email address, matched case-insensitively."""

    username = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()


class TwoFactorCodeForm(forms.Form):
    """A six-digit code from the authenticator app (or, at login, a recovery code)."""

    code = forms.CharField(
        label="Code",
        max_length=32,
        strip=True,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )


class ConfirmIdentityForm(forms.Form):
    """Before turning two-factor authentication off: the current password or a current code."""

    password = forms.CharField(
        label="Password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    code = forms.CharField(
        label="Or a code from your authenticator app",
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        password, code = data.get("password"), data.get("code")
        if password and self.user.check_password(password):
            return data
        if code and otp.verify_second_factor(user=self.user, code=code):
            return data
        raise forms.ValidationError("Enter your current password or a valid code.", code="invalid")
