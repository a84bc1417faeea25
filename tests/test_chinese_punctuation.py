"""Chinese text takes full-width punctuation: what people read in Chinese has no ASCII colon,
comma or bracket beside a Chinese word (权益：换货, not 权益: 换货; （第 14 天）, not (第 14 天)).
English keeps its ASCII punctuation. Ids, paths and typed values are not Chinese text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

#: an ASCII colon, comma or bracket beside a Chinese character
ASCII_IN_CHINESE = re.compile(r"[\u4e00-\u9fff）」》][:,(]|[:,]\s*[\u4e00-\u9fff]|\(\s*[\u4e00-\u9fff]|[\u4e00-\u9fff]\)")

SCENARIOS = sorted((Path(__file__).parent / "scenarios").glob("*.yaml"))


def ascii_in_chinese(text: str) -> list[str]:
    """The lines of ``text`` with ASCII punctuation in their Chinese."""
    return [line for line in text.splitlines() if ASCII_IN_CHINESE.search(line)]


@pytest.mark.parametrize("case", SCENARIOS, ids=lambda p: p.stem)
def test_evaluate_speaks_chinese_with_chinese_punctuation_and_english_with_its_own(cli, case):
    _, zh, zh_err = cli("evaluate", str(case), env={"AFTERSALES_LANG": "zh"})
    assert zh.strip() or zh_err.strip()
    assert ascii_in_chinese(zh + zh_err) == []
    _, en, _ = cli("evaluate", str(case), env={"AFTERSALES_LANG": "en"})
    assert not re.search(r"^\s*[A-Za-z][A-Za-z -]*[：（]|\d[：，（]|\)（", en, re.M), en      # the English labels keep their ASCII


def test_the_checker_finds_what_it_is_for():
    assert ascii_in_chinese("权益: 换货\n权益期限：2026-06-01 至 2026-06-16 (第 14 天)\nSZ01: 已保存\n本机(SZ01)") == [
        "权益: 换货", "权益期限：2026-06-01 至 2026-06-16 (第 14 天)", "SZ01: 已保存", "本机(SZ01)"]
    assert ascii_in_chinese("权益：换货\nEntitlement: exchange (day 14)\nIMEI：356938035643809") == []


def test_lists_people_read_take_the_punctuation_of_their_language():
    """The case screen in English listed the papers with the Chinese 、 (invoice、three-guarantees
    certificate); one helper (``vocab.listed``) joins every such list in the reader's language."""
    from aftersales.core.vocab import listed
    from aftersales.tui.screens.detail import case_text

    view = {"number": "SZ01-20260615-0001", "state": "received",
            "case": {"documents": ["invoice", "sanbao_certificate"], "condition": {"liquid_damage": True, "dropped": True}}}
    english = case_text(view, "en", "Apple").plain
    chinese = case_text(view, "zh", "苹果").plain
    assert "、" not in english and ", " in english
    assert "购机发票、三包凭证" in chinese
    assert listed(["a", "b"], "en") == "a, b" and listed(["甲", "乙"], "zh") == "甲、乙"


def test_an_amount_reads_the_same_way_everywhere(registry):
    """A fee said "188 CNY" (a currency code in the Chinese text) where a refund says ¥5,639.06:
    the CLI's decision and the counter's panel say ¥188.00."""
    from aftersales.cli.render import render_decision
    from aftersales.core.vocab import money
    from aftersales.tui.widgets.decision_panel import render_decision as panel_text

    assert money(628) == "¥628.00" and money(5639.06) == "¥5,639.06" and money(12, "USD") == "12.00 USD"
    case = registry.parse_case({
        "schema_version": 1, "case_date": "2026-06-15", "brand": "apple",
        "device": {"model": "iPhone 15", "part_number": "MTLE3CH/A"},
        "purchase": {"channel": "brand_store_retail", "date": "2025-09-01", "country": "CN"},
        "coverage_plans": ["applecare_plus"], "fault": {"component": "host", "confirmed": True, "part": "screen"},
        "condition": {"physical_damage": True}})
    decision = registry.evaluate(case)
    for text in (render_decision(decision, lang="zh"), panel_text(decision.to_dict(), "zh").plain):
        assert "¥188.00" in text and "CNY" not in text, text
