"""A rep keeps or merges a possible duplicate; nothing is dropped silently."""

from decimal import Decimal

import pytest

from accounts.tests.factories import AccountantFactory, RepFactory
from catalog.tests.factories import ProductFactory
from common.errors import DomainError, PermissionDenied
from orders.models import Order, OrderStatus
from orders.services.duplicates import duplicate_keep, duplicate_merge
from orders.services.intake import CustomerInput, ItemInput, OrderInput, order_create
from orders.services.transitions import order_transition

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def settings_for_intake(settings):
    settings.AUTO_ASSIGN_REPS = False
    settings.DEFAULT_DELIVERY_FEE = "30.00"


def place(*skus):
    data = OrderInput(
        source="manual",
        customer=CustomerInput(phone="0611223344", full_name="Youssef", address="5 Bd Zerktouni"),
        items=[ItemInput(sku=sku, quantity=1) for sku in skus],
    )
    return order_create(data=data, actor=None).order


@pytest.fixture
def products():
    return ProductFactory(sku="A", price=Decimal("100.00")), ProductFactory(sku="B", price=Decimal("50.00"))


def test_keeping_clears_the_flag_and_keeps_both_orders(products):
    place("A")
    duplicate = place("A")
    kept = duplicate_keep(order_id=duplicate.pk, actor=RepFactory())
    assert not kept.is_possible_duplicate
    assert Order.objects.exclude(status=OrderStatus.CANCELLED).count() == 2


def test_merging_cancels_the_duplicate_and_adds_its_new_items_to_the_original(products):
    original = place("A")
    duplicate = place("A", "B")
    merged = duplicate_merge(order_id=duplicate.pk, actor=RepFactory())
    duplicate.refresh_from_db()
    assert merged.pk == original.pk
    assert [item["sku"] for item in merged.items] == ["A", "B"]
    assert (merged.subtotal, merged.total_amount) == (Decimal("150.00"), Decimal("180.00"))
    assert duplicate.status == OrderStatus.CANCELLED
    assert duplicate.history.last().notes.startswith(f"Duplicate of {original.order_number}")


def test_merging_into_an_order_that_holds_stock_is_refused_when_items_would_be_added(products):
    original = place("A")
    duplicate = place("A", "B")
    order_transition(order_id=original.pk, to_status=OrderStatus.CONFIRMED, actor=RepFactory())
    with pytest.raises(DomainError, match="cannot take new items"):
        duplicate_merge(order_id=duplicate.pk, actor=RepFactory())
    duplicate.refresh_from_db()
    assert duplicate.status == OrderStatus.NEW and duplicate.is_possible_duplicate


def test_only_reps_and_managers_decide(products):
    place("A")
    duplicate = place("A")
    with pytest.raises(PermissionDenied):
        duplicate_keep(order_id=duplicate.pk, actor=AccountantFactory())


def test_an_order_that_is_not_flagged_cannot_be_merged(products):
    with pytest.raises(DomainError):
        duplicate_merge(order_id=place("A").pk, actor=RepFactory())
