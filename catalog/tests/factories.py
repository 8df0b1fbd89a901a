from decimal import Decimal

import factory

from catalog.models import Product


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"Product {n}")
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    category = "General"
    price = Decimal("199.00")
    cost_price = Decimal("90.00")
    stock_quantity = 100
    low_stock_threshold = 10
