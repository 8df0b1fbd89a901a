"""Reading import files: header aliases, encodings, delimiters, XLSX, and files that are refused."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError

from accounts.tests.factories import ManagerFactory
from integrations.imports import services
from integrations.imports.columns import map_columns, normalize_header
from integrations.imports.parsing import cell_text, sniff_delimiter
from integrations.imports.planning import parse_money
from integrations.models import ImportStatus
from integrations.tests.import_helpers import FRENCH_HEADER, catalog, csv_bytes, row, upload, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def setup(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.AUTO_ASSIGN_REPS = False
    catalog()


@pytest.fixture
def manager():
    return ManagerFactory()


def preview(manager, content, name="orders.csv", label=""):
    return services.import_upload(uploaded=upload(content, name), store_label=label, actor=manager)


# --- Headers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Phone", "phone"), ("Téléphone", "phone"), ("TEL", "phone"), ("tél.", "phone"), ("Mobile", "phone"),
        ("Name", "name"), ("Nom", "name"), ("Customer", "name"), ("Adresse", "address"), ("address", "address"),
        ("Ville", "city"), ("Zone", "area"), ("Quartier", "area"), ("Area", "area"), ("SKU", "sku"), ("Ref", "sku"),
        ("Référence", "sku"), ("Qty", "quantity"), ("Quantité", "quantity"), ("Prix", "price"), ("Price", "price"),
        ("Order ID", "reference"), ("Order number", "reference"), ("Commande", "reference"),
        ("N° commande", "reference"), ("Order #", "reference"), ("Shipping", "delivery_fee"),
        ("Delivery fee", "delivery_fee"), ("Frais de livraison", "delivery_fee"), ("Notes", "notes"),
    ],
)  # fmt: skip
def test_headers_are_matched_by_their_english_and_french_aliases(header, field):
    assert map_columns(["x", header]).index == {field: 1}


def test_header_matching_ignores_case_accents_and_punctuation():
    assert normalize_header("  TÉLÉPHONE : ") == "telephone"
    assert normalize_header("N° Commande") == "n commande"


def test_unknown_and_repeated_columns_are_ignored_and_reported():
    columns = map_columns(["Phone", "Colour", "SKU", "Tel"])
    assert columns.index == {"phone": 0, "sku": 2}
    assert columns.ignored == ["Colour", "Tel"]
    assert columns.missing == []


def test_a_file_without_a_phone_column_is_refused_naming_the_accepted_headers(manager):
    batch = preview(manager, csv_bytes([["ARG-50", "1"]], header=["SKU", "Quantity"]))
    assert batch.status == ImportStatus.REFUSED
    assert "Téléphone" in batch.message and "phone" in batch.message.lower()


# --- Encodings, delimiters, XLSX --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8", ","), ("utf-8-sig", ";"), ("latin-1", ";"), ("cp1252", ","), ("utf-16", "\t"), ("utf-8", ";")],
)
def test_csv_in_utf8_bom_latin1_with_commas_or_semicolons_is_read(manager, encoding, delimiter):
    rows = [row(name="Hélène Bérrada", address="Rue de l'Église", notes="Appeler après 18h")]
    batch = preview(manager, csv_bytes(rows, header=FRENCH_HEADER, delimiter=delimiter, encoding=encoding))
    assert batch.status == ImportStatus.READY, batch.message
    assert batch.delimiter == delimiter
    assert batch.valid_orders == 1 and batch.error_count == 0
    values = dict(zip([f["field"] for f in batch.preview["fields"]], batch.preview["rows"][0]["values"], strict=True))
    assert values["name"] == "Hélène Bérrada" and values["address"] == "Rue de l'Église"
    assert values["notes"] == "Appeler après 18h"


def test_the_delimiter_is_sniffed_from_the_header_line_not_from_quoted_text():
    assert sniff_delimiter('"Nom, prénom";Téléphone;SKU\n') == ";"
    assert sniff_delimiter("Phone,SKU,Qty\n") == ","
    assert sniff_delimiter("Phone\tSKU\n") == "\t"


def test_an_xlsx_workbook_is_read_with_numbers_as_a_person_sees_them(manager):
    content = xlsx_bytes(
        [["1001", 612345600, "Nadia", "12 Rue Ibn Sina", "Casa", "Maarif", "ARG-50", 2.0, 149.5, 30, None]]
    )
    batch = preview(manager, content, name="orders.xlsx")
    assert batch.status == ImportStatus.READY, batch.message
    assert batch.file_format == "xlsx" and batch.valid_orders == 1
    assert cell_text(2.0) == "2" and cell_text(149.5) == "149.5" and cell_text(None) == ""


def test_the_file_name_does_not_decide_the_type(manager):
    batch = preview(manager, xlsx_bytes([row()]), name="orders.csv")  # an .xlsx named .csv
    assert batch.file_format == "xlsx" and batch.status == ImportStatus.READY


@pytest.mark.parametrize(
    ("amount", "expected"),
    [("149", "149.00"), ("149.9", "149.90"), ("149,90", "149.90"), ("1 234,50", "1234.50"), ("1,234.50", "1234.50"),
     ("1.234,50", "1234.50"), ("149 MAD", "149.00"), ("1,000", "1000.00"), ("99 DH", "99.00")],
)  # fmt: skip
def test_prices_are_read_in_french_and_english_formats(amount, expected):
    assert str(parse_money(amount)) == expected


# --- Refused files ------------------------------------------------------------------------------------


def refused(manager, content, name="orders.csv"):
    with pytest.raises(ValidationError) as caught:
        preview(manager, content, name)
    return " ".join(caught.value.messages)


def test_an_oversized_file_is_refused_with_the_limit(manager, settings):
    settings.IMPORT_MAX_BYTES = 1024
    message = refused(manager, csv_bytes([row()] * 50))
    assert "too large" in message and "MB" in message


def test_a_binary_file_is_refused(manager):
    assert "not a CSV or XLSX" in refused(manager, b"\x00\x01\x02binary\x00data" * 100)


def test_a_pdf_or_image_renamed_csv_is_refused_saying_what_it_is(manager):
    assert "PDF file, not a spreadsheet" in refused(manager, b"%PDF-1.7\n1 0 obj\n%%EOF", "orders.csv")
    assert "PNG file" in refused(manager, b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "orders.xlsx")


def test_an_old_xls_file_is_refused_with_what_to_do(manager):
    assert "save the sheet as .xlsx or CSV" in refused(manager, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)


def test_a_zip_that_is_not_a_workbook_is_refused(manager):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    assert "not an Excel workbook" in refused(manager, buffer.getvalue(), "orders.xlsx")


def test_a_workbook_that_unpacks_to_too_much_is_refused(manager, settings):
    settings.IMPORT_MAX_UNZIPPED_BYTES = 10_000
    assert "too much data" in refused(manager, xlsx_bytes([row()] * 500), "orders.xlsx")


def test_an_empty_file_is_refused(manager):
    assert "empty" in refused(manager, b"")


def test_a_file_with_more_rows_than_allowed_is_refused(manager, settings):
    settings.IMPORT_MAX_ROWS = 3
    batch = preview(manager, csv_bytes([row(ref=str(n)) for n in range(5)]))
    assert batch.status == ImportStatus.REFUSED and "more than 3 rows" in batch.message


def test_a_header_without_rows_is_refused(manager):
    batch = preview(manager, csv_bytes([]))
    assert batch.status == ImportStatus.REFUSED and "no orders" in batch.message
