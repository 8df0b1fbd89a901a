"""Writes to customers: find-or-create by phone, blacklist, tags."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.audit import record_activity
from accounts.models import User
from common.errors import ValidationFailed

from .domain import normalize_tags
from .models import Customer
from .phones import InvalidPhone, normalize_phone
from .signals import customer_tags_changed


@dataclass
class CustomerInput:
    phone: str
    full_name: str = ""
    email: str | None = None
    address: str | None = None
    city: str | None = None
    area: str | None = None
    postal_code: str | None = None
    tags: list[dict] = field(default_factory=list)


# Contact fields an incoming order may fill in when the customer record lacks them. Existing
# values are never overwritten by an order: staff corrections must not be undone by a webhook.
FILLABLE = ("full_name", "email", "address", "city", "area", "postal_code")


def validate_customer_input(data: CustomerInput, prefix: str = "customer") -> tuple[str, dict[str, list[str]]]:
    """The normalised phone and any field errors (keys like "customer.phone")."""
    errors: dict[str, list[str]] = {}
    phone = ""
    try:
        phone = normalize_phone(data.phone)
    except InvalidPhone as exc:
        errors[f"{prefix}.phone"] = [str(exc)]
    if len((data.full_name or "").strip()) > 255:
        errors[f"{prefix}.full_name"] = ["The name is too long (255 characters at most)."]
    if data.email and ("@" not in data.email or len(data.email) > 255):
        errors[f"{prefix}.email"] = ["Enter a valid email address."]
    return phone, errors


@transaction.atomic
def customer_find_or_create(*, data: CustomerInput) -> tuple[Customer, bool]:
    """The customer with this phone (any format), created if new. Safe under concurrency:
    the unique index on the normalised phone makes a concurrent twin insert fail, and we then
    read the winner's row. Fills blank contact fields from `data`. Returns (customer, created)."""
    phone, errors = validate_customer_input(data)
    if errors:
        raise ValidationFailed(errors)
    values = {name: _clean(getattr(data, name)) for name in FILLABLE}
    values["full_name"] = values["full_name"] or f"Customer {phone}"
    customer = Customer.objects.select_for_update().filter(phone=phone).first()
    if customer is None:
        try:
            with transaction.atomic():
                customer = Customer.objects.create(phone=phone, tags=normalize_tags(data.tags), **values)
                return customer, True
        except IntegrityError:
            customer = Customer.objects.select_for_update().get(phone=phone)
    missing = [name for name in FILLABLE if not getattr(customer, name) and values[name]]
    for name in missing:
        setattr(customer, name, values[name])
    if missing:
        customer.save(update_fields=missing)
    return customer, False


@transaction.atomic
def customer_set_blacklist(*, customer_id, blacklisted: bool, reason: str, actor: User) -> Customer:
    customer = Customer.objects.select_for_update().get(pk=customer_id)
    if blacklisted and not reason.strip():
        raise ValidationFailed.single("blacklist_reason", "Say why this customer is blacklisted.")
    customer.is_blacklisted = blacklisted
    customer.blacklist_reason = reason.strip() if blacklisted else None
    customer.blacklisted_by = actor if blacklisted else None
    customer.blacklisted_at = timezone.now() if blacklisted else None
    customer.save(update_fields=["is_blacklisted", "blacklist_reason", "blacklisted_by", "blacklisted_at"])
    record_activity(
        actor=actor,
        action="customer_blacklisted" if blacklisted else "customer_unblacklisted",
        entity_type="customer",
        entity_id=customer.pk,
        changes={"is_blacklisted": {"old": not blacklisted, "new": blacklisted}},
        extra={"reason": reason.strip() or None},  # lifting a blacklist may say why, too
    )
    return customer


@transaction.atomic
def customer_set_tags(*, customer_id, tags: list[dict], actor: User | None = None) -> Customer:
    """Replace the customer's tags (schema shape); announce added/removed tag ids after commit."""
    customer = Customer.objects.select_for_update().get(pk=customer_id)
    old_tags = customer.tags
    before = {tag["id"] for tag in customer.tags}
    customer.tags = normalize_tags(tags)
    customer.save(update_fields=["tags"])
    after = {tag["id"] for tag in customer.tags}
    if old_tags != customer.tags:  # a new label or colour is a change too, though no id moved
        record_activity(
            actor=actor,
            action="customer_tags_changed",
            entity_type="customer",
            entity_id=customer.pk,
            changes={"tags": {"old": _tag_summary(old_tags), "new": _tag_summary(customer.tags)}},
        )
    if before != after:
        transaction.on_commit(
            lambda: customer_tags_changed.send(
                sender=Customer, customer_id=customer.pk, added=after - before, removed=before - after
            )
        )
    return customer


def _tag_summary(tags: list[dict]) -> list[str]:
    """Tags as the activity log shows them: "vip (VIP Customer, #FFD700)"."""
    return sorted(f"{tag.get('id')} ({tag.get('label')}, {tag.get('color')})" for tag in tags)


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def customer_count_refusal(*, customer_id) -> None:
    """One more refusal (at the confirmation call or at the door); feeds the risk band.
    An atomic increment: concurrent refusals of two orders both count."""
    Customer.objects.filter(pk=customer_id).update(refused_orders=F("refused_orders") + 1)


NOTES_MAX_LENGTH = 5000


@transaction.atomic
def customer_update_notes(*, customer_id, notes: str | None, actor: User) -> Customer:
    """Replace the customer's internal notes (blank clears them). Records the change; no-op if unchanged."""
    text = (notes or "").replace("\r\n", "\n").strip()
    if len(text) > NOTES_MAX_LENGTH:
        raise ValidationFailed.single("notes", f"Notes are limited to {NOTES_MAX_LENGTH} characters.")
    customer = Customer.objects.select_for_update().get(pk=customer_id)
    new = text or None
    if customer.notes == new:
        return customer
    old, customer.notes = customer.notes, new
    customer.save(update_fields=["notes"])
    record_activity(
        actor=actor,
        action="customer_notes_updated",
        entity_type="customer",
        entity_id=customer.pk,
        changes={"notes": {"old": old, "new": new}},
    )
    return customer
