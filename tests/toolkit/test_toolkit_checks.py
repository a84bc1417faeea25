"""Mistakes that used to pass: inverted ranges, a typo'd brand, a lowered statute, a brand rule the
statute shadows, a policy that can never apply; and warnings a policy acknowledges."""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
POLICIES = ROOT / "policies"


def _edited(tmp_path: Path, name: str, *edits: tuple[str, str]) -> Path:
    """A copy of a shipped policy with ``edits``, under a new version (as an editor must give it:
    the same version with other terms is a warning of its own, ``version_reused``)."""
    text = (POLICIES / name).read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    if edits:
        text = text.replace('\nversion: "2026.1"\n', '\nversion: "2026.9"\n', 1)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _report(cli, *args: str) -> tuple[int, dict]:
    code, out, _ = cli("policy", "validate", "--format", "json", *args)
    return code, json.loads(out)


def _codes(report: dict, severity: str) -> list[str]:
    return [i["code"] for i in report["issues"] if i["severity"] == severity]


def test_lead_days_upside_down_is_an_error_at_min(cli, tmp_path):
    path = _edited(tmp_path, "apple.yaml", ("lead_days: {min: 10, max: 15}", "lead_days: {min: 10, max: 7}"))
    code, report = _report(cli, str(path))
    assert code == 1
    (issue,) = [i for i in report["issues"] if i["code"] == "range"]
    assert issue["path"] == "$.exchange.lead_days.min" and "swap" in issue["message"] and "对调" in issue["message_zh"]


def test_repair_working_days_upside_down_is_an_error(cli, tmp_path):
    path = _edited(tmp_path, "generic_sanbao.yaml", ("simple_repair_working_days: [3, 5]", "simple_repair_working_days: [5, 3]"))
    code, report = _report(cli, str(path))
    assert code == 1
    (issue,) = [i for i in report["issues"] if i["code"] == "range"]
    assert issue["path"] == "$.workflow.simple_repair_working_days" and "swap" in issue["message"]
    assert issue["message_zh"].startswith("简单维修工作日 [5, 3] 的最少 5 大于最多 3")
    assert issue["line"] == 1 + (POLICIES / "generic_sanbao.yaml").read_text(encoding="utf-8").split(
        "simple_repair_working_days")[0].count("\n")


def test_a_window_upside_down_is_an_error(cli, tmp_path):
    path = _edited(tmp_path, "generic_sanbao.yaml", ("window: {from_day: 8, days: 15}", "window: {from_day: 15, days: 8}"))
    code, report = _report(cli, str(path))
    assert code == 1 and "range" in _codes(report, "error")


def test_a_typo_in_applies_to_brands_is_an_error_naming_the_brand_meant(cli, tmp_path):
    path = _edited(tmp_path, "apple.yaml", ("brands: [apple]", "brands: [appel]"))
    code, report = _report(cli, str(path))
    assert code == 1
    (issue,) = [i for i in report["issues"] if i["code"] == "unknown_brand"]
    assert "did you mean 'apple'" in issue["message"] and "never apply" in issue["message"]
    assert issue["path"] == "$.applies_to.brands[0]"


def test_a_brand_no_loaded_plugin_serves_is_a_warning_but_not_inside_its_own_plugin_package(cli, tmp_path):
    # far from every brand served (no typo): the editor is told no case of it is decided as things
    # stand (a new brand's policy: with apple's id, it would replace the apple plugin's policy,
    # which may speak for apple alone, an error of its own)
    path = _edited(tmp_path, "apple.yaml", ("\nid: apple\n", "\nid: honor\n"), ("brands: [apple]", "brands: [honor]"))
    code, report = _report(cli, str(path))
    (issue,) = [i for i in report["issues"] if i["code"] == "unknown_brand"]
    assert code == 0 and issue["severity"] == "warning" and issue["path"] == "$.applies_to.brands[0]"
    assert "没有已加载的插件服务品牌 'honor'" in issue["message_zh"] and "no loaded plugin serves brand 'honor'" in issue["message"]
    assert _report(cli, "--strict", str(path))[0] == 1
    # the same file in a plugin package (the scaffold's layout): its own plugin will serve it
    package = tmp_path / "aftersales_honor"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    path.rename(package / "apple.yaml")
    assert "unknown_brand" not in _codes(_report(cli, str(package / "apple.yaml"))[1], "warning")


def test_a_typo_in_a_coverage_plan_is_a_warning_naming_the_plan_meant(cli, tmp_path):
    # a plan id an offer waits for is declared by writing it: a typo would wait for a plan no case names
    path = _edited(tmp_path, "apple.yaml", ("coverage_plans: {includes: applecare_plus}", "coverage_plans: {includes: applecare_plu}"))
    code, report = _report(cli, str(path))
    (issue,) = [i for i in report["issues"] if i["code"] == "unknown_plan"]
    assert issue["severity"] == "warning" and issue["path"] == "$.offers[9].when.coverage_plans.includes"
    assert "您是否想写 'applecare_plus'" in issue["message_zh"] and "AppleCare+" in issue["message_zh"]
    assert code == 0 and _report(cli, "--strict", str(path))[0] == 1
    # a brand's new plan, far from every known one, is fine
    path = _edited(tmp_path, "apple.yaml", ("coverage_plans: {includes: applecare_plus}", "coverage_plans: {includes: student_care}"))
    assert "unknown_plan" not in _codes(_report(cli, str(path))[1], "warning")


def test_a_lowered_statutory_policy_is_an_error_naming_the_regulation_that_nothing_acknowledges(cli, tmp_path):
    """Nothing stands under the statutory policy (a brand's lower term leaves the customer the
    statute's): below the regulation it is refused, and an acknowledgement does not lift that."""
    path = _edited(tmp_path, "generic_sanbao.yaml", ("host: {months: 12}", "host: {months: 6}"))
    code, report = _report(cli, str(path))
    (issue,) = [i for i in report["issues"] if i["code"] == "statute"]
    assert issue["severity"] == "error" and "主机三包有效期1年" in issue["message"]
    assert "不得低于法规本身" in issue["message_zh"] and "法规是底线" in issue["message_zh"]
    assert code == 1
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "acknowledgements:\n  - id: statute:periods.host\n    reason: 门店规定\n", encoding="utf-8")
    code, report = _report(cli, str(path))
    assert code == 1 and [i["severity"] for i in report["issues"] if i["code"] == "statute"] == ["error"]


def test_the_bundled_statute_matches_the_regulation(cli):
    code, report = _report(cli, str(POLICIES / "generic_sanbao.yaml"))
    assert code == 0 and "statute" not in _codes(report, "warning")


def test_a_brand_rule_equal_to_the_statute_is_shadowed(cli, tmp_path):
    # a brand repair rule with the statute's own terms: the statute wins every tie
    path = _edited(tmp_path, "huawei.yaml", ("acknowledgements:", """  - id: repair_like_the_law
    remedy: repair
    basis: warranty
    when: {fault.confirmed: true, fault.component: host}
    start: invoice
    period: warranty
    documents: [[invoice, invoice_copy]]
    asks: [sanbao_certificate]
    service_location: any_authorized
    citation: 与法定相同
acknowledgements:"""))
    text = path.read_text(encoding="utf-8")
    # put the rule under offers (before the first exclusion section)
    rule = text[text.index("  - id: repair_like_the_law"):text.index("acknowledgements:")]
    text = text.replace(rule, "").replace("\nexclusions:", "\n" + rule + "\nexclusions:", 1)
    path.write_text(text, encoding="utf-8")
    code, report = _report(cli, str(path))
    shadowed = [i for i in report["issues"] if i["code"] == "shadowed"]
    assert [i["id"] for i in shadowed] == ["shadowed:repair_like_the_law"], report["issues"]


def test_a_policy_none_of_whose_offers_can_hold_never_applies(cli, tmp_path):
    path = _edited(tmp_path, "huawei.yaml")
    data = path.read_text(encoding="utf-8")
    import yaml

    policy = yaml.safe_load(data)
    policy["applies_to"]["regions"] = ["JP"]
    for offer in policy["offers"]:
        offer.setdefault("when", {})["region"] = "CN"
    path.write_text(yaml.safe_dump(policy, allow_unicode=True), encoding="utf-8")
    code, report = _report(cli, str(path))
    assert code == 1 and "never_applies" in _codes(report, "error")


def test_strict_passes_on_the_bundled_policies_with_their_acknowledgements(cli):
    code, report = _report(cli, "--strict")
    assert code == 0, report
    assert report["warnings"] == 0 and report["acknowledged"] >= 3
    ack = [i for i in report["issues"] if i["id"] == "floor:exchange:exchange"][0]
    assert ack["severity"] == "acknowledged" and ack["detail"]["acknowledged"]


def test_a_new_unacknowledged_warning_still_fails_strict(cli, tmp_path):
    for name in ("apple.yaml", "generic_sanbao.yaml"):
        (tmp_path / name).write_text((POLICIES / name).read_text(encoding="utf-8"), encoding="utf-8")
    _edited(tmp_path, "apple.yaml", ("  other_accessory: {months: 12}", "  other_accessory: {months: 12}\n  earphone_x: {}"))
    path = _edited(tmp_path, "apple.yaml", ("      fault.component: host\n", "      fault.component: host\n      condition.cosmetic_wear: false\n"))
    code, report = _report(cli, "--strict", str(path))
    assert code == 1
    assert [i["id"] for i in report["issues"] if i["severity"] == "warning"] == ["floor:condition:return_doa_apple_store"]


def test_an_acknowledgement_of_nothing_is_a_warning(cli, tmp_path):
    path = _edited(tmp_path, "apple.yaml", ("acknowledgements:\n", "acknowledgements:\n  - id: floor:documents:nothing_here\n"
                                                                   "    reason: 没有这条规则\n"))
    code, report = _report(cli, str(path))
    assert [i["id"] for i in report["issues"] if i["severity"] == "warning"] == ["ack_unused:floor:documents:nothing_here"]


def test_acknowledged_warnings_are_one_line_and_the_others_print_in_full(cli, tmp_path):
    """An editor's own messages do not drown in the warnings the policies already acknowledge:
    those are one line with their count, the new warning prints in full, in both languages."""
    for name in ("apple.yaml", "generic_sanbao.yaml"):
        (tmp_path / name).write_text((POLICIES / name).read_text(encoding="utf-8"), encoding="utf-8")
    path = _edited(tmp_path, "apple.yaml", ("      fault.component: host\n", "      fault.component: host\n      condition.cosmetic_wear: false\n"))
    _, report = _report(cli, str(path))
    acknowledged = [i for i in report["issues"] if i["severity"] == "acknowledged"]
    assert acknowledged and report["warnings"] == 1
    code, out, err = cli("policy", "validate", str(path), env={"AFTERSALES_LANG": "zh"})
    assert code == 0
    lines = out.splitlines()
    assert lines == [next(x for x in lines if "警告 [floor:condition:return_doa_apple_store]: $.offers" in x),
                     f"已确认的警告 {len(acknowledged)} 条（--show-acknowledged 显示）"]
    assert f"{len(acknowledged)} 个已确认" in err
    code, out, _ = cli("policy", "validate", "--lang", "en", str(path))
    assert out.splitlines()[1:] == [f"{len(acknowledged)} acknowledged warnings (--show-acknowledged lists them)"]
    code, out, _ = cli("policy", "validate", "--show-acknowledged", str(path))
    lines = out.splitlines()
    assert len(lines) == 1 + len(acknowledged) and "warning [floor:condition:return_doa_apple_store]" in lines[0]
    assert [x.split(": acknowledged [")[1].split("]")[0] for x in lines[1:]] == [i["id"] for i in acknowledged]


def test_acknowledged_text_is_shown_with_its_reason(cli):
    code, out, err = cli("policy", "validate", "--show-acknowledged", str(POLICIES / "apple.yaml"), env={"AFTERSALES_LANG": "zh"})
    assert code == 0
    line = next(x for x in out.splitlines() if "[floor:exchange:exchange]" in x)
    assert "已确认" in line and "已确认：Apple" in line and "个已确认" in err


def test_the_acknowledgement_is_kept_in_the_decisions_trace():
    from aftersales.core.registry import load_registry

    registry = load_registry()
    case = registry.parse_case({
        "schema_version": 1, "case_date": "2026-06-20", "brand": "apple",
        "device": {"model": "iPhone 15", "part_number": "MTLE3CH/A"},
        "purchase": {"date": "2026-06-01", "channel": "brand_store_online"},
        "documents": ["invoice", "sanbao_certificate"], "fault": {"component": "host", "confirmed": True}})
    trace = registry.evaluate(case).to_dict()["trace"]
    step = next(t for t in trace if t["effect"] == "exchange_rule")
    assert "acknowledged floor:exchange:exchange" in step["detail"]


def test_pre_commit_hooks_match_policy_files_only():
    import re

    import yaml

    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    for hook in hooks:
        files, exclude = re.compile(hook["files"]), re.compile(hook.get("exclude", "^$"))
        chosen = lambda p, f=files, x=exclude: bool(f.search(p)) and not x.search(p)  # noqa: E731
        assert chosen("policies/acme.yaml") and chosen("aftersales_acme/acme.yaml")
        for other in (".pre-commit-config.yaml", ".github/workflows/ci.yml", "mkdocs.yml", "docs/x.yaml"):
            assert not chosen(other), (hook["id"], other)
        assert chosen("policies/acme.cases.yaml") == (hook["id"] == "aftersales-policy-test")


def test_a_count_condition_outside_the_fields_bounds_never_applies(cli, tmp_path):
    # battery health is 0-100 in the case table: "above 800" can never hold, and the message says why
    path = _edited(tmp_path, "apple.yaml", ("device.battery_health: {lt: 80}", "device.battery_health: {gt: 800}"))
    code, report = _report(cli, str(path))
    assert code == 1
    (issue,) = [i for i in report["issues"] if i["code"] == "contradiction"]
    assert issue["path"] == "$.offers[10].when.device.battery_health"
    assert "0–100" in issue["message_zh"] and "0 to 100" in issue["message"]


def test_a_count_condition_at_the_fields_bound_still_applies(cli, tmp_path):
    path = _edited(tmp_path, "apple.yaml", ("device.battery_health: {lt: 80}", "device.battery_health: {gte: 100}"))
    code, report = _report(cli, str(path))
    assert code == 0 and "contradiction" not in _codes(report, "error")


def test_an_amount_condition_above_the_fields_bound_never_applies(cli, tmp_path):
    path = _edited(tmp_path, "apple.yaml", ("device.battery_health: {lt: 80}", "purchase.price: {gt: 2000000}"))
    code, report = _report(cli, str(path))
    (issue,) = [i for i in report["issues"] if i["code"] == "contradiction"]
    assert code == 1 and issue["path"] == "$.offers[10].when.purchase.price" and "1,000,000" in issue["message_zh"]


def test_an_acknowledgement_with_a_typo_names_the_warning_meant(cli, tmp_path):
    path = _edited(tmp_path, "apple.yaml", ("id: floor:exchange:exchange", "id: floor:exchange:exchang"))
    code, report = _report(cli, str(path))
    (unused,) = [i for i in report["issues"] if i["code"] == "ack_unused"]
    assert unused["id"] == "ack_unused:floor:exchange:exchang"
    assert unused["message"] == ("acknowledges 'floor:exchange:exchang', but no such warning is given; did you mean "
                                 "'floor:exchange:exchange' (a warning this file has)?")
    assert "您是否想写 'floor:exchange:exchange'" in unused["message_zh"]


def test_a_blank_or_internal_citation_is_an_error_at_it(cli, tmp_path):
    """A citation is what the counter shows as the source: blank ("  ") or an editors' reference
    (DOMAIN.md §2.8) passed validation and reached the clerk's 出处."""
    start = "citation: 华为消费者服务 三包服务政策：产品保修起始日期以购机发票开具日为准"
    for cited in ('"  "', "DOMAIN.md §3.1; seeds/003"):
        path = _edited(tmp_path, "huawei.yaml", (start, f"citation: {cited}"))
        code, report = _report(cli, str(path))
        assert code == 1
        (issue,) = [i for i in report["issues"] if i["code"] == "citation"]
        assert issue["path"] == "$.starts.invoice.citation" and issue["severity"] == "error"
        assert ("不能为空" if cited.startswith('"') else "内部资料") in issue["message_zh"]
    # empty (""): said as a blank one is, not as a list with no items
    path = _edited(tmp_path, "huawei.yaml", (start, 'citation: ""'))
    code, report = _report(cli, str(path))
    (issue,) = [i for i in report["issues"] if i["path"] == "$.starts.invoice.citation"]
    assert code == 1 and issue["message_zh"].startswith("出处不能为空：请写公开来源") and "项" not in issue["message_zh"]
    code, report = _report(cli)
    assert "citation" not in _codes(report, "error")          # the bundled policies cite public sources
