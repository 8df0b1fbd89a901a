"""Bulk actions on selected orders: each order goes through its own service call and transaction,
so one refusal never blocks the others, and the user sees a result per order."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.http import QueryDict

from accounts import policy
from common.errors import DomainError

from .models import Order, OrderStatus
from .services.assignment import order_assign
from .services.transitions import order_transition

BULK_LIMIT = 500
ACTIONS = ("move", "assign_agent", "assign_rep", "export_csv", "export_xlsx")


@dataclass
class BulkResults:
    action: str = ""
    done: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (order number, why)
    error: str = ""
    redirect_to_export: str = ""


def run_bulk_action(*, user, data: QueryDict) -> BulkResults:
    action = data.get("action", "")
    results = BulkResults(action=action)
    ids = _valid_ids(data.getlist("id"))
    if action not in ACTIONS:
        results.error = "Choose an action."
        return results
    if not ids:
        results.error = "Select at least one order."
        return results
    if len(ids) > BULK_LIMIT:
        results.error = f"Select at most {BULK_LIMIT} orders at a time."
        return results
    if action.startswith("export_"):
        query = QueryDict(mutable=True)
        query.setlist("id", ids)
        query["format"] = "xlsx" if action == "export_xlsx" else "csv"
        results.redirect_to_export = query.urlencode()
        return results
    # Only orders this user may see take part; others are reported as not found.
    visible = {
        str(o.pk): o for o in policy.scope(user, "orders", Order.objects.filter(pk__in=ids)).only("id", "order_number")
    }
    for order_id in ids:
        order = visible.get(order_id)
        if order is None:
            results.failed.append((order_id[:8], "not found"))
            continue
        try:
            _apply(action, order, user, data)
        except DomainError as exc:
            results.failed.append((order.order_number, exc.text() if hasattr(exc, "text") else exc.message))
        except (ValueError, TypeError):
            results.failed.append((order.order_number, "invalid choice"))
        else:
            results.done.append(order.order_number)
    return results


def _apply(action: str, order: Order, user, data: QueryDict) -> None:
    if action == "move":
        to_status = data.get("to_status", "")
        if to_status not in OrderStatus.values:
            raise DomainError("Choose a status.")
        order_transition(order_id=order.pk, to_status=to_status, actor=user, reason=data.get("reason", ""))
    elif action == "assign_agent":
        order_assign(order_id=order.pk, actor=user, agent_id=data.get("agent") or None)
    elif action == "assign_rep":
        order_assign(order_id=order.pk, actor=user, rep_id=data.get("rep") or None)


def _valid_ids(raw: list[str]) -> list[str]:
    ids = []
    for value in raw:
        try:
            ids.append(str(uuid.UUID(value)))
        except ValueError:
            continue
    return list(dict.fromkeys(ids))
