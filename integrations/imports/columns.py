"""Which column of a file holds what: header names matched flexibly, in English and French.

A header is compared after lower-casing, removing accents and turning punctuation into spaces, so
"Téléphone", "TELEPHONE" and "telephone:" are the same name, and "N° commande" is "n commande".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

# field -> (label shown to people, aliases). The label is also the template's header.
FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "reference": (
        "Order ID",
        (
            "order id", "order", "order number", "order no", "order num", "order ref", "order reference",
            "orderid", "order name", "commande", "n commande", "no commande", "num commande", "numero commande",
            "numero de commande", "id commande", "ref commande", "reference commande", "commande id",
        ),
    ),
    "phone": (
        "Phone",
        (
            "phone", "phone number", "telephone", "tel", "mobile", "mobile number", "gsm", "portable",
            "customer phone", "numero de telephone", "num tel", "telephone client", "tel client",
        ),
    ),
    "name": (
        "Customer name",
        (
            "name", "nom", "customer", "customer name", "client", "nom client", "nom du client", "full name",
            "nom complet", "destinataire", "recipient",
        ),
    ),
    "email": ("Email", ("email", "e mail", "mail", "courriel", "customer email")),
    "address": (
        "Address",
        (
            "address", "adresse", "delivery address", "shipping address", "adresse de livraison",
            "adresse livraison", "address line 1", "address 1",
        ),
    ),
    "city": ("City", ("city", "ville", "shipping city")),
    "area": ("Area", ("area", "zone", "quartier", "district", "delivery area", "secteur", "delivery zone")),
    "sku": (
        "SKU",
        (
            "sku", "ref", "reference", "product sku", "sku produit", "code produit", "product code", "ref produit",
            "reference produit", "item sku", "lineitem sku",
        ),
    ),
    "product": ("Product", ("product", "product name", "produit", "nom produit", "article", "item", "lineitem name")),
    "quantity": ("Quantity", ("quantity", "qty", "quantite", "qte", "qt", "lineitem quantity", "nombre")),
    "price": ("Unit price", ("price", "prix", "unit price", "prix unitaire", "item price", "lineitem price")),
    "delivery_fee": (
        "Delivery fee",
        (
            "shipping", "shipping fee", "shipping cost", "delivery fee", "delivery", "frais de livraison",
            "frais livraison", "livraison", "frais de port", "shipping price",
        ),
    ),
    "notes": (
        "Notes",
        (
            "notes", "note", "remarks", "remarque", "remarques", "comment", "comments", "commentaire",
            "commentaires", "customer notes", "instructions",
        ),
    ),
}  # fmt: skip

REQUIRED = ("phone", "sku")
# How the refusal of a file without a required column names the headers we would have understood.
EXAMPLES = {"phone": "Phone, Téléphone, Tel, Mobile", "sku": "SKU, Ref, Référence"}
# The import template's columns, in order.
TEMPLATE_FIELDS = (
    "reference",
    "phone",
    "name",
    "address",
    "city",
    "area",
    "sku",
    "quantity",
    "price",
    "delivery_fee",
    "notes",
)

_ALIASES: dict[str, str] = {}


def normalize_header(text: str) -> str:
    """'  Téléphone ' -> 'telephone'; 'N° Commande' -> 'n commande'; 'Order #' -> 'order'."""
    text = unicodedata.normalize("NFKD", str(text or ""))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


for _field, (_label, _names) in FIELDS.items():
    for _name in (_label, *_names):
        _ALIASES.setdefault(normalize_header(_name), _field)


@dataclass
class ColumnMap:
    """Field -> index of its column, and what the file's headers were."""

    headers: list[str]
    index: dict[str, int] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)  # headers we do not use (unknown or repeated)

    @property
    def missing(self) -> list[str]:
        return [name for name in REQUIRED if name not in self.index]

    def header(self, name: str) -> str:
        """The file's own header for a field (what people see in their spreadsheet), else our label."""
        return self.headers[self.index[name]] if name in self.index else FIELDS[name][0]

    def as_json(self) -> dict:
        return {
            "mapping": {name: self.headers[i] for name, i in self.index.items()},
            "ignored": self.ignored,
            "missing": self.missing,
        }


def map_columns(headers: list[str]) -> ColumnMap:
    """Match each header to a field; the first column wins when two mean the same field."""
    columns = ColumnMap(headers=[str(h or "").strip() for h in headers])
    for position, header in enumerate(columns.headers):
        name = _ALIASES.get(normalize_header(header))
        if name and name not in columns.index:
            columns.index[name] = position
        elif header:
            columns.ignored.append(header)
    return columns


def missing_message(columns: ColumnMap) -> str:
    """Why the file cannot be read, naming the headers that would have been recognised."""
    parts = []
    for name in columns.missing:
        parts.append(f"no {FIELDS[name][0]} column (name it one of: {EXAMPLES[name]})")
    return "The file cannot be imported: " + "; ".join(parts) + "."
