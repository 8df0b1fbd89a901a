"""What an import gives back as files: its report (CSV) and the import templates (CSV and XLSX).

Cells of a file come from spreadsheets people filled in, so anything written back into one is
neutralised: text starting with = + - @ (or a tab / carriage return) gets a leading apostrophe,
which spreadsheets show as text instead of running it as a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from django.http import HttpResponse, StreamingHttpResponse

from ..models import ImportBatch
from .columns import FIELDS, TEMPLATE_FIELDS
from .selectors import batch_rows

REPORT_HEADER = [
    "Row", "All rows", "Order reference", "Outcome", "Order number", "Column", "Reason", "Rollback", "Rollback note",
]  # fmt: skip
_NADIA = ["1001", "0612345678", "Nadia Tazi", "12 Rue Ibn Sina", "Casablanca", "Maarif"]
TEMPLATE_ROWS = [
    [*_NADIA, "SKU-001", "2", "149.00", "30.00", ""],
    [*_NADIA, "SKU-002", "1", "89.50", "30.00", ""],
    ["1002", "+212 661 234 567", "Youssef Alami", "5 Avenue Hassan II, Apt 3", "Rabat", "Agdal", "SKU-001", "1", "", "",
     "Call after 6 pm"],
]  # fmt: skip


def neutralise(value):
    """Spreadsheet formula injection guard: text starting with = + - @ is prefixed with a quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def report_lines(batch: ImportBatch) -> Iterator[list]:
    """One line per created or duplicate order, one per error of a failed one, in file order."""
    for row in batch_rows(batch).iterator(chunk_size=2000):
        all_rows = " ".join(str(n) for n in row.row_numbers)
        number = row.order.order_number if row.order else ""
        rollback = [row.get_rollback_display() if row.rollback else "", row.rollback_note]
        if not row.errors:
            yield [row.line, all_rows, row.reference, row.get_outcome_display(), number, "", "", *rollback]
        for error in row.errors:
            yield [
                error.get("row", row.line), all_rows, row.reference, row.get_outcome_display(), number,
                error.get("column", ""), error.get("reason", ""), *rollback,
            ]  # fmt: skip


class _Echo:
    def write(self, value: str) -> str:
        return value


def report_response(batch: ImportBatch) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # Excel then reads the file as UTF-8 (accents, Arabic names)
        yield writer.writerow(REPORT_HEADER)
        for line in report_lines(batch):
            yield writer.writerow([neutralise(value) for value in line])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-report-{str(batch.pk)[:8]}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


def template_header() -> list[str]:
    return [FIELDS[name][0] for name in TEMPLATE_FIELDS]


def template_csv_response() -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(template_header())
    writer.writerows(TEMPLATE_ROWS)
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="orders-import-template.csv"'
    return response


def template_xlsx_response() -> HttpResponse:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Orders"
    sheet.append(template_header())
    for row in TEMPLATE_ROWS:
        sheet.append(row)
    for cell in sheet["B"]:
        cell.number_format = "@"  # phones as text: Excel would drop their leading 0
    for column, width in zip("ABCDEFGHIJK", (10, 18, 20, 30, 14, 14, 12, 10, 11, 13, 24), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="orders-import-template.xlsx"'
    return response
