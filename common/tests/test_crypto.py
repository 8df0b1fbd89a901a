"""Secrets at rest: webhook keys are Fernet tokens in the database, readable only with our keys."""

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError, ImproperlyConfigured, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from accounts.tests.factories import ManagerFactory
from common.crypto import DecryptionError, decrypt_text, derive_key, encrypt_text, mask_secret
from common.fields import SecretStr
from integrations.models import Webhook, WebhookSource

pytestmark = pytest.mark.django_db

SECRET = "whsec_" + "Zq3x9" * 11 + "ab12"  # 65 characters, like a real signing secret
OLD_KEY, NEW_KEY, OTHER_KEY = (Fernet.generate_key().decode() for _ in range(3))


def make_webhook(**fields) -> Webhook:
    fields.setdefault("name", "Shop")
    fields.setdefault("endpoint_url", f"/hooks/{Webhook.objects.count()}")
    return Webhook.objects.create(source=WebhookSource.SHOPIFY, **fields)


def stored(raw_sql, webhook, column="secret_key") -> str:
    return raw_sql(f"SELECT {column} FROM webhooks WHERE id = %s", [webhook.pk])[0][0]


def test_an_encrypted_field_reads_back_the_plaintext(raw_sql):
    webhook = make_webhook(api_key="key-123", secret_key=SECRET)
    again = Webhook.objects.get(pk=webhook.pk)
    assert again.api_key == "key-123"
    assert again.secret_key == SECRET
    assert isinstance(again.secret_key, SecretStr)
    assert f"{again.secret_key}" == SECRET  # usable as a plain string (signing, headers)


def test_the_database_holds_only_a_token_never_the_plaintext(raw_sql):
    webhook = make_webhook(api_key="key-123", secret_key=SECRET)
    api_key, secret_key = raw_sql("SELECT api_key, secret_key FROM webhooks WHERE id = %s", [webhook.pk])[0]
    for value, plaintext in ((api_key, "key-123"), (secret_key, SECRET)):
        assert value.startswith("fernet:")
        assert plaintext not in value
        assert decrypt_text(value.removeprefix("fernet:")) == plaintext
    # The column is still the schema's VARCHAR(512) and a 64+ character secret fits easily.
    assert len(secret_key) < 200
    column = raw_sql(
        "SELECT data_type, character_maximum_length FROM information_schema.columns "
        "WHERE table_name = 'webhooks' AND column_name = 'secret_key'"
    )
    assert column == [("character varying", 512)]


def test_each_save_gives_a_new_token_and_empty_values_stay_empty(raw_sql):
    webhook = make_webhook(api_key=None, secret_key=SECRET)
    first = stored(raw_sql, webhook)
    webhook.save()
    assert stored(raw_sql, webhook) != first
    assert stored(raw_sql, webhook, "api_key") is None
    webhook.secret_key = ""
    webhook.save()
    assert stored(raw_sql, webhook) == ""
    assert Webhook.objects.get(pk=webhook.pk).secret_key == ""


def test_the_plaintext_never_shows_in_repr_or_in_a_dump(raw_sql):
    webhook = Webhook.objects.get(pk=make_webhook(secret_key=SECRET).pk)
    assert SECRET not in repr(webhook.secret_key)
    assert repr(webhook.secret_key) == "SecretStr('••••••ab12')"
    assert SECRET not in repr(webhook.__dict__)
    dumped = Webhook._meta.get_field("secret_key").value_to_string(webhook)
    assert dumped.startswith("fernet:") and SECRET not in dumped


def test_a_dumped_token_is_loaded_back_without_being_encrypted_twice(raw_sql):
    webhook = make_webhook(secret_key=SECRET)
    token = stored(raw_sql, webhook)
    Webhook.objects.filter(pk=webhook.pk).update(secret_key=token)
    assert Webhook.objects.get(pk=webhook.pk).secret_key == SECRET


def test_the_admin_never_shows_the_keys(client, raw_sql):
    webhook = make_webhook(api_key="key-visible-nowhere-123", secret_key=SECRET)
    client.force_login(ManagerFactory())  # staff; not held at two-factor setup like an admin
    for url in (
        reverse("admin:integrations_webhook_changelist"),
        reverse("admin:integrations_webhook_change", args=[webhook.pk]),
    ):
        page = client.get(url).content.decode()
        assert "Shop" in page
        assert SECRET not in page and "key-visible-nowhere-123" not in page and "fernet:" not in page


def test_encrypted_columns_cannot_be_searched():
    with pytest.raises(FieldError):
        list(Webhook.objects.filter(secret_key=SECRET))
    assert Webhook.objects.filter(secret_key__isnull=True).count() == 0


def test_a_secret_too_long_for_the_column_is_refused_clearly():
    field = Webhook._meta.get_field("secret_key")
    assert field.max_plaintext_bytes == 319
    make_webhook(secret_key="x" * 319)  # the longest that fits VARCHAR(512)
    with pytest.raises(ValueError, match="does not fit"), transaction.atomic():
        make_webhook(secret_key="x" * 320)
    with pytest.raises(ValidationError):
        Webhook(name="n", source="custom", endpoint_url="/x", secret_key="é" * 160).full_clean()


def test_old_key_data_stays_readable_until_rotation_re_encrypts_it_with_the_new_key(raw_sql):
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD_KEY]):
        webhook = make_webhook(api_key="key-123", secret_key=SECRET)
    old_token = stored(raw_sql, webhook)

    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY]):
        assert Webhook.objects.get(pk=webhook.pk).secret_key == SECRET  # before rotation: old key opens it
        call_command("rotate_encryption_keys", batch_size=1, stdout=(out := _Output()))
        assert "re-encrypted 2" in out.text
        new_token = stored(raw_sql, webhook)
        assert new_token != old_token
        call_command("rotate_encryption_keys", stdout=(again := _Output()))  # idempotent
        assert "re-encrypted 0, already current 2" in again.text
        assert stored(raw_sql, webhook) == new_token

    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]):  # the old key removed
        again = Webhook.objects.get(pk=webhook.pk)
        assert (again.api_key, again.secret_key) == ("key-123", SECRET)
    assert Fernet(NEW_KEY.encode()).decrypt(new_token.removeprefix("fernet:").encode()).decode() == SECRET


def test_rotation_encrypts_legacy_plaintext_values(raw_sql):
    webhook = make_webhook(secret_key=SECRET)
    raw_sql("UPDATE webhooks SET secret_key = 'legacy-plain' WHERE id = %s", [webhook.pk])
    assert Webhook.objects.get(pk=webhook.pk).secret_key == "legacy-plain"  # readable, not an error
    call_command("rotate_encryption_keys", "--dry-run", stdout=_Output())
    assert stored(raw_sql, webhook) == "legacy-plain"
    call_command("rotate_encryption_keys", stdout=_Output())
    assert stored(raw_sql, webhook).startswith("fernet:")
    assert Webhook.objects.get(pk=webhook.pk).secret_key == "legacy-plain"


def test_a_removed_key_gives_a_clear_error_on_read_and_on_rotation(raw_sql):
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD_KEY]):
        webhook = make_webhook(secret_key=SECRET)
    with override_settings(FIELD_ENCRYPTION_KEYS=[OTHER_KEY]):
        with pytest.raises(DecryptionError, match="FIELD_ENCRYPTION_KEYS"):
            Webhook.objects.get(pk=webhook.pk)
        with pytest.raises(CommandError, match=f"webhooks.secret_key of row {webhook.pk}"):
            call_command("rotate_encryption_keys", stdout=_Output())
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD_KEY]):  # nothing was damaged
        assert Webhook.objects.get(pk=webhook.pk).secret_key == SECRET


def test_a_malformed_key_is_reported_as_a_configuration_error():
    with (
        override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY, "not-a-key"]),
        pytest.raises(ImproperlyConfigured, match="entry #2"),
    ):
        encrypt_text("x")


def test_without_keys_development_uses_one_key_derived_from_the_secret_key(settings):
    settings.FIELD_ENCRYPTION_KEYS = []
    token = encrypt_text("hello")
    assert Fernet(derive_key(settings.SECRET_KEY)).decrypt(token.encode()) == b"hello"
    assert derive_key(settings.SECRET_KEY) == derive_key(settings.SECRET_KEY)
    settings.SECRET_KEY = settings.SECRET_KEY + "-changed"
    with pytest.raises(DecryptionError):
        decrypt_text(token)


@pytest.mark.parametrize(
    ("value", "masked"),
    [(SECRET, "••••••ab12"), ("short", "••••••"), ("", ""), (None, "")],
)
def test_mask_secret_shows_at_most_the_last_four_characters(value, masked):
    assert mask_secret(value) == masked


class _Output:
    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text

    def flush(self):
        pass
