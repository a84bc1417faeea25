"""Realistic, reproducible v1 cases for benchmarks, replays and tests.

``generate_cases(n, seed=S)`` yields ``n`` case mappings (the v1 case file, JSON-ready) drawn
from one ``random.Random(seed)``: the same ``n``, ``seed`` and date range always give the same
cases, on any machine and Python version that keeps ``random``'s documented sequence.

The mix imitates a mainland service counter: mostly mainland Apple and Huawei units, a share of
Hong Kong / US / Japan iPhones and overseas Huawei models, other makers under ``generic``;
purchases from a few days to a few years before the visit; papers kept or lost; faults in the
handset or an accessory, some unconfirmed; liquid, drop and tamper damage at counter-like rates;
repeat repairs and service plans now and then. Every IMEI has a correct check digit (Luhn).
Ids, flags and bounds come from the table of case fields (``core.casefields``): a condition
flag added there is generated at ``_RARE`` until it gets a rate of its own.

Pure: no clock, no files. The case dates fall in a fixed range (default 2025-01-01 .. 2026-12-31).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from stdnum import luhn

from aftersales.core.casefields import FIELDS

DEFAULT_START = date(2025, 1, 1)
DEFAULT_END = date(2026, 12, 31)

# (weight, value) tables -------------------------------------------------------------------

_BRANDS = ((45, "apple"), (35, "huawei"), (20, "generic"))

# iPhone models with a few real part-number stems (the letters before the region code)
_APPLE_MODELS = (
    ("iPhone 13", ("MLDW3", "MLE23", "MLT63")),
    ("iPhone 14", ("MPUF3", "MPV83", "MQ3D3")),
    ("iPhone 14 Pro", ("MQ0D3", "MQ1C3")),
    ("iPhone 15", ("MTLE3", "MTLG3", "MTML3")),
    ("iPhone 15 Pro Max", ("MU2N3", "MU2T3")),
    ("iPhone 16", ("MYE73", "MYEA3")),
    ("iPhone 16 Pro", ("MYNE3", "MYNH3")),
)
# region suffix of the part number -> (country of purchase most likely, weight)
_APPLE_REGIONS = ((74, "CH", "CN"), (9, "ZP", "HK"), (2, "ZA", "HK"), (6, "LL", "US"), (4, "J", "JP"), (2, "TA", "TW"))

_HUAWEI_MODELS = (
    ("Mate 60", "BRA"), ("Mate 60 Pro", "ALN"), ("P60", "LNA"), ("nova 12", "BLK"),
    ("Pura 70", "ADY"), ("Mate X5", "ALT"), ("nova 11", "FOA"),
)
_HUAWEI_SUFFIXES = ((62, "AL00", "CN"), (10, "TL00", "CN"), (4, "CL00", "CN"), (10, "AL10", "CN"),
                    (7, "L29", "HK"), (4, "LX9", "US"), (3, "L09", "JP"))

_GENERIC_MODELS = ("Redmi Note 13", "Xiaomi 14", "OPPO Reno 11", "vivo X100", "Honor Magic6", "OnePlus 12",
                   "realme GT5", "iQOO 12", "ZTE Axon 60", "Meizu 21")

_CHANNELS = ((30, "authorized_reseller"), (14, "brand_store_online"), (14, "brand_store_retail"),
             (12, "carrier"), (21, "online_marketplace"), (3, "unauthorized"), (6, "unknown"))

_COMPONENTS = ((64, "host"), (15, "battery"), (7, "charger"), (5, "earphone"), (4, "data_cable"),
               (2, "other_accessory"), (2, "data_card"), (1, "terminal_card"))

_DESCRIPTIONS = {
    "host": ("无法开机", "屏幕闪烁", "触屏失灵", "无信号", "自动重启", "听筒无声", "摄像头无法对焦", "充电口接触不良", "面容ID不可用", "WiFi无法打开"),
    "battery": ("续航明显下降", "电池鼓包", "充不进电", "电量跳变"),
    "charger": ("充电器不工作", "充电器发烫", "快充失效"),
    "earphone": ("单边无声", "麦克风无声", "线控失灵"),
    "data_cable": ("数据线无法充电", "接口松动"),
    "other_accessory": ("附件损坏",),
    "data_card": ("数据卡无法识别",),
    "terminal_card": ("终端卡无法识别",),
}

# Type Allocation Codes that look like real phone TACs (8 digits)
_TACS = ("35693803", "35332510", "35391110", "86769804", "86012345", "35209911", "86473605", "35467812")


# condition flags: how often staff tick each (a flag the table adds later gets ``_RARE``)
_CONDITION_FLAGS = tuple(path.split(".", 1)[1] for path in FIELDS if path.startswith("condition."))
_CONDITION_RATES = {"liquid_damage": 0.05, "physical_damage": 0.09, "unauthorized_repair": 0.03,
                    "certificate_altered": 0.008, "identity_mismatch": 0.008, "label_damaged": 0.015,
                    "cosmetic_wear": 0.3, "accessories_complete": 0.72, "packaging_complete": 0.55,
                    "force_majeure": 0.003, "frame_bent": 0.015}
_RARE = 0.01
_BATTERY_HEALTH = (FIELDS["device.battery_health"].minimum or 0, FIELDS["device.battery_health"].maximum or 100)


def _pick(rng: random.Random, table: tuple) -> Any:
    """A weighted pick from ``((weight, value...), ...)``: the row without its weight."""
    total = 0
    for row in table:
        total += row[0]
    x = rng.random() * total
    for row in table:
        x -= row[0]
        if x < 0:
            return row[1] if len(row) == 2 else row[1:]
    row = table[-1]
    return row[1] if len(row) == 2 else row[1:]


def make_imei(rng: random.Random) -> str:
    """A 15-digit IMEI with a correct Luhn check digit."""
    body = rng.choice(_TACS) + f"{rng.randrange(1_000_000):06d}"
    return body + luhn.calc_check_digit(body)


def _purchase_age(rng: random.Random) -> int | None:
    """Days between purchase and visit: the counter sees many new phones and a long tail."""
    x = rng.random()
    if x < 0.04:
        return None  # invoice lost, purchase date unknown
    if x < 0.16:
        return rng.randrange(0, 8)        # first week (DOA window)
    if x < 0.26:
        return rng.randrange(8, 16)       # second week (DAP window)
    if x < 0.66:
        return rng.randrange(16, 366)     # within a year
    if x < 0.86:
        return rng.randrange(366, 740)    # second year (plans, accessories)
    return rng.randrange(740, 1500)       # old units


def generate_case(rng: random.Random, *, start: date = DEFAULT_START, end: date = DEFAULT_END) -> dict[str, Any]:
    """One v1 case mapping drawn from ``rng``."""
    r = rng.random
    span = (end - start).days
    case_date = start + timedelta(days=rng.randrange(span + 1))
    brand = _pick(rng, _BRANDS)

    device: dict[str, Any] = {}
    country: str | None = "CN"
    foreign = False
    if brand == "apple":
        model, stems = rng.choice(_APPLE_MODELS)
        device["model"] = model
        suffix, country = _pick(rng, _APPLE_REGIONS)
        foreign = suffix != "CH"
        if r() < 0.9:
            device["part_number"] = f"{rng.choice(stems)}{suffix}/A"
        if r() < 0.5:
            device["serial"] = "".join(rng.choice("CDFGHJKLMNPQRTVWXY0123456789") for _ in range(10))
    elif brand == "huawei":
        model, prefix = rng.choice(_HUAWEI_MODELS)
        device["model"] = model
        suffix, country = _pick(rng, _HUAWEI_SUFFIXES)
        foreign = country != "CN"
        if r() < 0.92:
            device["model_code"] = f"{prefix}-{suffix}"
    else:
        device["model"] = rng.choice(_GENERIC_MODELS)
        if r() < 0.05:
            country, foreign = "HK", True
    if r() < 0.85:
        device["imei"] = make_imei(rng)
    # battery health as the phone reports it: worn batteries come in with battery faults
    if r() < (0.9 if brand == "apple" else 0.3):
        low, high = _BATTERY_HEALTH
        device["battery_health"] = rng.randrange(max(low, high - 45), high + 1)

    # purchase
    if foreign:
        channel = _pick(rng, ((50, "brand_store_retail"), (15, "brand_store_online"), (25, "authorized_reseller"), (10, "unknown")))
    else:
        channel = _pick(rng, _CHANNELS)
    purchase: dict[str, Any] = {"channel": channel}
    age = _purchase_age(rng)
    pdate = None if age is None else case_date - timedelta(days=age)
    if pdate is not None:
        purchase["date"] = pdate.isoformat()
        if channel in ("brand_store_online", "online_marketplace") and r() < 0.8:
            received = pdate + timedelta(days=rng.randrange(0, 4))
            purchase["received_date"] = min(received, case_date).isoformat()
    if country is not None and r() < 0.85:
        purchase["country"] = country

    case: dict[str, Any] = {"schema_version": 1, "case_date": case_date.isoformat(), "brand": brand,
                            "device": device, "purchase": purchase}

    if pdate is not None and brand == "apple" and r() < 0.7:
        case["activation_date"] = min(pdate + timedelta(days=rng.randrange(0, 6)), case_date).isoformat()
    if r() < 0.25:
        base = pdate or case_date - timedelta(days=rng.randrange(30, 900))
        device["production_date"] = (base - timedelta(days=rng.randrange(10, 200))).isoformat()

    # papers: customers keep some, lose others
    docs: list[str] = []
    if pdate is not None and r() < 0.72:
        docs.append("invoice")
    elif r() < 0.08:
        docs.append("invoice_copy")
    if not foreign and r() < 0.6:
        docs.append("sanbao_certificate")
    if r() < 0.18:
        docs.append("warranty_card")
    if r() < (0.7 if foreign else 0.25):
        docs.append("purchase_receipt")
    if foreign and r() < 0.55:
        docs.append("exit_entry_proof")
    if r() < 0.1:
        docs.append("id_document")
    if r() < 0.12:
        docs.append("detection_report")

    # fault
    component = _pick(rng, _COMPONENTS)
    if brand != "generic" and component in ("data_card", "terminal_card"):
        component = "host"
    fault: dict[str, Any] = {"component": component, "description": rng.choice(_DESCRIPTIONS[component]),
                             "confirmed": r() < 0.86}
    if component == "host" and r() < 0.3:
        fault["part"] = _pick(rng, ((60, "screen"), (15, "back_cover"), (25, "other")))

    # condition: what staff see on the unit
    condition: dict[str, bool] = {}
    rates = dict(_CONDITION_RATES, jailbroken=0.02 if brand == "apple" else 0.01)
    for flag in _CONDITION_FLAGS:
        if r() < rates.get(flag, _RARE):
            condition[flag] = True
    if condition.get("physical_damage") and component == "host" and "part" not in fault and r() < 0.6:
        fault["part"] = "screen"

    # history
    history: dict[str, Any] = {}
    x = r()
    if x < 0.07:
        history["warranty_repairs_for_fault"] = 2 if r() < 0.8 else 3
        if r() < 0.7:
            docs.append("repair_record")
    elif x < 0.2:
        history["warranty_repairs_for_fault"] = 1
    if history and r() < 0.5:
        history["days_in_repair"] = rng.randrange(1, 40)
    if component not in ("host", "battery") and r() < 0.15:
        history["accessory_exchanges"] = rng.choice((1, 2, 2, 3))
    if r() < 0.06:
        history["current_repair_days"] = rng.randrange(1, 90)
        if r() < 0.3:
            history["awaiting_parts"] = True

    plans: list[str] = []
    if brand == "apple" and r() < 0.14:
        plans.append("applecare_plus")
        if r() < 0.35:
            history["plan_claims"] = {"applecare_plus": rng.choice((1, 1, 2))}
    elif brand == "huawei" and not foreign:
        if r() < 0.08:
            plans.append("huawei_extended_warranty")
        if r() < 0.08:
            plans.append("huawei_screen_cover")
            if r() < 0.2:
                history["plan_claims"] = {"huawei_screen_cover": 1}

    case["documents"] = docs
    case["fault"] = fault
    case["condition"] = condition
    if history:
        case["history"] = history
    if plans:
        case["coverage_plans"] = plans
    return case


def generate_cases(n: int, seed: int = 0, *, start: date = DEFAULT_START, end: date = DEFAULT_END) -> Iterator[dict[str, Any]]:
    """``n`` case mappings from ``random.Random(seed)``; reproducible for a given seed and range."""
    if end < start:
        raise ValueError(f"the case date range ends ({end}) before it starts ({start})")
    rng = random.Random(seed)
    for _ in range(n):
        yield generate_case(rng, start=start, end=end)
