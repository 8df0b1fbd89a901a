"""Uploaded files: checked by their content, stored privately under random names.

    stored = save_private_upload(request.FILES["photo"], folder="proofs", allowed=IMAGE_TYPES)
    delivery.proof_path = stored.name          # "proofs/2026/11/Jx...Q.jpg"
    reverse("private_file", args=[stored.name])  # the only way a browser gets it back

What a file is comes from its first bytes and its structure (JPEG, PNG, WebP, PDF), never from its
name or the Content-Type the client sent; everything else is refused with a message fit for the
user (UploadRejected is a django ValidationError, so a form shows it). The name on disk is random
with the extension of the detected type; no part of the client's file name is used.

Files live in the "private" storage (settings.STORAGES, MEDIA_ROOT/private/), which is never
served as static media: common.views.private_file serves a file only to a user that the checker
registered for its folder accepts (register_private_folder).
"""

from __future__ import annotations

import os
import re
import secrets
import struct
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, storages
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

JPEG, PNG, WEBP, PDF = "image/jpeg", "image/png", "image/webp", "application/pdf"
IMAGE_TYPES = frozenset({JPEG, PNG, WEBP})
DOCUMENT_TYPES = frozenset({PDF})
EXTENSIONS = {JPEG: "jpg", PNG: "png", WEBP: "webp", PDF: "pdf"}
CONTENT_TYPES = {ext: content_type for content_type, ext in EXTENSIONS.items()}
LABELS = {JPEG: "JPEG", PNG: "PNG", WEBP: "WebP", PDF: "PDF"}

# A folder is one or more lowercase segments; a stored name is folder/.../random.ext.
_SEGMENT = re.compile(r"^[A-Za-z0-9_-]+$")
_FOLDER = re.compile(r"^[a-z0-9_-]+(/[a-z0-9_-]+)*$")


class UploadRejected(ValidationError):
    """The file is not one we accept; the message says why, for the person who sent it."""


@dataclass(frozen=True)
class StoredUpload:
    name: str  # path inside the private storage, e.g. "proofs/2026/11/<random>.jpg"
    content_type: str
    size: int

    @property
    def url(self) -> str:
        return reverse("private_file", args=[self.name])


# --- Validation ---------------------------------------------------------------------------------


def validate_upload(uploaded, *, allowed: Iterable[str] = IMAGE_TYPES | DOCUMENT_TYPES, max_bytes: int | None = None):
    """(content_type, bytes) of an uploaded file whose content is one of `allowed`; UploadRejected otherwise.

    Works on Django's UploadedFile or any object with .size/.read()/.seek(). Reads at most
    max_bytes + 1 bytes, so a lying .size cannot make us read a huge file.
    """
    allowed = frozenset(allowed)
    limit = max_bytes if max_bytes is not None else settings.UPLOAD_MAX_BYTES
    names = " or ".join(LABELS[t] for t in sorted(allowed, key=list(LABELS).index))
    size = getattr(uploaded, "size", None)
    if size is not None and size > limit:
        raise UploadRejected(_too_big(limit), code="file_too_large")
    if hasattr(uploaded, "seek"):
        uploaded.seek(0)
    data = uploaded.read(limit + 1)
    if len(data) > limit:
        raise UploadRejected(_too_big(limit), code="file_too_large")
    if not data:
        raise UploadRejected("The file is empty.", code="file_empty")
    content_type = sniff(data)
    if content_type not in allowed:
        raise UploadRejected(f"This file is not accepted: upload a {names} file.", code="file_type")
    checker = _STRUCTURE_CHECKS[content_type]
    if not checker(data):
        raise UploadRejected(
            f"This {LABELS[content_type]} file is damaged or incomplete; please upload it again.", code="file_corrupt"
        )
    return content_type, data


def sniff(data: bytes) -> str | None:
    """The content type announced by the file's magic bytes, or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data.startswith(b"%PDF-"):
        return PDF
    return None


def _too_big(limit: int) -> str:
    return f"The file is too large: the limit is {limit / (1024 * 1024):.1f} MB."


# JPEG markers that start a frame (SOF0..SOF15 except DHT, JPG, DAC).
_SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def _valid_jpeg(data: bytes) -> bool:
    """Walk the marker segments up to the start of scan: a frame header with a size must come first."""
    pos, has_frame = 2, False
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return False
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):  # stand-alone markers, no length
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if length < 2 or pos + 2 + length > len(data):
            return False
        if marker in _SOF_MARKERS:
            if length < 8:
                return False
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            has_frame = width > 0 and height > 0
        if marker == 0xDA:  # start of scan: compressed data follows
            return has_frame and pos + 2 + length < len(data)
        if marker == 0xD9:
            return False
        pos += 2 + length
    return False


def _valid_png(data: bytes) -> bool:
    """Every chunk's length and CRC check out, IHDR comes first with a size, IEND closes the file."""
    pos, first = 8, True
    while pos + 12 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        end = pos + 12 + length
        if end > len(data):
            return False
        body = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : end])
        if zlib.crc32(kind + body) & 0xFFFFFFFF != crc:
            return False
        if first:
            if kind != b"IHDR" or length != 13:
                return False
            width, height = struct.unpack(">II", body[:8])
            if not (width and height):
                return False
            first = False
        if kind == b"IEND":
            return True
        pos = end
    return False


def _valid_webp(data: bytes) -> bool:
    """The RIFF size matches the file and the first chunk is an image (VP8, VP8L or VP8X) with a size."""
    if len(data) < 30:
        return False
    (riff_size,) = struct.unpack("<I", data[4:8])
    if riff_size + 8 not in (len(data), len(data) - 1) or riff_size % 2:
        return False
    kind, (chunk_size,) = data[12:16], struct.unpack("<I", data[16:20])
    payload = data[20 : 20 + chunk_size]
    if len(payload) < chunk_size:
        return False
    if kind == b"VP8 ":  # lossy: frame tag, start code, 14-bit width and height
        if len(payload) < 10 or payload[3:6] != b"\x9d\x01\x2a":
            return False
        width, height = struct.unpack("<HH", payload[6:10])
        return bool(width & 0x3FFF and height & 0x3FFF)
    if kind == b"VP8L":
        return len(payload) >= 5 and payload[0] == 0x2F
    if kind == b"VP8X":
        return len(payload) >= 10
    return False


def _valid_pdf(data: bytes) -> bool:
    """A version header, an end-of-file marker near the end, and no scripts or launch actions."""
    if not re.match(rb"%PDF-\d\.\d", data[:8]):
        return False
    if b"%%EOF" not in data[-2048:]:
        return False
    # Receipts never need JavaScript or to launch programs; refuse PDFs that declare them in clear.
    return re.search(rb"/(JavaScript|Launch)(?![A-Za-z0-9])", data) is None


_STRUCTURE_CHECKS: dict[str, Callable[[bytes], bool]] = {
    JPEG: _valid_jpeg,
    PNG: _valid_png,
    WEBP: _valid_webp,
    PDF: _valid_pdf,
}


# --- Private storage ----------------------------------------------------------------------------


class PrivateStorage(FileSystemStorage):
    """MEDIA_ROOT/private/, never served directly; files readable by the app's user only."""

    def __init__(self, **kwargs):
        kwargs.setdefault("file_permissions_mode", 0o640)
        kwargs.setdefault("directory_permissions_mode", 0o750)
        super().__init__(**kwargs)

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, os.path.join(str(settings.MEDIA_ROOT), "private"))

    def url(self, name):
        return reverse("private_file", args=[name])


def private_storage():
    return storages["private"]


def save_private_upload(
    uploaded, *, folder: str, allowed: Iterable[str] = IMAGE_TYPES | DOCUMENT_TYPES, max_bytes: int | None = None
) -> StoredUpload:
    """Validate `uploaded` and store it as <folder>/<yyyy>/<mm>/<random>.<ext>. UploadRejected if refused.

    `folder` comes from code ("proofs", "receipts"), never from the request.
    """
    if not _FOLDER.match(folder):
        raise ValueError(f"Invalid private folder name: {folder!r}")
    content_type, data = validate_upload(uploaded, allowed=allowed, max_bytes=max_bytes)
    today = timezone.localdate()
    name = f"{folder}/{today:%Y/%m}/{secrets.token_urlsafe(24)}.{EXTENSIONS[content_type]}"
    stored_name = private_storage().save(name, ContentFile(data))
    return StoredUpload(name=stored_name, content_type=content_type, size=len(data))


def clean_private_path(path: str) -> str | None:
    """The path if it is a plain relative name of segments [A-Za-z0-9_-] and a known extension, else None.

    Refuses "..", ".", empty segments, absolute paths, backslashes, NUL and anything percent-decoded
    into those, so a request can never name a file outside the private storage.
    """
    if not path or len(path) > 300 or path.startswith("/") or "\\" in path or "\x00" in path:
        return None
    *folders, filename = path.split("/")
    stem, dot, ext = filename.rpartition(".")
    if not folders or not dot or ext not in CONTENT_TYPES or not _SEGMENT.match(stem):
        return None
    if not all(_SEGMENT.match(segment) for segment in folders):
        return None
    return path


# --- Who may read what --------------------------------------------------------------------------

# folder prefix ("proofs", "finance/receipts") -> checker(user, path) -> bool
_PRIVATE_FOLDERS: dict[str, Callable[[object, str], bool]] = {}


def register_private_folder(prefix: str, checker: Callable[[object, str], bool]) -> None:
    """Let common.views.private_file serve files under `prefix` to users `checker(user, path)` accepts.

    Call it from the owning app's AppConfig.ready(), e.g. logistics registers "proofs/" with a
    function that checks the user may view the delivery the proof belongs to. A folder nobody
    registered is never served.
    """
    folder = prefix.strip("/")
    if not _FOLDER.match(folder):
        raise ValueError(f"Invalid private folder prefix: {prefix!r}")
    _PRIVATE_FOLDERS[folder] = checker


def unregister_private_folder(prefix: str) -> None:
    _PRIVATE_FOLDERS.pop(prefix.strip("/"), None)


def checker_for(path: str) -> Callable[[object, str], bool] | None:
    """The checker of the longest registered folder that contains `path`."""
    parts = path.split("/")[:-1]
    for depth in range(len(parts), 0, -1):
        checker = _PRIVATE_FOLDERS.get("/".join(parts[:depth]))
        if checker is not None:
            return checker
    return None
