"""The small tables around the orders: expenses, notifications, activity, workflow runs, webhook logs.

They are written once the orders exist, and point at real ones, so every link in the demo opens.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal

from accounts.models import ActivityLog, Notification, NotificationType, Role, User
from automation.models import ExecutionStatus, Workflow, WorkflowExecution
from customers.models import Customer
from finance.models import Expense
from integrations.models import Webhook, WebhookLog
from orders.models import Order, OrderStatus

# Monthly pay by role (MAD); agents also get fuel money every week.
SALARIES = {Role.MANAGER: 9000, Role.CUSTOMER_REP: 4500, Role.DELIVERY_AGENT: 3800, Role.ACCOUNTANT: 7000}


def _mad(value: float) -> Decimal:
    return Decimal(str(round(value, 2)))


def create_expenses(rng: random.Random, users: dict[str, User], orders: int, now: datetime, days: int) -> int:
    """Daily ads, weekly fuel and packaging, monthly salaries and rent, in proportion to the volume."""
    accountant = next(user for user in users.values() if user.role == Role.ACCOUNTANT)
    per_day = max(orders / days, 1.0)
    rows = []

    def add(day: date, category: str, amount: float, text: str) -> None:
        moment = datetime.combine(day, datetime.min.time(), tzinfo=now.tzinfo) + timedelta(hours=rng.uniform(9, 18))
        rows.append(
            Expense(
                category=category, amount=_mad(amount), description=text, date=day, recorded_by_user=accountant,
                receipt_url=f"https://cdn.demo.cod/receipts/{day:%Y%m%d}-{category}-{len(rows)}.pdf",
                created_at=min(moment, now),
            )
        )  # fmt: skip

    for offset in range(days - 1, -1, -1):
        day = now.date() - timedelta(days=offset)
        add(day, "ads", per_day * rng.uniform(15, 30), "Facebook & Instagram ads")
        if day.weekday() == 0:
            add(day, "packaging", per_day * 7 * rng.uniform(3, 6), "Boxes, bubble wrap and tape")
            for user in users.values():
                if user.role == Role.DELIVERY_AGENT:
                    add(day, "fuel", rng.uniform(250, 450), f"Fuel - {user.full_name}")
        if day.day == 1:
            add(day, "rent", 6000, "Warehouse rent - Sidi Maarouf")
            for user in users.values():
                if user.role in SALARIES:
                    add(day, "salaries", SALARIES[user.role], f"Salary - {user.full_name}")
    Expense.objects.bulk_create(rows)
    return len(rows)


def _order_data(order: Order, action: str, old: str | None = None) -> dict:
    return {
        "order_id": str(order.id),
        "order_number": order.order_number,
        "action": action,
        "old_status": old,
        "new_status": order.status,
        "link": f"/orders/{order.id}",
    }


def create_notifications(rng: random.Random, users: dict[str, User], now: datetime) -> int:
    """A few per user, the older ones read. Everyone has at least one unread."""
    recent = list(Order.objects.order_by("-created_at").only("id", "order_number", "status", "assigned_agent_id")[:60])
    rows = []
    for user in users.values():
        if user.role == Role.DELIVERY_AGENT:
            mine = [order for order in recent if order.assigned_agent_id == user.id] or recent
            picks = [(NotificationType.DELIVERY, "New delivery assigned", order) for order in mine[:3]]
        elif user.role == Role.ACCOUNTANT:
            picks = [(NotificationType.ALERT, "Cash handover pending", order) for order in recent[:2]]
        else:
            picks = [
                (NotificationType.ORDER, "New order to confirm", order)
                for order in rng.sample(recent, min(3, len(recent)))
            ]
            picks.append((NotificationType.WORKFLOW, "Customer tagged VIP", None))
        picks.append((NotificationType.SYSTEM, "Welcome to the COD dashboard", None))
        for age, (kind, title, order) in enumerate(reversed(picks)):
            rows.append(
                Notification(
                    user=user, type=kind, title=title,
                    message=f"{title}: {order.order_number}" if order else title,
                    data=_order_data(order, "status_changed") if order else {},
                    is_read=age > 1, created_at=now - timedelta(hours=age * rng.uniform(2, 20) + 0.1),
                )
            )  # fmt: skip
    Notification.objects.bulk_create(rows)
    return len(rows)


def create_activity(rng: random.Random, users: dict[str, User], now: datetime) -> int:
    staff = list(users.values())
    orders = list(
        Order.objects.exclude(status=OrderStatus.NEW)
        .select_related("assigned_agent", "assigned_rep")
        .order_by("-updated_at")[:12]
    )
    rows = []
    for index, user in enumerate(staff[:8]):
        rows.append(
            ActivityLog(
                user=user, action="user_login", entity_type="user", entity_id=user.id,
                details={"action": "user_login", "user_agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64)"},
                ip_address=f"105.{rng.randint(64, 159)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
                created_at=now - timedelta(minutes=15 + index * 37),
            )
        )  # fmt: skip
    for order in orders:
        actor = order.assigned_agent or order.assigned_rep or staff[0]
        change = {"status": {"old": None, "new": order.status}}
        rows.append(
            ActivityLog(
                user=actor, action="order_status_changed", entity_type="order", entity_id=order.id,
                details={"action": "order_status_changed", "changes": change, "user_agent": "COD mobile/2.4"},
                ip_address=f"196.{rng.randint(64, 127)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
                created_at=order.updated_at,
            )
        )  # fmt: skip
    ActivityLog.objects.bulk_create(rows)
    return len(rows)


def create_workflow_runs(rng: random.Random, workflows: dict[str, Workflow], now: datetime) -> int:
    """Runs of the VIP workflow for the VIP customers, one of them failed on the SMS step."""
    vip_flow = workflows["VIP tag after 10 delivered orders"]
    runs = []
    for index, customer in enumerate(Customer.objects.filter(tags__contains=[{"id": "vip"}]).order_by("id")[:10]):
        started = now - timedelta(hours=rng.uniform(1, 24 * 30))
        failed = index == 0
        steps = [{"step_id": "step-1", "status": "completed", "output": {"tag_added": True}}]
        steps.append({"step_id": "step-2", "status": "failed" if failed else "completed", "output": {}})
        error = {"step_id": "step-2", "error": "SMS delivery failed", "error_code": "SMS_DELIVERY_FAILED"}
        runs.append(
            WorkflowExecution(
                workflow=vip_flow, customer=customer, steps_completed=steps, error_log=[error] if failed else [],
                status=ExecutionStatus.FAILED if failed else ExecutionStatus.COMPLETED,
                started_at=started, completed_at=started + timedelta(seconds=rng.uniform(1, 6)),
            )
        )  # fmt: skip
    WorkflowExecution.objects.bulk_create(runs)
    return len(runs)


def create_webhook_logs(webhooks: dict[str, Webhook]) -> int:
    """The requests behind the latest webhook orders, plus one rejected payload."""
    by_source = {webhook.source: webhook for webhook in webhooks.values()}
    logs = []
    for order in Order.objects.filter(source="webhook").select_related("customer").order_by("-created_at")[:10]:
        payload = {
            "order_number": order.order_number,
            "total_price": str(order.total_amount),
            "subtotal_price": str(order.subtotal),
            "currency": "MAD",
            "customer": {"first_name": order.customer.full_name, "phone": order.customer.phone},
            "shipping_address": {"address1": order.delivery_address, "city": order.customer.city},
            "line_items": [{"title": item["name"], "sku": item["sku"], "quantity": item["quantity"],
                            "price": item["unit_price"]} for item in order.items],
        }  # fmt: skip
        logs.append(
            WebhookLog(
                webhook=by_source.get(order.webhook_source), request_payload=payload, response_status=201,
                order_created=order, created_at=order.created_at,
            )
        )  # fmt: skip
    if logs:
        logs.append(
            WebhookLog(
                webhook=logs[0].webhook, request_payload={"order_number": "1042", "customer": {"phone": ""}},
                response_status=422, error_message="Missing customer phone number", created_at=logs[0].created_at,
            )
        )  # fmt: skip
    WebhookLog.objects.bulk_create(logs)
    return len(logs)
