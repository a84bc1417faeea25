"""A brand written in Python alone, through the documented hooks only: no YAML file, no
``PolicyPlugin``. Its terms are a policy mapping (validated like a file), its region comes from
code (the per-case hook), and one of its conditions is a named predicate.

Usable as a drop-in plugin (``--plugins-dir tests/plugins``) and from the tests."""

from __future__ import annotations

from aftersales import hookimpl
from aftersales.core.outcomes import Identity
from aftersales.core.plugininfo import Brand

NAME = "pybrand"

POLICY = {
    "schema_version": 1,
    "id": "pybrand",
    "kind": "brand",
    "version": "1",
    "title": {"zh": "Python 品牌", "en": "a brand in Python"},
    "source": "a test brand",
    "effective": {"from": "2020-01-01"},
    "applies_to": {"brands": ["pybrand"]},
    "starts": {"invoice": {"from": "purchase_date", "citation": "发票日期起算"}},
    "periods": {"host": {"months": 24}},
    "offers": [
        {"id": "exchange_30_days", "remedy": "exchange", "basis": "dap",
         "when": {"fault.confirmed": True, "predicate.pybrand_genuine": True},
         "start": "invoice", "window": {"days": 30}, "documents": ["invoice"], "citation": "30日内换货"},
        {"id": "repair_24_months", "remedy": "repair", "basis": "warranty",
         "when": {"fault.confirmed": True}, "start": "invoice", "period": "warranty", "citation": "24个月保修"},
    ],
    "exclusions": [
        {"id": "refurbished", "when": {"predicate.pybrand_genuine": False},
         "message": {"zh": "翻新机", "en": "a refurbished unit"}, "citation": "翻新机不适用"},
    ],
    "exchange": {"mode": "on_site", "warranty_after": "continues", "citation": "换机后保修期延续"},
}


def genuine(case) -> bool:
    """A unit whose serial starts with F is refurbished."""
    return not (case.device.serial or "").startswith("F")


@hookimpl
def aftersales_brands():
    return [Brand("pybrand", "Python 品牌", "PyBrand")]


@hookimpl
def aftersales_policies():
    return [POLICY]


@hookimpl
def aftersales_predicates():
    return {"pybrand_genuine": genuine}


@hookimpl
def aftersales_identify_device(case):
    if case.brand != "pybrand" or not case.device.serial:
        return None
    region = "CN" if case.device.serial[1:3] == "CN" else "OTHER"
    return Identity(region=region, plugin=NAME, policy=None, rule="region_from_serial", citation="序列号第2-3位")
