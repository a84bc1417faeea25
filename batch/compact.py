"""Pure helpers for bulk replay and policy impact previews (no files, no clock, no processes).

* ``compact_decision``: the decision as one replay output line needs it — every remedy with its
  basis, status, missing papers and the policy/rule that decided it, coverage, exclusion ids,
  exchange mode and the policy versions — without citations, messages or the trace (those are
  fixed by the policy versions, which the line names). ``compact_record`` declares it as typed
  records; ``compact_line`` encodes one with msgspec (what a replay worker writes).
* ``entitlement_of``: the remedy, basis and rule a replay summary counts. What a policy editor
  compares between an old and a new decision is ``aftersales.batch.impact``.

The streaming, multiprocessing and store access live in ``aftersales.batch.replay``.
"""

from __future__ import annotations

from datetime import date
from operator import attrgetter
from typing import Any

import msgspec

from aftersales.core.memo import remember


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d is not None else None


# ----------------------------------------------------------------------------- compact records
#
# The compact line is declared as typed records and written by msgspec's encoder: the field order
# below is the order of the line, a field with a default is left out when it holds the default.


class CompactRefund(msgspec.Struct, frozen=True, gc=False):
    """A refund the customer may take instead of an exchange (``amount`` None: no price given)."""

    amount: float | None
    basis: str


class CompactRemedy(msgspec.Struct, frozen=True, omit_defaults=True, gc=False):
    remedy: str
    basis: str
    available: bool
    status: str
    policy: str | None
    rule: str | None
    missing_documents: tuple[str, ...] = ()
    reason: str | None = None
    end: date | None = None
    refund_instead: CompactRefund | None = None


class CompactCoverage(msgspec.Struct, frozen=True, gc=False):
    start: date
    end: date | None
    policy: str
    rule: str


class CompactExchange(msgspec.Struct, frozen=True, gc=False):
    mode: str
    warranty_after: str


class CompactPluginError(msgspec.Struct, frozen=True, gc=False):
    plugin: str
    hook: str
    error: str


class CompactBundle(msgspec.Struct, frozen=True, gc=False):
    id: str
    sha256: str


class CompactDecision(msgspec.Struct, kw_only=True, omit_defaults=True, gc=False):
    """One replay output line: the decision without citations, messages and trace, opened by
    where the case came from (``line`` of a file or ``number`` of a stored case)."""

    line: int | msgspec.UnsetType = msgspec.UNSET
    number: str | msgspec.UnsetType = msgspec.UNSET
    #: false (and said first) when the statutory floor was left out: not a legal decision
    legal: bool = True
    brand: str
    case_date: date
    region: str
    entitlement: str
    remedies: list[CompactRemedy]
    coverage: CompactCoverage | None
    exclusions: list[str]
    exchange: CompactExchange | None
    service_location: str
    policies: list[str]
    notices: list[str] = []
    plugin_errors: list[CompactPluginError] = []
    bundle: CompactBundle | None = None


_encode = msgspec.json.Encoder().encode
#: the ``policies`` list by the engine's tuple of policy versions (held, so its id stays unique)
_POLICIES: dict[int, tuple[Any, list[str]]] = {}
_id = attrgetter("id")


def compact_record(decision: Any, where: int | str | None = None) -> tuple[CompactDecision, tuple[str, str] | None]:
    """The compact record of a decision, and the (remedy, basis) of its entitlement (``None``
    when no remedy is available). ``where`` is the line number (int) or the stored case number.

    This runs once per case of a replay: the decision's records are read as the engine typed
    them (``RemedyResult.available`` a bool, ``missing_documents`` a tuple); the record is made
    with the fields every line has, as keywords in the order of its fields, and given the others
    only when they are not their defaults (making it with all sixteen took over three times as
    long)."""
    remedies = [CompactRemedy(r.remedy, r.basis, r.available, r.status, r.policy, r.rule, r.missing_documents,
                              r.reason or None, r.end,
                              None if r.refund_instead is None else CompactRefund(r.refund_instead.amount,
                                                                                  r.refund_instead.basis))
                for r in decision.remedies]
    entitled = None
    for r in remedies:
        if r.available:
            entitled = (r.remedy, r.basis)
            break
    cov = decision.coverage
    ex = decision.exchange
    refs = decision.policies
    held = _POLICIES.get(id(refs))
    if held is not None and held[0] is refs:
        policies = held[1]
    else:
        policies = [f"{p.id}@{p.version}" for p in refs]
        remember(_POLICIES, id(refs), (refs, policies), 1024)
    exclusions = decision.exclusions
    record = CompactDecision(
        line=where if type(where) is int else msgspec.UNSET,
        brand=decision.brand,
        case_date=decision.case_date,
        region=decision.region,
        entitlement=entitled[0] if entitled else "paid_repair",
        remedies=remedies,
        coverage=None if cov is None else CompactCoverage(cov.start, cov.end, cov.policy, cov.rule),
        exclusions=list(map(_id, exclusions)) if exclusions else [],
        exchange=None if ex is None else CompactExchange(ex.mode, ex.warranty_after),
        service_location=decision.service_location,
        policies=policies,
    )
    if type(where) is str:
        record.number = where
    if not decision.legal:
        record.legal = decision.legal
    notices, failures, bundle = decision.notices, decision.plugin_errors, decision.bundle
    if notices:
        record.notices = list(map(_id, notices))
    if failures:
        record.plugin_errors = [CompactPluginError(f.plugin, f.hook, f.error) for f in failures]
    if bundle is not None:
        record.bundle = CompactBundle(*bundle)
    return record, entitled


def compact_decision(decision: Any) -> dict[str, Any]:
    """The compact record as plain JSON-ready values (see the module docstring)."""
    return msgspec.to_builtins(compact_record(decision)[0])


def compact_line(decision: Any, where: int | str | None = None) -> tuple[bytes, tuple[str, str] | None]:
    """The compact record as one JSON line (UTF-8, no newline), by msgspec's encoder, and the
    (remedy, basis) of the entitlement (``None`` when no remedy is available)."""
    record, entitled = compact_record(decision, where)
    return _encode(record), entitled


def entitlement_of(decision: Any) -> tuple[str, str, str | None]:
    """(remedy, basis, "policy/rule") of the most favourable available remedy."""
    for r in decision.remedies:
        if r.available:
            return r.remedy, r.basis, f"{r.policy}/{r.rule}" if r.policy else None
    return "paid_repair", "out_of_warranty", None
