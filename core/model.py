"""The case: what the customer brings to the counter (v1 case file), frozen after validation.

``parse_case(data)`` turns a mapping (from YAML, JSON or the TUI form) into a ``Case`` or raises
``CaseError`` naming the field and what is allowed. ``case_to_dict`` gives the v1 mapping back.
Pure: the caller supplies ``today`` when the case has no ``case_date``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from collections.abc import Mapping
from typing import Any, Collection

from stdnum import imei as _imei
from stdnum import luhn as _luhn
from stdnum.exceptions import ValidationError as _StdnumError

from .errors import CaseError
from .vocab import CHANNELS, COMPONENTS, COVERAGE_PLANS, DOCUMENTS, PARTS, REGIONS

SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True)
class Device:
    model: str
    part_number: str | None = None
    model_code: str | None = None
    serial: str | None = None
    imei: str | None = None
    region: str | None = None
    production_date: date | None = None


@dataclass(frozen=True, slots=True)
class Purchase:
    date: date | None = None
    channel: str = "unknown"
    country: str | None = None
    #: when an online order reached the customer (no-reason returns count from it)
    received_date: date | None = None


@dataclass(frozen=True, slots=True)
class Fault:
    component: str = "host"
    description: str | None = None
    confirmed: bool = False
    #: which part is damaged or faulty, for plans priced by part (screen / back_cover / other)
    part: str | None = None


@dataclass(frozen=True, slots=True)
class Condition:
    liquid_damage: bool = False
    physical_damage: bool = False
    unauthorized_repair: bool = False
    jailbroken: bool = False
    certificate_altered: bool = False
    identity_mismatch: bool = False
    label_damaged: bool = False
    cosmetic_wear: bool = False
    accessories_complete: bool = False
    packaging_complete: bool = False
    force_majeure: bool = False
    frame_bent: bool = False


@dataclass(frozen=True, slots=True)
class History:
    #: warranty repairs already made for this fault
    warranty_repairs_for_fault: int = 0
    #: days the unit spent in repair or waiting for parts (they push the warranty end later)
    days_in_repair: int = 0
    #: times the faulty accessory was already exchanged
    accessory_exchanges: int = 0
    #: days the current repair has lasted so far
    current_repair_days: int = 0
    #: the current repair waits for parts the producer has not supplied
    awaiting_parts: bool = False
    #: claims already made under each coverage plan in its current term, e.g. {"applecare_plus": 1}
    plan_claims: tuple[tuple[str, int], ...] = ()

    def claims(self, plan: str) -> int:
        for name, count in self.plan_claims:
            if name == plan:
                return count
        return 0


@dataclass(frozen=True, slots=True)
class Case:
    case_date: date
    brand: str
    device: Device
    purchase: Purchase = field(default_factory=Purchase)
    activation_date: date | None = None
    documents: frozenset[str] = frozenset()
    fault: Fault = field(default_factory=Fault)
    condition: Condition = field(default_factory=Condition)
    history: History = field(default_factory=History)
    coverage_plans: frozenset[str] = frozenset()
    schema_version: int = SCHEMA_VERSION


_CONDITION_FLAGS = tuple(f.name for f in fields(Condition))
_HISTORY_INTS = ("warranty_repairs_for_fault", "days_in_repair", "accessory_exchanges", "current_repair_days")


def _allowed(table: Collection[str]) -> str:
    return ", ".join(sorted(table))


def _check_keys(data: Mapping, allowed: Collection[str], where: str) -> None:
    for key in data:
        if key not in allowed:
            path = f"{where}.{key}" if where else str(key)
            raise CaseError(f"unknown field; allowed here: {_allowed(allowed)}", field=path)


def _mapping(value: Any, where: str, *, required: bool = False) -> Mapping:
    if value is None:
        if required:
            raise CaseError("required", field=where)
        return {}
    if not isinstance(value, Mapping):
        raise CaseError(f"must be a mapping, not {type(value).__name__}", field=where)
    return value


def _text(value: Any, where: str, *, required: bool = False) -> str | None:
    if value is None or value == "":
        if required:
            raise CaseError("required", field=where)
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise CaseError(f"must be text, not {type(value).__name__}", field=where)
    return str(value).strip()


def _date(value: Any, where: str, *, required: bool = False) -> date | None:
    if value is None or value == "":
        if required:
            raise CaseError("required (a date, YYYY-MM-DD)", field=where)
        return None
    if isinstance(value, date):
        return value.date() if hasattr(value, "hour") else value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise CaseError(f"{value!r} is not a date (YYYY-MM-DD)", field=where) from None
    raise CaseError(f"must be a date (YYYY-MM-DD), not {type(value).__name__}", field=where)


def _bool(value: Any, where: str) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    raise CaseError(f"must be true or false, not {value!r}", field=where)


def _count(value: Any, where: str) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise CaseError(f"must be a whole number, not {value!r}", field=where)
    if value < 0:
        raise CaseError(f"must not be negative, not {value}", field=where)
    return value


def _choice(value: Any, table: Collection[str], where: str, *, required: bool = False, default: str | None = None) -> str | None:
    if value is None or value == "":
        if required:
            raise CaseError(f"required; one of: {_allowed(table)}", field=where)
        return default
    if not isinstance(value, str) or value not in table:
        raise CaseError(f"unknown id {value!r}; allowed: {_allowed(table)}", field=where)
    return value


def _id_set(value: Any, table: Collection[str], where: str) -> frozenset[str]:
    if value is None:
        return frozenset()
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple, set, frozenset)):
        raise CaseError(f"must be a list of ids ({_allowed(table)})", field=where)
    for index, item in enumerate(value):
        if not isinstance(item, str) or item not in table:
            raise CaseError(f"unknown id {item!r}; allowed: {_allowed(table)}", field=f"{where}[{index}]")
    return frozenset(value)


def validate_imei(value: str, where: str = "device.imei") -> str:
    """The IMEI in its compact form; a wrong check digit or length is a ``CaseError``."""
    # fast path for the usual 15 plain digits with a right check digit (same answer as stdnum's)
    if len(value) == 15 and value.isascii() and value.isdigit() and _luhn.checksum(value) == 0:
        return value
    try:
        return _imei.validate(value)
    except _StdnumError as exc:
        raise CaseError(f"{value!r} is not a valid IMEI ({exc.message})", field=where) from None


_TOP = ("schema_version", "case_date", "brand", "device", "purchase", "activation_date", "documents",
        "fault", "condition", "history", "coverage_plans")
_DEVICE = ("model", "part_number", "model_code", "serial", "imei", "region", "production_date")
_PURCHASE = ("date", "channel", "country", "received_date")
_FAULT = ("component", "description", "confirmed", "part")
_HISTORY = _HISTORY_INTS + ("awaiting_parts", "plan_claims")


def parse_case(
    data: Any,
    *,
    today: date | None = None,
    coverage_plans: Collection[str] | None = None,
) -> Case:
    """Validate a v1 case mapping and freeze it.

    ``today`` fills a missing ``case_date``; ``coverage_plans`` are the plan ids the loaded
    policies know (the bundled ones by default).
    """
    if not isinstance(data, Mapping):
        raise CaseError(f"a case must be a mapping of fields, not {type(data).__name__}")
    _check_keys(data, _TOP, "")
    version = data.get("schema_version", SCHEMA_VERSION)
    if version != SCHEMA_VERSION:
        raise CaseError(f"unsupported schema_version {version!r}; this program reads 1", field="schema_version")

    case_date = _date(data.get("case_date"), "case_date")
    if case_date is None:
        if today is None:
            raise CaseError("required (a date, YYYY-MM-DD)", field="case_date")
        case_date = today
    brand = _text(data.get("brand"), "brand", required=True)

    d = _mapping(data.get("device"), "device", required=True)
    _check_keys(d, _DEVICE, "device")
    imei = _text(d.get("imei"), "device.imei")
    if imei is not None:
        imei = validate_imei(imei)
    device = Device(
        model=_text(d.get("model"), "device.model", required=True),
        part_number=_text(d.get("part_number"), "device.part_number"),
        model_code=_text(d.get("model_code"), "device.model_code"),
        serial=_text(d.get("serial"), "device.serial"),
        imei=imei,
        region=_choice(d.get("region"), REGIONS, "device.region"),
        production_date=_date(d.get("production_date"), "device.production_date"),
    )

    p = _mapping(data.get("purchase"), "purchase")
    _check_keys(p, _PURCHASE, "purchase")
    country = _text(p.get("country"), "purchase.country")
    if country is not None:
        country = country.upper()
        if len(country) != 2 or not country.isalpha() or not country.isascii():
            raise CaseError(f"{country!r} is not a two-letter country code (CN, HK, US...)", field="purchase.country")
    purchase = Purchase(
        date=_date(p.get("date"), "purchase.date"),
        channel=_choice(p.get("channel"), CHANNELS, "purchase.channel", default="unknown"),
        country=country,
        received_date=_date(p.get("received_date"), "purchase.received_date"),
    )

    f = _mapping(data.get("fault"), "fault", required=True)
    _check_keys(f, _FAULT, "fault")
    fault = Fault(
        component=_choice(f.get("component"), COMPONENTS, "fault.component", required=True),
        description=_text(f.get("description"), "fault.description"),
        confirmed=_bool(f.get("confirmed"), "fault.confirmed"),
        part=_choice(f.get("part"), PARTS, "fault.part"),
    )

    c = _mapping(data.get("condition"), "condition")
    _check_keys(c, _CONDITION_FLAGS, "condition")
    condition = Condition(**{k: _bool(v, f"condition.{k}") for k, v in c.items()})

    h = _mapping(data.get("history"), "history")
    _check_keys(h, _HISTORY, "history")
    claims_raw = _mapping(h.get("plan_claims"), "history.plan_claims")
    plans_known = COVERAGE_PLANS if coverage_plans is None else coverage_plans
    claims = []
    for plan, count in claims_raw.items():
        _choice(plan, plans_known, "history.plan_claims")
        claims.append((plan, _count(count, f"history.plan_claims.{plan}")))
    history = History(
        **{k: _count(h.get(k), f"history.{k}") for k in _HISTORY_INTS},
        awaiting_parts=_bool(h.get("awaiting_parts"), "history.awaiting_parts"),
        plan_claims=tuple(sorted(claims)),
    )

    case = Case(
        case_date=case_date,
        brand=brand,
        device=device,
        purchase=purchase,
        activation_date=_date(data.get("activation_date"), "activation_date"),
        documents=_id_set(data.get("documents"), DOCUMENTS, "documents"),
        fault=fault,
        condition=condition,
        history=history,
        coverage_plans=_id_set(data.get("coverage_plans"), plans_known, "coverage_plans"),
    )
    _check_dates(case)
    return case


def _check_dates(case: Case) -> None:
    day = case.case_date
    for where, value in (
        ("purchase.date", case.purchase.date),
        ("purchase.received_date", case.purchase.received_date),
        ("activation_date", case.activation_date),
        ("device.production_date", case.device.production_date),
    ):
        if value is not None and value > day:
            raise CaseError(f"{value.isoformat()} is after the case date {day.isoformat()}", field=where)
    p = case.purchase
    if p.date and p.received_date and p.received_date < p.date:
        raise CaseError(f"{p.received_date.isoformat()} is before the purchase date {p.date.isoformat()}",
                        field="purchase.received_date")
    prod = case.device.production_date
    if prod and p.date and prod > p.date:
        raise CaseError(f"{prod.isoformat()} is after the purchase date {p.date.isoformat()}",
                        field="device.production_date")


def case_to_dict(case: Case) -> dict[str, Any]:
    """The v1 case mapping (JSON-ready: dates as ISO text, empty optional fields left out)."""
    def clean(obj: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(obj):
            value = getattr(obj, f.name)
            if value is None:
                continue
            if isinstance(value, date):
                value = value.isoformat()
            out[f.name] = value
        return out

    device = clean(case.device)
    purchase = clean(case.purchase)
    fault = clean(case.fault)
    condition = {k: v for k, v in clean(case.condition).items() if v}
    history = clean(case.history)
    claims = dict(history.pop("plan_claims", ()))
    history = {k: v for k, v in history.items() if v}
    if claims:
        history["plan_claims"] = claims
    out: dict[str, Any] = {
        "schema_version": case.schema_version,
        "case_date": case.case_date.isoformat(),
        "brand": case.brand,
        "device": device,
        "purchase": purchase,
    }
    if case.activation_date:
        out["activation_date"] = case.activation_date.isoformat()
    out["documents"] = sorted(case.documents)
    out["fault"] = fault
    out["condition"] = condition
    if history:
        out["history"] = history
    if case.coverage_plans:
        out["coverage_plans"] = sorted(case.coverage_plans)
    return out
