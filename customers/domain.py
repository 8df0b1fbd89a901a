"""Pure customer rules: risk bands and tags (no I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

LOW, MEDIUM, HIGH = "low", "medium", "high"
_RANK = {LOW: 0, MEDIUM: 1, HIGH: 2}

# Thresholds in percent / counts. A customer needs some history before their rate means anything.
MIN_ORDERS_FOR_RATE = 2
HIGH_RETURN_RATE = Decimal("50")
MEDIUM_RETURN_RATE = Decimal("25")
RISKY_AREA_RETURN_RATE = Decimal("30")


@dataclass(frozen=True)
class Risk:
    band: str
    reasons: tuple[str, ...]


def assess_risk(
    *,
    total_orders: int,
    return_rate: Decimal,
    refused_orders: int,
    is_blacklisted: bool,
    blacklist_reason: str | None = None,
    area: str | None = None,
    area_return_rate: Decimal | None = None,
) -> Risk:
    """Risk that a COD order to this customer comes back: the worst of the signals we have."""
    signals: list[tuple[str, str]] = []
    if is_blacklisted:
        signals.append((HIGH, f"Blacklisted: {blacklist_reason}" if blacklist_reason else "Blacklisted"))
    if total_orders >= MIN_ORDERS_FOR_RATE and return_rate >= HIGH_RETURN_RATE:
        signals.append((HIGH, f"Returns {return_rate}% of orders"))
    elif total_orders >= MIN_ORDERS_FOR_RATE and return_rate >= MEDIUM_RETURN_RATE:
        signals.append((MEDIUM, f"Returns {return_rate}% of orders"))
    if refused_orders >= 2:
        signals.append((HIGH, f"Refused {refused_orders} orders"))
    elif refused_orders == 1:
        signals.append((MEDIUM, "Refused an order before"))
    if area_return_rate is not None and area_return_rate >= RISKY_AREA_RETURN_RATE:
        signals.append((MEDIUM, f"{area or 'Area'} returns {area_return_rate}% of orders"))
    if not signals:
        return Risk(LOW, ())
    band = max((band for band, _ in signals), key=_RANK.__getitem__)
    return Risk(band, tuple(reason for _, reason in signals))


def normalize_tags(tags: list[dict] | None) -> list[dict]:
    """Tags in the schema's shape [{"id", "label", "color"}], one per id, ids lower-case slugs."""
    seen: dict[str, dict] = {}
    for tag in tags or []:
        tag_id = str(tag.get("id", "")).strip().lower().replace(" ", "_")
        if not tag_id:
            continue
        seen[tag_id] = {
            "id": tag_id,
            "label": str(tag.get("label") or tag_id.replace("_", " ").title()),
            "color": str(tag.get("color") or "#667085"),
        }
    return list(seen.values())
