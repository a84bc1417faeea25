"""Customer contact details: phone numbers validated, normalised and masked.

Phone numbers are read, checked and formatted by ``phonenumbers`` (Google's libphonenumber
data), never by a pattern of our own. A number without a country code is read as a mainland
number; Hong Kong, Macao, Taiwan and other numbers are given with theirs (``+852 9123 4567``,
``00853 6612 3456``). A number that is not a valid number of its country is refused: the
day-10 follow-up call needs a number that can be dialled from the counter.

Stored form (the one the store searches by, see ``phone_keys``):

* a mainland mobile: its 11 digits (``13800138000``);
* a mainland landline: area code with its 0, a dash, the number (``0755-87654321``);
* any other number: E.164 (``+85291234567``).

People read a number as ``phonenumbers`` writes it (``shown_phone``): a mainland one in the
national format (``138 0013 8000``, ``0755 8765 4321``), any other in the international one
(``+852 9123 4567``); masked, the same groups with the digits between the first group and the
last four starred (``138 **** 8000``, ``0755 **** 4321``, ``+852 **** 4567``).

No identity-document number is ever stored; the case's ``documents`` list only says that such a
paper was seen (``id_document``).
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

from .errors import StoreError

#: a number without a country code is a mainland one
HOME_REGION = "CN"


def _parse(text: str, region: str = HOME_REGION) -> phonenumbers.PhoneNumber | None:
    """The number in ``text`` (a number of ``region`` when it has no country code) when it is a
    valid number of its country, else ``None``."""
    raw = text.strip()
    if raw.startswith("00"):
        raw = "+" + raw[2:]                 # the international prefix dialled from the mainland
    try:
        number = phonenumbers.parse(raw, region)
    except NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def _stored(number: phonenumbers.PhoneNumber) -> str:
    if phonenumbers.region_code_for_number(number) != HOME_REGION:
        return phonenumbers.format_number(number, PhoneNumberFormat.E164)
    national = phonenumbers.national_significant_number(number)
    if phonenumbers.number_type(number) == PhoneNumberType.FIXED_LINE:
        area = phonenumbers.length_of_geographical_area_code(number)
        if area:
            return f"0{national[:area]}-{national[area:]}"
    return national


#: the numbers a phone field takes, in Chinese (the messages below say them)
_PHONES_ZH = "内地手机或带区号的座机；港澳台及境外号码请加国家或地区代码，如 +852 9123 4567"
#: what a number that is not one is told (English, Chinese), without the number itself
NOT_A_PHONE = ("not a valid phone number (a mainland mobile or a landline with its area code; Hong Kong, Macao, "
               "Taiwan and other numbers with their country code, e.g. +852 9123 4567)",
               f"不是有效的电话号码（{_PHONES_ZH}）")
#: what a hotline that is no number is told: a phone number, or a service number
NOT_A_HOTLINE = (NOT_A_PHONE[0] + ", nor a mainland service number (95588)",
                 f"不是有效的电话号码（{_PHONES_ZH}；或内地服务号码，如 95588）")


def is_phone(text: str) -> bool:
    """Whether ``text`` is a number ``normalize_phone`` takes."""
    return _parse(text) is not None


def normalize_phone(raw: str | None, field: str = "phone") -> str:
    """The phone number in its stored form, or ``StoreError`` naming ``field``."""
    if raw is None or not str(raw).strip():
        raise StoreError("required: the customer's phone number (for the follow-up calls)", field=field,
                         zh="必填：客户的联系电话（回访用）")
    number = _parse(str(raw))
    if number is None:
        en, zh = NOT_A_PHONE
        raise StoreError(f"{str(raw).strip()!r} is {en}", field=field, zh=f"{str(raw).strip()} {zh}")
    return _stored(number)


def normalize_hotline(raw: str | None, field: str = "hotline") -> str:
    """A service point's hotline in its stored form: a phone number as ``normalize_phone`` takes
    it, or a mainland service number (95588, 12315: a short number ``phonenumbers`` knows for the
    mainland), kept as its digits; else ``StoreError`` naming ``field``."""
    text = str(raw or "").strip()
    if text.isdigit() and 3 <= len(text) <= 6:
        try:
            number = phonenumbers.parse(text, HOME_REGION)
        except NumberParseException:
            number = None
        if number is not None and phonenumbers.is_valid_short_number_for_region(number, HOME_REGION):
            return text
    try:
        return normalize_phone(raw, field)
    except StoreError as exc:
        if text:
            en, zh = NOT_A_HOTLINE
            raise StoreError(f"{text!r} is {en}", field=field, zh=f"{text} {zh}") from exc
        raise


#: regions whose numbers a clerk may search for without the country code (they are stored with it)
NEARBY_REGIONS = ("HK", "MO", "TW")


def phone_keys(text: str | None) -> list[str]:
    """Every stored form ``text`` can be, to search by it: the number as written (a mainland one
    when it has no country code) and, written without a country code, a Hong Kong, Macao or
    Taiwan number of those digits (a clerk types the 8 digits a Hong Kong customer gives)."""
    if not text or not str(text).strip():
        return []
    raw = str(text).strip()
    regions = (HOME_REGION,) if raw.startswith(("+", "00")) else (HOME_REGION, *NEARBY_REGIONS)
    keys: list[str] = []
    for region in regions:
        number = _parse(raw, region)
        if number is not None and _stored(number) not in keys:
            keys.append(_stored(number))
    return keys


def shown_phone(phone: str | None) -> str | None:
    """A stored number as ``phonenumbers`` writes it for people: a mainland number in the
    national format (``138 0013 8000``), any other in the international one (``+852 9123 4567``).
    A masked value, or one that does not read as a number, is returned as it is."""
    if not phone or "*" in phone:
        return phone
    number = _parse(phone)
    if number is None:
        return phone
    home = phonenumbers.region_code_for_number(number) == HOME_REGION
    return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL if home else PhoneNumberFormat.INTERNATIONAL)


def mask_phone(phone: str | None) -> str | None:
    """The number as ``shown_phone`` writes it, with the digits between its first group (a
    mobile's first three digits, the area code, the country code) and its last four starred:
    ``138 **** 8000`` / ``0755 **** 4321`` / ``+852 **** 4567``: enough to recognise, not to dial."""
    if not phone or "*" in phone:
        return phone                        # none, or masked already
    shown = shown_phone(phone) or ""
    first, space, rest = shown.partition(" ")
    if not space:                           # not a number phonenumbers reads: all but the last four digits
        digits = sum(c.isdigit() for c in shown)
        return _starred(shown, digits - 4) if digits > 4 else "*" * len(shown)
    return f"{first} {_starred(rest, sum(c.isdigit() for c in rest) - 4)}"


def _starred(text: str, count: int) -> str:
    """``text`` with its first ``count`` digits starred (spaces and dashes kept)."""
    out = []
    for c in text:
        if c.isdigit() and count > 0:
            out.append("*")
            count -= 1
        else:
            out.append(c)
    return "".join(out)


def normalize_name(raw: str | None, field: str = "customer") -> str:
    if raw is None or not str(raw).strip():
        raise StoreError("required: the customer's name", field=field, zh="必填：客户姓名")
    name = " ".join(str(raw).split())
    if len(name) > 100:
        raise StoreError("longer than 100 characters", field=field, zh="超过 100 个字符")
    return name


_STORE = re.compile(r"^[A-Z0-9]{2,12}$")


def normalize_store(raw: str | None) -> str:
    if raw is None or not str(raw).strip():
        raise StoreError("required: the service point's code (e.g. SZ01)", field="store",
                         zh="必填：服务网点代码（如 SZ01）")
    code = str(raw).strip().upper()
    if not _STORE.match(code):
        raise StoreError(f"{raw!r} is not a store code: 2-12 letters or digits, e.g. SZ01", field="store",
                         zh=f"{raw!r} 不是网点代码：应为 2 至 12 位字母或数字，如 SZ01")
    return code


def normalize_staff(raw: str | None) -> str:
    if raw is None or not str(raw).strip():
        raise StoreError("required: who is at the counter", field="staff", zh="必填：经办人（柜台当班人员）")
    staff = " ".join(str(raw).split())
    if len(staff) > 64:
        raise StoreError("longer than 64 characters", field="staff", zh="超过 64 个字符")
    return staff
