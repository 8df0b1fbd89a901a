"""Forms of the new-order page, the item editor and the call outcomes.

The services validate (order_create, order_update_items, record_call); these forms only carry
what was typed and put the services' errors ("items.1.quantity", "customer.phone") back next to
the right field or item row, so nothing typed is lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.http import QueryDict
from django.urls import reverse

from .models import CallOutcome, Priority
from .services.pricing import ItemInput

# Blank rows offered without JavaScript (with it, rows are added as products are picked).
MIN_ROWS = 3

AREA_ATTRS = {"list": "area-names", "autocomplete": "off"}


class NewOrderForm(forms.Form):
    phone = forms.CharField(
        label="Phone",
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off", "inputmode": "tel"}),
    )
    full_name = forms.CharField(label="Customer name", max_length=255, required=False)
    delivery_address = forms.CharField(
        label="Delivery address", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    delivery_area = forms.CharField(
        label="Area", max_length=100, required=False, widget=forms.TextInput(attrs=AREA_ATTRS)
    )
    priority = forms.ChoiceField(label="Priority", choices=Priority.choices, initial=Priority.MEDIUM)
    customer_notes = forms.CharField(label="Customer's notes", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    internal_notes = forms.CharField(label="Internal notes", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The returning customer is looked up as the phone is typed (htmx; nothing without JS).
        self.fields["phone"].widget.attrs.update({
            "hx-get": reverse("orders:customer_lookup"),
            "hx-trigger": "input changed delay:400ms, load",
            "hx-target": "#customer-lookup",
            "hx-sync": "this:replace",
        })  # fmt: skip


class EditItemsForm(forms.Form):
    delivery_address = forms.CharField(
        label="Delivery address", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    delivery_area = forms.CharField(
        label="Area", max_length=100, required=False, widget=forms.TextInput(attrs=AREA_ATTRS)
    )


class CallForm(forms.Form):
    outcome = forms.ChoiceField(choices=CallOutcome.choices)
    callback_at = forms.DateTimeField(required=False, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    reason = forms.CharField(required=False, max_length=500)
    notes = forms.CharField(required=False, max_length=1000)

    def first_error(self) -> str:
        labels = {"outcome": "Outcome", "callback_at": "Callback time", "reason": "Reason", "notes": "Note"}
        for name, errors in self.errors.items():
            return f"{labels.get(name, name)}: {errors[0]}"
        return ""


# --- Item rows -----------------------------------------------------------------------------------
@dataclass
class ItemRow:
    sku: str = ""
    quantity: str = "1"
    label: str = ""
    errors: list[str] = field(default_factory=list)


def rows_from_post(data: QueryDict) -> list[ItemRow]:
    """The typed rows, blank ones dropped, so row n is the service's items.n."""
    skus, quantities = data.getlist("item_sku"), data.getlist("item_qty")
    rows = []
    for index, sku in enumerate(skus):
        quantity = quantities[index] if index < len(quantities) else ""
        if sku.strip():
            rows.append(ItemRow(sku=sku.strip()[:100], quantity=quantity.strip()[:10]))
    return rows


def rows_from_items(items: list[dict]) -> list[ItemRow]:
    return [ItemRow(sku=line["sku"], quantity=str(line["quantity"]), label=line["name"]) for line in items]


def item_inputs(rows: list[ItemRow]) -> list[ItemInput]:
    return [ItemInput(sku=row.sku, quantity=row.quantity) for row in rows]


def padded(rows: list[ItemRow]) -> list[ItemRow]:
    """The rows plus blank ones: at least MIN_ROWS, and always one to type into."""
    return rows + [ItemRow() for _ in range(max(MIN_ROWS - len(rows), 1))]


# Service error paths that belong to a form field.
FIELD_PATHS = {
    "customer.phone": "phone",
    "customer.full_name": "full_name",
    "delivery_address": "delivery_address",
    "delivery_area": "delivery_area",
    "priority": "priority",
    "customer_notes": "customer_notes",
    "internal_notes": "internal_notes",
}


def attach_errors(form: forms.Form, rows: list[ItemRow], errors: dict[str, list[str]]) -> list[str]:
    """Put each error next to its field or row; returns the errors about the items as a whole.

    "items.1.quantity", "items.1.sku" and "items.1" (stock) go to row 1; "items" is about all
    items; a path no field shows becomes a form-wide error, so no message is ever dropped.
    """
    items_errors: list[str] = []
    for path, messages in errors.items():
        head, _, rest = path.partition(".")
        if head == "items" and rest:
            index = rest.partition(".")[0]
            if index.isdigit() and int(index) < len(rows):
                rows[int(index)].errors.extend(messages)
                continue
        if path == "items":
            items_errors.extend(messages)
        elif FIELD_PATHS.get(path) in form.fields:
            for message in messages:
                form.add_error(FIELD_PATHS[path], message)
        else:
            for message in messages:
                form.add_error(None, message)
    return items_errors
