"""`aftersales policy validate`: every error located, floor violations as warnings, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
POLICIES = ROOT / "policies"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _huawei_text() -> str:
    return (POLICIES / "huawei.yaml").read_text(encoding="utf-8")


def test_bundled_policies_are_valid_and_apple_continues_is_an_acknowledged_floor_warning(cli):
    code, out, err = cli("policy", "validate", "--format", "json")
    assert code == 0, out + err
    report = json.loads(out)
    assert report["errors"] == 0
    assert all(f["valid"] for f in report["files"])
    floor = [i for i in report["issues"] if i["code"] == "floor"]
    exchange = [i for i in floor if i["file"].endswith("apple.yaml") and i["path"] == "$.exchange.warranty_after"]
    assert len(exchange) == 1
    issue = exchange[0]
    assert issue["severity"] == "acknowledged" and issue["id"] == "floor:exchange:exchange"
    assert issue["detail"]["rule"] == "apple/exchange" and issue["detail"]["statutory_rule"] == "generic_sanbao/exchange"
    assert "第二十一条" in issue["detail"]["statutory_citation"] and "Apple 中国一年有限保修" in issue["detail"]["citation"]
    assert "continues" in issue["message"] and "restarts" in issue["message"]


def test_floor_warnings_fail_only_with_strict_unless_acknowledged(cli, tmp_path):
    text = (POLICIES / "apple.yaml").read_text(encoding="utf-8")
    start = text.index("\nacknowledgements:")
    path = _write(tmp_path, "apple.yaml", text[:start] + text[text.index("\n\n", start):])   # the section taken out
    code, out, _ = cli("policy", "validate", str(path))
    assert code == 0
    assert "warning [floor:exchange:exchange]: $.exchange.warranty_after" in out
    code, _, _ = cli("policy", "validate", "--strict", str(path))
    assert code == 1
    code, _, _ = cli("policy", "validate", "--strict", str(POLICIES / "apple.yaml"))
    assert code == 0


def test_floor_check_names_period_documents_condition_and_start(tmp_path, cli):
    text = _huawei_text().replace("host: {months: 12}", "host: {months: 6}", 1)
    path = _write(tmp_path, "huawei.yaml", text)
    code, out, _ = cli("policy", "validate", "--format", "json", str(path))
    assert code == 0
    kinds = {i["detail"]["kind"] for i in json.loads(out)["issues"] if i["code"] == "floor"}
    assert {"period", "documents", "condition"} <= kinds
    code, out, _ = cli("policy", "validate", "--format", "json", str(POLICIES / "apple.yaml"))
    kinds = {i["detail"]["kind"] for i in json.loads(out)["issues"] if i["code"] == "floor"}
    assert {"start", "exchange", "documents"} <= kinds
    # the text says what to do about one where it is first met, not only at publish
    code, out, err = cli("policy", "validate", str(path), "--lang", "zh")
    assert code == 0 and "在政策中确认它（acknowledgements: [{id: floor:" in err and "发布时会被拒绝" in err
    code, out, err = cli("policy", "validate", str(POLICIES / "apple.yaml"))
    assert "statutory floor" not in err   # acknowledged ones need nothing


def test_every_error_is_reported_with_its_location(tmp_path, cli):
    text = _huawei_text()
    text = text.replace("host: {months: 12}", "host: {months: twelve}", 1)
    text = text.replace("    remedy: exchange\n    basis: doa\n", "    remedy: exchange\n    basis: doa\n    documnets: []\n", 1)
    path = _write(tmp_path, "huawei.yaml", text)
    code, out, err = cli("policy", "validate", str(path))
    assert code == 1
    lines = out.strip().splitlines()
    assert any(":" in line and "$.periods.host.months: expected a whole number here, got text 'twelve'" in line for line in lines)
    months_line = next(n for n, line in enumerate(text.splitlines(), 1) if "months: twelve" in line)
    assert any(line.startswith(f"{path}:{months_line}:") or f"huawei.yaml:{months_line}:" in line for line in lines)
    assert any("unknown key 'documnets'; did you mean 'documents'?" in line for line in lines)
    assert "Traceback" not in out + err


def test_a_shortened_key_is_suggested_by_the_same_rule_as_every_other_hint(tmp_path, cli):
    # "service" is far from "service_location" by letters alone; it is suggested as a case
    # field's or an id's typo is (core.errors.nearest): a word the key is part of
    text = _huawei_text().replace("    remedy: exchange\n    basis: doa\n",
                                  "    remedy: exchange\n    basis: doa\n    service: apple_store\n", 1)
    code, out, _ = cli("policy", "validate", str(_write(tmp_path, "huawei.yaml", text)))
    assert code == 1
    assert "unknown key 'service'; did you mean 'service_location'?" in out


@pytest.mark.parametrize("edit, expected", [
    (lambda t: t.replace("  - id: exchange_vmall_doa", "  - id: repair_warranty", 1), "duplicate rule id 'repair_warranty' (first on line 68); give this one another id"),
    (lambda t: t.replace("    start: received\n    window: {days: 7}\n    documents: [sanbao_certificate, invoice]",
                         "    start: recieved\n    window: {days: 7}\n    documents: [sanbao_certificate, invoice]", 1),
     "unknown start rule 'recieved'"),
    (lambda t: t.replace("applies_to:\n  brands: [huawei]", "applies_to:\n  brands: [huawei]\n  regions: [HK]", 1),
     "can never apply: the condition on 'region' cannot hold"),
    (lambda t: t.replace("    covers: [physical_damage]", "    covers: [physical_damag]", 1), "covers unknown exclusion 'physical_damag'"),
    (lambda t: t.replace("    window: {days: 7}\n    documents: []", "    window: {from_day: 9, days: 7}\n    documents: []", 1),
     "is empty"),
    (lambda t: t.replace("id: huawei\n", "id: huawei\nid: huawei2\n", 1), "key 'id' given twice"),
    (lambda t: t.replace("      history.warranty_repairs_for_fault: {gte: 2}", "      history.warranty_repairs_for_fault: {lt: 0}", 1),
     "can never apply"),
    (lambda t: t.replace("      history.warranty_repairs_for_fault: {gte: 2}", "      history.warranty_repairs_for_fault: {gte: 3, lt: 2}", 1),
     "the range is the wrong way round: the lower bound gte: 3 is not below the upper bound lt: 2"),
    (lambda t: t.replace("      history.warranty_repairs_for_fault: {gte: 2}", "      history.warranty_repairs_for_fault: {gte: 2, ne: 5}", 1),
     "two comparisons in one condition must be a lower bound (gt or gte) and an upper bound (lt or lte)"),
    (lambda t: t.replace("      history.warranty_repairs_for_fault: {gte: 2}", "      history.warranty_repairs_for_fault: {gt: 2, lt: 3}", 1),
     "no whole number lies in {gt: 2, lt: 3} (the field takes whole numbers)"),
])
def test_semantic_errors(tmp_path, cli, edit, expected):
    path = _write(tmp_path, "huawei.yaml", edit(_huawei_text()))
    code, out, _ = cli("policy", "validate", str(path))
    assert code == 1, out
    assert expected in out


def test_overlapping_offers_are_an_error(tmp_path, cli):
    text = _huawei_text().replace(
        "  - id: paid_repair\n",
        "  - id: repair_warranty_copy\n    remedy: repair\n    basis: warranty\n    when: {region: CN, fault.confirmed: true}\n"
        "    start: invoice\n    period: warranty\n    documents: [invoice]\n    citation: copy\n  - id: paid_repair\n", 1)
    path = _write(tmp_path, "huawei.yaml", text)
    code, out, _ = cli("policy", "validate", str(path))
    assert code == 1
    assert "offers 'repair_warranty' and 'repair_warranty_copy' overlap" in out


def _versions(tmp_path: Path, first_until: str | None, second_from: str) -> list[Path]:
    text = _huawei_text()
    a = text.replace('  from: "2018-01-01"', '  from: "2018-01-01"' + (f'\n  until: "{first_until}"' if first_until else ""), 1)
    b = text.replace('version: "2026.1"', 'version: "2027.1"', 1).replace('  from: "2018-01-01"', f'  from: "{second_from}"', 1)
    return [_write(tmp_path, "huawei.yaml", a), _write(tmp_path, "huawei-2027.yaml", b)]


@pytest.mark.parametrize("until, start, expected", [
    ("2026-12-31", "2027-02-01", "gap in effective dates of 'huawei'"),
    ("2027-03-31", "2027-01-01", "versions overlap"),
    (None, "2027-01-01", "has no `until`"),
])
def test_version_gaps_and_overlaps_are_errors(tmp_path, cli, until, start, expected):
    _versions(tmp_path, until, start)
    code, out, _ = cli("policy", "validate", str(tmp_path))
    assert code == 1
    assert expected in out


def test_consecutive_versions_are_valid(tmp_path, cli):
    _versions(tmp_path, "2026-12-31", "2027-01-01")
    code, out, _ = cli("policy", "validate", "--format", "json", str(tmp_path))
    assert code == 0, out
    assert json.loads(out)["errors"] == 0


BAD_INPUT = {
    "malformed": ("id: x\noffers: [unclosed\n", "flow sequence"),
    "tabs": ("schema_version: 1\nid: x\napplies_to:\n\tbrands: any\n", "tabs cannot indent YAML"),
    "deep": ("a: " + "[" * 100 + "]" * 100 + "\n", "nesting deeper than"),
    "aliases": ("a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{n}: &{n} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, n in zip("abcdefgh", "bcdefghi", strict=True)), "aliases expand past"),
    "list": ("- id: x\n- id: y\n", "a policy must be a mapping of keys (id, version, offers...), not a list"),
    "scalar": ("just some text\n", "not a text scalar"),
    "empty": ("", "not an empty document"),
}


@pytest.mark.parametrize("kind", sorted(BAD_INPUT))
def test_bad_input_gives_one_located_line_and_no_traceback(tmp_path, cli, kind):
    text, expected = BAD_INPUT[kind]
    path = _write(tmp_path, f"{kind}.yaml", text)
    code, out, err = cli("policy", "validate", str(path))
    assert "Traceback" not in out + err
    lines = out.strip().splitlines()
    assert len(lines) == 1, lines
    if kind in ("list", "scalar", "empty"):   # YAML, but not a policy: the check's error
        assert code == 1
    else:   # a file YAML cannot take: bad input, its one line and nothing else
        assert code == 2 and err == "", err
    assert expected in lines[0]
    file, line, column = lines[0].split(":")[:3]
    assert file.endswith(f"{kind}.yaml") and int(line) >= 1 and int(column) >= 1


def test_a_file_yaml_cannot_take_beside_a_policy_with_errors_is_reported_with_it_exit_2(tmp_path, cli):
    """The report lists both and sums them up; the exit code is bad input's (2), as for the file alone."""
    _write(tmp_path, "tabs.yaml", BAD_INPUT["tabs"][0])
    apple = (POLICIES / "apple.yaml").read_text(encoding="utf-8")
    _write(tmp_path, "apple.yaml", apple.replace("host: {months: 12}", "host: {months: twelve}", 1))
    code, out, err = cli("policy", "validate", str(tmp_path), "--lang", "en")
    assert code == 2, out + err
    assert "tabs.yaml:4:1: $: " in out and "apple.yaml:" in out and "twelve" in out, out
    assert "0/2 policy files valid; 2 errors" in err, err
    code, out, err = cli("policy", "validate", str(tmp_path / "apple.yaml"), "--lang", "en")
    assert code == 1, out + err   # the readable policy's error alone: the check's exit code


def test_a_bad_override_quarantines_its_brand_only(tmp_path):
    """A broken huawei.yaml never loads: huawei's cases answer with its location (exit 3), no
    other brand is stopped and huawei is never decided by the bundled terms in its place."""
    from aftersales.core.errors import QuarantineError
    from aftersales.core.registry import load_registry

    (tmp_path / "huawei.yaml").write_text("offers:\n\t- id: x\n", encoding="utf-8")
    registry = load_registry(policies_dir=tmp_path)
    assert "tabs cannot indent YAML" in registry.quarantined["huawei"].reason
    assert "huawei" not in registry.policies
    with pytest.raises(QuarantineError, match="huawei.yaml:2:1") as info:
        registry.evaluate(registry.parse_case(dict(_CASE, brand="huawei")))
    assert info.value.exit_code == 3
    assert registry.evaluate(registry.parse_case(dict(_CASE, brand="apple"))).brand == "apple"


_CASE = {"schema_version": 1, "case_date": "2026-06-15", "brand": "apple", "device": {"model": "phone"},
         "purchase": {"channel": "authorized_reseller", "date": "2026-06-05", "country": "CN"},
         "documents": ["invoice"], "fault": {"component": "host", "confirmed": True}}


def test_a_drop_in_plugin_that_fails_to_import_is_a_located_error(tmp_path, cli):
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "broken.py").write_text("import os\nimport no_such_module_here\n", encoding="utf-8")
    for args in (("policy", "validate", "--plugins-dir", str(plugins)), ("plugins", "list", "--plugins-dir", str(plugins))):
        code, out, err = cli(*args)
        assert code in (1, 2), args
        assert "Traceback" not in out + err
        text = out + err
        assert "broken.py:2:1: " in text and "no_such_module_here" in text


def test_strict_plugin_loading_raises_one_located_error(tmp_path):
    from aftersales.core.registry import PluginLoadError, load_registry

    (tmp_path / "broken.py").write_text("x = (\n", encoding="utf-8")
    with pytest.raises(PluginLoadError) as info:
        load_registry(plugins_dir=tmp_path, strict_plugins=True)
    assert info.value.exit_code == 2
    assert "broken.py:1:" in str(info.value) and "\n" not in str(info.value)


def test_a_path_that_is_not_there_is_a_bad_argument(cli, tmp_path):
    for command in ("validate", "test"):
        code, out, err = cli("policy", command, str(tmp_path / "nonexist.yaml"), env={"AFTERSALES_LANG": "zh"})
        assert code == 2 and "nonexist.yaml 不存在" in err and "No such file" not in out + err, (command, out, err)


def test_a_file_that_cannot_be_read_is_said_in_chinese(tmp_path):
    from aftersales.authoring.policyload import read_source
    from aftersales.core.errors import PolicyError

    with pytest.raises(PolicyError) as refused:
        read_source(tmp_path / "gone.yaml")
    assert "无法读取：找不到文件或文件夹" in refused.value.message_zh and "No such file" in str(refused.value)


def test_a_range_is_one_condition_with_a_lower_and_an_upper_bound(tmp_path, cli):
    """``{gte: 2, lte: 5}`` holds from 2 to 5 (both bounds read by the verdict's own expression);
    a third comparison is refused by the schema, located."""
    from aftersales.core.rules import compile_matcher

    holds = compile_matcher("history.warranty_repairs_for_fault", {"gte": 2, "lt": 5})
    assert [v for v in (None, 0, 1, 2, 3, 4, 5, 6) if holds(v)] == [2, 3, 4]
    text = _huawei_text().replace("      history.warranty_repairs_for_fault: {gte: 2}",
                                  "      history.warranty_repairs_for_fault: {gte: 2, lte: 5}", 1)
    assert text != _huawei_text()
    code, out, err = cli("policy", "validate", str(_write(tmp_path, "huawei.yaml", text)))
    assert code == 0, out + err
    three = text.replace("{gte: 2, lte: 5}", "{gte: 2, lte: 5, ne: 3}", 1)
    code, out, _ = cli("policy", "validate", str(_write(tmp_path, "huawei.yaml", three)))
    assert code == 1 and "huawei.yaml:" in out and "at most a lower bound (gt or gte) and an upper bound (lt or lte)" in out, out
    two = _huawei_text().replace("fault.component: host", "fault.component: {eq: host, ne: battery}", 1)
    code, out, _ = cli("policy", "validate", str(_write(tmp_path, "huawei.yaml", two)))
    assert code == 1 and "one comparison only here, 2 given (a range such as {gte: 20, lt: 80} is for counts" in out, out


@pytest.mark.parametrize("matcher, accepted", [
    ({"gte": 2, "lt": 5}, True), ({"lte": 5, "gt": 2}, True), ({"gt": 1}, True), ({"eq": 2}, True),
    ({"eq": 2, "lt": 5}, False), ({"gt": 2, "gte": 3}, False), ({"lt": 5, "lte": 6}, False),
    ({"in": [1, 2], "lt": 5}, False), ({"ne": 3, "gt": 1}, False),
])
def test_the_editors_schema_refuses_the_two_comparisons_validate_refuses(tmp_path, cli, matcher, accepted):
    """policy.schema.json is what an editor checks as one types (``policy schema``, ``policy
    export``): two comparisons are one lower and one upper bound there too, not only in
    ``policy validate``, whose message stays the one line naming what is written."""
    import json

    import jsonschema
    import yaml

    from aftersales.policies import bundled

    schema = json.loads(bundled("policy.schema.json").read_text(encoding="utf-8"))
    written = "{" + ", ".join(f"{op}: {json.dumps(arg)}" for op, arg in matcher.items()) + "}"
    text = _huawei_text().replace("      history.warranty_repairs_for_fault: {gte: 2}",
                                  f"      history.warranty_repairs_for_fault: {written}", 1)
    assert text != _huawei_text()
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(yaml.safe_load(text)))
    assert (not errors) == accepted, [e.message for e in errors]
    code, out, _ = cli("policy", "validate", str(_write(tmp_path, "huawei.yaml", text)))
    if accepted:
        assert code == 0, out
    else:
        lines = [line for line in out.splitlines() if "warranty_repairs_for_fault" in line]
        assert code == 1 and len(lines) == 1, out
        assert lines[0].endswith(f"two comparisons in one condition must be a lower bound (gt or gte) and an upper "
                                 f"bound (lt or lte), as {{gte: 20, lt: 80}}; this one is {written}"), out


def test_changed_terms_under_an_installed_version_are_said_at_validate_not_first_at_publish(tmp_path, cli):
    """An edited copy of a shipped policy that keeps its version: one version, two sets of
    terms. ``publish`` refuses it; ``validate`` says so first, at ``version``."""
    text = _huawei_text().replace("    window: {days: 7}\n    documents: []", "    window: {days: 8}\n    documents: []", 1)
    assert text != _huawei_text()
    path = _write(tmp_path, "huawei.yaml", text)
    code, out, _ = cli("policy", "validate", str(path), env={"AFTERSALES_LANG": "zh"})
    assert code == 0, out
    said = [line for line in out.splitlines() if "version_reused" in line]
    assert len(said) == 1 and said[0].startswith(f"{path}:8:10: 警告") and "请提高 version（例如 \"2026.2\"）" in said[0], out
    code, _out, _ = cli("policy", "validate", "--strict", str(path))
    assert code == 1
    raised = _write(tmp_path, "huawei.yaml", text.replace('version: "2026.1"', 'version: "2026.2"', 1))
    code, out, _ = cli("policy", "validate", str(raised))
    assert code == 0 and "version_reused" not in out, out
    code, out, _ = cli("policy", "validate", str(POLICIES / "huawei.yaml"))     # the shipped file itself
    assert code == 0 and "version_reused" not in out, out


def test_an_id_near_a_shipped_one_is_said_at_validate_as_evaluate_refuses_it(tmp_path, cli):
    """``id: huawe`` in huawei.yaml: no installed plugin ships it (evaluate refuses it), so
    validate warns at the id with the one meant; a new brand's id far from every installed one is
    not a warning."""
    text = _huawei_text().replace("\nid: huawei\n", "\nid: huawe\n", 1)
    assert text != _huawei_text()
    code, out, _ = cli("policy", "validate", str(_write(tmp_path, "huawei.yaml", text)))
    assert code == 0 and "$.id: no installed plugin ships a policy 'huawe'; did you mean 'huawei'?" in out, out
    new = _huawei_text().replace("\nid: huawei\n", "\nid: xiaomi\n", 1)
    code, out, _ = cli("policy", "validate", str(_write(tmp_path, "xiaomi.yaml", new)))
    assert "unknown_policy_id" not in out, out


@pytest.mark.parametrize("old, new, expected", [
    ("    window: {days: 7}\n", '    window: {days: "7"}\n', "expected a whole number here, got text '7' (a number takes no quotes: write 7)"),
    ('version: "2026.1"', "version: 2026.1", 'expected text here, got a number 2026.1 (a text takes quotes: write "2026.1")'),
    ("    window: {days: 7}\n", '    window: {days: "seven"}\n', "expected a whole number here, got text 'seven'"),
])
def test_a_number_in_quotes_or_a_text_without_them_is_told_how_to_write_it(tmp_path, cli, old, new, expected):
    text = _huawei_text().replace(old, new, 1)
    assert text != _huawei_text()
    code, out, _ = cli("policy", "validate", str(_write(tmp_path, "huawei.yaml", text)))
    assert code == 1
    line = next(line for line in out.splitlines() if "huawei.yaml:" in line)
    assert line.endswith(expected), line


def test_a_brand_policy_given_another_brand_is_an_error_in_validate_as_in_test(tmp_path, cli):
    """apple.yaml made to apply to honor (or to any brand): validate found it valid (a warning
    only) while policy test and publish refused it; now validate says what loading it says."""
    apple = (POLICIES / "apple.yaml").read_text(encoding="utf-8")
    for brands, named in (("[honor]", "honor"), ("any", "任何品牌")):
        path = _write(tmp_path, "apple.yaml", apple.replace("brands: [apple]", f"brands: {brands}", 1))
        line = apple.splitlines().index("  brands: [apple]") + 1
        code, out, err = cli("policy", "validate", str(path), "--lang", "zh")
        assert code == 1, out + err
        said = f"{path}:{line}:11: $.applies_to.brands: 插件 'apple' 只提供品牌 apple；它的政策不能适用于"
        assert said + ("任何品牌" if named == "任何品牌" else f" {named}") in out, out
        code, tested, _ = cli("policy", "test", str(path), "--lang", "zh")
        assert code == 1 and said in tested, tested
    path = _write(tmp_path, "apple.yaml", apple)
    assert cli("policy", "validate", str(path))[0] == 0


def test_errors_are_listed_from_the_top_of_the_file_down(tmp_path, cli):
    """The schema's errors came in its own order (line 267, then 90...): an editor reads down."""
    apple = (POLICIES / "apple.yaml").read_text(encoding="utf-8")
    text = apple.replace("host: {months: 12}", "host: {months: twelve}", 1).replace("window: {days: 7}", 'window: {days: "7"}')
    path = _write(tmp_path, "apple.yaml", text)
    code, out, _ = cli("policy", "validate", str(path))
    lines = [int(line.split(":")[1]) for line in out.splitlines() if line.startswith(str(path))]
    assert code == 1 and len(lines) >= 3 and lines == sorted(lines), out


def test_a_policy_that_starts_later_than_the_installed_one_it_replaces_is_a_warning(tmp_path, cli):
    """huawei.yaml deleted for a new version from 2027 (thought to replace it): every Huawei unit
    bought before 2027 would be decided by the statute alone, and nothing said so. The older
    version kept (until the day before), nothing is said."""
    huawei = (POLICIES / "huawei.yaml").read_text(encoding="utf-8")
    assert '  from: "2018-01-01"' in huawei and 'version: "2026.1"' in huawei
    new = huawei.replace('version: "2026.1"', 'version: "2027.1"', 1).replace('  from: "2018-01-01"', '  from: "2027-01-01"', 1)
    path = _write(tmp_path, "huawei_2027.yaml", new)
    line = new.splitlines().index('  from: "2027-01-01"') + 1
    code, out, err = cli("policy", "validate", str(path), "--lang", "en")
    assert code == 0 and f"huawei_2027.yaml:{line}:9: warning [uncovered_before:effective.from]: $.effective.from: " \
                         f"the earliest version of 'huawei' here starts 2027-01-01, the installed one 2018-01-01" in out, out
    assert cli("policy", "validate", "--strict", str(path))[0] == 1
    old = huawei.replace('version: "2026.1"', 'version: "2026.2"', 1).replace(
        '  from: "2018-01-01"', '  from: "2018-01-01"\n  until: "2026-12-31"', 1)
    _write(tmp_path, "huawei.yaml", old)
    code, out, err = cli("policy", "validate", str(tmp_path), "--lang", "en")
    assert "uncovered_before" not in out and code == 0, out + err
