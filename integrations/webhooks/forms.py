"""Forms of the webhook pages. JSON fields are parsed here; their meaning is checked by the services."""

from __future__ import annotations

import json

from django import forms

from ..models import WebhookSource

JSON_MAX_CHARS = 200_000


class JSONObjectField(forms.CharField):
    """A textarea holding a JSON object; blank is an empty object (or None when not required)."""

    widget = forms.Textarea(attrs={"rows": 12, "spellcheck": "false", "class": "code"})

    def __init__(self, *, blank_value=None, **kwargs):
        self.blank_value = blank_value
        kwargs.setdefault("max_length", JSON_MAX_CHARS)
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if not value.strip():
            return self.blank_value
        try:
            parsed = json.loads(value)
        except ValueError as exc:
            raise forms.ValidationError(f"Not valid JSON: {exc}") from exc
        if not isinstance(parsed, dict):
            raise forms.ValidationError("Must be a JSON object ({ ... }).")
        return parsed

    def validate(self, value):
        if value is None and self.required:  # {} is a value here, not an empty field
            raise forms.ValidationError(self.error_messages["required"], code="required")

    def prepare_value(self, value):
        if isinstance(value, dict):
            return json.dumps(value, indent=2, ensure_ascii=False) if value else ""
        return value


class WebhookForm(forms.Form):
    name = forms.CharField(max_length=255)
    source = forms.ChoiceField(choices=WebhookSource.choices)
    field_mapping = JSONObjectField(
        required=False,
        blank_value={},
        label="Field mapping (JSON)",
        help_text="Blank: the platform's default mapping. Targets you give replace the default's; null removes one.",
    )
    is_active = forms.BooleanField(required=False, initial=True, label="Active (accepts deliveries)")
    secret_key = forms.CharField(
        required=False,
        max_length=255,
        label="Signing secret",
        help_text="Shopify: paste the secret Shopify shows for your webhooks. Blank: keep it (or generate one).",
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )
    api_key = forms.CharField(
        required=False,
        max_length=255,
        label="API key",
        help_text="For custom senders using X-API-Key. Blank: keep it (or generate one).",
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )


class PreviewForm(forms.Form):
    payload = JSONObjectField(label="Sample payload (JSON)", widget=forms.Textarea(attrs={"rows": 16, "class": "code"}))
    topic = forms.CharField(required=False, max_length=100, help_text="e.g. orders/create, order.updated")
    store = forms.CharField(
        required=False,
        max_length=200,
        label="Store",
        help_text="Shopify shop domain or WooCommerce store URL (as the X-...-Domain/Source header would say).",
    )
    field_mapping = JSONObjectField(
        required=False,
        label="Try another mapping (JSON)",
        help_text="Blank: the configuration's saved mapping. Nothing is saved from here.",
    )
