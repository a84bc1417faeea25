"""What happened to the phone: the remedy the customer chose and the outcome of a case.

Pure (no clock, no database): the checks the store runs before it writes anything.

* ``check_remedy(decision, remedy, override)`` — the remedy must be one the latest decision
  offered (available), or a manager overrides with a reason.
* ``parse_outcome(kind, fields, …)`` — the outcome's details, typed (msgspec) and checked:

  ========== ======================================================================
  return     ``refund`` (元, > 0, at most the invoice price), ``invoice_price``
  exchange   ``imei`` (check digit, not the original's), ``serial``, ``date``, ``certificate``
  repair     ``work`` (what was done), ``parts`` (replaced), ``days`` (the days it took)
  paid_repair ``quote``, ``consent`` (the customer's), ``amount`` (charged; 0 when declined)
  ========== ======================================================================

* ``unit_adjustments(records, case_input)`` — how what the store knows about a unit (a
  replacement handed over in an exchange, earlier free repairs) changes a later case on it:
  第二十一条 restarts the three-guarantee period of a replacement on the exchange date (the seller
  stamps the invoice again and issues a new 三包凭证); a brand whose terms let the old unit's
  warranty continue (Apple's ``continues``) keeps the original purchase and activation dates; the
  days of earlier free repairs push the period's end later (``history.days_in_repair``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Annotated, Any

import msgspec

from .errors import StoreError, choices_zh

OUTCOMES: dict[str, tuple[str, str]] = {
    "return": ("已退货退款", "returned and refunded"),
    "exchange": ("已换货", "exchanged"),
    "repair": ("已免费维修", "repaired free of charge"),
    "paid_repair": ("已付费维修", "paid repair"),
}

Money = Annotated[float, msgspec.Meta(ge=0, le=10_000_000)]
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=500)]


class ReturnOutcome(msgspec.Struct, forbid_unknown_fields=True):
    refund: Annotated[float, msgspec.Meta(gt=0, le=10_000_000)]
    invoice_price: Money | None = None


class ExchangeOutcome(msgspec.Struct, forbid_unknown_fields=True):
    imei: Annotated[str, msgspec.Meta(min_length=1, max_length=20)]
    date: date
    serial: Annotated[str, msgspec.Meta(min_length=1, max_length=64)] | None = None
    certificate: Annotated[str, msgspec.Meta(min_length=1, max_length=64)] | None = None


class RepairOutcome(msgspec.Struct, forbid_unknown_fields=True):
    work: Text
    days: Annotated[int, msgspec.Meta(ge=0, le=3650)]
    parts: list[Annotated[str, msgspec.Meta(min_length=1, max_length=100)]] = []


class PaidRepairOutcome(msgspec.Struct, forbid_unknown_fields=True):
    quote: Money
    consent: bool
    amount: Money = 0.0
    work: Text | None = None
    parts: list[Annotated[str, msgspec.Meta(min_length=1, max_length=100)]] = []


_TYPES: dict[str, type[msgspec.Struct]] = {
    "return": ReturnOutcome, "exchange": ExchangeOutcome, "repair": RepairOutcome,
    "paid_repair": PaidRepairOutcome,
}


def split_list(text: str) -> list[str]:
    """A list typed on one line: items apart by a comma (ASCII or full-width) or 、, trimmed,
    empty ones left out (parts replaced, accessories handed over)."""
    return [item.strip() for item in text.replace("，", ",").replace("、", ",").split(",") if item.strip()]


#: the fields the store fills when an outcome leaves them out (``record_outcome``: a free repair's
#: days from the case's log, an exchange's date today)
FILLED_BY_STORE = {"repair": ("days",), "exchange": ("date",)}


def outcome_fields(kind: str) -> dict[str, bool]:
    """The fields an outcome of ``kind`` takes, each with whether it must be given (declared by the
    outcome's record; what the store fills is never required)."""
    return {f.name: f.required and f.name not in FILLED_BY_STORE.get(kind, ())
            for f in msgspec.structs.fields(_TYPES[kind])}


def outcome_label(kind: str | None, lang: str = "zh") -> str:
    if not kind:
        return ""
    zh, en = OUTCOMES.get(kind, (kind, kind))
    return zh if lang == "zh" else en


def badge(outcome: str | None, state: str | None, entitlement: str | None, lang: str = "zh") -> str:
    """What a list shows for a case: its outcome once recorded, 已撤销 when cancelled, else what
    it is entitled to (无 when nothing is)."""
    if outcome:
        return outcome_label(outcome, lang)
    if state == "cancelled":
        from .workflow import state_label

        return state_label("cancelled", lang)
    from aftersales.core.vocab import label

    return label("remedy", entitlement, lang) if entitlement else ("无" if lang == "zh" else "none")


def offered(decision: Mapping[str, Any]) -> list[str]:
    """The remedies the decision offers (available), in the contract's order. A refund offered in
    place of an exchange (``refund_instead`` on the exchange remedy) offers ``return`` too."""
    from aftersales.core.vocab import REMEDY_ORDER

    out: set[str] = set()
    for r in decision.get("remedies") or ():
        if r.get("available"):
            out.add(r.get("remedy"))
            if r.get("refund_instead"):
                out.add("return")
    return [r for r in REMEDY_ORDER if r in out]


def check_remedy(decision: Mapping[str, Any], remedy: str, override: str | None) -> dict[str, Any]:
    """Refuse a remedy the decision did not offer unless ``override`` gives a reason. Returns what
    the event records: ``{"remedy", "offered", "override"?}``."""
    from aftersales.core.vocab import REMEDY_ORDER, label

    if remedy not in REMEDY_ORDER:
        raise StoreError(f"{remedy!r}: one of {', '.join(REMEDY_ORDER)}", field="remedy",
                         zh=f"{remedy!r}：应为 {'、'.join(REMEDY_ORDER)} 之一")
    offers = offered(decision)
    data: dict[str, Any] = {"remedy": remedy, "offered": offers}
    if remedy in offers:
        return data
    reason = (override or "").strip()
    if not reason:
        what = ", ".join(offers) or "none"
        what_zh = "、".join(label("remedy", r) for r in offers) or "无"
        raise StoreError(
            f"the decision does not offer {remedy} ({label('remedy', remedy, 'en')}); offered: {what}; "
            "a manager may record it anyway with --override REASON",
            field="remedy",
            zh=f"判定未给出「{label('remedy', remedy)}」；可办理：{what_zh}；如经店长同意，请用 --override 写明原因")
    data["override"] = reason
    return data


def _convert(kind: str, fields: Mapping[str, Any]) -> msgspec.Struct:
    try:
        return msgspec.convert(dict(fields), _TYPES[kind], strict=False)
    except msgspec.ValidationError as exc:
        text = str(exc)
        missing = re.search(r"missing required field `(\w+)`", text)
        if missing:
            name = missing.group(1)
            raise StoreError(f"{kind} needs {name}", field=name, zh=f"{kind} 需要填写 {name}") from None
        where = ""
        if " - at `$." in text:
            text, where = text.split(" - at `$.", 1)
            where = where.rstrip("`")
        raise StoreError(text, field=where or kind, zh=f"输入不符合要求：{text}") from None


def parse_outcome(kind: str, fields: Mapping[str, Any], *, case_input: Mapping[str, Any],
                  replacement_taken: bool = False) -> dict[str, Any]:
    """The outcome's details, checked; JSON-ready. ``replacement_taken``: the replacement IMEI is
    already recorded for another exchange."""
    if kind not in _TYPES:
        raise StoreError(f"{kind!r}: one of {', '.join(_TYPES)}", field="outcome",
                         zh=f"{kind!r}：应为 {choices_zh({k: OUTCOMES[k] for k in _TYPES})} 之一")
    fields = {k: v for k, v in fields.items() if v is not None and v != [] and v != ""}
    value = _convert(kind, fields)
    device = case_input.get("device") or {}
    if isinstance(value, ReturnOutcome):
        price = value.invoice_price
        if price is None:
            listed = (case_input.get("purchase") or {}).get("price")
            price = float(listed) if isinstance(listed, int | float) else None
        if price is None:
            raise StoreError("the invoice price is not on the case: give --invoice-price (元)", field="invoice_price",
                             zh="案例没有发票金额：请用 --invoice-price 给出发票金额（元）")
        if value.refund > price:
            raise StoreError(f"refund {value.refund:g} is more than the invoice price {price:g}", field="refund",
                             zh=f"退款 {value.refund:g} 元超过发票金额 {price:g} 元")
        return {"refund": value.refund, "invoice_price": price}
    if isinstance(value, ExchangeOutcome):
        from aftersales.core.errors import CaseError
        from aftersales.core.model import validate_imei

        try:   # the one IMEI check, as a case's: 15 digits, the last a right check digit
            new = validate_imei(value.imei, "imei")
        except CaseError as exc:
            raise StoreError(exc.message, field="imei", zh=exc.message_zh) from None
        old = str(device.get("imei") or "")
        if old and old[:14] == new[:14]:
            raise StoreError(f"replacement IMEI {new} is the original unit's", field="imei",
                             zh=f"换货新机 IMEI {new} 与原机相同")
        if value.serial and device.get("serial") and value.serial.strip().upper() == str(device["serial"]).upper():
            raise StoreError(f"replacement serial {value.serial} is the original unit's", field="serial",
                             zh=f"换货新机序列号 {value.serial} 与原机相同")
        if replacement_taken:
            raise StoreError(f"IMEI {new} is already recorded as the replacement in another exchange", field="imei",
                             zh=f"IMEI {new} 已登记为另一次换货的新机")
        return {"imei": new, "serial": value.serial.strip().upper() if value.serial else None,
                "date": value.date.isoformat(), "certificate": value.certificate}
    if isinstance(value, RepairOutcome):
        return {"work": value.work.strip(), "parts": [p.strip() for p in value.parts], "days": value.days}
    assert isinstance(value, PaidRepairOutcome)
    if not value.consent and value.amount:
        raise StoreError("the customer did not consent: nothing may be charged (amount must be 0)",
                         field="amount", zh="客户未同意报价：不得收费（金额应为 0）")
    if value.amount > value.quote:   # what the customer agreed to is the most that may be charged
        raise StoreError(f"charged {value.amount:g} is more than the quote {value.quote:g} the customer agreed to; "
                         f"record the new quote once the customer agrees to it", field="amount",
                         zh=f"实收 {value.amount:g} 元超过客户同意的报价 {value.quote:g} 元；客户同意新报价后按新报价登记")
    return {"quote": value.quote, "consent": value.consent, "amount": value.amount,
            "work": value.work.strip() if value.work else None, "parts": [p.strip() for p in value.parts]}


def outcome_summary(kind: str | None, data: Mapping[str, Any] | None, lang: str = "zh") -> str:
    """One line for people: ``已退货退款 2865 元``, ``已换货 新机 IMEI …``."""
    if not kind:
        return ""
    data = data or {}
    zh = lang == "zh"
    text = outcome_label(kind, lang)
    if kind == "return":
        text += f" {data.get('refund', 0):g} 元" if zh else f" CNY {data.get('refund', 0):g}"
    elif kind == "exchange":
        text += (f" 新机 IMEI {data.get('imei')}" if zh else f" new unit IMEI {data.get('imei')}")
        if data.get("date"):
            text += f"（{data['date']}）" if zh else f" ({data['date']})"
    elif kind == "paid_repair" and not data.get("consent"):
        text += "（客户未同意报价）" if zh else " (quote declined)"
    elif kind in ("repair", "paid_repair"):   # the work done, the parts, the days, what was charged
        if kind == "paid_repair":
            text += f" {data.get('amount', 0):g} 元" if zh else f" CNY {data.get('amount', 0):g}"
        if data.get("work"):
            text += f" {data['work']}"
        if data.get("parts"):
            text += (" 更换：" if zh else " parts: ") + "、".join(data["parts"])
        if data.get("days"):
            text += f"，修理 {data['days']} 天" if zh else f", {data['days']} days in repair"
    return text


# --- the unit's history ---------------------------------------------------------------------

def unit_adjustments(records: Iterable[Any], case_input: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(case_input, unit)``: the case input as the unit's history requires, and what was applied.

    ``records``: the unit's ``unit_records`` rows (``kind``, ``on_date``, ``data``), oldest first.
    The latest replacement record decides the period's start; free repairs since then add their
    days (``history.days_in_repair``) and, for the same component, count as repairs
    (``history.warranty_repairs_for_fault``); the larger of the store's figure and the case
    file's is kept.
    """
    records = list(records)
    unit: dict[str, Any] = {}
    out = {k: (dict(v) if isinstance(v, Mapping) else v) for k, v in case_input.items()}
    since: date | None = None
    replacement = next((r for r in reversed(records) if r.kind == "replacement"), None)
    if replacement is not None:
        d = replacement.data
        since = replacement.on_date
        purchase = dict(out.get("purchase") or {})
        original = d.get("purchase") or {}
        for key in ("channel", "country"):
            if not purchase.get(key) and original.get(key):
                purchase[key] = original[key]
        restarts = d.get("warranty_after") != "continues"
        purchase["date"] = replacement.on_date.isoformat() if restarts else original.get("date")
        if purchase.get("date") is None:
            purchase.pop("date", None)
        out["purchase"] = purchase
        if d.get("activation_date"):
            out["activation_date"] = d["activation_date"]
        elif not restarts:
            out.pop("activation_date", None)
        unit = {"replacement_of": d.get("case"), "original_imei": d.get("original_imei"),
                "exchanged_on": replacement.on_date.isoformat(),
                "warranty_after": "restarts" if restarts else "continues",
                "purchase_date": purchase.get("date")}
        if not restarts:
            carried = int(d.get("days_in_repair") or 0)
            if carried:
                unit["carried_days_in_repair"] = carried
    repairs = [r for r in records if r.kind == "repair" and (since is None or r.on_date >= since)]
    days = sum(int(r.data.get("days") or 0) for r in repairs) + int(unit.get("carried_days_in_repair", 0))
    component = (out.get("fault") or {}).get("component")
    same = sum(1 for r in repairs if r.data.get("component") == component)
    if days or same:
        history = dict(out.get("history") or {})
        if days > int(history.get("days_in_repair") or 0):
            history["days_in_repair"] = days
        if same > int(history.get("warranty_repairs_for_fault") or 0):
            history["warranty_repairs_for_fault"] = same
        out["history"] = history
        unit["repairs"] = [{"case": r.data.get("case"), "on": r.on_date.isoformat(), "days": r.data.get("days"),
                            "component": r.data.get("component")} for r in repairs]
        unit["days_in_repair"] = days
    return out, unit
