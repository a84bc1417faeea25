"""The plugin system: bundled plugins through entry points, load-time and per-case hooks through
pluggy, failures contained and named, hooks documented."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
from pathlib import Path

import pluggy
import pytest
from scenario_helpers import DAY10_CASE as CASE
from scenario_helpers import evaluate_with_drop_in

from aftersales import hookimpl
from aftersales.core import hookspecs
from aftersales.core.errors import QuarantineError
from aftersales.core.registry import load_registry

TESTS = Path(__file__).parent


class Exploding:
    @hookimpl
    def aftersales_identify_device(self, case):
        raise RuntimeError("boom")


def test_bundled_plugins_come_from_the_entry_point_group(registry):
    assert {"generic_sanbao", "apple", "huawei"} <= set(registry.plugins)
    assert all(registry.plugins[name].origin == "bundled" for name in ("generic_sanbao", "apple", "huawei"))


def test_a_plugin_that_raises_is_named_and_others_keep_working():
    registry = load_registry(extra=[("exploding", Exploding())])
    decision = registry.evaluate(registry.parse_case(CASE))
    assert [f.plugin for f in decision.plugin_errors] == ["exploding"]
    assert "boom" in decision.plugin_errors[0].error
    assert "exchange" in decision.available()


def test_cli_exits_3_naming_the_failed_plugin(tmp_path):
    result = evaluate_with_drop_in(tmp_path, "exploding",
                                   "from aftersales import hookimpl\n"
                                   "@hookimpl\n"
                                   "def aftersales_identify_device(case):\n"
                                   "    raise RuntimeError('boom')\n")
    assert result.returncode == 3
    assert "exploding" in result.stderr and "Traceback" not in result.stderr
    assert "换货" in result.stdout
    # the decision says in Chinese what the plugin was asked; the exception's English is the JSON's
    assert "⚠ 插件 exploding 在识别机器的销售地区时出错，本判定没有采用它的这一答复" in result.stdout
    assert "boom" not in result.stdout and "aftersales_identify_device" not in result.stdout


def test_a_wrong_answer_is_said_in_chinese_in_the_one_line_of_exit_3(tmp_path):
    """The failure carries its own Chinese words (``PluginFailure.error_zh``): the exit-3 line
    says what the plugin answered in Chinese, found by no matching of English text."""
    result = evaluate_with_drop_in(tmp_path, "wrong",
                                   "from aftersales import hookimpl\n"
                                   "@hookimpl\n"
                                   "def aftersales_identify_device(case):\n"
                                   "    return 'CN'\n")
    assert result.returncode == 3
    assert "错误：插件 'wrong' 在 aftersales_identify_device 中出错：返回了 str 'CN'，不是地区已知的 Identity，也不是 None" \
        in result.stderr, result.stderr
    assert "returned" not in result.stderr


def test_a_load_failure_carries_its_chinese_words_and_the_json_keeps_three_fields():
    class WrongPredicates:   # a network's plugin (it serves no brand): every decision names its failure
        @hookimpl
        def aftersales_predicates(self):
            return "acme"

    registry = load_registry(extra=[("wrong_predicates", WrongPredicates())])
    failure = next(f for f in registry.failures if f.plugin == "wrong_predicates")
    assert failure.text("zh") == "返回了 str 'acme'，不是“名称 → 函数”的映射"
    assert failure.text("en") == failure.error
    decision = registry.evaluate(registry.parse_case(CASE))
    assert decision.to_dict()["plugin_errors"] == [
        {"plugin": "wrong_predicates", "hook": "aftersales_predicates", "error": failure.error}]


class _Acme:
    """A brand's plugin that cannot say its brands (``brands`` raises or is the wrong answer),
    noting every unit it is asked about."""

    def __init__(self, brands):
        self.brands = brands
        self.asked: list[str] = []

    @hookimpl
    def aftersales_brands(self):
        return self.brands()

    @hookimpl
    def aftersales_identify_device(self, case):
        self.asked.append(case.brand)


def _boom():
    raise KeyError("boom")


def _aliases_a_text():
    from aftersales.core.plugininfo import Brand

    return [Brand("acme", "艾克米", "Acme", aliases="acme")]   # a text, not a tuple of texts


@pytest.mark.parametrize("brands", [_boom, lambda: "acme", _aliases_a_text])
def test_a_plugin_that_cannot_say_its_brands_is_quarantined_and_asked_nothing(brands):
    """Taken for a network's plugin it would be asked about every brand's units: it is left out
    whole, other brands decide without naming it, a case of the brand bearing its name answers
    with the quarantine (exit 3), located at the hook's own code."""
    acme = _Acme(brands)
    registry = load_registry(extra=[("acme", acme)])
    assert "acme" in registry.quarantined and registry.pm.get_plugin("acme") is None
    decision = registry.evaluate(registry.parse_case(CASE))
    assert decision.plugin_errors == () and acme.asked == []
    with pytest.raises(QuarantineError) as caught:
        registry.parse_case({**CASE, "brand": "acme"})
    assert caught.value.exit_code == 3 and "aftersales_brands" in str(caught.value)
    assert Path(__file__).name in str(caught.value)   # where: the hook's own code


def test_load_plugins_env_chooses(tmp_path):
    registry = load_registry(env={"AFTERSALES_LOAD_PLUGINS": "generic_sanbao"})
    assert set(registry.brands) == {"generic"}
    # the statutory plugin is always kept: leaving it out takes its own explicit setting
    apple = load_registry(env={"AFTERSALES_LOAD_PLUGINS": "apple"})
    assert set(apple.brands) == {"apple", "generic"} and apple.statutory_loaded
    none = load_registry(env={"AFTERSALES_LOAD_PLUGINS": ""})
    assert set(none.brands) == {"generic"}
    bare = load_registry(env={"AFTERSALES_LOAD_PLUGINS": "apple", "AFTERSALES_WITHOUT_STATUTORY": "1"})
    assert set(bare.brands) == {"apple"} and not bare.statutory_loaded


def test_an_implementation_without_a_spec_fails_loudly():
    class Typo:
        @hookimpl
        def aftersales_offer(self, case, ctx):  # missing "s"
            return []

    with pytest.raises(pluggy.PluginValidationError):
        load_registry(extra=[("typo", Typo())])


def test_every_hook_is_documented_with_an_example():
    for name, fn in inspect.getmembers(hookspecs, inspect.isfunction):
        if not name.startswith("aftersales_"):
            continue
        doc = inspect.getdoc(fn) or ""
        assert "Called" in doc and "Return" in doc and "Example::" in doc, name
        assert inspect.signature(fn).return_annotation is not inspect.Signature.empty, name


def test_every_hook_has_a_test():
    text = "".join(p.read_text(encoding="utf-8") for p in TESTS.rglob("test_*.py"))
    for name, _fn in inspect.getmembers(hookspecs, inspect.isfunction):
        if name.startswith("aftersales_"):
            assert name in text.replace("hookspecs.", ""), f"no test mentions {name}"


class Recorder:
    """Implements every hook, answers nothing, and notes each call."""

    def __init__(self):
        self.calls = []

    @hookimpl
    def aftersales_brands(self):
        self.calls.append("aftersales_brands")
        return []

    @hookimpl
    def aftersales_policy_files(self):
        self.calls.append("aftersales_policy_files")
        return []

    @hookimpl
    def aftersales_policies(self):
        self.calls.append("aftersales_policies")
        return []

    @hookimpl
    def aftersales_predicates(self):
        self.calls.append("aftersales_predicates")
        return {}

    @hookimpl
    def aftersales_identify_device(self, case):
        self.calls.append("aftersales_identify_device")


def test_load_time_hooks_are_called_once_per_snapshot_and_the_per_case_hook_per_case():
    recorder = Recorder()
    registry = load_registry(extra=[("recorder", recorder)])
    assert sorted(recorder.calls) == sorted(hookspecs.LOAD_TIME_HOOKS)
    recorder.calls.clear()
    for _ in range(3):
        decision = registry.evaluate(registry.parse_case(CASE))
    assert recorder.calls == list(hookspecs.PER_CASE_HOOKS) * 3
    specs = {name for name, _ in inspect.getmembers(hookspecs, inspect.isfunction) if name.startswith("aftersales_")}
    assert specs == set(hookspecs.LOAD_TIME_HOOKS) | set(hookspecs.PER_CASE_HOOKS)
    # answering nothing changes nothing
    assert decision.available() == ["exchange", "repair"]
    assert decision.to_dict() == load_registry().evaluate(registry.parse_case(CASE)).to_dict()
    # a reload is a new snapshot: the load-time hooks are called again
    recorder.calls.clear()
    assert registry.reload() == []
    assert sorted(recorder.calls) == sorted(hookspecs.LOAD_TIME_HOOKS)


def test_the_bundled_plugins_run_no_code_per_case(registry):
    assert registry.pm.hook.aftersales_identify_device.get_hookimpls() == []
    assert registry.predicates == {}


def test_the_hook_docs_say_which_hooks_are_load_time_and_which_per_case():
    for name in hookspecs.LOAD_TIME_HOOKS:
        assert "Called once per registry snapshot (load-time)" in inspect.getdoc(getattr(hookspecs, name)), name
    for name in hookspecs.PER_CASE_HOOKS:
        assert "Called per case" in inspect.getdoc(getattr(hookspecs, name)), name
    docs = (TESTS.parent / "docs" / "plugins.md").read_text(encoding="utf-8").replace("\\|", "|")  # tables escape |
    for name in hookspecs.LOAD_TIME_HOOKS + hookspecs.PER_CASE_HOOKS:
        spec = getattr(hookspecs, name)
        assert f"{name}{inspect.signature(spec)}".replace("'", "").replace('"', "") in docs, name
    for gone in ("aftersales_offers", "aftersales_exclusions", "aftersales_notices", "aftersales_required_documents",
                 "aftersales_exchange_rule"):
        assert not hasattr(hookspecs, gone)


ACME_POLICY = """\
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
  - id: exchange_15_days
    remedy: exchange
    basis: dap
    when: {fault.confirmed: true}
    start: invoice
    window: {days: 15}
    citation: 15日内换货
exclusions: []
exchange: {mode: on_site, warranty_after: continues, citation: 当场换机}
"""


def test_a_brand_plugin_may_mix_yaml_policy_files_and_code(tmp_path):
    """A YAML brand with the per-case hook: its region comes from code, its terms from YAML."""
    from aftersales.core.outcomes import Identity
    from aftersales.core.plugininfo import Brand
    from aftersales.core.policyplugin import PolicyPlugin

    policy = tmp_path / "acme.yaml"
    policy.write_text(ACME_POLICY, encoding="utf-8")

    class Acme(PolicyPlugin):
        name = "acme"
        brands = [Brand("acme", "测试", "Acme")]

        def policy_files(self):
            return [policy]

        @hookimpl
        def aftersales_identify_device(self, case):
            if case.brand == "acme":
                return Identity(region="HK", plugin="acme", policy=None, rule="acme_serial", citation="序列号")
            return None

    registry = load_registry(extra=[("acme", Acme())])
    acme = dict(CASE, brand="acme", device={"model": "A1"})
    decision = registry.evaluate(registry.parse_case(acme))
    assert (decision.region, decision.region_rule) == ("HK", "acme_serial")
    assert decision.remedy("exchange").available and decision.remedy("exchange").policy == "acme"
    # another brand's case is left to the policies' region rules
    assert registry.evaluate(registry.parse_case(CASE)).to_dict() == load_registry().evaluate(registry.parse_case(CASE)).to_dict()


def test_trace_plugins_env_prints_hook_calls(tmp_path):
    env = dict(os.environ, AFTERSALES_TRACE_PLUGINS="1")
    result = subprocess.run([sys.executable, "-m", "aftersales", "evaluate", str(TESTS / "scenarios" / "generic-day10-exchange.yaml")],
                            capture_output=True, text=True, env=env)
    assert result.returncode == 0
    assert "[aftersales] aftersales_policy_files -> ['generic_sanbao']" in result.stderr


def test_a_brand_is_named_by_one_function_short_for_a_narrow_column(registry):
    """The queue's and the policies' columns name a brand as the panel and the ticket do
    (``plugininfo.brand_name``), without the explanation in brackets; a brand no plugin serves
    keeps its id."""
    from aftersales.core.plugininfo import Brand, brand_name

    brands = {**registry.brands, "xiaomi": Brand("xiaomi", "小米（测试插件）", "Xiaomi (test plugin)", "xiaomi")}
    assert brand_name(brands, "generic", "zh") == "其他品牌（仅三包规定）"
    assert brand_name(brands, "generic", "zh", short=True) == "其他品牌"
    assert brand_name(brands, "xiaomi", "zh", short=True) == "小米"
    assert brand_name(brands, "xiaomi", "en", short=True) == "Xiaomi"
    assert brand_name(brands, "oppo", "zh", short=True) == "oppo"


EXPLODING = ("from aftersales import hookimpl\n"
             "@hookimpl\n"
             "def aftersales_identify_device(case):\n"
             "    raise RuntimeError('boom')\n")


def _evaluate_into(tmp_path, stdout, *args):
    from scenario_helpers import SCENARIOS

    plugins = tmp_path / "plugins"
    plugins.mkdir(exist_ok=True)
    (plugins / "exploding.py").write_text(EXPLODING, encoding="utf-8")
    return subprocess.Popen([sys.executable, "-m", "aftersales", "evaluate", str(SCENARIOS / "generic-day10-exchange.yaml"),
                             "--plugins-dir", str(plugins), *args], stdout=stdout, stderr=subprocess.PIPE,
                            env={**os.environ, "AFTERSALES_LANG": "zh"})


def test_a_reader_that_has_gone_leaves_the_exit_code_the_decision_asks_for(tmp_path):
    """``aftersales evaluate … | head -c1``: the pipe closed before the decision is written is
    not the command's failure; the plugin's failure still exits 3, its line on stderr."""
    for args in ((), ("--json",), ("--trace",)):
        read, write = os.pipe()
        os.close(read)                       # the reader has gone before anything is written
        proc = _evaluate_into(tmp_path, write, *args)
        os.close(write)
        _, err = proc.communicate(timeout=60)
        err = err.decode("utf-8")
        assert proc.returncode == 3, (args, err)
        assert "Traceback" not in err and "exploding" in err and len(err.strip().splitlines()) == 1, err


def test_a_standard_output_that_cannot_be_written_is_one_line(tmp_path):
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    with open("/dev/full", "w") as full:
        proc = _evaluate_into(tmp_path, full)
        _, err = proc.communicate(timeout=60)
    err = err.decode("utf-8")
    assert proc.returncode == 2 and err.strip() == "错误：无法写入标准输出：磁盘已满", err
