"""The intake form as data: which fields it has, how each is checked as typed, and how the
values become a v1 case mapping. Pure (no Textual), so it is tested and benchmarked alone.

Values are kept as typed (text stays text) so nothing typed is ever lost; ``FormState.build``
turns the valid ones into the mapping ``parse_case`` reads and reports the invalid ones by
field path with a message in the UI language.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from aftersales.core.casefields import FIELDS as CASE_FIELDS
from aftersales.core.casefields import IMEI_DIGITS, CaseField
from aftersales.core.vocab import COVERAGE_PLANS, TABLES

from .i18n import t

#: the field kinds: text, date, count, amount (yuan), select, check
TEXT, DATE, COUNT, AMOUNT, SELECT, CHECK = "text", "date", "count", "amount", "select", "check"


class Field:
    """One input of the form."""

    # (plain classes, not dataclasses or msgspec Structs: the form is defined as the counter
    # starts, a dataclass's methods are compiled as it is defined, and msgspec is imported with
    # the case model, after the first screen)
    __slots__ = ("path", "kind", "section", "options", "blank", "spec")

    def __init__(self, path: str, kind: str, section: str, options: str | None = None, blank: bool = False,
                 spec: CaseField | None = None) -> None:
        self.path = path          # case path (``device.imei``) or ``customer.name`` / ``customer.phone``
        self.kind = kind
        self.section = section
        self.options = options    # vocabulary kind for selects
        self.blank = blank        # select may stay empty
        self.spec = spec          # the case field's entry in the table (None: a customer field)

    def __repr__(self) -> str:
        return f"Field({self.path!r}, {self.kind!r})"

    @property
    def widget_id(self) -> str:
        return "f-" + self.path.replace(".", "-")

    @property
    def error_id(self) -> str:
        return "e-" + self.path.replace(".", "-")


def _form_fields() -> tuple[Field, ...]:
    """The form's inputs, in the table's order: one per case field that takes an input (ticked
    ids and condition flags are tick lists), a count per coverage plan, then the customer."""
    out = []
    for spec in CASE_FIELDS.values():
        if spec.widget == "ticks" or spec.section == "condition":
            continue
        section = f"sec.{spec.section}"
        if spec.kind == "claims":
            # how many times each service plan has been claimed (AppleCare+ screen repairs...)
            out += [Field(f"{spec.path}.{plan}", COUNT, section, spec=spec) for plan in COVERAGE_PLANS]
            continue
        blank = spec.widget == SELECT and not spec.required and spec.default is None
        out.append(Field(spec.path, spec.widget, section, spec.vocab, blank, spec))
    out += [Field("customer.name", TEXT, "sec.customer"), Field("customer.phone", TEXT, "sec.customer")]
    return tuple(out)


FIELDS: tuple[Field, ...] = _form_fields()
BY_PATH = {f.path: f for f in FIELDS}
BY_WIDGET = {f.widget_id: f for f in FIELDS}
#: the form's sections in counter order: who the customer is, then the device and the rest
SECTIONS = ("sec.customer", "sec.device", "sec.purchase", "sec.documents", "sec.fault", "sec.condition",
            "sec.history", "sec.plans")
#: the field a new intake starts in: the first of the first section
FIRST_FIELD = next(f for f in FIELDS if f.section == SECTIONS[0])
OPTION_IDS = {f.options: tuple(TABLES[f.options]) for f in FIELDS if f.options and f.options in TABLES}


def date_parts(text: str) -> tuple[int, int, int] | None:
    """(year, month, day) of ``2026-06-15``, ``2026/6/15``, ``2026.06.15``, ``2026年6月15日`` or
    ``20260615`` (not checked to be a day of the calendar); None for any other writing."""
    s = text.strip()
    if re.fullmatch(r"\d{8}", s):
        return int(s[:4]), int(s[4:6]), int(s[6:])
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", s)
    return (int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None


def parse_date(text: str) -> date:
    """The day ``text`` writes (see ``date_parts``); ``ValueError`` otherwise."""
    parts = date_parts(text)
    if parts is None:
        raise ValueError(text.strip())
    return date(*parts)


def check_imei(text: str, lang: str) -> str | None:
    """The message for an IMEI as typed (``None``: valid or empty)."""
    s = text.strip().replace(" ", "").replace("-", "")
    if not s:
        return None
    if not s.isdigit():
        return t("err.imei_digits", lang)
    if len(s) != IMEI_DIGITS:
        return t("err.imei_len", lang, n=len(s))
    from stdnum import imei

    if not imei.is_valid(s):
        return t("err.imei_check", lang)
    return None


def check_phone(text: str, lang: str) -> str | None:
    """What is wrong with the number typed, said without it (it is on the line above)."""
    if not text.strip():
        return None
    from aftersales.store.contact import NOT_A_PHONE, is_phone

    if is_phone(text):
        return None
    en, zh = NOT_A_PHONE
    return zh if lang == "zh" else en


_FULL_DATE = re.compile(r"\d{4}([-/.])\d{2}\1\d{2}|\d{8}")


def complete(f: Field, value: str) -> bool:
    """Whether ``value`` fills ``f`` completely, so the form may move on by itself: a date
    written in full (``2026-08-01``, ``20260801``), a field of fixed length (the table's
    ``length``: the IMEI's 15 digits) that has it; valid either way."""
    s = value.strip()
    if f.kind == DATE:
        if not _FULL_DATE.fullmatch(s):
            return False
    elif f.spec is None or f.spec.length is None:
        return False
    elif len(s.replace(" ", "").replace("-", "")) != f.spec.length:
        return False
    return check_field(f, s, "en") is None


def _maximum(f: Field) -> int | None:
    return None if f.spec is None else f.spec.maximum


def check_field(f: Field, value: Any, lang: str) -> str | None:
    """The message to show beside ``f`` for ``value`` as typed, or ``None``."""
    if f.kind == DATE:
        if value and str(value).strip():
            parts = date_parts(str(value))
            if parts is None or parts[0] < 1:
                return t("err.date", lang)
            year, month, day = parts
            if not 1 <= month <= 12:   # written right, but no such month or day: said so
                return t("err.date_month", lang, month=month)
            try:
                date(year, month, day)
            except ValueError:
                return t("err.date_day", lang, year=year, month=month, day=day)
        return None
    if f.kind == COUNT:
        s = str(value or "").strip()
        if s and not (s.isascii() and s.isdigit()):
            return t("err.count", lang)
        top = _maximum(f)
        if s and top is not None and int(s) > top:
            return t("err.count_max", lang, max=top)
        return None
    if f.kind == AMOUNT:
        s = str(value or "").strip()
        if s:
            try:
                amount = float(s)
            except ValueError:
                return t("err.amount", lang)
            top = _maximum(f)
            if not amount >= 0 or (top is not None and amount > top):
                return t("err.amount", lang)
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


class FormState:
    """What the form holds, keyed by case path; checkboxes as sets of ids."""

    __slots__ = ("values", "documents", "conditions", "plans")

    def __init__(self, values: dict[str, Any] | None = None, documents: set[str] | None = None,
                 conditions: set[str] | None = None, plans: set[str] | None = None) -> None:
        self.values: dict[str, Any] = {} if values is None else values
        self.documents: set[str] = set() if documents is None else documents
        self.conditions: set[str] = set() if conditions is None else conditions
        self.plans: set[str] = set() if plans is None else plans

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FormState):
            return NotImplemented
        return (self.values, self.documents, self.conditions, self.plans) == (
            other.values, other.documents, other.conditions, other.plans)

    __hash__ = None  # type: ignore[assignment]  # what it holds changes

    def __repr__(self) -> str:
        return (f"FormState(values={self.values!r}, documents={self.documents!r}, conditions={self.conditions!r}, "
                f"plans={self.plans!r})")

    @classmethod
    def blank(cls, today: date, brand: str | None = None) -> FormState:
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
        """The v1 case mapping of the valid fields (invalid ones are left out), each put at its
        path in the table's order."""
        errors = self.errors(lang) if errors is None else errors
        v = self.values
        out: dict[str, Any] = {"schema_version": 1}
        for f in FIELDS:
            if f.spec is None:
                continue  # the customer: not part of the case
            value = None if f.path in errors else v.get(f.path)
            if isinstance(value, str):
                value = value.strip() or None
            if f.kind == DATE:
                value = parse_date(value).isoformat() if value else None
            elif f.kind == COUNT:
                value = int(value) if value else None
            elif f.kind == AMOUNT:
                value = float(value) if value else None
            elif f.kind == SELECT and f.spec.kind == "flag":  # a yes/no that may stay unknown
                value = None if value is None else value == "true"
            elif f.kind == CHECK:
                value = bool(value) or (False if f.spec.required or f.path == "fault.confirmed" else None)
            if value is None and f.path not in ("case_date", "brand", "device.model", "fault.component"):
                continue
            *parents, name = f.path.split(".")
            node = out
            for key in parents:
                node = node.setdefault(key, {})
            node[name] = value
        out.setdefault("purchase", {}).setdefault("channel", "unknown")
        out["documents"] = sorted(self.documents)
        out["condition"] = {c: True for c in sorted(self.conditions)}
        if self.plans:
            out["coverage_plans"] = sorted(self.plans)
        order = ("schema_version", "case_date", "brand", "device", "purchase", "activation_date", "documents",
                 "fault", "condition", "history", "stock", "coverage_plans")
        return {key: out[key] for key in order if key in out}

    def missing_for_save(self) -> list[str]:
        """Field paths that must be filled in before the case can be stored."""
        need = []
        for path in ("brand", "device.model", "customer.name", "customer.phone"):
            value = self.values.get(path)
            if not (isinstance(value, str) and value.strip()):
                need.append(path)
        return need

    @classmethod
    def from_case(cls, mapping: dict[str, Any], today: date) -> FormState:
        """A form filled from a v1 case mapping (tests, benchmarks, re-use of a stored case)."""
        state = cls.blank(today)
        v = state.values

        def put(path: str, value: Any) -> None:
            if value is None:
                return
            f = BY_PATH[path]
            if f.kind == CHECK:
                v[path] = bool(value)
            elif isinstance(value, bool):  # a yes/no select
                v[path] = "true" if value else "false"
            else:
                v[path] = f"{value:g}" if isinstance(value, float) else str(value)

        for f in FIELDS:
            node: Any = mapping
            for key in f.path.split("."):
                node = node.get(key) if isinstance(node, dict) else None
            put(f.path, node)
        state.documents = set(mapping.get("documents") or ())
        state.conditions = {k for k, on in (mapping.get("condition") or {}).items() if on}
        state.plans = set(mapping.get("coverage_plans") or ())
        return state


Evaluate = Callable[[dict[str, Any]], Any]
