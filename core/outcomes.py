"""What plugins hand back to the engine, one small immutable record per finding.

These are ``NamedTuple`` records rather than dataclasses: the engine builds dozens per case
on the typing path of the counter UI, and tuples are the cheapest immutable value Python has.
"""

from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple


class Identity(NamedTuple):
    """The region a unit was made for, and the rule that found it."""

    region: str
    plugin: str
    policy: str | None
    rule: str
    citation: str


class OfferResult(NamedTuple):
    """One offer rule checked against one case.

    ``status`` is one of ``granted`` (every condition, the time limit and the documents hold),
    ``blocked_documents`` (only papers are missing: ``missing`` names them), ``outside_window``,
    ``expired``, ``no_start`` (the case gives no date to count from), ``not_applicable``
    (``detail`` names the condition that failed). ``rule`` is the compiled
    :class:`~aftersales.core.rules.OfferRule` with the remedy, basis and citation.
    """

    rule: Any
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


class PluginFailure(NamedTuple):
    """A plugin hook that raised while deciding a case."""

    plugin: str
    hook: str
    error: str
