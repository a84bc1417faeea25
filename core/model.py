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
from .memo import remember
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


def _builder(cls: type) -> Any:
    """``build(*values)``: a ``cls`` (a frozen dataclass with slots) from every field's value in
    order, set straight through the slots. The dataclass's ``__init__`` sets each field through
    ``object.__setattr__`` (about twice as slow); the lean parser, whose values are already
    checked, builds its records with this."""
    names = [f.name for f in fields(cls)]
    namespace: dict[str, Any] = {"_new": object.__new__, "_cls": cls}
    namespace.update({f"_set{i}": getattr(cls, name).__set__ for i, name in enumerate(names)})
    args = ", ".join(f"v{i}" for i in range(len(names)))
    sets = "; ".join(f"_set{i}(o, v{i})" for i in range(len(names)))
    exec(f"def build({args}):\n    o = _new(_cls); {sets}\n    return o", namespace)  # noqa: S102 - built above
    return namespace["build"]


_CONDITION_FLAGS = tuple(f.name for f in fields(Condition))
_HISTORY_INTS = ("warranty_repairs_for_fault", "days_in_repair", "accessory_exchanges", "current_repair_days")


def _allowed(table: Collection[str]) -> str:
    return ", ".join(sorted(table))


def _check_keys(data: Mapping, allowed: Collection[str], where: str) -> None:
    for key in data:
        if key not in allowed:
            path = f"{where}.{key}" if where else str(key)
            raise CaseError(f"unknown field; allowed here: {_allowed(allowed)}", field=path,
                            zh=f"未知字段；此处可用：{_allowed(allowed)}")


def _mapping(value: Any, where: str, *, required: bool = False) -> Mapping:
    if value is None:
        if required:
            raise CaseError("required", field=where, zh="必填")
        return {}
    if not isinstance(value, Mapping):
        raise CaseError(f"must be a mapping, not {type(value).__name__}", field=where,
                        zh=f"应为字段映射，而不是 {type(value).__name__}")
    return value


def _text(value: Any, where: str, *, required: bool = False) -> str | None:
    if value is None or value == "":
        if required:
            raise CaseError("required", field=where, zh="必填")
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise CaseError(f"must be text, not {type(value).__name__}", field=where, zh=f"应为文本，而不是 {type(value).__name__}")
    return str(value).strip()


def _date(value: Any, where: str, *, required: bool = False) -> date | None:
    if value is None or value == "":
        if required:
            raise CaseError("required (a date, YYYY-MM-DD)", field=where, zh="必填（日期，YYYY-MM-DD）")
        return None
    if isinstance(value, date):
        return value.date() if hasattr(value, "hour") else value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise CaseError(f"{value!r} is not a date (YYYY-MM-DD)", field=where,
                            zh=f"{value!r} 不是日期（YYYY-MM-DD）") from None
    raise CaseError(f"must be a date (YYYY-MM-DD), not {type(value).__name__}", field=where,
                    zh=f"应为日期（YYYY-MM-DD），而不是 {type(value).__name__}")


def _bool(value: Any, where: str) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    raise CaseError(f"must be true or false, not {value!r}", field=where, zh=f"应为 true 或 false，而不是 {value!r}")


def _count(value: Any, where: str) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise CaseError(f"must be a whole number, not {value!r}", field=where, zh=f"应为整数，而不是 {value!r}")
    if value < 0:
        raise CaseError(f"must not be negative, not {value}", field=where, zh=f"不能为负数：{value}")
    return value


def _choice(value: Any, table: Collection[str], where: str, *, required: bool = False, default: str | None = None) -> str | None:
    if value is None or value == "":
        if required:
            raise CaseError(f"required; one of: {_allowed(table)}", field=where, zh=f"必填；可选：{_allowed(table)}")
        return default
    if not isinstance(value, str) or value not in table:
        raise CaseError(f"unknown id {value!r}; allowed: {_allowed(table)}", field=where,
                        zh=f"未知代码 {value!r}；可用：{_allowed(table)}")
    return value


def _id_set(value: Any, table: Collection[str], where: str) -> frozenset[str]:
    if value is None:
        return frozenset()
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple, set, frozenset)):
        raise CaseError(f"must be a list of ids ({_allowed(table)})", field=where, zh=f"应为代码列表（{_allowed(table)}）")
    for index, item in enumerate(value):
        if not isinstance(item, str) or item not in table:
            raise CaseError(f"unknown id {item!r}; allowed: {_allowed(table)}", field=f"{where}[{index}]",
                            zh=f"未知代码 {item!r}；可用：{_allowed(table)}")
    return frozenset(value)


def validate_imei(value: str, where: str = "device.imei") -> str:
    """The IMEI in its compact form; a wrong check digit or length is a ``CaseError``."""
    # fast path for the usual 15 plain digits with a right check digit (same answer as stdnum's)
    if len(value) == 15 and value.isascii() and value.isdigit() and _luhn.checksum(value) == 0:
        return value
    try:
        return _imei.validate(value)
    except _StdnumError as exc:
        raise CaseError(f"{value!r} is not a valid IMEI ({exc.message})", field=where,
                        zh=f"{value!r} 不是有效的 IMEI（{exc.message}）") from None


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

    A plain, well-formed mapping (what JSON, YAML and the counter form give) takes one lean pass;
    anything the lean pass does not recognise at once — a wrong field, an odd type, a mapping
    that is not a ``dict`` — goes through the careful parser, which names the field.
    """
    if type(data) is dict:
        try:
            case = _parse_lean(data, today, COVERAGE_PLANS if coverage_plans is None else coverage_plans)
        except Exception:  # noqa: BLE001 - whatever the lean pass trips on, the careful one explains
            case = None
        if case is not None:
            return case
    return _parse_careful(data, today, coverage_plans)


# Values the lean pass meets again and again, with what they validate to. Each table only ever
# holds entries the careful parser would give the same answer for, and is emptied when it grows
# past ``_MEMO_LIMIT`` entries (so memory stays bounded on any input).
_MEMO_LIMIT = 8192
_DATES: dict[str, date] = {}                                   # "2026-06-15" -> date
_COUNTRIES: dict[str, str] = {}                                # " cn" -> "CN"
_ID_SETS: dict[tuple, frozenset[str]] = {}                     # ("invoice", ...) -> documents
_FAULTS: dict[tuple, Fault] = {}                               # (component, description, confirmed, part)
_CONDITIONS: dict[tuple, Condition] = {}                       # the condition's items (all booleans)
_HISTORIES: dict[tuple, History] = {}                          # the five counts and the claims

_TOP_KEYS = frozenset(_TOP)
_DEVICE_KEYS = frozenset(_DEVICE)
_PURCHASE_KEYS = frozenset(_PURCHASE)
_FAULT_KEYS = frozenset(_FAULT)
_CONDITION_KEYS = frozenset(_CONDITION_FLAGS)
_HISTORY_KEYS = frozenset(_HISTORY)
_NO_PURCHASE = Purchase()
_DEVICE_OF = _builder(Device)
_PURCHASE_OF = _builder(Purchase)
_CASE_OF = _builder(Case)
_NO_CONDITION = Condition()
_NO_HISTORY = History()
_NO_IDS: frozenset[str] = frozenset()
#: what a lean helper gives for a value the careful parser must look at
_ODD = object()


def _lean_text(value: Any) -> Any:
    """An optional text field, stripped (``None`` when absent or empty); ``_ODD`` when not text."""
    if value is None:
        return None
    if type(value) is not str:
        return _ODD
    return value.strip() if value else None


def _lean_day(value: Any) -> Any:
    """An optional date field: ``None`` when absent or empty, the date (ISO text, memoised, or a
    ``date``), or ``_ODD`` for anything else."""
    if value is None or value == "":
        return None
    return _DATES.get(value) or _lean_date(value) or _ODD


def _lean_date(value: Any) -> date | None:
    """A date from ISO text (memoised) or a ``date``; ``None`` for anything else."""
    if type(value) is str:
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            return None
        remember(_DATES, value, day, _MEMO_LIMIT)
        return day
    if type(value) is date:
        return value
    return None


def _parse_lean(data: dict, today: date | None, plans: Collection[str]) -> Case | None:
    """The case in one pass, or ``None`` when anything is unusual (the careful parser then decides).

    Gives exactly the ``Case`` the careful parser gives for every input it accepts.
    """
    if not _TOP_KEYS.issuperset(data) or data.get("schema_version", SCHEMA_VERSION) != SCHEMA_VERSION:
        return None
    get = data.get

    case_date = _lean_day(get("case_date"))
    if case_date is None:
        if today is None:
            return None
        case_date = today
    elif case_date is _ODD:
        return None
    brand = get("brand")
    if type(brand) is not str or not brand:
        return None
    brand = brand.strip()

    # device
    d = get("device")
    if type(d) is not dict or not _DEVICE_KEYS.issuperset(d):
        return None
    model = d.get("model")
    if type(model) is not str or not model:
        return None
    part_number = _lean_text(d.get("part_number"))
    model_code = _lean_text(d.get("model_code"))
    serial = _lean_text(d.get("serial"))
    if part_number is _ODD or model_code is _ODD or serial is _ODD:
        return None
    imei = d.get("imei")
    if imei is not None:
        if type(imei) is not str:
            return None
        # a bad IMEI raises here, and the careful parser says what is wrong with it
        imei = validate_imei(imei.strip()) if imei else None
    region = d.get("region")
    if region is not None and region != "":
        if region not in REGIONS:
            return None
    else:
        region = None
    production_date = _lean_day(d.get("production_date"))
    if production_date is _ODD:
        return None
    device = _DEVICE_OF(model.strip(), part_number, model_code, serial, imei, region, production_date)

    # purchase
    p = get("purchase")
    purchase_date = received_date = None
    if p is None:
        purchase = _NO_PURCHASE
    else:
        if type(p) is not dict or not _PURCHASE_KEYS.issuperset(p):
            return None
        purchase_date = _lean_day(p.get("date"))
        if purchase_date is _ODD or (purchase_date is not None and purchase_date > case_date):
            return None
        channel = p.get("channel")
        if channel is None or channel == "":
            channel = "unknown"
        elif channel not in CHANNELS:
            return None
        country = p.get("country")
        if country is not None and country != "":
            raw = country
            country = _COUNTRIES.get(raw)
            if country is None:
                if type(raw) is not str:
                    return None
                country = raw.strip().upper()
                if len(country) != 2 or not country.isalpha() or not country.isascii():
                    return None
                remember(_COUNTRIES, raw, country, _MEMO_LIMIT)
        else:
            country = None
        received_date = _lean_day(p.get("received_date"))
        if received_date is _ODD or (received_date is not None and (
                received_date > case_date or (purchase_date is not None and received_date < purchase_date))):
            return None
        purchase = _PURCHASE_OF(purchase_date, channel, country, received_date)
    if production_date is not None and (production_date > case_date
                                        or (purchase_date is not None and production_date > purchase_date)):
        return None

    activation_date = _lean_day(get("activation_date"))
    if activation_date is _ODD or (activation_date is not None and activation_date > case_date):
        return None

    value = get("documents")
    if value is None:
        documents = _NO_IDS
    else:
        if type(value) is not list:
            return None
        key = tuple(value)
        documents = _ID_SETS.get(key)
        if documents is None:
            for item in key:
                if type(item) is not str or item not in DOCUMENTS:
                    return None
            documents = frozenset(key)
            remember(_ID_SETS, key, documents, _MEMO_LIMIT)

    # fault
    f = get("fault")
    if type(f) is not dict:
        return None
    key = (f.get("component"), f.get("description"), f.get("confirmed"), f.get("part"))
    fault = _FAULTS.get(key)
    if fault is None or type(key[2]) is not type(fault.confirmed) and key[2] is not None:
        if not _FAULT_KEYS.issuperset(f):
            return None
        component, description, confirmed, part = key
        if type(component) is not str or component not in COMPONENTS:
            return None
        if description is not None:
            if type(description) is not str:
                return None
            description = description.strip() if description else None
        if confirmed is None:
            confirmed = False
        elif type(confirmed) is not bool:
            return None
        if part is not None and part != "":
            if part not in PARTS:
                return None
        else:
            part = None
        fault = Fault(component, description, confirmed, part)
        remember(_FAULTS, key, fault, _MEMO_LIMIT)
    elif not _FAULT_KEYS.issuperset(f):
        return None

    # condition: every value true, false or null
    c = get("condition")
    if c is None:
        condition = _NO_CONDITION
    else:
        if type(c) is not dict:
            return None
        for value in c.values():
            if value is not True and value is not False and value is not None:
                return None
        key = tuple(c.items())
        condition = _CONDITIONS.get(key)
        if condition is None:
            if not _CONDITION_KEYS.issuperset(c):
                return None
            condition = Condition(**{k: v is True for k, v in key})
            remember(_CONDITIONS, key, condition, _MEMO_LIMIT)

    # history: counts are whole numbers >= 0 (not booleans), awaiting_parts a boolean
    h = get("history")
    if h is None:
        history = _NO_HISTORY
    else:
        if type(h) is not dict or not _HISTORY_KEYS.issuperset(h):
            return None
        counts = (h.get("warranty_repairs_for_fault"), h.get("days_in_repair"), h.get("accessory_exchanges"),
                  h.get("current_repair_days"))
        for value in counts:
            if value is not None and (type(value) is not int or value < 0):
                return None
        awaiting = h.get("awaiting_parts")
        if awaiting is not None and type(awaiting) is not bool:
            return None
        raw_claims = h.get("plan_claims")
        claims: tuple = ()
        if raw_claims is not None:
            if type(raw_claims) is not dict:
                return None
            for plan, count in raw_claims.items():
                if type(plan) is not str or plan not in plans or type(count) is not int or count < 0:
                    return None
            claims = tuple(sorted(raw_claims.items()))
        key = (counts, awaiting, claims)
        history = _HISTORIES.get(key)
        if history is None:
            w, r, a, cur = counts
            history = History(w or 0, r or 0, a or 0, cur or 0, awaiting or False, claims)
            remember(_HISTORIES, key, history, _MEMO_LIMIT)

    value = get("coverage_plans")
    if not value:
        if value is not None and type(value) is not list:
            return None
        coverage = _NO_IDS
    else:
        if type(value) is not list:
            return None
        for item in value:
            if type(item) is not str or item not in plans:
                return None
        coverage = frozenset(value)

    return _CASE_OF(case_date, brand, device, purchase, activation_date, documents, fault, condition, history,
                    coverage, SCHEMA_VERSION)


def _parse_careful(data: Any, today: date | None, coverage_plans: Collection[str] | None) -> Case:
    """The reference parser: each field through its helper; the first problem is a ``CaseError``
    naming the field. Every case the lean pass cannot take comes here."""
    if not isinstance(data, Mapping):
        raise CaseError(f"a case must be a mapping of fields, not {type(data).__name__}",
                        zh=f"案例应为字段映射，而不是 {type(data).__name__}")
    _check_keys(data, _TOP, "")
    version = data.get("schema_version", SCHEMA_VERSION)
    if version != SCHEMA_VERSION:
        raise CaseError(f"unsupported schema_version {version!r}; this program reads 1", field="schema_version",
                        zh=f"不支持的 schema_version {version!r}；本程序读取版本 1")

    case_date = _date(data.get("case_date"), "case_date")
    if case_date is None:
        if today is None:
            raise CaseError("required (a date, YYYY-MM-DD)", field="case_date", zh="必填（日期，YYYY-MM-DD）")
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
            raise CaseError(f"{country!r} is not a two-letter country code (CN, HK, US...)", field="purchase.country",
                            zh=f"{country!r} 不是两位字母的国家或地区代码（CN、HK、US…）")
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
            raise CaseError(f"{value.isoformat()} is after the case date {day.isoformat()}", field=where,
                            zh=f"{value.isoformat()} 晚于受理日期 {day.isoformat()}")
    p = case.purchase
    if p.date and p.received_date and p.received_date < p.date:
        raise CaseError(f"{p.received_date.isoformat()} is before the purchase date {p.date.isoformat()}",
                        field="purchase.received_date",
                        zh=f"{p.received_date.isoformat()} 早于购买日期 {p.date.isoformat()}")
    prod = case.device.production_date
    if prod and p.date and prod > p.date:
        raise CaseError(f"{prod.isoformat()} is after the purchase date {p.date.isoformat()}",
                        field="device.production_date", zh=f"{prod.isoformat()} 晚于购买日期 {p.date.isoformat()}")


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
