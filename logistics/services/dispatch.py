"""Dispatch: giving orders ready for pickup to delivery agents, by hand or automatically.

Every assignment goes through orders.services.assignment.order_assign (it checks orders.assign,
notifies the agent and records the activity), each in its own savepoint, so one refusal never
blocks the other orders and every order gets its own result.

The automatic rule (auto_assign), for each order, high priority first, then oldest:
1. candidates are active delivery agents who cover the order's delivery area (agent_areas,
   compared case-insensitively) and are not offline;
2. an agent already carrying settings.MAX_AGENT_LOAD orders (ready for pickup or out for
   delivery) is full;
3. among the rest: available before busy, then the lowest current load, then the fewest orders
   delivered today, then the name.
An order nobody can take is reported with the reason, never dropped: it stays on the dispatch page.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction

from accounts import policy
from accounts.models import Availability, User
from common.errors import DomainError, PermissionDenied
from orders.models import Order, OrderStatus
from orders.selectors import order_qs_for_update
from orders.services.assignment import order_assign

from .. import selectors
from ..selectors import AgentLoad

# Orders handled per request at most (a page's selection, an area's queue).
DISPATCH_LIMIT = 500
# pg_advisory_xact_lock key: automatic runs take turns, so two of them never both see an agent
# below the cap and both give them an order. (Manual assignment is a deliberate override: no cap.)
AUTO_ASSIGN_LOCK = 0x4C_6F_67_44  # "LogD"


@dataclass(frozen=True)
class AssignResult:
    """What happened to one order: given to `agent_name`, or not, and why."""

    order_id: str
    order_number: str
    agent_id: str | None = None
    agent_name: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def assign_orders(*, order_ids: list, agent_id, actor: User) -> list[AssignResult]:
    """Give each order to the agent (also moves orders from another agent). One result per order."""
    _require_assign(actor)
    agent = selectors.delivery_agent(agent_id) if agent_id else None
    ids = _clean_ids(order_ids)
    numbers = _numbers(ids, actor)
    results = []
    for order_id in ids:
        number = numbers.get(order_id)
        if number is None:
            results.append(AssignResult(order_id, order_id[:8], error="not found"))
            continue
        if agent is None:
            results.append(AssignResult(order_id, number, error="choose an agent"))
            continue
        try:
            order_assign(order_id=order_id, actor=actor, agent_id=agent.pk)
        except DomainError as exc:
            results.append(AssignResult(order_id, number, error=_text(exc)))
        else:
            results.append(AssignResult(order_id, number, str(agent.pk), agent.full_name))
    return results


def auto_assign(*, order_ids: list | None = None, area: str | None = None, actor: User | None) -> list[AssignResult]:
    """Give orders waiting for an agent to the best agent of their area (see the module's rule).

    `order_ids` (these orders) or `area` (that area's queue; NO_AREA for orders without one) or
    neither (every order waiting, up to DISPATCH_LIMIT). `actor=None` is the system (automatic
    dispatch). The orders are locked and the agents' loads counted inside one transaction that
    holds the dispatch lock, so concurrent runs never push an agent past settings.MAX_AGENT_LOAD.
    """
    if actor is not None:
        _require_assign(actor)
    ids = _clean_ids(order_ids) if order_ids is not None else None
    results: list[AssignResult] = []
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUTO_ASSIGN_LOCK])
        orders = _lock_waiting_orders(ids=ids, area=area, actor=actor)
        if ids is not None:
            results += _not_waiting(set(ids) - {str(o.pk) for o in orders}, actor)
        areas = {o.delivery_area for o in orders if o.delivery_area}
        agents = selectors.agents_with_load(areas=areas, exclude_offline=True) if areas else []
        for order in orders:
            results.append(_auto_assign_one(order, agents, actor))
    return results


def pick_agent(area: str | None, agents: list[AgentLoad], cap: int) -> AgentLoad | None:
    """The agent who should take an order of `area` (None when nobody can). Pure: no queries."""
    candidates = [a for a in agents if a.covers(area) and a.availability != Availability.OFFLINE and a.load < cap]
    if not candidates:
        return None
    return min(
        candidates,
        key=lambda a: (a.availability != Availability.AVAILABLE, a.load, a.delivered_today, a.full_name.lower(),
                       str(a.id)),
    )  # fmt: skip


def _auto_assign_one(order: Order, agents: list[AgentLoad], actor: User | None) -> AssignResult:
    order_id, cap = str(order.pk), settings.MAX_AGENT_LOAD
    if not (order.delivery_area or "").strip():
        return AssignResult(order_id, order.order_number, error="no delivery area")
    agent = pick_agent(order.delivery_area, agents, cap)
    if agent is None:
        covering = [a for a in agents if a.covers(order.delivery_area)]
        why = (f"every agent covering {order.delivery_area} already carries {cap} orders" if covering
               else f"no available or busy agent covers {order.delivery_area}")  # fmt: skip
        return AssignResult(order_id, order.order_number, error=why)
    try:
        order_assign(order_id=order.pk, actor=actor, agent_id=agent.id)
    except DomainError as exc:
        return AssignResult(order_id, order.order_number, error=_text(exc))
    agent.load += 1
    return AssignResult(order_id, order.order_number, str(agent.id), agent.full_name)


def _lock_waiting_orders(*, ids: list[str] | None, area: str | None, actor: User | None) -> list[Order]:
    """Lock the orders waiting for an agent, high priority first, then oldest. A row another run
    assigned while we waited for its lock no longer matches (PostgreSQL rechecks the WHERE)."""
    queryset = order_qs_for_update().filter(status=OrderStatus.READY_FOR_PICKUP, assigned_agent__isnull=True)
    if ids is not None:
        queryset = queryset.filter(pk__in=ids)
    if area == selectors.NO_AREA:
        queryset = queryset.filter(delivery_area__isnull=True)
    elif area:
        queryset = queryset.filter(delivery_area=area)
    if actor is not None:
        queryset = policy.scope(actor, "orders", queryset)
    fields = ("id", "order_number", "delivery_area", "priority", "created_at")
    return list(queryset.only(*fields).order_by("-priority", "created_at", "id")[:DISPATCH_LIMIT])


def _not_waiting(ids: set[str], actor: User | None) -> list[AssignResult]:
    """Results for requested orders that were not waiting for an agent, saying why."""
    queryset = Order.objects.filter(pk__in=ids)
    if actor is not None:
        queryset = policy.scope(actor, "orders", queryset)
    found = {str(o.pk): o for o in queryset.only("id", "order_number", "status", "assigned_agent_id")}
    results = []
    for order_id in sorted(ids):
        order = found.get(order_id)
        if order is None:
            results.append(AssignResult(order_id, order_id[:8], error="not found"))
        elif order.assigned_agent_id is not None:
            results.append(AssignResult(order_id, order.order_number, error="already has an agent"))
        else:
            status = OrderStatus(order.status).label.lower()
            results.append(AssignResult(order_id, order.order_number, error=f"is {status}, not ready for pickup"))
    return results


def _numbers(ids: list[str], actor: User) -> dict[str, str]:
    queryset = policy.scope(actor, "orders", Order.objects.filter(pk__in=ids))
    return {str(pk): number for pk, number in queryset.values_list("id", "order_number")}


def _require_assign(actor: User) -> None:
    if not policy.can(actor, "orders.assign"):
        raise PermissionDenied("You may not assign orders.")


def _clean_ids(raw) -> list[str]:
    ids = []
    for value in raw or ():
        try:
            ids.append(str(uuid.UUID(str(value))))
        except ValueError:
            continue
    return list(dict.fromkeys(ids))[:DISPATCH_LIMIT]


def _text(exc: DomainError) -> str:
    return exc.text() if hasattr(exc, "text") else exc.message
