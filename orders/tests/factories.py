from decimal import Decimal

import factory

from catalog.tests.factories import ProductFactory
from customers.tests.factories import CustomerFactory
from orders.models import Order


class OrderFactory(factory.django.DjangoModelFactory):
    """An order with one line item. Writes the row directly: for tests of the schema itself."""

    class Meta:
        model = Order

    customer = factory.SubFactory(CustomerFactory)
    subtotal = Decimal("199.00")
    delivery_fee = Decimal("30.00")
    total_amount = Decimal("229.00")
    delivery_area = factory.SelfAttribute("customer.area")
    delivery_address = factory.SelfAttribute("customer.address")

    @factory.lazy_attribute
    def items(self):
        product = ProductFactory()
        return [
            {
                "product_id": str(product.id),
                "variant_id": None,
                "sku": product.sku,
                "name": product.name,
                "quantity": 1,
                "unit_price": "199.00",
                "total": "199.00",
                "notes": None,
            }
        ]
