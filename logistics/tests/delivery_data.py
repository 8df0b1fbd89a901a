"""Builders for the delivery tests: orders on an agent's run, proof files, the deliver call's arguments."""

from __future__ import annotations

import os
import struct
import uuid
import zlib
from decimal import Decimal
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.tests.factories import ProductFactory
from common.tests.test_uploads import jpeg_bytes
from logistics.services.delivery import pickup
from orders.models import Order, OrderStatus, PaymentMethod
from orders.tests.factories import OrderFactory, item_for


def token() -> str:
    return uuid.uuid4().hex


def ready_order(agent, *, product=None, quantity: int = 1, **fields) -> Order:
    """An order ready for pickup, assigned to `agent`, holding its stock as a confirmed order does."""
    product = product or ProductFactory(price=Decimal("199.00"))
    fields = {"payment_method": PaymentMethod.COD, "status": OrderStatus.READY_FOR_PICKUP, **fields}
    return OrderFactory(
        assigned_agent=agent, stock_reserved=True, items=[item_for(product, quantity=quantity)], **fields
    )


def out_order(agent, **fields) -> Order:
    """An order the agent has picked up (through the service)."""
    order = ready_order(agent, **fields)
    pickup(order_id=order.pk, agent=agent, client_token=token())
    order.refresh_from_db()
    return order


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def rgba_png(width: int = 60, height: int = 20, *, blank: bool = False, noise: bool = False) -> bytes:
    """An RGBA PNG like a canvas' toDataURL(): transparent, with a dark stroke unless blank; random
    pixels with `noise` (it does not compress: a big file)."""
    rows = []
    for y in range(height):
        if noise:
            pixels = os.urandom(width * 4)
        else:
            pixels = bytearray(width * 4)
            if not blank and y == height // 2:
                pixels[:] = b"\x10\x18\x28\xff" * width  # a line across the middle
            pixels = bytes(pixels)
        rows.append(b"\x00" + pixels)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + png_chunk(b"IEND", b"")
    )


def photo(data: bytes | None = None, name: str = "door.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data if data is not None else jpeg_bytes(), content_type="image/jpeg")


def deliver_kwargs(order: Order, agent, **overrides) -> dict:
    """Valid arguments for services.delivery.deliver(); override any of them."""
    kwargs = {
        "order_id": order.pk,
        "agent": agent,
        "client_token": token(),
        "photo": photo(),
        "signature_png": rgba_png(),
        "recipient_name": "Salma Benali",
        "recipient_relation": "Self",
        "cash_collected": order.total_amount,
        "latitude": 33.589886,
        "longitude": -7.603869,
        "note": "",
    }
    kwargs.update(overrides)
    return kwargs


def proof_files(media_root: Path) -> list[Path]:
    folder = media_root / "private" / "proofs"
    return sorted(path for path in folder.rglob("*") if path.is_file()) if folder.exists() else []
