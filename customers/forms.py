"""Forms of the customer pages: tags, internal notes, blacklist."""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator

from .filters import tag_id_validator
from .services import NOTES_MAX_LENGTH

DEFAULT_TAG_COLOR = "#667085"


class TagForm(forms.Form):
    """Add a tag (or change the label and colour of one the customer has), or remove one."""

    op = forms.ChoiceField(choices=[("add", "Add"), ("remove", "Remove")], widget=forms.HiddenInput)
    tag_id = forms.CharField(
        label="Tag id",
        max_length=40,
        help_text="Lower-case letters, digits, - or _ (e.g. vip). An id already in use keeps its label and colour.",
        widget=forms.TextInput(attrs={"list": "known-tags", "autocomplete": "off", "placeholder": "vip"}),
    )
    label = forms.CharField(
        max_length=50, required=False, widget=forms.TextInput(attrs={"placeholder": "VIP Customer"})
    )
    color = forms.CharField(
        max_length=7,
        required=False,
        initial=DEFAULT_TAG_COLOR,
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", "Pick a colour like #FFD700.")],
        widget=forms.TextInput(attrs={"type": "color"}),
    )

    def __init__(self, *args, current_tags: list[dict] | None = None, known: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.current_tags = current_tags or []
        self.known = known or {}

    def clean_tag_id(self) -> str:
        tag_id = self.cleaned_data["tag_id"].strip().lower()
        tag_id_validator(tag_id)
        return tag_id

    def clean(self):
        data = super().clean()
        tag_id = data.get("tag_id")
        if data.get("op") == "remove" and tag_id and tag_id not in {tag.get("id") for tag in self.current_tags}:
            self.add_error("tag_id", "This customer has no such tag.")
        return data

    def new_tags(self, current_tags: list[dict]) -> list[dict]:
        """The customer's tags after this change (call with the tags read under the row lock)."""
        tag_id = self.cleaned_data["tag_id"]
        others = [tag for tag in current_tags if tag.get("id") != tag_id]
        if self.cleaned_data["op"] == "remove":
            return others
        label = self.cleaned_data["label"].strip()
        color = self.cleaned_data["color"] or DEFAULT_TAG_COLOR
        if not label and tag_id in self.known:  # an existing tag: keep it looking the same everywhere
            label, color = self.known[tag_id]["label"], self.known[tag_id]["color"] or color
        return [*others, {"id": tag_id, "label": label or tag_id.replace("_", " ").title(), "color": color}]


class NotesForm(forms.Form):
    notes = forms.CharField(
        label="Internal notes",
        required=False,
        max_length=NOTES_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Seen by staff only, never by the customer.",
    )


class BlacklistForm(forms.Form):
    blacklisted = forms.TypedChoiceField(
        choices=[("1", "Blacklist"), ("0", "Lift the blacklist")],
        coerce=lambda value: value == "1",
        widget=forms.HiddenInput,
    )
    reason = forms.CharField(label="Reason", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        if data.get("blacklisted") and not (data.get("reason") or "").strip():
            self.add_error("reason", "Say why this customer is blacklisted.")
        return data
