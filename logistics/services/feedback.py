"""The customer's word on a delivery attempt: a rating from 1 to 5 and what they said."""

from __future__ import annotations

from django.db import transaction

from accounts import policy
from accounts.audit import changes_between, record_activity
from accounts.models import Role, User
from common.errors import DomainError, PermissionDenied, ValidationFailed

from ..models import Delivery, DeliveryOutcome

MAX_FEEDBACK_LENGTH = 2000


def record_feedback(*, delivery_id, rating, feedback: str, actor: User) -> Delivery:
    """Set the rating (1-5) and the customer's feedback of a finished attempt.

    Staff with deliveries.edit record what the customer said (usually on a follow-up call); an
    agent may not rate their own deliveries, although deliveries.edit lets them record attempts.
    Raises ValidationFailed (rating, feedback), PermissionDenied, DomainError (attempt in progress),
    Delivery.DoesNotExist.
    """
    rating = _rating(rating)
    feedback = (feedback or "").strip()
    if len(feedback) > MAX_FEEDBACK_LENGTH:
        raise ValidationFailed.single("feedback", f"Keep the feedback under {MAX_FEEDBACK_LENGTH} characters.")
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
        if actor.role == Role.DELIVERY_AGENT or not policy.can(actor, "deliveries.edit", delivery):
            raise PermissionDenied("You may not record feedback on this delivery.")
        if delivery.outcome == DeliveryOutcome.IN_PROGRESS:
            raise DomainError("The attempt is still on the way: record the feedback once it is over.")
        before = {"rating": delivery.rating, "customer_feedback": delivery.customer_feedback}
        delivery.rating = rating
        delivery.customer_feedback = feedback or None
        after = {"rating": delivery.rating, "customer_feedback": delivery.customer_feedback}
        if after == before:
            return delivery
        delivery.save(update_fields=["rating", "customer_feedback"])
        record_activity(
            actor=actor,
            action="delivery_feedback_recorded",
            entity_type="delivery",
            entity_id=delivery.pk,
            changes=changes_between(before, after),
            extra={"order_id": delivery.order_id},
        )
    return delivery


def _rating(value) -> int:
    try:
        rating = int(str(value).strip())
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise ValidationFailed.single("rating", "Give a rating from 1 to 5.")
    return rating
