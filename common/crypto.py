"""Secrets at rest: symmetric encryption of short texts with Fernet (AES-128-CBC + HMAC-SHA256).

    token = encrypt_text("sk_live_...")     # a Fernet token (URL-safe base64 str)
    decrypt_text(token)                     # "sk_live_..."; DecryptionError if no key opens it
    rotate_text(token)                      # the same secret, re-encrypted with the first key
    mask_secret("sk_live_...ab12")          # "••••••ab12", for pages that list secrets

Keys come from the FIELD_ENCRYPTION_KEYS setting (a list of Fernet keys, from the environment).
The first key encrypts; every key decrypts, so a new key can be put first, deployed, and the old
data re-encrypted (`manage.py rotate_encryption_keys`) before the old key is removed. Without
the setting (development, tests) one key is derived from SECRET_KEY with HKDF-SHA256, so nothing
breaks; production.py requires the setting.

Generic on purpose: the encrypted model field (common.fields.EncryptedCharField) and anything
else that keeps a secret (e.g. TOTP seeds) use these functions, so there is one key list and one
rotation procedure.
"""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

# What a derived development key is for; changing it changes the key (and loses dev data).
_DERIVATION_INFO = b"cod-operations field encryption v1"
MASK = "••••••"


class DecryptionError(Exception):
    """A token none of the configured keys opens: a key was removed too early, or the data is corrupt."""


def derive_key(secret: str) -> bytes:
    """A Fernet key derived deterministically from `secret` (HKDF-SHA256). For dev/test only."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_DERIVATION_INFO)
    return base64.urlsafe_b64encode(hkdf.derive(secret.encode()))


def configured_keys() -> list[bytes]:
    """FIELD_ENCRYPTION_KEYS as bytes, or the SECRET_KEY-derived key when the setting is empty."""
    keys = [k.strip() for k in getattr(settings, "FIELD_ENCRYPTION_KEYS", None) or [] if k and k.strip()]
    if not keys:
        return [derive_key(settings.SECRET_KEY)]
    return [k.encode() if isinstance(k, str) else k for k in keys]


@lru_cache(maxsize=1)
def _fernets() -> tuple[MultiFernet, Fernet]:
    fernets = []
    for position, key in enumerate(configured_keys(), start=1):
        try:
            fernets.append(Fernet(key))
        except (ValueError, TypeError) as exc:
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEYS entry #{position} is not a Fernet key (32 url-safe base64-encoded "
                "bytes). Generate one with: python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'"
            ) from exc
    return MultiFernet(fernets), fernets[0]


@receiver(setting_changed)
def _reset_keys(*, setting: str, **kwargs) -> None:
    if setting in ("FIELD_ENCRYPTION_KEYS", "SECRET_KEY"):
        _fernets.cache_clear()


def encrypt_text(plaintext: str) -> str:
    """Encrypt with the first configured key. Each call gives a different token (random IV)."""
    return _fernets()[0].encrypt(plaintext.encode()).decode("ascii")


def decrypt_text(token: str) -> str:
    """Decrypt with whichever configured key opens the token; DecryptionError if none does."""
    try:
        return _fernets()[0].decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeEncodeError, ValueError) as exc:
        raise DecryptionError(
            "Cannot decrypt a stored secret with any key in FIELD_ENCRYPTION_KEYS. Was a key removed "
            "before `manage.py rotate_encryption_keys` re-encrypted the data with the new one?"
        ) from exc


def is_current(token: str) -> bool:
    """True when the first (current) key opens the token, i.e. rotation has nothing to do."""
    try:
        _fernets()[1].decrypt(token.encode("ascii"))
    except (InvalidToken, UnicodeEncodeError, ValueError):
        return False
    return True


def rotate_text(token: str) -> str:
    """The token re-encrypted with the first key (decrypted with any). DecryptionError if none opens it."""
    try:
        return _fernets()[0].rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeEncodeError, ValueError) as exc:
        raise DecryptionError("Cannot rotate a stored secret: no key in FIELD_ENCRYPTION_KEYS opens it.") from exc


def mask_secret(value: str | None, *, visible: int = 4) -> str:
    """Like "••••••ab12": enough to recognise a key, never enough to use it. Short secrets show nothing."""
    if not value:
        return ""
    value = str(value)
    tail = value[-visible:] if visible and len(value) >= 3 * visible else ""
    return MASK + tail


def fernet_token_length(plaintext_bytes: int) -> int:
    """Length of the token for a plaintext of that many bytes (version, time, IV, padded CBC, HMAC)."""
    raw = 1 + 8 + 16 + (plaintext_bytes // 16 + 1) * 16 + 32
    return 4 * ((raw + 2) // 3)
