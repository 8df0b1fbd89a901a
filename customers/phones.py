"""Phone numbers: one normalised form (E.164) for every way a customer writes theirs."""

from __future__ import annotations

import phonenumbers
from django.conf import settings


class InvalidPhone(ValueError):
    pass


def normalize_phone(raw: str | None, region: str | None = None) -> str:
    """'0612345678', '+212 6 12 34 56 78' and '00212612345678' all give '+212612345678'.

    Numbers without a country code are read in `region` (settings.DEFAULT_PHONE_REGION).
    Raises InvalidPhone with a message fit for the user.
    """
    text = (raw or "").strip()
    if not text:
        raise InvalidPhone("A phone number is required.")
    if len(text) > 40:
        raise InvalidPhone("This phone number is too long.")
    try:
        number = phonenumbers.parse(text, region or settings.DEFAULT_PHONE_REGION)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone(f"'{text}' is not a phone number.") from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone(f"'{text}' is not a valid phone number.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_search_forms(raw: str, region: str | None = None) -> list[str]:
    """What to look for when staff search by phone: the E.164 form when the input is one,
    else the digits as typed (a partial number), so '0612 34' finds '+21261234...'."""
    try:
        return [normalize_phone(raw, region)]
    except InvalidPhone:
        digits = "".join(ch for ch in raw if ch.isdigit())
        return [digits.lstrip("0")] if digits.lstrip("0") else []
