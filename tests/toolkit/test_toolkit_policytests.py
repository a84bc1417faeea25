"""Policy tests beside each policy: the bundled ones pass and cover every rule; failures show expected vs actual."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from aftersales.authoring.policytest import run_policy_tests

ROOT = Path(__file__).resolve().parents[2]
POLICIES = ROOT / "policies"
BUNDLED = ["generic_sanbao", "apple", "huawei"]


@pytest.fixture(scope="module")
def bundled_reports():
    reports, errors = run_policy_tests()
    assert errors == []
    return {r.policy: r for r in reports}


@pytest.mark.parametrize("policy", BUNDLED)
def test_bundled_policy_has_tests_that_pass(bundled_reports, policy):
    report = bundled_reports[policy]
    assert (POLICIES / f"{policy}.cases.yaml").exists()
    assert report.results, "no cases ran"
    assert [(c.name, c.problems) for c in report.failed] == []
    assert report.issues == []


@pytest.mark.parametrize("policy", BUNDLED)
def test_bundled_policy_tests_exercise_every_rule(bundled_reports, policy):
    report = bundled_reports[policy]
    assert report.uncovered == []
    assert len(report.rules) >= 10


#: a Huawei unit's battery fault, the body of a policy test's ``case`` (4 spaces in)
BATTERY_CASE = ("    case_date: '2026-06-15'\n"
                "    brand: huawei\n"
                "    device: {model: Mate 60, model_code: ALN-AL00}\n"
                "    purchase: {channel: authorized_reseller, date: '2025-10-18', country: CN}\n"
                "    documents: [invoice, sanbao_certificate]\n"
                "    fault: {component: battery, confirmed: true}\n")

def test_policy_test_cli_passes_for_the_bundled_policies(cli):
    code, out, err = cli("policy", "test", "--strict")
    assert code == 0, out + err
    for policy in BUNDLED:
        assert f"{policy} " in out


def test_a_failing_case_prints_expected_against_actual(tmp_path, cli):
    shutil.copy(POLICIES / "huawei.yaml", tmp_path / "huawei.yaml")
    (tmp_path / "huawei.cases.yaml").write_text(
        "- name: wrong on purpose\n"
        "  case:\n"
        + BATTERY_CASE +
        "  expect: {available: [return], granted_by: {repair: huawei/paid_repair}}\n", encoding="utf-8")
    code, out, _ = cli("policy", "test", str(tmp_path / "huawei.yaml"))
    assert code == 1
    assert "FAIL" in out and "huawei.cases.yaml:9:12: wrong on purpose" in out   # at the expect key that failed
    assert "available: expected ['return'], got ['repair']" in out
    assert "granted_by of repair: expected huawei/paid_repair, got huawei/repair_warranty" in out
    assert "not exercised by any case: " in out and "exclusions/label_damaged" in out


def test_coverage_counts_only_the_deciding_rule(tmp_path, cli):
    shutil.copy(POLICIES / "apple.yaml", tmp_path / "apple.yaml")
    text = (POLICIES / "apple.cases.yaml").read_text(encoding="utf-8")
    first_two = text.split("\n- name:")[:2]
    (tmp_path / "apple.cases.yaml").write_text("\n- name:".join(first_two), encoding="utf-8")
    code, out, _ = cli("policy", "test", "--format", "json", str(tmp_path / "apple.yaml"))
    assert code == 0
    report = json.loads(out)["policies"][0]
    assert "offers/return_doa_apple_store" not in report["coverage"]["uncovered"]
    assert "offers/repair_warranty_foreign" in report["coverage"]["uncovered"]
    code, _, _ = cli("policy", "test", "--strict", str(tmp_path / "apple.yaml"))
    assert code == 1


def test_unknown_expect_keys_fail_the_case_at_its_location(tmp_path, cli):
    shutil.copy(POLICIES / "huawei.yaml", tmp_path / "huawei.yaml")
    (tmp_path / "huawei.cases.yaml").write_text("- name: typo\n  case: {brand: huawei}\n  expect: {availble: [repair]}\n",
                                                encoding="utf-8")
    code, out, _ = cli("policy", "test", str(tmp_path / "huawei.yaml"))
    assert code == 1
    assert "FAIL " in out and "huawei.cases.yaml:3:12: typo" in out   # at the unknown key
    assert "unknown key 'availble'; did you mean 'available'?" in out


def test_a_case_merging_an_anchor_is_pointed_at_its_own_wrong_line(tmp_path, cli):
    """``<<: *cn`` brings the anchor's keys in: the case's own ``purchase`` (the one YAML keeps)
    is where its wrong date is, not the anchor's; a failing expect is pointed at its key."""
    shutil.copy(POLICIES / "huawei.yaml", tmp_path / "huawei.yaml")
    (tmp_path / "huawei.cases.yaml").write_text(
        "- name: first\n"
        "  case: &cn\n"
        + BATTERY_CASE +
        "  expect:\n"
        "    available: [repair]\n"
        "    region: HK\n"
        "- name: second\n"
        "  case:\n"
        "    <<: *cn\n"
        "    purchase: {channel: authorized_reseller, date: '2025-10-36', country: CN}\n"
        "  expect: {available: [repair]}\n", encoding="utf-8")
    code, out, _ = cli("policy", "test", str(tmp_path / "huawei.yaml"))
    assert code == 1
    assert "huawei.cases.yaml:11:5: first" in out, out
    assert "huawei.cases.yaml:15:" in out and "second" in out and ":6:" not in out, out


def test_granted_by_naming_no_rule_says_so_with_the_nearest(tmp_path, cli):
    """A typo in ``granted_by`` is not "expected X, got Y" (the editor would hunt for why the
    engine chose otherwise): no rule has that id, and the nearest is named."""
    shutil.copy(POLICIES / "huawei.yaml", tmp_path / "huawei.yaml")
    (tmp_path / "huawei.cases.yaml").write_text(
        "- name: typo in the rule\n"
        "  case:\n"
        + BATTERY_CASE +
        "  expect: {granted_by: {repair: huawei/repair_warrenty}}\n"
        "- name: typo without the policy\n"
        "  case:\n"
        + BATTERY_CASE +
        "  expect: {granted_by: {repair: repair_warrenty}}\n"
        "- name: another rule that exists\n"
        "  case:\n"
        + BATTERY_CASE +
        "  expect: {granted_by: {repair: huawei/paid_repair}}\n", encoding="utf-8")
    code, out, _ = cli("policy", "test", str(tmp_path / "huawei.yaml"))
    assert code == 1
    assert ("granted_by of repair: no rule 'huawei/repair_warrenty' in the policies loaded; did you mean "
            "'huawei/repair_warranty'? (the decision's: huawei/repair_warranty)") in out
    assert "no rule 'repair_warrenty' in the policies loaded; did you mean 'repair_warranty'?" in out
    assert "granted_by of repair: expected huawei/paid_repair, got huawei/repair_warranty" in out
    code, out, _ = cli("policy", "test", str(tmp_path / "huawei.yaml"), "--lang", "zh")
    assert ("免费维修（repair）的决定规则：已加载的政策中没有规则 'huawei/repair_warrenty'；您是否想写 "
            "'huawei/repair_warranty'？（实际为 huawei/repair_warranty）") in out


def test_policy_test_says_a_typod_brand_as_validate_does(tmp_path, cli):
    text = (POLICIES / "apple.yaml").read_text(encoding="utf-8")
    assert "brands: [apple]" in text
    (tmp_path / "apple.yaml").write_text(text.replace("brands: [apple]", "brands: [appel]", 1), encoding="utf-8")
    shutil.copy(POLICIES / "apple.cases.yaml", tmp_path / "apple.cases.yaml")
    for lang in ("en", "zh"):
        code, validated, _ = cli("policy", "validate", str(tmp_path / "apple.yaml"), "--lang", lang)
        assert code == 1
        error = next(line for line in validated.splitlines() if "appel" in line)
        assert "'apple'" in error and ("did you mean" in error or "您是否想写" in error)
        code, tested, err = cli("policy", "test", str(tmp_path / "apple.yaml"), "--lang", lang)
        assert code == 1
        assert tested.splitlines() == [error], tested
        assert "policy tests not run" in err or "政策测试未运行" in err


def test_the_summary_of_a_run_whose_tests_file_cannot_be_read_says_so(tmp_path, cli):
    """The run fails (exit 2: a file YAML cannot take is bad input) and its last line does not
    read as all passed; the rules the file leaves unexercised are not listed one by one."""
    from scenario_helpers import ALIAS_BOMB

    for policy in BUNDLED:
        shutil.copy(POLICIES / f"{policy}.yaml", tmp_path / f"{policy}.yaml")
        shutil.copy(POLICIES / f"{policy}.cases.yaml", tmp_path / f"{policy}.cases.yaml")
    (tmp_path / "huawei.cases.yaml").write_text(ALIAS_BOMB, encoding="utf-8")
    code, out, err = cli("policy", "test", str(tmp_path))
    assert code == 2
    assert "huawei.cases.yaml:1:" in out and "not exercised by any case" not in out, out
    assert "huawei 2026.1" in out and "rule coverage 0/" in out, out
    assert "cases pass; tests of 1 policy in error (above);" in err.strip().splitlines()[-1]
    code, out, err = cli("policy", "test", str(tmp_path), "--lang", "zh")
    assert "个通过；1 个政策的测试文件有错误（见上）；" in err.strip().splitlines()[-1]


def test_a_case_whose_expect_is_misspelt_names_the_key_it_stands_for(tmp_path, cli):
    """Not "each case needs case and expect" at the case: the misspelt key, where it is written."""
    shutil.copy(POLICIES / "apple.yaml", tmp_path / "apple.yaml")
    lines = (POLICIES / "apple.cases.yaml").read_text(encoding="utf-8").splitlines()
    typo = next(n for n, t in enumerate(lines) if t == "  expect:")
    lines[typo] = "  expcet:"
    (tmp_path / "apple.cases.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = cli("policy", "test", str(tmp_path), "--lang", "zh")
    assert code == 1, out + err
    assert f"apple.cases.yaml:{typo + 1}:3: $[" in out and "未知的键 'expcet'；您是否想写 'expect'？" in out, out
    lines[typo] = "  notes:"   # nothing near it: the case is said to have no expect
    (tmp_path / "apple.cases.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = cli("policy", "test", str(tmp_path), "--lang", "en")
    assert code == 1 and "this case has no `expect` (each case needs `case` and `expect`)" in out, out
