from decimal import Decimal

import factory

from catalog.tests.factories import ProductFactory
from customers.tests.factories import CustomerFactory
from orders.models import Order


def item_for(product, *, quantity: int = 1, variant_id=None, unit_price: Decimal | None = None) -> dict:
    """An order line in the schema's items shape."""
    price = unit_price if unit_price is not None else product.price
    return {
        "product_id": str(product.id),
        "variant_id": variant_id,
        "sku": product.sku,
        "name": product.name,
        "quantity": quantity,
        "unit_price": str(price),
        "total": str(price * quantity),
        "notes": None,
    }


class OrderFactory(factory.django.DjangoModelFactory):
    """An order with one line item. Writes the row directly: for tests of the schema itself."""

    class Meta:
        model = Order

    customer = factory.SubFactory(CustomerFactory)
    delivery_fee = Decimal("30.00")
    delivery_area = factory.SelfAttribute("customer.area")
    delivery_address = factory.SelfAttribute("customer.address")

    @factory.lazy_attribute
    def items(self):
        return [item_for(ProductFactory(price=Decimal("199.00")))]

    # Totals follow the items, as the intake service computes them.
    @factory.lazy_attribute
    def subtotal(self):
        return sum((Decimal(str(item["total"])) for item in self.items), Decimal("0.00"))

    @factory.lazy_attribute
    def total_amount(self):
        return self.subtotal + self.delivery_fee
