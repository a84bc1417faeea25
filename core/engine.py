"""The offers engine: one case in, one explained decision out.

    identify device  -> collect offers -> apply exclusions -> choose per remedy
                     -> exchange rule (with the statutory floor) -> Decision

Each hook implementation is called on its own, inside its own ``try``: a plugin that raises is
named in the decision (``plugin_errors``) and the trace, and every other plugin keeps working.
The engine does no I/O; everything it needs was loaded into the registry beforehand.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from .decision import Coverage, Decision, PolicyRef, RemedyResult
from .errors import CaseError
from .outcomes import ExchangeRule, ExclusionHit, Identity, Notice, OfferResult, PluginFailure
from .vocab import FREE_REMEDIES, REMEDY_ORDER

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

    def _impls(self, caller: Any) -> tuple[tuple[str, Callable], ...]:
        # pluggy keeps implementations in call order reversed (last registered, tryfirst last)
        impls = tuple((self.registry.pm.get_name(i.plugin) or i.plugin_name, i.function) for i in reversed(caller.get_hookimpls()))
        monitor = getattr(self.registry, "hook_monitor", None)
        if monitor is not None:
            impls = tuple((name, _traced(monitor, caller.name, name, fn)) for name, fn in impls)
        return impls

    # ------------------------------------------------------------------------------ evaluate

    def evaluate(self, case: "Case") -> Decision:
        reg = self.registry
        if case.brand not in reg.brands:
            raise CaseError(f"unknown brand {case.brand!r}; known brands: {', '.join(sorted(reg.brands))}", field="brand")
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
        gaps: set[int] = set()
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
                if rule.basis != "out_of_warranty":
                    for h in own_hits.get(rule.policy.id, ()):
                        if h.id not in rule.covers:
                            excluded_by = h.id
                            break
                    else:
                        for h in statutory_hits:
                            if h.id not in rule.covers:
                                excluded_by = h.id
                                break
                if excluded_by is not None:
                    status = "excluded"
            trace.append((result, status, excluded_by, missing))
            _consider(best, result, status, missing, excluded_by)
        for result in unmet:
            if result.rule.remedy not in best or best[result.rule.remedy][0][0] == 0:
                _consider(best, result, "not_applicable", (), None)
        policies = consulted

        # 5. remedies in the contract's order; paid repair exactly when no free remedy
        free_available = any(best[r][2] == "granted" for r in FREE_REMEDIES if r in best)
        remedies: list[RemedyResult] = []
        for remedy in REMEDY_ORDER:
            entry = best.get(remedy)
            if remedy == "paid_repair":
                remedies.append(self._paid_repair(entry, free_available))
                continue
            if entry is None:
                continue
            _, result, status, missing, excluded_by = entry
            rule = result.rule
            available = status == "granted"
            if result.unknown_years:
                gaps.update(result.unknown_years)
            remedies.append(RemedyResult(
                remedy=remedy,
                basis=rule.basis,
                available=available,
                status=status,
                reason=None if available else (excluded_by or result.detail or _REASONS.get(status, status)),
                missing_documents=missing if status in ("blocked_documents",) else (),
                required_documents=rule.documents,
                asked_documents=result.asks_missing,
                policy=rule.policy.id,
                rule=rule.id,
                citation=rule.citation,
                start=result.start,
                end=result.end,
                service_location=rule.service_location,
                fee=rule.fee,
                needs_confirmation=rule.needs_confirmation,
                note=rule.note,
            ))
            trace.append((rule.policy.plugin, rule.policy.id, rule.id, "chosen" if available else "refused", rule.citation, remedy))

        # an offer that ran out: report the policy's expiry exclusion when nothing free is left
        exclusions = list(hits)
        if not free_available:
            seen: set[str] = set()
            for result in offers:
                if result.status == "expired" and result.rule.remedy in FREE_REMEDIES:
                    hit = result.rule.policy.expiry_hit
                    if hit is not None and hit.policy not in seen:
                        seen.add(hit.policy)
                        exclusions.append(hit)
                        trace.append((hit.plugin, hit.policy, hit.id, "exclusion", hit.citation, hit.message_zh))

        coverage = self._coverage(case, best)

        # 6. exchange rule, with the statutory floor for mainland units
        exchange = None
        for plugin, fn in self._exchange:
            try:
                exchange = fn(case=case, ctx=ctx)
            except Exception as exc:  # noqa: BLE001
                failures.append(PluginFailure(plugin, "aftersales_exchange_rule", _describe(exc)))
                trace.append((plugin, None, "aftersales_exchange_rule", "plugin_error", "", _describe(exc)))
                continue
            if exchange is not None:
                break
        if exchange is not None:
            trace.append((exchange.plugin, exchange.policy, exchange.rule, "exchange_rule", exchange.citation,
                          f"{exchange.mode}/{exchange.warranty_after}"))
            if exchange.warranty_after == "continues":
                for policy in policies:
                    floor = policy.exchange if policy.statutory else None
                    if floor is not None and floor.warranty_after == "restarts":
                        exchange = exchange._replace(warranty_after="restarts")
                        trace.append((floor.plugin, floor.policy, "exchange", "floor", floor.citation,
                                      "warranty_after: continues -> restarts"))
                        break

        service_location = "any_authorized"
        for r in remedies:
            if r.available:
                service_location = r.service_location
                break

        return Decision(
            brand=case.brand,
            case_date=case.case_date,
            region=region,
            region_rule=region_rule,
            remedies=tuple(remedies),
            coverage=coverage,
            exclusions=tuple(exclusions),
            exchange=exchange,
            service_location=service_location,
            notices=tuple(notices),
            log=tuple(trace),
            policies=tuple(PolicyRef(p.id, p.version, p.sha256, p.plugin) for p in policies),
            plugin_errors=tuple(failures),
            calendar_gaps=tuple(sorted(gaps)),
        )

    # ------------------------------------------------------------------------------ helpers

    def _paid_repair(self, entry: tuple | None, free_available: bool) -> RemedyResult:
        if entry is None:
            return RemedyResult("paid_repair", "out_of_warranty", not free_available,
                                "granted" if not free_available else "not_needed",
                                None if not free_available else "free_remedy_available",
                                (), (), (), None, None, "", None, None, "any_authorized")
        _, result, status, missing, excluded_by = entry
        rule = result.rule
        available = not free_available
        return RemedyResult(
            remedy="paid_repair",
            basis=rule.basis,
            available=available,
            status="granted" if available else "not_needed",
            reason=None if available else "free_remedy_available",
            missing_documents=(),
            required_documents=(),
            asked_documents=(),
            policy=rule.policy.id,
            rule=rule.id,
            citation=rule.citation,
            start=result.start,
            end=result.end,
            service_location=rule.service_location,
            fee=rule.fee,
            note=rule.note,
        )

    @staticmethod
    def _coverage(case: "Case", best: dict[str, tuple]) -> Coverage | None:
        chosen = None
        for remedy in FREE_REMEDIES:
            entry = best.get(remedy)
            if entry is not None and entry[2] == "granted" and entry[1].start is not None:
                chosen = entry[1]
                break
        if chosen is None:
            longest = None
            for remedy in FREE_REMEDIES:
                entry = best.get(remedy)
                if entry is None or entry[1].start is None or entry[1].end is None:
                    continue
                if longest is None or entry[1].end > longest.end:
                    longest = entry[1]
            chosen = longest
        if chosen is None:
            return None
        rule = chosen.rule
        return Coverage(
            start=chosen.start,
            start_rule=rule.start_name,
            start_citation=rule.start_citation,
            end=chosen.end,
            days_elapsed=(case.case_date - chosen.start).days,
            policy=rule.policy.id,
            rule=rule.id,
            citation=rule.citation,
        )

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


def _consider(best: dict[str, tuple], result: OfferResult, status: str, missing: tuple, excluded_by: str | None) -> None:
    """Keep ``result`` as its remedy's best offer when it beats the one kept so far."""
    rule = result.rule
    rank = _STATUS_RANK.get(status, 0)
    current = best.get(rule.remedy)
    if current is not None and rank < current[0][0]:
        return
    end = result.end
    key = (
        rank,
        -len(missing) if rank == 3 else 0,
        rule.static_rank,
        end.toordinal() if end else (800000 if rank >= 3 else 0),
        rule.specificity,
        rule.policy.statutory,
    )
    if current is None or key > current[0]:
        best[rule.remedy] = (key, result, status, missing, excluded_by)


def _traced(monitor: Callable[[str], None], hook: str, plugin: str, fn: Callable) -> Callable:
    def call(**kwargs: Any) -> Any:
        result = fn(**kwargs)
        monitor(f"{hook} [{plugin}] -> {result!r:.200}")
        return result

    return call


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__

