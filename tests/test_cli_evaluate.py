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
    _, zh, _ = cli("evaluate", str(CASE), env={"AFTERSALES_LANG": None})
    _, en, _ = cli("evaluate", str(CASE), "--lang", "en", env={"AFTERSALES_LANG": None})
    assert zh.startswith("权益：换货  [苹果 · ") and "留机待通知" in zh
    assert en.startswith("Entitlement: exchange  [Apple · ") and "replacement later" in en


def test_trace_lists_the_rules_checked(cli):
    _, plain, _ = cli("evaluate", str(CASE), "--lang", "zh")
    _, traced, _ = cli("evaluate", str(CASE), "--lang", "zh", "--trace")
    assert "规则检查" not in plain
    assert "规则检查" in traced
    # each step's effect in Chinese, a failed condition's field by its name too
    # (the plugin named only where it is not the policy's own name), the ids of remedies, exchange
    # modes and acknowledgements in Chinese too (the decision keeps the ids, for tools)
    assert "  generic_sanbao/exchange_dap 给予" in traced and " granted" not in traced
    assert "generic_sanbao/exchange 法定底线 (换货后延续原保修期 → 换货后保修期重新计算)" in traced
    assert "条件不符 (购买渠道 purchase.channel)" in traced, traced
    assert "generic_sanbao/exchange_dap 选定 (换货)" in traced and "换货规则 (留机待通知，换货后延续原保修期；已确认 floor:exchange:exchange: " in traced
    assert "generic_sanbao:generic_sanbao" not in traced and "acknowledged" not in traced and "(exchange)" not in traced
    _, english, _ = cli("evaluate", str(CASE), "--lang", "en", "--trace")
    assert "generic_sanbao/exchange_dap granted" in english and "floor (warranty_after: continues -> restarts)" in english


def test_an_accessory_exchange_is_not_called_a_phone_exchange(cli, tmp_path):
    """A battery exchanged under the regulation (附件: 什么有故障就换什么) is an exchange of the
    battery: the summary says how the exchange is done without calling it a phone exchange."""
    case = tmp_path / "battery.yaml"
    case.write_text(
        "schema_version: 1\ncase_date: 2026-06-15\nbrand: huawei\n"
        "device: {model: Mate 60, model_code: ALN-AL00}\n"
        "purchase: {date: 2026-03-01, channel: authorized_reseller, country: CN}\n"
        "documents: [invoice, sanbao_certificate]\n"
        "fault: {component: battery, confirmed: true}\n", encoding="utf-8")
    code, out, _ = cli("evaluate", str(case), env={"AFTERSALES_LANG": "zh"})
    assert code == 0
    assert out.startswith("权益：换货")
    assert "换货方式：当场更换 · 换货后保修期重新计算" in out
    assert "换机" not in out.split("出处:")[0]     # (the citations quote the brand's own words)
    assert "换机" not in cli("evaluate", "--help", env={"AFTERSALES_LANG": "zh"})[1]   # nor does the help


def test_an_offer_with_no_start_date_says_so_not_its_start_rules_id(cli, registry, tmp_path):
    """No purchase date: the offers that count from it say the start date is missing (the
    decision's ``reason`` names the policy's start rule, which is for editors), in the summary
    and in the counter's panel."""
    from aftersales.tui.widgets.decision_panel import render_decision

    case = tmp_path / "no-date.yaml"
    case.write_text(
        "schema_version: 1\ncase_date: 2026-06-15\nbrand: apple\n"
        "device: {model: iPhone 15, part_number: MTLE3CH/A}\n"
        "purchase: {channel: brand_store_retail}\n"
        "fault: {confirmed: true, component: host}\ndocuments: [invoice]\n", encoding="utf-8")
    code, out, _ = cli("evaluate", str(case), "--lang", "zh")
    assert code == 0 and "✗ 免费维修 — 保修期内 · 缺少起算日期" in out
    _, en, _ = cli("evaluate", str(case), "--lang", "en")
    assert "no start date" in en
    decision = registry.evaluate(registry.parse_case({
        "schema_version": 1, "case_date": "2026-06-15", "brand": "apple",
        "device": {"model": "iPhone 15", "part_number": "MTLE3CH/A"}, "purchase": {"channel": "brand_store_retail"},
        "fault": {"confirmed": True, "component": "host"}, "documents": ["invoice"]}))
    starts = {r.reason for r in decision.remedies if r.status == "no_start"}
    assert starts   # the reasons name start rules
    for lang in ("zh", "en"):
        text = render_decision(decision.to_dict(), lang).plain
        assert ("缺少起算日期" if lang == "zh" else "no start date") in text
        assert not any(start in text for start in starts)


def test_the_floors_citation_follows_the_brands_when_it_changed_the_exchange(cli):
    """Apple says an exchanged unit keeps the old one's warranty; the regulation (第二十一条) says it
    starts again, and the summary says so: its citations carry both, the regulation's after
    Apple's, in the summary and in the counter's panel."""
    from aftersales.tui.widgets.decision_panel import render_decision

    _, out, _ = cli("evaluate", str(CASE), "--lang", "zh")
    assert "换货后保修期重新计算" in out
    cited = out[out.index("出处："):]
    assert cited.index("[apple/exchange]") < cited.index("[generic_sanbao/exchange] 《移动电话机商品修理更换退货责任规定》第二十一条")
    _, out, _ = cli("evaluate", str(CASE), "--json")
    text = render_decision(json.loads(out), "zh", citations=True).plain
    assert text.index("[换货方式] Apple") < text.index("[法定底线] 《移动电话机商品修理更换退货责任规定》第二十一条")


def test_the_policy_versions_line_speaks_the_summarys_language(registry):
    """The last line names the policies (and the bundle) in Chinese in the Chinese summary."""
    import yaml
    from msgspec.structs import replace
    from scenario_helpers import SCENARIOS

    from aftersales.cli.render import render_decision

    case = yaml.safe_load((SCENARIOS / "huawei-day10-onsite.yaml").read_text(encoding="utf-8"))["case"]
    decision = replace(registry.evaluate(registry.parse_case(case)), bundle=("3", "c16d6946e4ce" + "0" * 52))
    assert render_decision(decision).splitlines()[-1] == \
        "（政策版本：huawei 2026.1、generic_sanbao 2001.1；政策包 3（sha256 c16d6946e4ce））"
    assert render_decision(decision, lang="en").splitlines()[-1] == \
        "(huawei 2026.1, generic_sanbao 2001.1; bundle 3 sha256 c16d6946e4ce)"


def test_a_coverage_start_no_one_typed_says_how_it_was_found(cli, tmp_path, registry):
    """No purchase date, only the production date: the period starts on its 90th day (第九条),
    and the summary and the counter's panel say so beside the dates."""
    case = tmp_path / "case.yaml"
    case.write_text("schema_version: 1\nbrand: apple\ncase_date: '2026-12-07'\n"
                    "device: {model: iPhone 12, imei: '353918057281764', production_date: '2025-01-01'}\n"
                    "purchase: {channel: unknown, country: CN}\ndocuments: []\n"
                    "fault: {component: host, confirmed: true}\n", encoding="utf-8")
    _, zh, _ = cli("evaluate", str(case), "--lang", "zh")
    assert "权益期限：2025-04-01 至 2026-04-01（第 615 天，按生产日期后第 90 日起算）" in zh
    _, en, _ = cli("evaluate", str(case), "--lang", "en")
    assert "(day 615, counted from the 90th day after the production date)" in en
    from aftersales.tui.widgets.decision_panel import render_decision

    decision = registry.evaluate(registry.parse_case(__import__("yaml").safe_load(case.read_text()))).to_dict()
    assert "按生产日期后第 90 日起算" in render_decision(decision, "zh", policies=registry.all_policies()).plain
    # bought on a day given: nothing to explain
    _, plain, _ = cli("evaluate", str(CASE), "--lang", "zh")
    assert "起算）" not in plain
