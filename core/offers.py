"""A policy's offer, compiled: what the engine reads of it for every case.

In a wheel this module is compiled (mypyc, see setup.py) with the engine, and ``OfferRule`` is a
native class: the compiled engine reads its fields without a lookup. (The records an offer gives,
``OfferResult`` and the like, stay ``msgspec`` records in ``outcomes``: a compiled module would
make them without their ``frozen`` option.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .outcomes import OfferResult, TraceStep


class OfferRule:
    """One offer of a policy, compiled: read-only once built. Whether its conditions hold is
    part of the policy's verdict (``CompiledPolicy.assess``); ``tail(case)`` checks the rest.

    A plain class with slots, made by ``rules.CompiledPolicy`` when a policy loads and read by the
    engine for every case: in a wheel this module is compiled (mypyc, see setup.py) and the class
    is a native one, whose fields the compiled engine reads without a lookup (a dataclass of this
    size would also cost over a millisecond to create when the module is imported)."""

    __slots__ = ("policy", "id", "remedy", "basis", "citation", "documents", "asks", "service_location", "covers",
                 "fee", "needs_confirmation", "note", "start_name", "start_citation", "specificity", "tail",
                 "na_results", "static_rank", "na_rank", "tie_break", "chosen_log", "refused_log", "detection_at",
                 "fixed", "policy_id")

    def __init__(self, *, policy: Any, id: str, remedy: str, basis: str, citation: str,
                 documents: tuple[tuple[str, ...], ...], asks: tuple[str, ...], service_location: str,
                 covers: frozenset[str], fee: tuple[float, str] | None, needs_confirmation: str | None,
                 note: tuple[str, str] | None, start_name: str | None, start_citation: str | None,
                 specificity: int, tail: Callable[[Any], OfferResult], static_rank: tuple) -> None:
        self.policy = policy
        #: its policy's id (read for every remedy record the offer gives)
        self.policy_id: str = policy.id
        self.id = id
        self.remedy = remedy
        self.basis = basis
        self.citation = citation
        self.documents = documents
        self.asks = asks
        self.service_location = service_location
        self.covers = covers
        self.fee = fee
        self.needs_confirmation = needs_confirmation
        self.note = note
        self.start_name = start_name
        self.start_citation = start_citation
        self.specificity = specificity
        #: ``tail(case)``: the offer checked for a case whose conditions hold (its start, window or
        #: period, and papers), as an ``OfferResult``
        self.tail = tail
        #: how good the offer is before looking at the case: no confirmation needed, lower fee, better basis
        self.static_rank = static_rank
        #: how two offers whose conditions fail compare (the engine ranks them the same way)
        self.na_rank = (static_rank, specificity, policy.statutory)
        #: the last word between two offers alike in everything else: (specificity, statutory)
        self.tie_break = (specificity, policy.statutory)
        #: the trace entries when the engine chooses or refuses this offer for its remedy
        self.chosen_log = TraceStep(policy.plugin, policy.id, id, "chosen", citation, remedy)
        self.refused_log = TraceStep(policy.plugin, policy.id, id, "refused", citation, remedy)
        #: the ready-made results for each failing condition (nothing in them depends on the case)
        self.na_results: tuple = ()
        #: the position of the condition on the fault's confirmation (``DETECTION``) in ``when``, or -1
        self.detection_at = -1
        #: what ``tail`` gives for every case when the offer has no start, time limit or papers
        #: (granted, nothing more), made once; None when its tail reads the case
        self.fixed: OfferResult | None = None

    def __repr__(self) -> str:
        return f"<OfferRule {self.policy.id}/{self.id} {self.remedy} ({self.basis})>"

    @property
    def plugin(self) -> str:
        plugin: str = self.policy.plugin
        return plugin

    @property
    def statutory(self) -> bool:
        statutory: bool = self.policy.statutory
        return statutory
