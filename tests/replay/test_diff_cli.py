"""``aftersales policy diff``: grouping by change, the rule responsible, --json, --fail-on-change."""

from __future__ import annotations

import json
from datetime import date, timedelta
from importlib import resources

from click.testing import CliRunner

from aftersales.cli import main_group
from aftersales.cli.diff import diff


def _apple_case(age_days: int, case_date: str = "2026-05-20") -> dict:
    day = date.fromisoformat(case_date)
    return {
        "schema_version": 1, "case_date": case_date, "brand": "apple",
        "device": {"model": "iPhone 15", "part_number": "MTLE3CH/A"},
        "purchase": {"channel": "brand_store_retail", "date": (day - timedelta(days=age_days)).isoformat(), "country": "CN"},
        "documents": [], "fault": {"component": "host", "confirmed": True},
        "condition": {"accessories_complete": True},
    }


def _edited(tmp_path, name: str, old_text: str, new_text: str, version: str | None = "2026.2"):
    """Folders ``old`` (the bundled policy ``name``) and ``new`` (``old_text`` replaced by
    ``new_text``, and the version moved on to ``version``)."""
    text = resources.files("aftersales.policies").joinpath(name).read_text(encoding="utf-8")
    changed = text.replace(old_text, new_text)
    assert changed != text, old_text
    if version:
        changed = changed.replace('version: "2026.1"', f'version: "{version}"')
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir()
    new.mkdir()
    (old / name).write_text(text, encoding="utf-8")
    (new / name).write_text(changed, encoding="utf-8")
    return old, new


def _folders(tmp_path, exchange_days: int):
    return _edited(tmp_path, "apple.yaml", "window: {from_day: 8, days: 15}", f"window: {{from_day: 8, days: {exchange_days}}}")


def _cases(tmp_path, ages, extra_lines=()):
    path = tmp_path / "cases.jsonl"
    with open(path, "w", encoding="utf-8") as fh:
        for age in ages:
            fh.write(json.dumps(_apple_case(age)) + "\n")
        for line in extra_lines:
            fh.write(line + "\n")
    return path


def _invoke(*args, lang="en", columns: str | None = "120"):
    # the side-by-side view is as wide as the terminal: these tests read it 120 columns wide, whatever
    # terminal (or none: pytest-xdist workers say 80 columns) they run in; with no COLUMNS, the report
    # written to a file, its lines stay whole
    result = CliRunner().invoke(main_group, ["policy", "diff", *args, "--workers", "1", "--lang", lang],
                                env={"COLUMNS": columns})
    return result.exit_code, result.stdout, result.stderr


def test_unchanged_policies_change_nothing(tmp_path):
    old, _ = _folders(tmp_path, 10)
    cases = _cases(tmp_path, [3, 12, 40, 400])
    rc, out, err = _invoke("--old", str(old), "--new", str(old), "--cases", str(cases), "--fail-on-change")
    assert rc == 0
    assert "4 cases compared" in out
    assert "0 decided differently" in out


def test_a_change_from_a_day_to_come_that_no_case_reaches_is_said_not_read_as_no_effect(tmp_path, monkeypatch):
    """A new version from 2099 compared on cases of 2026: "0 decided differently" read as a change
    with no effect. The report says that no case reaches the day it takes effect."""
    monkeypatch.setenv("AFTERSALES_NOW", "2026-06-15T10:00:00")
    old, new = _edited(tmp_path, "apple.yaml", "window: {from_day: 8, days: 15}", "window: {from_day: 8, days: 10}",
                       version=None)
    text = (new / "apple.yaml").read_text(encoding="utf-8")
    start = next(line for line in text.splitlines() if line.startswith("  from: "))
    (new / "apple.yaml").write_text(text.replace('version: "2026.1"', 'version: "2099.1"', 1)
                                    .replace(start, '  from: "2099-01-01"', 1), encoding="utf-8")
    (new / "apple_old.yaml").write_text((old / "apple.yaml").read_text(encoding="utf-8").replace(
        start, start + '\n  until: "2098-12-31"', 1).replace('version: "2026.1"', 'version: "2026.2"', 1),
        encoding="utf-8")
    cases = _cases(tmp_path, [2, 11, 12, 13, 40])
    rc, out, err = _invoke("--old", str(old), "--new", str(new), "--cases", str(cases))
    assert rc == 0 and "0 decided differently" in out, out + err
    assert "note: apple 2099.1 of the new policies takes effect on 2099-01-01, after today" in out, out
    rc, out, err = _invoke("--old", str(old), "--new", str(old), "--cases", str(cases))
    assert "note:" not in out, out


def test_shorter_exchange_window_groups_the_lost_exchanges(tmp_path):
    old, new = _folders(tmp_path, 10)
    # days 11..15 lose Apple's exchange (no papers: the statutory one needs an invoice) -> repair
    cases = _cases(tmp_path, [2, 11, 12, 13, 14, 15, 40, 400])
    rc, out, err = _invoke("--old", str(old), "--new", str(new), "--cases", str(cases), "--examples", "2")
    assert rc == 0
    assert "5 decided differently" in out
    assert "exchange (dap) → repair (warranty) [entitlement changes]: 5 cases, rule apple/exchange_apple_store" in out
    assert out.count("  line ") == 2                     # two examples
    assert "exchange.available: yes → no (rule apple/exchange_apple_store → generic_sanbao/exchange_dap)" in out
    assert "line 2:" in out and "line 3:" in out


def test_fail_on_change_exits_1(tmp_path):
    old, new = _folders(tmp_path, 10)
    cases = _cases(tmp_path, [12])
    rc, out, err = _invoke("--old", str(old), "--new", str(new), "--cases", str(cases), "--fail-on-change")
    assert rc == 1
    rc, out, err = _invoke("--old", str(old), "--new", str(new), "--cases", str(cases))
    assert rc == 0


def test_longer_window_names_the_new_rule_and_json_report(tmp_path):
    old, new = _folders(tmp_path, 20)
    cases = _cases(tmp_path, [5, 16, 17, 18, 30], extra_lines=["not json"])
    rc, out, err = _invoke("--old", str(old), "--new", str(new), "--cases", str(cases), "--json")
    assert rc == 1   # the line not compared
    report = json.loads(out)
    assert report["cases"] == 6 and report["compared"] == 5 and report["errors"] == 1
    assert report["first_errors"][0]["line"] == 6
    assert report["changed"] == 3
    (group,) = report["groups"]
    assert (group["from"], group["to"], group["rule"], group["cases"]) == (
        "repair (warranty)", "exchange (dap)", "apple/exchange_apple_store", 3)
    assert [e["line"] for e in group["examples"]] == [2, 3, 4]
    assert group["examples"][0]["old"]["entitlement"] == "repair"
    assert group["examples"][0]["new"]["entitlement"] == "exchange"


def test_cases_and_from_store_exclusive(tmp_path):
    old, new = _folders(tmp_path, 10)
    rc, out, err = _invoke("--old", str(old), "--new", str(new))
    assert rc == 2


def test_broken_new_policy_is_refused(tmp_path):
    old, new = _folders(tmp_path, 10)
    (new / "apple.yaml").write_text("id: apple\nversion: [\n", encoding="utf-8")
    cases = _cases(tmp_path, [12])
    result = CliRunner().invoke(diff, ["--old", str(old), "--new", str(new), "--cases", str(cases), "--workers", "1"])
    assert result.exit_code != 0


def test_a_case_is_parsed_for_each_side_when_the_two_know_different_plans(tmp_path):
    # the old policies test for a plan of their own; the new ones do not know it, so a case
    # naming it is refused by the new side (a bad line), not decided with a case the old side read
    old, new = _folders(tmp_path, 14)
    text = (old / "apple.yaml").read_text(encoding="utf-8")
    assert "coverage_plans: {includes: applecare_plus}" in text
    (old / "apple.yaml").write_text(text.replace("coverage_plans: {includes: applecare_plus}",
                                                 "coverage_plans: {includes: carrier_care}", 1), encoding="utf-8")
    case = _apple_case(40)
    case["coverage_plans"] = ["carrier_care"]
    path = tmp_path / "cases.jsonl"
    path.write_text(json.dumps(case) + "\n" + json.dumps(_apple_case(12)) + "\n", encoding="utf-8")
    rc, out, err = _invoke("--old", str(old), "--new", str(new), "--cases", str(path), "--json")
    assert rc == 1, err   # the line not compared
    report = json.loads(out)
    assert (report["cases"], report["compared"], report["errors"]) == (2, 1, 1)
    assert report["first_errors"][0]["line"] == 1
    assert "carrier_care" in report["first_errors"][0]["reason"]


def test_the_quick_check_says_same_only_when_the_outcomes_are_equal(tmp_path):
    from aftersales.batch.generate import generate_cases
    from aftersales.batch.impact import outcome, same_outcome
    from aftersales.core.registry import load_registry

    old_dir, new_dir = _folders(tmp_path, 10)
    old, new = load_registry(policies_dir=str(old_dir)), load_registry(policies_dir=str(new_dir))
    same = differ = 0
    for data in generate_cases(3000, 5):
        case = old.parse_case(data)
        a, b = old.evaluate(case), new.evaluate(case)
        if same_outcome(a, b):
            same += 1
            assert outcome(a) == outcome(b), data
        elif outcome(a) != outcome(b):
            differ += 1
    assert same > 2000 and differ > 0, (same, differ)


def _lead_days_folders(tmp_path):
    return _edited(tmp_path, "apple.yaml", "lead_days: {min: 10, max: 15}", "lead_days: {min: 7, max: 10}")


def test_a_lead_days_edit_shows_where_an_exchange_can_be_had(tmp_path):
    old, new = _lead_days_folders(tmp_path)
    cases = _cases(tmp_path, [3, 12, 400])        # exchanges on days 3 and 12; none at day 400
    rc, out, err = _invoke("--old", str(old), "--new", str(new), "--cases", str(cases), "--json")
    report = json.loads(out)
    assert report["changed"] == 2 and report["changed_entitlement"] == 0
    (group,) = report["groups"]
    assert group["changes_entitlement"] is False and group["rule"] == "apple/exchange"
    assert group["changes"] == [{"aspect": "exchange.lead_days", "old_rule": "apple/exchange", "new_rule": "apple/exchange",
                                 "changes_entitlement": False}]
    assert group["examples"][0]["differences"][0]["old"] == [10, 15]
    assert group["examples"][0]["differences"][0]["new"] == [7, 10]


def test_entitlement_changes_come_before_changes_of_terms(tmp_path):
    old, new = _folders(tmp_path, 10)
    text = (new / "apple.yaml").read_text(encoding="utf-8")
    (new / "apple.yaml").write_text(text.replace("lead_days: {min: 10, max: 15}", "lead_days: {min: 7, max: 10}"),
                                    encoding="utf-8")
    # many lead-day changes (days 3..9), fewer lost exchanges (days 12, 13)
    cases = _cases(tmp_path, [3, 4, 5, 6, 8, 9, 12, 13])
    rc, out, err = _invoke("--old", str(old), "--new", str(new), "--cases", str(cases), "--json")
    groups = json.loads(out)["groups"]
    # days 8, 9 also see the exchange's window end earlier: a group of their own
    assert [g["changes_entitlement"] for g in groups] == [True, False, False]
    assert groups[0]["cases"] < groups[1]["cases"]


def test_the_english_report_says_values_in_words_not_python(tmp_path):
    old, new = _folders(tmp_path, 10)
    cases = _cases(tmp_path, [12])
    rc, out, err = _invoke("--old", str(old), "--new", str(new), "--cases", str(cases))
    assert "exchange.available: yes → no" in out, out
    assert "True" not in out and "False" not in out and "['" not in out and "[]" not in out


def test_the_report_is_chinese_by_default(tmp_path):
    old, new = _folders(tmp_path, 10)
    cases = _cases(tmp_path, [12])
    rc, out, err = _invoke("--old", str(old), "--new", str(new), "--cases", str(cases), lang="zh")
    assert "比较了 1 个案例" in out and "换货（15日内性能故障） → 免费维修（保修期内） [权益改变]" in out
    assert "--explain 1" in out
    rc, out, err = _invoke("--old", str(old), "--new", str(new), "--cases", str(cases), "--explain", "1", lang="zh")
    assert rc == 0, err
    assert any(line.startswith("换货是否可用：是（apple/exchange_apple_store）") and "│ 换货是否可用：否" in line
               for line in out.splitlines()), out
    # the trace lines say each effect in Chinese (not granted / outside_window)
    trace = out.splitlines()[out.splitlines().index("不同的追踪记录：") + 1:]
    assert any("- apple/exchange_apple_store 给予" in x and "│ + apple/exchange_apple_store 不在期限内" in x
               for x in trace), trace
    assert "granted" not in out and "outside_window" not in out


def test_explain_shows_the_case_both_ways_with_the_trace_lines_that_differ(tmp_path):
    old, new = _folders(tmp_path, 10)
    cases = _cases(tmp_path, [3, 12])
    rc, out, err = _invoke("--old", str(old), "--new", str(new), "--cases", str(cases), "--explain", "2")
    assert rc == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("case 2: apple MTLE3CH/A")
    assert any("exchange.available: yes" in x and "│ exchange.available: no" in x for x in lines)
    trace = lines[lines.index("trace lines that differ:") + 1:]
    assert any("- apple/exchange_apple_store granted" in x and "│ + apple/exchange_apple_store outside its window" in x
               for x in trace), trace
    rc, out, err = _invoke("--old", str(old), "--new", str(new), "--cases", str(cases), "--explain", "2", "--json")
    report = json.loads(out)
    assert report["old"]["entitlement"] == "exchange" and report["new"]["entitlement"] == "repair"
    assert report["trace_differences"]


def test_explain_of_a_line_that_is_not_there_is_one_line_exit_2(tmp_path):
    from aftersales.cli import main_group
    from aftersales.cli.group import run

    old, new = _folders(tmp_path, 10)
    cases = _cases(tmp_path, [3])
    code = run(main_group, ["policy", "diff", "--old", str(old), "--new", str(new), "--cases", str(cases),
                            "--explain", "9", "--lang", "en"])
    assert code == 2


def test_explain_of_a_line_that_is_no_case_is_one_line_exit_2(tmp_path, capsys):
    from aftersales.cli import main_group
    from aftersales.cli.group import run

    old, new = _folders(tmp_path, 10)
    cases = _cases(tmp_path, [3])
    with open(cases, "ab") as fh:
        fh.write(b"not json\n")
    code = run(main_group, ["policy", "diff", "--old", str(old), "--new", str(new), "--cases", str(cases),
                            "--explain", "2", "--lang", "zh"])
    err = capsys.readouterr().err
    assert code == 2
    assert err == "错误：--explain 2：不是 JSON：第 1 列，这里应当是一个值\n"


def test_a_change_of_the_refund_rate_is_a_difference(tmp_path):
    """Only the refund instead of an exchange changes (第十九条's daily rate): the decisions are
    not the same, and the comparison names the exchange's refund."""
    from aftersales.batch.impact import compare, outcome, same_outcome
    from aftersales.core.registry import load_registry

    text = resources.files("aftersales.policies").joinpath("generic_sanbao.yaml").read_text(encoding="utf-8")
    changed = text.replace("rate_per_day: 0.005", "rate_per_day: 0.004")
    assert changed != text
    folder = tmp_path / "new"
    folder.mkdir()
    (folder / "generic_sanbao.yaml").write_text(changed, encoding="utf-8")
    old, new = load_registry(), load_registry(policies_dir=str(folder))
    case = old.parse_case({"schema_version": 1, "case_date": "2026-06-15", "brand": "generic",
                           "device": {"model": "Redmi Note 13"},
                           "purchase": {"channel": "authorized_reseller", "date": "2026-06-05", "country": "CN",
                                        "price": 3000},
                           "documents": ["invoice", "sanbao_certificate"],
                           "fault": {"component": "host", "confirmed": True}})
    a, b = old.evaluate(case), new.evaluate(case)
    assert not same_outcome(a, b)
    assert [c.aspect for c in compare(outcome(a), outcome(b))] == ["exchange.refund_instead"]


def test_a_policy_folder_that_does_not_load_is_refused_before_any_case_is_read(tmp_path, cli):
    """A broken --new (or --old) folder quarantines its plugin on that side alone: every case of
    its brands would be counted as a bad line. Refused instead, naming the side and the place."""
    old, new = _folders(tmp_path, 10)
    text = (new / "apple.yaml").read_text(encoding="utf-8")
    (new / "apple.yaml").write_text(text.replace("host: {months: 12}", "host: {months: twelve}", 1), encoding="utf-8")
    cases = _cases(tmp_path, [3, 12, 40])
    for flags, side in ((("--old", str(old), "--new", str(new)), "--new"), (("--old", str(new), "--new", str(old)), "--old")):
        code, out, err = cli("policy", "diff", *flags, "--cases", str(cases), "--workers", "1",
                             env={"AFTERSALES_LANG": "zh"})
        assert code == 2 and out == "", err
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"错误：{side} 的政策") and "apple.yaml:" in lines[0], err
        assert "twelve" in lines[0] and "Traceback" not in err
        # the editor's file is what is wrong: no plugin is said to be quarantined
        assert "隔离" not in lines[0] and lines[0].endswith("列出全部问题）"), lines[0]


def test_a_change_in_what_another_remedy_needs_is_not_called_a_new_entitlement(tmp_path):
    """Huawei's host warranty 12 → 24 months, for a unit bought 18 months ago without its 三包凭证:
    paid repair on both sides, but the free repair now asks for the certificate instead of having
    run out. Said as the same entitlement with another remedy's terms changed, and not counted
    among the cases whose entitlement changed."""
    old, new = _edited(tmp_path, "huawei.yaml", "host: {months: 12}", "host: {months: 24}", version=None)
    case = {"schema_version": 1, "case_date": "2025-04-17", "brand": "huawei",
            "device": {"model": "Mate 40", "model_code": "NOH-AL00"},
            "purchase": {"channel": "authorized_reseller", "date": "2023-10-16", "country": "CN"},
            "documents": ["invoice"], "fault": {"component": "host", "confirmed": True}}
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps(case) + "\n", encoding="utf-8")
    rc, out, err = _invoke("--old", str(old), "--new", str(new), "--cases", str(cases), lang="zh")
    assert "比较了 1 个案例（" in out and "1 个判定不同（其中 0 个权益改变）" in out, out
    assert "付费维修（保外）（权益不变），其他处理方式的条件改变 [免费维修缺少的单证" in out, out
    assert "[权益改变]" not in out
    assert "  第 1 行：huawei NOH-AL00 受理 2025-04-17 购买 2023-10-16 主机" in out
    assert "新：付费维修（保外），免费维修缺三包凭证" in out
    assert "免费维修缺少的单证：无 → 三包凭证" in out  # each value as the editor calls it, not [] → ['sanbao_certificate']


def test_lines_not_compared_fail_the_run_as_in_replay(tmp_path):
    """A bad line may be a case that changed: the comparison never passes over it (exit 1, as
    ``replay`` exits 1 on a line not decided), with --fail-on-change or without; neither does a
    cases file with no case (a CI gate on it would check nothing)."""
    old, _ = _folders(tmp_path, 10)
    only_bad = tmp_path / "bad.jsonl"
    only_bad.write_text('garbage\n{"brand": 1}\n', encoding="utf-8")
    mixed = _cases(tmp_path, [12], extra_lines=["garbage"])
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    for cases in (only_bad, mixed, empty):
        for flag in ((), ("--fail-on-change",)):
            rc, out, err = _invoke("--old", str(old), "--new", str(old), "--cases", str(cases), *flag)
            assert rc == 1, (cases.name, flag, out, err)
    rc, out, err = _invoke("--old", str(old), "--new", str(old), "--cases", str(only_bad), lang="zh")
    assert "比较了 0 个案例" in out and "2 个未比较（坏行）" in out and "没有判定不同的案例" not in out
    rc, out, err = _invoke("--old", str(old), "--new", str(old), "--cases", str(empty), lang="zh")
    assert "没有可比较的案例：案例文件中没有案例" in err
    from aftersales.store.db import create_database

    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    create_database(url).dispose()
    rc, out, err = _invoke("--old", str(old), "--new", str(old), "--from-store", "--db", url, lang="zh")
    assert rc == 1 and "没有可比较的案例：案例库中没有案例" in err, err     # a store, not a file


def test_groups_under_one_heading_say_what_tells_them_apart(tmp_path):
    """A two-year host warranty for Apple: several groups win the same free repair under the same
    rule (or lose the AppleCare basis under it) and differ only in the rule on the other side or in
    what else changed. Each heading says that, so no two headings read the same."""
    from aftersales.cli.generate import generate

    old, new = _edited(tmp_path, "apple.yaml", "host: {months: 12}", "host: {months: 24}")
    cases = tmp_path / "cases.jsonl"
    assert CliRunner().invoke(generate, ["3000", "--seed", "7", "--out", str(cases)]).exit_code == 0
    for lang, apart in (("zh", "与同一标题下其他组的区别："), ("en", "unlike the other groups with this heading: ")):
        rc, out, err = _invoke("--old", str(old), "--new", str(new), "--cases", str(cases), "--examples", "0",
                               lang=lang, columns=None)
        assert rc == 0, err
        headings = [line for line in out.splitlines()[1:] if line]
        assert len(headings) > 10 and len(set(headings)) == len(headings), "\n".join(headings)
        told = [line for line in headings if apart in line]
        assert told, out
    # the AppleCare+ groups differ by the rule that now grants the free repair
    assert any(line.startswith("repair (extended) → repair (warranty) [entitlement changes]") and
               "(rule apple/repair_applecare_plus → apple/repair_warranty_" in line for line in told), out


def test_apart_names_the_aspects_and_rules_that_differ():
    from aftersales.batch.impact import Apart, apart

    ent = ("entitlement", "a/plan", "a/store")
    one = ("repair (extended)", "repair (warranty)", "a/plan", True, (ent, ("repair.basis", "a/plan", "a/store")))
    two = ("repair (extended)", "repair (warranty)", "a/plan", True,
           (("entitlement", "a/plan", "a/reseller"), ("repair.basis", "a/plan", "a/reseller")))
    three = ("repair (extended)", "repair (warranty)", "a/plan", True, (ent, ("repair.basis", "a/plan", "a/store"),
                                                                       ("coverage.end", "a/plan", "a/store")))
    alone = ("exchange (dap)", "repair (warranty)", "a/x", True, (("entitlement", "a/x", "a/y"),))
    told = apart([one, two, three, alone])
    assert alone not in told
    assert told[one] == Apart(True, ((("entitlement", "repair.basis"), "a/plan", "a/store"),))
    assert told[two] == Apart(True, ((("entitlement", "repair.basis"), "a/plan", "a/reseller"),))
    # terms alone: the heading lists the aspects already, so only the rules tell them apart
    terms = [("", "", "a/r", False, (("coverage.end", "a/r", "a/r"),)),
             ("", "", "a/r", False, (("coverage.end", "a/q", "a/r"),)),
             ("", "", "a/r", False, (("repair.end", "a/r", "a/r"),))]
    told = apart(terms)
    assert told[terms[0]] == Apart(False, ((("coverage.end",), "a/r", "a/r"),))
    assert told[terms[1]] == Apart(False, ((("coverage.end",), "a/q", "a/r"),))
    assert terms[2] not in told


def test_a_battery_case_is_named_with_its_health_in_the_examples():
    """Two battery cases a battery term decides apart differ in the battery's health: each
    example says it (the two headings read the same without it)."""
    from aftersales.cli.diff import _case_brief

    case = {"brand": "apple", "case_date": "2026-06-15", "device": {"part_number": "MTLE3CH/A", "battery_health": 15},
            "purchase": {"date": "2024-10-10"}, "fault": {"component": "battery"}}
    assert _case_brief(case, "zh") == "apple MTLE3CH/A 受理 2026-06-15 购买 2024-10-10 电池 健康度 15%"
    assert _case_brief(case, "en").endswith("battery health 15%")
    host = {**case, "fault": {"component": "host"}}
    assert "健康度" not in _case_brief(host, "zh")
    # no purchase date: said, not a "?"
    unknown = {**host, "purchase": {}}
    assert _case_brief(unknown, "zh") == "apple MTLE3CH/A 受理 2026-06-15 未给购买日期 主机"
    assert "purchase date not given" in _case_brief(unknown, "en") and "?" not in _case_brief(unknown, "en")


def test_an_outcomes_cover_is_its_remedys_not_a_warranty():
    """A return's cover is its window: the report says 权益期限至, not 保修至 (warranty until)."""
    from aftersales.cli.diff import _outcome_text

    outcome = {"entitlement": "return", "basis": "doa", "coverage_end": "2026-06-12", "available": ["return"]}
    assert "，权益期限至 2026-06-12" in _outcome_text(outcome, "zh") and "保修至" not in _outcome_text(outcome, "zh")
    assert ", cover to 2026-06-12" in _outcome_text(outcome, "en")


def test_explain_of_a_change_in_dates_only_says_the_rules_gave_the_same_results(tmp_path):
    """A host period one month longer moves the coverage's end, not what any rule said: the
    view does not claim the two sides are the same."""
    old, new = _edited(tmp_path, "apple.yaml", "  host: {months: 12}", "  host: {months: 13}")
    cases = _cases(tmp_path, [100])
    rc, out, err = _invoke("--old", str(old), "--new", str(new), "--cases", str(cases), "--explain", "1")
    assert rc == 0, err
    assert "every rule checked has the same result on both sides: what differs is only what is listed above" in out
    assert "the same" not in out.split("every rule checked")[0]
    unchanged = _invoke("--old", str(old), "--new", str(old), "--cases", str(cases), "--explain", "1", lang="zh")[1]
    assert "两边的判定和追踪记录都相同" in unchanged


def test_the_report_fits_an_80_column_terminal(tmp_path):
    """Each line is wrapped to the terminal (a Chinese character takes two columns), its own
    indent kept and two more for what runs on; an aspect's rules go in brackets after it."""
    from rich.cells import cell_len

    old, new = _edited(tmp_path, "huawei.yaml", "  host: {months: 12}", "  host: {months: 24}")
    cases = tmp_path / "cases.jsonl"
    CliRunner().invoke(main_group, ["cases", "generate", "400", "--seed", "3", "--out", str(cases)])
    for lang in ("zh", "en"):
        result = CliRunner().invoke(main_group, ["policy", "diff", "--old", str(old), "--new", str(new), "--cases",
                                                 str(cases), "--workers", "1", "--lang", lang], env={"COLUMNS": "80"})
        assert result.exit_code == 0, result.stderr
        lines = result.stdout.splitlines()
        assert len(lines) > 20 and max(cell_len(line) for line in lines) <= 80, lines
    assert "免费维修是否可用：否 → 是（规则 " in result.stdout.replace("\n", "") or "repair.available: no → yes (rule " in \
        " ".join(result.stdout.split())
