"""The intake form as data: which fields it has, how each is checked as typed, and how the
values become a v1 case mapping. Pure (no Textual), so it is tested and benchmarked alone.

Values are kept as typed (text stays text) so nothing typed is ever lost; ``FormState.build``
turns the valid ones into the mapping ``parse_case`` reads and reports the invalid ones by
field path with a message in the UI language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable

from aftersales.core.vocab import CHANNELS, COMPONENTS, COVERAGE_PLANS, PARTS, REGIONS

from .i18n import t

#: the field kinds: text, date, count, select, check
TEXT, DATE, COUNT, SELECT, CHECK = "text", "date", "count", "select", "check"


@dataclass(frozen=True, slots=True)
class Field:
    path: str          # case path (``device.imei``) or ``customer.name`` / ``customer.phone``
    kind: str
    section: str
    options: str | None = None   # vocabulary kind for selects
    blank: bool = False          # select may stay empty

    @property
    def widget_id(self) -> str:
        return "f-" + self.path.replace(".", "-")

    @property
    def error_id(self) -> str:
        return "e-" + self.path.replace(".", "-")


FIELDS: tuple[Field, ...] = (
    Field("case_date", DATE, "sec.device"),
    Field("brand", SELECT, "sec.device", "brand"),
    Field("device.model", TEXT, "sec.device"),
    Field("device.part_number", TEXT, "sec.device"),
    Field("device.model_code", TEXT, "sec.device"),
    Field("device.region", SELECT, "sec.device", "region", blank=True),
    Field("device.imei", TEXT, "sec.device"),
    Field("device.serial", TEXT, "sec.device"),
    Field("device.production_date", DATE, "sec.device"),
    Field("purchase.date", DATE, "sec.purchase"),
    Field("purchase.channel", SELECT, "sec.purchase", "channel"),
    Field("purchase.country", TEXT, "sec.purchase"),
    Field("purchase.received_date", DATE, "sec.purchase"),
    Field("activation_date", DATE, "sec.purchase"),
    Field("fault.component", SELECT, "sec.fault", "component"),
    Field("fault.description", TEXT, "sec.fault"),
    Field("fault.confirmed", CHECK, "sec.fault"),
    Field("fault.part", SELECT, "sec.fault", "part", blank=True),
    Field("history.warranty_repairs_for_fault", COUNT, "sec.history"),
    Field("history.days_in_repair", COUNT, "sec.history"),
    Field("history.accessory_exchanges", COUNT, "sec.history"),
    Field("history.current_repair_days", COUNT, "sec.history"),
    Field("history.awaiting_parts", CHECK, "sec.history"),
    # how many times each service plan has been claimed (AppleCare+ screen repairs, Huawei screen cover...)
    *(Field(f"history.plan_claims.{plan}", COUNT, "sec.history") for plan in COVERAGE_PLANS),
    Field("customer.name", TEXT, "sec.customer"),
    Field("customer.phone", TEXT, "sec.customer"),
)
BY_PATH = {f.path: f for f in FIELDS}
BY_WIDGET = {f.widget_id: f for f in FIELDS}
SECTIONS = ("sec.device", "sec.purchase", "sec.documents", "sec.fault", "sec.condition",
            "sec.history", "sec.plans", "sec.customer")
OPTION_IDS = {"region": tuple(REGIONS), "channel": tuple(CHANNELS), "component": tuple(COMPONENTS),
              "part": tuple(PARTS)}



def parse_date(text: str) -> date:
    """``2026-06-15``, ``2026/6/15``, ``2026.06.15`` or ``20260615``; ``ValueError`` otherwise."""
    s = text.strip()
    if re.fullmatch(r"\d{8}", s):
        return date(int(s[:4]), int(s[4:6]), int(s[6:]))
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", s)
    if not m:
        raise ValueError(s)
    return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))


def check_imei(text: str, lang: str) -> str | None:
    """The message for an IMEI as typed (``None``: valid or empty)."""
    s = text.strip().replace(" ", "").replace("-", "")
    if not s:
        return None
    if not s.isdigit():
        return t("err.imei_digits", lang)
    if len(s) != 15:
        return t("err.imei_len", lang, n=len(s))
    from stdnum import imei

    if not imei.is_valid(s):
        return t("err.imei_check", lang)
    return None


def check_phone(text: str, lang: str) -> str | None:
    if not text.strip():
        return None
    from aftersales.store.contact import normalize_phone
    from aftersales.core.errors import AftersalesError

    try:
        normalize_phone(text)
    except AftersalesError as exc:
        return exc.message if lang == "en" else "不是有效的内地电话号码（手机 11 位，或带区号的座机）"
    return None


def check_field(f: Field, value: Any, lang: str) -> str | None:
    """The message to show beside ``f`` for ``value`` as typed, or ``None``."""
    if f.kind == DATE:
        if value and str(value).strip():
            try:
                parse_date(str(value))
            except ValueError:
                return t("err.date", lang)
        return None
    if f.kind == COUNT:
        s = str(value or "").strip()
        if s and not s.isdigit():
            return t("err.count", lang)
        return None
    if f.path == "device.imei":
        return check_imei(str(value or ""), lang)
    if f.path == "customer.phone":
        return check_phone(str(value or ""), lang)
    if f.path == "purchase.country":
        s = str(value or "").strip()
        if s and not (len(s) == 2 and s.isascii() and s.isalpha()):
            return t("err.country", lang)
    return None


@dataclass
class FormState:
    """What the form holds, keyed by case path; checkboxes as sets of ids."""

    values: dict[str, Any] = field(default_factory=dict)
    documents: set[str] = field(default_factory=set)
    conditions: set[str] = field(default_factory=set)
    plans: set[str] = field(default_factory=set)

    @classmethod
    def blank(cls, today: date, brand: str | None = None) -> "FormState":
        values: dict[str, Any] = {f.path: (False if f.kind == CHECK else "") for f in FIELDS}
        values.update({"case_date": today.isoformat(), "brand": brand or "", "purchase.channel": "unknown",
                       "purchase.country": "CN", "fault.component": "host", "device.region": "",
                       "fault.part": ""})
        return cls(values)

    def set(self, path: str, value: Any) -> None:
        self.values[path] = value

    def errors(self, lang: str) -> dict[str, str]:
        out = {}
        for f in FIELDS:
            msg = check_field(f, self.values.get(f.path), lang)
            if msg:
                out[f.path] = msg
        return out

    def build(self, lang: str = "zh", errors: dict[str, str] | None = None) -> dict[str, Any]:
        """The v1 case mapping of the valid fields (invalid ones are left out)."""
        errors = self.errors(lang) if errors is None else errors
        v = self.values

        def get(path: str) -> Any:
            if path in errors:
                return None
            value = v.get(path)
            if isinstance(value, str):
                value = value.strip()
                if not value:
                    return None
            return value

        def day(path: str) -> str | None:
            value = get(path)
            return parse_date(value).isoformat() if value else None

        device = {"model": get("device.model")}
        for key in ("part_number", "model_code", "serial", "region"):
            value = get(f"device.{key}")
            if value:
                device[key] = value
        imei = get("device.imei")
        if imei:
            device["imei"] = imei.replace(" ", "").replace("-", "")
        prod = day("device.production_date")
        if prod:
            device["production_date"] = prod
        purchase: dict[str, Any] = {"channel": get("purchase.channel") or "unknown"}
        for key, path in (("date", "purchase.date"), ("received_date", "purchase.received_date")):
            value = day(path)
            if value:
                purchase[key] = value
        country = get("purchase.country")
        if country:
            purchase["country"] = country.upper()
        fault: dict[str, Any] = {"component": get("fault.component"), "confirmed": bool(v.get("fault.confirmed"))}
        if get("fault.description"):
            fault["description"] = get("fault.description")
        if get("fault.part"):
            fault["part"] = get("fault.part")
        history: dict[str, Any] = {}
        for key in ("warranty_repairs_for_fault", "days_in_repair", "accessory_exchanges", "current_repair_days"):
            value = get(f"history.{key}")
            if value:
                history[key] = int(value)
        if v.get("history.awaiting_parts"):
            history["awaiting_parts"] = True
        claims = {plan: int(value) for plan in COVERAGE_PLANS if (value := get(f"history.plan_claims.{plan}"))}
        if claims:
            history["plan_claims"] = claims
        out: dict[str, Any] = {
            "schema_version": 1,
            "case_date": day("case_date"),
            "brand": get("brand"),
            "device": device,
            "purchase": purchase,
            "documents": sorted(self.documents),
            "fault": fault,
            "condition": {c: True for c in sorted(self.conditions)},
        }
        act = day("activation_date")
        if act:
            out["activation_date"] = act
        if history:
            out["history"] = history
        if self.plans:
            out["coverage_plans"] = sorted(self.plans)
        return out

    def missing_for_save(self) -> list[str]:
        """Field paths that must be filled in before the case can be stored."""
        need = []
        for path in ("brand", "device.model", "customer.name", "customer.phone"):
            value = self.values.get(path)
            if not (isinstance(value, str) and value.strip()):
                need.append(path)
        return need

    @classmethod
    def from_case(cls, mapping: dict[str, Any], today: date) -> "FormState":
        """A form filled from a v1 case mapping (tests, benchmarks, re-use of a stored case)."""
        state = cls.blank(today)
        v = state.values

        def put(path: str, value: Any) -> None:
            if value is None:
                return
            f = BY_PATH[path]
            v[path] = bool(value) if f.kind == CHECK else str(value)

        put("case_date", mapping.get("case_date"))
        put("brand", mapping.get("brand"))
        for key, value in (mapping.get("device") or {}).items():
            put(f"device.{key}", value)
        for key, value in (mapping.get("purchase") or {}).items():
            put(f"purchase.{key}", value)
        put("activation_date", mapping.get("activation_date"))
        for key, value in (mapping.get("fault") or {}).items():
            put(f"fault.{key}", value)
        for key, value in (mapping.get("history") or {}).items():
            if f"history.{key}" in BY_PATH:
                put(f"history.{key}", value)
        for plan, count in ((mapping.get("history") or {}).get("plan_claims") or {}).items():
            if f"history.plan_claims.{plan}" in BY_PATH:
                put(f"history.plan_claims.{plan}", count)
        state.documents = set(mapping.get("documents") or ())
        state.conditions = {k for k, on in (mapping.get("condition") or {}).items() if on}
        state.plans = set(mapping.get("coverage_plans") or ())
        return state


Evaluate = Callable[[dict[str, Any]], Any]
