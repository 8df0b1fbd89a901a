"""Every write service leaves an activity row; the log is append-only, even for admins and raw SQL."""

from decimal import Decimal

import pytest
from django.db import DatabaseError, transaction
from django.test import RequestFactory

from accounts.audit import record_activity
from accounts.models import ActivityLog
from accounts.tests.factories import AdminFactory, ManagerFactory, RepFactory
from catalog.services import adjust_stock
from catalog.tests.factories import ProductFactory
from common.request_context import RequestContextMiddleware
from customers.services import customer_set_blacklist, customer_set_tags
from customers.tests.factories import CustomerFactory
from orders.services.calls import record_call
from orders.services.duplicates import duplicate_keep
from orders.services.intake import CustomerInput, ItemInput, OrderInput, order_create
from orders.services.transitions import order_transition
from orders.tests.factories import OrderFactory

pytestmark = pytest.mark.django_db


def last_activity():
    return ActivityLog.objects.order_by("-created_at").first()


def test_the_log_refuses_updates_and_deletes_from_anyone(raw_sql):
    entry = record_activity(actor=AdminFactory(), action="test", entity_type="order", entity_id=None)
    for sql in (
        "UPDATE activity_logs SET action = 'edited' WHERE id = %s",
        "UPDATE activity_logs SET details = '{}' WHERE id = %s",
        "DELETE FROM activity_logs WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            raw_sql(sql, [entry.pk])
    assert ActivityLog.objects.get(pk=entry.pk).action == "test"


def test_deleting_a_user_keeps_their_entries_without_the_link(raw_sql):
    user = RepFactory()
    entry = record_activity(actor=user, action="test", entity_type="order", entity_id=None)
    raw_sql("DELETE FROM users WHERE id = %s", [user.pk])
    entry.refresh_from_db()
    assert entry.user_id is None and entry.action == "test"


def test_secrets_never_reach_the_log():
    entry = record_activity(
        actor=None,
        action="webhook_updated",
        entity_type="webhook",
        entity_id=None,
        changes={"secret_key": {"old": "a", "new": "b"}, "name": {"old": "x", "new": "y"}},
        extra={"api_key": "sk_live_123"},
    )
    assert entry.details["changes"]["secret_key"] == "[hidden]"
    assert entry.details["api_key"] == "[hidden]"
    assert entry.details["changes"]["name"] == {"old": "x", "new": "y"}


def test_ip_address_and_user_agent_come_from_the_request():
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="Mozilla/5.0 (Android)")
    middleware = RequestContextMiddleware(
        lambda req: record_activity(actor=None, action="test", entity_type="order", entity_id=None)
    )
    entry = middleware(request)
    assert entry.ip_address == "203.0.113.9"
    assert entry.details["user_agent"] == "Mozilla/5.0 (Android)"


def test_a_trusted_proxys_forwarded_address_is_used(settings):
    settings.TRUSTED_PROXY_HOPS = 1
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")
    entry = RequestContextMiddleware(
        lambda req: record_activity(actor=None, action="t", entity_type="order", entity_id=None)
    )(request)
    assert entry.ip_address == "198.51.100.7"


def _create_order(settings):
    settings.AUTO_ASSIGN_REPS = False
    ProductFactory(sku="P1", price=Decimal("10.00"))
    data = OrderInput(
        source="manual",
        customer=CustomerInput(phone="0612345678", full_name="A", address="B"),
        items=[ItemInput(sku="P1", quantity=1)],
    )
    return order_create(data=data, actor=RepFactory()).order


WRITES = {
    "order_created": lambda s: _create_order(s),
    "order_status_changed": lambda s: order_transition(
        order_id=OrderFactory().pk, to_status="confirmed", actor=RepFactory()
    ),
    "call_recorded": lambda s: record_call(order_id=OrderFactory().pk, rep=ManagerFactory(), outcome="no_answer"),
    "duplicate_kept": lambda s: duplicate_keep(
        order_id=OrderFactory(is_possible_duplicate=True).pk, actor=RepFactory()
    ),
    "stock_adjusted": lambda s: adjust_stock(
        product_id=ProductFactory().pk, variant_id=None, delta=5, actor=ManagerFactory(), note="Delivery from supplier"
    ),
    "customer_blacklisted": lambda s: customer_set_blacklist(
        customer_id=CustomerFactory().pk, blacklisted=True, reason="Fraud", actor=ManagerFactory()
    ),
    "customer_tags_changed": lambda s: customer_set_tags(
        customer_id=CustomerFactory().pk, tags=[{"id": "vip"}], actor=ManagerFactory()
    ),
}


@pytest.mark.parametrize("action", list(WRITES))
def test_each_write_service_records_its_activity(settings, action):
    WRITES[action](settings)
    entry = ActivityLog.objects.filter(action=action).get()
    assert entry.entity_id is not None
    assert entry.details["action"] == action


def test_a_status_change_records_old_and_new_values():
    rep = RepFactory()
    order = OrderFactory()
    order_transition(order_id=order.pk, to_status="confirmed", actor=rep)
    entry = ActivityLog.objects.get(action="order_status_changed")
    assert entry.user == rep
    assert entry.entity_type == "order" and entry.entity_id == order.pk
    assert entry.details["changes"]["status"] == {"old": "new", "new": "confirmed"}
    assert entry.details["changes"]["stock_reserved"] == {"old": False, "new": True}


def test_a_refused_write_leaves_no_activity():
    order = OrderFactory()
    with pytest.raises(Exception):  # noqa: B017 - any refusal; the point is what is left behind
        order_transition(order_id=order.pk, to_status="delivered", actor=RepFactory())
    assert not ActivityLog.objects.exists()
