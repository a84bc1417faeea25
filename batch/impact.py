"""What ``policy diff`` compares in two decisions of one case, and who made each difference.

``outcome(decision)`` is the substance of a decision a policy change can alter, small and
JSON-ready: the entitlement, each remedy (available, basis, missing papers, start, end, service
location, the rule that decided it), the coverage dates, the exchange terms (mode, lead days,
warranty after), the exclusions, the region. ``compare(old, new)`` lists each difference as a
:class:`Change` naming the rule behind it on each side, and whether it changes what the customer
is entitled to (a remedy won or lost, its basis, its papers, the region) or only its terms
(dates, exchange terms, where to go, the exclusions named).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from aftersales.core.vocab import REMEDY_ORDER


def _iso(day: Any) -> str | None:
    return day.isoformat() if day is not None else None


def _rule(policy: str | None, rule: str | None) -> str | None:
    return f"{policy}/{rule}" if policy and rule else None


def outcome(decision: Any) -> dict[str, Any]:
    """The comparable substance of a decision (see the module docstring)."""
    best = next((r for r in decision.remedies if r.available), None)
    cov = decision.coverage
    ex = decision.exchange
    region_step = next((t for t in decision.trace if t.effect == "region"), None) if decision.region else None
    return {
        "entitlement": best.remedy if best else "paid_repair",
        "basis": best.basis if best else "out_of_warranty",
        "rule": _rule(best.policy, best.rule) if best else None,
        "available": [r.remedy for r in decision.remedies if r.available],
        "missing": {r.remedy: list(r.missing_documents) for r in decision.remedies if r.missing_documents},
        "remedies": {
            r.remedy: {"available": r.available, "basis": r.basis, "missing": list(r.missing_documents),
                       "start": _iso(r.start), "end": _iso(r.end), "service_location": r.service_location,
                       "refund_instead": None if r.refund_instead is None else [
                           r.refund_instead.amount, r.refund_instead.basis, r.refund_instead.rate_per_day],
                       "rule": _rule(r.policy, r.rule)}
            for r in decision.remedies
        },
        "coverage_start": _iso(cov.start) if cov is not None else None,
        "coverage_end": _iso(cov.end) if cov is not None else None,
        "coverage_rule": _rule(cov.policy, cov.rule) if cov is not None else None,
        "start_rule": (f"{cov.policy}/starts.{cov.start_rule}" if cov is not None and cov.start_rule else None),
        "exchange": None if ex is None else {
            "mode": ex.mode, "lead_days": list(ex.lead_days) if ex.lead_days else None,
            "warranty_after": ex.warranty_after, "rule": _rule(ex.policy, ex.rule)},
        "exclusions": sorted(f"{e.policy}/{e.id}" for e in decision.exclusions),
        "service_location": decision.service_location,
        "region": decision.region,
        "region_rule": _rule(region_step.policy, region_step.rule) if region_step is not None else None,
    }


def same_outcome(old: Any, new: Any) -> bool:
    """A quick check before making two ``outcome``s: True only when they would be equal (every
    field they are made from is equal, citations and rule ids included); False says nothing."""
    return (old.remedies == new.remedies and old.coverage == new.coverage and old.exclusions == new.exclusions
            and old.exchange == new.exchange and old.service_location == new.service_location
            and old.region == new.region)


class Change(NamedTuple):
    """One difference: what (``aspect``, e.g. ``exchange.lead_days``), the two values, the rule
    behind each, and whether it changes the entitlement."""

    aspect: str
    old: Any
    new: Any
    old_rule: str | None
    new_rule: str | None
    entitlement: bool

    def to_dict(self) -> dict[str, Any]:
        return {"aspect": self.aspect, "old": self.old, "new": self.new, "old_rule": self.old_rule,
                "new_rule": self.new_rule, "changes_entitlement": self.entitlement}


def compare(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    """Every difference between two ``outcome``s, entitlement changes first."""
    out: list[Change] = []

    def add(aspect: str, a: Any, b: Any, ra: str | None, rb: str | None, entitles: bool) -> None:
        if a != b:
            out.append(Change(aspect, a, b, ra, rb, entitles))

    if (old["entitlement"], old["basis"]) != (new["entitlement"], new["basis"]):
        add("entitlement", f"{old['entitlement']} ({old['basis']})", f"{new['entitlement']} ({new['basis']})",
            old["rule"], new["rule"], True)
    add("region", old["region"], new["region"], old["region_rule"], new["region_rule"], True)
    for name in REMEDY_ORDER:
        a, b = old["remedies"].get(name), new["remedies"].get(name)
        if a is None and b is None:
            continue
        a, b = a or {}, b or {}
        ra, rb = a.get("rule"), b.get("rule")
        add(f"{name}.available", a.get("available", False), b.get("available", False), ra, rb, True)
        if a.get("available") or b.get("available") or a.get("missing") or b.get("missing"):
            add(f"{name}.basis", a.get("basis"), b.get("basis"), ra, rb, True)
            add(f"{name}.missing", a.get("missing"), b.get("missing"), ra, rb, True)
        if a.get("available") or b.get("available"):   # the terms of a remedy the customer can have
            add(f"{name}.start", a.get("start"), b.get("start"), ra, rb, False)
            add(f"{name}.end", a.get("end"), b.get("end"), ra, rb, False)
            add(f"{name}.service_location", a.get("service_location"), b.get("service_location"), ra, rb, False)
            add(f"{name}.refund_instead", a.get("refund_instead"), b.get("refund_instead"), ra, rb, False)
    add("coverage.start", old["coverage_start"], new["coverage_start"], old["start_rule"] or old["coverage_rule"],
        new["start_rule"] or new["coverage_rule"], False)
    add("coverage.end", old["coverage_end"], new["coverage_end"], old["coverage_rule"], new["coverage_rule"], False)
    exchange_given = "exchange" in old["available"] or "exchange" in new["available"]
    if exchange_given:   # exchange terms matter where an exchange can be had
        ea, eb = old["exchange"] or {}, new["exchange"] or {}
        for key in ("mode", "lead_days", "warranty_after"):
            add(f"exchange.{key}", ea.get(key), eb.get(key), ea.get("rule"), eb.get("rule"), False)
    gone = sorted(set(old["exclusions"]) - set(new["exclusions"]))
    came = sorted(set(new["exclusions"]) - set(old["exclusions"]))
    if gone or came:
        add("exclusions", old["exclusions"], new["exclusions"], ", ".join(gone) or None, ", ".join(came) or None, False)
    add("service_location", old["service_location"], new["service_location"], old["rule"], new["rule"], False)
    out.sort(key=lambda c: not c.entitlement)
    return out


def responsible(changes: list[Change], old: Mapping[str, Any], new: Mapping[str, Any]) -> str:
    """The one rule a group of changed cases is filed under: for a remedy won, the new side's
    rule; for one lost or changed, the old side's; else the rule behind the first change."""
    if (old["entitlement"], old["basis"]) != (new["entitlement"], new["basis"]):
        gained = REMEDY_ORDER.index(new["entitlement"]) < REMEDY_ORDER.index(old["entitlement"])
        return (new["rule"] if gained else old["rule"]) or new["rule"] or old["rule"] or "-"
    for change in changes:
        a, b = change.old_rule, change.new_rule
        if a and b and a != b:
            return f"{a} → {b}"
        if a or b:
            return str(b or a)
    return "-"


def group_key(changes: list[Change], old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple:
    """How changed cases are grouped: the entitlement on each side, whether it changed, and each
    changed aspect with the rule behind it on each side (the values may differ case by case)."""
    entitles = any(c.entitlement for c in changes)
    # a change of terms alone (dates, exchange terms, where to go) is one group whatever the
    # entitlement it leaves in place
    frm = f"{old['entitlement']} ({old['basis']})" if entitles else ""
    to = f"{new['entitlement']} ({new['basis']})" if entitles else ""
    return (frm, to, responsible(changes, old, new), entitles, tuple((c.aspect, c.old_rule, c.new_rule) for c in changes))


class Apart(NamedTuple):
    """What tells a group apart from the other groups filed under the same heading (``heading``):
    ``aspects``, whether its changed
    aspects are not those of every such group (then they are listed); ``rules``, the rules behind
    its aspects where those groups differ, as ``(aspects, old rule, new rule)``."""

    aspects: bool
    rules: tuple[tuple[tuple[str, ...], str | None, str | None], ...]


def shows_aspects(key: tuple) -> bool:
    """Whether the heading of ``group_key`` ``key`` lists its changed aspects: when the
    entitlement stays (only terms, or what another remedy needs, changed)."""
    return not key[3] or key[0] == key[1]


def aspects(key: tuple) -> tuple[str, ...]:
    """The changed aspects of ``group_key`` ``key``, in its order, each once."""
    return tuple(dict.fromkeys(aspect for aspect, _old, _new in key[4]))


def heading(key: tuple) -> tuple:
    """What the heading of ``group_key`` ``key`` says: the entitlement on each side, whether it
    changed, the rule the group is filed under, and the changed aspects where they are listed."""
    return (*key[:4], aspects(key) if shows_aspects(key) else ())


def apart(keys: list[tuple]) -> dict[tuple, Apart]:
    """For each ``group_key`` in ``keys`` that shares its heading with another: what tells it
    apart (``Apart``). A key alone under its heading is not in the answer.

    Two groups under one heading differ in their changed aspects (the list is then shown) or in
    a rule behind an aspect both have (the aspects, and the rules on each side, are then shown):
    an aspect whose rules are the same in every group that has it does not tell them apart."""
    by_heading: dict[tuple, list[tuple]] = {}
    for key in keys:
        by_heading.setdefault(heading(key), []).append(key)
    out: dict[tuple, Apart] = {}
    for same in by_heading.values():
        if len(same) < 2:
            continue
        aspect_sets = {frozenset(a for a, _old, _new in key[4]) for key in same}
        pairs: dict[str, set[tuple[str | None, str | None]]] = {}
        for key in same:
            for aspect, old_rule, new_rule in key[4]:
                pairs.setdefault(aspect, set()).add((old_rule, new_rule))
        for key in same:
            told: dict[tuple[str | None, str | None], list[str]] = {}
            for aspect, old_rule, new_rule in key[4]:
                if len(pairs[aspect]) > 1:
                    told.setdefault((old_rule, new_rule), []).append(aspect)
            out[key] = Apart(len(aspect_sets) > 1, tuple((tuple(a), o, n) for (o, n), a in told.items()))
    return out
