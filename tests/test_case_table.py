"""The table of case fields is the one declaration: the schema, the checker, the form, the
README and the generator read it; hostile case files get one line, exit 2, nothing else."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scenario_helpers import ALIAS_BOMB, DAY10_CASE

from aftersales.core import casefields, model, vocab
from aftersales.core.errors import CaseError

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import refresh_case_table  # noqa: E402


def _leaves(record: type, prefix: str = "") -> list[tuple]:
    """(path, required, default) of every leaf field of ``record``, nested records walked."""
    out: list[tuple] = []
    for f in msgspec.structs.fields(record):
        if isinstance(f.type, type) and issubclass(f.type, msgspec.Struct):
            out += _leaves(f.type, f"{prefix}{f.name}.")
        elif f.name != "schema_version":
            default = f.default_factory() if f.default_factory is not msgspec.NODEFAULT else f.default
            out.append((f"{prefix}{f.name}", f.required, None if default in (msgspec.NODEFAULT, model.NO_DATE) else default))
    return out


def test_the_typed_records_are_built_from_the_table():
    """Each entry is a field of the case's records, in the table's order, required and defaulted
    as its entry says (a plan-claims mapping made fresh: empty)."""
    table = [(f.path, f.required, {} if f.kind == "claims" else f.default) for f in casefields.FIELDS.values()]
    assert _leaves(model.Case) == table
    assert model.History.__module__ == model.Case.__module__ == "aftersales.core.model"
    assert model.Case(brand="apple", device=model.Device(model="x"), fault=model.Fault(component="host")).history.claims("x") == 0


def test_a_new_entry_is_a_new_field_of_the_records(monkeypatch):
    """An entry added to the table is a field of the case's records, with its bounds, and
    nothing else to write; an entry without the bounds its kind needs is refused."""
    colour = casefields.CaseField("device.colour", "text", "颜色", "Colour", widget="text", section="device",
                                  max_length=20)
    case = model.records_from([*casefields.FIELDS.values(), colour])
    line = b'{"brand": "apple", "device": {"model": "x", "colour": "%s"}, "fault": {"component": "host"}}'
    assert msgspec.json.decode(line % b"red", type=case).device.colour == "red"
    with pytest.raises(msgspec.ValidationError, match="length <= 20 - at `\\$.device.colour`"):
        msgspec.json.decode(line % (b"r" * 21), type=case)
    monkeypatch.setattr(colour, "max_length", None)
    with pytest.raises(ValueError, match="device.colour .text. no max_length"):
        model.records_from([*casefields.FIELDS.values(), colour])


def test_policy_schema_and_readme_agree_with_the_table():
    assert refresh_case_table.main(["--check"]) == 0, "run python tools/refresh_case_table.py"


def test_the_policy_schema_offers_every_field_a_condition_can_test():
    schema = json.loads((ROOT / "policies" / "policy.schema.json").read_text(encoding="utf-8"))
    when = set(schema["$defs"]["when"]["properties"])
    testable = {p for p, f in casefields.FIELDS.items() if f.condition and f.kind != "claims"}
    assert when == testable | set(casefields.DERIVED)
    assert "device.battery_health" in when and "case_date" not in when


def test_the_checker_tries_every_id_of_a_choice_field():
    assert casefields.domain("device.region") == [*vocab.REGIONS, None]
    assert casefields.domain("purchase.channel") == list(vocab.CHANNELS)
    assert casefields.domain("fault.component") == list(vocab.COMPONENTS)
    assert casefields.domain("condition.frame_bent") == [True, False]
    assert casefields.domain("device.battery_health") is None  # numbers come from the conditions


def test_the_intake_form_has_an_input_for_every_field_it_does_not_tick():
    from aftersales.tui.form import BY_PATH

    for path, spec in casefields.FIELDS.items():
        if spec.widget == "ticks" or spec.section == "condition":
            assert path not in BY_PATH
        elif spec.kind == "claims":
            assert all(f"{path}.{plan}" in BY_PATH for plan in vocab.COVERAGE_PLANS)
        else:
            assert BY_PATH[path].kind == spec.widget and BY_PATH[path].spec is spec


def test_a_form_with_battery_health_builds_the_case_field():
    from datetime import date

    from aftersales.tui.form import FormState

    form = FormState.blank(date(2026, 6, 15), "apple")
    form.set("device.model", "iPhone 15")
    form.set("device.battery_health", "76")
    assert form.build()["device"]["battery_health"] == 76
    form.set("device.battery_health", "176")
    assert "device.battery_health" in form.errors("zh")
    assert FormState.from_case(form.build(errors={}), date(2026, 6, 15)).values["device.battery_health"] == "176"


def test_the_generator_fills_table_fields_within_their_bounds(registry):
    from aftersales.batch.generate import generate_cases

    seen = [c["device"]["battery_health"] for c in generate_cases(300, seed=5) if "battery_health" in c["device"]]
    spec = casefields.FIELDS["device.battery_health"]
    assert seen and all(spec.minimum <= h <= spec.maximum for h in seen)
    assert min(seen) < 80 <= max(seen)


def test_applecare_battery_below_80_percent_is_a_free_repair(registry):
    case = {**DAY10_CASE, "brand": "apple", "device": {"model": "iPhone 15", "part_number": "MTLE3CH/A",
                                                         "battery_health": 79},
            "purchase": {"channel": "authorized_reseller", "date": "2025-01-10", "country": "CN"},
            "fault": {"component": "battery", "confirmed": False}, "coverage_plans": ["applecare_plus"]}
    repair = registry.evaluate(registry.parse_case(case)).remedy("repair")
    assert repair.available and repair.basis == "extended" and repair.rule == "repair_applecare_battery"
    case["device"] = {**case["device"], "battery_health": 80}
    assert not registry.evaluate(registry.parse_case(case)).remedy("repair").available


def test_a_case_round_trips_through_its_mapping(registry):
    from aftersales.batch.generate import generate_cases

    for mapping in generate_cases(200, seed=9):
        case = registry.parse_case(mapping)
        assert registry.parse_case(model.case_to_dict(case)) == case
        assert model.decode_case(json.dumps(mapping), coverage_plans=registry.coverage_plans) == case


# --------------------------------------------------------------------------- bad input

def _case(**changes) -> dict:
    case = json.loads(json.dumps(DAY10_CASE))
    for path, value in changes.items():
        node = case
        *parents, name = path.split("__")
        for key in parents:
            node = node.setdefault(key, {})
        node[name] = value
    return case


BAD_MAPPINGS = [
    ("schema_version", _case(schema_version=True), "schema_version"),
    ("schema_version", _case(schema_version=1.0), "schema_version"),
    ("compact date", _case(case_date="20260615"), "case_date"),
    ("week date", _case(case_date="2026-W24-1"), "case_date"),
    ("sexagesimal", _case(purchase__date=90), "purchase.date"),
    ("too early", _case(purchase__date="1989-12-31"), "purchase.date"),
    ("too late", _case(case_date="2101-01-01"), "case_date"),
    ("days in repair", _case(history__days_in_repair=3_000_000), "history.days_in_repair"),
    ("huge count", _case(history__days_in_repair=10**80), "history.days_in_repair"),
    ("battery health", _case(device__battery_health=101), "device.battery_health"),
    ("long model", _case(device__model="x" * 101), "device.model"),
    ("long description", _case(fault__description="坏" * 501), "fault.description"),
    ("escape sequence", _case(fault__description="ok\x1b]0;owned\x07"), "fault.description"),
    ("nul", _case(device__serial="A\x00B"), "device.serial"),
    ("lone surrogate", _case(fault__description="bad \ud800 text"), "fault.description"),
    ("deep list", _case(documents=[[[[["invoice"]]]]]), "documents"),
]


@pytest.mark.parametrize("what,case,path", BAD_MAPPINGS, ids=[b[0] for b in BAD_MAPPINGS])
def test_a_bad_value_is_a_case_error_naming_its_field(registry, what, case, path):
    with pytest.raises(CaseError) as info:
        registry.parse_case(case)
    error = info.value
    assert error.field is not None and error.field.startswith(path)
    for lang in ("zh", "en"):
        line = error.line(lang)
        assert "\n" not in line and len(line) <= 240, line
        assert "\x1b" not in line and "\x00" not in line
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error.line("zh"))


def _deep_json(n: int) -> str:
    return '{"brand": "generic", "device": {"model": "x"}, "fault": {"component": "host"}, "documents": ' \
        + "[" * n + "]" * n + "}"


HOSTILE = [
    ("alias bomb", ALIAS_BOMB + "brand: generic\n", "yaml"),
    ("deep JSON", _deep_json(20_000), "json"),
    ("deep JSON list", "[" * 20_000 + "]" * 20_000, "json"),
    ("deep YAML", "brand: " + "[" * 10_000 + "]" * 10_000 + "\n", "yaml"),
    ("5,000 digits JSON", json.dumps(_case())[:-1] + ', "history": {"days_in_repair": ' + "9" * 5000 + "}}", "json"),
    ("5,000 digits YAML", "brand: generic\nhistory: {days_in_repair: " + "9" * 5000 + "}\n", "yaml"),
    ("duplicate JSON key", '{"brand": "generic", "brand": "apple"}', "json"),
    ("duplicate YAML key", "brand: generic\ndevice: {model: x}\nbrand: apple\n", "yaml"),
    ("sexagesimal date", "case_date: 1:30\nbrand: generic\ndevice: {model: x}\nfault: {component: host}\n", "yaml"),
    ("lone surrogate JSON", json.dumps(_case()).replace('"confirmed": true', '"description": "\\ud800"'), "json"),
]


def _run(args: list[str], stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "aftersales", *args], input=stdin, capture_output=True, timeout=60)


@pytest.mark.parametrize("what,text,kind", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_a_hostile_case_file_is_one_line_and_exit_2(tmp_path, what, text, kind):
    path = tmp_path / f"case.{kind}"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    started = time.monotonic()
    proc = _run(["evaluate", str(path), "--json"])
    assert time.monotonic() - started < 30  # "within a second": the bound is the parse, not the start-up
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 2, err
    assert proc.stdout == b""
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert len(err.strip()) <= 240, err
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # nothing written


def test_invalid_utf8_on_stdin_is_one_line_and_exit_2():
    proc = _run(["evaluate", "-", "--lang", "en"], stdin=b"brand: generic\ndevice: {model: \xff\xfe}\n")
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert "<stdin>:2:" in err and "UTF-8" in err


def test_errors_are_chinese_unless_english_is_asked_for(tmp_path, cli):
    path = tmp_path / "case.json"
    path.write_text(json.dumps(_case(device__battery_health=101)), encoding="utf-8")
    code, _, err = cli("evaluate", str(path), env={"AFTERSALES_LANG": "zh"})
    assert code == 2 and err.startswith("错误：device.battery_health：") and "0–100" in err
    code, _, err = cli("evaluate", str(path), "--lang", "en", env={"AFTERSALES_LANG": "zh"})
    assert code == 2 and err.startswith("error: device.battery_health: ") and "0 to 100" in err


# --------------------------------------------------------------------------- any JSON value

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
    | st.sampled_from(["2026-06-15", "invoice", "host", "CN", "apple", "applecare_plus", "356938035643809"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)
PATHS = sorted(casefields.FIELDS) + ["device", "purchase", "fault", "condition", "history", "schema_version"]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(PATHS), value=json_values, whole=json_values, use_whole=st.booleans())
def test_any_json_value_gives_a_decision_or_a_case_error(registry, path, value, whole, use_whole):
    if use_whole:
        data = whole
    else:
        data = json.loads(json.dumps(DAY10_CASE))
        node = data
        *parents, name = path.split(".")
        for key in parents:
            node = node.setdefault(key, {}) if isinstance(node.get(key), dict) or key not in node else node[key]
        node[name] = value
    for parse in (lambda: registry.parse_case(data),
                  lambda: model.decode_case(json.dumps(data), coverage_plans=registry.coverage_plans)):
        try:
            case = parse()
            registry.evaluate(case)  # an unknown brand is refused here (``decode_case`` reads no registry)
        except CaseError:
            continue


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet="0123456789", min_size=15, max_size=15))
def test_the_quick_luhn_check_is_stdnums(digits):
    from stdnum import luhn

    assert model._luhn_ok(digits) == (luhn.checksum(digits) == 0)


def test_an_empty_section_or_a_null_optional_field_counts_as_absent(registry):
    case = {**_case(), "condition": None, "history": None, "fault": {"component": "host", "confirmed": None}}
    parsed = registry.parse_case(case)
    assert parsed == registry.parse_case({**_case(), "fault": {"component": "host"}, "condition": {}})
    assert model.decode_case(json.dumps(case), coverage_plans=registry.coverage_plans) == parsed
    with pytest.raises(CaseError) as info:
        registry.parse_case({**_case(), "brand": None})
    assert info.value.field == "brand" and "required" in str(info.value)


def test_a_number_where_text_is_expected_asks_for_quotes(registry):
    with pytest.raises(CaseError) as info:
        registry.parse_case(_case(device__imei=356938035643809))
    assert info.value.field == "device.imei"
    assert "quotes" in str(info.value) and "引号" in info.value.message_zh and "356938035643809" in str(info.value)


def test_an_error_line_never_carries_a_raw_control_character(tmp_path, cli):
    code, _, err = cli("evaluate", str(tmp_path / "x\x1b]0;owned\x07.yaml"))
    assert code == 2 and "\x1b" not in err and "\x07" not in err and "\\x1b" in err


def test_a_json_file_is_told_as_json_in_chinese(tmp_path, cli):
    """A JSON file (an object or a list) is read as JSON, and its syntax error said in Chinese."""
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 20_000 + "]" * 20_000, encoding="utf-8")
    code, _, err = cli("evaluate", str(deep), env={"AFTERSALES_LANG": "zh"})
    assert code == 2 and err.strip() == f"错误：{deep}:1:65：嵌套超过 64 层"   # where, as a YAML case says it
    broken = tmp_path / "broken.json"
    broken.write_text('{"brand": }', encoding="utf-8")
    code, _, err = cli("evaluate", str(broken), env={"AFTERSALES_LANG": "zh"})
    assert code == 2 and err.strip() == f"错误：{broken}:1:11：不是有效的 JSON：这里应当是一个值"
