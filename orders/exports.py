"""Exports of exactly what the orders list is filtered to: one row per line item, CSV or XLSX.

CSV streams from a server-side cursor, so a million rows never sit in memory; XLSX is written in
openpyxl's write-only mode to a temporary file (a zip cannot be streamed before it is finished).
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterator

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

from .models import Order

XLSX_MAX_ROWS = 500_000  # Excel's own limit is 1,048,576 rows; beyond this, use CSV
HEADER = [
    "order_number", "created_at", "status", "priority", "source", "payment_status", "payment_method",
    "customer_name", "customer_phone", "delivery_area", "delivery_address", "assigned_rep", "assigned_agent",
    "subtotal", "delivery_fee", "total_amount", "line", "sku", "item_name", "quantity", "unit_price", "line_total",
    "risk_band", "possible_duplicate",
]  # fmt: skip


def export_rows(queryset: QuerySet[Order]) -> Iterator[list]:
    orders = (
        queryset.select_related("customer", "assigned_rep", "assigned_agent")
        .order_by("-created_at", "-id")
        .iterator(chunk_size=2000)
    )
    for order in orders:
        head = [
            order.order_number, timezone.localtime(order.created_at).isoformat(timespec="seconds"), order.status,
            order.priority, order.source, order.payment_status, order.payment_method, order.customer.full_name,
            order.customer.phone, order.delivery_area or "", order.delivery_address or "",
            order.assigned_rep.full_name if order.assigned_rep else "",
            order.assigned_agent.full_name if order.assigned_agent else "",
            order.subtotal, order.delivery_fee, order.total_amount,
        ]  # fmt: skip
        tail = [order.risk_band, "yes" if order.is_possible_duplicate else ""]
        for number, item in enumerate(order.items or [{}], start=1):
            yield [
                *head, number, item.get("sku", ""), item.get("name", ""), item.get("quantity", ""),
                item.get("unit_price", ""), item.get("total", ""), *tail,
            ]  # fmt: skip


def _safe(value):
    """Spreadsheet formula injection guard: text starting with = + - @ is prefixed with a quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(queryset: QuerySet[Order], filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # so Excel opens UTF-8 (Arabic and French names) correctly
        yield writer.writerow(HEADER)
        for row in export_rows(queryset):
            yield writer.writerow([_safe(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(queryset: QuerySet[Order], filename: str) -> FileResponse:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("orders")
    sheet.append(HEADER)
    for count, row in enumerate(export_rows(queryset), start=1):
        if count > XLSX_MAX_ROWS:
            sheet.append([f"Stopped after {XLSX_MAX_ROWS:,} rows: export as CSV for more."])
            break
        sheet.append([_safe(value) for value in row])
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it after sending
    workbook.save(handle)
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{filename}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
