"""PyYAML's problems said in Chinese (one table, ``core.casefile.YAML_ZH``) and always at the
file's line and column when PyYAML gives a place: in case files and policy files alike, with
PyYAML's C reader and its Python one. English (``--lang en``) keeps PyYAML's words."""

from __future__ import annotations

import re

import pytest
import yaml

from aftersales.core.casefile import YAML_UNKNOWN_ZH, load_yaml, yaml_error_at, yaml_problem, yaml_problem_zh
from aftersales.core.errors import CaseError, PolicyError

#: broken YAML texts, and the line:column PyYAML's C reader gives
BROKEN = [
    ("a: 1\nb: x\x1by\n", "2:5"),                     # a control character (no mark: its position)
    ("a: 中文\x1b\n", "1:6"),                          # after wide characters (the C reader counts bytes)
    ("a: b: c\n", "1:5"),
    ("a: [\n", "2:1"),
    ('a: "x\n', "2:1"),
    ("x: " + "[" * 1100 + "\n", "1:68"),          # the 65th bracket: our bound, not the reader's
    ("- a\nb: c\n", "2:1"),
    ("a:\n  - b\n c: d\n", "3:2"),
    ("a: *x\n", "1:4"),
    ('a: "\\q"\n', "1:5"),
    ("\ta: 1\n", "1:1"),
    ("a: @x\n", "1:4"),
    ("a: 1\n---\nb: 2\n", "2:1"),
    ("%FOO\n---\na\n", "1:5"),
    ("a: {b: c\n", "1:4"),                        # an unclosed { : at the bracket, not where the reader stopped
    ("a: [b, c\nd: 1\n", "1:4"),                  # an unclosed [ : the same
    ("a: |\n b\nc\n", "4:1"),
    ('a: "\\ud800"\n', "1:7"),
    ("a: &x 1\nb: &x 2\n", None),
    ("a: |0\n  x\n", "1:5"),
]

LOADERS = [getattr(yaml, "CSafeLoader", yaml.SafeLoader), yaml.SafeLoader]


@pytest.mark.parametrize("loader", LOADERS, ids=lambda cls: cls.__name__)
@pytest.mark.parametrize(("text", "place"), BROKEN)
def test_every_problem_of_pyyaml_is_said_in_chinese_at_its_place(text, place, loader):
    try:
        load_yaml(text, "case.yaml", CaseError, loader)
    except CaseError as exc:
        zh, en = exc.message_zh, str(exc)
    except RecursionError:   # the Python reader has no nesting bound of its own
        assert loader is yaml.SafeLoader
        return
    else:
        return   # this reader accepts it (an anchor given twice)
    assert not re.search(r"[A-Za-z]{3,}", re.sub("case.yaml|YAML|Unicode", "", zh)), zh
    assert re.search(r"case\.yaml:\d+:\d+", en) or "[" not in text, en   # block nesting: no place
    if place is not None and loader is LOADERS[0]:
        assert f"case.yaml:{place}" in en, (en, place)


@pytest.mark.parametrize("loader", LOADERS, ids=lambda cls: cls.__name__)
def test_the_table_knows_what_each_reader_says(loader):
    unknown = []
    for text, _place in BROKEN:
        reader = None
        try:
            reader = loader(text)   # the Python reader checks the characters here
            reader.get_single_node()
        except yaml.YAMLError as exc:
            if yaml_problem_zh(yaml_problem(exc)) == YAML_UNKNOWN_ZH:
                unknown.append(yaml_problem(exc))
            assert yaml_error_at(exc, text) is not None
        except RecursionError:
            pass
        finally:
            if reader is not None:
                reader.dispose()
    assert unknown == []


def test_a_control_character_in_a_case_file_is_located(tmp_path, cli):
    path = tmp_path / "ctrlraw.yaml"
    path.write_bytes(b"schema_version: 1\nbrand: apple\nnote: a\x1bb\n")
    code, _, err = cli("evaluate", str(path), env={"AFTERSALES_LANG": "zh"})
    assert code == 2 and err.strip() == f"错误：{path}:3:8：不是有效的 YAML：含有不允许的控制字符 U+001B"
    code, _, err = cli("evaluate", str(path), "--lang", "en")
    assert err.strip() == f"error: {path}:3:8: not valid YAML: unacceptable character #x001b: control characters are not allowed"


def test_nesting_past_the_readers_bound_is_said_as_ours(tmp_path, cli):
    path = tmp_path / "deep2.yaml"
    path.write_text("schema_version: 1\nbrand: apple\nx: " + "[" * 1100 + "]" * 1100 + "\n", encoding="utf-8")
    code, _, err = cli("evaluate", str(path), env={"AFTERSALES_LANG": "zh"})
    assert code == 2 and err.strip() == f"错误：{path}:3:68：嵌套超过 64 层"   # the 65th bracket, not where the reader gave up


@pytest.mark.parametrize("text", ["[" * 10_000 + "]" * 10_000, '{"a":' * 10_000 + "1" + "}" * 10_000])
def test_a_json_case_nested_too_deep_says_where(tmp_path, cli, text):
    path = tmp_path / "deep.json"
    path.write_text(text, encoding="utf-8")
    code, _, err = cli("evaluate", str(path), env={"AFTERSALES_LANG": "zh"})
    column = 65 if text[0] == "[" else 321
    assert code == 2 and err.strip() == f"错误：{path}:1:{column}：嵌套超过 64 层"
    code, _, err = cli("evaluate", str(path), "--lang", "en")
    assert err.strip() == f"error: {path}:1:{column}: nesting deeper than 64 levels"


@pytest.mark.parametrize(("text", "place", "zh"), [
    ("id: x\nfoo: a\x1bb\n", (2, 7), "YAML 读取错误：含有不允许的控制字符 U+001B"),
    ("id: x\nfoo: " + "[" * 1100 + "\n", (2, 70), "嵌套超过 64 层"),
    ('id: x\nfoo: "a\\qb"\n', (2, 8), "YAML 语法错误：未知的转义字符"),
    # an unclosed bracket: at the bracket, on the line it was opened (the parser stops on the next)
    ("id: x\nfoo: [a, b\nbar: 1\n", (2, 6), "YAML 语法错误：第 2 行的 [ 没有闭合：这个列表缺少 ]（或两项之间缺少逗号）"),
    ("id: x\nfoo: {a: 1, b: 2\nbar: 1\n", (2, 6), "YAML 语法错误：第 2 行的 { 没有闭合：这个映射缺少 }（或两项之间缺少逗号）"),
])
def test_a_policy_files_yaml_problem_is_in_chinese_at_its_place(text, place, zh):
    from aftersales.authoring.policyload import read_yaml

    with pytest.raises(PolicyError) as info:
        read_yaml(text, "p.yaml")
    (issue,) = info.value.issues
    assert (issue.line, issue.column) == place
    assert issue.text("zh").startswith(f"p.yaml:{place[0]}:{place[1]}: $: {zh}"), issue.text("zh")
    assert not re.search(r"[a-z]{4,}", issue.text("zh").split(": $: ", 1)[1]), issue.text("zh")
