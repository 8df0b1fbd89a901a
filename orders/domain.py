"""Pure order rules, no I/O: the status machine, who may make each move, money arithmetic.

The status machine is one table: for each status, the statuses it may move to and which kinds of
actor may make that move. The transition service (orders.services.transitions) is the only writer
of orders.status and asks this module before every move.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from accounts.models import Role

from .models import OrderStatus as S

# --- Who acts --------------------------------------------------------------------------------
# Kinds of actor, derived from the role and the per-user permissions (see actor_kinds()).
REP = "rep"  # confirms or cancels orders by phone
PREP = "prep"  # packs orders: confirmed -> being_prepared -> ready_for_pickup
AGENT = "agent"  # the order's assigned delivery agent
MANAGER = "manager"  # managers and admins: any allowed move
SYSTEM = "system"  # automated moves (workflows, webhooks, the auto-cancel rule)

ANY_STAFF = frozenset({MANAGER, SYSTEM})


@dataclass(frozen=True)
class Move:
    to: str
    by: frozenset[str]
    needs_reason: bool = False


def _move(to: str, *kinds: str, needs_reason: bool = False) -> Move:
    return Move(to=to, by=frozenset(kinds) | ANY_STAFF, needs_reason=needs_reason)


# from status -> the moves allowed out of it. Delivered and cancelled orders never go back.
TRANSITIONS: dict[str, tuple[Move, ...]] = {
    S.NEW: (
        _move(S.CONFIRMATION_PENDING, REP),
        _move(S.CONFIRMED, REP),
        _move(S.CANCELLED, REP, needs_reason=True),
    ),
    S.CONFIRMATION_PENDING: (
        _move(S.CONFIRMED, REP),
        _move(S.CANCELLED, REP, needs_reason=True),
    ),
    S.CONFIRMED: (
        _move(S.BEING_PREPARED, PREP),
        _move(S.CANCELLED, REP, needs_reason=True),
    ),
    S.BEING_PREPARED: (
        _move(S.READY_FOR_PICKUP, PREP),
        _move(S.CANCELLED, needs_reason=True),
    ),
    S.READY_FOR_PICKUP: (
        _move(S.OUT_FOR_DELIVERY, AGENT),
        _move(S.BEING_PREPARED, PREP),
        _move(S.CANCELLED, needs_reason=True),
    ),
    S.OUT_FOR_DELIVERY: (
        _move(S.DELIVERED, AGENT),
        _move(S.RETURNED, AGENT, needs_reason=True),
        # A failed attempt: back on the shelf for another try.
        _move(S.READY_FOR_PICKUP, AGENT),
    ),
    # A customer may send a delivered order back later; only managers record that.
    S.DELIVERED: (_move(S.RETURNED, needs_reason=True),),
    S.RETURNED: (),
    S.CANCELLED: (),
}

# Statuses in which the order holds its stock (reserved at confirmation).
HOLDS_STOCK = frozenset({S.CONFIRMED, S.BEING_PREPARED, S.READY_FOR_PICKUP, S.OUT_FOR_DELIVERY})
# Statuses where the order has not left the warehouse: items and address may still change.
EDITABLE = frozenset({S.NEW, S.CONFIRMATION_PENDING, S.CONFIRMED, S.BEING_PREPARED})
FINAL = frozenset({S.DELIVERED, S.RETURNED, S.CANCELLED})


def find_move(from_status: str, to_status: str) -> Move | None:
    return next((m for m in TRANSITIONS.get(from_status, ()) if m.to == to_status), None)


def allowed_targets(from_status: str) -> list[str]:
    return [m.to for m in TRANSITIONS.get(from_status, ())]


def actor_kinds(*, role: str | None, permissions: dict | None, is_assigned_agent: bool) -> frozenset[str]:
    """The kinds an actor counts as for one order. role None means the system itself."""
    if role is None:
        return frozenset({SYSTEM})
    kinds: set[str] = set()
    if role in (Role.ADMIN, Role.MANAGER):
        kinds |= {MANAGER, REP, PREP}
    elif role == Role.CUSTOMER_REP:
        kinds.add(REP)
    elif role == Role.DELIVERY_AGENT and is_assigned_agent:
        kinds.add(AGENT)
    # Warehouse staff get preparation rights per user: permissions {"orders": {"prepare": true}}.
    if ((permissions or {}).get("orders") or {}).get("prepare"):
        kinds.add(PREP)
    return frozenset(kinds)


def may_move(move: Move, kinds: Iterable[str]) -> bool:
    return bool(move.by & set(kinds))


# --- Money -----------------------------------------------------------------------------------
CENT = Decimal("0.01")


def money(value: Decimal | int | str) -> Decimal:
    """Two decimal places, half-up: the one rounding rule for every amount."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def line_total(unit_price: Decimal, quantity: int) -> Decimal:
    return money(unit_price * quantity)
