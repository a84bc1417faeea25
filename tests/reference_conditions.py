"""A reference reading of policy conditions, for the tests only: an oracle the compiled verdicts
(``core/rules.py``) are compared with. Plain and slow on purpose; production compiles conditions
one way only."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def field_value(case: Any, region: str, predicates: Mapping[str, bool], path: str) -> Any:
    if path == "region":
        return region
    if path.startswith("predicate."):
        return predicates[path[len("predicate."):]]
    if path.startswith("history.plan_claims."):
        return case.history.claims(path.rsplit(".", 1)[1])
    value = case
    for part in path.split("."):
        value = getattr(value, part)
    return value


def holds(matcher: Any, value: Any) -> bool:
    if isinstance(matcher, bool) or matcher is None:
        return value is matcher
    if isinstance(matcher, (str, int, float)):
        return value == matcher
    if isinstance(matcher, list):
        return value in matcher
    (op, arg), = matcher.items()
    if op == "eq":
        return holds(arg, value)
    if op == "ne":
        return not holds(arg, value)
    if op == "in":
        return value in arg
    if op == "not_in":
        return value not in arg
    if op in ("gt", "gte", "lt", "lte"):
        if value is None:
            return False
        return {"gt": value > arg, "gte": value >= arg, "lt": value < arg, "lte": value <= arg}[op]
    if op == "present":
        return (value is not None) == bool(arg)
    if op == "includes":
        return arg in value
    if op == "excludes":
        return arg not in value
    if op == "any_of":
        return any(item in value for item in arg)
    if op == "none_of":
        return not any(item in value for item in arg)
    raise ValueError(f"unknown operator {op!r}")


def first_failing(when: Mapping[str, Any] | None, case: Any, region: str, predicates: Mapping[str, bool] = {}) -> str | None:
    """The path of the first condition of ``when`` that does not hold, or None when all hold."""
    for path, matcher in (when or {}).items():
        if not holds(matcher, field_value(case, region, predicates, path)):
            return path
    return None


def assessment(policy: Any, case: Any, region: str, predicates: Mapping[str, bool] = {}) -> tuple:
    """(live offers, not-applicable results, exclusion hits, notices) read the plain way."""
    live, na = [], []
    for offer, spec in zip(policy.offers, policy.data.get("offers", ()), strict=True):
        failed = first_failing(spec.get("when"), case, region, predicates)
        if failed is None:
            live.append(offer)
        else:
            na.append(next(r for r in offer.na_results if r.detail == failed))
    specs = [e for e in policy.data.get("exclusions", ()) or () if not e.get("on_expiry")]
    rules = [e for e in policy.exclusions if not e.on_expiry]
    hits = [rule.hit for rule, spec in zip(rules, specs, strict=True) if first_failing(spec.get("when"), case, region, predicates) is None]
    notices = [rule.notice for rule, spec in zip(policy.notices, policy.data.get("notices", ()) or (), strict=True)
               if first_failing(spec.get("when"), case, region, predicates) is None]
    return tuple(live), tuple(na), tuple(hits), tuple(notices)


def pending(policy: Any, case: Any, region: str, predicates: Mapping[str, bool] = {}) -> tuple:
    """The offers whose one condition that fails is ``fault.confirmed: true`` (pending detection)."""
    out = []
    for offer, spec in zip(policy.offers, policy.data.get("offers", ()), strict=True):
        failing = [(path, matcher) for path, matcher in (spec.get("when") or {}).items()
                   if not holds(matcher, field_value(case, region, predicates, path))]
        if failing == [("fault.confirmed", True)]:
            out.append(offer)
    return tuple(out)
