"""What the decision panel tells the clerk: each remedy's own service location, the papers each
one misses, how an exchange is done only while one is open, and how the region was found (and
when it was only assumed, that the part number is wanted) — without a rule id."""

from __future__ import annotations

import copy
import re
from datetime import date

import pytest

from aftersales.core.plugininfo import policy_titles, without_note
from aftersales.tui.i18n import vocab
from aftersales.tui.region import region_note
from aftersales.tui.widgets.decision_panel import render_decision

TODAY = date(2026, 6, 15)
IPHONE = {"schema_version": 1, "brand": "apple", "case_date": "2026-06-15", "device": {"model": "iPhone 15"},
          "purchase": {"date": "2026-06-10", "channel": "brand_store_retail"}, "documents": [],
          "fault": {"component": "host", "confirmed": True}}
RULE_ID = re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b")     # a rule or policy id (region_from_part_number)


def panel(registry, case, values, lang="zh"):
    decision = registry.evaluate(registry.parse_case(case, today=TODAY)).to_dict()
    return render_decision(decision, lang, region_note=region_note(registry, decision, values, lang),
                           titles=policy_titles(registry, lang)).plain


def with_device(**device):
    case = copy.deepcopy(IPHONE)
    case["device"].update(device)
    return case


def test_a_hong_kong_iphone_without_papers_says_where_each_remedy_is_served(registry):
    text = panel(registry, with_device(part_number="MTLE3ZA/A"), {"device.part_number": "MTLE3ZA/A"})
    lines = text.splitlines()
    free = lines.index(next(line for line in lines if "保修" in line and "✗" in line))
    # the free repair: Apple Store only, and the papers it lacks; the paid repair: any point
    assert "服务地点：仅限" in lines[free + 1] or "直营" in lines[free + 1], lines[free:free + 3]
    assert "缺少" in lines[free + 2]
    paid = lines.index(next(line for line in lines if "✓" in line))
    assert "任一授权服务点" in lines[paid + 1]
    assert "由部件号 MTLE3ZA/A 判断" in text or "由零件号 MTLE3ZA/A 判断" in text
    assert "换货方式" not in text                  # no exchange open: no exchange mode
    assert not RULE_ID.search(text), RULE_ID.search(text)


def test_a_region_only_assumed_says_so_and_asks_for_the_part_number(registry):
    values = {"purchase.country": "CN"}
    text = panel(registry, {**with_device(), "purchase": {**IPHONE["purchase"], "country": "CN"}}, values)
    assert "仅按购买地中国大陆推定" in text and "请输入部件号" in text
    english = panel(registry, {**with_device(), "purchase": {**IPHONE["purchase"], "country": "CN"}}, values, "en")
    assert "only assumed from the country of purchase, mainland China" in english and "Enter the" in english
    us = panel(registry, {**with_device(), "purchase": {**IPHONE["purchase"], "country": "US"}},
               {"purchase.country": "us"})
    assert "仅按购买地美国推定" in us and " US " not in us
    # with no country either: the statutory default, assumed
    assert "未能判断" in panel(registry, with_device(), {})
    # given by the part number: known, nothing asked
    known = panel(registry, with_device(part_number="MTLE3CH/A"), {"device.part_number": "MTLE3CH/A"})
    assert "推定" not in known and "请输入" not in known
    assert "换货方式" in known                      # an exchange is open: how it is done


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_rule_id_in_the_panel(registry, lang):
    for case in (with_device(), with_device(part_number="MTLE3ZA/A"), with_device(part_number="MTLE3CH/A")):
        text = panel(registry, case, {"device.part_number": case["device"].get("part_number", "")}, lang)
        assert not RULE_ID.search(text), (lang, RULE_ID.search(text))


def test_the_badge_says_free_repair_as_the_remedy_is_called_not_a_bare_repair():
    """维修 alone reads as a repair the customer pays for: the badge names the remedy as the
    rest of the decision does (the vocabulary's label)."""
    from aftersales.tui.widgets.decision_panel import badge_text

    assert [badge_text(r, "zh") for r in ("return", "exchange", "repair", "paid_repair")] == \
        ["退货", "换货", "免费维修", "付费维修"]
    assert badge_text("repair", "en") == "FREE REPAIR" and badge_text(None, "zh") == "—"


def test_the_badge_of_a_unit_waiting_for_its_test_says_the_remedy_it_waits_for(registry):
    """Day 10, the fault not yet confirmed: nothing free is available until the test, so the
    decision's entitlement is the paid repair; the badge, read out to the customer, says the
    exchange the test would open (待检测 · 确认后可换货), and a plain paid repair stays 付费维修."""
    import yaml
    from scenario_helpers import SCENARIOS

    from aftersales.tui.widgets.decision_panel import badge_text

    data = yaml.safe_load((SCENARIOS / "huawei-day10-onsite.yaml").read_text(encoding="utf-8"))["case"]
    data["fault"]["confirmed"] = False
    decided = registry.evaluate(registry.parse_case(data)).to_dict()
    assert decided["entitlement"] == "paid_repair"
    assert badge_text("paid_repair", "zh", decided) == "待检测 · 确认后可换货"
    assert badge_text("paid_repair", "en", decided) == "TO TEST · EXCHANGE IF CONFIRMED"
    data["fault"]["confirmed"] = True
    data["condition"] = {**(data.get("condition") or {}), "liquid_damage": True}
    wet = registry.evaluate(registry.parse_case(data)).to_dict()
    assert badge_text(wet["entitlement"], "zh", wet) == "付费维修"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_citations_name_what_they_back_and_the_policy_by_its_title_not_ids(registry, lang):
    """Ctrl+O: each citation under the remedy (the exchange's terms, the statutory floor, an
    exclusion, the start of the coverage, a refund) it backs, each remedy's policy by its title;
    no policy or rule id (``generic_sanbao/return_doa``, ``apple``)."""
    day10 = {**with_device(part_number="MTLE3CH/A", imei="356938035643809"),
             "purchase": {"date": "2026-06-05", "channel": "authorized_reseller", "country": "CN",
                          "price": 5999},
             "stock": {"same_model": False},
             "documents": ["invoice", "sanbao_certificate"]}
    liquid = {**day10, "condition": {"liquid_damage": True}}
    titles = policy_titles(registry, lang)
    policy_ids = {p.id for p in registry.all_policies()}
    for case in (with_device(), with_device(part_number="MTLE3CH/A"), day10, liquid):
        decision = registry.evaluate(registry.parse_case(case, today=TODAY)).to_dict()
        text = render_decision(decision, lang, citations=True, titles=titles).plain
        assert not RULE_ID.search(text), (lang, RULE_ID.search(text))
        assert not any(re.search(rf"(?<![A-Za-z]){pid}(?![A-Za-z])", text) for pid in policy_ids), text
        cited = text[text.index("出处" if lang == "zh" else "Citations"):]
        for r in decision["remedies"]:
            if r["available"]:
                assert f"[{vocab('remedy', r['remedy'], lang)}] {r['granted_by']['citation']}" in cited
                assert f"{'依据' if lang == 'zh' else 'granted by'} {without_note(titles[r['granted_by']['policy']])}\n" in text
                assert titles[r["granted_by"]["policy"]] in text       # in full, in the policies line
    # the floor changed Apple's exchange (warranty restarts): both cited, Apple's first
    decision = registry.evaluate(registry.parse_case(day10, today=TODAY)).to_dict()
    text = render_decision(decision, "zh", citations=True, titles=policy_titles(registry, "zh")).plain
    assert text.index("[换货方式]") < text.index("[法定底线] 《移动电话机商品修理更换退货责任规定》第二十一条")
    assert "[权益期限起算]" in text and "[不换机退款] 《移动电话机商品修理更换退货责任规定》第十八条" in text
    decision = registry.evaluate(registry.parse_case(liquid, today=TODAY)).to_dict()
    assert "[除外情形] 《移动电话机商品修理更换退货责任规定》" in render_decision(decision, "zh", citations=True).plain


def test_a_region_a_plugins_code_gave_names_the_plugin():
    # a network's plugin may say where units were made (and with it whether the floor applies):
    # the clerk reads whose word it is, never "assumed"
    from aftersales.core.outcomes import Identity
    from aftersales.core.registry import load_registry

    class Network:
        from aftersales import hookimpl

        @hookimpl
        def aftersales_identify_device(self, case):
            return Identity(region="HK", plugin="someone_else", policy=None, rule="imei_range", citation="")

    registry = load_registry(extra=[("network", Network())])
    text = panel(registry, with_device(), {})
    assert "由插件 network 识别" in text and "推定" not in text
    assert "identified by plugin network" in panel(registry, with_device(), {}, "en")


def test_a_refusal_by_a_condition_names_the_field_in_peoples_words():
    """The CLI says 条件不符（故障部件）; the panel said only 条件不符, without which condition."""
    from aftersales.tui.widgets.decision_panel import _reason

    assert _reason("fault.component", "zh") == "条件不符（故障部件）"
    assert _reason("purchase.channel", "en").startswith("conditions not met (") and "purchase.channel" not in \
        _reason("purchase.channel", "en")
    assert _reason("predicate.acme_vip", "zh") == "条件不符"          # no id shown
    assert _reason("liquid_damage", "zh") == "进液"
