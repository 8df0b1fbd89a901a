"""The rep's confirmation calls: record_call() and the round-robin assignment of new orders.

Every status change goes through order_transition(); this module only decides which one a call
outcome implies, and keeps the queue columns (unanswered_calls, callback_at, assigned_rep).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from uuid import UUID

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.audit import record_activity
from accounts.models import Availability, NotificationType, Role, User
from accounts.selectors import active_users_with_roles
from accounts.services import notify
from common.errors import DomainError, PermissionDenied, ValidationFailed
from customers.services import customer_count_refusal

from ..models import CallAttempt, CallOutcome, Order, OrderStatus
from ..selectors import order_qs_for_update
from .transitions import order_transition

CALLING_ROLES = frozenset({Role.CUSTOMER_REP, Role.MANAGER, Role.ADMIN})
# Calls are made while the order waits for confirmation; after that the call log is closed.
CALLABLE_STATUSES = frozenset({OrderStatus.NEW, OrderStatus.CONFIRMATION_PENDING})


def max_unanswered_calls() -> int:
    return int(getattr(settings, "MAX_UNANSWERED_CALLS", 3))


def auto_assign_enabled() -> bool:
    """Whether new orders are spread over the reps (settings.AUTO_ASSIGN_REPS, default on)."""
    return bool(getattr(settings, "AUTO_ASSIGN_REPS", True))


def record_call(
    *,
    order_id: UUID | str,
    rep: User,
    outcome: str,
    notes: str = "",
    callback_at: datetime | None = None,
    reason: str = "",
) -> CallAttempt:
    """Log one confirmation call and apply what its outcome means for the order.

    Preconditions: none; the service opens its own transaction and locks the order. The order must
    be new or confirmation_pending, and `rep` a customer rep (own or unassigned orders only; an
    unassigned order becomes theirs), a manager or an admin. Raises ValidationFailed (bad input),
    PermissionDenied, DomainError (order not awaiting confirmation). Nothing is written on error.
    """
    notes, reason = (notes or "").strip(), (reason or "").strip()
    _check_input(outcome=outcome, callback_at=callback_at, reason=reason)
    _check_caller(rep)
    with transaction.atomic():
        order = order_qs_for_update().filter(pk=order_id).first()
        if order is None:
            raise DomainError("This order does not exist.", code="not_found")
        _check_order(order, rep)
        if order.assigned_rep_id is None and rep.role == Role.CUSTOMER_REP:
            order.assigned_rep = rep
            order.save(update_fields=["assigned_rep"])
        attempt = CallAttempt.objects.create(
            order=order,
            rep=rep,
            outcome=outcome,
            callback_at=callback_at if outcome == CallOutcome.CALL_BACK else None,
            reason=reason or None,
            notes=notes or None,
        )
        _OUTCOMES[outcome](order, rep, attempt)
        record_activity(
            actor=rep,
            action="call_recorded",
            entity_type="order",
            entity_id=order.pk,
            extra={"outcome": outcome, "call_attempt_id": attempt.pk, "reason": reason or None},
        )
    return attempt


def _check_input(*, outcome: str, callback_at: datetime | None, reason: str) -> None:
    if outcome not in CallOutcome.values:
        raise ValidationFailed.single("outcome", "Choose the outcome of the call.")
    if outcome == CallOutcome.CALL_BACK:
        if callback_at is None:
            raise ValidationFailed.single("callback_at", "Say when to call the customer back.")
        if callback_at <= timezone.now():
            raise ValidationFailed.single("callback_at", "The callback time must be in the future.")
    if outcome == CallOutcome.REFUSED and not reason:
        raise ValidationFailed.single("reason", "Say why the customer refused the order.")


def _check_caller(rep: User) -> None:
    if not rep.is_active:
        raise PermissionDenied("This account is deactivated.")
    if rep.role not in CALLING_ROLES:
        raise PermissionDenied("Only customer reps, managers and admins record confirmation calls.")


def _check_order(order: Order, rep: User) -> None:
    """Caller holds the order's row lock, so the status read here is the one the call acts on."""
    # Checked before ownership: when two people race on the same order, the loser learns that it
    # was already handled rather than that it belongs to someone else now.
    if order.status not in CALLABLE_STATUSES:
        raise DomainError(
            f"Order {order.order_number} is {OrderStatus(order.status).label.lower()}; "
            "calls are only recorded while it awaits confirmation.",
            code="invalid_transition",
        )
    if rep.role == Role.CUSTOMER_REP and order.assigned_rep_id not in (None, rep.pk):
        raise PermissionDenied(f"Order {order.order_number} is assigned to another rep.")


# --- What each outcome does (caller holds the order's row lock) --------------------------------
def _confirmed(order: Order, rep: User, attempt: CallAttempt) -> None:
    order_transition(
        order_id=order.pk, to_status=OrderStatus.CONFIRMED, actor=rep, note=_call_note(rep, "confirmed", attempt)
    )


def _unanswered(order: Order, rep: User, attempt: CallAttempt) -> None:
    """No answer or a wrong number: count it, and give up after the configured number of calls."""
    order.unanswered_calls += 1
    # The callback (if any) was honoured by this call; leaving it due would pin the order on top.
    order.callback_at = None
    order.save(update_fields=["unanswered_calls", "callback_at"])
    limit = max_unanswered_calls()
    if order.unanswered_calls >= limit:
        order_transition(
            order_id=order.pk,
            to_status=OrderStatus.CANCELLED,
            actor=None,  # the rule cancels, not the rep who made the last call
            reason=f"No answer after {order.unanswered_calls} calls",
            note=_call_note(rep, "last call", attempt),
        )
    else:
        _move_to_pending(order, rep, attempt)


def _call_back(order: Order, rep: User, attempt: CallAttempt) -> None:
    order.callback_at = attempt.callback_at
    order.save(update_fields=["callback_at"])
    _move_to_pending(order, rep, attempt)


def _refused(order: Order, rep: User, attempt: CallAttempt) -> None:
    order_transition(
        order_id=order.pk,
        to_status=OrderStatus.CANCELLED,
        actor=rep,
        reason=attempt.reason or "",
        note=_call_note(rep, "refused", attempt),
    )
    # A refusal counts against the customer's risk band (see customers.refused_orders).
    customer_count_refusal(customer_id=order.customer_id)


def _duplicate(order: Order, rep: User, attempt: CallAttempt) -> None:
    if order.duplicate_of_id is not None:
        original = Order.objects.only("order_number").get(pk=order.duplicate_of_id)
        reason = f"Duplicate of {original.order_number}"
    elif attempt.reason:
        reason = attempt.reason
    else:
        raise ValidationFailed.single("reason", "Say which order this one duplicates.")
    order_transition(
        order_id=order.pk,
        to_status=OrderStatus.CANCELLED,
        actor=rep,
        reason=reason,
        note=_call_note(rep, "duplicate", attempt),
    )


def _move_to_pending(order: Order, rep: User, attempt: CallAttempt) -> None:
    if order.status == OrderStatus.NEW:
        order_transition(
            order_id=order.pk,
            to_status=OrderStatus.CONFIRMATION_PENDING,
            actor=rep,
            note=_call_note(rep, CallOutcome(attempt.outcome).label.lower(), attempt),
        )


def _call_note(rep: User, what: str, attempt: CallAttempt) -> str:
    note = f"Call by {rep.full_name}: {what}"
    return f"{note} ({attempt.notes})" if attempt.notes else note


_OUTCOMES: dict[str, Callable[[Order, User, CallAttempt], None]] = {
    CallOutcome.CONFIRMED: _confirmed,
    CallOutcome.NO_ANSWER: _unanswered,
    CallOutcome.WRONG_NUMBER: _unanswered,
    CallOutcome.CALL_BACK: _call_back,
    CallOutcome.REFUSED: _refused,
    CallOutcome.DUPLICATE: _duplicate,
}


# --- Spreading new orders over the reps ---------------------------------------------------------
def assign_rep_round_robin(*, order_id: UUID | str) -> User | None:
    """Give an order without a rep to the next rep in turn; returns the order's rep (None if none).

    Candidates are the active customer reps not offline, or every active rep when all are offline,
    taken in id order. The turn comes from the rep_round_robin_seq sequence: nextval() never blocks
    and never hands out the same number twice, so concurrent intakes spread evenly without a lock on
    a shared counter. The order row is locked, so an order never gets two reps. Safe to run twice.
    """
    with transaction.atomic():
        order = order_qs_for_update().only("id", "order_number", "assigned_rep_id").get(pk=order_id)
        if order.assigned_rep_id is not None:
            return User.objects.get(pk=order.assigned_rep_id)
        reps = _round_robin_candidates()
        if not reps:
            return None
        rep = reps[_next_turn() % len(reps)]
        order.assigned_rep = rep
        order.save(update_fields=["assigned_rep"])
        record_activity(
            actor=None,
            action="order_assigned",
            entity_type="order",
            entity_id=order.pk,
            changes={"assigned_rep_id": {"old": None, "new": rep.pk}},
            extra={"rule": "round_robin"},
        )
        notify(
            users=[rep],
            type=NotificationType.ORDER,
            title=f"New order {order.order_number} to confirm",
            data={
                "order_id": str(order.pk),
                "order_number": order.order_number,
                "action": "assigned",
                "link": f"/orders/{order.pk}/",
            },
        )
    return rep


def _round_robin_candidates() -> list[User]:
    reps = active_users_with_roles([Role.CUSTOMER_REP]).order_by("id")
    available = list(reps.exclude(availability_status=Availability.OFFLINE))
    return available or list(reps)


def _next_turn() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('rep_round_robin_seq')")
        return cursor.fetchone()[0]
