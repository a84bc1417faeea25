"""The offers engine: one case in, one explained decision out.

    identify device  -> collect offers -> apply exclusions -> choose per remedy
                     -> exchange rule (with the statutory floor) -> Decision

One algorithm. The plugins' load-time hooks were called once per registry snapshot (see
``hookspecs`` and ``registry``): their policies are compiled (``core/rules.py``), their
predicates known by name. Most of a decision depends only on the brand, the region, the policy
versions in force and what the policies' conditions say. So the engine works out once per
brand, region, purchase country and policy versions (a ``_Frame``) which policies apply, the
exchange rule with the floor and the predicates their conditions use; each policy reads its
conditions into a verdict (``CompiledPolicy.assess``), and once per combination of verdicts in a
frame a ``_Plan`` settles the exclusions, the offers left to check and the trace up to them. For
each case the engine checks only the time limits and papers of the offers left and writes the
decision. Frames and plans are kept in bounded tables.

Plugin code runs per case in two places only, each plugin on its own and contained: the per-case
hook ``aftersales_identify_device`` (through pluggy, when the case gives no region) and the named
predicates a frame's policies use. A plugin that raises or answers what it may not is named in
``Decision.plugin_errors`` (and the trace), and the decision goes on without that answer: the
statutory floor always decides. So is an offer of a plugin's policy whose time limit cannot be
worked out for the case (the schema keeps a time limit within a century, so this is a guard,
not a path a valid policy takes). A failure of the engine's own is raised as ``EngineError``.

The engine does no I/O; everything it needs was loaded into the registry beforehand.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Final

from msgspec.structs import astuple, replace

from .decision import Coverage, Decision, PolicyRef, RemedyResult
from .errors import EngineError, QuarantineError, unknown_brand
from .memo import remember
from .offers import OfferRule
from .outcomes import (
    ExchangeRule,
    ExclusionHit,
    Identity,
    Notice,
    OfferJudged,
    OfferResult,
    PluginFailure,
    TraceStep,
)
from .plugininfo import IDENTIFY_HOOK, POLICY_HOOK, PREDICATE_HOOK, describe, show_value
from .refund import RefundRule, refund_instead
from .rules import verdicts_function
from .vocab import FREE_REMEDIES, REGIONS, REMEDY_ORDER

if TYPE_CHECKING:  # pragma: no cover
    from .model import Case
    from .registry import _State

__all__ = ["Engine", "Identity", "OfferResult", "ExclusionHit", "Notice", "ExchangeRule", "PluginFailure"]

#: every status an offer can have (read by subscript: an unknown one is the engine's own error)
_STATUS_RANK: Final[dict[str, float]] = {
    "granted": 4, "blocked_documents": 3, "pending_detection": 2.5, "excluded": 2, "expired": 1, "outside_window": 1,
    "no_start": 1, "not_applicable": 0}
#: the reason a refused remedy gives when its offer names none, by status (every status but
#: "granted"; read by subscript, as the ranks)
_REASONS: Final[dict[str, str]] = {
    "outside_window": "outside_window",
    "expired": "expired",
    "no_start": "no_start",
    "not_applicable": "not_applicable",
    "blocked_documents": "missing_documents",
    "excluded": "excluded",
    "pending_detection": "pending_detection",
}
#: each remedy's slot in a case's ``best`` (a list in ``REMEDY_ORDER``: the free remedies, then
#: the paid repair), read by position where a dict would hash the remedy's name
_SLOT: Final[dict[str, int]] = {remedy: slot for slot, remedy in enumerate(REMEDY_ORDER)}
_PAID: Final = _SLOT["paid_repair"]
if REMEDY_ORDER != (*FREE_REMEDIES, "paid_repair"):  # checked once: ``Engine._conclude`` relies on it
    raise ImportError(f"the engine ranks the free remedies, then the paid repair; REMEDY_ORDER is {REMEDY_ORDER}")


def _in_field_order(cls: Any, *names: str, read: bool = False) -> Callable[..., Any]:
    """``cls`` itself, to build a record (a ``msgspec.Struct``) on the per-case path from its
    fields given by position in the order ``names`` gives, which must be the record's declared
    order (checked here, once: a reordered record fails at import rather than mixing fields up).
    With ``read``: ``astuple``, to read such a record's fields in that order (one call where
    reading each by name would look each up)."""
    if cls.__struct_fields__ != names:
        raise ImportError(f"{cls.__name__} fields are {cls.__struct_fields__}, the engine "
                          f"{'reads' if read else 'writes'} {names}")
    return astuple if read else cls


class _Ready:
    """A plan's not-applicable offer for a remedy no live offer speaks for, with its
    ``RemedyResult`` and the trace entry of its refusal made once (``_Plan.best``). Read by name
    for every case whose plan has one: a plain class with slots, which the compiled engine reads
    natively (a ``msgspec.Struct`` defined in a compiled module loses its ``frozen`` option)."""

    __slots__ = ("result", "status", "missing", "made", "refused")

    def __init__(self, result: OfferResult, made: RemedyResult, refused: TraceStep) -> None:
        self.result = result
        self.status = "not_applicable"
        self.missing: tuple = ()
        self.made = made
        self.refused = refused


class _Made:
    """Records that need nothing of a case, made once and shared: a not-applicable offer ready to
    rank (``_Ready``) and a policy's offers paired with the exclusion refusing each (a plan's
    ``groups``), shared by the plans that have them; the paid repair's records, shared by plans
    and decisions (the same few again and again: a paid repair seldom has a period). Each table
    is bounded (``MADE_CACHE_SIZE``): emptied when full, so memory stays flat."""

    __slots__ = ("ready_made", "paid_made", "group_made")

    def __init__(self) -> None:
        self.ready_made: dict[OfferResult, _Ready] = {}
        self.paid_made: dict[tuple, RemedyResult] = {}
        self.group_made: dict[tuple, tuple] = {}

    def ready(self, result: OfferResult) -> _Ready:
        """The not-applicable ``result`` (an offer's, ready-made) with its decision record."""
        made = self.ready_made.get(result)
        if made is None:
            rule = result.rule
            record = _remedy_result(rule, "not_applicable", result.detail, None, None, (),
                                    result.asks_missing, None)
            made = remember(self.ready_made, result,
                            _Ready(result=result, made=record, refused=rule.refused_log), MADE_CACHE_SIZE)
        return made

    def paid(self, result: OfferResult, free_available: bool) -> RemedyResult:
        """The decision's record of the paid repair whose best offer gave ``result``."""
        key = (result.rule, free_available, result.start, result.end)
        made = self.paid_made.get(key)
        if made is None:
            made = remember(self.paid_made, key, _paid_result(result, free_available), MADE_CACHE_SIZE)
        return made

    def group(self, policy: Any, assessed: Any, statutory_hits: tuple) -> tuple:
        """(the policy's not-applicable results, its live offers each paired with the exclusion
        that refuses it or None), for its assessment ``assessed`` beside the statutory policies'
        exclusions that hold (``statutory_hits``, their ids)."""
        key = (assessed, statutory_hits)
        made = self.group_made.get(key)
        if made is None:
            hits = _hit_ids(policy, assessed, statutory_hits)
            made = remember(self.group_made, key, (assessed.na, tuple(
                [(rule, _excluded_by(rule, hits)) for rule in assessed.live])), MADE_CACHE_SIZE)
        return made


#: The best offer of each remedy so far is kept as the very record logged for it (see
#: ``_consider``): an ``OfferResult`` (its own status, nothing missing, not excluded), an
#: ``OfferJudged`` (excluded or blocked by papers), or a plan's ``_Ready``. All three have
#: ``status`` and ``missing``; nothing is built to rank offers.
_BestEntry = Any

#: builders of the records the engine makes per case, their fields in declared order
_judged: Final = _in_field_order(OfferJudged, "result", "status", "excluded_by", "missing")
_remedy: Final = _in_field_order(RemedyResult, "remedy", "basis", "available", "status", "reason", "missing_documents",
                                 "required_documents", "asked_documents", "policy", "rule", "citation", "start", "end",
                                 "service_location", "fee", "needs_confirmation", "note", "refund_instead")
_coverage: Final = _in_field_order(Coverage, "start", "start_rule", "start_citation", "end", "days_elapsed", "policy",
                                   "rule", "citation")
_decision: Final = _in_field_order(Decision, "brand", "case_date", "region", "region_rule", "remedies", "coverage",
                                   "exclusions", "exchange", "service_location", "notices", "log", "policies",
                                   "plugin_errors", "calendar_gaps", "legal", "bundle")

#: readers of the records ``Engine._conclude`` reads whole: every field in one call
#: (``msgspec.structs.astuple``), in declared order, checked once as for the builders
_offer_fields: Final[Callable[[OfferResult], tuple[OfferRule, str, str | None, date | None, date | None,
                                                  tuple[str, ...], tuple[str, ...], tuple[int, ...]]]] = _in_field_order(
    OfferResult, "rule", "status", "detail", "start", "end", "missing", "asks_missing", "unknown_years", read=True)
_judged_fields: Final[Callable[[OfferJudged], tuple[OfferResult, str, str | None, tuple[str, ...]]]] = _in_field_order(
    OfferJudged, "result", "status", "excluded_by", "missing", read=True)

#: paid repair when no policy offers it: available exactly when nothing free is
_PAID_BY_DEFAULT: Final = RemedyResult(remedy="paid_repair", basis="out_of_warranty", available=True, status="granted",
                                       reason=None, missing_documents=(), required_documents=(), asked_documents=(),
                                       policy=None, rule=None, citation="", start=None, end=None,
                                       service_location="any_authorized")
_NOT_NEEDED: Final = replace(_PAID_BY_DEFAULT, available=False, status="not_needed", reason="free_remedy_available")
#: the predicate values of a frame whose policies use none
_NO_PREDICATES: Final[Mapping[str, bool]] = {}

#: whether this module runs compiled (a wheel's, see setup.py) rather than as its source
COMPILED: Final = not __file__.endswith(".py")

#: frames kept per engine; beyond this the cache starts again, so memory stays flat
FRAME_CACHE_SIZE = 4096
#: plans made or used since the last turn-over, over all frames (see ``_Plan``; about 1 KiB each
#: with what they hold of their own, the records they share being in ``_Made``). Beyond this the
#: plans turn over: those of the last round are kept as ``older`` (a plan found there is used
#: again and kept), the rest let go, so at most twice this many are held and the plans in use
#: survive (long replays keep meeting rarer combinations of verdicts: clearing them all made 16%
#: of cases build a plan again; at 4,096, 8% of a replay worker's cases built one, at 8,192 5%)
PLAN_CACHE_SIZE = 8192
#: records kept in each table of ``_Made``
MADE_CACHE_SIZE = 4096

#: One offer a plan leaves to check for each case: (the known trace entries before it, the offer
#: (an ``OfferRule``), its ``tail``, the exclusion that refuses it or None, its remedy's slot in
#: ``best``, its policy's position). Typed to the element, as every table below: a wheel's engine
#: is compiled (mypyc, see setup.py), and a typed value is read without asking its type each time.
_Step = tuple[tuple, OfferRule, Callable[[Any], OfferResult], str | None, int, int]
#: a frame's plans by verdicts: those made or used since the last turn-over, those of the round before
_PlanTables = tuple[dict[tuple, "_Plan"], dict[tuple, "_Plan"]]


class _Frame:
    """What every case of one brand, region, purchase country and set of policy versions shares.

    A plain class with slots, not a record: its fields are read for every case, and a slot is
    the cheapest attribute Python reads. ``kind`` (every field but the plans) tells frames that
    are alike apart from their key, so that they share one frame. Frames with the same policies
    share their plans (a plan depends on nothing else of the frame)."""

    __slots__ = ("region", "region_rule", "region_entry", "policies", "exchange", "exchange_log", "refs",
                 "predicates", "plans", "older", "kind", "refund", "verdicts", "spans")

    def __init__(self, *, region: str, region_rule: str | None, region_entry: TraceStep, policies: tuple,
                 exchange: ExchangeRule | None, exchange_log: tuple, refs: tuple, predicates: tuple,
                 verdicts: Callable[[Any, str, Mapping[str, bool]], tuple], plans: _PlanTables,
                 refund: RefundRule | None = None) -> None:
        self.region = region
        self.region_rule = region_rule
        self.region_entry = region_entry
        #: the policies that apply, in the plugins' order
        self.policies = policies
        self.exchange = exchange
        self.exchange_log = exchange_log
        self.refs = refs
        #: the named predicates the policies' conditions use (``Predicate`` records)
        self.predicates = predicates
        #: the ``_Plan`` for each combination of the policies' verdicts seen so far, by the verdicts,
        #: and the plans of the round before the last turn-over (``PLAN_CACHE_SIZE``): the tables
        #: of every frame with these policies (``Engine._plans``)
        self.plans, self.older = plans
        #: the refund instead of an exchange (the statutory policy's first, see ``core.refund``)
        self.refund = refund
        #: ``fn(case, region, predicates)``: the verdicts of all the policies, one flat tuple (one
        #: compiled function per set of policies, see ``rules.verdicts_function``)
        self.verdicts = verdicts
        #: where each policy's verdict lies in that tuple
        self.spans = _spans(policies)
        self.kind = (region, region_rule, region_entry, policies, exchange, exchange_log, refs, predicates, refund)


class _Plan:
    """What every case whose frame has the same policies and whose policies give the same
    verdicts shares (the frame's region entry comes first in the trace, then this): the exclusions
    and notices, the offers left to check with the exclusion that refuses each, the trace up to
    them, and, for each remedy no offer left belongs to, the not-applicable offer to show, ready to
    rank with its ``RemedyResult`` made. Offers left whose result is the same for every case
    (``OfferRule.fixed``: no start, time limit or papers) are logged and ranked here when no offer
    of their remedy needs the case; the others are ``steps``. What is ranked here is the start of
    each case's ``best`` (``best``: one slot per remedy of ``REMEDY_ORDER``, see ``_SLOT``)."""

    __slots__ = ("prefix", "groups", "hits", "notices", "filled", "pending", "expiry", "steps", "trailing",
                 "best", "paid")

    def __init__(self, frame: _Frame, assessed: tuple, made: _Made) -> None:
        pairs = tuple(zip(frame.policies, assessed, strict=True))
        statutory_hits = tuple(h.id for policy, a in pairs if policy.statutory for h in a.hits)
        self.hits = _merged(tuple(h for a in assessed for h in a.hits))
        self.notices = tuple(n for a in assessed for n in a.notices)
        #: the trace entries of the exclusions that hold (after the frame's ``region_entry``)
        self.prefix = tuple(entry for a in assessed for entry in a.hit_log)
        #: per policy, the pair (its not-applicable results, its live offers each paired with the
        #: exclusion that refuses it or None): plain pairs, unpacked on the per-case path, and
        #: shared by the plans whose policy has the same assessment and the statutory the same hits
        self.groups = tuple([made.group(policy, a, statutory_hits) for policy, a in pairs])
        # the offers left in order, each after the trace entries that come before it and are
        # known now: the not-applicable results and the entries of fixed offers (ranked into ``best``)
        needs_case = {rule.remedy for a in assessed for rule in a.live if rule.fixed is None}
        steps: list[_Step] = []
        known: list = []
        fixed_best: list[_BestEntry | None] = [None] * len(REMEDY_ORDER)
        for group, (na, live_rules) in enumerate(self.groups):
            known.extend(na)
            for rule, excluded_by in live_rules:
                result = rule.fixed
                slot = _SLOT[rule.remedy]
                if result is None or rule.remedy in needs_case:
                    steps.append((tuple(known), rule, rule.tail, excluded_by, slot, group))
                    known = []
                    continue
                # as ``Engine._decide`` judges a granted result with nothing missing
                status = "granted" if excluded_by is None else "excluded"
                entry = result if excluded_by is None else _judged(result, status, excluded_by, ())
                known.append(entry)
                if fixed_best[slot] is None:
                    fixed_best[slot] = entry
                else:
                    _consider(fixed_best, slot, entry, result, status, ())
        #: per offer left to check for each case: (the known trace entries before it, the offer,
        #: its ``tail``, the exclusion that refuses it or None, its remedy's slot in ``best``, its
        #: policy's position)
        self.steps = tuple(steps)
        #: the known trace entries after the last of ``steps``
        self.trailing = tuple(known)
        best: dict[str, OfferResult] = {}
        for a in assessed:
            for remedy, result in a.na_best:
                current = best.get(remedy)
                if current is None or result.rule.na_rank > current.rule.na_rank:
                    best[remedy] = result
        live = {rule.remedy for a in assessed for rule in a.live}
        #: offers waiting only for the fault's confirmation and refused by no exclusion: their time
        #: limits and papers are checked per case (``pending_detection``)
        self.pending: tuple[OfferRule, ...] = tuple(
            rule for policy, a in pairs for rule in a.pending
            if _excluded_by(rule, _hit_ids(policy, a, statutory_hits)) is None)
        #: the paid repair when its best offer is a fixed one (the usual case): (that entry, its
        #: record when nothing free is available, its record when something is)
        paid = fixed_best[_PAID]
        if paid is None:
            self.paid = None
        else:
            result = paid if type(paid) is OfferResult else paid.result
            self.paid = (paid, made.paid(result, False), made.paid(result, True))
        filled = [(_SLOT[remedy], made.ready(result)) for remedy, result in best.items() if remedy not in live]
        #: the slots of ``best`` the not-applicable offers fill, for remedies no offer left speaks
        #: for (cleared for the rare case whose offers are ranked again, see ``Engine._decide``)
        self.filled = tuple(slot for slot, _ready in filled)
        for slot, ready in filled:
            fixed_best[slot] = ready
        #: per remedy of ``REMEDY_ORDER``: the best of its fixed offers, or the not-applicable
        #: offer to show when no offer left speaks for it, or None; each case starts from a copy
        self.best = fixed_best
        #: the exclusions and their trace entries when offers of these policies ran out and nothing
        #: free is left (``expired``), by the policies of the expired offers in order (the table
        #: made when first needed: few plans ever need it)
        self.expiry: dict[tuple, tuple[tuple, tuple]] | None = None

    def expired(self, policies: tuple) -> tuple[tuple, tuple]:
        """The exclusions (``hits`` with each policy's expiry exclusion) and the trace entries of
        those, when offers of ``policies`` (each once, in the order their offers were checked) ran
        out; made once for each such tuple (few per plan)."""
        made = self.expiry.get(policies) if self.expiry is not None else None
        if made is not None:
            return made
        exclusions = self.hits
        steps: list[TraceStep] = []
        seen: set[str] = set()
        for policy in policies:
            hit = policy.expiry_hit
            if hit is not None and hit.policy not in seen:
                seen.add(hit.policy)
                exclusions = _merged(exclusions + (hit,))
                steps.append(policy.expiry_step)
        if self.expiry is None:
            self.expiry = {}
        made = self.expiry[policies] = (exclusions, tuple(steps))
        return made


class Engine:
    """Decides cases with the plugins and compiled policies of one registry snapshot."""

    def __init__(self, registry: _State) -> None:
        from .registry import each_plugin

        self.registry = registry
        #: the registry's brands (the very table: read for every case)
        self._brands: dict[str, Any] = registry.brands
        served = _served(registry)
        identify = tuple(each_plugin(registry.pm, IDENTIFY_HOOK))
        #: per brand, the per-case hook of each plugin asked, on its own (through pluggy): the
        #: plugins serving the brand and those serving none (a network's). A plugin serving other
        #: brands is not asked: its answer would decide another brand's units (their region, and
        #: with it whether the statutory floor applies)
        self._identify = {brand: asked for brand in registry.brands
                          if (asked := tuple((plugin, call) for plugin, call in identify
                                             if plugin not in served or brand in served[plugin]))}
        #: per brand, the plugins whose answer comes before the region rules of the brand's own
        #: policies: those serving it. A network's answer comes after them, so that it never
        #: takes a unit its brand places (a mainland model) out of the regulation's reach
        self._serving = {brand: frozenset(plugin for plugin, brands in served.items() if brand in brands)
                         for brand in registry.brands}
        #: plugins with policies, in the order their policies are read
        self._plugins = tuple(name for name in registry.plugin_order if registry.by_plugin.get(name))
        self._predicates = dict(registry.predicates)
        self._frames: dict[tuple, _Frame] = {}
        self._frame_kinds: dict[tuple, _Frame] = {}
        #: the plans of the frames of each set of policies (``_Frame.plans`` and ``older``)
        self._plans: dict[tuple, _PlanTables] = {}
        #: the compiled verdicts of each set of policies a frame has had (few: one per brand and region)
        self._verdicts: dict[tuple, Callable[[Any, str, Mapping[str, bool]], tuple]] = {}
        self._plan_count = 0
        self._forces: dict[tuple, tuple] = {}
        #: the records made once and shared by plans and decisions
        self._made = _Made()
        self._load_failures = self._failures_by_brand(registry)
        #: brands whose plugin is quarantined answer with it (``QuarantineError``), never a decision
        self._quarantine = dict(getattr(registry, "quarantine_by_brand", None) or {})
        #: every decision says whether the statutory floor took part, and which bundle decided it
        self._legal = bool(getattr(registry, "statutory_loaded", True))
        self._bundle = getattr(registry, "bundle", None)
        policies = [policy for versions in registry.policies.values() for policy in versions]
        fields = sorted({rule.field for policy in policies for rule in policy.region_rules if rule.field})
        self._region_fields = _fields_getter(fields)
        # the versions in force change only at these days (by purchase date, by case date)
        self._bounds = tuple(
            sorted({d for policy in policies if (policy.effective_by == "purchase_date") == by_purchase
                    for d in (policy.effective_from,
                              policy.effective_until + timedelta(days=1) if policy.effective_until else None) if d})
            for by_purchase in (True, False))

    @staticmethod
    def _failures_by_brand(registry: Any) -> dict[str, tuple[tuple, tuple]]:
        """Per brand, the load-time failures its decisions name (those of the plugin serving it,
        and of plugins serving no brand), with their trace entries."""
        left_out = getattr(registry, "quarantined", None) or {}   # a quarantined plugin takes no part in them
        failures = tuple(f for f in getattr(registry, "failures", ()) or () if f.plugin not in left_out)
        if not failures:
            return {}
        served = _served(registry)
        out = {}
        for brand in registry.brands:
            mine = tuple(f for f in failures if f.plugin not in served or brand in served[f.plugin])
            if mine:
                out[brand] = (mine, tuple(_failure_step(f) for f in mine))
        return out

    # ------------------------------------------------------------------------------ evaluate

    def evaluate(self, case: Case) -> Decision:
        """Decide one case. A plugin's failure is named in the decision; the engine's own is
        raised as ``EngineError``."""
        brand = case.brand
        if self._quarantine and brand in self._quarantine:
            raise QuarantineError(self._quarantine[brand])
        if brand not in self._brands:
            raise unknown_brand(brand, self._brands)
        try:
            return self._decide(case, brand)
        except Exception as exc:  # not a plugin's (those are contained where they are called)
            raise EngineError(f"internal error deciding a {brand!r} case: {type(exc).__name__}: {exc}",
                              zh=f"引擎内部错误：{type(exc).__name__}: {exc}") from exc

    def _decide(self, case: Case, brand: str) -> Decision:
        day = case.case_date
        purchase = case.purchase
        country = purchase.country
        by_purchase, by_case = self._bounds
        failed: list | None = None   # (PluginFailure, TraceStep) of plugins that failed on this case
        # the versions in force depend only on where the dates fall among the days versions
        # start or end: those two positions stand for them in the frame's key
        bought = bisect_right(by_purchase, purchase.date or day)
        seen = bisect_right(by_case, day)
        given = case.device.region
        identity = None
        if given:
            fkey: tuple = (given, brand, country, bought, seen)
        else:
            asked = self._identify.get(brand)
            if asked:
                identity, failed = self._identify_by_hooks(case, asked)
            if identity is not None:
                fkey = (identity, brand, country, bought, seen)
                if identity.plugin not in self._serving[brand]:   # a network's: the brand's rules read first
                    fkey += (self._region_fields(case),)
            else:
                fkey = (None, brand, country, bought, seen, self._region_fields(case))
        frame = self._frames.get(fkey)
        if frame is None:
            vkey = (bought, seen)
            forces = self._forces.get(vkey)
            if forces is None:
                pif = self.registry.policies_in_force
                forces = self._forces[vkey] = tuple([tuple(pif(name, case)) for name in self._plugins])
            frame = self._frame(case, brand, forces, identity)
            if len(self._frames) >= FRAME_CACHE_SIZE:
                self._frames.clear()
                self._frame_kinds.clear()
                self._plans.clear()
                self._plan_count = 0
            self._frames[fkey] = frame
        region = frame.region
        values: Mapping[str, bool]
        if frame.predicates:
            values, more = self._predicate_values(case, frame.predicates)
            if more:
                failed = (failed or []) + more
        else:
            values = _NO_PREDICATES
        # the plan is found by the policies' verdicts themselves; their assessments are looked
        # up only to make a new plan
        verdicts = frame.verdicts(case, region, values)
        plan = frame.plans.get(verdicts)
        if plan is None:
            plan = frame.older.get(verdicts)
            if plan is None:
                assessed = tuple([policy.assessment(verdicts[a:b])
                                  for policy, (a, b) in zip(frame.policies, frame.spans, strict=True)])
                plan = _Plan(frame, assessed, self._made)
            if self._plan_count >= PLAN_CACHE_SIZE:  # bounded over all frames: memory stays flat
                self._plans = {policies: ({}, current) for policies, (current, _older) in self._plans.items()}
                for kind in self._frame_kinds.values():
                    kind.plans, kind.older = self._plans[kind.policies]
                self._plan_count = 0
            frame.plans[verdicts] = plan
            self._plan_count += 1

        loaded = self._load_failures.get(brand) if self._load_failures else None
        if failed or loaded:
            failures = (loaded[0] if loaded else ()) + tuple(f for f, _ in failed or ())
            log = [*(loaded[1] if loaded else ()), *[step for _, step in failed or ()], frame.region_entry, *plan.prefix]
        else:
            failures = ()
            log = [frame.region_entry, *plan.prefix]
        best = plan.best.copy()
        expired: list[OfferResult] = []
        held: list[OfferRule] | None = None   # the offers in time but refused (excluded, papers missing, fault untested)
        late: list[tuple[int, OfferResult]] | None = None  # rare: made when needed
        entry: _BestEntry   # the record logged for each offer checked
        for known, rule, tail, excluded_by, slot, group in plan.steps:
            if known:
                log.extend(known)
            try:
                result = tail(case)
            except Exception as exc:  # noqa: BLE001 - a plugin's policy that cannot be read for this case
                failure, step = _failed(rule.policy.plugin, POLICY_HOOK.format(rule.policy.id, rule.id), describe(exc))
                failures += (failure,)
                log.append(step)
                continue
            status = result.status
            missing = result.missing
            if status == "granted" or status == "blocked_documents":
                if excluded_by is not None:
                    status = "excluded"
            else:
                if status == "expired":
                    expired.append(result)
                elif status == "not_applicable":  # a condition of the time limit (no period for this part)
                    log.append(result)
                    if late is None:
                        late = []
                    late.append((group, result))
                    continue
                excluded_by = None
            # logged as the result itself when its own status and detail tell it all
            if excluded_by is None and not missing:
                entry = result
            else:   # in time, refused all the same: its policy's periods have not ended
                entry = _judged(result, status, excluded_by, missing)
                if held is None:
                    held = []
                held.append(rule)
            log.append(entry)
            if best[slot] is None:
                best[slot] = entry
            else:
                _consider(best, slot, entry, result, status, missing)
        if plan.trailing:
            log.extend(plan.trailing)
        if late:  # rare: rank every not-applicable offer in order, the plan's fill left out
            for slot in plan.filled:
                best[slot] = None
            for group, (na, _live) in enumerate(plan.groups):
                for refused in na + tuple(r for g, r in late if g == group):
                    slot = _SLOT[refused.rule.remedy]
                    kept = best[slot]
                    if kept is None:
                        best[slot] = refused
                    elif _STATUS_RANK[kept.status] == 0:
                        _consider(best, slot, refused, refused, "not_applicable", ())
        for rule in plan.pending:  # rare: the fault is not confirmed yet
            try:
                result = rule.tail(case)
            except Exception as exc:  # noqa: BLE001 - as for the live offers above
                failure, step = _failed(rule.policy.plugin, POLICY_HOOK.format(rule.policy.id, rule.id), describe(exc))
                failures += (failure,)
                log.append(step)
                continue
            status = result.status
            if status == "granted" or status == "blocked_documents":
                entry = _judged(result, "pending_detection", None, result.missing)
                status = "pending_detection"
                if held is None:
                    held = []
                held.append(rule)
            elif status == "not_applicable":  # no period for this part: its condition is logged already
                continue
            else:  # its time limit has passed: testing the fault would not open it, and that is the reason
                entry = result
                if status == "expired":
                    expired.append(result)
            log.append(entry)
            slot = _SLOT[rule.remedy]
            if best[slot] is None:
                best[slot] = entry
            else:
                _consider(best, slot, entry, result, status, entry.missing)
        return self._conclude(case, frame, plan, best, log, expired, held, failures)

    # ------------------------------------------------------------------------------ plugin code per case

    def _identify_by_hooks(self, case: Case, asked: tuple) -> tuple[Identity | None, list | None]:
        """The first ``Identity`` a plugin's ``aftersales_identify_device`` gives, each plugin of
        ``asked`` called on its own; what failed on the way, as (PluginFailure, TraceStep) pairs."""
        failed = None
        for plugin, call in asked:
            try:
                identity = call(case=case)
            except Exception as exc:  # noqa: BLE001 - contained: named in the decision
                failed = (failed or []) + [_failed(plugin, IDENTIFY_HOOK, describe(exc))]
                continue
            if identity is None:
                continue
            if not _valid_identity(identity):
                failed = (failed or []) + [_failed(plugin, IDENTIFY_HOOK, f"returned {show_value(identity)}, not an Identity "
                                                                       f"with a known region or None",
                                                   f"返回了 {show_value(identity)}，不是地区已知的 Identity，也不是 None")]
                continue
            if identity.plugin != plugin:  # the trace names the plugin that answered, whatever it wrote
                identity = identity._replace(plugin=plugin)
            return identity, failed
        return None, failed

    def _predicate_values(self, case: Case, predicates: tuple) -> tuple[dict[str, bool], list]:
        """Each predicate's value for the case; one that raises or gives no bool is False, and named."""
        values: dict[str, bool] = {}
        failed: list = []
        for predicate in predicates:
            try:
                value = predicate.function(case)
            except Exception as exc:  # noqa: BLE001 - contained: named in the decision
                failed.append(_failed(predicate.plugin, PREDICATE_HOOK.format(predicate.name), describe(exc)))
                value = False
            else:
                if type(value) is not bool:
                    failed.append(_failed(predicate.plugin, PREDICATE_HOOK.format(predicate.name),
                                          f"returned {show_value(value)}, not True or False",
                                          f"返回了 {show_value(value)}，不是 True 或 False"))
                    value = False
            values[predicate.name] = value
        return values, failed

    # ------------------------------------------------------------------------------ frames

    def _frame(self, case: Case, brand: str, forces: tuple, identity: Identity | None) -> _Frame:
        """Region, the policies that apply, the exchange rule and the predicates they use.

        The region rules and the exchange rule are read first from the policies naming the
        case's brand, then from those for any brand (the statutory floor), in plugin order. The
        region a plugin gave (``identity``) stands before all of them when the plugin serves the
        brand; a network's (a plugin serving no brand) after the brand's own policies' rules."""
        in_force = tuple(policy for versions in forces for policy in versions)
        own = tuple(p for p in in_force if p.brands is not None and brand in p.brands)
        anyone = tuple(p for p in in_force if p.brands is None)
        region_rule = None
        if case.device.region:
            region = case.device.region
            entry = TraceStep(plugin="core", policy=None, rule="region_given", effect="region", citation="", detail=region)
        else:
            network = identity is not None and identity.plugin not in self._serving[brand]
            if identity is None or network:
                for policy in own if network else own + anyone:
                    found = policy.identify(case, policy.plugin)
                    if found is not None:
                        identity = found
                        break
            if identity is None:
                region = "OTHER"
                entry = TraceStep(plugin="core", policy=None, rule="region_unknown", effect="region", citation="",
                                  detail=region)
            else:
                region = identity.region
                region_rule = f"{identity.policy}/{identity.rule}" if identity.policy else identity.rule
                entry = TraceStep(plugin=identity.plugin, policy=identity.policy, rule=identity.rule, effect="region",
                                  citation=identity.citation, detail=region)

        policies = tuple(p for p in in_force if p.applies(case, region))
        exchange = next((p.exchange for p in own if p.exchange is not None), None)
        if exchange is None:
            exchange = next((p.exchange for p in anyone if p.exchange is not None and p.applies(case, region)), None)
        consulted = dict.fromkeys(p for p in policies if p.offers)
        exchange, exchange_log = _exchange_with_floor(exchange, consulted)
        predicates = tuple(self._predicates[name] for name in dict.fromkeys(
            name for p in policies for name in p.predicates_used))
        # frames alike in all but their key (another part number of the same region...) are one
        # frame, so that they share its plans
        refund = next((p.refund_instead for p in sorted(policies, key=lambda p: not p.statutory)
                       if p.refund_instead is not None), None)
        verdicts = self._verdicts.get(policies)
        if verdicts is None:
            verdicts = remember(self._verdicts, policies, verdicts_function(policies), FRAME_CACHE_SIZE)
        plans = self._plans.get(policies)
        if plans is None:
            plans = self._plans[policies] = ({}, {})
        frame = _Frame(region=region, region_rule=region_rule, region_entry=entry, policies=policies,
                       exchange=exchange, exchange_log=tuple(exchange_log), refs=_refs(consulted),
                       predicates=predicates, verdicts=verdicts, plans=plans, refund=refund)
        return self._frame_kinds.setdefault(frame.kind, frame)

    # ------------------------------------------------------------------------------ the decision

    def _conclude(self, case: Case, frame: _Frame, plan: _Plan, best: list, trace: list, offers: list,
                  held: list[OfferRule] | None, failures: tuple) -> Decision:
        """Remedies in the contract's order, expiry, coverage, and the decision record, from the
        best offer of each remedy (``best``), the trace so far, the offers that ran out
        (``offers``) and those in time but refused all the same (``held``, or None). The
        frame's refund instead of an exchange, if a policy gives one: an
        available exchange it follows (``RefundRule.follows``) carries its ``refund_instead`` block."""
        refund = frame.refund
        gaps: tuple = ()
        remedies: list[RemedyResult] = []
        free_available = False
        service_location = None
        # the coverage: the first free remedy granted with a start, else the longest period
        # (``longest``, which ends on ``longest_end``)
        covered = longest = longest_end = None
        result: OfferResult   # the offer's own result, whatever record was logged for it
        rule: OfferRule
        paid_entry = best.pop()  # the paid repair's slot comes last: the free remedies' are left
        for entry in best:
            if entry is None:
                continue
            kind = type(entry)
            if kind is OfferResult:
                result = entry
                rule, status, detail, start, end, missing, asks, years = _offer_fields(result)
                excluded_by = None
            elif kind is OfferJudged:
                result, status, excluded_by, missing = _judged_fields(entry)
                rule, _given, detail, start, end, _none, asks, years = _offer_fields(result)
            else:  # a plan's not-applicable offer: no dates, refused, its records made
                ready: _Ready = entry
                remedies.append(ready.made)
                trace.append(ready.refused)
                continue
            if years:
                gaps += years
            if status == "granted":
                free_available = True
                if covered is None and start is not None:
                    covered = result
                if service_location is None:
                    service_location = rule.service_location
                block = None
                if refund is not None and rule.remedy == "exchange" and refund.follows(case.fault.component, rule.basis):
                    block = refund_instead(refund, price=case.purchase.price, same_model_in_stock=case.stock.same_model,
                                           invoice_date=case.purchase.date or start, case_date=case.case_date,
                                           days_in_repair=case.history.days_in_repair)
                remedies.append(_remedy_result(rule, status, detail, start, end, missing, asks, None, block))
                trace.append(rule.chosen_log)
                continue
            if start is not None and end is not None and (longest_end is None or end > longest_end):
                longest, longest_end = result, end
            remedies.append(_remedy_result(rule, status, detail, start, end, missing, asks, excluded_by))
            trace.append(rule.refused_log)

        # paid repair exactly when no free remedy
        entry = paid_entry
        if entry is None:
            remedies.append(_NOT_NEEDED if free_available else _PAID_BY_DEFAULT)
            if service_location is None:
                service_location = "any_authorized"
        else:
            paid = plan.paid
            if paid is not None and entry is paid[0]:  # the plan's fixed offer: its records made
                made = paid[2] if free_available else paid[1]
            else:
                made = self._made.paid(entry if type(entry) is OfferResult else entry.result, free_available)
            remedies.append(made)
            if service_location is None:
                service_location = made.service_location

        # an offer that ran out: report the policy's expiry exclusion when nothing free is left
        # and no free offer of the policy was in time (an extended warranty refused for damage:
        # the brand's periods have not ended)
        exclusions = plan.hits
        if not free_available and offers:
            in_time = {rule.policy for rule in held if rule.remedy != "paid_repair"} if held else ()
            ran_out: tuple = ()  # the policies of the free offers among them, each once, in order
            for result in offers:
                rule = result.rule
                if rule.remedy != "paid_repair" and rule.policy not in in_time and rule.policy not in ran_out:
                    ran_out += (rule.policy,)   # (each once: the plan keeps what it made by these)
            if ran_out:
                exclusions, steps = plan.expired(ran_out)
                trace.extend(steps)
        if frame.exchange_log:
            trace.extend(frame.exchange_log)

        if covered is None:
            # nothing free: the cover that ran longest, whichever offer it was (a plan's too),
            # not only the offer that stood for its remedy
            for result in offers:
                end = result.end
                if end is not None and result.rule.basis != "out_of_warranty" and (longest_end is None or end > longest_end):
                    longest, longest_end = result, end
        chosen = covered or longest
        coverage = None
        if chosen is not None:
            rule = chosen.rule
            coverage = _coverage(chosen.start, rule.start_name, rule.start_citation, chosen.end,
                                 (case.case_date - chosen.start).days, rule.policy_id, rule.id, rule.citation)
        return _decision(
            case.brand,
            case.case_date,
            frame.region,
            frame.region_rule,
            tuple(remedies),
            coverage,
            exclusions,
            frame.exchange,
            service_location,
            plan.notices,
            tuple(trace),
            frame.refs,
            failures,
            tuple(sorted(set(gaps))) if gaps else (),
            self._legal,
            self._bundle,
        )


# ---------------------------------------------------------------------------------- helpers

def _merged(hits: tuple) -> tuple:
    """The exclusions with each id once: the first hit of an id, naming in ``also`` every other
    policy that applied it."""
    if len({h.id for h in hits}) == len(hits):
        return hits
    first: dict[str, ExclusionHit] = {}
    for hit in hits:
        kept = first.get(hit.id)
        if kept is None:
            first[hit.id] = hit
        elif hit.policy != kept.policy and hit.policy not in kept.also:
            first[hit.id] = kept._replace(also=kept.also + (hit.policy,))
    return tuple(first.values())


def _served(registry: Any) -> dict[str, set[str]]:
    """The brands each plugin serves, for the plugins that answered with brands (granted or
    not: a plugin refused the brand it claimed serves none of another's units)."""
    return {name: set(info.brands) for name, info in registry.plugins.items() if name in registry.brand_plugins}


def _failure_step(failure: PluginFailure) -> TraceStep:
    return TraceStep(plugin=failure.plugin, policy=None, rule=failure.hook, effect="plugin_error", citation="",
                     detail=failure.error)


def _failed(plugin: str, hook: str, error: str, error_zh: str = "") -> tuple[PluginFailure, TraceStep]:
    failure = PluginFailure(plugin=plugin, hook=hook, error=error, error_zh=error_zh)
    return failure, _failure_step(failure)


def _valid_identity(value: Any) -> bool:
    return (isinstance(value, Identity) and value.region in REGIONS and isinstance(value.plugin, str)
            and isinstance(value.rule, str) and isinstance(value.citation, str)
            and (value.policy is None or isinstance(value.policy, str)))


def _hit_ids(policy: Any, assessed: Any, statutory_hits: tuple) -> tuple:
    """The ids of the exclusions that may refuse an offer of ``policy``, in the order they are
    tried: its own that hold (a statutory policy's are among the statutory ones), then the
    statutory policies'."""
    return statutory_hits if policy.statutory else tuple(h.id for h in assessed.hits) + statutory_hits


def _excluded_by(rule: OfferRule, hits: tuple) -> str | None:
    """The exclusion that refuses a granted offer: the first of ``hits`` (``_hit_ids``) it does
    not ``cover`` (an offer covers the exclusions it is meant for); paid repair is never excluded."""
    if rule.basis == "out_of_warranty":
        return None
    covers = rule.covers
    return next((hit for hit in hits if hit not in covers), None)


def _exchange_with_floor(exchange: ExchangeRule | None, consulted: dict[Any, None]) -> tuple[ExchangeRule | None, list]:
    """The exchange rule as answered, with the statutory floor's ``restarts`` where a brand says
    ``continues`` (a statutory policy was consulted, so the unit is covered by the regulation)."""
    log: list[TraceStep] = []
    if exchange is None:
        return None, log
    log.append(TraceStep(plugin=exchange.plugin, policy=exchange.policy, rule=exchange.rule, effect="exchange_rule",
                         citation=exchange.citation, detail=f"{exchange.mode}/{exchange.warranty_after}"
                         + (f"; {exchange.acknowledged}" if exchange.acknowledged else "")))
    if exchange.warranty_after == "continues":
        for policy in consulted:
            floor = policy.exchange if policy.statutory else None
            if floor is not None and floor.warranty_after == "restarts":
                exchange = exchange._replace(warranty_after="restarts")
                log.append(TraceStep(plugin=floor.plugin, policy=floor.policy, rule="exchange", effect="floor",
                                     citation=floor.citation, detail="warranty_after: continues -> restarts"))
                break
    return exchange, log


def _spans(policies: tuple) -> tuple[tuple[int, int], ...]:
    """Where each policy's verdict lies in the flat tuple of a frame's verdicts."""
    spans = []
    at = 0
    for policy in policies:
        size = len(policy.offers) + len(policy._when_exclusions) + len(policy.notices)
        spans.append((at, at + size))
        at += size
    return tuple(spans)


def _refs(consulted: dict[Any, None]) -> tuple[PolicyRef, ...]:
    return tuple(PolicyRef(id=p.id, version=p.version, sha256=p.sha256, plugin=p.plugin) for p in consulted)


def _fields_getter(fields: list[str]) -> Callable[[Any], tuple]:
    """``fn(case)``: the values of the region rules' fields (``device.x`` / ``purchase.x``), as a tuple."""
    if not fields:
        return lambda case: ()
    if len(fields) == 1:
        get = attrgetter(fields[0])
        return lambda case: (get(case),)
    return attrgetter(*fields)


def _paid_result(result: OfferResult, free_available: bool) -> RemedyResult:
    """The decision's record of the paid repair whose best offer gave ``result``: available
    exactly when nothing free is."""
    rule = result.rule
    return _remedy(
        "paid_repair", rule.basis, not free_available, "not_needed" if free_available else "granted",
        "free_remedy_available" if free_available else None, (), (), (), rule.policy_id, rule.id,
        rule.citation, result.start, result.end, rule.service_location, rule.fee, None, rule.note, None)


def _remedy_result(rule: OfferRule, status: str, detail: str | None, start: Any, end: Any, missing: tuple,
                   asks: tuple, excluded_by: str | None, refund: Any = None) -> RemedyResult:
    """The decision's record of the free remedy whose best offer, of ``rule``, gave ``status``,
    ``detail``, ``start``, ``end``, ``missing`` and ``asks`` (an ``OfferResult``'s fields), with
    ``refund`` (a ``RefundInstead``) when an available exchange may be taken as a refund: what the
    rule says of its remedy, and the case's part."""
    if status == "granted":
        return _remedy(rule.remedy, rule.basis, True, status, None, (), rule.documents, asks, rule.policy_id, rule.id,
                       rule.citation, start, end, rule.service_location, rule.fee, rule.needs_confirmation, rule.note,
                       refund)
    return _remedy(rule.remedy, rule.basis, False, status, excluded_by or detail or _REASONS[status],
                   missing if status == "blocked_documents" or status == "pending_detection" else (), rule.documents,
                   asks, rule.policy_id, rule.id, rule.citation, start, end, rule.service_location, rule.fee,
                   rule.needs_confirmation, rule.note, None)


def _consider(best: list, slot: int, entry: Any, result: OfferResult, status: str, missing: tuple) -> None:
    """Keep ``entry`` (the record logged for ``result``, see ``_BestEntry``) as the best offer of
    its remedy (``best[slot]``, see ``_SLOT``) when it beats the one kept so far.

    The rank of the status decides first. Between offers of the same rank: fewer missing papers,
    the better offer before looking at the case, the later end (no end: the longest for a granted
    offer, the shortest for a refused one), the more specific, the statutory. Not-applicable
    offers (rank 0) compare as ``OfferRule.na_rank`` (static_rank, specificity, statutory): keep
    in step. (One function, no helper call: this runs a few times per case.)"""
    current = best[slot]
    rank = _STATUS_RANK[status]
    # an offer's own result, or a record holding one (``OfferJudged``, a plan's ``_Ready``)
    other: OfferResult = current if type(current) is OfferResult else current.result
    other_missing = current.missing
    current_rank = _STATUS_RANK[current.status]
    if rank < current_rank:
        return
    if rank == current_rank:
        if rank == 3 and len(missing) != len(other_missing):
            beats = len(missing) < len(other_missing)
        else:
            rule, other_rule = result.rule, other.rule
            if rule.static_rank != other_rule.static_rank:
                beats = rule.static_rank > other_rule.static_rank
            else:
                end, other_end = result.end, other.end
                if end != other_end:
                    beats = (end is None) == (rank >= 3) if end is None or other_end is None else end > other_end
                else:
                    beats = rule.tie_break > other_rule.tie_break
        if not beats:
            return
    best[slot] = entry
