"""Two-factor authentication: TOTP authenticator apps (RFC 6238) and one-time recovery codes.

    device = start_setup(user=user)               # a new unconfirmed seed (or the one in progress)
    qr_svg(provisioning_uri(device))              # the otpauth:// URI as an inline SVG QR code
    codes = confirm_setup(user=user, code="...")  # the first code proves the app works: 2FA on,
                                                  # recovery codes returned (shown once, kept hashed)
    verify_second_factor(user=user, code="...")   # at login: "totp", "recovery_code" or None
    disable(user=user, actor=user)

The seed is encrypted at rest: TwoFactorDevice.secret is a common.fields.EncryptedCharField (Fernet,
keys from FIELD_ENCRYPTION_KEYS, rotated with the other secrets by `manage.py rotate_encryption_keys`).
A code is accepted in the current 30-second step or one step either side (clock drift), and once:
the device keeps the step of the last accepted code and refuses that step and older ones.
Recovery codes are random (40 bits each), stored as SHA-256 digests and deleted when used.
Throttling wrong codes is the login view's job (accounts.auth_views), together with django-axes.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time

import pyotp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from common.errors import ValidationFailed

from .audit import record_activity
from .models import TwoFactorDevice, User

RECOVERY_CODE_COUNT = 10
TOTP_DIGITS = 6
# Steps either side of now in which a code is still accepted (30 s each).
VALID_WINDOW = 1

TOTP = "totp"
RECOVERY_CODE = "recovery_code"


def is_required_for(user) -> bool:
    """True when the user's role must use two-factor authentication (TWO_FACTOR_REQUIRED_ROLES)."""
    return getattr(user, "role", None) in settings.TWO_FACTOR_REQUIRED_ROLES


def confirmed_device(user) -> TwoFactorDevice | None:
    return TwoFactorDevice.objects.filter(user=user, confirmed_at__isnull=False).first()


def has_two_factor(user) -> bool:
    return TwoFactorDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


# --- Setup --------------------------------------------------------------------------------------


def start_setup(*, user: User) -> TwoFactorDevice:
    """The unconfirmed device being set up, created with a fresh seed if there is none.

    Reloading the setup page keeps the same seed, so an app that already scanned it still works.
    Raises ValidationFailed when two-factor authentication is already on.
    """
    with transaction.atomic():
        device = TwoFactorDevice.objects.select_for_update().filter(user=user).first()
        if device is None:
            device = TwoFactorDevice.objects.create(user=user, secret=pyotp.random_base32(length=32))
        elif device.confirmed_at is not None:
            raise ValidationFailed.single("code", "Two-factor authentication is already on.")
    return device


def provisioning_uri(device: TwoFactorDevice) -> str:
    return pyotp.TOTP(device.secret).provisioning_uri(name=device.user.email, issuer_name=settings.TWO_FACTOR_ISSUER)


def qr_svg(data: str) -> SafeString:
    """`data` as an inline SVG QR code (no image request, nothing sent to a third party)."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=4)
    svg = image.to_string(encoding="unicode")
    # Our own markup from a library (the URI is inside path geometry, never as text): safe to inline.
    return mark_safe(svg.replace("<svg ", '<svg role="img" aria-label="QR code for your authenticator app" ', 1))  # noqa: S308


def confirm_setup(*, user: User, code: str) -> list[str]:
    """Turn two-factor authentication on once `code` matches the seed being set up.

    Returns the recovery codes in clear: the only time they exist outside the user's hands.
    Every other session of the user ends (they were opened without the second factor); the caller
    keeps the current one with update_session_auth_hash. Raises ValidationFailed on a wrong code.
    """
    from .services import end_all_sessions

    with transaction.atomic():
        device = TwoFactorDevice.objects.select_for_update().filter(user=user).first()
        if device is None or device.confirmed_at is not None:
            raise ValidationFailed.single("code", "Start the setup again.")
        step = _matching_step(device, _digits(code))
        if step is None:
            raise ValidationFailed.single("code", "That code does not match. Check the time on your phone.")
        codes = _new_recovery_codes()
        device.confirmed_at = timezone.now()
        device.last_used_step = step
        device.recovery_code_hashes = [_digest(c) for c in codes]
        device.save(update_fields=["confirmed_at", "last_used_step", "recovery_code_hashes"])
        record_activity(actor=user, action="two_factor_enabled", entity_type="user", entity_id=user.pk)
        end_all_sessions(user=user, actor=user, reason="two_factor_enabled")
    return codes


def disable(*, user: User, actor: User | None) -> None:
    """Remove the user's device (the caller checked a code or the password first).

    Also an admin's way to reset someone who lost their phone. Other sessions end; roles that
    require two-factor authentication are sent to set it up again at their next request.
    """
    from .services import end_all_sessions

    with transaction.atomic():
        deleted, _ = TwoFactorDevice.objects.filter(user=user).delete()
        if deleted:
            record_activity(actor=actor, action="two_factor_disabled", entity_type="user", entity_id=user.pk)
            end_all_sessions(user=user, actor=actor, reason="two_factor_disabled")


# --- Login ----------------------------------------------------------------------------------------


def verify_second_factor(*, user: User, code: str) -> str | None:
    """TOTP if `code` looks like one, otherwise a recovery code. Returns which matched, or None.

    Locks the device row, so two requests racing with the same code cannot both succeed.
    """
    code = code or ""
    with transaction.atomic():
        device = TwoFactorDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
        if device is None:
            return None
        digits = _digits(code)
        if len(digits) == TOTP_DIGITS:
            step = _matching_step(device, digits)
            if step is None:
                return None
            device.last_used_step = step
            device.save(update_fields=["last_used_step"])
            return TOTP
        digest = _digest(code)
        remaining = [h for h in device.recovery_code_hashes if not hmac.compare_digest(h, digest)]
        if len(remaining) == len(device.recovery_code_hashes):
            return None
        device.recovery_code_hashes = remaining
        device.save(update_fields=["recovery_code_hashes"])
        record_activity(
            actor=user,
            action="recovery_code_used",
            entity_type="user",
            entity_id=user.pk,
            extra={"recovery_codes_left": len(remaining)},
        )
        return RECOVERY_CODE


def recovery_codes_left(device: TwoFactorDevice) -> int:
    return len(device.recovery_code_hashes)


# --- Internals ------------------------------------------------------------------------------------


def _digits(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "")


def _matching_step(device: TwoFactorDevice, digits: str) -> int | None:
    """The time step whose code is `digits`, within the window and newer than the last one used."""
    if len(digits) != TOTP_DIGITS or not digits.isdigit():
        return None
    totp = pyotp.TOTP(device.secret)
    now = totp.timecode(time.time())
    for step in range(now - VALID_WINDOW, now + VALID_WINDOW + 1):
        if device.last_used_step is not None and step <= device.last_used_step:
            continue  # that code (or an older one) was used already: no replay
        if hmac.compare_digest(totp.generate_otp(step), digits):
            return step
    return None


def _new_recovery_codes() -> list[str]:
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = secrets.token_hex(5)
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def _digest(code: str) -> str:
    """SHA-256 of the normalised code. Codes carry 40 random bits, so a fast hash is enough."""
    normalised = _digits(code).lower()
    return hashlib.sha256(normalised.encode()).hexdigest()
