"""Forms of the delivery agent's pages. They only carry what was typed (the services validate) and
put the services' field errors back next to the right field, so nothing typed is lost.

Each form carries a server-made `client_token` (new_token()); the services act once per token.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import timedelta

from django import forms
from django.utils import timezone

from .models import FailureReason
from .services.delivery_rules import RECIPIENT_RELATIONS, SIGNATURE_MAX_BYTES

SIGNATURE_PREFIX = "data:image/png;base64,"
# base64 makes 4 characters of every 3 bytes.
SIGNATURE_MAX_CHARS = len(SIGNATURE_PREFIX) + (SIGNATURE_MAX_BYTES + 2) // 3 * 4


def new_token() -> str:
    return uuid.uuid4().hex


class AgentForm(forms.Form):
    client_token = forms.RegexField(
        regex=r"^[A-Za-z0-9_-]{8,64}$",
        widget=forms.HiddenInput,
        error_messages={"required": "This form has expired: reload the page.", "invalid": "This form has expired."},
    )
    # Service error keys -> form fields (anything else is shown above the form).
    FIELD_FOR: dict[str, str] = {}

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        for key, messages in errors.items():
            name = self.FIELD_FOR.get(key, key)
            for message in messages:
                self.add_error(name if name in self.fields else None, message)


class PickupForm(AgentForm):
    pass


class DeliverForm(AgentForm):
    photo = forms.FileField(
        label="Photo of the parcel with the recipient",
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/*", "capture": "environment", "required": True}),
    )
    signature = forms.CharField(
        required=False, max_length=SIGNATURE_MAX_CHARS, widget=forms.HiddenInput(attrs={"data-signature-input": ""})
    )
    recipient_name = forms.CharField(
        label="Received by", max_length=255, required=False,
        widget=forms.TextInput(attrs={"required": True, "autocomplete": "off"}),
    )  # fmt: skip
    recipient_relation = forms.ChoiceField(
        label="Who is it?", choices=[(value, value) for value in RECIPIENT_RELATIONS], initial="Self"
    )
    cash_collected = forms.DecimalField(
        label="Cash collected",
        max_digits=12,
        decimal_places=2,
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal", "required": True}),
    )
    note = forms.CharField(
        label="Note", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when the cash differs from the total.",
    )  # fmt: skip
    latitude = forms.FloatField(required=False, widget=forms.HiddenInput(attrs={"data-gps": "latitude"}))
    longitude = forms.FloatField(required=False, widget=forms.HiddenInput(attrs={"data-gps": "longitude"}))

    FIELD_FOR = {"signature_png": "signature"}

    def clean_signature(self) -> bytes:
        """The PNG bytes of the canvas' data URL (b"" when nothing was drawn)."""
        value = self.cleaned_data.get("signature") or ""
        if not value:
            return b""
        if not value.startswith(SIGNATURE_PREFIX):
            raise forms.ValidationError("The signature could not be read: clear it and sign again.")
        try:
            return base64.b64decode(value[len(SIGNATURE_PREFIX) :], validate=True)
        except (binascii.Error, ValueError) as exc:
            raise forms.ValidationError("The signature could not be read: clear it and sign again.") from exc

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "client_token": data["client_token"],
            "photo": data["photo"],
            "signature_png": data["signature"],
            "recipient_name": data["recipient_name"],
            "recipient_relation": data["recipient_relation"],
            "cash_collected": data["cash_collected"],
            "latitude": data["latitude"],
            "longitude": data["longitude"],
            "note": data["note"],
        }


class FailForm(AgentForm):
    reason = forms.ChoiceField(label="What happened?", choices=FailureReason.choices, widget=forms.RadioSelect)
    postponed_to = forms.DateField(
        label="Postponed to", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(
        label="Note", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required for “Other”.",
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        tomorrow = timezone.localdate() + timedelta(days=1)
        self.fields["postponed_to"].widget.attrs["min"] = f"{tomorrow:%Y-%m-%d}"

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "client_token": data["client_token"],
            "reason": data["reason"],
            "note": data["note"],
            "postponed_to": data["postponed_to"],
        }
