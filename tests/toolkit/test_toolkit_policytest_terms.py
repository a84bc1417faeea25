"""Policy tests see every term: exchange terms, dates and service locations in `expect`, coverage
that counts a rule only when it decided a case, `-k`, and a bad expect key that fails the run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
POLICIES = ROOT / "policies"

APPLE_CASE = """\
- name: {name}
  case:
    case_date: "2026-06-15"
    brand: apple
    device: {{model: iPhone 15, part_number: MTLE3CH/A}}
    purchase: {{channel: brand_store_retail, date: "2026-06-05", country: CN}}
    documents: []
    fault: {{component: host, confirmed: true}}
  expect: {expect}
"""


def _apple(tmp_path: Path, *cases: tuple[str, str], policy_edit: tuple[str, str] | None = None) -> Path:
    text = (POLICIES / "apple.yaml").read_text(encoding="utf-8")
    if policy_edit:
        assert policy_edit[0] in text
        text = text.replace(*policy_edit, 1)
    (tmp_path / "apple.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "apple.cases.yaml").write_text("".join(APPLE_CASE.format(name=n, expect=e) for n, e in cases),
                                               encoding="utf-8")
    return tmp_path / "apple.yaml"


def _run(cli, path: Path, *args: str) -> tuple[int, dict]:
    code, out, _ = cli("policy", "test", "--format", "json", str(path), *args)
    return code, json.loads(out)


def test_expect_checks_exchange_mode_lead_days_and_warranty_after(cli, tmp_path):
    good = "{exchange_mode: deferred, lead_days: {min: 10, max: 15}, warranty_after: restarts}"
    path = _apple(tmp_path, ("day 10 exchange", good))
    assert _run(cli, path)[0] == 0
    # the same expectation against an edited policy (lead days 7–10) fails, naming both values
    path = _apple(tmp_path, ("day 10 exchange", good), policy_edit=("lead_days: {min: 10, max: 15}", "lead_days: {min: 7, max: 10}"))
    code, report = _run(cli, path)
    assert code == 1
    (failure,) = report["policies"][0]["failures"]
    assert failure["problems"] == ["lead_days: expected [10, 15], got [7, 10]"]
    assert failure["problems_zh"] == ["换货等待天数：期望 [10, 15]，实际为 [7, 10]"]


def test_a_failed_expectation_names_ids_with_their_chinese_labels(cli, tmp_path):
    wrong = "{exchange_mode: on_site, available: [repair], basis: {exchange: doa}}"
    code, report = _run(cli, _apple(tmp_path, ("day 10 exchange", wrong)))
    assert code == 1
    (failure,) = report["policies"][0]["failures"]
    assert failure["problems_zh"] == [
        "可用的处理方式：期望 repair（免费维修），实际为 exchange（换货）、repair（免费维修）",
        "换货（exchange）的依据：期望 doa（7日内性能故障），实际为 dap（15日内性能故障）",
        "换货方式：期望 on_site（当场更换），实际为 deferred（留机待通知）",
    ]
    assert failure["problems"][0] == "available: expected ['repair'], got ['exchange', 'repair']"


def test_expect_checks_service_location_and_dates_per_remedy(cli, tmp_path):
    path = _apple(tmp_path, ("per remedy", "{service_location: {exchange: brand_store_only, repair: seller}, "
                                           "start: {exchange: '2026-06-05'}, end: {repair: '2027-06-07'}}"))
    code, report = _run(cli, path)
    (failure,) = report["policies"][0]["failures"]
    assert failure["problems"] == ["service_location of repair: expected seller, got any_authorized"]


def test_a_bad_expect_key_fails_that_case_and_is_counted(cli, tmp_path):
    path = _apple(tmp_path, ("one", "{exchange_mode: deferred}"), ("two", "{lead_day: [10, 15]}"), ("three", "{region: CN}"))
    code, out, err = cli("policy", "test", str(path))
    assert code == 1
    assert "2/3 cases pass" in err
    assert "unknown key 'lead_day'; did you mean 'lead_days'?" in out


def test_a_typo_in_a_remedy_id_of_expect_is_named_as_one(cli, tmp_path):
    path = _apple(tmp_path, ("typo", "{available_includes: [exchnage], basis: {exchnage: dap}}"))
    code, out, err = cli("policy", "test", str(path), env={"AFTERSALES_LANG": "zh"})
    assert code == 1
    assert "available_includes：'exchnage' 不是处理方式代码；您是否想写 'exchange'？" in out, out
    assert "basis：'exchnage' 不是处理方式代码；您是否想写 'exchange'？" in out, out


def test_k_selects_cases_by_name(cli, tmp_path):
    path = _apple(tmp_path, ("exchange on day 10", "{exchange_mode: deferred}"), ("wrong on purpose", "{region: HK}"))
    code, report = _run(cli, path, "-k", "EXCHANGE")
    assert code == 0 and report["policies"][0]["passed"] == 1 and report["policies"][0]["failed"] == 0
    assert _run(cli, path, "-k", "wrong")[0] == 1
    # the text: only the chosen cases' policies, no coverage of the rules the few cases leave out,
    # and --strict does not fail for it
    code, out, err = cli("policy", "test", "--strict", str(path), "-k", "EXCHANGE", env={"AFTERSALES_LANG": "zh"})
    assert code == 0 and "没有案例覆盖" not in out + err and "规则覆盖" not in out, out + err
    assert err.strip().endswith("只运行了名称含 'EXCHANGE' 的案例（不统计规则覆盖）") and out.count("\n") == 1, out
    # a name no case has (a typo) runs nothing: said, and not a pass
    code, out, err = cli("policy", "test", str(path), "-k", "EXCHNAGE", env={"AFTERSALES_LANG": "zh"})
    assert code == 1 and err.strip() == "没有名称含 'EXCHNAGE' 的案例：没有运行任何政策测试", out + err
    assert _run(cli, path, "-k", "EXCHNAGE")[0] == 1


def test_coverage_counts_an_offer_only_when_it_decided_a_case(cli, tmp_path):
    # day 10: the 7-day rules are outside their window (named as the refusal), the DAP exchange decides
    path = _apple(tmp_path, ("day 10 exchange", "{exchange_mode: deferred}"))
    code, report = _run(cli, path)
    uncovered = report["policies"][0]["coverage"]["uncovered"]
    assert "offers/exchange_apple_store" not in uncovered
    assert "offers/return_doa_apple_store" in uncovered and "offers/exchange_doa_apple_store" in uncovered
    # the exchange rule, the start and the host period behind the granted remedies are counted
    assert "exchange/exchange" not in uncovered and "starts/invoice_or_activation" not in uncovered
    assert "periods/host" not in uncovered and "periods/battery" in uncovered
    assert "region_rules/region_from_part_number" not in uncovered and "region_rules/region_from_country" in uncovered


def test_policy_test_speaks_chinese_by_default(cli, tmp_path):
    path = _apple(tmp_path, ("wrong on purpose", "{region: HK}"))
    code, out, err = cli("policy", "test", str(path), env={"AFTERSALES_LANG": "zh"})
    assert code == 1 and "未通过" in out and "产地：期望 HK（港版），实际为 CN（国行）" in out and "个案例中 0 个通过" in err


def test_a_case_the_parser_refuses_is_reported_at_its_field_in_chinese_with_the_nearest_id(cli, tmp_path):
    path = _apple(tmp_path, ("typo", "{region: CN}"))
    cases = tmp_path / "apple.cases.yaml"
    cases.write_text(cases.read_text(encoding="utf-8").replace("component: host", "component: hots"), encoding="utf-8")
    code, out, err = cli("policy", "test", str(path), env={"AFTERSALES_LANG": "zh"})
    assert code == 1
    # line 8, column 24 of the file, at the value: where the editor fixes it, not the case's first line
    assert f"未通过 {cases}:8:24: typo" in out, out
    assert "实际出错：fault.component：未知代码 'hots'；您是否想写 'host'？可用：host, battery" in out, out


def test_bundled_cases_can_be_copied_and_run_alone(cli, tmp_path):
    for name in ("huawei.yaml", "huawei.cases.yaml"):
        shutil.copy(POLICIES / name, tmp_path / name)
    code, out, err = cli("policy", "test", "--strict", str(tmp_path / "huawei.yaml"))
    assert code == 0, out + err


def test_an_expectation_of_one_word_where_a_list_belongs_fails_and_says_how_to_write_it(cli, tmp_path):
    """Day 10: exchange and repair are available. ``unavailable: repair`` (one word, not a list)
    was read letter by letter and passed; ``available: repair`` failed as "a、e、i、p、r、r"."""
    path = _apple(tmp_path, ("one word", "{unavailable: repair}"), ("another", "{available_excludes: repair}"),
                  ("a table", "{basis: dap}"), ("as a list", "{unavailable: [return]}"))
    code, out, err = cli("policy", "test", str(path), env={"AFTERSALES_LANG": "zh"})
    assert code == 1
    assert "unavailable：应为列表，例如 unavailable: [repair]；写的是 'repair'" in out, out
    assert "available_excludes：应为列表，例如 available_excludes: [repair]" in out, out
    assert "basis：应为按处理方式写的映射" in out, out
    assert "4 个案例中 1 个通过" in err, err


def test_error_mentions_alone_expects_an_error(cli, tmp_path):
    """As the README says, ``error`` / ``error_mentions`` for a refused case: the second alone
    expected a decision, and failed with "期望得到判定"."""
    policy = _apple(tmp_path)
    (tmp_path / "apple.cases.yaml").write_text(
        "- name: no such part\n  case: {schema_version: 1, case_date: 2026-06-15, brand: apple,\n"
        "    fault: {component: no_such_part}}\n  expect: {error_mentions: [fault.component]}\n", encoding="utf-8")
    code, out, err = cli("policy", "test", str(policy))
    assert code == 0, out + err


def test_an_end_moved_off_a_rest_day_says_so(cli, tmp_path):
    """A test that expects the period's plain last day (a Saturday) fails as the end rolled to
    Monday (``rollover_periods``); the failure says that is why, not only the two dates."""
    path = _apple(tmp_path, ("repair end on the Saturday", '{end: {repair: "2027-06-05"}}'))
    code, out, err = cli("policy", "test", str(path), env={"AFTERSALES_LANG": "zh"})
    assert code == 1
    assert "免费维修（repair）的到期日：期望 2027-06-05，实际为 2027-06-07（2027-06-05 是休息日，到期日顺延至下一个工作日 2027-06-07）" in out, out
    code, out, err = cli("policy", "test", str(path), env={"AFTERSALES_LANG": "en"})
    assert "expected 2027-06-05, got 2027-06-07 (2027-06-05 is a rest day: the end moves to the next working day, 2027-06-07)" in out, out
