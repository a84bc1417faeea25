"""The offers engine: one case in, one explained decision out.

    identify device  -> collect offers -> apply exclusions -> choose per remedy
                     -> exchange rule (with the statutory floor) -> Decision

Each hook implementation is called on its own, inside its own ``try``: a plugin that raises is
named in the decision (``plugin_errors``) and the trace, and every other plugin keeps working.
The engine does no I/O; everything it needs was loaded into the registry beforehand.

**Frames and plans.** When every plugin is declarative (its hooks are ``PolicyPlugin``'s own
answers from its policies, see ``core/policyplugin.py``), most of a decision depends only on the
brand, the region, the policy versions in force and what the policies' conditions say. The
engine then works out once per brand, region, purchase country and policy versions (a
``_Frame``) which policies apply and the exchange rule with the floor; each policy reads its
conditions into a verdict (``CompiledPolicy.assess``), and once per combination of verdicts in a
frame a ``_Plan`` settles the exclusions, the offers left to check and the trace up to them.
For each case the engine checks only the time limits and papers of the offers left and writes
the decision. The answer is the same as calling every hook (a test compares both on generated
cases); a plugin with hook code of its own, a plugin tracer, or an offer rule that fails on an
unusual case takes the hook path. Frames and plans are kept in bounded tables.
"""

from __future__ import annotations

from bisect import bisect_right
from operator import attrgetter
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Callable, NamedTuple

from .decision import Coverage, Decision, PolicyRef, RemedyResult
from .errors import CaseError
from .memo import remember
from .outcomes import ExchangeRule, ExclusionHit, Identity, Notice, OfferResult, PluginFailure
from .policyplugin import DECLARATIVE, PolicyPlugin
from .vocab import FREE_REMEDIES

if TYPE_CHECKING:  # pragma: no cover
    from .model import Case
    from .registry import Registry

__all__ = [
    "Engine", "EvaluationContext", "Identity", "OfferResult", "ExclusionHit", "Notice", "ExchangeRule", "PluginFailure",
]

_STATUS_RANK = {"granted": 4, "blocked_documents": 3, "excluded": 2, "expired": 1, "outside_window": 1, "no_start": 1}
_REASONS = {
    "outside_window": "outside_window",
    "expired": "expired",
    "no_start": "no_start",
    "not_applicable": "not_applicable",
    "blocked_documents": "missing_documents",
    "excluded": "excluded",
}


class EvaluationContext:
    """What hooks get besides the case: the registry, the region (once known), the policies."""

    __slots__ = ("registry", "case", "region", "_policies", "memo")

    def __init__(self, registry: "Registry", case: "Case") -> None:
        self.registry = registry
        self.case = case
        self.region: str | None = None
        self._policies: dict[str, list[Any]] = {}
        #: scratch space a plugin may use to share work between its hooks for this one case
        self.memo: dict[str, Any] = {}

    def policies_of(self, plugin: str) -> list[Any]:
        """The versions in force for this case of every policy ``plugin`` ships."""
        found = self._policies.get(plugin)
        if found is None:
            found = self._policies[plugin] = self.registry.policies_in_force(plugin, self.case)
        return found


#: builds a NamedTuple record from a full tuple of its fields, without the Python-level ``__new__``
_new = tuple.__new__

#: paid repair when no policy offers it: available exactly when nothing free is
_PAID_BY_DEFAULT = RemedyResult("paid_repair", "out_of_warranty", True, "granted", None,
                                (), (), (), None, None, "", None, None, "any_authorized")
_NOT_NEEDED = _PAID_BY_DEFAULT._replace(available=False, status="not_needed", reason="free_remedy_available")

#: frames kept per engine; beyond this the cache starts again, so memory stays flat
FRAME_CACHE_SIZE = 4096
#: plans kept over all frames (see ``_Plan``; about 1 KiB each); beyond this they start again
PLAN_CACHE_SIZE = 4096
#: paid-repair records kept (see ``Engine._paid_made``)
PAID_CACHE_SIZE = 1024


class _Frame(NamedTuple):
    """What every case of one brand, region, purchase country and set of policy versions shares."""

    region: str
    region_rule: str | None
    region_entry: tuple
    #: the policies that apply, in the hooks' order (offers, exclusions and notices share it)
    policies: tuple
    exchange: ExchangeRule | None
    exchange_log: tuple
    refs: tuple
    #: the ``_Plan`` for each combination of the policies' verdicts seen so far
    plans: dict


class _Plan:
    """What every case of one frame whose policies give the same verdicts shares: the exclusions
    and notices, the offers left to check with the exclusion that refuses each, the trace up to
    them, and, for each remedy no offer left belongs to, the not-applicable offer to show, ready to
    rank with its ``RemedyResult`` made (``na_fill``)."""

    __slots__ = ("prefix", "groups", "hits", "notices", "na_fill")

    def __init__(self, frame: _Frame, assessed: tuple) -> None:
        pairs = tuple(zip(frame.policies, assessed))
        statutory_hits = tuple(h for policy, a in pairs if policy.statutory for h in a.hits)
        self.hits = tuple(h for a in assessed for h in a.hits)
        self.notices = tuple(n for a in assessed for n in a.notices)
        self.prefix = (frame.region_entry,) + tuple(entry for a in assessed for entry in a.hit_log)
        #: per policy: its not-applicable results, then its live offers with their exclusion
        self.groups = tuple(
            (a.na, tuple((rule, _excluded_by(rule, () if policy.statutory else a.hits, statutory_hits)) for rule in a.live))
            for policy, a in pairs)
        best: dict[str, OfferResult] = {}
        for a in assessed:
            for remedy, result in a.na_best:
                current = best.get(remedy)
                if current is None or result.rule.na_rank > current.rule.na_rank:
                    best[remedy] = result
        live = {rule.remedy for a in assessed for rule in a.live}
        self.na_fill = tuple((remedy, (0, result, "not_applicable", (), None,
                                       _remedy_result(remedy, result, "not_applicable", (), None)))
                             for remedy, result in best.items() if remedy not in live)


class Engine:
    """Decides cases with the plugins and policies of one registry."""

    def __init__(self, registry: "Registry") -> None:
        self.registry = registry
        hook = registry.pm.hook
        self._identify = self._impls(hook.aftersales_identify_device)
        self._offers = self._impls(hook.aftersales_offers)
        self._exclusions = self._impls(hook.aftersales_exclusions)
        self._notices = self._impls(hook.aftersales_notices)
        self._documents = self._impls(hook.aftersales_required_documents)
        self._exchange = self._impls(hook.aftersales_exchange_rule)
        self._plan_order = self._declarative()
        self._plan_names: tuple[str, ...] = ()
        self._frames: dict[tuple, _Frame] = {}
        self._frame_kinds: dict[tuple, _Frame] = {}
        self._plan_count = 0
        self._forces: dict[tuple, tuple] = {}
        #: (paid repair offer, free remedy available, start, end) -> its RemedyResult
        self._paid_made: dict[tuple, RemedyResult] = {}
        if self._plan_order is not None:
            self._plan_names = tuple(dict.fromkeys(name for seq in self._plan_order.values() for name, _ in seq))
            policies = [policy for versions in registry.policies.values() for policy in versions]
            fields = sorted({rule.field for policy in policies for rule in policy.region_rules if rule.field})
            self._region_fields = _fields_getter(fields)
            # the versions in force change only at these days (by purchase date, by case date)
            self._bounds = tuple(
                sorted({d for policy in policies if (policy.effective_by == "purchase_date") == by_purchase
                        for d in (policy.effective_from,
                                  policy.effective_until + timedelta(days=1) if policy.effective_until else None) if d})
                for by_purchase in (True, False))

    def _declarative(self) -> dict[str, tuple[tuple[str, str], ...]] | None:
        """Per hook, (plugin name, how it answers) in call order; None when a plan cannot stand
        in for the hooks (hook code of a plugin's own, extra papers, a plugin tracer)."""
        if getattr(self.registry, "hook_monitor", None) is not None or self._documents:
            return None
        hook = self.registry.pm.hook
        order: dict[str, tuple[tuple[str, str], ...]] = {}
        for name in ("identify_device", "offers", "exclusions", "notices", "exchange_rule"):
            seq = []
            for impl in reversed(getattr(hook, f"aftersales_{name}").get_hookimpls()):
                kind = DECLARATIVE.get(getattr(impl.function, "__func__", None))
                if kind is None or not isinstance(impl.plugin, PolicyPlugin) or impl.hookwrapper or impl.wrapper:
                    return None
                seq.append((impl.plugin.name, kind))
            order[name] = tuple(seq)
        if not order["offers"] == order["exclusions"] == order["notices"]:
            return None  # the planned path reads offers, exclusions and notices policy by policy
        return order

    def _impls(self, caller: Any) -> tuple[tuple[str, Callable], ...]:
        # pluggy keeps implementations in call order reversed (last registered, tryfirst last)
        impls = tuple((self.registry.pm.get_name(i.plugin) or i.plugin_name, i.function) for i in reversed(caller.get_hookimpls()))
        monitor = getattr(self.registry, "hook_monitor", None)
        if monitor is not None:
            impls = tuple((name, _traced(monitor, caller.name, name, fn)) for name, fn in impls)
        return impls

    # ------------------------------------------------------------------------------ evaluate

    def evaluate(self, case: "Case") -> Decision:
        if case.brand not in self.registry.brands:
            known = ", ".join(sorted(self.registry.brands))
            raise CaseError(f"unknown brand {case.brand!r}; known brands: {known}", field="brand",
                            zh=f"未知品牌 {case.brand!r}；已加载的品牌：{known}")
        if self._plan_order is not None:
            try:
                return self._evaluate_planned(case)
            except Exception:  # noqa: BLE001 - the hook path decides it and names any failing plugin
                pass
        return self._evaluate_hooks(case)

    # ------------------------------------------------------------------------------ planned

    def _evaluate_planned(self, case: "Case") -> Decision:
        brand = case.brand
        day = case.case_date
        by_purchase, by_case = self._bounds
        # the versions in force depend only on where the dates fall among the days versions
        # start or end: that position stands for them in the frame's key
        vkey = (bisect_right(by_purchase, case.purchase.date or day), bisect_right(by_case, day))
        given = case.device.region
        fkey = (given, brand, case.purchase.country, vkey) if given else \
            (None, brand, case.purchase.country, vkey, self._region_fields(case))
        frame = self._frames.get(fkey)
        if frame is None:
            forces = self._forces.get(vkey)
            if forces is None:
                pif = self.registry.policies_in_force
                forces = self._forces[vkey] = tuple([tuple(pif(name, case)) for name in self._plan_names])
            frame = self._frame(case, brand, forces)
            if len(self._frames) >= FRAME_CACHE_SIZE:
                self._frames.clear()
                self._frame_kinds.clear()
                self._plan_count = 0
            self._frames[fkey] = frame
        region = frame.region
        assessed = tuple([policy.assess(case, region) for policy in frame.policies])
        plans = frame.plans
        plan = plans.get(assessed)
        if plan is None:
            if self._plan_count >= PLAN_CACHE_SIZE:  # bounded over all frames: memory stays flat
                for kind in self._frame_kinds.values():
                    kind.plans.clear()
                self._plan_count = 0
            plan = plans[assessed] = _Plan(frame, assessed)
            self._plan_count += 1

        log = list(plan.prefix)
        best: dict[str, tuple] = {}
        expired: list[OfferResult] = []
        late: list[tuple[int, OfferResult]] = []
        for group, (na, live) in enumerate(plan.groups):
            if na:
                log.extend(na)
            for rule, excluded_by in live:
                result = rule.tail(case)
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
                        late.append((group, result))
                        continue
                    excluded_by = None
                # logged as the result itself when its own status and detail tell it all
                log.append(result if excluded_by is None and not missing else (result, status, excluded_by, missing))
                if rule.remedy in best:
                    _consider(best, result, status, missing, excluded_by)
                else:
                    best[rule.remedy] = (_STATUS_RANK[status], result, status, missing, excluded_by, None)
        if late:  # rare: rank every not-applicable offer in order, as the hooks would
            for group, (na, _live) in enumerate(plan.groups):
                for result in na + tuple(r for g, r in late if g == group):
                    entry = best.get(result.rule.remedy)
                    if entry is None or entry[0] == 0:
                        _consider(best, result, "not_applicable", (), None)
        else:  # every remedy of an offer left is in ``best`` now: only those of none are missing
            best.update(plan.na_fill)
        return self._conclude(case, region, frame.region_rule, best, log, expired, plan.hits, plan.notices,
                              frame.exchange, frame.exchange_log, frame.refs, ())

    def _frame(self, case: "Case", brand: str, forces: tuple) -> _Frame:
        """Region, the policies that apply, and the exchange rule: what the hooks would answer."""
        by_name = dict(zip(self._plan_names, forces))
        order = self._plan_order
        region, region_rule, entry = "OTHER", None, ("core", None, "region_unknown", "region", "", "OTHER")
        if case.device.region:
            region, entry = case.device.region, ("core", None, "region_given", "region", "", case.device.region)
        else:
            identity = None
            for name, kind in order["identify_device"]:
                for policy in by_name[name]:
                    if kind == "any" or (policy.brands is not None and brand in policy.brands):
                        identity = policy.identify(case, name)
                        if identity is not None:
                            break
                if identity is not None:
                    region = identity.region
                    region_rule = f"{identity.policy}/{identity.rule}" if identity.policy else identity.rule
                    entry = (identity.plugin, identity.policy, identity.rule, "region", identity.citation, region)
                    break

        policies = tuple(p for name, _ in order["offers"] for p in by_name[name] if p.applies(case, region))
        exchange = None
        for name, kind in order["exchange_rule"]:
            for policy in by_name[name]:
                if policy.exchange is not None and (
                        policy.applies(case, region) if kind == "any" else (policy.brands is not None and brand in policy.brands)):
                    exchange = policy.exchange
                    break
            if exchange is not None:
                break
        consulted = dict.fromkeys(p for p in policies if p.offers)
        exchange, exchange_log = _exchange_with_floor(exchange, consulted)
        # frames alike in all but their key (another part number of the same region...) are one
        # frame, so that they share its plans
        frame = _Frame(region, region_rule, entry, policies, exchange, tuple(exchange_log), _refs(consulted), {})
        return self._frame_kinds.setdefault(frame[:-1], frame)

    # ------------------------------------------------------------------------------ hooks

    def _evaluate_hooks(self, case: "Case") -> Decision:
        reg = self.registry
        ctx = EvaluationContext(reg, case)
        trace: list[tuple] = []
        failures: list[PluginFailure] = []

        # 1. identify the device
        region_rule = None
        if case.device.region:
            region = case.device.region
            trace.append(("core", None, "region_given", "region", "", region))
        else:
            identity = None
            for plugin, fn in self._identify:
                try:
                    identity = fn(case=case, ctx=ctx)
                except Exception as exc:  # noqa: BLE001 - a plugin must not take the program down
                    failures.append(PluginFailure(plugin, "aftersales_identify_device", _describe(exc)))
                    trace.append((plugin, None, "aftersales_identify_device", "plugin_error", "", _describe(exc)))
                    continue
                if identity is not None:
                    break
            if identity is None:
                region = "OTHER"
                trace.append(("core", None, "region_unknown", "region", "", region))
            else:
                region = identity.region
                region_rule = f"{identity.policy}/{identity.rule}" if identity.policy else identity.rule
                trace.append((identity.plugin, identity.policy, identity.rule, "region", identity.citation, region))
        ctx.region = region

        # 2. offers, exclusions and notices from every plugin
        offers: list[OfferResult] = []
        for plugin, fn in self._offers:
            try:
                offers.extend(fn(case=case, ctx=ctx))
            except Exception as exc:  # noqa: BLE001
                failures.append(PluginFailure(plugin, "aftersales_offers", _describe(exc)))
                trace.append((plugin, None, "aftersales_offers", "plugin_error", "", _describe(exc)))
        hits: list[ExclusionHit] = []
        for plugin, fn in self._exclusions:
            try:
                hits.extend(fn(case=case, ctx=ctx))
            except Exception as exc:  # noqa: BLE001
                failures.append(PluginFailure(plugin, "aftersales_exclusions", _describe(exc)))
                trace.append((plugin, None, "aftersales_exclusions", "plugin_error", "", _describe(exc)))
        notices: list[Notice] = []
        for plugin, fn in self._notices:
            try:
                notices.extend(fn(case=case, ctx=ctx))
            except Exception as exc:  # noqa: BLE001
                failures.append(PluginFailure(plugin, "aftersales_notices", _describe(exc)))
                trace.append((plugin, None, "aftersales_notices", "plugin_error", "", _describe(exc)))

        # 3. exclusions: a policy's own refuse its offers; statutory ones refuse everyone's
        statutory_hits = [h for h in hits if h.statutory]
        own_hits: dict[str, list[ExclusionHit]] = {}
        for h in hits:
            trace.append((h.plugin, h.policy, h.id, "exclusion", h.citation, h.message_zh))
            if not h.statutory:
                own_hits.setdefault(h.policy, []).append(h)

        # 4. score every offer and keep the best per remedy
        best: dict[str, tuple] = {}
        consulted: dict[Any, None] = {}
        unmet: list[OfferResult] = []
        extra_docs = self._extra_documents(case, ctx, failures, trace) if self._documents else None
        for result in offers:
            rule = result.rule
            consulted[rule.policy] = None
            status = result.status
            if status == "not_applicable":
                # conditions not met: kept for the trace, and as a fallback when no other offer speaks
                trace.append(result)
                unmet.append(result)
                continue
            missing = result.missing
            excluded_by = None
            if status == "granted" or status == "blocked_documents":
                if extra_docs and rule.policy.plugin in extra_docs:
                    more = tuple(d for d in extra_docs[rule.policy.plugin].get(rule.remedy, ()) if d not in case.documents and d not in missing)
                    if more:
                        missing = missing + more
                        status = "blocked_documents"
                excluded_by = _excluded_by(rule, own_hits.get(rule.policy.id, ()), statutory_hits)
                if excluded_by is not None:
                    status = "excluded"
            trace.append((result, status, excluded_by, missing))
            _consider(best, result, status, missing, excluded_by)
        for result in unmet:
            entry = best.get(result.rule.remedy)
            if entry is None or entry[0] == 0:
                _consider(best, result, "not_applicable", (), None)

        # 6. exchange rule, with the statutory floor for mainland units (logged after the remedies)
        exchange = None
        exchange_log: list[tuple] = []
        for plugin, fn in self._exchange:
            try:
                exchange = fn(case=case, ctx=ctx)
            except Exception as exc:  # noqa: BLE001
                failures.append(PluginFailure(plugin, "aftersales_exchange_rule", _describe(exc)))
                exchange_log.append((plugin, None, "aftersales_exchange_rule", "plugin_error", "", _describe(exc)))
                continue
            if exchange is not None:
                break
        exchange, floor_log = _exchange_with_floor(exchange, consulted)
        exchange_log.extend(floor_log)
        return self._conclude(case, region, region_rule, best, trace, offers, hits, notices, exchange, exchange_log,
                              _refs(consulted), failures)

    # ------------------------------------------------------------------------------ both

    def _conclude(self, case: "Case", region: str, region_rule: str | None, best: dict[str, tuple], trace: list,
                  offers: list, hits: list | tuple, notices: list | tuple, exchange: ExchangeRule | None,
                  exchange_log: list | tuple, refs: tuple, failures: list | tuple) -> Decision:
        """Remedies in the contract's order, expiry, coverage, and the decision record."""
        gaps: tuple = ()
        remedies: list[RemedyResult] = []
        free_available = False
        service_location = None
        covered = longest = None  # the coverage: the first free remedy granted, else the longest period
        for remedy in FREE_REMEDIES:
            entry = best.get(remedy)
            if entry is None:
                continue
            _, result, status, missing, excluded_by, made = entry
            rule = result.rule
            available = status == "granted"
            if result.start is not None:
                if available:
                    if covered is None:
                        covered = result
                elif result.end is not None and (longest is None or result.end > longest.end):
                    longest = result
            if available:
                free_available = True
                if service_location is None:
                    service_location = rule.service_location
            if result.unknown_years:
                gaps += result.unknown_years
            remedies.append(made or _remedy_result(remedy, result, status, missing, excluded_by))
            trace.append(rule.chosen_log if available else rule.refused_log)

        # paid repair exactly when no free remedy
        entry = best.get("paid_repair")
        if entry is None:
            remedies.append(_NOT_NEEDED if free_available else _PAID_BY_DEFAULT)
            if service_location is None:
                service_location = "any_authorized"
        else:
            result = entry[1]
            rule = result.rule
            # the same few records again and again (a paid repair seldom has a period): made once
            key = (rule, free_available, result.start, result.end)
            made = self._paid_made.get(key)
            if made is None:
                made = remember(self._paid_made, key, _new(RemedyResult, (
                    "paid_repair", rule.basis, not free_available, "not_needed" if free_available else "granted",
                    "free_remedy_available" if free_available else None, (), (), (), rule.policy.id, rule.id,
                    rule.citation, result.start, result.end, rule.service_location, rule.fee, None, rule.note)),
                    PAID_CACHE_SIZE)
            remedies.append(made)
            if service_location is None:
                service_location = rule.service_location

        # an offer that ran out: report the policy's expiry exclusion when nothing free is left
        exclusions = tuple(hits)
        if not free_available:
            seen: set[str] = set()
            for result in offers:
                if result.status == "expired" and result.rule.remedy != "paid_repair":
                    hit = result.rule.policy.expiry_hit
                    if hit is not None and hit.policy not in seen:
                        seen.add(hit.policy)
                        exclusions += (hit,)
                        trace.append((hit.plugin, hit.policy, hit.id, "exclusion", hit.citation, hit.message_zh))
        if exchange_log:
            trace.extend(exchange_log)

        chosen = covered or longest
        coverage = None
        if chosen is not None:
            rule = chosen.rule
            coverage = _new(Coverage, (chosen.start, rule.start_name, rule.start_citation, chosen.end,
                                       (case.case_date - chosen.start).days, rule.policy.id, rule.id, rule.citation))
        return _new(Decision, (
            case.brand,
            case.case_date,
            region,
            region_rule,
            tuple(remedies),
            coverage,
            exclusions,
            exchange,
            service_location,
            tuple(notices),
            tuple(trace),
            refs,
            tuple(failures),
            tuple(sorted(set(gaps))) if gaps else (),
        ))

    # ------------------------------------------------------------------------------ helpers

    def _extra_documents(self, case: "Case", ctx: EvaluationContext, failures: list, trace: list) -> dict[str, dict[str, tuple]]:
        out: dict[str, dict[str, tuple]] = {}
        for plugin, fn in self._documents:
            per: dict[str, tuple] = {}
            for remedy in FREE_REMEDIES:
                try:
                    docs = fn(case=case, remedy=remedy, ctx=ctx)
                except Exception as exc:  # noqa: BLE001
                    failures.append(PluginFailure(plugin, "aftersales_required_documents", _describe(exc)))
                    trace.append((plugin, None, "aftersales_required_documents", "plugin_error", "", _describe(exc)))
                    break
                if docs:
                    per[remedy] = tuple(docs)
            if per:
                out[plugin] = per
        return out


def _excluded_by(rule: Any, own_hits: tuple | list, statutory_hits: tuple | list) -> str | None:
    """The exclusion that refuses a granted offer: its own policy's first, then the statutory ones;
    an offer ``covers`` the exclusions it is meant for, and paid repair is never excluded."""
    if rule.basis == "out_of_warranty":
        return None
    return _first_uncovered(own_hits, rule.covers) or _first_uncovered(statutory_hits, rule.covers)


def _first_uncovered(hits: tuple, covers: frozenset[str]) -> str | None:
    for h in hits:
        if h.id not in covers:
            return h.id
    return None


def _exchange_with_floor(exchange: ExchangeRule | None, consulted: dict[Any, None]) -> tuple[ExchangeRule | None, list]:
    """The exchange rule as answered, with the statutory floor's ``restarts`` where a brand says
    ``continues`` (a statutory policy was consulted, so the unit is covered by the regulation)."""
    log: list[tuple] = []
    if exchange is None:
        return None, log
    log.append((exchange.plugin, exchange.policy, exchange.rule, "exchange_rule", exchange.citation,
                f"{exchange.mode}/{exchange.warranty_after}"))
    if exchange.warranty_after == "continues":
        for policy in consulted:
            floor = policy.exchange if policy.statutory else None
            if floor is not None and floor.warranty_after == "restarts":
                exchange = exchange._replace(warranty_after="restarts")
                log.append((floor.plugin, floor.policy, "exchange", "floor", floor.citation,
                            "warranty_after: continues -> restarts"))
                break
    return exchange, log


def _refs(consulted: dict[Any, None]) -> tuple[PolicyRef, ...]:
    return tuple(PolicyRef(p.id, p.version, p.sha256, p.plugin) for p in consulted)


def _fields_getter(fields: list[str]) -> Callable[[Any], tuple]:
    """``fn(case)``: the values of the region rules' fields (``device.x`` / ``purchase.x``), as a tuple."""
    if not fields:
        return lambda case: ()
    if len(fields) == 1:
        get = attrgetter(fields[0])
        return lambda case: (get(case),)
    return attrgetter(*fields)


def _remedy_result(remedy: str, result: OfferResult, status: str, missing: tuple,
                   excluded_by: str | None) -> RemedyResult:
    """The decision's record of a free remedy whose best offer gave ``result``."""
    rule = result.rule
    available = status == "granted"
    return _new(RemedyResult, (
        remedy,
        rule.basis,
        available,
        status,
        None if available else (excluded_by or result.detail or _REASONS.get(status, status)),
        missing if status == "blocked_documents" else (),
        rule.documents,
        result.asks_missing,
        rule.policy.id,
        rule.id,
        rule.citation,
        result.start,
        result.end,
        rule.service_location,
        rule.fee,
        rule.needs_confirmation,
        rule.note,
    ))


def _consider(best: dict[str, tuple], result: OfferResult, status: str, missing: tuple, excluded_by: str | None) -> None:
    """Keep ``result`` as its remedy's best offer when it beats the one kept so far.

    ``best[remedy]`` is ``(rank, result, status, missing, excluded_by, made)`` (``made``: the
    ``RemedyResult`` when it is ready-made, else None); the rank of the status
    decides first, and only offers of equal rank are compared further (``_beats``)."""
    rank = _STATUS_RANK.get(status, 0)
    current = best.get(result.rule.remedy)
    if current is not None:
        if rank < current[0]:
            return
        if rank == current[0] and not _beats(rank, result, missing, current[1], current[3]):
            return
    best[result.rule.remedy] = (rank, result, status, missing, excluded_by, None)


def _beats(rank: int, result: OfferResult, missing: tuple, other: OfferResult, other_missing: tuple) -> bool:
    """Whether ``result`` beats ``other``, an offer of the same remedy with the same status rank:
    fewer missing papers, the better offer before looking at the case, the later end (no end:
    the longest for a granted offer, the shortest for a refused one), the more specific, the
    statutory. Not-applicable offers (rank 0) compare as ``OfferRule.na_rank`` (static_rank,
    specificity, statutory): keep in step."""
    if rank == 3 and len(missing) != len(other_missing):
        return len(missing) < len(other_missing)
    rule, other_rule = result.rule, other.rule
    if rule.static_rank != other_rule.static_rank:
        return rule.static_rank > other_rule.static_rank
    end, other_end = result.end, other.end
    if end != other_end:
        if end is None or other_end is None:
            return (end is None) == (rank >= 3)
        return end > other_end
    return rule.tie_break > other_rule.tie_break


def _traced(monitor: Callable[[str], None], hook: str, plugin: str, fn: Callable) -> Callable:
    def call(**kwargs: Any) -> Any:
        result = fn(**kwargs)
        monitor(f"{hook} [{plugin}] -> {result!r:.200}")
        return result

    return call


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__

