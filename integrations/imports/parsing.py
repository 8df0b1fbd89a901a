"""Reading an uploaded spreadsheet: what it is (from its bytes), its encoding and delimiter, its rows.

    stored = store_upload(request.FILES["file"])      # UploadRejected with a clear message if refused
    with open_sheet(stored.name, stored.info) as sheet:
        sheet.headers                                  # the header row's cells
        for row_number, cells in sheet.rows:           # streamed, numbered as in the file
            ...

A file is a CSV (UTF-8, UTF-8 with BOM, UTF-16 with BOM, else Windows-1252/Latin-1; `,` `;` or tab,
sniffed from the header line) or an XLSX workbook (its first sheet). The name and Content-Type the
browser sent are ignored; anything else (PDF, images, old .xls, other zips, binary data) is refused.
Files are stored in the private storage under a random name and read back as streams, so memory
stays flat whatever the size (up to IMPORT_MAX_BYTES).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import secrets
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.conf import settings
from django.core.files.base import File
from django.utils import timezone

from common.uploads import LABELS, UploadRejected, private_storage, sniff

CSV, XLSX = "csv", "xlsx"
MAX_COLUMNS = 100  # cells beyond this column are ignored
CHUNK = 1024 * 1024
ENCODING_LABELS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 (BOM)",
    "utf-16": "UTF-16",
    "cp1252": "Windows-1252 (Latin-1)",
    "latin-1": "Latin-1",
}
DELIMITER_LABELS = {",": "comma", ";": "semicolon", "\t": "tab"}


def max_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_BYTES", 20 * 1024 * 1024))


@dataclass(frozen=True)
class FileInfo:
    format: str  # CSV or XLSX
    encoding: str = ""  # a Python codec name, for CSV
    delimiter: str = ""  # for CSV


@dataclass(frozen=True)
class StoredImport:
    name: str  # path in the private storage: imports/<yyyy>/<mm>/<random>.csv|xlsx
    sha256: str
    size: int
    info: FileInfo


def _refuse(message: str, code: str = "file_type") -> UploadRejected:
    return UploadRejected(message, code=code)


def _too_big() -> UploadRejected:
    return _refuse(f"The file is too large: the limit is {max_bytes() / (1024 * 1024):.0f} MB.", "file_too_large")


# --- Storing and recognising the file ---------------------------------------------------------------


def store_upload(uploaded) -> StoredImport:
    """Check an uploaded file by its content and keep it in the private storage; UploadRejected if refused."""
    limit = max_bytes()
    if getattr(uploaded, "size", None) is not None and uploaded.size > limit:
        raise _too_big()
    digest, size = hashlib.sha256(), 0
    uploaded.seek(0)
    head = uploaded.read(64 * 1024)
    uploaded.seek(0)
    for chunk in uploaded.chunks() if hasattr(uploaded, "chunks") else iter(lambda: uploaded.read(CHUNK), b""):
        size += len(chunk)
        if size > limit:  # a client can lie about the size; the bytes cannot
            raise _too_big()
        digest.update(chunk)
    if size == 0:
        raise _refuse("The file is empty.", "file_empty")
    kind = _kind_of(head)
    today = timezone.localdate()
    name = f"imports/{today:%Y/%m}/{secrets.token_urlsafe(24)}.{kind}"
    uploaded.seek(0)
    name = private_storage().save(name, File(uploaded))
    try:
        info = _inspect_xlsx(name) if kind == XLSX else _inspect_csv(name, head)
    except UploadRejected:
        private_storage().delete(name)
        raise
    return StoredImport(name=name, sha256=digest.hexdigest(), size=size, info=info)


def _kind_of(head: bytes) -> str:
    """CSV or XLSX from the first bytes, or a refusal that says what the file seems to be."""
    if head.startswith(b"PK\x03\x04"):
        return XLSX  # a zip: _inspect_xlsx checks that it is a workbook
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise _refuse(
            "Old Excel files (.xls) and password-protected workbooks cannot be read: "
            "save the sheet as .xlsx or CSV (UTF-8) and upload that."
        )
    known = sniff(head)
    if known:
        raise _refuse(f"This is a {LABELS[known]} file, not a spreadsheet: upload a CSV or XLSX file.")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return CSV
    if b"\x00" in head or _control_ratio(head) > 0.01:
        raise _refuse("This file is not a CSV or XLSX spreadsheet (it contains binary data).")
    return CSV


def _control_ratio(data: bytes) -> float:
    if not data:
        return 0.0
    controls = sum(1 for byte in data if byte < 32 and byte not in (9, 10, 11, 12, 13, 26))
    return controls / len(data)


def _inspect_csv(name: str, head: bytes) -> FileInfo:
    encoding = _detect_encoding(name, head)
    text = head.decode(encoding if encoding != "utf-8-sig" else "utf-8", errors="ignore").lstrip("\ufeff")
    return FileInfo(format=CSV, encoding=encoding, delimiter=sniff_delimiter(text))


def _detect_encoding(name: str, head: bytes) -> str:
    """UTF-16 or UTF-8 (with or without BOM) when the whole file decodes as such, else Windows-1252/Latin-1."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        if not _decodes(name, "utf-16"):
            raise _refuse(
                "The file's text could not be read: save it as CSV UTF-8 and upload it again.", "file_corrupt"
            )
        return "utf-16"
    candidates = ("utf-8-sig",) if head.startswith(codecs.BOM_UTF8) else ("utf-8", "cp1252")
    for encoding in candidates:
        if _decodes(name, encoding):
            return encoding
    return "latin-1"  # every byte is a Latin-1 character


def _decodes(name: str, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    with private_storage().open(name, "rb") as handle:
        try:
            for chunk in iter(lambda: handle.read(CHUNK), b""):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def sniff_delimiter(text: str) -> str:
    """The delimiter of the header line: the most frequent of `;` `,` and tab outside quotes (`,` on a tie)."""
    line = next((ln for ln in text.splitlines() if ln.strip()), "")
    counts = dict.fromkeys((",", ";", "\t"), 0)
    quoted = False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def _inspect_xlsx(name: str) -> FileInfo:
    """A zip that is an Excel workbook, and not one that would unpack to something enormous."""
    limit = int(getattr(settings, "IMPORT_MAX_UNZIPPED_BYTES", 0) or 20 * max_bytes())
    with private_storage().open(name, "rb") as handle:
        try:
            with zipfile.ZipFile(handle) as archive:
                members = archive.infolist()
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise _refuse("This file is damaged or is not an Excel workbook.", "file_corrupt") from exc
    names = {member.filename for member in members}
    if "xl/workbook.xml" not in names:
        raise _refuse("This is a ZIP file but not an Excel workbook: upload a CSV or XLSX file.")
    if sum(member.file_size for member in members) > limit:
        raise _refuse("This workbook unpacks to too much data to be read: split it or save it as CSV.")
    return FileInfo(format=XLSX)


# --- Reading rows -----------------------------------------------------------------------------------


@dataclass
class Sheet:
    headers: list[str]
    header_row: int  # its number in the file (1 for the first line)
    rows: Iterator[tuple[int, list[str]]]  # (row number as in the file, cells as text); blank rows skipped


@contextmanager
def open_sheet(name: str, info: FileInfo) -> Iterator[Sheet]:
    """The file's header row and a stream of its data rows. UploadRejected if it cannot be read."""
    with private_storage().open(name, "rb") as handle:
        rows = _xlsx_rows(handle) if info.format == XLSX else _csv_rows(handle, info)
        try:
            for number, cells in rows:
                if any(cells):
                    yield Sheet(headers=cells, header_row=number, rows=rows)
                    return
            raise _refuse("The file has no header row: the first line must name the columns.", "file_empty")
        finally:
            rows.close()  # the workbook is closed now, not whenever the generator is collected


def _csv_rows(handle, info: FileInfo) -> Iterator[tuple[int, list[str]]]:
    text = io.TextIOWrapper(handle, encoding=info.encoding, newline="")
    reader = csv.reader(text, delimiter=info.delimiter or ",")
    number = 0
    try:
        for number, record in enumerate(reader, start=1):
            cells = [cell.strip() for cell in record[:MAX_COLUMNS]]
            if number == 1 and cells:
                cells[0] = cells[0].lstrip("\ufeff")
            yield number, cells
    except (csv.Error, UnicodeDecodeError) as exc:
        raise _refuse(f"Row {number + 1} of the file cannot be read as CSV ({exc}).", "file_corrupt") from exc


def _xlsx_rows(handle) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of errors on damaged files
        raise _refuse("This Excel workbook is damaged and cannot be read.", "file_corrupt") from exc
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [cell_text(value) for value in values[:MAX_COLUMNS]]
            while cells and not cells[-1]:
                cells.pop()
            yield number, cells
    except UploadRejected:
        raise
    except Exception as exc:
        raise _refuse("This Excel workbook is damaged and cannot be read.", "file_corrupt") from exc
    finally:
        workbook.close()


def cell_text(value) -> str:
    """A spreadsheet value as the text a person sees: 2.0 -> "2", 612345678 -> "612345678"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value).strip()
