"""Pure helpers for bulk replay and policy impact previews (no files, no clock, no processes).

* ``compact_decision``: the decision as one replay output line needs it — every remedy with its
  basis, status, missing papers and the policy/rule that decided it, coverage, exclusion ids,
  exchange mode and the policy versions — without citations, messages or the trace (those are
  fixed by the policy versions, which the line names). ``compact_line`` writes the same as one
  JSON line directly, without the dict and ``json.dumps`` (what a replay worker uses).
* ``outcome`` / ``changes``: what a policy editor compares between an old and a new decision.

The streaming, multiprocessing and store access live in ``aftersales.batch.replay``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from aftersales.core.memo import remember
from aftersales.core.vocab import REMEDY_ORDER


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
    bundle = getattr(decision, "bundle", None)
    if bundle is not None:
        out["bundle"] = {"id": bundle[0], "sha256": bundle[1]}
    if getattr(decision, "legal", True) is False:   # said first
        out = {"legal": False, **out}
    return out


# ----------------------------------------------------------------------------- compact lines

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_MEMO_LIMIT = 8192
#: JSON text of the ids, names and statuses decisions repeat (a few hundred in practice)
_TEXT: dict[str, str] = {}
#: JSON text of dates ('"2026-06-15"')
_DAYS: dict[date, str] = {}
#: a remedy's JSON object up to (not including) its ``end``, keyed by what it depends on
_REMEDY: dict[tuple, str] = {}
#: ``"policies":[...]`` keyed by the engine's tuple of policy versions (held, so its id stays unique)
_POLICIES: dict[int, tuple[Any, str]] = {}


def _text(value: Any) -> str:
    """JSON text of a scalar, as ``json.dumps(..., ensure_ascii=False)`` writes it (text memoised)."""
    text = _dumps(value)
    if type(value) is str:
        remember(_TEXT, value, text, _MEMO_LIMIT)
    return text


def _day(value: date | None) -> str:
    """JSON text of a date (ISO, memoised) or null."""
    if value is None:
        return "null"
    text = f'"{value.isoformat()}"'
    if type(value) is date:
        remember(_DAYS, value, text, _MEMO_LIMIT)
    return text


def _remedy_head(r: Any) -> str:
    head = (f'{{"remedy":{_text(r.remedy)},"basis":{_text(r.basis)},"available":{_dumps(r.available)},'
            f'"status":{_text(r.status)},"policy":{_text(r.policy)},"rule":{_text(r.rule)}')
    if r.missing_documents:
        head += f',"missing_documents":{_dumps(list(r.missing_documents))}'
    if r.reason:
        head += f',"reason":{_text(r.reason)}'
    return head


def compact_line(decision: Any, head: str = "{") -> tuple[str, tuple[str, str] | None]:
    """``compact_decision`` as one JSON line, written directly: the same text as
    ``json.dumps({..., **compact_decision(decision)}, ensure_ascii=False, separators=(",", ":"))``.

    ``head`` opens the object and carries the fields that come first (``'{"line":7,'``). Returns
    the line (no newline) and the (remedy, basis) of the entitlement, ``None`` when no remedy is
    available. Ids, dates and whole remedies (but their end) are memoised: a decision's text is
    mostly put together from pieces already written for earlier decisions.
    """
    text = _TEXT
    days = _DAYS
    memo = _REMEDY
    remedies = []
    entitled = None
    for r in decision.remedies:
        available = r.available
        key = (r.remedy, r.basis, available, r.status, r.policy, r.rule, r.missing_documents, r.reason)
        part = memo.get(key)
        if part is None or type(available) is not bool:
            part = _remedy_head(r)
            if type(available) is bool:       # (1 == True: only the boolean's text is kept)
                remember(memo, key, part, _MEMO_LIMIT)
        end = r.end
        remedies.append(f"{part}}}" if end is None else f'{part},"end":{days.get(end) or _day(end)}}}')
        if available and entitled is None:
            entitled = (r.remedy, r.basis)
    cov = decision.coverage
    if cov is None:
        coverage = "null"
    else:
        start, end = cov.start, cov.end
        coverage = (f'{{"start":{days.get(start) or _day(start)},"end":{days.get(end) or _day(end)},'
                    f'"policy":{text.get(cov.policy) or _text(cov.policy)},"rule":{text.get(cov.rule) or _text(cov.rule)}}}')
    exclusions = ",".join([text.get(e.id) or _text(e.id) for e in decision.exclusions])
    ex = decision.exchange
    exchange = "null" if ex is None else (
        f'{{"mode":{text.get(ex.mode) or _text(ex.mode)},'
        f'"warranty_after":{text.get(ex.warranty_after) or _text(ex.warranty_after)}}}')
    refs = decision.policies
    held = _POLICIES.get(id(refs))
    if held is not None and held[0] is refs:
        policies = held[1]
    else:
        policies = _dumps([f"{p.id}@{p.version}" for p in refs])
        if len(_POLICIES) >= 1024:
            _POLICIES.clear()
        _POLICIES[id(refs)] = (refs, policies)
    day = decision.case_date
    line = (f'{head}"brand":{text.get(decision.brand) or _text(decision.brand)},'
            f'"case_date":{days.get(day) or _day(day)},'
            f'"region":{text.get(decision.region) or _text(decision.region)},'
            f'"entitlement":{text.get(entitled[0]) or _text(entitled[0]) if entitled else _PAID},'
            f'"remedies":[{",".join(remedies)}],"coverage":{coverage},"exclusions":[{exclusions}],'
            f'"exchange":{exchange},"service_location":{text.get(decision.service_location) or _text(decision.service_location)},'
            f'"policies":{policies}')
    if decision.notices:
        line += f',"notices":{_dumps([n.id for n in decision.notices])}'
    if decision.plugin_errors:
        line += f',"plugin_errors":{_dumps([{"plugin": f.plugin, "hook": f.hook, "error": f.error} for f in decision.plugin_errors])}'
    bundle = getattr(decision, "bundle", None)
    if bundle is not None:
        line += f',"bundle":{{"id":{_dumps(bundle[0])},"sha256":{_dumps(bundle[1])}}}'
    if getattr(decision, "legal", True) is False:   # said first: the statutory floor was left out
        line = f'{head}"legal":false,{line[len(head):]}'
    return line + "}", entitled


_PAID = '"paid_repair"'


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


def same_outcome(old: Any, new: Any) -> bool:
    """A quick check before making two ``outcome``s: True only when they would be equal (every
    field they are made from is equal, citations and rule ids included); False says nothing."""
    return (old.remedies == new.remedies and old.coverage == new.coverage and old.exclusions == new.exclusions
            and old.exchange == new.exchange and old.service_location == new.service_location
            and old.region == new.region)


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
    order = REMEDY_ORDER
    if old["entitlement"] != new["entitlement"]:
        gained = order.index(new["entitlement"]) < order.index(old["entitlement"])
        rule = (new["rule"] if gained else old["rule"]) or new["rule"] or old["rule"] or "-"
    else:
        rule = new["rule"] or old["rule"] or "-"
        if old["rule"] and new["rule"] and old["rule"] != new["rule"]:
            rule = f"{old['rule']} → {new['rule']}"
    detail = ", ".join(k for k in what if k not in ("entitlement", "basis")) if old["entitlement"] == new["entitlement"] and old["basis"] == new["basis"] else ""
    return frm, to, rule, detail
