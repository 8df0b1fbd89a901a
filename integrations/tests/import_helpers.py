"""Building CSV / XLSX files and batches for the import tests."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

HEADER = ["Order ID", "Phone", "Customer name", "Address", "City", "Area", "SKU", "Quantity", "Price", "Delivery fee",
          "Notes"]  # fmt: skip
FRENCH_HEADER = ["N° commande", "Téléphone", "Nom", "Adresse", "Ville", "Quartier", "Référence", "Quantité", "Prix",
                 "Frais de livraison", "Remarques"]  # fmt: skip


def row(ref="1001", phone="0612345600", name="Nadia Tazi", address="12 Rue Ibn Sina", city="Casablanca",
        area="Maarif", sku="ARG-50", qty="2", price="", fee="", notes="") -> list[str]:  # fmt: skip
    return [ref, phone, name, address, city, area, sku, qty, price, fee, notes]


def csv_bytes(rows, *, header=HEADER, delimiter=",", encoding="utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows, *, header=HEADER) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(content: bytes, name: str = "orders.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def catalog():
    """Two products sold by SKU: ARG-50 at 149.99 and SOAP-1 at 33.33."""
    from catalog.tests.factories import ProductFactory

    return (
        ProductFactory(sku="ARG-50", name="Argan Oil Serum", price=Decimal("149.99")),
        ProductFactory(sku="SOAP-1", name="Black Soap", price=Decimal("33.33")),
    )


def errors_of(batch) -> list[tuple[int, str, str]]:
    """The preview's errors as (row, column, reason)."""
    return [(e["row"], e["column"], e["reason"]) for e in batch.preview.get("errors", [])]
