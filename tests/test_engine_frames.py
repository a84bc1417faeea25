"""The engine's planned path (frames and shared condition verdicts) decides exactly as the hooks do."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest
from scenario_helpers import DAY10_CASE

from aftersales.batch.generate import generate_cases
from aftersales.core.hookspecs import hookimpl
from aftersales.core.policyplugin import PolicyPlugin
from aftersales.core.registry import load_registry


@pytest.fixture(scope="module")
def cases(registry):
    return [registry.parse_case(m) for m in generate_cases(3000, 20261122)]


def test_the_bundled_plugins_are_planned(registry):
    assert registry.engine._plan_order is not None
    kinds = dict(registry.engine._plan_order["identify_device"])
    assert kinds == {"apple": "brand", "huawei": "brand", "generic_sanbao": "any"}
    # the floor answers after the brand plugins
    assert registry.engine._plan_order["identify_device"][-1][0] == "generic_sanbao"


def test_planned_and_hook_paths_give_the_same_decisions(registry, cases):
    engine = registry.engine
    differ = [i for i, case in enumerate(cases)
              if engine._evaluate_planned(case).to_dict() != engine._evaluate_hooks(case).to_dict()]
    assert differ == []


def test_shared_verdicts_match_a_fresh_check(registry, cases):
    """Cases share a policy's verdict; the verdict must be what checking the case alone gives:
    each offer's conditions (compiled on their own, as exclusions and notices are), and each
    exclusion's and notice's conditions."""
    from aftersales.core.rules import compile_when

    for policy in registry.all_policies():
        whens = [compile_when(spec.get("when")) for spec in policy.data.get("offers", ())]
        for case in cases[:1500]:
            if not policy.speaks_to_brand(case.brand):
                continue
            for region in ("CN", "HK", "OTHER"):
                shared = policy.assess(case, region)
                live, na = [], []
                for offer, when in zip(policy.offers, whens, strict=True):
                    failed = when(case, region)
                    if failed is None:
                        live.append(offer)
                    else:
                        na.append(next(r for r in offer.na_results if r.detail == failed))
                fresh = (tuple(live), tuple(na), tuple(policy.exclusion_hits(case, region)),
                         tuple(policy.notices_for(case, region)))
                assert tuple(shared) == fresh, (policy.id, case, region)


def test_a_threshold_field_gives_two_verdicts_not_one_per_value(registry, cases):
    generic = next(p for p in registry.all_policies() if p.id == "generic_sanbao")
    verdicts = {generic._verdict(c, "CN") for c in cases}
    productions = {c.device.production_date for c in cases}
    assert len(productions) > 200
    assert len(verdicts) < len(cases) / 5


def test_a_plugin_with_hook_code_of_its_own_takes_the_hook_path():
    class Noisy(PolicyPlugin):
        name = "noisy"
        calls = 0

        @hookimpl
        def aftersales_notices(self, case, ctx):
            Noisy.calls += 1
            return []

    reg = load_registry(extra=[("noisy", Noisy())])
    assert reg.engine._plan_order is None
    case = reg.parse_case(copy.deepcopy(DAY10_CASE))
    decision = reg.evaluate(case)
    assert Noisy.calls == 1
    assert decision.to_dict() == load_registry().evaluate(case).to_dict()


def test_the_floor_flag_answers_region_and_exchange_for_any_brand(registry):
    generic = registry.pm.get_plugin("generic_sanbao")
    assert generic.floor is True
    impl = {i.plugin_name: i for i in registry.pm.hook.aftersales_identify_device.get_hookimpls()}
    assert impl["generic_sanbao"].trylast and not impl["apple"].trylast
    data = copy.deepcopy(DAY10_CASE)
    data["brand"] = "generic"
    data["device"].pop("model_code", None)
    data["purchase"]["country"] = "HK"
    decision = registry.evaluate(registry.parse_case(data))
    assert decision.region == "HK" and decision.region_rule.startswith("generic_sanbao/")


def _reference_start(spec, case):
    """A start rule read the plain way: ``from`` a date (plus an offset), the first given, or the earliest."""
    fields = {"purchase_date": case.purchase.date, "received_date": case.purchase.received_date,
              "activation_date": case.activation_date, "production_date": case.device.production_date}

    def one(item):
        day = fields[item["from"]]
        return None if day is None else day + timedelta(days=item.get("offset_days", 0))

    if "from" in spec:
        return one(spec)
    days = [one(item) for item in spec.get("first_of") or spec["earliest_of"]]
    given = [d for d in days if d is not None]
    if not given:
        return None
    return given[0] if "first_of" in spec else min(given)


def test_generated_start_dates_match_the_plain_reading(registry, cases):
    checked = 0
    for policy in registry.all_policies():
        for offer in policy.offers:
            if not offer.start_name:
                continue
            spec = policy.starts[offer.start_name]
            for case in cases:
                result = offer.tail(case)
                if result.status == "not_applicable":
                    continue
                assert (None if result.status == "no_start" else result.start) == _reference_start(spec, case), \
                    (policy.id, offer.id, case)
                checked += 1
    assert checked > 10_000


def test_the_plans_stay_bounded_and_decide_the_same_when_they_start_again(cases, monkeypatch):
    from aftersales.core import engine as engine_module

    monkeypatch.setattr(engine_module, "PLAN_CACHE_SIZE", 50)
    registry = load_registry()
    engine = registry.engine
    for case in cases[:600]:
        assert engine._evaluate_planned(case).to_dict() == engine._evaluate_hooks(case).to_dict()
        kinds = {id(f): f for f in engine._frames.values()}
        assert sum(len(f.plans) for f in kinds.values()) <= 50
    assert engine._plan_count > 0


def test_the_ready_made_paid_repair_records_stay_bounded_and_decide_the_same(cases, monkeypatch):
    from aftersales.core import engine as engine_module

    monkeypatch.setattr(engine_module, "PAID_CACHE_SIZE", 8)
    engine = load_registry().engine
    reference = load_registry().engine   # makes every record afresh
    seen = set()
    for case in cases:
        reference._paid_made.clear()
        assert engine.evaluate(case).to_dict() == reference.evaluate(case).to_dict()
        assert len(engine._paid_made) <= 8
        seen.update(engine._paid_made)
    assert len(seen) > 8   # the table was emptied and filled again
