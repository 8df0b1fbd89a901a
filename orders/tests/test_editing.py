"""Editing items and address before dispatch: re-pricing to the cent, stock deltas, refusals, audit."""

from decimal import Decimal

import pytest

from accounts.models import ActivityLog
from accounts.tests.factories import AccountantFactory, AgentFactory, ManagerFactory, RepFactory
from catalog.models import StockMovement, StockReason
from catalog.services import InsufficientStock
from catalog.tests.factories import ProductFactory
from common.errors import DomainError, PermissionDenied, ValidationFailed
from orders.models import DeliveryArea, Order
from orders.models import OrderStatus as S
from orders.services.editing import order_update_items, quote_edit
from orders.services.pricing import ItemInput
from orders.services.transitions import order_transition
from orders.tests.factories import OrderFactory, item_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fees(settings):
    settings.DEFAULT_DELIVERY_FEE = "30.00"
    DeliveryArea.objects.create(name="Maarif", delivery_fee=Decimal("25.00"))
    DeliveryArea.objects.create(name="Ain Sebaa", delivery_fee=Decimal("40.50"))


@pytest.fixture
def manager():
    return ManagerFactory()


@pytest.fixture
def serum():
    return ProductFactory(sku="ARG-50", name="Argan Oil Serum", price=Decimal("149.99"), stock_quantity=10)


@pytest.fixture
def soap():
    return ProductFactory(sku="SOAP", name="Black Soap", price=Decimal("33.33"), stock_quantity=10)


@pytest.fixture
def shirt():
    return ProductFactory(
        sku="TS",
        name="T-shirt",
        price=Decimal("99.00"),
        stock_quantity=8,
        variants=[
            {"id": "var-a", "name": "Red", "sku": "TS-RED", "price": 109.5, "stock": 3},
            {"id": "var-b", "name": "Blue", "sku": "TS-BLUE", "price": 99.0, "stock": 5},
        ],
    )


def order_with(*lines, **fields) -> Order:
    items = [item_for(product, quantity=qty, variant_id=variant) for product, qty, variant in lines]
    for item, (product, _, variant) in zip(items, lines, strict=True):
        if variant:
            chosen = next(v for v in product.variants if v["id"] == variant)
            item["sku"] = chosen["sku"]
            item["unit_price"] = str(Decimal(str(chosen["price"])).quantize(Decimal("0.01")))
    subtotal = sum((Decimal(i["unit_price"]) * i["quantity"] for i in items), Decimal("0"))
    values = {"subtotal": subtotal, "delivery_fee": Decimal("25.00"), "total_amount": subtotal + Decimal("25.00")}
    values.update(fields)
    return OrderFactory(items=items, delivery_area="Maarif", delivery_address="1 Rue X", **values)


def reserved(order: Order, manager) -> Order:
    """Confirm through the status machine, which takes the order's stock."""
    order_transition(order_id=order.pk, to_status=S.CONFIRMED, actor=manager)
    order.refresh_from_db()
    assert order.stock_reserved
    return order


def edit(order, items, *, actor, address="1 Rue X", area="Maarif") -> Order:
    return order_update_items(order_id=order.pk, items=items, delivery_address=address, delivery_area=area, actor=actor)


def stock(product) -> int:
    product.refresh_from_db()
    return product.stock_quantity


def variant_stock(product) -> dict[str, int]:
    product.refresh_from_db()
    return {v["id"]: v["stock"] for v in product.variants}


# --- Totals --------------------------------------------------------------------------------------
def test_totals_are_recomputed_to_the_cent_from_the_catalog(manager, serum, soap):
    order = order_with((serum, 1, None))
    edited = edit(order, [ItemInput(sku="ARG-50", quantity=3), ItemInput(sku="SOAP", quantity=7)], actor=manager)
    # 3 x 149.99 = 449.97; 7 x 33.33 = 233.31; + Maarif 25.00
    assert (edited.subtotal, edited.delivery_fee, edited.total_amount) == (
        Decimal("683.28"),
        Decimal("25.00"),
        Decimal("708.28"),
    )
    edited.refresh_from_db()
    assert [(i["sku"], i["quantity"], i["unit_price"], i["total"]) for i in edited.items] == [
        ("ARG-50", 3, "149.99", "449.97"),
        ("SOAP", 7, "33.33", "233.31"),
    ]


def test_a_new_area_changes_the_fee_and_the_address_is_saved(manager, serum):
    order = order_with((serum, 1, None))
    edited = edit(
        order, [ItemInput(sku="ARG-50", quantity=1)], actor=manager, address=" 9 Bd Zerktouni ", area="ain sebaa"
    )
    edited.refresh_from_db()
    assert (edited.delivery_address, edited.delivery_area) == ("9 Bd Zerktouni", "ain sebaa")
    assert (edited.delivery_fee, edited.total_amount) == (Decimal("40.50"), Decimal("190.49"))


def test_imported_orders_keep_recorded_prices_of_kept_lines_and_their_fee(manager, serum, soap):
    order = order_with((serum, 1, None), prices_from_source=True, delivery_fee=Decimal("19.90"))
    items = order.items
    items[0]["unit_price"], items[0]["total"] = "120.00", "120.00"
    Order.objects.filter(pk=order.pk).update(items=items)
    edited = edit(
        order, [ItemInput(sku="ARG-50", quantity=2), ItemInput(sku="SOAP", quantity=1)], actor=manager, area="Ain Sebaa"
    )
    # The kept serum keeps the store's 120.00; the new soap line takes the catalog's 33.33.
    assert [(i["sku"], i["unit_price"], i["total"]) for i in edited.items] == [
        ("ARG-50", "120.00", "240.00"),
        ("SOAP", "33.33", "33.33"),
    ]
    assert (edited.subtotal, edited.delivery_fee, edited.total_amount) == (
        Decimal("273.33"),
        Decimal("19.90"),
        Decimal("293.23"),
    )


def test_the_preview_prices_like_the_save(manager, serum, soap):
    order = order_with((serum, 1, None))
    quote = quote_edit(order=order, items=[ItemInput(sku="SOAP", quantity=3)], delivery_area="Ain Sebaa")
    assert (quote.subtotal, quote.delivery_fee, quote.total_amount, quote.errors) == (
        Decimal("99.99"),
        Decimal("40.50"),
        Decimal("140.49"),
        {},
    )


def test_line_errors_come_back_by_row_and_nothing_is_written(manager, serum):
    order = order_with((serum, 1, None))
    with pytest.raises(ValidationFailed) as error:
        edit(order, [ItemInput(sku="ARG-50", quantity=1), ItemInput(sku="NOPE", quantity=0)], actor=manager, address="")
    assert set(error.value.errors) == {"items.1.quantity", "items.1.sku", "delivery_address"}
    order.refresh_from_db()
    assert (order.items[0]["quantity"], order.delivery_address) == (1, "1 Rue X")
    assert not ActivityLog.objects.filter(action="order_items_changed").exists()


# --- Stock -----------------------------------------------------------------------------------------
def test_more_of_a_line_takes_the_difference_from_stock(manager, serum):
    order = reserved(order_with((serum, 2, None)), manager)
    assert stock(serum) == 8
    edit(order, [ItemInput(sku="ARG-50", quantity=5)], actor=manager)
    assert stock(serum) == 5
    movement = StockMovement.objects.filter(order=order).order_by("-created_at").first()
    assert (movement.quantity_delta, movement.reason, movement.actor) == (-3, StockReason.RESERVE, manager)


def test_fewer_and_removed_lines_go_back_to_stock(manager, serum, soap):
    order = reserved(order_with((serum, 4, None), (soap, 2, None)), manager)
    assert (stock(serum), stock(soap)) == (6, 8)
    edit(order, [ItemInput(sku="ARG-50", quantity=1)], actor=manager)
    assert (stock(serum), stock(soap)) == (9, 10)
    released = StockMovement.objects.filter(order=order, reason=StockReason.RELEASE)
    assert sorted(released.values_list("quantity_delta", flat=True)) == [2, 3]


def test_a_new_line_is_taken_from_stock(manager, serum, soap):
    order = reserved(order_with((serum, 1, None)), manager)
    edit(order, [ItemInput(sku="ARG-50", quantity=1), ItemInput(sku="SOAP", quantity=4)], actor=manager)
    assert (stock(serum), stock(soap)) == (9, 6)


def test_switching_variant_puts_one_back_and_takes_the_other(manager, shirt):
    order = reserved(order_with((shirt, 2, "var-a")), manager)
    assert variant_stock(shirt) == {"var-a": 1, "var-b": 5}
    edit(order, [ItemInput(sku="TS-BLUE", quantity=3)], actor=manager)
    assert variant_stock(shirt) == {"var-a": 3, "var-b": 2}
    assert shirt.stock_quantity == 5
    order.refresh_from_db()
    assert (order.items[0]["variant_id"], order.items[0]["unit_price"]) == ("var-b", "99.00")


def test_unreserved_orders_move_no_stock(manager, serum):
    order = order_with((serum, 1, None))
    edit(order, [ItemInput(sku="ARG-50", quantity=9)], actor=manager)
    assert stock(serum) == 10
    assert not StockMovement.objects.exists()


def test_not_enough_stock_refuses_the_edit_and_writes_nothing(manager, serum, soap):
    order = reserved(order_with((serum, 2, None), (soap, 5, None)), manager)
    before = (stock(serum), stock(soap), StockMovement.objects.count())
    with pytest.raises(InsufficientStock) as error:
        # Fewer soap (would go back) and far more serum than the 8 left.
        edit(order, [ItemInput(sku="SOAP", quantity=1), ItemInput(sku="ARG-50", quantity=20)], actor=manager)
    assert list(error.value.errors) == ["items.1"]
    assert (stock(serum), stock(soap), StockMovement.objects.count()) == before
    order.refresh_from_db()
    assert [(i["sku"], i["quantity"]) for i in order.items] == [("ARG-50", 2), ("SOAP", 5)]
    assert not ActivityLog.objects.filter(action="order_items_changed").exists()


# --- Who and when ----------------------------------------------------------------------------------
@pytest.mark.parametrize("status", [S.READY_FOR_PICKUP, S.OUT_FOR_DELIVERY, S.DELIVERED, S.CANCELLED])
def test_orders_that_left_the_warehouse_cannot_be_edited(manager, serum, status):
    order = order_with((serum, 1, None), status=status)
    with pytest.raises(DomainError, match="can only change until it is ready for pickup"):
        edit(order, [ItemInput(sku="ARG-50", quantity=2)], actor=manager)
    order.refresh_from_db()
    assert order.items[0]["quantity"] == 1


@pytest.mark.parametrize("status", [S.NEW, S.CONFIRMATION_PENDING, S.BEING_PREPARED])
def test_orders_still_in_the_warehouse_can_be_edited(manager, serum, status):
    order = order_with((serum, 1, None), status=status)
    assert edit(order, [ItemInput(sku="ARG-50", quantity=2)], actor=manager).items[0]["quantity"] == 2


@pytest.mark.parametrize("factory", [AgentFactory, AccountantFactory])
def test_agents_and_accountants_may_not_edit(serum, factory):
    order = order_with((serum, 1, None))
    with pytest.raises(PermissionDenied):
        edit(order, [ItemInput(sku="ARG-50", quantity=2)], actor=factory())
    order.refresh_from_db()
    assert order.items[0]["quantity"] == 1


def test_a_rep_edits_their_own_order_but_not_another_reps(serum):
    mine, other = RepFactory(), RepFactory()
    order = order_with((serum, 1, None), assigned_rep=mine)
    with pytest.raises(PermissionDenied):
        edit(order, [ItemInput(sku="ARG-50", quantity=2)], actor=other)
    assert edit(order, [ItemInput(sku="ARG-50", quantity=2)], actor=mine).items[0]["quantity"] == 2


def test_the_change_is_in_the_activity_log_old_to_new(manager, serum, soap):
    order = order_with((serum, 1, None))
    edit(order, [ItemInput(sku="SOAP", quantity=2)], actor=manager, area="Ain Sebaa")
    row = ActivityLog.objects.get(action="order_items_changed", entity_id=order.pk)
    changes = row.details["changes"]
    assert row.user == manager
    assert changes["items"] == {"old": "1 x ARG-50 @ 149.99", "new": "2 x SOAP @ 33.33"}
    assert changes["total_amount"] == {"old": "174.99", "new": "107.16"}
    assert changes["delivery_area"] == {"old": "Maarif", "new": "Ain Sebaa"}


def test_an_edit_that_changes_nothing_writes_nothing(manager, serum):
    order = order_with((serum, 1, None), subtotal=Decimal("149.99"), total_amount=Decimal("174.99"))
    edit(order, [ItemInput(sku="ARG-50", quantity=1)], actor=manager)
    assert not ActivityLog.objects.filter(action="order_items_changed").exists()
