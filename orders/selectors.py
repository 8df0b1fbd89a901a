"""Reads of orders, and the row-lock helpers the services use."""

from django.db.models import QuerySet

from .models import Order


def order_qs_for_update() -> QuerySet[Order]:
    """Orders locked FOR UPDATE (no joins: the lock must not spread to customers or users)."""
    return Order.objects.select_for_update(of=("self",))
