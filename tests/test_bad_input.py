"""Bad input is one clear line naming the field, exit 2, and no traceback."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from scenario_helpers import ALIAS_BOMB
from scenario_helpers import DAY10_CASE as BASE


def variant(path: str, value, *, delete: bool = False) -> dict:
    case = copy.deepcopy(BASE)
    node = case
    keys = path.split(".")
    for key in keys[:-1]:
        node = node.setdefault(key, {})
    if delete:
        node.pop(keys[-1], None)
    else:
        node[keys[-1]] = value
    return case


BAD = [
    ("brand", "nokia", ["brand", "apple", "generic", "huawei"]),
    ("device.imei", "356938035643808", ["device.imei", "IMEI"]),
    ("device.imei", "35693803564380", ["device.imei", "an IMEI has 15 digits; 14 given"]),     # no check digit
    ("device.imei", "3569380356438091", ["device.imei", "an IMEI has 15 digits; 16 given"]),   # an IMEISV
    ("purchase.date", "2026-07-01", ["purchase.date", "after the case date"]),
    ("activation_date", "2026-06-20", ["activation_date", "after the case date"]),
    ("purchase.date", "2026-02-30", ["purchase.date", "not a date"]),
    ("documents", ["invoice", "passport"], ["documents[1]", "passport", "invoice"]),
    ("fault.component", "antenna", ["fault.component", "antenna", "host"]),
    ("purchase.channel", "street", ["purchase.channel", "street", "carrier"]),
    ("device.region", "EU", ["device.region", "EU", "CN"]),
    ("coverage_plans", ["gold_care"], ["coverage_plans", "gold_care", "applecare_plus"]),
    ("condition.wet", True, ["condition.wet", "liquid_damage"]),
    ("fault.confirmed", "yes", ["fault.confirmed", "true or false"]),
    ("history.days_in_repair", -3, ["history.days_in_repair", "0 to 3650", "-3"]),
    ("device.model", None, ["device.model", "required"]),
]


@pytest.mark.parametrize("path,value,words", BAD, ids=[b[0] + "=" + str(b[1]) for b in BAD])
def test_bad_case_is_one_line_exit_2(tmp_path, cli, path, value, words):
    case_file = tmp_path / "case.yaml"
    case_file.write_text(yaml.safe_dump(variant(path, value), allow_unicode=True), encoding="utf-8")
    code, out, err = cli("evaluate", str(case_file), "--json")
    assert code == 2
    assert out == ""
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    for word in words:
        assert word in err


def test_missing_fault_is_named(tmp_path, cli):
    case_file = tmp_path / "case.yaml"
    case_file.write_text(yaml.safe_dump(variant("fault", None, delete=True)), encoding="utf-8")
    code, _, err = cli("evaluate", str(case_file))
    assert code == 2 and "fault" in err


def test_case_that_is_not_a_mapping(tmp_path, cli):
    case_file = tmp_path / "case.yaml"
    case_file.write_text("- just\n- a list\n", encoding="utf-8")
    code, _, err = cli("evaluate", str(case_file))
    assert code == 2 and "mapping" in err


def test_yaml_syntax_error_is_located(tmp_path, cli):
    case_file = tmp_path / "case.yaml"
    case_file.write_text("brand: apple\ndevice: {model: x\n", encoding="utf-8")
    code, _, err = cli("evaluate", str(case_file))
    assert code == 2
    assert f"{case_file}:" in err and "Traceback" not in err


def test_missing_file(cli, tmp_path):
    code, _, err = cli("evaluate", str(tmp_path / "nope.yaml"))
    assert code == 2 and "nope.yaml" in err


def test_json_case_file(tmp_path, cli):
    import json

    case_file = tmp_path / "case.json"
    case_file.write_text(json.dumps(BASE), encoding="utf-8")
    code, out, _ = cli("evaluate", str(case_file), "--json")
    assert code == 0 and json.loads(out)["brand"] == "generic"


def test_case_date_defaults_to_today(registry):
    from datetime import date

    case = variant("case_date", None, delete=True)
    case["purchase"]["date"] = "2026-01-01"
    parsed = registry.parse_case(case, today=date(2026, 6, 1))
    assert parsed.case_date == date(2026, 6, 1)


@pytest.mark.parametrize("path,value,words", BAD, ids=[b[0] + "=" + str(b[1]) for b in BAD])
def test_every_case_error_says_it_in_chinese_too(registry, path, value, words):
    """The counter UI shows ``message_zh``: each refusal has one of its own, with the same values."""
    from aftersales.core.errors import CaseError

    with pytest.raises(CaseError) as info:
        registry.evaluate(registry.parse_case(variant(path, value)))
    error = info.value
    assert error.text("zh") == error.message_zh != error.message == error.text("en")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error.message_zh), error.message_zh
    if isinstance(value, str) and value in error.message:
        assert value in error.message_zh


# --------------------------------------------------------------------------- case files: size, place, words

def _write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    return path


def _one_line(cli, *args, input=None, lang="zh"):
    code, out, err = cli("evaluate", *args, input=input, env={"AFTERSALES_LANG": lang})
    assert code == 2 and out == "" and "Traceback" not in err, (code, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and len(lines[0]) <= 240, err
    return lines[0]


CASE_TEXT = yaml.safe_dump(BASE, allow_unicode=True)


def test_a_case_file_past_the_byte_bound_is_refused_before_it_is_parsed(tmp_path, cli):
    """A real case is a few KB: a file past ``MAX_CASE_BYTES`` is refused saying what is too big
    and the bound (a valid case followed by a long comment is refused all the same)."""
    from aftersales.core.casefile import MAX_CASE_BYTES

    text = CASE_TEXT + "# " + "x" * MAX_CASE_BYTES + "\n"
    path = _write(tmp_path, "big.yaml", text)
    line = _one_line(cli, str(path))
    assert line == f"错误：{path}：案例文件过大（{len(text.encode()):,} 字节；最多 {MAX_CASE_BYTES:,} 字节）"
    line = _one_line(cli, "-", input=text, lang="en")
    assert line == f"error: <stdin>: too large for a case file (more than {MAX_CASE_BYTES:,} bytes)"
    assert _one_line(cli, str(path), "--lang", "en").startswith(f"error: {path}: too large for a case file (")
    assert f"{MAX_CASE_BYTES:,} bytes" in (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def test_many_nodes_without_aliases_are_not_called_an_alias_bomb():
    """Past ``MAX_NODES`` the message says what is big (the list or mapping with the most items,
    by its key) and blames aliases only when aliases expanded."""
    from aftersales.core import casefile

    many = "brand: apple\ndocuments: [" + ", ".join(["x"] * (casefile.MAX_NODES + 10)) + "]\n"
    mark, en, zh = casefile.yaml_size_problem(yaml.compose(many, Loader=yaml.CSafeLoader))
    assert "alias" not in en and "别名" not in zh
    assert zh == f"文档过大：超过 {casefile.MAX_NODES:,} 个节点（'documents' 有 {casefile.MAX_NODES + 10:,} 项）"
    assert (mark.line, mark.column) == (1, 11)
    _, en, zh = casefile.yaml_size_problem(yaml.compose(ALIAS_BOMB, Loader=yaml.CSafeLoader))
    assert "aliases expand past" in en and "别名展开" in zh


def test_a_list_field_has_the_bound_the_table_declares_in_every_reading(registry, tmp_path, cli):
    """``documents`` holds at most the different items its table entry declares (a paper given
    twice counts once), from a mapping, a YAML file, a JSON file and a JSON line alike."""
    import json

    from aftersales.core.casefields import FIELDS
    from aftersales.core.errors import CaseError
    from aftersales.core.model import decode_case

    most = FIELDS["documents"].max_length
    assert most == 32 and FIELDS["coverage_plans"].max_length == 16
    repeated = variant("documents", ["invoice"] * (most + 1))
    assert registry.parse_case(repeated).documents == decode_case(json.dumps(repeated)).documents == {"invoice"}
    case = variant("documents", [f"paper_{n}" for n in range(most + 1)])
    for read in (lambda: registry.parse_case(case), lambda: decode_case(json.dumps(case))):
        with pytest.raises(CaseError) as info:
            read()
        assert info.value.field == "documents"
        assert info.value.line("zh") == f"documents：最多 {most} 项，而不是 {most + 1} 项"
        assert str(info.value) == f"documents: at most {most} items, not {most + 1}"
    assert decode_case(json.dumps(variant("documents", ["invoice"] * most))).documents == {"invoice"}
    for name, text in (("case.yaml", yaml.safe_dump(case)), ("case.json", json.dumps(case))):
        assert _one_line(cli, str(_write(tmp_path, name, text))) == f"错误：documents：最多 {most} 项，而不是 {most + 1} 项"


def test_a_number_of_thousands_of_digits_is_named_by_field_and_place(tmp_path, cli):
    import json

    digits = "9" * 5000
    text = CASE_TEXT + f"history:\n  days_in_repair: {digits}\n"
    path = _write(tmp_path, "case.yaml", text)
    line_no = text.splitlines().index(f"  days_in_repair: {digits}") + 1
    assert _one_line(cli, str(path)) == f"错误：{path}:{line_no}:19：history.days_in_repair：数字过大（5,000 位）"
    assert _one_line(cli, "-", input=text, lang="en") == \
        f"error: <stdin>:{line_no}:19: history.days_in_repair: a number is too large (5,000 digits)"
    data = json.dumps(BASE)[:-1] + ', "history": {"days_in_repair": ' + digits + "}}"
    path = _write(tmp_path, "case.json", data)
    column = data.index(digits) + 1
    assert _one_line(cli, str(path)) == f"错误：{path}:1:{column}：history.days_in_repair：数字过大（5,000 位）"


def test_a_key_given_twice_in_json_is_named_with_both_places(tmp_path, cli):
    text = '{"schema_version": 1,\n "device": {"model": "x",\n   "model": "y"}}'
    path = _write(tmp_path, "dup.json", text)
    assert _one_line(cli, str(path)) == \
        f"错误：{path}:3:4：device.model：同一对象中键 'model' 出现了两次（第一次在第 2 行第 13 列）"
    assert _one_line(cli, str(path), "--lang", "en") == \
        f"error: {path}:3:4: device.model: key 'model' given twice in one object (first at 2:13)"


def test_a_yaml_syntax_error_gives_its_place_and_a_chinese_reason(tmp_path, cli):
    path = _write(tmp_path, "surr.yaml", CASE_TEXT + 'serial: "\\ud800"\n')
    line_no = len(CASE_TEXT.splitlines()) + 1
    line = _one_line(cli, str(path))
    assert line.startswith(f"错误：{path}:{line_no}:") and "不是有效的 YAML：无效的 Unicode 转义" in line
    assert "found" not in line
    assert "found invalid Unicode character escape code" in _one_line(cli, str(path), "--lang", "en")


@pytest.mark.parametrize("written,quoted", [
    ("1:30", "'1:30'"),                                  # YAML 1.1: the sexagesimal number 90
    ("2026-06-15T10:00:00", "'2026-06-15T10:00:00'"),    # a date and time
    ("2026-02-30", "'2026-02-30'"),                      # no such day
])
def test_a_date_is_quoted_as_written_not_as_yaml_read_it(tmp_path, cli, written, quoted):
    text = CASE_TEXT.replace("case_date: '2026-06-15'", f"case_date: {written}")
    assert text != CASE_TEXT
    line = _one_line(cli, str(_write(tmp_path, "case.yaml", text)))
    assert line == f"错误：case_date：{quoted} 不是日期（日期 YYYY-MM-DD，1990–2100 年）"


@pytest.mark.parametrize("tag", ["!!binary aGVsbG8=", "!!python/object/apply:os.system [ls]", "!!set {a, b}", "!local x"])
def test_a_yaml_tag_is_refused_naming_it_its_field_and_place(tmp_path, cli, tag):
    text = CASE_TEXT.replace("fault:\n", f"fault:\n  description: {tag}\n", 1)
    path = _write(tmp_path, "case.yaml", text)
    line_no = text.splitlines().index(f"  description: {tag}") + 1
    shown = tag.split(" ")[0]
    assert _one_line(cli, str(path)) == (f"错误：{path}:{line_no}:16：fault.description：不能使用 YAML 标签 {shown}；"
                                         "案例只写文本、数字、日期、true/false、列表和映射")


def test_python_values_never_reach_a_message(registry):
    """A mapping from Python (the API) holding a datetime or bytes is quoted in the case's words."""
    from datetime import datetime

    from aftersales.core.errors import CaseError

    for value, zh in ((datetime(2026, 6, 15, 10), "2026-06-15T10:00:00"), (b"hello", "二进制数据")):
        with pytest.raises(CaseError) as info:
            registry.parse_case(variant("case_date", value))
        assert info.value.line("zh").endswith(f"而不是 {zh}"), info.value.line("zh")
        assert "datetime" not in str(info.value) and "b'" not in str(info.value)


@pytest.mark.parametrize("typed,meant", [("aple", "apple"), ("huawie", "huawei"), ("Apple", "apple")])
def test_an_unknown_brand_suggests_the_nearest(registry, typed, meant):
    from aftersales.core.errors import CaseError

    with pytest.raises(CaseError) as info:
        registry.parse_case(variant("brand", typed))
    assert info.value.field == "brand"
    assert f"did you mean {meant!r}?" in str(info.value) and f"您是否想写 {meant!r}？" in info.value.line("zh")
    case = registry.parse_case(variant("brand", "apple"))
    from msgspec.structs import replace

    with pytest.raises(CaseError) as info:   # the engine's own check (a case built past parse_case)
        registry.evaluate(replace(case, brand=typed))
    assert f"您是否想写 {meant!r}？" in info.value.line("zh")


def test_an_unknown_field_suggests_the_nearest(registry):
    from aftersales.core.errors import CaseError

    with pytest.raises(CaseError) as info:
        registry.parse_case({**BASE, "documnets": []})
    assert info.value.line("zh").startswith("documnets：未知字段；您是否想写 'documents'？此处可用：")


def test_a_missing_case_file_is_said_in_chinese(tmp_path, cli):
    path = tmp_path / "nope.yaml"
    assert _one_line(cli, str(path)) == f"错误：{path}：无法读取：找不到文件或文件夹"
    assert _one_line(cli, str(path), "--lang", "en") == f"error: {path}: cannot read: No such file or directory"


def test_a_file_that_is_not_utf8_is_said_alike_for_a_case_and_a_policy(cli, tmp_path):
    """One wording (core.errors.not_utf8) for a case file, a policy file and a replay line: the
    line and the column in characters (é is one), the byte, how to save the file."""
    from aftersales.policies import bundled

    case = tmp_path / "case.yaml"
    case.write_bytes(b"schema_version: 1\nbrand: apple\n# caf\xc3\xa9 \xff\n")
    code, _, err = cli("evaluate", str(case), "--lang", "zh")
    assert code == 2 and err.strip() == f"错误：{case}:3:8：不是 UTF-8 文本（字节 0xff）：请用 UTF-8 编码保存（不要用 GBK）"
    policy = tmp_path / "apple.yaml"
    text = bundled("apple.yaml").read_bytes()
    policy.write_bytes(text + b"# caf\xc3\xa9 \xff\n")
    code, out, _ = cli("policy", "validate", str(policy), "--lang", "en")
    line = text.count(b"\n") + 1
    assert code == 2 and f"{policy}:{line}:8: $: not UTF-8 text (byte 0xff): save it as UTF-8, not GBK" in out, out


def test_nesting_too_deep_is_placed_where_the_bound_is_passed_by_evaluate_and_validate_alike(cli, tmp_path):
    """The YAML reader stops far past our bound of 64 levels (column 1001); both commands name the
    bracket that passed it."""
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 10_000 + "]" * 10_000 + "\n", encoding="utf-8")
    code, _, err = cli("evaluate", str(deep), "--lang", "zh")
    assert code == 2 and f"{deep}:1:65：嵌套超过 64 层" in err, err
    code, out, _ = cli("policy", "validate", str(deep), "--lang", "zh")
    assert code == 2 and f"{deep}:1:65: $: 嵌套超过 64 层" in out, out
