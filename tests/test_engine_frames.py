"""The engine's one algorithm: frames and shared condition verdicts, checked against a plain
reference reading of the conditions (``reference_conditions``, an oracle kept under tests/)."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest
import reference_conditions
from scenario_helpers import DAY10_CASE, SCENARIOS

from aftersales.batch.generate import generate_cases
from aftersales.core.hookspecs import hookimpl
from aftersales.core.outcomes import Identity
from aftersales.core.registry import load_registry
from aftersales.core.rules import verdicts_function


@pytest.fixture(scope="module")
def cases(registry):
    return [registry.parse_case(m) for m in generate_cases(3000, 20261122)]


def test_policies_are_read_in_plugin_order_the_last_registered_first(registry):
    assert registry.engine._plugins == ("huawei", "generic_sanbao", "apple")


def test_shared_verdicts_match_a_plain_reading(registry, cases):
    """Cases share a policy's verdict; the verdict must be what reading the case alone gives,
    each offer's, exclusion's and notice's conditions read by the reference interpreter."""
    for policy in registry.all_policies():
        for case in cases[:1500]:
            if not policy.speaks_to_brand(case.brand):
                continue
            for region in ("CN", "HK", "OTHER"):
                shared = policy.assess(case, region)
                assert tuple(shared) == reference_conditions.assessment(policy, case, region), (policy.id, case, region)
                assert shared.pending == reference_conditions.pending(policy, case, region), (policy.id, case, region)


def test_the_verdicts_of_several_policies_read_at_once_are_each_policys_own(registry, cases):
    """A frame reads its policies' conditions in one compiled function, which tests a condition
    shared by several policies once and reads a field once: it must give exactly each policy's
    own verdict (itself checked against the plain reading above), one after the other."""
    policies = tuple(registry.all_policies())
    assert len(policies) >= 3
    combos = [policies, policies[::-1]] + [(a, b) for a in policies for b in policies if a is not b]
    for combo in combos:
        together = verdicts_function(combo)
        for case in cases[:500]:
            for region in ("CN", "HK", "OTHER"):
                alone = tuple(v for policy in combo for v in policy._verdict(case, region, {}))
                assert together(case, region, {}) == alone, ([p.id for p in combo], case, region)


def test_a_fixed_offer_is_what_its_tail_gives_for_every_case(registry, cases):
    """An offer with no start, time limit or papers is logged and ranked once per plan from
    ``OfferRule.fixed``: it must be the very result its tail gives for any case."""
    offers = [rule for policy in registry.all_policies() for rule in policy.offers]
    fixed = [rule for rule in offers if rule.fixed is not None]
    assert fixed and len(fixed) < len(offers)
    for rule in fixed:
        for case in cases[:300]:
            assert rule.tail(case) == rule.fixed, (rule, case)
    for rule in offers:
        if rule.fixed is None:  # each of the others reads the case: a date, a time limit or papers
            assert rule.start_name or rule.documents or rule.asks, rule


def test_a_threshold_field_gives_two_verdicts_not_one_per_value(registry, cases):
    generic = next(p for p in registry.all_policies() if p.id == "generic_sanbao")
    verdicts = {generic._verdict(c, "CN", {}) for c in cases}
    productions = {c.device.production_date for c in cases}
    assert len(productions) > 200
    assert len(verdicts) < len(cases) / 5


def test_a_per_case_identify_hook_decides_the_frame_of_its_cases(registry, cases):
    class HongKong:
        calls = 0

        @hookimpl
        def aftersales_identify_device(self, case):
            HongKong.calls += 1
            if case.brand == "generic":
                return Identity(region="HK", plugin="hongkong", policy=None, rule="always_hk", citation="测试")
            return None

    reg = load_registry(extra=[("hongkong", HongKong())])
    case = reg.parse_case(copy.deepcopy(DAY10_CASE))
    decision = reg.evaluate(case)
    assert HongKong.calls == 1 and (decision.region, decision.region_rule) == ("HK", "always_hk")
    assert decision.trace[0] == ("hongkong", None, "always_hk", "region", "测试", "HK")
    # the same as the case giving that region itself, but for the region's trace entry and rule
    given = copy.deepcopy(DAY10_CASE)
    given["device"]["region"] = "HK"
    expected = registry.evaluate(registry.parse_case(given))
    assert decision.remedies == expected.remedies and decision.trace[1:] == expected.trace[1:]
    # other brands: the hook answers None, the policies' region rules decide as before
    for other in [c for c in cases if c.brand != "generic"][:300]:
        assert reg.evaluate(other).to_dict() == registry.evaluate(other).to_dict()


def test_a_networks_region_never_outranks_the_brands_own_region_rules(registry):
    """A plugin serving no brand that places every unit outside the mainland: each Huawei unit
    is placed by its model code as before (a mainland -AL00 keeps the statutory floor, a -L29
    is an overseas unit either way), each in its own frame although the network's answer is one."""
    import yaml

    class Network:
        @hookimpl
        def aftersales_identify_device(self, case):
            return Identity(region="OTHER", plugin="network", policy=None, rule="everything_abroad", citation="测试")

    reg = load_registry(extra=[("network", Network())])
    data = yaml.safe_load((SCENARIOS / "huawei-day10-onsite.yaml").read_text(encoding="utf-8"))["case"]
    for code, region in (("BRA-AL00", "CN"), ("BRA-L29", "OTHER"), ("BRA-AL00", "CN")):
        data["device"]["model_code"] = code
        case = reg.parse_case(copy.deepcopy(data))
        decided = reg.evaluate(case)
        assert (decided.region, decided.region_rule) == (region, "huawei/region_from_model_code"), code
        assert decided.to_dict() == registry.evaluate(registry.parse_case(copy.deepcopy(data))).to_dict()
    assert "generic_sanbao" in [p.id for p in reg.evaluate(reg.parse_case(data)).policies]


def test_the_statutory_policy_answers_region_and_exchange_for_any_brand(registry):
    generic = next(p for p in registry.all_policies() if p.id == "generic_sanbao")
    assert generic.brands is None and generic.exchange is not None
    data = copy.deepcopy(DAY10_CASE)
    data["brand"] = "generic"
    data["device"].pop("model_code", None)
    data["purchase"]["country"] = "HK"
    decision = registry.evaluate(registry.parse_case(data))
    assert decision.region == "HK" and decision.region_rule.startswith("generic_sanbao/")


def test_the_trace_is_typed_one_record_per_kind(registry, cases):
    from aftersales.core.outcomes import OfferJudged, OfferResult, TraceStep

    kinds = {type(entry) for case in cases[:500] for entry in registry.evaluate(case).log}
    assert kinds == {TraceStep, OfferResult, OfferJudged}
    for case in cases[:200]:
        assert all(type(step) is TraceStep for step in registry.evaluate(case).trace)


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


def test_the_plans_stay_bounded_and_decide_the_same_when_they_start_again(registry, cases, monkeypatch):
    from aftersales.core import engine as engine_module

    expected = [registry.evaluate(case).to_dict() for case in cases[:600]]
    monkeypatch.setattr(engine_module, "PLAN_CACHE_SIZE", 50)
    engine = load_registry().engine
    for case, decided in zip(cases[:600], expected, strict=True):
        assert engine.evaluate(case).to_dict() == decided
        tables = {id(f.plans): f for f in engine._frames.values()}   # frames of the same policies share theirs
        assert sum(len(f.plans) for f in tables.values()) <= 50
        assert sum(len(f.older) for f in tables.values()) <= 50
    assert engine._plan_count > 0
    assert sum(len(f.older) for f in tables.values()) > 0   # the plans turned over at least once


def test_the_ready_made_paid_repair_records_stay_bounded_and_decide_the_same(cases, monkeypatch):
    from aftersales.core import engine as engine_module

    monkeypatch.setattr(engine_module, "MADE_CACHE_SIZE", 8)
    engine = load_registry().engine
    reference = load_registry().engine   # makes every record afresh
    seen = set()
    for case in cases:
        reference._made = engine_module._Made()
        assert engine.evaluate(case).to_dict() == reference.evaluate(case).to_dict()
        assert all(len(table) <= 8 for table in (engine._made.paid_made, engine._made.ready_made,
                                                      engine._made.group_made))
        seen.update(engine._made.paid_made)
    assert len(seen) > 8   # the table was emptied and filled again


def test_the_policy_checker_reads_conditions_with_the_compiled_expressions(registry):
    """``policyload.matches`` (contradictions, overlaps, floor check) is the engine's compiled
    condition, not an interpreter of its own: it agrees with the reference reading on every
    value the checker tries, for every matcher of the bundled policies."""
    from aftersales.authoring.policyload import _OTHER, candidates, matches

    tried = 0
    for policy in registry.all_policies():
        for section in ("offers", "exclusions", "notices"):
            for item in policy.data.get(section, ()) or ():
                for path, matcher in (item.get("when") or {}).items():
                    for value in candidates(path, [matcher]):
                        if value in ("a date", _OTHER) or isinstance(value, str) and path.startswith("history."):
                            continue   # the checker's stand-ins for "some other value"
                        assert matches(matcher, value) == reference_conditions.holds(matcher, value), (path, matcher, value)
                        tried += 1
    assert tried > 200


def test_frames_of_the_same_policies_share_their_plans_and_each_keeps_its_region_entry(cases):
    """Two frames alike but for how the region was found (given on the case, or read off the
    unit by a policy's region rule) decide from one plan; each decision's trace opens with its
    own frame's region entry, and the decisions are those of an engine whose frames share nothing."""
    engine = load_registry().engine
    kinds: dict[tuple, list] = {}
    for case in cases:
        engine.evaluate(case)
    for frame in {id(f): f for f in engine._frames.values()}.values():
        kinds.setdefault(frame.policies, []).append(frame)
    shared = [frames for frames in kinds.values() if len({f.region_entry for f in frames}) > 1]
    assert shared, "the generated cases give no two frames of the same policies"
    for frames in shared:
        assert len({id(f.plans) for f in frames}) == 1 and len({id(f.older) for f in frames}) == 1

    def alone(engine):   # every frame its own plans, as before they were shared
        made = engine._frame

        def frame(*args, **kwargs):
            f = made(*args, **kwargs)
            if id(f.plans) not in mine:
                f.plans, f.older = {}, {}
                mine.add(id(f.plans))
            return f

        mine: set[int] = set()
        engine._frame = frame
        return engine

    fresh, apart = load_registry().engine, alone(load_registry().engine)
    entries = set()
    for case in cases:
        decided = fresh.evaluate(case)
        assert decided.to_dict() == apart.evaluate(case).to_dict()
        entries.add(decided.trace[0])
    assert len(entries) > 1   # the first entry is each frame's own
