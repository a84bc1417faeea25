"""Hostile input to the policy tools: a number of thousands of digits is one located line, a
non-zero exit and no traceback."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from aftersales.policies import bundled

SCENARIOS = Path(__file__).parent.parent / "scenarios"
HUGE = "9" * 5000


def _case(tmp_path: Path, scenario: str, **changes: str) -> str:
    data = yaml.safe_load((SCENARIOS / f"{scenario}.yaml").read_text(encoding="utf-8"))["case"]
    data.update(changes)
    path = tmp_path / f"{scenario}-{'-'.join(changes.values()) or 'case'}.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


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
        assert code == 0 and words in err, err
        assert "internal error" not in err and "内部错误" not in err and "ValueError" not in err
