"""The decision: what the customer is entitled to, why, and on whose authority (v1 contract)."""

from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple

from msgspec import Struct

from .outcomes import ExchangeRule, ExclusionHit, Notice, OfferJudged, OfferResult, PluginFailure, TraceStep

DECISION_SCHEMA_VERSION = 1


class RemedyResult(Struct, frozen=True, gc=False):
    """One remedy as decided: available or not, on which basis, granted (or refused) by which rule.

    A frozen ``msgspec.Struct``: made for each remedy of each case, it is cheaper to make, read
    and free than a ``NamedTuple``. Not tracked by the garbage collector: it holds strings,
    dates, tuples of them and a ``RefundInstead`` (numbers), none of which can refer back to it."""

    remedy: str
    basis: str
    available: bool
    status: str
    reason: str | None
    missing_documents: tuple[str, ...]
    required_documents: tuple[tuple[str, ...], ...]
    asked_documents: tuple[str, ...]
    policy: str | None
    rule: str | None
    citation: str
    start: date | None
    end: date | None
    service_location: str
    fee: tuple[float, str] | None = None
    needs_confirmation: str | None = None
    note: tuple[str, str] | None = None
    #: a refund the customer may take instead of this exchange (``core.refund.RefundInstead``)
    refund_instead: Any = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "remedy": self.remedy,
            "basis": self.basis,
            "available": self.available,
            "status": self.status,
            "missing_documents": list(self.missing_documents),
            "required_documents": [list(g) for g in self.required_documents],
            "asked_documents": list(self.asked_documents),
            "granted_by": {"policy": self.policy, "rule": self.rule, "citation": self.citation},
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "service_location": self.service_location,
        }
        if self.reason:
            out["reason"] = self.reason
        if self.fee:
            out["fee"] = {"amount": self.fee[0], "currency": self.fee[1]}
        if self.needs_confirmation:
            out["needs_confirmation"] = self.needs_confirmation
        if self.note:
            out["note"] = {"zh": self.note[0], "en": self.note[1]}
        if self.refund_instead is not None:
            out["refund_instead"] = self.refund_instead.to_dict()
        return out


class Coverage(Struct, frozen=True, gc=False):
    """The period the decision's free remedy runs in (or the longest one, when none is free).

    A frozen ``msgspec.Struct`` of dates, strings and a number (not tracked by the garbage
    collector), as ``RemedyResult``."""

    start: date
    start_rule: str | None
    start_citation: str | None
    end: date | None
    days_elapsed: int
    policy: str
    rule: str
    citation: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "start_rule": self.start_rule,
            "start_citation": self.start_citation,
            "end": self.end.isoformat() if self.end else None,
            "days_elapsed": self.days_elapsed,
            "granted_by": {"policy": self.policy, "rule": self.rule, "citation": self.citation},
        }


class PolicyRef(NamedTuple):
    id: str
    version: str
    sha256: str
    plugin: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "version": self.version, "sha256": self.sha256, "plugin": self.plugin}


#: one trace entry, spelled out: (plugin, policy, rule, effect, citation, detail)
TraceEntry = TraceStep


#: the first line of a decision made without the statutory policy
NOT_LEGAL_ZH = "非法定判定：未加载三包规定（法定政策 generic_sanbao），本结果不能作为消费者的法定权益依据"
NOT_LEGAL_EN = ("not a legal decision: the statutory policy (generic_sanbao) was left out; "
                "this is not what the customer is entitled to by law")


class Decision(Struct, frozen=True, gc=False):
    """The answer for one case. ``to_dict()`` gives the v1 decision JSON.

    A frozen ``msgspec.Struct``: the engine makes one per case, and it is cheaper to make, read
    and free than a ``NamedTuple``. Not tracked by the garbage collector: what it holds (its
    records, the trace, the policies' records) was made before it and never refers to it."""

    brand: str
    case_date: date
    region: str
    region_rule: str | None
    remedies: tuple[RemedyResult, ...]
    coverage: Coverage | None
    exclusions: tuple[ExclusionHit, ...]
    exchange: ExchangeRule | None
    service_location: str
    notices: tuple[Notice, ...]
    #: what the engine did, in order (``TraceStep``, ``OfferResult``, ``OfferJudged``); read it through ``trace``
    log: tuple[Any, ...]
    policies: tuple[PolicyRef, ...]
    plugin_errors: tuple[PluginFailure, ...] = ()
    calendar_gaps: tuple[int, ...] = ()
    #: False when no statutory policy was loaded (left out on purpose): not a legal decision
    legal: bool = True
    #: the published policy bundle the decision was made with: (id, sha256), or None
    bundle: tuple[str, str] | None = None

    @property
    def trace(self) -> tuple[TraceStep, ...]:
        """Every step, as ``TraceStep`` records (plugin, policy, rule, effect, citation, detail).

        The engine logs three kinds of record (``log``): a ``TraceStep`` told in full, an
        ``OfferResult`` as its rule gave it (its own status and detail), and an ``OfferJudged``
        (an offer excluded or blocked by papers). They are spelled out here, only when someone
        reads the trace: the decision itself is cheap to make.
        """
        out = []
        for entry in self.log:
            kind = type(entry)
            if kind is TraceStep:
                out.append(entry)
                continue
            if kind is OfferJudged:
                result, status = entry.result, entry.status
                detail = entry.excluded_by or (",".join(entry.missing) if entry.missing else result.detail)
            elif kind is OfferResult:
                result, status, detail = entry, entry.status, entry.detail
            else:  # pragma: no cover - the engine logs only the three kinds above
                raise TypeError(f"unknown trace record {kind.__name__}")
            rule = result.rule
            out.append(TraceStep(rule.policy.plugin, rule.policy.id, rule.id, status, rule.citation, detail))
        return tuple(out)

    @property
    def entitlement(self) -> str:
        """The most favourable available remedy: return > exchange > repair > paid_repair."""
        for r in self.remedies:
            if r.available:
                return r.remedy
        return "paid_repair"

    @property
    def free_remedy(self) -> bool:
        return any(r.available and r.remedy != "paid_repair" for r in self.remedies)

    def remedy(self, name: str) -> RemedyResult | None:
        for r in self.remedies:
            if r.remedy == name:
                return r
        return None

    def available(self) -> list[str]:
        return [r.remedy for r in self.remedies if r.available]

    def to_dict(self) -> dict[str, Any]:
        ex = self.exchange
        out: dict[str, Any] = {
            "schema_version": DECISION_SCHEMA_VERSION,
            "brand": self.brand,
            "case_date": self.case_date.isoformat(),
            "region": self.region,
            "region_rule": self.region_rule,
            "entitlement": self.entitlement,
            "remedies": [r.to_dict() for r in self.remedies],
            "coverage": self.coverage.to_dict() if self.coverage else None,
            "exclusions": [
                {"id": e.id, "message_zh": e.message_zh, "message_en": e.message_en, "citation": e.citation, "policy": e.policy,
                 "policies": [e.policy, *e.also]}
                for e in self.exclusions
            ],
            "exchange": None if ex is None else {
                "mode": ex.mode,
                "lead_days": {"min": ex.lead_days[0], "max": ex.lead_days[1]} if ex.lead_days else None,
                "warranty_after": ex.warranty_after,
                "granted_by": {"policy": ex.policy, "rule": ex.rule, "citation": ex.citation},
            },
            "service_location": self.service_location,
            "notices": [
                {"id": n.id, "message_zh": n.message_zh, "message_en": n.message_en, "citation": n.citation, "policy": n.policy}
                for n in self.notices
            ],
            "trace": [
                {"plugin": t.plugin, "policy": t.policy, "rule": t.rule, "effect": t.effect, "citation": t.citation,
                 "detail": t.detail}
                for t in self.trace
            ],
            "policies": [p.to_dict() for p in self.policies],
            "plugin_errors": [{"plugin": f.plugin, "hook": f.hook, "error": f.error} for f in self.plugin_errors],
            "calendar_gaps": list(self.calendar_gaps),
        }
        if not self.legal:   # said first
            out = {"legal": False, "legal_notice": NOT_LEGAL_EN, "legal_notice_zh": NOT_LEGAL_ZH, **out}
        if self.bundle is not None:
            out["bundle"] = {"id": self.bundle[0], "sha256": self.bundle[1]}
        return out


def identified_by(trace: Any) -> str | None:
    """The plugin whose own code said where the unit was made, from a decision's trace (its
    ``TraceStep`` entries, or their JSON mappings); None when the case gave the region, a
    policy's rule found it or it was assumed. A network's plugin may say it, and with it whether
    the statutory floor applies: the clerk is told whose word it is."""
    for entry in trace:
        step = entry if isinstance(entry, dict) else {"effect": entry.effect, "policy": entry.policy,
                                                      "plugin": entry.plugin}
        if step.get("effect") == "region":
            plugin = step.get("plugin")
            return plugin if step.get("policy") is None and plugin not in (None, "core") else None
    return None
