"""Pure helpers for bulk replay and policy impact previews (no files, no clock, no processes).

* ``compact_decision``: the decision as one replay output line needs it — every remedy with its
  basis, status, missing papers and the policy/rule that decided it, coverage, exclusion ids,
  exchange mode and the policy versions — without citations, messages or the trace (those are
  fixed by the policy versions, which the line names).
* ``outcome`` / ``changes``: what a policy editor compares between an old and a new decision.

The streaming, multiprocessing and store access live in ``aftersales.replay``.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Mapping



def _iso(d: date | None) -> str | None:
    return d.isoformat() if d is not None else None


def compact_decision(decision: Any) -> dict[str, Any]:
    """The decision without citations, messages and trace (see the module docstring)."""
    remedies = []
    for r in decision.remedies:
        item: dict[str, Any] = {"remedy": r.remedy, "basis": r.basis, "available": r.available, "status": r.status,
                                "policy": r.policy, "rule": r.rule}
        if r.missing_documents:
            item["missing_documents"] = list(r.missing_documents)
        if r.reason:
            item["reason"] = r.reason
        if r.end is not None:
            item["end"] = r.end.isoformat()
        remedies.append(item)
    cov = decision.coverage
    ex = decision.exchange
    out: dict[str, Any] = {
        "brand": decision.brand,
        "case_date": decision.case_date.isoformat(),
        "region": decision.region,
        "entitlement": decision.entitlement,
        "remedies": remedies,
        "coverage": None if cov is None else {"start": _iso(cov.start), "end": _iso(cov.end),
                                              "policy": cov.policy, "rule": cov.rule},
        "exclusions": [e.id for e in decision.exclusions],
        "exchange": None if ex is None else {"mode": ex.mode, "warranty_after": ex.warranty_after},
        "service_location": decision.service_location,
        "policies": [f"{p.id}@{p.version}" for p in decision.policies],
    }
    if decision.notices:
        out["notices"] = [n.id for n in decision.notices]
    if decision.plugin_errors:
        out["plugin_errors"] = [{"plugin": f.plugin, "hook": f.hook, "error": f.error} for f in decision.plugin_errors]
    return out


def entitlement_of(decision: Any) -> tuple[str, str, str | None]:
    """(remedy, basis, "policy/rule") of the most favourable available remedy."""
    for r in decision.remedies:
        if r.available:
            return r.remedy, r.basis, f"{r.policy}/{r.rule}" if r.policy else None
    return "paid_repair", "out_of_warranty", None


def outcome(decision: Any) -> dict[str, Any]:
    """What an impact preview compares: small, JSON-ready, equal exactly when the decision's
    substance is equal (remedies, papers, coverage dates, exclusions, exchange terms)."""
    remedy, basis, rule = entitlement_of(decision)
    cov = decision.coverage
    ex = decision.exchange
    return {
        "entitlement": remedy,
        "basis": basis,
        "rule": rule,
        "available": [r.remedy for r in decision.remedies if r.available],
        "missing": {r.remedy: list(r.missing_documents) for r in decision.remedies if r.missing_documents},
        "coverage_end": _iso(cov.end) if cov is not None else None,
        "exclusions": sorted(e.id for e in decision.exclusions),
        "exchange": None if ex is None else f"{ex.mode}/{ex.warranty_after}",
        "service_location": decision.service_location,
        "region": decision.region,
    }


_CHANGE_ORDER = ("entitlement", "basis", "available", "missing", "coverage_end", "exclusions", "exchange",
                 "service_location", "region")


def changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """The names of the outcome fields that differ (``rule`` alone is not a change)."""
    return [k for k in _CHANGE_ORDER if old.get(k) != new.get(k)]


def change_key(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[str, str, str, str]:
    """How an impact preview groups one changed case: (from, to, rule responsible, what changed).

    ``from``/``to`` are "remedy (basis)". The rule responsible is the one that granted the
    remedy that was won or lost: the old decision's granting rule when the customer gets less or
    something else, the new one's when a remedy appears that the old decision did not have.
    """
    what = changes(old, new)
    frm = f"{old['entitlement']} ({old['basis']})"
    to = f"{new['entitlement']} ({new['basis']})"
    order = ("return", "exchange", "repair", "paid_repair")
    if old["entitlement"] != new["entitlement"]:
        gained = order.index(new["entitlement"]) < order.index(old["entitlement"])
        rule = (new["rule"] if gained else old["rule"]) or new["rule"] or old["rule"] or "-"
    else:
        rule = new["rule"] or old["rule"] or "-"
        if old["rule"] and new["rule"] and old["rule"] != new["rule"]:
            rule = f"{old['rule']} → {new['rule']}"
    detail = ", ".join(k for k in what if k not in ("entitlement", "basis")) if old["entitlement"] == new["entitlement"] and old["basis"] == new["basis"] else ""
    return frm, to, rule, detail
