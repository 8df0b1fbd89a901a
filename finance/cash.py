"""The cash in the agents' pockets: what each holds, since when, and the remittances that settle it.

An agent's collections are their delivered attempts' `cash_collected`. A remittance settles the
oldest unsettled collections first (remittance_allocations); whatever is not settled is held.
So for every agent, at any moment: collected = remitted (allocated) + held, to the cent.

Every write locks the agent's users row first, so two remittances for one agent are applied one
after the other and can never settle the same collection twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import DecimalField, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.audit import record_activity
from accounts.models import NotificationType, Role, User
from accounts.selectors import managers
from accounts.services import notify
from common.errors import ValidationFailed
from logistics.models import Delivery, DeliveryOutcome
from orders.domain import money

from .models import AgentCashClose, Remittance, RemittanceAllocation
from .services import _require, parse_amount

ZERO = Decimal("0.00")
AGE_BUCKETS = (("0-1 days", 0, 1), ("2-3 days", 2, 3), ("4-7 days", 4, 7), ("8+ days", 8, None))


@dataclass
class Collection:
    delivery_id: object
    order_number: str
    collected_on: date
    amount: Decimal
    settled: Decimal

    @property
    def open(self) -> Decimal:
        return self.amount - self.settled


@dataclass
class CashPosition:
    agent: User
    collected: Decimal = ZERO
    remitted: Decimal = ZERO
    held: Decimal = ZERO
    oldest_open: date | None = None
    ageing: dict[str, Decimal] = field(default_factory=dict)
    open_collections: list[Collection] = field(default_factory=list)


def _collections(agent_id, *, until: date | None = None) -> list[Collection]:
    """The agent's collections, oldest first, with how much of each remittances settled."""
    settled = (
        RemittanceAllocation.objects.filter(delivery=OuterRef("pk"))
        .values("delivery")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    rows = Delivery.objects.filter(agent_id=agent_id, outcome=DeliveryOutcome.DELIVERED, cash_collected__gt=0).annotate(
        settled_amount=Coalesce(Subquery(settled, output_field=DecimalField()), Value(ZERO)),
        number=F("order__order_number"),
    )
    if until is not None:
        rows = rows.filter(delivery_time__date__lte=until)
    return [
        Collection(
            delivery_id=row.pk,
            order_number=row.number,
            collected_on=timezone.localdate(row.delivery_time or row.updated_at),
            amount=money(row.cash_collected),
            settled=money(row.settled_amount),
        )
        for row in rows.order_by("delivery_time", "id")
    ]


def cash_position(agent: User, *, today: date | None = None) -> CashPosition:
    today = today or timezone.localdate()
    collections = _collections(agent.pk)
    position = CashPosition(agent=agent)
    position.collected = sum((c.amount for c in collections), ZERO)
    position.remitted = sum((c.settled for c in collections), ZERO)
    position.held = position.collected - position.remitted
    position.open_collections = [c for c in collections if c.open > 0]
    position.oldest_open = position.open_collections[0].collected_on if position.open_collections else None
    position.ageing = {label: ZERO for label, _, _ in AGE_BUCKETS}
    for collection in position.open_collections:
        age = (today - collection.collected_on).days
        for label, low, high in AGE_BUCKETS:
            if age >= low and (high is None or age <= high):
                position.ageing[label] += collection.open
                break
    return position


def _lock_agent(agent_id) -> User:
    agent = User.objects.select_for_update().filter(pk=agent_id, role=Role.DELIVERY_AGENT).first()
    if agent is None:
        raise ValidationFailed.single("agent", "Choose a delivery agent.")
    return agent


@transaction.atomic
def record_remittance(
    *, actor: User, agent_id, amount, remitted_on: date | None = None, reference: str = "",
    receipt_url: str | None = None, note: str = "",
) -> Remittance:  # fmt: skip
    """The agent hands over `amount`: it settles their oldest open collections first. Bringing more
    than they hold (an excess) needs a note; bringing less leaves the rest held."""
    _require(actor, "financial.create")
    value = parse_amount(amount)
    agent = _lock_agent(agent_id)
    remitted_on = remitted_on or timezone.localdate()
    if remitted_on > timezone.localdate():
        raise ValidationFailed.single("date", "The date cannot be in the future.")
    open_collections = [c for c in _collections(agent.pk) if c.open > 0]
    held = sum((c.open for c in open_collections), ZERO)
    difference = value - held
    if difference > 0 and not note.strip():
        raise ValidationFailed.single(
            "note", f"{agent.full_name} holds {held}; say why {difference} more is handed over."
        )
    remittance = Remittance.objects.create(
        agent=agent, amount=value, date=remitted_on, reference=reference.strip() or None, receipt_url=receipt_url,
        received_by=actor, held_before=held, difference=difference, note=note.strip() or None,
    )  # fmt: skip
    left = value
    allocations = []
    for collection in open_collections:
        if left <= 0:
            break
        part = min(left, collection.open)
        allocations.append(RemittanceAllocation(remittance=remittance, delivery_id=collection.delivery_id, amount=part))
        left -= part
    RemittanceAllocation.objects.bulk_create(allocations)
    record_activity(
        actor=actor, action="remittance_recorded", entity_type="remittance", entity_id=remittance.pk,
        extra={"agent_id": agent.pk, "amount": value, "held_before": held, "difference": difference,
               "settled_orders": [c.order_number for c in open_collections[: len(allocations)]]},
    )  # fmt: skip
    return remittance


@transaction.atomic
def close_agent_day(*, actor: User, agent_id, day: date, note: str = "") -> AgentCashClose:
    """The agent's end-of-day close: what they collected and remitted that day and hold now.
    Cash still held at the close (a shortfall for the day) needs a note."""
    _require(actor, "financial.create")
    agent = _lock_agent(agent_id)
    if day > timezone.localdate():
        raise ValidationFailed.single("date", "A day cannot be closed before it happens.")
    if AgentCashClose.objects.filter(agent=agent, date=day).exists():
        raise ValidationFailed.single("date", f"{agent.full_name}'s {day} is already closed.")
    collections = _collections(agent.pk, until=day)
    collected = sum((c.amount for c in collections if c.collected_on == day), ZERO)
    remitted = Remittance.objects.filter(agent=agent, date=day).aggregate(s=Sum("amount"))["s"] or ZERO
    held = sum((c.open for c in collections), ZERO)
    if held > 0 and not note.strip():
        raise ValidationFailed.single("note", f"{agent.full_name} still holds {held}: say why before closing.")
    close = AgentCashClose.objects.create(
        agent=agent, date=day, collected=collected, remitted=money(remitted), held=held, note=note.strip() or None,
        closed_by=actor,
    )  # fmt: skip
    record_activity(actor=actor, action="cash_day_closed", entity_type="user", entity_id=agent.pk,
                    extra={"date": day, "collected": collected, "remitted": remitted, "held": held})  # fmt: skip
    return close


def agents_over_limits(*, today: date | None = None) -> list[CashPosition]:
    """Agents holding more than CASH_HOLD_LIMIT or for longer than CASH_HOLD_MAX_DAYS."""
    today = today or timezone.localdate()
    limit = Decimal(str(getattr(settings, "CASH_HOLD_LIMIT", "5000")))
    max_days = getattr(settings, "CASH_HOLD_MAX_DAYS", 2)
    flagged = []
    for agent in User.objects.filter(role=Role.DELIVERY_AGENT, is_active=True).order_by("full_name"):
        position = cash_position(agent, today=today)
        too_old = position.oldest_open is not None and position.oldest_open < today - timedelta(days=max_days)
        if position.held > limit or too_old:
            flagged.append(position)
    return flagged


def warn_managers_about_cash(*, today: date | None = None) -> int:
    """One alert per flagged agent (run daily by beat). Returns how many agents were flagged."""
    flagged = agents_over_limits(today=today)
    recipients = list(managers())
    for position in flagged:
        notify(
            users=recipients,
            type=NotificationType.ALERT,
            title=f"{position.agent.full_name} holds {position.held} in cash",
            message=f"Oldest unremitted collection: {position.oldest_open}.",
            data={"agent_id": str(position.agent.pk), "action": "cash_held", "link": "/finance/cash/"},
        )
    return len(flagged)
