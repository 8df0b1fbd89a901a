"""Generated orders and everything their path through the statuses leaves behind.

An order's fate is drawn first (cancelled at some stage, refused at the door, delivered, sometimes
returned after delivery); then each step takes a realistic time and the order stops at the last step
already reached by "now". Old orders are therefore settled and recent ones are still in the pipeline,
as in a real shop. The history rows, delivery attempt, payment state and ledger entries all follow
from that one timeline, so they agree with each other. Pure: no database access, one seeded Random.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from bisect import bisect
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import accumulate, pairwise

from core.demo.catalog import money
from core.demo.customers import CustomerPool
from core.demo.people import (
    AREAS,
    CANCEL_NOTES,
    CUSTOMER_NOTES,
    FEEDBACK,
    FIRST_NAMES,
    INTERNAL_NOTES,
    ITEM_NOTES,
    POST_DELIVERY_RETURN_REASONS,
    RECIPIENT_RELATIONS,
    RETURN_REASONS,
)
from finance.models import TransactionType
from orders.models import OrderStatus, PaymentStatus

# Plain strings: psycopg would dump an Enum member by its name ("NEW"), not its value.
NEW, PENDING, CONFIRMED, PREPARING, READY, OUT, DELIVERED, RETURNED, CANCELLED = (s.value for s in OrderStatus)
COLLECTED, REFUNDED = PaymentStatus.COLLECTED.value, PaymentStatus.REFUNDED.value
FORWARD = (NEW, PENDING, CONFIRMED, PREPARING, READY, OUT, DELIVERED)
# Today's first orders are forced to every status, once at high and once at low priority, so each
# status, today's figures and the priority order of the confirmation queue always have examples.
SHOWCASE = tuple((status, priority) for priority in ("high", "low") for status in OrderStatus.values)

ORDER_COLUMNS = (
    "id", "order_number", "customer_id", "assigned_rep_id", "assigned_agent_id", "status", "priority", "items",
    "subtotal", "delivery_fee", "total_amount", "payment_status", "payment_method", "customer_notes",
    "internal_notes", "delivery_address", "delivery_area", "source", "webhook_source", "delivery_proof",
    "return_reason", "created_at", "updated_at", "confirmed_at", "delivered_at",
)  # fmt: skip
HISTORY_COLUMNS = ("order_id", "changed_by_user_id", "old_status", "new_status", "notes", "created_at")
DELIVERY_COLUMNS = (
    "order_id", "agent_id", "pickup_time", "delivery_time", "route_data", "proof_of_delivery", "signature_url",
    "photo_url", "customer_feedback", "rating", "created_at", "updated_at",
    "attempt_number", "outcome", "failure_reason", "ended_at", "cash_collected",
)  # fmt: skip
TRANSACTION_COLUMNS = ("order_id", "type", "amount", "method", "recorded_by_user_id", "notes", "date", "created_at")

HOUR = 3600.0
# Hours each step takes (uniform between the bounds), keyed by the status the step reaches.
STEP_HOURS = {
    PENDING: (0.02, 2.0), CONFIRMED: (0.1, 20.0), PREPARING: (0.5, 16.0), READY: (0.5, 8.0),
    OUT: (1.0, 20.0), DELIVERED: (0.5, 8.0), RETURNED: (0.5, 8.0), CANCELLED: (0.1, 30.0),
}  # fmt: skip
LATE_RETURN_HOURS = (24.0, 168.0)  # a delivered order sent back days later
WORK_START_UTC, WORK_END_UTC = 8, 20
CANCEL_RATE, REFUSAL_RATE, LATE_RETURN_RATE = 0.21, 0.11, 0.03
FREE_DELIVERY_CENTS = 50_000  # free delivery from 500 MAD
CDN = "https://cdn.demo.cod"


@dataclass(frozen=True)
class Line:
    """Something a customer can order: a product, or one variant of it."""

    product_id: str
    variant_id: str | None
    sku: str
    name: str
    price_cents: int
    weight: float


@dataclass
class Staff:
    reps: list[uuid.UUID]
    rep_weights: list[float]
    rep_cancel_factor: list[float]  # some reps confirm better than others
    manager: uuid.UUID
    accountant: uuid.UUID
    # area index -> [(agent id, refusal factor)]: agents carry their own area's orders
    agents: list[list[tuple[uuid.UUID, float]]]


@dataclass
class Batch:
    """Rows of one chunk of orders, per table, ready for COPY."""

    orders: list[tuple] = field(default_factory=list)
    history: list[tuple] = field(default_factory=list)
    deliveries: list[tuple] = field(default_factory=list)
    transactions: list[tuple] = field(default_factory=list)


def _dt(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def _draw(rng: random.Random, values: tuple, cum_weights: tuple[float, ...]):
    """One of `values` by cumulative weights ending at 1.0: rng.choices(k=1) costs 4x more per call."""
    return values[bisect(cum_weights, rng.random())]


def _iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


class OrderMaker:
    def __init__(
        self, rng: random.Random, now_ts: float, customers: CustomerPool, lines: list[Line], staff: Staff
    ) -> None:
        self.rng, self.now, self.customers, self.lines, self.staff = rng, now_ts, customers, lines, staff
        self._line_cum = list(accumulate(line.weight for line in lines))
        self._rep_cum = list(accumulate(staff.rep_weights))

    def make(
        self, batch: Batch, number: str, created: float, target: str | None = None, priority=None, unassigned=False
    ) -> None:
        """Add one order created at `created`, and its consequences, to the batch.

        `target` forces the order to stop at that status (its steps squeezed in before now), with
        `priority` if given; `unassigned` keeps a ready_for_pickup order without an agent.
        """
        rng = self.rng
        cust = self.customers.pick(rng)
        area = self.customers.area[cust]
        rep_index = min(bisect(self._rep_cum, rng.random() * self._rep_cum[-1]), len(self.staff.reps) - 1)
        agent, refusal_factor = rng.choice(self.staff.agents[area])
        path = self._path(target, self.staff.rep_cancel_factor[rep_index], refusal_factor)
        times = self._times(path, created, fit=target is not None)
        path = path[: len(times)]
        status, reached = path[-1], dict(zip(path, times, strict=True))
        rep = self.staff.reps[rep_index] if status != NEW or rng.random() < 0.4 else None
        if not self._agent_assigned(status, unassigned):
            agent = None
        order_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        items, subtotal = self._items()
        fee = 0 if subtotal >= FREE_DELIVERY_CENTS else AREAS[area].delivery_fee_cents
        total = subtotal + fee
        payment = self._payment(status, reached)
        method = "COD" if rng.random() < 0.92 else rng.choice(("bank_transfer", "cash"))
        source, webhook_source = self._source()
        return_reason = None
        if status == RETURNED:
            return_reason = rng.choice(POST_DELIVERY_RETURN_REASONS if DELIVERED in reached else RETURN_REASONS)
        actors = {"rep": rep, "agent": agent}
        notes = self._history(batch, order_id, path, times, actors, return_reason)
        proof = None
        if OUT in reached:
            recipient = self.customers.rows[cust][1]
            proof = self._delivery(batch, order_id, number, agent, area, reached, recipient, total)
        if payment != "pending":
            self._ledger(batch, order_id, total, method, reached, payment, return_reason)
        batch.orders.append(
            (
                order_id, number, self.customers.ids[cust], rep, agent, status, priority or self._priority(), items,
                money(subtotal), money(fee), money(total), payment, method,
                rng.choice(CUSTOMER_NOTES) if rng.random() < 0.12 else None,
                notes.get(CANCELLED) or (rng.choice(INTERNAL_NOTES) if rng.random() < 0.1 else None),
                self.customers.address[cust], AREAS[area].name, source, webhook_source, proof, return_reason,
                _dt(created), _dt(times[-1]), _dt(reached[CONFIRMED]) if CONFIRMED in reached else None,
                _dt(reached[DELIVERED]) if DELIVERED in reached else None,
            )
        )  # fmt: skip

    def _path(self, target: str | None, cancel_factor: float, refusal_factor: float) -> tuple[str, ...]:
        """The statuses this order will go through if given time, starting with new."""
        rng = self.rng
        if target in FORWARD:
            return FORWARD[: FORWARD.index(target) + 1]
        if target == CANCELLED:
            return (NEW, PENDING, CANCELLED)
        if target == RETURNED:
            return (*FORWARD[:6], RETURNED)
        if rng.random() < CANCEL_RATE * cancel_factor:
            stage = _draw(rng, (1, 2, 3), (0.15, 0.75, 1.0))
            return (*FORWARD[:stage], CANCELLED)
        if rng.random() < REFUSAL_RATE * refusal_factor:
            return (*FORWARD[:6], RETURNED)
        if rng.random() < LATE_RETURN_RATE:
            return (*FORWARD, RETURNED)
        return FORWARD

    def _times(self, path: tuple[str, ...], created: float, fit: bool) -> list[float]:
        """When each status of the path is reached, up to now. With `fit`, every step fits before now."""
        rng = self.rng
        steps = []
        for previous, status in pairwise(path):
            low, high = LATE_RETURN_HOURS if previous == DELIVERED else STEP_HOURS[status]
            steps.append(rng.uniform(low, high) * HOUR)
        if fit and steps:
            scale = min(1.0, (self.now - created) * 0.95 / sum(steps))
            steps = [step * scale for step in steps]
        times, moment = [created], created
        for step in steps:
            moment += step
            if not fit:
                moment = self._working_hours(moment)
            if moment > self.now:
                break
            times.append(moment)
        return times

    def _working_hours(self, moment: float) -> float:
        """Staff call, pack and deliver from 9:00 to 21:00 in Morocco (8-20 UTC): a step that would end
        at night ends the next morning instead."""
        day_start = moment - moment % 86400
        hour = (moment - day_start) / HOUR
        if WORK_START_UTC <= hour < WORK_END_UTC:
            return moment
        if hour >= WORK_END_UTC:
            day_start += 86400
        return day_start + (WORK_START_UTC + self.rng.uniform(0.0, 2.5)) * HOUR

    def _agent_assigned(self, status: str, unassigned: bool) -> bool:
        if status in (OUT, DELIVERED, RETURNED):
            return True
        if status == READY:
            return not unassigned and self.rng.random() < 0.6
        return status == PREPARING and self.rng.random() < 0.25

    def _items(self) -> tuple[str, int]:
        """The items JSON (amounts as two-decimal strings) and the subtotal in cents."""
        rng = self.rng
        count = _draw(rng, (1, 2, 3), (0.68, 0.93, 1.0))
        chosen = {min(bisect(self._line_cum, rng.random() * self._line_cum[-1]), len(self.lines) - 1)
                  for _ in range(count)}  # fmt: skip
        items, subtotal = [], 0
        for index in sorted(chosen):
            line = self.lines[index]
            quantity = _draw(rng, (1, 2, 3), (0.82, 0.97, 1.0))
            line_total = line.price_cents * quantity
            subtotal += line_total
            items.append(
                {
                    "product_id": line.product_id, "variant_id": line.variant_id, "sku": line.sku, "name": line.name,
                    "quantity": quantity, "unit_price": money(line.price_cents), "total": money(line_total),
                    "notes": rng.choice(ITEM_NOTES) if rng.random() < 0.04 else None,
                }
            )  # fmt: skip
        return json.dumps(items), subtotal

    def _payment(self, status: str, reached: dict[str, float]) -> str:
        if status == DELIVERED:
            # Agents hand the cash over a day or two later: recent deliveries are often still pending.
            recent = self.now - reached[DELIVERED] < 48 * HOUR
            pending = (recent and self.rng.random() < 0.35) or self.rng.random() < 0.01
            return "pending" if pending else COLLECTED
        if status == RETURNED and DELIVERED in reached:
            return REFUNDED
        return "pending"

    def _priority(self) -> str:
        roll = self.rng.random()
        return "high" if roll < 0.15 else "medium" if roll < 0.8 else "low"

    def _source(self) -> tuple[str, str | None]:
        roll = self.rng.random()
        if roll < 0.25:
            return "manual", None
        if roll < 0.7:
            return "webhook", "shopify" if self.rng.random() < 0.6 else "woocommerce"
        return ("csv", None) if roll < 0.8 else ("api", None)

    def _history(self, batch: Batch, order_id, path, times, actors, return_reason) -> dict[str, str]:
        """One order_history row per status change, as the status trigger would write; returns the notes."""
        rng, notes = self.rng, {}
        for previous, status, moment in zip(path, path[1:], times[1:], strict=False):
            if status in (OUT, DELIVERED) or (status == RETURNED and previous == OUT):
                actor = actors["agent"]
            elif status in (PREPARING, READY):
                actor = self.staff.manager
            else:
                actor = actors["rep"]
            note = None
            if status == CANCELLED:
                note = rng.choice(CANCEL_NOTES)
            elif status == RETURNED:
                note = return_reason
            elif status == CONFIRMED and rng.random() < 0.3:
                note = "Confirmed by phone"
            if note:
                notes[status] = note
            batch.history.append((order_id, actor, previous, status, note, _dt(moment)))
        return notes

    def _delivery(self, batch: Batch, order_id, number: str, agent, area: int, reached, recipient, total) -> str | None:
        """The delivery attempt of a picked-up order; returns the order's delivery_proof JSON.
        Delivered: the cash was taken; returned without delivery: refused at the door; else on the way."""
        rng = self.rng
        pickup, delivered = reached[OUT], reached.get(DELIVERED)
        hub, spot = _gps(rng, area), _gps(rng, area)
        last = delivered or reached.get(RETURNED, pickup)
        route = {
            "waypoints": [
                {"latitude": hub[0], "longitude": hub[1], "timestamp": _iso(pickup)},
                {"latitude": spot[0], "longitude": spot[1], "timestamp": _iso(last)},
            ],
            "distance_km": round(rng.uniform(1.5, 18.0), 1),
            "duration_minutes": rng.randint(12, 95),
        }  # fmt: skip
        rating = feedback = proof = order_proof = signature = photo = None
        if delivered is not None:
            signature, photo = f"{CDN}/signatures/{number}.png", f"{CDN}/deliveries/{number}.jpg"
            gps = {"latitude": spot[0], "longitude": spot[1]}
            relation = rng.choice(RECIPIENT_RELATIONS)
            if relation != "Self":
                recipient = f"{rng.choice(FIRST_NAMES)} {recipient.split(' ', 1)[-1]}"
            proof = {
                "method": "signature", "signature_url": signature, "photo_url": photo,
                "recipient_name": recipient, "recipient_relation": relation, "gps_location": gps,
                "timestamp": _iso(delivered), "device_id": f"agent-device-{str(agent)[:8]}",
            }  # fmt: skip
            order_proof = json.dumps(
                {"signature_url": signature, "photo_url": photo, "gps_location": gps, "timestamp": _iso(delivered),
                 "notes": "Delivered in hand, cash collected"}
            )  # fmt: skip
            if rng.random() < 0.45:
                rating = _draw(rng, (5, 4, 3, 2, 1), (0.5, 0.8, 0.92, 0.97, 1.0))
                feedback = rng.choice(FEEDBACK[rating]) if rng.random() < 0.5 else None
        refused_at = reached.get(RETURNED) if delivered is None else None
        outcome = "delivered" if delivered is not None else ("failed" if refused_at is not None else "in_progress")
        batch.deliveries.append(
            (order_id, agent, _dt(pickup), _dt(delivered) if delivered else None, json.dumps(route),
             json.dumps(proof) if proof else None, signature, photo, feedback, rating, _dt(pickup), _dt(last),
             1, outcome, "refused" if refused_at is not None else None,
             _dt(delivered or refused_at) if outcome != "in_progress" else None,
             money(total) if delivered is not None else None)
        )  # fmt: skip
        return order_proof

    def _ledger(self, batch: Batch, order_id, total: int, method: str, reached, payment: str, reason) -> None:
        """Revenue when the agent's cash reaches the accountant; a refund for a returned paid order."""
        handed_over = min(self.now, reached[DELIVERED] + self.rng.uniform(1.0, 20.0) * HOUR)
        batch.transactions.append(
            (order_id, TransactionType.REVENUE.value, money(total), method, self.staff.accountant,
             "Cash collected on delivery", _dt(handed_over).date(), _dt(handed_over))
        )  # fmt: skip
        if payment == REFUNDED:
            refunded = min(self.now, reached[RETURNED] + self.rng.uniform(1.0, 12.0) * HOUR)
            batch.transactions.append(
                (order_id, TransactionType.REFUND.value, money(total), method, self.staff.accountant,
                 f"Refund: {reason}", _dt(refunded).date(), _dt(refunded))
            )  # fmt: skip


def _gps(rng: random.Random, area: int) -> tuple[float, float]:
    return round(AREAS[area].lat + rng.uniform(-0.01, 0.01), 6), round(AREAS[area].lng + rng.uniform(-0.01, 0.01), 6)
