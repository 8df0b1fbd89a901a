"""Generated customers: Moroccan names and E.164 phones, busy and quiet areas, heavy-tailed demand.

The pool keeps only what orders need (id, area, address, sampling weights) plus the rows to COPY,
so 100,000 customers cost a few tens of megabytes. Tags are derived afterwards from the customers'
real orders (see bulk.finish_customers), so a "VIP" really has ten delivered orders.
"""

from __future__ import annotations

import random
import uuid
from bisect import bisect
from datetime import UTC, datetime
from itertools import accumulate

from core.demo.people import AREAS, CUSTOMER_NOTES, EMAIL_DOMAINS, FIRST_NAMES, LAST_NAMES

CUSTOMER_COLUMNS = (
    "id", "full_name", "email", "phone", "address", "city", "area", "postal_code", "tags", "notes", "created_at",
    "updated_at",
)  # fmt: skip

# A Pareto shape of 1.5 gives the long tail of COD shops: most customers order once or twice, a few
# resellers order every week. The cap keeps one customer from swallowing a small demo.
PARETO_SHAPE = 1.5
WEIGHT_CAP = 60.0
# Phone numbers are (A * i + B) mod 10^8 with A coprime to 10^8: distinct for every customer index.
_PHONE_A, _PHONE_B = 48_271_013, 3_141_592


def customer_count(orders: int) -> int:
    """About one customer per ten orders, at least 50 (1,000,000 orders -> 100,000 customers)."""
    return max(50, orders // 10)


def phone_number(index: int) -> str:
    """A unique Moroccan mobile number in E.164: +2126XXXXXXXX, one in five +2127XXXXXXXX."""
    prefix = "7" if index % 5 == 0 else "6"
    return f"+212{prefix}{(_PHONE_A * index + _PHONE_B) % 100_000_000:08d}"


def _ascii(name: str) -> str:
    return name.lower().replace(" ", "").replace("'", "")


class CustomerPool:
    """Customers held in memory while their orders are generated."""

    def __init__(self, rng: random.Random, count: int, now_ts: float, horizon_days: int) -> None:
        self.ids: list[uuid.UUID] = []
        self.area: list[int] = []
        self.address: list[str] = []
        self.rows: list[tuple] = []
        weights: list[float] = []
        area_cum = list(accumulate(area.weight for area in AREAS))
        for index in range(count):
            area_index = min(bisect(area_cum, rng.random() * area_cum[-1]), len(AREAS) - 1)
            self._add(rng, index, area_index, now_ts - rng.random() * horizon_days * 86400)
            weights.append(min(rng.paretovariate(PARETO_SHAPE), WEIGHT_CAP))
        self._cum = list(accumulate(weights))
        self._total = self._cum[-1]

    def _add(self, rng: random.Random, index: int, area_index: int, created_ts: float) -> None:
        area = AREAS[area_index]
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        email = None
        if rng.random() < 0.4:
            email = f"{_ascii(first)}.{_ascii(last)}{index}@{rng.choice(EMAIL_DOMAINS)}"
        building = rng.randint(1, 180)
        address = f"{building}, {rng.choice(area.streets)}, {area.name}, {area.city}"
        if rng.random() < 0.3:
            address = f"Apt {rng.randint(1, 24)}, {address}"
        notes = rng.choice(CUSTOMER_NOTES) if rng.random() < 0.05 else None
        customer_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        created = datetime.fromtimestamp(created_ts, UTC)
        self.ids.append(customer_id)
        self.area.append(area_index)
        self.address.append(address)
        # Tags start empty: they are derived from the orders once those exist.
        self.rows.append(
            (
                customer_id, f"{first} {last}", email, phone_number(index), address, area.city, area.name,
                area.postal_code, "[]", notes, created, created,
            )
        )  # fmt: skip

    def __len__(self) -> int:
        return len(self.ids)

    def pick(self, rng: random.Random) -> int:
        """A customer index, drawn in proportion to the customer's (heavy-tailed) weight."""
        # min(): rng.random() * total can round up to total itself.
        return min(bisect(self._cum, rng.random() * self._total), len(self._cum) - 1)
