"""Writes to webhook configurations: create, edit, regenerate their keys, (de)activate.

Keys are encrypted at rest (common.fields.EncryptedCharField). The services that set a key return
it in `Secrets` so the page that called them can show it in full exactly once; every other page
shows common.crypto.mask_secret(). The activity log never sees a key (accounts.audit hides them).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.urls import reverse

from accounts.audit import changes_between, record_activity
from accounts.models import User
from common.errors import ValidationFailed

from .models import Webhook, WebhookSource
from .webhooks.mapping import validate_mapping

EDITABLE = ("name", "source", "field_mapping", "is_active")
MAX_SECRET_LENGTH = 255  # an encrypted 255-byte secret fits the VARCHAR(512) column


@dataclass(frozen=True)
class Secrets:
    """Keys just set, to be shown once. None: that key was not changed."""

    secret_key: str | None = None
    api_key: str | None = None


def new_secret_key() -> str:
    return secrets.token_urlsafe(32)


def new_api_key() -> str:
    return "whk_" + secrets.token_urlsafe(24)


def new_endpoint_url() -> str:
    """A fresh, unguessable path such as /webhooks/in/Xq81.../ (unique: idx_webhooks_endpoint_url)."""
    return reverse("integrations:inbound", kwargs={"endpoint_token": secrets.token_urlsafe(24)})


@transaction.atomic
def webhook_create(
    *,
    name: str,
    source: str,
    field_mapping: dict | None = None,
    is_active: bool = True,
    secret_key: str | None = None,
    api_key: str | None = None,
    actor: User | None,
) -> tuple[Webhook, Secrets]:
    """A new configuration with its own endpoint URL. Keys not given are generated (paste Shopify's
    signing secret here: Shopify chooses it). Returns the keys to show once."""
    values = _clean(name=name, source=source, field_mapping=field_mapping, is_active=is_active)
    keys = Secrets(
        secret_key=_clean_key("secret_key", secret_key) or new_secret_key(),
        api_key=_clean_key("api_key", api_key) or new_api_key(),
    )
    webhook = Webhook.objects.create(
        **values, endpoint_url=new_endpoint_url(), secret_key=keys.secret_key, api_key=keys.api_key
    )
    record_activity(
        actor=actor,
        action="webhook_created",
        entity_type="webhook",
        entity_id=webhook.pk,
        changes={name: {"old": None, "new": values[name]} for name in ("name", "source", "is_active")},
        extra={"endpoint_url": webhook.endpoint_url},
    )
    return webhook, keys


@transaction.atomic
def webhook_update(
    *,
    webhook_id,
    name: str,
    source: str,
    field_mapping: dict | None,
    is_active: bool,
    secret_key: str | None = None,
    api_key: str | None = None,
    actor: User | None,
) -> tuple[Webhook, Secrets]:
    """Change a configuration. A blank key keeps the stored one; a given key replaces it."""
    webhook = Webhook.objects.select_for_update().get(pk=webhook_id)
    values = _clean(name=name, source=source, field_mapping=field_mapping, is_active=is_active)
    keys = Secrets(secret_key=_clean_key("secret_key", secret_key), api_key=_clean_key("api_key", api_key))
    before = {field: getattr(webhook, field) for field in EDITABLE}
    for field, value in values.items():
        setattr(webhook, field, value)
    changed = [field for field in EDITABLE if before[field] != getattr(webhook, field)]
    for field in ("secret_key", "api_key"):
        if getattr(keys, field):
            setattr(webhook, field, getattr(keys, field))
            changed.append(field)
    if changed:
        webhook.save(update_fields=changed)
        changes = changes_between(before, {field: getattr(webhook, field) for field in EDITABLE})
        changes.update({field: {"old": "[hidden]", "new": "[hidden]"} for field in ("secret_key", "api_key")
                        if field in changed})  # fmt: skip
        record_activity(actor=actor, action="webhook_updated", entity_type="webhook", entity_id=webhook.pk,
                        changes=changes)  # fmt: skip
    return webhook, keys


@transaction.atomic
def webhook_regenerate_keys(*, webhook_id, actor: User | None) -> tuple[Webhook, Secrets]:
    """New random secret and API key (the old ones stop working at once). Returns them to show once."""
    webhook = Webhook.objects.select_for_update().get(pk=webhook_id)
    keys = Secrets(secret_key=new_secret_key(), api_key=new_api_key())
    webhook.secret_key, webhook.api_key = keys.secret_key, keys.api_key
    webhook.save(update_fields=["secret_key", "api_key"])
    record_activity(
        actor=actor,
        action="webhook_keys_regenerated",
        entity_type="webhook",
        entity_id=webhook.pk,
        changes={field: {"old": "[hidden]", "new": "[hidden]"} for field in ("secret_key", "api_key")},
    )
    return webhook, keys


def _clean(*, name: str, source: str, field_mapping: Any, is_active: bool) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = ["Give the configuration a name."]
    elif len(name) > 255:
        errors["name"] = ["255 characters at most."]
    if source not in WebhookSource.values:
        errors["source"] = [f"Choose one of {', '.join(WebhookSource.values)}."]
    mapping_errors = validate_mapping(field_mapping)
    if mapping_errors:
        errors["field_mapping"] = [f"{target}: {' '.join(messages)}" for target, messages in mapping_errors.items()]
    if errors:
        raise ValidationFailed(errors)
    return {"name": name, "source": source, "field_mapping": field_mapping or {}, "is_active": bool(is_active)}


def _clean_key(field: str, value: str | None) -> str | None:
    value = (value or "").strip()
    if len(value.encode()) > MAX_SECRET_LENGTH:
        raise ValidationFailed.single(field, f"{MAX_SECRET_LENGTH} bytes at most.")
    if value and len(value) < 8:
        raise ValidationFailed.single(field, "At least 8 characters.")
    return value or None
