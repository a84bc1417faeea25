"""``aftersales evaluate`` as the README shows it: stdin, the summary in both languages, the trace."""

from __future__ import annotations

import json
from pathlib import Path

CASE = Path(__file__).parent / "scenarios" / "apple-cn-day10-deferred.yaml"


def test_case_read_from_standard_input(cli):
    code, out, _ = cli("evaluate", "-", "--json", input=CASE.read_text(encoding="utf-8"))
    assert code == 0
    assert json.loads(out)["exchange"]["mode"] == "deferred"


def test_summary_is_chinese_first_english_on_request(cli):
    _, zh, _ = cli("evaluate", str(CASE))
    _, en, _ = cli("evaluate", str(CASE), "--lang", "en")
    assert zh.startswith("权益: 换货") and "留机待通知" in zh
    assert en.startswith("Entitlement: exchange") and "replacement later" in en


def test_trace_lists_the_rules_checked(cli):
    _, plain, _ = cli("evaluate", str(CASE))
    _, traced, _ = cli("evaluate", str(CASE), "--trace")
    assert "规则检查" not in plain
    assert "规则检查" in traced
    assert "generic_sanbao:generic_sanbao/exchange_dap granted" in traced
    assert "floor" in traced
