"""The shipped JSON Schema: editor-friendly, and in step with the vocabulary, the case model and the compiler."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import msgspec

from aftersales.authoring.policyload import policy_schema
from aftersales.core import model, vocab

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = policy_schema()
DEFS = SCHEMA["$defs"]
CJK = re.compile(r"[\u4e00-\u9fff]")


def _walk(node, path="$"):
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _walk(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{path}[{index}]")


def test_schema_command_prints_the_shipped_schema(cli):
    code, out, _ = cli("policy", "schema")
    assert code == 0
    assert json.loads(out) == SCHEMA
    assert SCHEMA["$schema"].endswith("2020-12/schema") and SCHEMA["$id"]


def test_every_property_has_a_chinese_and_english_title_and_description():
    for path, node in _walk(SCHEMA):
        for name, prop in (node.get("properties") or {}).items():
            if not isinstance(prop, dict) or path.endswith(".properties"):
                continue
            for key in ("title", "description"):
                text = prop.get(key, "")
                assert CJK.search(text) and re.search(r"[A-Za-z]{3}", text), f"{path}.properties.{name}: {key} {text!r}"


def test_every_object_is_closed_or_a_documented_map():
    for path, node in _walk(SCHEMA):
        if node.get("type") == "object" or "properties" in node:
            closed = node.get("additionalProperties") is False
            documented_map = "propertyNames" in node and isinstance(node.get("additionalProperties"), dict)
            assert closed or documented_map, path


def test_every_bundled_policy_starts_with_the_schema_modeline():
    for path in sorted((ROOT / "policies").glob("*.yaml")):
        if path.name.endswith(".cases.yaml"):
            continue
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=policy.schema.json", path.name


def _enum(ref):
    return set(DEFS[ref]["enum"])


def test_vocabulary_and_schema_enums_match_both_ways():
    assert _enum("remedy") == set(vocab.REMEDIES)
    assert _enum("basis") == set(vocab.BASES)
    assert _enum("component") == set(vocab.COMPONENTS)
    assert _enum("part") == set(vocab.PARTS)
    assert _enum("document") == set(vocab.DOCUMENTS)
    assert _enum("region") == set(vocab.REGIONS)
    assert _enum("channel") == set(vocab.CHANNELS)
    exchange = SCHEMA["properties"]["exchange"]["properties"]
    assert set(exchange["mode"]["enum"]) == set(vocab.EXCHANGE_MODES)
    assert set(exchange["warranty_after"]["enum"]) == set(vocab.WARRANTY_AFTER)
    assert set(DEFS["offer"]["properties"]["service_location"]["enum"]) == set(vocab.SERVICE_LOCATIONS)
    assert set(DEFS["coverage_plan"]["examples"]) == set(vocab.COVERAGE_PLANS)
    when = DEFS["when"]["properties"]
    assert {p.split(".", 1)[1] for p in when if p.startswith("condition.")} == set(vocab.CONDITIONS)
    history = {f.name for f in msgspec.structs.fields(model.History)} - {"plan_claims"}
    assert {p.split(".", 1)[1] for p in when if p.startswith("history.")} == history


def test_condition_paths_match_the_case_model():
    when = set(DEFS["when"]["properties"])
    for prefix, cls in (("device", model.Device), ("purchase", model.Purchase), ("fault", model.Fault),
                        ("condition", model.Condition)):
        fields = {f.name for f in msgspec.structs.fields(cls)}
        assert {p.split(".", 1)[1] for p in when if p.startswith(prefix + ".")} == fields, prefix
    history = {f.name for f in msgspec.structs.fields(model.History)} - {"plan_claims"}
    assert {p.split(".", 1)[1] for p in when if p.startswith("history.")} == history
    assert any(k.startswith("^history\\.plan_claims") for k in DEFS["when"]["patternProperties"])


def test_every_key_the_compiler_reads_is_in_the_schema():
    names: set[str] = set()
    for _, node in _walk(SCHEMA):
        names.update((node.get("properties") or {}).keys())
    tree = ast.parse((ROOT / "core" / "rules.py").read_text(encoding="utf-8"))
    read: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
            read.add(node.slice.value)
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get"
                and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            read.add(node.args[0].value)
    read = {k for k in read if re.fullmatch(r"[a-z][a-z_]*", k)}
    assert read, "found no keys in rules.py"
    assert read - names == set()
