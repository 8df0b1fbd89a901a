"""The delivery agent's actions on an order: pick up, deliver with proof, fail an attempt, report a position.

Every action is keyword-only, atomic, locks the order row (orders.selectors.order_qs_for_update)
before it reads what it decides on, and records activity in the same transaction. Status moves go
through orders.services.transitions.order_transition (the only writer of orders.status; it stamps
delivered_at, collects COD payment and returns stock on a return).

Once only (`client_token`): the agent's form is rendered with a random token. The token of the last
action on an attempt is kept in deliveries.client_token (the pickup's, then the delivery's or the
failure's). An action whose token is already on a row returns that row's result with
`already_recorded=True` and changes nothing; the check is made again under the order's lock, so two
concurrent requests with one token have one effect. Picking up an order that is already out with
the same agent is also answered as "already recorded" (a reload followed by a second tap).

Proof files: the photo (JPEG, PNG or WebP) and the signature (PNG, at most 200 KB, not blank) are
checked by content (common.uploads) and stored in the private storage as
`proofs/<delivery id hex>/<yyyy>/<mm>/<random>.<ext>`. The delivery row and both proof JSONs keep
their URL, `/files/<name>` (reverse("private_file")): the only way a browser gets a proof back,
guarded by logistics.proofs.can_view_proof. Files are stored before the transaction (nothing slow
under the lock) and deleted again if it fails or the token turns out to be a replay.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.audit import record_activity
from accounts.models import User
from common.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from common.request_context import current_request
from common.uploads import IMAGE_TYPES, PNG, UploadRejected, private_storage, save_private_upload, validate_upload
from customers.services import customer_count_refusal
from orders.models import Order, OrderStatus
from orders.selectors import order_qs_for_update
from orders.services.transitions import order_transition

from ..models import Delivery, DeliveryOutcome, FailureReason
from .delivery_rules import (
    MAX_NOTE_LENGTH,
    RECIPIENT_RELATIONS,
    SIGNATURE_MAX_BYTES,
    clean_cash,
    clean_gps,
    clean_token,
    route_with,
    signature_problem,
)

PROOF_FOLDER = "proofs"


@dataclass(frozen=True)
class ActionResult:
    delivery: Delivery
    order: Order
    already_recorded: bool = False  # the token had been used: this is the first result, nothing changed


# --- Pick up ----------------------------------------------------------------------------------------


def pickup(*, order_id, agent: User, client_token: str) -> ActionResult:
    """The assigned agent takes a ready order: it goes out for delivery and a new attempt starts."""
    token = clean_token(client_token)
    with transaction.atomic():
        order = _lock_order(order_id, agent)
        if earlier := _replayed(token, order=order, agent=agent, outcome=DeliveryOutcome.IN_PROGRESS):
            return ActionResult(earlier, order, already_recorded=True)
        if order.status == OrderStatus.OUT_FOR_DELIVERY and (current := _open_attempt(order, agent)):
            return ActionResult(current, order, already_recorded=True)
        if order.status != OrderStatus.READY_FOR_PICKUP:
            raise DomainError(
                f"Order {order.order_number} is {_label(order)}: only orders ready for pickup can be picked up."
            )
        previous = Delivery.objects.filter(order=order).count()
        order = order_transition(order_id=order.pk, to_status=OrderStatus.OUT_FOR_DELIVERY, actor=agent)
        delivery = Delivery.objects.create(
            order=order, agent=agent, pickup_time=timezone.now(), attempt_number=previous + 1,
            outcome=DeliveryOutcome.IN_PROGRESS, client_token=token,
        )  # fmt: skip
        record_activity(
            actor=agent, action="delivery_picked_up", entity_type="delivery", entity_id=delivery.pk,
            extra={"order_id": order.pk, "order_number": order.order_number, "attempt_number": delivery.attempt_number},
        )  # fmt: skip
    return ActionResult(delivery, order)


# --- Deliver ------------------------------------------------------------------------------------------


def deliver(
    *,
    order_id,
    agent: User,
    client_token: str,
    photo,
    signature_png: bytes,
    recipient_name: str,
    recipient_relation: str,
    cash_collected: Decimal | None,
    latitude: float | Decimal | str | None = None,
    longitude: float | Decimal | str | None = None,
    note: str = "",
) -> ActionResult:
    """The recipient signed and paid: store the proof, end the attempt as delivered, deliver the order.

    Cash different from the order's total needs a note and is flagged in the activity log for the
    accountant. Bad input raises ValidationFailed with every field's errors, and nothing is written.
    """
    token = clean_token(client_token)
    if earlier := _replayed(token, order=None, order_id=order_id, agent=agent, outcome=DeliveryOutcome.DELIVERED):
        return ActionResult(earlier, earlier.order, already_recorded=True)
    attempt = _deliverable_attempt(order_id, agent)  # unlocked look first: no files for an order we would refuse
    proof = _clean_proof(
        total=attempt.order.total_amount, photo=photo, signature_png=signature_png, recipient_name=recipient_name,
        recipient_relation=recipient_relation, cash_collected=cash_collected, latitude=latitude,
        longitude=longitude, note=note,
    )  # fmt: skip
    stored = _store_proof_files(attempt, photo, signature_png)
    try:
        with transaction.atomic():
            order = _lock_order(order_id, agent)
            if earlier := _replayed(token, order=order, agent=agent, outcome=DeliveryOutcome.DELIVERED):
                result = ActionResult(earlier, order, already_recorded=True)
            else:
                result = _record_delivery(order, agent, token, attempt.pk, proof, stored)
    except BaseException:
        _delete_files(stored)
        raise
    if result.already_recorded:  # a concurrent request with the same token won: ours are unused
        _delete_files(stored)
    return result


def _deliverable_attempt(order_id, agent: User) -> Delivery:
    attempt = (
        Delivery.objects.select_related("order")
        .filter(order_id=order_id, agent=agent, outcome=DeliveryOutcome.IN_PROGRESS)
        .first()
    )
    if attempt is None or attempt.order.status != OrderStatus.OUT_FOR_DELIVERY:
        order = Order.objects.filter(pk=order_id).first()
        if order is None or order.assigned_agent_id != agent.pk:
            raise PermissionDenied("This order is not assigned to you.")
        raise DomainError(f"Order {order.order_number} is {_label(order)}: it is not on its way with you.")
    return attempt


def _clean_proof(*, total: Decimal, photo, signature_png, recipient_name, recipient_relation, cash_collected,
                 latitude, longitude, note) -> dict:  # fmt: skip
    """Every field's errors at once (ValidationFailed), or the cleaned values."""
    errors: dict[str, list[str]] = {}
    note = (note or "").strip()
    name = (recipient_name or "").strip()
    if photo is None:
        errors["photo"] = ["Take a photo of the parcel with the recipient."]
    else:
        try:
            validate_upload(photo, allowed=IMAGE_TYPES)
        except UploadRejected as exc:
            errors["photo"] = list(exc.messages)
    if problem := signature_problem(signature_png):
        errors["signature_png"] = [problem]
    if not name:
        errors["recipient_name"] = ["Write the name of the person who received the parcel."]
    elif len(name) > 255:
        errors["recipient_name"] = ["Keep the name under 255 characters."]
    if recipient_relation not in RECIPIENT_RELATIONS:
        errors["recipient_relation"] = ["Choose who received the parcel."]
    cash = clean_cash(cash_collected, total=total, note=note, errors=errors)
    gps = clean_gps(latitude, longitude, errors=errors, required=False)
    if len(note) > MAX_NOTE_LENGTH:
        errors["note"] = [f"Keep the note under {MAX_NOTE_LENGTH} characters."]
    if errors:
        raise ValidationFailed(errors)
    return {"recipient_name": name, "recipient_relation": recipient_relation, "cash": cash, "gps": gps, "note": note}


def _store_proof_files(attempt: Delivery, photo, signature_png: bytes) -> list[str]:
    folder = f"{PROOF_FOLDER}/{attempt.pk.hex}"
    stored: list[str] = []
    try:
        stored.append(save_private_upload(photo, folder=folder, allowed=IMAGE_TYPES).name)
        signature = save_private_upload(ContentFile(signature_png), folder=folder, allowed={PNG},
                                        max_bytes=SIGNATURE_MAX_BYTES)  # fmt: skip
        stored.append(signature.name)
    except BaseException:
        _delete_files(stored)
        raise
    return stored


def _delete_files(names: list[str]) -> None:
    storage = private_storage()
    for name in names:
        storage.delete(name)


def _record_delivery(order: Order, agent: User, token: str, attempt_id, proof: dict, stored: list[str]) -> ActionResult:
    """Caller holds the order's row lock."""
    if order.status != OrderStatus.OUT_FOR_DELIVERY:
        raise DomainError(f"Order {order.order_number} is {_label(order)}: it is not on its way with you.")
    attempt = _open_attempt(order, agent)
    if attempt is None or attempt.pk != attempt_id:
        raise Conflict("This delivery attempt changed meanwhile: reload the page.")
    mismatch = proof["cash"] != order.total_amount
    if mismatch and not proof["note"]:  # the total was read before the lock: check again
        raise ValidationFailed.single(
            "cash_collected", f"This is not the order's total ({order.total_amount}): say why in the note."
        )
    now = timezone.now()
    photo_url, signature_url = (reverse("private_file", args=[name]) for name in stored)
    stamp = now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    attempt.proof_of_delivery = {
        "method": "signature", "signature_url": signature_url, "photo_url": photo_url,
        "recipient_name": proof["recipient_name"], "recipient_relation": proof["recipient_relation"],
        "gps_location": proof["gps"], "timestamp": stamp, "device_id": _device_id(),
    }  # fmt: skip
    attempt.delivery_time = attempt.ended_at = now
    attempt.outcome = DeliveryOutcome.DELIVERED
    attempt.photo_url, attempt.signature_url = photo_url, signature_url
    attempt.cash_collected = proof["cash"]
    attempt.client_token = token
    attempt.save(update_fields=["proof_of_delivery", "delivery_time", "ended_at", "outcome", "photo_url",
                                "signature_url", "cash_collected", "client_token"])  # fmt: skip
    # orders has no service for its delivery_proof column; it is written here, under the order's
    # row lock, as the one place that produces a proof (see the module docstring).
    order.delivery_proof = {"signature_url": signature_url, "photo_url": photo_url, "gps_location": proof["gps"],
                            "timestamp": stamp, "notes": proof["note"] or None}  # fmt: skip
    order.save(update_fields=["delivery_proof"])
    order = order_transition(order_id=order.pk, to_status=OrderStatus.DELIVERED, actor=agent, note=proof["note"])
    record_activity(
        actor=agent, action="delivery_delivered", entity_type="delivery", entity_id=attempt.pk,
        changes={"outcome": {"old": DeliveryOutcome.IN_PROGRESS, "new": DeliveryOutcome.DELIVERED}},
        extra={"order_id": order.pk, "order_number": order.order_number, "cash_collected": proof["cash"]},
    )  # fmt: skip
    if mismatch:  # for the accountant's reconciliation
        record_activity(
            actor=agent, action="delivery_cash_mismatch", entity_type="order", entity_id=order.pk,
            changes={"cash_collected": {"old": order.total_amount, "new": proof["cash"]}},
            extra={"order_number": order.order_number, "expected": order.total_amount, "collected": proof["cash"],
                   "difference": proof["cash"] - order.total_amount, "note": proof["note"], "delivery_id": attempt.pk},
        )  # fmt: skip
    return ActionResult(attempt, order)


def _device_id() -> str | None:
    """A stable, anonymous id of the agent's browser: a hash of its user agent."""
    request = current_request()
    if request is None or not request.user_agent:
        return None
    return "ua-" + hashlib.sha256(request.user_agent.encode()).hexdigest()[:16]


# --- Failed attempt -----------------------------------------------------------------------------------


def fail_attempt(
    *, order_id, agent: User, client_token: str, reason: str, note: str = "", postponed_to: date | None = None
) -> ActionResult:
    """The attempt failed: a refusal returns the order at once (and counts a refusal against the
    customer); the MAX_DELIVERY_ATTEMPTS-th failure returns it; otherwise it goes back on the shelf,
    still assigned to the agent, with the reason in its history."""
    token = clean_token(client_token)
    note = (note or "").strip()
    with transaction.atomic():
        order = _lock_order(order_id, agent)
        if earlier := _replayed(token, order=order, agent=agent, outcome=DeliveryOutcome.FAILED):
            return ActionResult(earlier, order, already_recorded=True)
        _check_failure(reason, note, postponed_to)
        attempt = _open_attempt(order, agent) if order.status == OrderStatus.OUT_FOR_DELIVERY else None
        if attempt is None:
            raise DomainError(f"Order {order.order_number} is {_label(order)}: it is not on its way with you.")
        attempt.outcome = DeliveryOutcome.FAILED
        attempt.failure_reason, attempt.failure_note = reason, note or None
        attempt.postponed_to = postponed_to if reason == FailureReason.POSTPONED else None
        attempt.ended_at = timezone.now()
        attempt.client_token = token
        attempt.save(update_fields=["outcome", "failure_reason", "failure_note", "postponed_to", "ended_at",
                                    "client_token"])  # fmt: skip
        order = _after_failure(order, agent, attempt, note)
        record_activity(
            actor=agent, action="delivery_failed", entity_type="delivery", entity_id=attempt.pk,
            changes={"outcome": {"old": DeliveryOutcome.IN_PROGRESS, "new": DeliveryOutcome.FAILED}},
            extra={"order_id": order.pk, "order_number": order.order_number, "attempt_number": attempt.attempt_number,
                   "reason": reason, "note": note or None, "postponed_to": attempt.postponed_to,
                   "order_status": order.status},
        )  # fmt: skip
    return ActionResult(attempt, order)


def _check_failure(reason: str, note: str, postponed_to: date | None) -> None:
    errors: dict[str, list[str]] = {}
    if reason not in FailureReason.values:
        errors["reason"] = ["Choose what happened."]
    elif reason == FailureReason.OTHER and not note:
        errors["note"] = ["Say what happened."]
    elif reason == FailureReason.POSTPONED and (postponed_to is None or postponed_to <= timezone.localdate()):
        errors["postponed_to"] = ["Choose the date the customer asked for (after today)."]
    if len(note) > MAX_NOTE_LENGTH:
        errors["note"] = [f"Keep the note under {MAX_NOTE_LENGTH} characters."]
    if errors:
        raise ValidationFailed(errors)


def _after_failure(order: Order, agent: User, attempt: Delivery, note: str) -> Order:
    """Move the order where a failed attempt leaves it. Caller holds the order's row lock."""
    label = FailureReason(attempt.failure_reason).label
    if attempt.failure_reason == FailureReason.REFUSED:
        order = order_transition(
            order_id=order.pk, to_status=OrderStatus.RETURNED, actor=agent, reason=label, note=note
        )
        customer_count_refusal(customer_id=order.customer_id)
        return order
    failed = Delivery.objects.filter(order=order, outcome=DeliveryOutcome.FAILED).count()
    if failed >= settings.MAX_DELIVERY_ATTEMPTS:
        return order_transition(
            order_id=order.pk, to_status=OrderStatus.RETURNED, actor=agent,
            reason=f"{failed} failed delivery attempts", note=f"Last attempt: {label}" + (f"; {note}" if note else ""),
        )  # fmt: skip
    parts = [f"Failed attempt {attempt.attempt_number}: {label}"]
    if attempt.postponed_to:
        parts.append(f"postponed to {attempt.postponed_to:%Y-%m-%d}")
    if note:
        parts.append(note)
    return order_transition(
        order_id=order.pk, to_status=OrderStatus.READY_FOR_PICKUP, actor=agent, note="; ".join(parts)
    )


# --- Positions ----------------------------------------------------------------------------------------


def record_position(*, agent: User, latitude, longitude, at: datetime | None = None) -> int:
    """Append a waypoint to the route of each attempt the agent has on the way; returns how many.

    Best effort: a point older than the route's last one is ignored, and routes keep their last
    MAX_WAYPOINTS points (the distance keeps counting). Not written to the activity log: a phone
    reports every minute, which would drown the log; the route itself is the record.
    """
    errors: dict[str, list[str]] = {}
    gps = clean_gps(latitude, longitude, errors=errors, required=True)
    if errors:
        raise ValidationFailed(errors)
    at = at or timezone.now()
    updated = 0
    with transaction.atomic():
        attempts = Delivery.objects.select_for_update().filter(agent=agent, outcome=DeliveryOutcome.IN_PROGRESS)
        for attempt in attempts.order_by("pk"):
            route = route_with(attempt.route_data, gps, at, attempt.pickup_time)
            if route is not None:
                attempt.route_data = route
                attempt.save(update_fields=["route_data"])
                updated += 1
    return updated


# --- Shared -------------------------------------------------------------------------------------------


def _lock_order(order_id, agent: User) -> Order:
    order = order_qs_for_update().filter(pk=order_id).first()
    if order is None or order.assigned_agent_id != agent.pk:
        raise PermissionDenied("This order is not assigned to you.")
    return order


def _open_attempt(order: Order, agent: User) -> Delivery | None:
    """The agent's attempt on the way for this order, locked. Caller holds the order's row lock."""
    return (
        Delivery.objects.select_for_update()
        .filter(order=order, agent=agent, outcome=DeliveryOutcome.IN_PROGRESS)
        .first()
    )


def _replayed(token: str, *, order: Order | None, agent: User, outcome: str, order_id=None) -> Delivery | None:
    """The attempt this token already acted on (its first result), or None.

    A token found on another order, agent or kind of action is refused: tokens are random and
    server-made, so that is a tampered or mixed-up form.
    """
    delivery = Delivery.objects.select_related("order").filter(client_token=token).first()
    if delivery is None:
        return None
    expected_order = str(order.pk if order is not None else order_id)
    if str(delivery.order_id) != expected_order or delivery.agent_id != agent.pk or delivery.outcome != outcome:
        raise Conflict("This form was already used for something else: reload the page.")
    return delivery


def _label(order: Order) -> str:
    return OrderStatus(order.status).label.lower()
