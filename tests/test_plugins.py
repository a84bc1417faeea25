"""The plugin system: bundled plugins through entry points, failures contained, hooks documented."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
from pathlib import Path

import pluggy
import pytest
from scenario_helpers import DAY10_CASE as CASE

from aftersales import hookimpl
from aftersales.core import hookspecs
from aftersales.core.registry import load_registry

TESTS = Path(__file__).parent


class Exploding:
    @hookimpl
    def aftersales_offers(self, case, ctx):
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
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "exploding.py").write_text(
        "from aftersales import hookimpl\n"
        "@hookimpl\n"
        "def aftersales_offers(case, ctx):\n"
        "    raise RuntimeError('boom')\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "aftersales", "evaluate", str(TESTS / "scenarios" / "generic-day10-exchange.yaml"),
                             "--plugins-dir", str(plugins)], capture_output=True, text=True)
    assert result.returncode == 3
    assert "exploding" in result.stderr and "Traceback" not in result.stderr
    assert "换货" in result.stdout


def test_load_plugins_env_chooses(tmp_path):
    registry = load_registry(env={"AFTERSALES_LOAD_PLUGINS": "generic_sanbao"})
    assert set(registry.brands) == {"generic"}
    none = load_registry(env={"AFTERSALES_LOAD_PLUGINS": ""})
    assert none.brands == {}


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

    @hookimpl(tryfirst=True)
    def aftersales_identify_device(self, case, ctx):
        self.calls.append("aftersales_identify_device")

    @hookimpl
    def aftersales_offers(self, case, ctx):
        self.calls.append("aftersales_offers")
        return []

    @hookimpl
    def aftersales_exclusions(self, case, ctx):
        self.calls.append("aftersales_exclusions")
        return []

    @hookimpl
    def aftersales_notices(self, case, ctx):
        self.calls.append("aftersales_notices")
        return []

    @hookimpl
    def aftersales_required_documents(self, case, remedy, ctx):
        self.calls.append("aftersales_required_documents")

    @hookimpl(tryfirst=True)
    def aftersales_exchange_rule(self, case, ctx):
        self.calls.append("aftersales_exchange_rule")


def test_every_hook_is_called_for_a_decision():
    recorder = Recorder()
    registry = load_registry(extra=[("recorder", recorder)])
    assert recorder.calls == ["aftersales_brands", "aftersales_policy_files"]
    decision = registry.evaluate(registry.parse_case(CASE))
    specs = {name for name, _ in inspect.getmembers(hookspecs, inspect.isfunction) if name.startswith("aftersales_")}
    assert set(recorder.calls) == specs
    # answering nothing changes nothing
    assert decision.available() == ["exchange", "repair"]


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
"""


def test_required_documents_hook_adds_papers_to_its_own_offers(tmp_path):
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
        def aftersales_required_documents(self, case, remedy, ctx):
            return ["id_document"] if remedy == "exchange" else None

    registry = load_registry(extra=[("acme", Acme())])
    acme = dict(CASE, brand="acme", device={"model": "A1", "region": "OTHER"}, documents=[])
    exchange = registry.evaluate(registry.parse_case(acme)).remedy("exchange")
    assert not exchange.available and exchange.missing_documents == ("id_document",)
    with_id = registry.evaluate(registry.parse_case(dict(acme, documents=["id_document"])))
    assert with_id.remedy("exchange").available
    # the statutory offers belong to generic_sanbao, not to "acme": a generic case keeps its exchange
    assert "exchange" in registry.evaluate(registry.parse_case(CASE)).available()


def test_trace_plugins_env_prints_hook_calls(tmp_path):
    env = dict(os.environ, AFTERSALES_TRACE_PLUGINS="1")
    result = subprocess.run([sys.executable, "-m", "aftersales", "evaluate", str(TESTS / "scenarios" / "generic-day10-exchange.yaml")],
                            capture_output=True, text=True, env=env)
    assert result.returncode == 0
    assert "[aftersales] aftersales_offers [generic_sanbao]" in result.stderr
