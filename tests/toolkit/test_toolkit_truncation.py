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
