"""Pure rules of the delivery agent's actions (no database): tokens, cash, GPS, signatures, routes.

Used by logistics.services.delivery; the form layer shows their messages next to the fields.
"""

from __future__ import annotations

import math
import struct
import zlib
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from django.core.files.base import ContentFile

from common.errors import ValidationFailed
from common.uploads import PNG, UploadRejected, validate_upload
from orders.domain import money

SIGNATURE_MAX_BYTES = 200 * 1024
SIGNATURE_MAX_PIXELS = 4_000_000
MAX_WAYPOINTS = 500
MAX_NOTE_LENGTH = 2000
RECIPIENT_RELATIONS = ("Self", "Family member", "Neighbour", "Colleague", "Guard or concierge", "Other")
_TOKEN_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")


def clean_token(token: str) -> str:
    token = (token or "").strip()
    if not (8 <= len(token) <= 64) or not set(token) <= _TOKEN_CHARS:
        raise ValidationFailed.single("client_token", "This form has expired: reload the page and try again.")
    return token


def clean_gps(latitude, longitude, *, errors: dict, required: bool) -> dict | None:
    """{"latitude", "longitude"} (6 decimals) or None when both are absent and not required."""
    if latitude in (None, "") and longitude in (None, "") and not required:
        return None
    try:
        lat, lon = float(latitude), float(longitude)
    except (TypeError, ValueError):
        errors["latitude"] = ["The location could not be read."]
        return None
    if not (math.isfinite(lat) and -90 <= lat <= 90):
        errors["latitude"] = ["The latitude must be between -90 and 90."]
    if not (math.isfinite(lon) and -180 <= lon <= 180):
        errors["longitude"] = ["The longitude must be between -180 and 180."]
    return {"latitude": round(lat, 6), "longitude": round(lon, 6)}


def clean_cash(value, *, total: Decimal, note: str, errors: dict) -> Decimal | None:
    if value in (None, ""):
        errors["cash_collected"] = ["Write the cash you collected."]
        return None
    try:
        cash = money(value)
    except (InvalidOperation, TypeError, ValueError):
        errors["cash_collected"] = ["Write the amount as a number, e.g. 229.00."]
        return None
    if not cash.is_finite() or cash < 0:
        errors["cash_collected"] = ["The cash collected cannot be negative."]
    elif cash != total and not note:
        errors["cash_collected"] = [f"This is not the order's total ({total}): say why in the note."]
    return cash


def signature_problem(data: bytes | None) -> str | None:
    """Why a signature image is refused (empty, not a PNG, too big, blank), or None."""
    if not data:
        return "Ask the recipient to sign."
    try:
        validate_upload(ContentFile(data), allowed={PNG}, max_bytes=SIGNATURE_MAX_BYTES)
    except UploadRejected as exc:
        if exc.code == "file_too_large":
            return "The signature image is too large (200 KB at most): clear it and sign again."
        return "The signature could not be read: clear it and sign again."
    width, height = struct.unpack(">II", data[16:24])
    if width * height > SIGNATURE_MAX_PIXELS:
        return "The signature image is too large: clear it and sign again."
    if _png_is_blank(data, width, height):
        return "The signature is empty: ask the recipient to sign."
    return None


def _png_is_blank(data: bytes, width: int, height: int) -> bool:
    """True when every pixel is zero: an untouched transparent canvas. (Filtered PNG rows of zero
    pixels are zero whatever the filter, so the decompressed rows are checked without unfiltering.)"""
    depth, color, _, _, interlace = data[24:29]
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}.get(color)
    if interlace or channels is None:
        return False
    stride = 1 + (width * channels * depth + 7) // 8
    idat, pos = [], 8
    while pos + 12 <= len(data):  # chunks were checked (lengths, CRCs) by validate_upload
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        if data[pos + 4 : pos + 8] == b"IDAT":
            idat.append(data[pos + 8 : pos + 8 + length])
        pos += 12 + length
    try:
        raw = zlib.decompressobj().decompress(b"".join(idat), stride * height)
    except zlib.error:
        return False
    return all(not raw[row * stride + 1 : (row + 1) * stride].strip(b"\x00") for row in range(height))


def route_with(route: dict | None, gps: dict, at: datetime, started: datetime | None) -> dict | None:
    """The schema's route_data shape with one more waypoint, or None if the point is out of order."""
    waypoints = list((route or {}).get("waypoints") or [])
    distance = float((route or {}).get("distance_km") or 0)
    if waypoints:
        last = waypoints[-1]
        if at <= datetime.fromisoformat(last["timestamp"]):
            return None
        distance += haversine_km(last["latitude"], last["longitude"], gps["latitude"], gps["longitude"])
    waypoints.append({**gps, "timestamp": at.astimezone(UTC).isoformat().replace("+00:00", "Z")})
    start = started or datetime.fromisoformat(waypoints[0]["timestamp"])
    return {
        "waypoints": waypoints[-MAX_WAYPOINTS:],
        "distance_km": round(distance, 2),
        "duration_minutes": max(0, round((at - start).total_seconds() / 60)),
    }


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two points given in degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(min(1.0, a)))
