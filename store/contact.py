"""Customer contact details: phone numbers validated, normalised and masked.

Accepted (after removing spaces, dashes and parentheses):

* a mainland mobile number ``1[3-9]`` + 9 digits, optionally prefixed ``+86`` / ``0086`` / ``86``
  -> stored as 11 digits, masked ``138****8000``;
* a mainland landline with its area code ``0`` + 2–3 digits, then a 7–8 digit number
  (``010-12345678``, ``0755 8765 4321``) -> stored ``0755-87654321``, masked ``0755-****4321``.

Anything else (too short, a Hong Kong number, letters) is refused: the day-10 follow-up call
needs a number that can be dialled from the counter. No identity-document number is ever
stored; the case's ``documents`` list only says that such a paper was seen (``id_document``).
"""

from __future__ import annotations

import re

from .errors import StoreError

_MOBILE = re.compile(r"^(?:\+?86|0086)?(1[3-9]\d{9})$")
# area codes: 010, 02x (3 digits incl. 0) or 0xxx (4 digits); numbers 7-8 digits
_LANDLINE = re.compile(r"^(0(?:10|2\d|[3-9]\d{2}))(\d{7,8})$")
_STRIP = re.compile(r"[\s\-()]")


def normalize_phone(raw: str | None, field: str = "phone") -> str:
    """The phone number in its stored form, or ``StoreError`` naming ``field``."""
    if raw is None or not str(raw).strip():
        raise StoreError("required: the customer's phone number (for the follow-up calls)", field=field)
    text = _STRIP.sub("", str(raw).strip())
    m = _MOBILE.match(text)
    if m:
        return m.group(1)
    m = _LANDLINE.match(text)
    if m:
        return f"{m.group(1)}-{m.group(2)}"
    raise StoreError(f"{raw!r} is not a mainland phone number (mobile 1[3-9] + 9 digits, "
                     f"or a landline with area code such as 0755-12345678)", field=field)


def mask_phone(phone: str | None) -> str | None:
    """``138****8000`` / ``0755-****4321``: enough to recognise, not enough to dial."""
    if not phone:
        return phone
    if "-" in phone:
        area, number = phone.split("-", 1)
        return f"{area}-{'*' * (len(number) - 4)}{number[-4:]}"
    if len(phone) >= 8:
        return f"{phone[:3]}{'*' * (len(phone) - 7)}{phone[-4:]}"
    return "*" * len(phone)


def normalize_name(raw: str | None, field: str = "customer") -> str:
    if raw is None or not str(raw).strip():
        raise StoreError("required: the customer's name", field=field)
    name = " ".join(str(raw).split())
    if len(name) > 100:
        raise StoreError("longer than 100 characters", field=field)
    return name


_STORE = re.compile(r"^[A-Z0-9]{2,12}$")


def normalize_store(raw: str | None) -> str:
    if raw is None or not str(raw).strip():
        raise StoreError("required: the service point's code (e.g. SZ01)", field="store")
    code = str(raw).strip().upper()
    if not _STORE.match(code):
        raise StoreError(f"{raw!r} is not a store code: 2-12 letters or digits, e.g. SZ01", field="store")
    return code


def normalize_staff(raw: str | None) -> str:
    if raw is None or not str(raw).strip():
        raise StoreError("required: who is at the counter", field="staff")
    staff = " ".join(str(raw).split())
    if len(staff) > 64:
        raise StoreError("longer than 64 characters", field="staff")
    return staff
