"""What plugins hand back to the engine, one small immutable record per finding, and the
records the engine makes of each case's offers.

What a plugin hands back (``Identity``, ``Predicate``) and what the engine makes once per policy
or frame (``ExclusionHit``, ``Notice``, ``ExchangeRule``, ``TraceStep``...) are ``NamedTuple``
records. The two the engine makes for every case (``OfferResult``, ``OfferJudged``) are frozen
``msgspec.Struct`` records: one is made, read by name and freed in about half the time a
``NamedTuple`` takes (see benchmarks/NOTES.md). They are built by field name, or on the per-case
path from their declared field order (``engine._in_field_order``, ``rules._result``), where the
compiled engine also reads them whole.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple

from msgspec import Struct

if TYPE_CHECKING:  # pragma: no cover
    from .offers import OfferRule


class Identity(NamedTuple):
    """The region a unit was made for, and the rule that found it."""

    region: str
    plugin: str
    policy: str | None
    rule: str
    citation: str


class OfferResult(Struct, frozen=True):
    """One offer rule checked against one case.

    ``status`` is one of ``granted`` (every condition, the time limit and the documents hold),
    ``blocked_documents`` (only papers are missing: ``missing`` names them), ``outside_window``,
    ``expired``, ``no_start`` (the case gives no date to count from), ``not_applicable``
    (``detail`` names the condition that failed). ``rule`` is the compiled
    :class:`~aftersales.core.offers.OfferRule` with the remedy, basis and citation.

    Tracked by the garbage collector: a rule holds its own results (``OfferRule.fixed``,
    ``na_results``), and each result holds its rule.
    """

    rule: OfferRule
    status: str
    detail: str | None
    start: date | None
    end: date | None
    missing: tuple[str, ...]
    asks_missing: tuple[str, ...]
    unknown_years: tuple[int, ...]


class ExclusionHit(NamedTuple):
    """An exclusion that holds for the case."""

    plugin: str
    policy: str
    id: str
    statutory: bool
    message_zh: str
    message_en: str
    citation: str
    #: the other policies that apply the same exclusion (one id is listed once, naming them all)
    also: tuple[str, ...] = ()


class Notice(NamedTuple):
    """Something staff must act on that is not a remedy (a spare phone is due...)."""

    plugin: str
    policy: str
    id: str
    message_zh: str
    message_en: str
    citation: str


class ExchangeRule(NamedTuple):
    """How an exchange is carried out."""

    mode: str
    lead_days: tuple[int, int] | None
    warranty_after: str
    plugin: str
    policy: str | None
    rule: str
    citation: str
    #: the policy's acknowledgement of a warning about this rule (shown in the trace), if any
    acknowledged: str = ""


class PluginFailure(NamedTuple):
    """A plugin hook that raised or answered something it may not (a value of the wrong type, a
    policy that does not validate, a wrapper): ``hook`` names it, ``error`` says what happened.

    ``error_zh`` says it in Chinese where the project made the words (a wrong answer, a policy
    that does not validate); empty where ``error`` is the exception's own text, which both
    languages show as Python wrote it. The decision's JSON (``plugin_errors``) carries the three
    fields of the v1 contract only."""

    plugin: str
    hook: str
    error: str
    error_zh: str = ""

    def text(self, lang: str) -> str:
        """What happened, in ``lang`` (``zh`` or ``en``)."""
        return (self.error_zh or self.error) if lang == "zh" else self.error


class Predicate(NamedTuple):
    """A named Python condition a plugin offers to policies (``aftersales_predicates``):
    ``when: {predicate.<name>: true}`` holds when ``function(case)`` returns True."""

    name: str
    plugin: str
    function: Any


# ----------------------------------------------------------------------------- the trace
# The decision's trace is a tuple of these records, one type per kind of entry; the decision
# spells each out as a ``TraceStep`` (``Decision.trace``) only when someone reads it.


class TraceStep(NamedTuple):
    """A step of the decision told in full: the region found, an exclusion that holds, the
    exchange rule and the floor, a remedy chosen or refused, a plugin that failed."""

    plugin: str
    policy: str | None
    rule: str
    effect: str
    citation: str
    detail: Any


class OfferJudged(Struct, frozen=True, gc=False):
    """An offer whose standing the engine changed or explained: excluded (``excluded_by``), or
    blocked by papers (``missing``). An offer logged as its rule gave it is its ``OfferResult``.

    Not tracked by the garbage collector: nothing it holds (its result, strings, a tuple of
    strings) can refer back to it."""

    result: OfferResult
    status: str
    excluded_by: str | None
    missing: tuple[str, ...]
