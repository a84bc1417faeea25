"""A policy file cut short never validates: every section a policy needs is required (schema), and
the bundled files end with a section whose every key is required."""

from __future__ import annotations

import pytest

from aftersales.authoring.policyload import PolicySource, check_policy_full, read_yaml
from aftersales.policies import bundled


@pytest.mark.parametrize("name", ["apple.yaml", "huawei.yaml", "generic_sanbao.yaml"])
def test_no_truncation_of_a_bundled_policy_validates(name):
    text = bundled(name).read_text(encoding="utf-8")
    full = read_yaml(text, name)[0]
    lines = text.splitlines(keepends=True)
    tried, accepted = 0, []
    for n in range(1, len(lines)):
        prefix = "".join(lines[:n])
        try:
            data = read_yaml(prefix, name)[0]
        except Exception:  # noqa: BLE001 - a prefix that is not even YAML is refused anyway
            continue
        if data == full:   # only comments or blank lines cut: the same policy
            continue
        tried += 1
        checked, _node, issues = check_policy_full(PolicySource(name, prefix))
        if checked is not None and not any(i.severity == "error" for i in issues):
            accepted.append(n)
    assert tried > 150
    assert accepted == [], f"{name} cut after these lines still validates: {accepted}"


def test_a_policy_without_exclusions_or_exchange_is_refused_naming_the_section():
    text = bundled("apple.yaml").read_text(encoding="utf-8")
    cut = text[: text.index("\nexclusions:")] + "\n"
    _data, _node, issues = check_policy_full(PolicySource("apple.yaml", cut))
    messages = " ".join(str(i) for i in issues if i.severity == "error")
    assert "exclusions" in messages and "exchange" in messages


# --------------------------------------------------------------------------- patterns on RE2

def _apple_with_pattern(pattern: str) -> str:
    text = bundled("apple.yaml").read_text(encoding="utf-8")
    old = "pattern: '([A-Z]{1,2})/A$'"
    assert old in text
    return text.replace(old, f"pattern: '{pattern}'", 1)


def test_a_nested_quantifier_pattern_runs_on_re2_and_decides(tmp_path):
    """``^(([A-Z])+)+/A$`` backtracks exponentially on a backtracking engine (Python's ``re``);
    on RE2 the long part number is simply not matched and the unit is decided."""
    from aftersales.core.registry import load_registry

    (tmp_path / "apple.yaml").write_text(_apple_with_pattern("^(([A-Z])+)+/A$"), encoding="utf-8")
    registry = load_registry(policies_dir=tmp_path)
    rule = registry.policies["apple"][0].region_rules[0]
    assert type(rule.pattern).__module__.startswith("re2")
    case = registry.parse_case({
        "schema_version": 1, "case_date": "2026-06-15", "brand": "apple",
        "device": {"model": "iPhone 15", "part_number": "A" * 30 + "/B"},
        "purchase": {"channel": "authorized_reseller", "date": "2026-06-05", "country": "CN"},
        "fault": {"component": "host", "confirmed": True}})
    assert registry.evaluate(case).region != "CN"


@pytest.mark.parametrize("pattern, words", [("(?=A)(A)", "RE2 can run"), ("(A)\\1", "RE2 can run"),
                                            ("[A-Z]{2}/A$", "capture group")])
def test_a_pattern_re2_cannot_run_is_refused_located(pattern, words):
    text = _apple_with_pattern(pattern)
    line = next(n for n, t in enumerate(text.splitlines(), 1) if "pattern:" in t)
    _data, _node, issues = check_policy_full(PolicySource("apple.yaml", text))
    errors = [i for i in issues if i.severity == "error"]
    assert errors and words in errors[0].message and errors[0].line == line and errors[0].path == "$.region_rules[0].pattern"
