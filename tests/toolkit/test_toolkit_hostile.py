"""Hostile policy files: a number of thousands of digits and control characters written as YAML
escapes are one located line (file:line:column and the field, Chinese first), a non-zero exit
and no traceback in every command that reads policies; a drop-in plugin's broken policy
quarantines that plugin only."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from scenario_helpers import scenario_case_file

from aftersales.policies import bundled

SCENARIOS = Path(__file__).parent.parent / "scenarios"
HUGE = "9" * 5000
#: what a hostile citation writes: clear the screen, set the window title, NUL, a C1 CSI
ESCAPES = r"\e[2J\e]0;pwned\a\x00\x9b31m"
RAW = ("\x1b", "\x07", "\x00", "\x9b")


def _copy(folder: Path, name: str, old: str, new: str) -> int:
    """``policies/name`` written to ``folder`` with ``old`` replaced once; the line it was on."""
    text = bundled(name).read_text(encoding="utf-8")
    assert old in text
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text.replace(old, new, 1), encoding="utf-8")
    return next(n for n, t in enumerate(text.splitlines(), 1) if old in t)


_case = scenario_case_file


@pytest.fixture
def huge_apple(tmp_path):
    """A copy of the policies with a 5,000-digit number of days in apple.yaml: (folder, line)."""
    folder = tmp_path / "policies"
    line = _copy(folder, "apple.yaml", "window: {days: 7}", f"window: {{days: {HUGE}}}")
    for name in ("huawei.yaml", "generic_sanbao.yaml", "apple.cases.yaml"):
        (folder / name).write_text(bundled(name).read_text(encoding="utf-8"), encoding="utf-8")
    return folder, line


def _commands(folder: Path, tmp_path: Path) -> list[tuple[tuple[str, ...], dict, int]]:
    cases = tmp_path / "cases.jsonl"
    cases.write_text(Path(_case(tmp_path, "huawei-day10-onsite")).read_text(encoding="utf-8") + "\n", encoding="utf-8")
    return [
        (("policy", "validate", str(folder)), {}, 2),   # a file YAML cannot take: bad input
        (("policy", "validate", "--format", "json", str(folder)), {}, 2),
        (("policy", "test", str(folder)), {}, 2),
        (("policy", "diff", "--old", str(bundled("apple.yaml").parent), "--new", str(folder), "--cases", str(cases),
          "--workers", "1"), {}, 2),
        (("evaluate", _case(tmp_path, "apple-cn-day10-deferred"), "--policies", str(folder)), {}, 3),
        (("plugins", "list"), {"AFTERSALES_POLICIES": str(folder)}, 1),
    ]


@pytest.mark.parametrize("index", range(6), ids=["validate", "validate-json", "test", "diff", "evaluate", "plugins-list"])
def test_a_number_of_thousands_of_digits_is_located_in_every_command(huge_apple, tmp_path, cli, index):
    folder, line = huge_apple
    args, env, code = _commands(folder, tmp_path)[index]
    rc, out, err = cli(*args, env={"AFTERSALES_LANG": "zh", **env})
    assert rc == code, err
    assert "Traceback" not in out + err and "ValueError" not in out + err and "4300" not in out + err
    if "diff" in args:   # the new side does not load: refused before any case, naming the side and the place
        assert err.startswith("错误：--new 的政策") and f"apple.yaml:{line}:20: $.offers[0].window.days: 数字过大" in err, err
        return
    said = [t for t in (out + err).splitlines() if "数字过大" in t]
    assert said, out + err
    if "--format" in args:
        issue = next(i for i in json.loads(out)["issues"] if i["code"] == "yaml")
        assert (issue["line"], issue["message_zh"], issue["path"]) == (line, "数字过大", "$.offers[0].window.days")
    else:
        assert any(f"apple.yaml:{line}:" in t and "$.offers[0].window.days" in t for t in said), said


def test_a_brand_with_a_huge_number_in_another_brands_policy_still_decides(huge_apple, tmp_path, cli):
    folder, _ = huge_apple
    code, out, err = cli("evaluate", _case(tmp_path, "huawei-day10-onsite"), "--json", "--policies", str(folder))
    assert code == 0 and json.loads(out)["entitlement"] == "exchange", err
    assert "Traceback" not in err and f"plugin 'apple' is quarantined, its brands cannot be decided ({folder}" in err


def test_an_integer_past_64_bits_in_hex_is_refused_where_it_is_written(tmp_path, cli):
    folder = tmp_path / "policies"
    line = _copy(folder, "apple.yaml", "window: {days: 7}", "window: {days: 0x" + "f" * 4000 + "}")
    code, out, err = cli("policy", "validate", str(folder))
    assert code == 2 and "Traceback" not in out + err
    assert f"apple.yaml:{line}:" in out + err and "a number is too large" in out + err


def test_a_huge_number_in_a_policys_cases_file_is_located(tmp_path, cli):
    folder = tmp_path / "policies"
    _copy(folder, "huawei.yaml", "schema_version: 1", "schema_version: 1")
    line = _copy(folder, "huawei.cases.yaml", "warranty_repairs_for_fault: 2", f"warranty_repairs_for_fault: {HUGE}")
    code, out, err = cli("policy", "test", str(folder))
    assert code == 2 and "Traceback" not in out + err
    assert f"huawei.cases.yaml:{line}:" in out + err and "a number is too large" in out + err


@pytest.fixture
def xiaomi(tmp_path):
    """A drop-in plugin serving Xiaomi with a copy of Apple's policy; ``make(old, new)`` breaks it."""
    plugins = tmp_path / "plugins"
    folder = plugins / "xiaomi"
    folder.mkdir(parents=True, mode=0o755)
    os.chmod(plugins, 0o755)
    (folder / "__init__.py").write_text(
        "from pathlib import Path\n"
        "from aftersales.core.plugininfo import Brand\n"
        "from aftersales.core.policyplugin import PolicyPlugin\n\n\n"
        "class Xiaomi(PolicyPlugin):\n"
        "    name = 'xiaomi'\n    version = '1.0'\n    brands = [Brand('xiaomi', '小米', 'Xiaomi')]\n\n"
        "    def policy_files(self):\n        return [Path(__file__).with_name('xiaomi.yaml')]\n\n\n"
        "plugin = Xiaomi()\n", encoding="utf-8")

    def make(old: str, new: str) -> int:
        text = bundled("apple.yaml").read_text(encoding="utf-8")
        text = text.replace("\nid: apple\n", "\nid: xiaomi\n").replace("brands: [apple]", "brands: [xiaomi]")
        assert "\nid: xiaomi\n" in text and "brands: [xiaomi]" in text and old in text
        (folder / "xiaomi.yaml").write_text(text.replace(old, new, 1), encoding="utf-8")
        return next(n for n, t in enumerate(text.splitlines(), 1) if old in t)

    return plugins, make


@pytest.mark.parametrize("old,new,words", [
    ("host: {months: 12}", "host: {months: twelve}", "expected a whole number here, got text 'twelve'"),
    ("window: {days: 7}", f"window: {{days: {HUGE}}}", "$.offers[0].window.days: a number is too large"),
], ids=["type-error", "huge-number"])
def test_a_drop_in_policy_with_a_huge_number_is_quarantined_like_a_type_error(tmp_path, xiaomi, cli, old, new, words):
    plugins, make = xiaomi
    line = make(old, new)
    code, out, err = cli("evaluate", _case(tmp_path, "apple-cn-day10-deferred", brand="xiaomi"), "--plugins-dir", str(plugins))
    assert code == 3 and out == "" and "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert last.startswith("error: plugin 'xiaomi' is quarantined"), last
    assert f"xiaomi.yaml:{line}:" in last and words in last and "policy validate" in last
    assert "ValueError" not in err and "failed" not in err
    for scenario in ("huawei-day10-onsite", "generic-day10-exchange"):   # every other brand decides as before
        code, out, err = cli("evaluate", _case(tmp_path, scenario), "--json", "--plugins-dir", str(plugins))
        assert code == 0 and json.loads(out)["entitlement"] == "exchange", err
        assert "plugin 'xiaomi' is quarantined" in err
    code, out, _ = cli("plugins", "list", "--json", "--plugins-dir", str(plugins))
    listed = {p["name"]: p for p in json.loads(out)["plugins"]}
    assert listed["xiaomi"]["state"] == "quarantined" and listed["xiaomi"]["quarantine"]["line"] == line


def test_policy_diff_says_why_a_line_with_a_huge_number_is_not_compared(tmp_path, cli):
    line = Path(_case(tmp_path, "huawei-day10-onsite")).read_text(encoding="utf-8")
    bad = json.loads(line)
    bad["history"] = {"warranty_repairs_for_fault": 0}
    cases = tmp_path / "cases.jsonl"
    cases.write_text(line + "\n" + json.dumps(bad).replace(": 0}", f": {HUGE}}}") + "\n", encoding="utf-8")
    policies = str(bundled("apple.yaml").parent)
    for lang, words in (("zh", "cases.jsonl:2: 不是案例：数字过大"), ("en", "cases.jsonl:2: not a case: a number is too large")):
        code, out, err = cli("policy", "diff", "--old", policies, "--new", policies, "--cases", str(cases), "--workers", "1",
                             env={"AFTERSALES_LANG": lang})
        assert code == 1 and words in err, err   # the line not compared fails the run
        assert "internal error" not in err and "内部错误" not in err and "ValueError" not in err


# ----------------------------------------------------------------------------- control characters

def test_control_characters_in_a_policys_text_are_refused_located(tmp_path, cli):
    folder = tmp_path / "policies"
    title = _copy(folder, "huawei.yaml", "zh: 华为手机售后服务政策", f'zh: "华为{ESCAPES}"')
    text = (folder / "huawei.yaml").read_text(encoding="utf-8")
    lines = text.splitlines()
    cite = next(n for n, t in enumerate(lines, 1) if "citation:" in t)
    lines[cite - 1] = lines[cite - 1].split("citation:")[0] + f'citation: "{ESCAPES}"'
    (folder / "huawei.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = cli("policy", "validate", str(folder), env={"AFTERSALES_LANG": "zh"})
    assert code == 2 and "Traceback" not in out + err
    said = [t for t in (out + err).splitlines() if "控制字符" in t]
    assert len(said) == 2, out + err
    assert said[0].startswith(f"{folder / 'huawei.yaml'}:{title}:7: $.title.zh: “华为\\x1b[2J")
    assert "含有控制字符或无效字符（第 3 个字符 U+001B）" in said[0]
    assert said[1].startswith(f"{folder / 'huawei.yaml'}:{cite}:") and ".citation: “\\x1b[2J" in said[1]
    for raw in RAW:
        assert raw not in out + err
    code, out, err = cli("policy", "validate", "--format", "json", str(folder))
    issues = [i for i in json.loads(out)["issues"] if i["code"] == "control"]
    assert [(i["line"], i["path"]) for i in issues][:1] == [(title, "$.title.zh")] and len(issues) == 2


def test_a_decision_never_writes_a_policys_escapes_to_the_terminal(tmp_path, cli):
    folder = tmp_path / "policies"
    line = _copy(folder, "huawei.yaml", "citation: 华为消费者服务 三包服务政策：无型号代码时按购买地判断",
                 f'citation: "{ESCAPES}"')
    for args in ((), ("--json",)):
        code, out, err = cli("evaluate", _case(tmp_path, "huawei-day10-onsite"), *args, "--policies", str(folder))
        assert code == 3 and "Traceback" not in err
        for raw in RAW:
            assert raw not in out + err
        assert f"huawei.yaml:{line}:" in err and "control or invalid character (U+001B" in err
    code, out, err = cli("evaluate", _case(tmp_path, "generic-day10-exchange"), "--json", "--policies", str(folder))
    assert code == 0 and json.loads(out)["entitlement"] == "exchange", err   # another brand decides


def test_a_control_character_in_a_key_is_refused_and_shown_escaped(tmp_path, cli):
    folder = tmp_path / "policies"
    line = _copy(folder, "huawei.yaml", "title:", '"ti\\x9btle":')
    code, out, err = cli("policy", "validate", str(folder))
    assert code == 2
    assert f"huawei.yaml:{line}:1: $.ti\\x9btle: " in out + err and "\x9b" not in out + err


def test_newlines_and_tabs_in_a_policys_text_stay_valid(tmp_path, cli):
    folder = tmp_path / "policies"
    _copy(folder, "huawei.yaml", "citation: 华为消费者服务 三包服务政策：无型号代码时按购买地判断",
          'citation: "华为消费者服务\\t三包服务政策：\\n无型号代码时按购买地判断"')
    code, out, err = cli("policy", "validate", str(folder))
    assert "control" not in out + err and "Traceback" not in out + err
    assert code == 0, out + err


def test_a_count_of_days_past_what_a_date_can_count_is_refused_by_the_schema(tmp_path, cli):
    """A time limit counts at most a century (36,500 days, 1,200 months): past what Python's
    dates count, a count crashed compiling the policy; past year 9999, every case of the brand
    failed in its plugin while ``policy validate`` said nothing."""
    folder = tmp_path / "policies"
    line = _copy(folder, "apple.yaml", "window: {days: 7}", "window: {days: 99999999999}")
    code, out, err = cli("policy", "validate", str(folder), env={"AFTERSALES_LANG": "zh"})
    assert code == 1 and "Traceback" not in out + err and "OverflowError" not in out + err
    assert f"apple.yaml:{line}:20: $.offers[0].window.days: 99999999999 超出范围：不能大于 36500" in out + err
    code, out, err = cli("evaluate", _case(tmp_path, "apple-cn-day10-deferred"), "--policies", str(folder))
    assert code == 3 and "Traceback" not in err and f"apple.yaml:{line}:" in err
    code, out, err = cli("evaluate", _case(tmp_path, "huawei-day10-onsite"), "--json", "--policies", str(folder))
    assert code == 0 and json.loads(out)["entitlement"] == "exchange", err


@pytest.mark.parametrize(("old", "new", "where", "bound"), [
    ("period: {months: 24}", "period: {months: 99999999999}", "period.months", "1200"),   # window.days: above
])
def test_a_period_past_a_century_is_refused_before_any_case_meets_it(tmp_path, cli, old, new, where, bound):
    folder = tmp_path / "policies"
    line = _copy(folder, "apple.yaml", old, new)
    code, out, err = cli("policy", "validate", str(folder), env={"AFTERSALES_LANG": "zh"})
    assert code == 1 and f"apple.yaml:{line}:" in out and f".{where}: " in out and f"不能大于 {bound}" in out, out + err
