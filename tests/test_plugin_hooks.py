"""Hooks as the plugin API: a brand in Python alone, named predicates in YAML ``when``, and
containment of whatever a plugin returns (bad values, exceptions, overflows, wrappers): the
plugin is named in the decision and the statutory floor still decides."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path

import pytest
from scenario_helpers import DAY10_CASE, evaluate_with_drop_in

from aftersales import hookimpl
from aftersales.core.errors import EngineError, QuarantineError
from aftersales.core.outcomes import Identity
from aftersales.core.plugininfo import Brand
from aftersales.core.policyplugin import PolicyPlugin
from aftersales.core.registry import load_registry

TESTS = Path(__file__).parent
sys.path.insert(0, str(TESTS / "plugins"))
import pybrand  # noqa: E402  - the Python-alone test brand

GENERIC = DAY10_CASE   # a mainland unit on day 10: the statutory exchange


def _case(registry, **changes):
    data = copy.deepcopy(GENERIC)
    data.update(changes)
    return registry.parse_case(data)


@pytest.fixture(scope="module")
def floor_only():
    """What the bundled plugins decide alone, to compare with."""
    return load_registry()


# --------------------------------------------------------------------------- a brand in Python alone

def test_a_brand_written_in_python_alone_decides_its_cases():
    registry = load_registry(extra=[("pybrand", pybrand)])
    assert registry.failures == [] and "pybrand" in registry.brands
    info = registry.plugins["pybrand"]
    assert info.policies[0]["id"] == "pybrand" and info.policies[0]["valid"]
    decision = registry.evaluate(_case(registry, brand="pybrand", device={"model": "P1", "serial": "XCN001"}))
    assert (decision.region, decision.region_rule) == ("CN", "region_from_serial")
    assert decision.remedy("exchange").available and decision.remedy("exchange").policy == "pybrand"
    assert decision.remedy("repair").policy == "pybrand"
    # the statutory floor still applies to the mainland unit: an exchange restarts the warranty
    assert decision.exchange.warranty_after == "restarts"
    assert any(t.effect == "floor" for t in decision.trace)
    assert [p.id for p in decision.policies] == ["pybrand", "generic_sanbao"]


def test_a_policy_given_from_python_is_validated_by_the_same_schema():
    class Broken(PolicyPlugin):
        name = "broken"
        brands = [Brand("broken", "坏", "Broken")]

        def policies(self):
            return [dict(pybrand.POLICY, id="broken", applies_to={"brands": ["broken"]}, periods={"host": {"months": "twelve"}})]

    registry = load_registry(extra=[("broken", Broken())])
    assert [(f.plugin, f.hook) for f in registry.failures] == [("broken", "aftersales_policies")]
    assert "$.periods.host.months" in registry.failures[0].error and "twelve" in registry.failures[0].error
    # the plugin is quarantined: its brand answers with one located line, never half its terms
    with pytest.raises(QuarantineError, match=r"plugin 'broken' is quarantined.*:27:17: \$\.periods\.host\.months"):
        registry.evaluate(_case(registry, brand="broken"))
    assert registry.quarantined["broken"].brands == ("broken",)
    # other brands decide as before, naming nothing
    generic = registry.evaluate(_case(registry))
    assert generic.plugin_errors == () and generic.to_dict() == load_registry().evaluate(_case(registry)).to_dict()


@pytest.mark.parametrize("answer", ["not a list", [42], [{"id": object()}], {"id": "x"}])
def test_a_malformed_policies_answer_is_named_not_raised(answer):
    class Odd(PolicyPlugin):
        name = "odd"
        brands = [Brand("odd", "怪", "Odd")]

        def policies(self):
            return answer

    registry = load_registry(extra=[("odd", Odd())])
    decision = registry.evaluate(_case(registry, brand="odd"))
    assert [(f.plugin, f.hook) for f in decision.plugin_errors] == [("odd", "aftersales_policies")]
    assert "exchange" in decision.available()


# (a plugin whose aftersales_brands raises is quarantined instead: test_plugins.py)
@pytest.mark.parametrize("hook", ["aftersales_policy_files", "aftersales_policies", "aftersales_predicates"])
def test_a_load_time_hook_that_raises_is_named_and_the_floor_decides(hook):
    class Raises:
        pass

    def boom():
        raise RuntimeError(f"boom in {hook}")

    setattr(Raises, hook, staticmethod(hookimpl(boom)))
    registry = load_registry(extra=[("raises", Raises())])
    assert [(f.plugin, f.hook) for f in registry.failures] == [("raises", hook)]
    decision = registry.evaluate(_case(registry))
    assert [(f.plugin, f.hook) for f in decision.plugin_errors] == [("raises", hook)]
    assert f"boom in {hook}" in decision.plugin_errors[0].error
    assert decision.available() == ["exchange", "repair"]


def test_a_policy_whose_period_runs_past_the_calendar_is_refused_when_it_loads(floor_only):
    """A period no calendar holds (ten million months) once passed the schema and failed every
    case of the brand; a time limit now counts at most a century (``policy.schema.json``): the
    policy is refused when it loads, its plugin quarantined and named at the path, and every
    other brand decides as before."""
    class Endless(PolicyPlugin):
        name = "endless"
        brands = [Brand("endless", "无尽", "Endless")]

        def policies(self):
            return [dict(pybrand.POLICY, id="endless", applies_to={"brands": ["endless"]},
                         periods={"host": {"months": 10 ** 7}}, exclusions=[],
                         offers=[pybrand.POLICY["offers"][1]])]

    registry = load_registry(extra=[("endless", Endless())])
    assert [(f.plugin, f.hook) for f in registry.failures] == [("endless", "aftersales_policies")]
    assert "$.periods.host.months" in registry.failures[0].error and "1200" in registry.failures[0].error
    with pytest.raises(QuarantineError, match=r"plugin 'endless' is quarantined"):
        registry.evaluate(_case(registry, brand="endless"))
    assert registry.evaluate(_case(registry)).to_dict() == floor_only.evaluate(_case(floor_only)).to_dict()


@pytest.mark.parametrize("answer", [[42], "policies/x.yaml", [None]])
def test_a_policy_files_answer_that_is_not_files_is_named(answer):
    class Odd(PolicyPlugin):
        name = "odd"
        brands = [Brand("odd", "怪", "Odd")]

        def policy_files(self):
            return answer

    registry = load_registry(extra=[("odd", Odd())])
    decision = registry.evaluate(_case(registry, brand="odd"))
    assert [(f.plugin, f.hook) for f in decision.plugin_errors] == [("odd", "aftersales_policy_files")]
    assert "exchange" in decision.available()


# --------------------------------------------------------------------------- named predicates

PREDICATE_POLICY = """\
schema_version: 1
id: acme
kind: brand
version: "1"
title: {zh: 测试品牌, en: test brand}
source: a test
effective: {from: "2000-01-01"}
applies_to: {brands: [acme]}
starts:
  invoice: {from: purchase_date, citation: 发票日期起算}
offers:
  - id: loyalty_exchange
    remedy: exchange
    basis: warranty
    when: {fault.confirmed: true, predicate.acme_loyal_customer: true}
    start: invoice
    period: {months: 12}
    citation: 老客户一年换新
notices:
  - id: loyal
    when: {predicate.acme_loyal_customer: true}
    message: {zh: 老客户, en: a loyal customer}
    citation: 会员
exclusions: []
exchange: {mode: on_site, warranty_after: continues, citation: 当场换机}
"""


def _acme(tmp_path, predicate):
    policy = tmp_path / "acme.yaml"
    policy.write_text(PREDICATE_POLICY, encoding="utf-8")

    class Acme(PolicyPlugin):
        name = "acme"
        brands = [Brand("acme", "测试", "Acme")]

        def policy_files(self):
            return [policy]

        def predicates(self):
            return {"acme_loyal_customer": predicate}

    return load_registry(extra=[("acme", Acme())])


def _acme_case(registry, serial, day="2026-09-15"):
    return _case(registry, brand="acme", case_date=day, device={"model": "A1", "serial": serial, "region": "OTHER"})


def test_a_named_predicate_decides_a_yaml_when(tmp_path):
    calls = []

    def loyal(case):
        calls.append(case.device.serial)
        return case.device.serial.startswith("L")

    registry = _acme(tmp_path, loyal)
    loyal_case = registry.evaluate(_acme_case(registry, "L001"))
    assert loyal_case.remedy("exchange").available and loyal_case.remedy("exchange").rule == "loyalty_exchange"
    assert [n.id for n in loyal_case.notices] == ["loyal"]
    other = registry.evaluate(_acme_case(registry, "X001"))
    assert not other.remedy("exchange").available and other.remedy("exchange").reason == "predicate.acme_loyal_customer"
    assert other.notices == ()
    assert calls == ["L001", "X001"]           # once per case, though two rules use it
    # a case of another brand does not call it: no policy that applies uses it
    registry.evaluate(_case(registry))
    assert calls == ["L001", "X001"]


def test_a_predicate_compiles_into_the_policys_verdict(tmp_path):
    registry = _acme(tmp_path, lambda case: True)
    acme = next(p for p in registry.all_policies() if p.id == "acme")
    assert acme.predicates_used == ("acme_loyal_customer",)
    case = _acme_case(registry, "L001")
    assert acme._verdict(case, "OTHER", {"acme_loyal_customer": True}) == (-1, True)
    assert acme._verdict(case, "OTHER", {"acme_loyal_customer": False}) == (1, False)


@pytest.mark.parametrize("predicate, error", [
    (lambda case: 1 / 0, "ZeroDivisionError"),
    (lambda case: "yes", "not True or False"),
    (lambda case: None, "not True or False"),
])
def test_a_predicate_that_fails_is_named_and_its_condition_does_not_hold(tmp_path, predicate, error):
    registry = _acme(tmp_path, predicate)
    decision = registry.evaluate(_acme_case(registry, "L001"))
    assert [(f.plugin, f.hook) for f in decision.plugin_errors] == [("acme", "aftersales_predicates[acme_loyal_customer]")]
    assert error in decision.plugin_errors[0].error
    assert not decision.remedy("exchange").available
    assert any(t.effect == "plugin_error" and t.plugin == "acme" for t in decision.trace)


def test_a_predicate_that_overflows_is_named(tmp_path):
    def deep(case):
        return deep(case)

    registry = _acme(tmp_path, deep)
    decision = registry.evaluate(_acme_case(registry, "L001"))
    assert "RecursionError" in decision.plugin_errors[0].error and decision.plugin_errors[0].plugin == "acme"


def test_a_policy_naming_an_unknown_predicate_is_refused_at_load(tmp_path):
    policy = tmp_path / "acme.yaml"
    policy.write_text(PREDICATE_POLICY, encoding="utf-8")

    class NoPredicates(PolicyPlugin):
        name = "acme"
        brands = [Brand("acme", "测试", "Acme")]

        def policy_files(self):
            return [policy]

    registry = load_registry(extra=[("acme", NoPredicates())])
    assert "unknown predicate 'acme_loyal_customer'" in registry.quarantined["acme"].reason
    assert any("unknown predicate 'acme_loyal_customer'" in str(i) for i in registry.errors)
    with pytest.raises(QuarantineError, match="unknown predicate"):
        registry.evaluate(_case(registry, brand="acme"))


def test_a_predicate_name_already_offered_or_malformed_is_refused_and_named():
    class One:
        @hookimpl
        def aftersales_predicates(self):
            return {"shared": lambda case: True}

    class Two:
        @hookimpl
        def aftersales_predicates(self):
            return {"shared": lambda case: False, "Bad Name": lambda case: True}

    registry = load_registry(extra=[("one", One()), ("two", Two())])
    # pluggy consults the last registered first: "two" offers "shared" first
    assert registry.predicates["shared"].plugin == "two" and "Bad Name" not in registry.predicates
    errors = {(f.plugin, f.error) for f in registry.failures}
    assert ("one", "predicate 'shared' is already offered by plugin 'two'") in errors
    assert any(plugin == "two" and "'Bad Name'" in error for plugin, error in errors)


# --------------------------------------------------------------------------- the per-case hook

@pytest.mark.parametrize("answer, error", [
    ("CN", "not an Identity"),
    (Identity(region="MARS", plugin="x", policy=None, rule="r", citation=""), "not an Identity"),
])
def test_an_identify_answer_of_the_wrong_kind_is_named_and_the_next_plugin_answers(floor_only, answer, error):
    class Wrong:
        @hookimpl
        def aftersales_identify_device(self, case):
            return answer

    registry = load_registry(extra=[("wrong", Wrong())])
    decision = registry.evaluate(_case(registry))
    assert [(f.plugin, f.hook) for f in decision.plugin_errors] == [("wrong", "aftersales_identify_device")]
    assert error in decision.plugin_errors[0].error
    expected = floor_only.evaluate(_case(floor_only))
    assert (decision.region, decision.region_rule, decision.remedies) == (expected.region, expected.region_rule, expected.remedies)


def test_an_identify_hook_that_overflows_is_named(floor_only):
    class Deep:
        @hookimpl
        def aftersales_identify_device(self, case):
            return self.aftersales_identify_device(case)

    registry = load_registry(extra=[("deep", Deep())])
    decision = registry.evaluate(_case(registry))
    assert decision.plugin_errors[0].plugin == "deep" and "RecursionError" in decision.plugin_errors[0].error
    assert decision.remedies == floor_only.evaluate(_case(floor_only)).remedies


# --------------------------------------------------------------------------- wrappers are refused

@pytest.mark.parametrize("marker", [{"wrapper": True}, {"hookwrapper": True}])
def test_a_wrapper_hook_is_refused_at_registration_and_named(floor_only, marker):
    class Wrapping:
        @hookimpl(**marker)
        def aftersales_identify_device(self, case):
            result = yield
            return result

    registry = load_registry(extra=[("wrapping", Wrapping())])
    assert registry.pm.get_plugin("wrapping") is None
    assert "wrapper" in registry.plugins["wrapping"].error
    decision = registry.evaluate(_case(registry))
    # refused as it registered (the failure names that), the wrapper hook named in the error
    assert [(f.plugin, f.hook) for f in decision.plugin_errors] == [("wrapping", "register")]
    assert "aftersales_identify_device is a wrapper" in decision.plugin_errors[0].error
    assert "是包装器" in registry.plugins["wrapping"].error_zh
    assert decision.remedies == floor_only.evaluate(_case(floor_only)).remedies


def test_a_brand_plugins_wrapper_quarantines_it_and_no_other_brand_names_it(floor_only):
    class WrappingBrand:
        @hookimpl
        def aftersales_brands(self):
            return [Brand("acme", "阿克米", "Acme")]

        @hookimpl(wrapper=True)
        def aftersales_predicates(self):
            return (yield)

    registry = load_registry(extra=[("acme", WrappingBrand())])
    assert registry.pm.get_plugin("acme") is None and "acme" in registry.quarantined
    decision = registry.evaluate(_case(registry))
    assert decision.plugin_errors == ()
    assert decision.remedies == floor_only.evaluate(_case(floor_only)).remedies
    with pytest.raises(QuarantineError, match="aftersales_predicates is a wrapper"):
        _case(registry, brand="acme")


def test_cli_exits_3_naming_a_wrapper_plugin(tmp_path):
    result = evaluate_with_drop_in(tmp_path, "wrapping",
                                   "from aftersales import hookimpl\n"
                                   "@hookimpl(wrapper=True)\n"
                                   "def aftersales_identify_device(case):\n"
                                   "    return (yield)\n")
    assert result.returncode == 3, result.stderr
    assert "wrapping" in result.stderr and "wrapper" in result.stderr and "Traceback" not in result.stderr
    assert "换货" in result.stdout


def test_cli_decides_the_python_brand_from_a_drop_in_folder():
    case = TESTS / "plugins" / "pybrand-case.json"
    result = subprocess.run([sys.executable, "-m", "aftersales", "evaluate", str(case), "--json",
                             "--plugins-dir", str(TESTS / "plugins")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert '"policy": "pybrand"' in result.stdout


# --------------------------------------------------------------------------- the engine's own failures

def test_an_internal_error_is_raised_and_named_not_answered_another_way(monkeypatch):
    registry = load_registry()
    case = _case(registry)
    generic = next(p for p in registry.all_policies() if p.id == "generic_sanbao")

    def broken(verdict):
        raise KeyError("verdict")

    monkeypatch.setattr(generic, "assessment", broken)
    with pytest.raises(EngineError, match="internal error deciding a 'generic' case: KeyError"):
        registry.evaluate(case)


# --------------------------------------------------------------------------- a plugin speaks for its own brands

def test_a_plugin_serving_another_brand_is_not_asked_where_this_brands_units_were_made(floor_only):
    """A drop-in for one brand that answers 'made for another region' for every case would take
    the statutory floor from every other brand's mainland units (the floor applies by region)."""
    class Hijack(PolicyPlugin):
        name = "hijack"
        brands = [Brand("nokia", "诺基亚", "Nokia")]

        @hookimpl
        def aftersales_identify_device(self, case):
            return Identity(region="OTHER", plugin="hijack", policy=None, rule="all_foreign", citation="")

    registry = load_registry(extra=[("hijack", Hijack())])
    case = _case(registry)
    assert case.device.region is None       # the region is worked out, not given
    decision = registry.evaluate(case)
    assert decision.to_dict() == floor_only.evaluate(_case(floor_only)).to_dict()
    # its own brand's units it identifies
    assert registry.evaluate(_case(registry, brand="nokia")).region == "OTHER"


@pytest.mark.parametrize("changes, says", [
    # (refused as not the statutory plugin's first: what it may not give at all, not how far
    # below the regulation it is, which a brand's terms need not reach as a whole)
    ({"kind": "statutory", "applies_to": {"brands": "any"}},
     "only the statutory plugin (generic_sanbao) gives the statutory policy; plugin 'shadow' may not give one"),
    ({"applies_to": {"brands": "any"}}, "may not apply to any"),
    ({"applies_to": {"brands": ["generic"]}}, "may not apply to generic"),
    ({"applies_to": {"brands": ["shadwo"]}}, "may not apply to shadwo; did you mean 'shadow'?"),   # a typo
])
def test_a_plugin_may_not_give_the_statutory_policy_nor_terms_for_brands_it_does_not_serve(floor_only, changes,
                                                                                            says):
    """Such a policy quarantines its plugin (named, located); every other brand decides as before."""
    class Shadow(PolicyPlugin):
        name = "shadow"
        brands = [Brand("shadow", "影子", "Shadow")]

        def policies(self):
            return [{**pybrand.POLICY, "id": "shadow", "applies_to": {"brands": ["shadow"]},
                     "offers": pybrand.POLICY["offers"][1:], "exclusions": [], **changes}]

    registry = load_registry(extra=[("shadow", Shadow())])
    assert "shadow" in registry.quarantined and says in registry.quarantined["shadow"].reason
    with pytest.raises(QuarantineError, match="shadow"):
        registry.evaluate(_case(registry, brand="shadow"))
    generic = registry.evaluate(_case(registry))
    assert generic.to_dict() == floor_only.evaluate(_case(floor_only)).to_dict()


def test_a_brand_whose_predicates_failed_is_quarantined_for_that_not_for_what_its_policy_misses():
    """pybrand's policy uses its own predicate; when its predicates hook answers a list, the
    quarantine names that hook (the cause), in Chinese too, with the advice for plugin code."""
    class ListPredicates:
        aftersales_brands = staticmethod(pybrand.aftersales_brands)
        aftersales_policies = staticmethod(pybrand.aftersales_policies)

        @hookimpl
        def aftersales_predicates(self):
            return [pybrand.genuine]

    registry = load_registry(extra=[("pybrand", ListPredicates())])
    quarantine = registry.quarantined["pybrand"]
    assert quarantine.reason.startswith("aftersales_predicates failed: returned list")
    assert "不是“名称 → 函数”的映射" in quarantine.line("zh") and "请修正插件代码" in quarantine.line("zh")
    assert "unknown predicate" not in quarantine.line("zh")
    with pytest.raises(QuarantineError, match="aftersales_predicates"):
        registry.evaluate(_case(registry, brand="pybrand"))
    assert registry.evaluate(_case(registry)).plugin_errors == ()


def test_a_load_time_answer_of_the_wrong_kind_is_said_in_chinese(tmp_path):
    """What a drop-in answered wrongly is said in the messages' language: the warning and the
    error line, not click's or Python's English."""
    result = evaluate_with_drop_in(tmp_path, "garbage",
                                   "from aftersales import hookimpl\n"
                                   "@hookimpl\n"
                                   "def aftersales_predicates():\n"
                                   "    return 'samsung'\n")
    assert result.returncode == 3
    lines = result.stderr.strip().splitlines()
    assert lines and all("不是“名称 → 函数”的映射" in line for line in lines), result.stderr
    assert "returned" not in result.stderr and "Traceback" not in result.stderr
