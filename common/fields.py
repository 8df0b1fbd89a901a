"""Model fields that map Django onto the schema's PostgreSQL types."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.functional import cached_property

from .crypto import DecryptionError, decrypt_text, encrypt_text, fernet_token_length, mask_secret


class PgEnumField(models.CharField):
    """A column of a PostgreSQL ENUM type, read and written as its label.

    The type itself is created by a RunSQL migration of the owning app (CREATE TYPE), which must
    run before the table that uses it. PostgreSQL rejects labels outside the enum, so a bad status
    cannot be stored even by raw SQL; ordering follows the enum's declaration order.
    """

    description = "PostgreSQL enum"

    def __init__(self, *args, enum_type: str, **kwargs):
        self.enum_type = enum_type
        kwargs.setdefault("max_length", 32)
        # The database default mirrors the Python default, so raw SQL inserts get the same value.
        if "default" in kwargs and "db_default" not in kwargs and not callable(kwargs["default"]):
            kwargs["db_default"] = kwargs["default"]
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["enum_type"] = self.enum_type
        if kwargs.get("max_length") == 32:
            del kwargs["max_length"]
        return name, path, args, kwargs

    def db_type(self, connection):
        return self.enum_type

    def cast_db_type(self, connection):
        return self.enum_type

    def rel_db_type(self, connection):
        return self.enum_type


def JSONBListField(**kwargs) -> models.JSONField:
    """A JSONB array column defaulting to [] in Python and in the database."""
    return models.JSONField(default=list, db_default=models.Value([], models.JSONField()), **kwargs)


def JSONBObjectField(**kwargs) -> models.JSONField:
    """A JSONB object column defaulting to {} in Python and in the database."""
    return models.JSONField(default=dict, db_default=models.Value({}, models.JSONField()), **kwargs)


class SecretStr(str):
    """A decrypted secret: a plain str everywhere, except that repr() masks it (logs, debug pages)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"SecretStr({mask_secret(self)!r})"


class EncryptedCharField(models.CharField):
    """Text stored encrypted in a VARCHAR column as "fernet:<token>" (see common.crypto).

    Reading decrypts (the attribute holds the plaintext as a SecretStr, masked in repr); writing
    encrypts with the first key of FIELD_ENCRYPTION_KEYS. A stored value without the prefix is a
    legacy plaintext: it is returned as is and encrypted by `manage.py rotate_encryption_keys`.
    The empty string and NULL are stored as they are (nothing to hide).

    Tokens are randomised, so the column cannot be searched or compared: only `isnull` lookups
    are allowed. `max_length` is the column's size; the longest plaintext that fits is smaller
    (319 bytes for 512) and is what forms and model validation enforce.
    """

    description = "Text encrypted at rest (Fernet token)"
    PREFIX = "fernet:"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.max_length:
            # CharField checks len(plaintext) <= max_length; what must fit is the token.
            self.validators[:] = [v for v in self.validators if not isinstance(v, MaxLengthValidator)]
            self.validators.append(_MaxEncodedLengthValidator(self.max_plaintext_bytes))

    @cached_property
    def max_plaintext_bytes(self) -> int | None:
        """The longest plaintext (in UTF-8 bytes) whose token fits the column; None if unbounded."""
        if not self.max_length:
            return None
        size = 0
        while fernet_token_length(size + 1) + len(self.PREFIX) <= self.max_length:
            size += 1
        return size

    def get_lookup(self, lookup_name):
        return super().get_lookup(lookup_name) if lookup_name == "isnull" else None

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        if value.startswith(self.PREFIX):
            return SecretStr(decrypt_text(value[len(self.PREFIX) :]))
        return SecretStr(value)  # legacy plaintext, encrypted at the next save or rotation

    def to_python(self, value):
        value = super().to_python(value)
        return SecretStr(value) if value and not isinstance(value, SecretStr) else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        value = str(value)
        if value.startswith(self.PREFIX):
            # Already a token (loaddata of a dump, a copied row): keep it rather than wrap it twice.
            try:
                decrypt_text(value[len(self.PREFIX) :])
            except DecryptionError:
                pass
            else:
                return value
        if self.max_plaintext_bytes is not None and len(value.encode()) > self.max_plaintext_bytes:
            raise ValueError(
                f"{self.model.__name__}.{self.name}: a secret of {len(value.encode())} bytes does not fit "
                f"encrypted in {self.max_length} characters (at most {self.max_plaintext_bytes} bytes)."
            )
        return self.PREFIX + encrypt_text(value)

    def value_to_string(self, obj):
        """Serialisation (dumpdata) writes the token, never the plaintext."""
        value = self.value_from_object(obj)
        return self.get_prep_value(value) if value else value

    def formfield(self, **kwargs):
        kwargs.setdefault("max_length", None)  # the limit is on the plaintext's bytes (model validation)
        return super().formfield(**kwargs)


class _MaxEncodedLengthValidator:
    code = "max_length"

    def __init__(self, limit: int):
        self.limit = limit

    def __call__(self, value) -> None:
        if value is not None and len(str(value).encode()) > self.limit:
            raise ValidationError(
                "Ensure this value has at most %(limit)d bytes (it has %(size)d).",
                code=self.code,
                params={"limit": self.limit, "size": len(str(value).encode())},
            )

    def __eq__(self, other) -> bool:
        return isinstance(other, _MaxEncodedLengthValidator) and other.limit == self.limit
