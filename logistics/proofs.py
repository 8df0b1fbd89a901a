"""Who may open a proof of delivery (photo, signature) through /files/proofs/... (common.views.private_file).

Proofs are stored as `proofs/<delivery id hex>/<yyyy>/<mm>/<random>.<ext>` (logistics.services.delivery),
and the delivery row keeps their `/files/<name>` URL in photo_url / signature_url. The checker reads
the delivery id from the path only to find the row cheaply (a primary-key lookup), then trusts the
row, not the path: the file must be one that row stores, and the user must pass the policy.
Registered in LogisticsConfig.ready().
"""

from __future__ import annotations

import uuid

from django.urls import reverse

from accounts import policy

from .models import Delivery


def delivery_with_proof(path: str) -> Delivery | None:
    """The delivery that stores the proof file `path` (a cleaned private-storage name), or None."""
    parts = path.split("/")
    if len(parts) < 3 or parts[0] != "proofs":
        return None
    try:
        delivery_id = uuid.UUID(hex=parts[1])
    except ValueError:
        return None
    delivery = Delivery.objects.select_related("order").filter(pk=delivery_id).first()
    url = reverse("private_file", args=[path])
    if delivery is None or url not in (delivery.photo_url, delivery.signature_url):
        return None
    return delivery


def can_view_proof(user, path: str) -> bool:
    """The agent who made the delivery, and staff who may view deliveries and this order."""
    delivery = delivery_with_proof(path)
    if delivery is None or not policy.can(user, "deliveries.view", delivery):
        return False
    return delivery.agent_id == user.pk or policy.can(user, "orders.view", delivery.order)
