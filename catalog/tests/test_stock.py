"""The stock rules: variants, all-or-nothing takes, adjustments, the ledger and the low-stock alert."""

import pytest
from django.db import IntegrityError, transaction

from accounts.models import Notification
from accounts.tests.factories import AdminFactory, ManagerFactory, RepFactory
from catalog.models import StockMovement, StockReason
from catalog.services import InsufficientStock, StockLine, adjust_stock, put_back_stock, take_stock
from catalog.tests.factories import ProductFactory
from common.errors import ValidationFailed
from orders.models import OrderStatus as S
from orders.services.transitions import order_transition
from orders.tests.factories import OrderFactory, item_for

pytestmark = pytest.mark.django_db


def variant_product(**kwargs):
    return ProductFactory(
        stock_quantity=8,
        variants=[
            {"id": "var-a", "name": "Red", "sku": "TS-RED", "price": 99.0, "stock": 3, "attributes": {"c": "red"}},
            {"id": "var-b", "name": "Blue", "sku": "TS-BLUE", "price": 99.0, "stock": 5, "attributes": {"c": "blue"}},
        ],
        **kwargs,
    )


def variant_stock(product) -> dict[str, int]:
    product.refresh_from_db()
    return {v["id"]: v["stock"] for v in product.variants}


def line(product, quantity, variant_id=None, index=0) -> StockLine:
    return StockLine(product_id=product.pk, quantity=quantity, variant_id=variant_id, field=f"items.{index}")


# --- Variants ---------------------------------------------------------------------------------


def test_taking_a_variant_lowers_the_variant_and_the_product_total_with_a_ledger_row():
    product = variant_product()
    rep = RepFactory()
    (movement,) = take_stock(lines=[line(product, 2, "var-a")], reason=StockReason.RESERVE, actor=rep)
    assert variant_stock(product) == {"var-a": 1, "var-b": 5}
    assert product.stock_quantity == 6
    row = StockMovement.objects.get(pk=movement.pk)
    assert (row.variant_id, row.quantity_delta, row.stock_after, row.variant_stock_after, row.actor) == (
        "var-a",
        -2,
        6,
        1,
        rep,
    )


def test_a_variant_short_of_stock_is_refused_even_when_the_product_total_would_suffice():
    product = variant_product()
    take_stock(lines=[line(product, 2, "var-a")], reason=StockReason.RESERVE, actor=None)
    with pytest.raises(InsufficientStock) as error:
        take_stock(lines=[line(product, 2, "var-a")], reason=StockReason.RESERVE, actor=None)
    assert list(error.value.errors) == ["items.0"]
    assert "Only 1" in error.value.errors["items.0"][0] and "Red" in error.value.errors["items.0"][0]
    assert variant_stock(product) == {"var-a": 1, "var-b": 5}
    assert product.stock_quantity == 6
    assert StockMovement.objects.count() == 1


def test_an_unknown_variant_is_refused_clearly():
    product = variant_product()
    with pytest.raises(InsufficientStock) as error:
        take_stock(lines=[line(product, 1, "var-zzz", index=3)], reason=StockReason.RESERVE, actor=None)
    assert error.value.errors == {"items.3": [f"{product.name} has no variant var-zzz."]}
    assert variant_stock(product) == {"var-a": 3, "var-b": 5}
    assert product.stock_quantity == 8
    assert not StockMovement.objects.exists()


def test_putting_a_variant_back_restores_the_variant_and_the_product_total():
    product = variant_product()
    take_stock(lines=[line(product, 2, "var-a")], reason=StockReason.RESERVE, actor=None)
    (movement,) = put_back_stock(lines=[line(product, 2, "var-a")], reason=StockReason.RELEASE, actor=None)
    assert variant_stock(product) == {"var-a": 3, "var-b": 5}
    assert product.stock_quantity == 8
    assert (movement.quantity_delta, movement.stock_after, movement.variant_stock_after) == (2, 8, 3)


def test_confirming_and_cancelling_an_order_for_a_variant_moves_the_variant():
    product = variant_product()
    rep = RepFactory()
    order = OrderFactory(items=[item_for(product, quantity=2, variant_id="var-b")])
    order_transition(order_id=order.pk, to_status=S.CONFIRMED, actor=rep)
    assert variant_stock(product) == {"var-a": 3, "var-b": 3}
    assert product.stock_quantity == 6
    order_transition(order_id=order.pk, to_status=S.CANCELLED, actor=rep, reason="Customer cancelled")
    assert variant_stock(product) == {"var-a": 3, "var-b": 5}
    assert product.stock_quantity == 8
    assert sorted(StockMovement.objects.filter(order=order).values_list("variant_id", "quantity_delta")) == [
        ("var-b", -2),
        ("var-b", 2),
    ]


# --- Lines of one order -----------------------------------------------------------------------


def test_an_order_is_taken_all_or_nothing():
    plenty = ProductFactory(stock_quantity=10)
    scarce = ProductFactory(stock_quantity=1)
    with pytest.raises(InsufficientStock) as error:
        take_stock(lines=[line(plenty, 3, index=0), line(scarce, 2, index=1)], reason=StockReason.RESERVE, actor=None)
    assert list(error.value.errors) == ["items.1"]
    plenty.refresh_from_db()
    scarce.refresh_from_db()
    assert (plenty.stock_quantity, scarce.stock_quantity) == (10, 1)
    assert not StockMovement.objects.exists()


def test_an_order_whose_second_line_lacks_stock_is_not_confirmed_and_takes_nothing():
    plenty = ProductFactory(stock_quantity=10)
    scarce = ProductFactory(stock_quantity=1)
    order = OrderFactory(items=[item_for(plenty, quantity=3), item_for(scarce, quantity=2)])
    with pytest.raises(InsufficientStock) as error:
        order_transition(order_id=order.pk, to_status=S.CONFIRMED, actor=RepFactory())
    assert list(error.value.errors) == ["items.1"]
    plenty.refresh_from_db()
    order.refresh_from_db()
    assert (plenty.stock_quantity, order.status, order.stock_reserved) == (10, S.NEW, False)
    assert not StockMovement.objects.exists()


def test_the_same_product_on_two_lines_is_summed():
    product = ProductFactory(stock_quantity=5, low_stock_threshold=0)
    movements = take_stock(
        lines=[line(product, 2, index=0), line(product, 3, index=1)], reason=StockReason.RESERVE, actor=None
    )
    product.refresh_from_db()
    assert product.stock_quantity == 0
    assert [(m.quantity_delta, m.stock_after) for m in movements] == [(-2, 3), (-3, 0)]
    # One INSERT, yet the rows keep their order in time, so the ledger replays in order.
    rows = list(StockMovement.objects.filter(product=product).order_by("created_at"))
    assert [(m.quantity_delta, m.stock_after) for m in rows] == [(-2, 3), (-3, 0)]
    assert rows[0].created_at < rows[1].created_at


def test_the_same_product_on_two_lines_is_refused_when_together_they_exceed_the_stock():
    product = ProductFactory(stock_quantity=4)
    with pytest.raises(InsufficientStock) as error:
        take_stock(lines=[line(product, 2, index=0), line(product, 3, index=1)], reason=StockReason.RESERVE, actor=None)
    # Each line alone would fit: the second is refused because the first already took its share.
    assert list(error.value.errors) == ["items.1"]
    product.refresh_from_db()
    assert product.stock_quantity == 4
    assert not StockMovement.objects.exists()


def test_the_same_variant_on_two_lines_is_summed():
    product = variant_product()
    with pytest.raises(InsufficientStock):
        take_stock(
            lines=[line(product, 2, "var-a", 0), line(product, 2, "var-a", 1)], reason=StockReason.RESERVE, actor=None
        )
    take_stock(
        lines=[line(product, 1, "var-a", 0), line(product, 2, "var-a", 1)], reason=StockReason.RESERVE, actor=None
    )
    assert variant_stock(product) == {"var-a": 0, "var-b": 5}
    assert product.stock_quantity == 5


def test_a_negative_quantity_is_refused_rather_than_adding_stock():
    product = ProductFactory(stock_quantity=5)
    with pytest.raises(ValidationFailed) as error:
        take_stock(lines=[line(product, -3)], reason=StockReason.RESERVE, actor=None)
    assert list(error.value.errors) == ["items.0"]
    product.refresh_from_db()
    assert product.stock_quantity == 5


def test_a_line_naming_no_real_product_is_refused_clearly():
    with pytest.raises(ValidationFailed) as error:
        take_stock(
            lines=[StockLine(product_id="not-a-uuid", quantity=1, field="items.0")],
            reason=StockReason.RESERVE,
            actor=None,
        )
    assert error.value.errors == {"items.0": ["This product does not exist."]}


# --- Adjustments ------------------------------------------------------------------------------


def test_a_restock_writes_a_restock_row_with_its_note():
    product = ProductFactory(stock_quantity=4)
    manager = ManagerFactory()
    movement = adjust_stock(product_id=product.pk, variant_id=None, delta=10, actor=manager, note="Supplier delivery")
    product.refresh_from_db()
    assert product.stock_quantity == 14
    row = StockMovement.objects.get(pk=movement.pk)
    assert (row.reason, row.quantity_delta, row.stock_after, row.note, row.actor, row.order_id) == (
        StockReason.RESTOCK,
        10,
        14,
        "Supplier delivery",
        manager,
        None,
    )


def test_a_correction_writes_an_adjustment_row():
    product = ProductFactory(stock_quantity=20)
    movement = adjust_stock(product_id=product.pk, variant_id=None, delta=-3, actor=ManagerFactory(), note="Counted")
    product.refresh_from_db()
    assert product.stock_quantity == 17
    assert (movement.reason, movement.quantity_delta, movement.stock_after) == (StockReason.ADJUSTMENT, -3, 17)


def test_a_variant_can_be_restocked():
    product = variant_product()
    movement = adjust_stock(product_id=product.pk, variant_id="var-b", delta=4, actor=ManagerFactory(), note="Found")
    assert variant_stock(product) == {"var-a": 3, "var-b": 9}
    assert product.stock_quantity == 12
    assert (movement.variant_id, movement.variant_stock_after, movement.stock_after) == ("var-b", 9, 12)


@pytest.mark.parametrize("note", ["", "   "])
def test_an_adjustment_needs_a_note(note):
    product = ProductFactory(stock_quantity=20)
    with pytest.raises(ValidationFailed) as error:
        adjust_stock(product_id=product.pk, variant_id=None, delta=5, actor=ManagerFactory(), note=note)
    assert "note" in error.value.errors
    product.refresh_from_db()
    assert product.stock_quantity == 20
    assert not StockMovement.objects.exists()


def test_an_adjustment_of_nothing_is_refused_clearly():
    product = ProductFactory(stock_quantity=20)
    with pytest.raises(ValidationFailed) as error:
        adjust_stock(product_id=product.pk, variant_id=None, delta=0, actor=ManagerFactory(), note="Counted")
    assert "quantity" in error.value.errors
    assert not StockMovement.objects.exists()


def test_a_correction_below_zero_is_refused():
    product = ProductFactory(stock_quantity=2)
    with pytest.raises(InsufficientStock) as error:
        adjust_stock(product_id=product.pk, variant_id=None, delta=-3, actor=ManagerFactory(), note="Counted")
    assert "quantity" in error.value.errors
    product.refresh_from_db()
    assert product.stock_quantity == 2
    assert not StockMovement.objects.exists()


# --- The ledger explains the stock ------------------------------------------------------------


def test_the_ledger_explains_the_stock(raw_sql):
    product = ProductFactory(stock_quantity=10, low_stock_threshold=0)
    other = ProductFactory(stock_quantity=50)
    initial = product.stock_quantity
    rep, manager = RepFactory(), ManagerFactory()
    confirmed = OrderFactory(items=[item_for(product, quantity=2), item_for(other, quantity=1)])
    cancelled = OrderFactory(items=[item_for(product, quantity=3)])
    returned = OrderFactory(items=[item_for(product, quantity=1)])
    for order in (confirmed, cancelled, returned):
        order_transition(order_id=order.pk, to_status=S.CONFIRMED, actor=rep)
    order_transition(order_id=cancelled.pk, to_status=S.CANCELLED, actor=rep, reason="Changed their mind")
    raw_sql("UPDATE orders SET status = 'delivered' WHERE id = %s", [returned.pk])
    order_transition(order_id=returned.pk, to_status=S.RETURNED, actor=manager, reason="Wrong size")
    adjust_stock(product_id=product.pk, variant_id=None, delta=7, actor=manager, note="Delivery")
    adjust_stock(product_id=product.pk, variant_id=None, delta=-4, actor=manager, note="Broken in the warehouse")
    take_stock(lines=[line(product, 5)], reason=StockReason.RESERVE, actor=None)

    product.refresh_from_db()
    assert product.stock_quantity == initial - 2 - 3 + 3 - 1 + 1 + 7 - 4 - 5 == 6
    ((total,),) = raw_sql("SELECT sum(quantity_delta) FROM stock_movements WHERE product_id = %s", [product.pk])
    assert product.stock_quantity == initial + total
    rows = raw_sql(
        "SELECT reason, quantity_delta, stock_after,"
        "       %s + sum(quantity_delta) OVER (ORDER BY created_at ROWS UNBOUNDED PRECEDING)"
        "  FROM stock_movements WHERE product_id = %s ORDER BY created_at",
        [initial, product.pk],
    )
    assert [(reason, delta) for reason, delta, _, _ in rows] == [
        ("reserve", -2),
        ("reserve", -3),
        ("reserve", -1),
        ("release", 3),
        ("return", 1),
        ("restock", 7),
        ("adjustment", -4),
        ("reserve", -5),
    ]
    assert all(stock_after == running for _, _, stock_after, running in rows)
    assert rows[-1][2] == product.stock_quantity


def test_every_movement_of_an_order_names_the_order_and_the_actor():
    product = ProductFactory(stock_quantity=10)
    rep = RepFactory()
    order = OrderFactory(items=[item_for(product, quantity=2)])
    order_transition(order_id=order.pk, to_status=S.CONFIRMED, actor=rep)
    order_transition(order_id=order.pk, to_status=S.CANCELLED, actor=rep, reason="Duplicate")
    rows = StockMovement.objects.filter(product=product).order_by("created_at")
    assert [(m.reason, m.order_id, m.actor_id, m.created_at is not None) for m in rows] == [
        ("reserve", order.pk, rep.pk, True),
        ("release", order.pk, rep.pk, True),
    ]
    assert rows[1].note == "Duplicate"


# --- The database refuses what the services never do ------------------------------------------


def test_the_database_refuses_a_movement_leaving_negative_stock(raw_sql):
    product = ProductFactory(stock_quantity=0)
    with pytest.raises(IntegrityError, match="stock_movements_stock_after_non_negative"), transaction.atomic():
        raw_sql(
            "INSERT INTO stock_movements (product_id, quantity_delta, stock_after, reason) "
            "VALUES (%s, -1, -1, 'adjustment')",
            [product.pk],
        )


def test_the_database_refuses_an_empty_movement_or_an_unknown_reason(raw_sql):
    product = ProductFactory(stock_quantity=5)
    for values, constraint in (
        ("0, 5, 'adjustment'", "stock_movements_delta_not_zero"),
        ("1, 6, 'gift'", "stock_movements_reason_valid"),
    ):
        with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
            raw_sql(
                f"INSERT INTO stock_movements (product_id, quantity_delta, stock_after, reason) VALUES (%s, {values})",
                [product.pk],
            )


def test_the_database_refuses_negative_product_stock(raw_sql):
    product = ProductFactory(stock_quantity=1)
    with pytest.raises(IntegrityError, match="products_stock_non_negative"), transaction.atomic():
        raw_sql("UPDATE products SET stock_quantity = stock_quantity - 2 WHERE id = %s", [product.pk])


# --- Low-stock alert --------------------------------------------------------------------------


def low_stock_alerts(user):
    return Notification.objects.filter(user=user, data__action="low_stock")


def test_managers_hear_once_when_stock_crosses_the_threshold_and_again_after_a_restock():
    manager, admin, rep = ManagerFactory(), AdminFactory(), RepFactory()
    ManagerFactory(is_active=False)
    product = ProductFactory(stock_quantity=12, low_stock_threshold=10)

    take_stock(lines=[line(product, 1)], reason=StockReason.RESERVE, actor=rep)  # 11: above
    assert not Notification.objects.exists()
    take_stock(lines=[line(product, 1)], reason=StockReason.RESERVE, actor=rep)  # 10: crosses
    assert low_stock_alerts(manager).count() == low_stock_alerts(admin).count() == 1
    assert Notification.objects.count() == 2  # not the rep, not the deactivated manager
    alert = low_stock_alerts(manager).get()
    assert product.sku in alert.message and alert.data["product_id"] == str(product.pk)
    take_stock(lines=[line(product, 3)], reason=StockReason.RESERVE, actor=rep)  # 7: already low
    put_back_stock(lines=[line(product, 1)], reason=StockReason.RELEASE, actor=rep)  # 8: still low
    take_stock(lines=[line(product, 1)], reason=StockReason.RESERVE, actor=rep)  # 7: still low
    assert Notification.objects.count() == 2

    adjust_stock(product_id=product.pk, variant_id=None, delta=20, actor=manager, note="Delivery")  # 27
    assert Notification.objects.count() == 2
    take_stock(lines=[line(product, 17)], reason=StockReason.RESERVE, actor=rep)  # 10: crosses again
    assert low_stock_alerts(manager).count() == low_stock_alerts(admin).count() == 2


def test_a_correction_that_crosses_the_threshold_alerts_too():
    manager = ManagerFactory()
    product = ProductFactory(stock_quantity=15, low_stock_threshold=10)
    adjust_stock(product_id=product.pk, variant_id=None, delta=-6, actor=manager, note="Stolen")
    assert low_stock_alerts(manager).count() == 1


def test_a_refused_take_sends_no_alert():
    manager = ManagerFactory()
    product = ProductFactory(stock_quantity=11, low_stock_threshold=10)
    scarce = ProductFactory(stock_quantity=0)
    with pytest.raises(InsufficientStock):
        take_stock(lines=[line(product, 2, index=0), line(scarce, 1, index=1)], reason=StockReason.RESERVE, actor=None)
    assert not low_stock_alerts(manager).exists()
