"""Forms of the product pages: details, variants, stock adjustments."""

from __future__ import annotations

from decimal import Decimal

from django import forms

MONEY = {"max_digits": 12, "decimal_places": 2, "min_value": Decimal("0")}
MAX_ATTRIBUTES = 10


class ProductForm(forms.Form):
    name = forms.CharField(max_length=255)
    sku = forms.CharField(label="SKU", max_length=100, help_text="Unique; orders and imports refer to it.")
    category = forms.CharField(
        max_length=100, required=False, widget=forms.TextInput(attrs={"list": "known-categories"})
    )
    description = forms.CharField(required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    price = forms.DecimalField(**MONEY, widget=forms.NumberInput(attrs={"step": "0.01"}))
    cost_price = forms.DecimalField(
        **MONEY, required=False, label="Cost price", widget=forms.NumberInput(attrs={"step": "0.01"})
    )
    low_stock_threshold = forms.IntegerField(
        min_value=0, max_value=1_000_000, initial=10, label="Low-stock threshold",
        help_text="Managers are alerted when stock falls to this level.",
    )  # fmt: skip
    is_active = forms.BooleanField(required=False, initial=True, label="On sale")


class ProductEditForm(ProductForm):
    sku = None  # a product's SKU does not change: orders and imports refer to it


class VariantForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="For example: Size: Large, Color: Red")
    sku = forms.CharField(label="SKU", max_length=100)
    price = forms.DecimalField(
        **MONEY, required=False, help_text="Leave empty to sell at the product's price.",
        widget=forms.NumberInput(attrs={"step": "0.01"}),
    )  # fmt: skip
    attributes = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "size = Large\ncolor = Red"}),
        help_text="One per line: name = value.",
    )

    def clean_attributes(self) -> dict[str, str]:
        attributes: dict[str, str] = {}
        for line in self.cleaned_data["attributes"].splitlines():
            if not line.strip():
                continue
            name, sep, value = line.partition("=") if "=" in line else line.partition(":")
            name, value = name.strip(), value.strip()
            if not sep or not name or not value:
                raise forms.ValidationError(f"Write “{line.strip()}” as name = value.")
            if len(name) > 50 or len(value) > 100:
                raise forms.ValidationError("Attribute names are at most 50 characters, values 100.")
            attributes[name] = value
        if len(attributes) > MAX_ATTRIBUTES:
            raise forms.ValidationError(f"At most {MAX_ATTRIBUTES} attributes.")
        return attributes

    @staticmethod
    def initial_for(variant: dict) -> dict:
        attributes = variant.get("attributes") or {}
        return {
            "name": variant.get("name"),
            "sku": variant.get("sku"),
            "price": variant.get("price"),
            "attributes": "\n".join(f"{name} = {value}" for name, value in attributes.items()),
        }


class StockAdjustForm(forms.Form):
    """A counted correction or a restock of the product, or of one of its variants."""

    variant_id = forms.ChoiceField(label="Variant", required=False)
    quantity = forms.IntegerField(
        min_value=-100_000, max_value=100_000, label="Change",
        help_text="Positive to add (a restock), negative to remove (a counted correction).",
    )  # fmt: skip
    note = forms.CharField(
        max_length=500, required=False, label="Why", widget=forms.TextInput(attrs={"placeholder": "Supplier delivery"})
    )

    def __init__(self, *args, product, **kwargs):
        super().__init__(*args, **kwargs)
        self.product = product
        if product.variants:
            self.fields["variant_id"].required = True
            self.fields["variant_id"].choices = [("", "Choose a variant")] + [
                (
                    str(v.get("id")),
                    f"{v.get('name') or v.get('id')} ({v.get('sku') or '—'}): {v.get('stock', 0)} in stock",
                )
                for v in product.variants
            ]
        else:
            del self.fields["variant_id"]

    def clean_quantity(self) -> int:
        quantity = self.cleaned_data["quantity"]
        if quantity == 0:
            raise forms.ValidationError("Give a quantity to add or remove.")
        return quantity

    def clean_note(self) -> str:
        note = self.cleaned_data["note"].strip()
        if not note:
            raise forms.ValidationError("Say why the stock changes.")
        return note
