"""What a policy editor reads after a common mistake: Chinese first, the wrong value named, the fix
said, at the line and column of the mistake itself."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPLE = (ROOT / "policies" / "apple.yaml").read_text(encoding="utf-8")


def _edit(tmp_path: Path, old: str, new: str) -> tuple[Path, int, int]:
    """apple.yaml with ``old`` replaced by ``new``; the line and column where ``new`` begins."""
    assert old in APPLE
    text = APPLE.replace(old, new, 1)
    path = tmp_path / "apple.yaml"
    path.write_text(text, encoding="utf-8")
    offset = text.index(new)
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return path, line, col


def _errors(cli, path: Path, lang: str = "zh", *, yaml: bool = False) -> list[str]:
    """The errors ``policy validate`` says of ``path``; ``yaml``: a file YAML cannot take, bad
    input (exit 2), said in its one line and nothing else."""
    code, out, err = cli("policy", "validate", str(path), env={"AFTERSALES_LANG": lang})
    assert code == (2 if yaml else 1)
    if yaml:
        assert err == "" and len(out.splitlines()) == 1, out + err
    return [line for line in out.splitlines() if "warning" not in line and "警告" not in line]


@pytest.mark.parametrize(("old", "new", "labels"), [
    ("service_location: any_authorized", "service_location: anywhere",
     ["any_authorized（任一授权服务点）", "brand_store_only（仅限品牌直营店）", "seller（原销售商）"]),
    ("mode: deferred", "mode: deffered", ["您是否想写 'deferred'", "on_site（当场更换）"]),
])
def test_an_id_list_written_in_place_is_shown_with_its_chinese_labels(cli, tmp_path, old, new, labels):
    path, _line, _col = _edit(tmp_path, old, new)
    (error,) = _errors(cli, path)
    assert all(label in error for label in labels), error


def test_a_wrong_document_id_names_the_value_the_nearest_ids_and_the_list(cli, tmp_path):
    path, line, col = _edit(tmp_path, "documents: [sanbao_certificate, invoice]", "documents: [sanbao_certificate, invoce]")
    (error,) = _errors(cli, path)
    item_col = col + len("documents: [sanbao_certificate, ")
    assert error.startswith(f"{path}:{line}:{item_col}: $.offers[4].documents[1]: ")
    assert "'invoce'" in error and "您是否想写 'invoice'" in error and "购机发票" in error
    assert "policy.schema.json#/$defs/document" in error and "三包凭证" in error
    assert "is not of type" not in error


def test_a_wrong_item_in_a_list_is_pointed_at_not_the_list(cli, tmp_path):
    path, line, col = _edit(tmp_path, "      fault.component: host\n", "      fault.component: [host, batery]\n")
    (error,) = _errors(cli, path, "en")
    assert f":{line}:{col + len('      fault.component: [host, ')}: $.offers[0].when.fault.component[1]:" in error
    assert "did you mean 'battery'?" in error


@pytest.mark.parametrize(("old", "new", "wanted"), [
    ("purchase.channel: brand_store_online", "purchase.channel: apple_store_online", "brand_store_online"),
    ("region: [HK, MO, TW, US, JP]", "region: [HK, MO, TW, US, CH]", "'CN'"),
])
def test_a_wrong_condition_value_suggests_the_valid_one(cli, tmp_path, old, new, wanted):
    path, _, _ = _edit(tmp_path, old, new)
    (error,) = _errors(cli, path)
    assert "您是否想写" in error and wanted in error


def test_a_wrong_type_names_the_expected_type(cli, tmp_path):
    path, line, _ = _edit(tmp_path, "period: {months: 24}", "period: {months: three_years}")
    (error,) = _errors(cli, path)
    assert f":{line}:" in error and "$.offers[9].period.months: 这里应为整数" in error and "'three_years'" in error
    assert "'warranty' was expected" not in error


def test_an_unknown_component_key_under_periods_is_reported_at_the_key(cli, tmp_path):
    path, line, col = _edit(tmp_path, "  battery: {months: 12}", "  batery: {months: 12}")
    (error,) = _errors(cli, path, "en")
    assert error.startswith(f"{path}:{line}:{col + 2}: $.periods.batery: key 'batery'") and "'battery'" in error


@pytest.mark.parametrize(("old", "new", "hint", "at_line_of_new"), [
    ("citation: Apple 在线商店销售和退款政策：自收到产品之日起", "citation: Apple 在线商店销售和退款政策: 自收到产品之日起", "请给整个值加引号", True),
    ("    citation: AppleCare+ 服务条款：自购买产品之日起", "    citation：AppleCare+ 服务条款：自购买产品之日起", "全角冒号", True),
    ("  battery: {months: 12}", "\tbattery: {months: 12}", "制表符", True),
    ("citation: Apple 在线商店销售和退款政策：自收到产品之日起", "citation: \"Apple 在线商店销售和退款政策：自收到产品之日起", "引号没有闭合", True),
    # indentation: the message says which lines disagree, not a cause that is not there (the
    # Chinese citations' full-width colons nearby are plain text, not YAML's punctuation)
    # (``{line}``: the number of the line the message compares with, the last line above the
    # edited one that the pattern after the hint matches, so the file may grow above it)
    ("kind: brand\nversion", " kind: brand\nversion", "键缩进了 1 个空格，而第 {line} 行是 0 个|.", True),
    ("  - id: region_from_country", "   - id: region_from_country", "列表项缩进了 3 个空格，而第 {line} 行是 2 个|  - ",
     True),
    ("  rollover_windows: false", " rollover_windows: false", "键缩进了 1 个空格，而第 {line} 行是 2 个|  [^ -]", True),
])
def test_yaml_syntax_errors_say_the_usual_cause(cli, tmp_path, old, new, hint, at_line_of_new):
    path, line, _ = _edit(tmp_path, old, new)
    if "|" in hint:
        hint, pattern = hint.split("|")
        above = path.read_text(encoding="utf-8").splitlines()[:line - 1]
        compared = max(n for n, text in enumerate(above, 1) if re.match(pattern, text))
        hint = hint.format(line=compared)
    (error,) = _errors(cli, path, yaml=True)
    assert hint in error and error.startswith(f"{path}:{line}:"), error
    assert not re.search(r"mapping values|expected|while (parsing|scanning)|found a", error), \
        "the parser's English words stay out of the Chinese message"


def test_an_over_indented_key_is_named_at_the_key_with_the_line_it_disagrees_with(cli, tmp_path):
    path, line, _ = _edit(tmp_path, "    start: plan_purchase\n    period: {months: 24}",
                          "    start: plan_purchase\n      period: {months: 24}")
    (error,) = _errors(cli, path, yaml=True)
    assert error.startswith(f"{path}:{line + 1}:7: ") and f"第 {line + 1} 行的键缩进了 6 个空格，而第 {line} 行是 4 个" in error
    assert "引号" not in error and "全角冒号" not in error
    (error,) = _errors(cli, path, "en", yaml=True)
    assert f"the key on line {line + 1} is indented 6 space(s), line {line} 4" in error


def test_indenting_with_full_width_spaces_names_them(cli, tmp_path):
    path, line, _ = _edit(tmp_path, "    start: plan_purchase\n    period: {months: 24}",
                          "    start: plan_purchase\n\u3000\u3000period: {months: 24}")
    (error,) = _errors(cli, path, yaml=True)
    assert error.startswith(f"{path}:{line + 1}:1: ") and "全角空格" in error and "半角空格" in error, error
    assert "而第" not in error
    (error,) = _errors(cli, path, "en", yaml=True)
    assert "full-width space" in error and "ASCII spaces" in error


def test_full_width_comma_in_a_list_is_named(cli, tmp_path):
    path, _, _ = _edit(tmp_path, "documents: [sanbao_certificate, invoice]", "documents: [sanbao_certificate，invoice]")
    (error,) = _errors(cli, path)
    assert "'，'是全角逗号" in error and "', '" in error and "[a, b]" in error


def _issues(text: str) -> list:
    from aftersales.authoring.policyload import PolicySource, check_policy

    return check_policy(PolicySource("apple.yaml", text))[1]


@pytest.mark.parametrize(("old", "new", "zh", "en"), [
    # a date: said in Chinese words, once (not a pattern error beside the format one), in its form
    ('from: "2013-04-01"', 'from: "2013-13-01"', ["不是有效的日期", "YYYY-MM-DD"], ["is not a valid date"]),
    ('from: "2013-04-01"', "from: yesterday", ["'yesterday' 不是有效的日期", "YYYY-MM-DD"], ["YYYY-MM-DD"]),
    ('from: "2013-04-01"', "from: 20130401", ["整数 20130401", 'YYYY-MM-DD，如 "2013-04-01"'],
     ['YYYY-MM-DD, e.g. "2013-04-01"']),
    # a full-width comma in a list: named, and the two ways to write a list said
    ("brands: [apple]", "brands: [apple，huawei]", ["'，'是全角逗号", "', '", "[a, b]", "小写字母、数字和下划线"],
     ["full-width comma", "[a, b]"]),
    # a full-width colon after a key: said to be after the key, at the key
    ("    start: invoice_or_activation\n    window: {days: 7}", "    start: invoice_or_activation\n    window： {days: 7}",
     ["键 'window' 后面是全角冒号'：'", "'window: '"], ["the key 'window' is followed by a full-width colon"]),
    # a key given twice: both languages say YAML keeps the later one, and to delete one
    ("id: apple\n", "id: apple\nid: apple\n", ["只会保留后一个", "请删去其中一个"], ["keeps only the later one", "delete one"]),
    # a version in Chinese curly quotes is refused, naming them
    ('version: "2026.1"', "version: “2026.1”", ["中文引号", 'version: "2026.1"'], ["Chinese curly quotes", 'version: "2026.1"']),
])
def test_a_mistake_is_said_once_in_chinese_words_with_its_fix(old, new, zh, en):
    assert old in APPLE
    errors = [i for i in _issues(APPLE.replace(old, new, 1)) if i.severity == "error"]
    assert len(errors) == 1, [e.zh for e in errors]
    (error,) = errors
    assert all(w in error.zh for w in zh) and all(w in error.message for w in en), (error.zh, error.message)
    assert "date" not in error.zh and "Identifier" not in error.zh
    assert "：" not in error.path and ": " not in error.path


def test_missing_required_keys_each_have_their_own_label():
    import yaml

    data = yaml.safe_load(APPLE)
    del data["exclusions"], data["exchange"]
    (error,) = _issues(yaml.safe_dump(data, allow_unicode=True))
    assert "exclusions（除外）、exchange（换货规则）" in error.zh, error.zh
    assert "exclusions (When free remedies are refused), exchange (How an exchange" in error.message, error.message


@pytest.mark.parametrize(("old", "new", "meant"), [
    ("start: invoice_or_activation", "start: invoice_or_activatoin", "invoice_or_activation"),
    ("covers: [physical_damage, liquid_damage]", "covers: [physical_damge, liquid_damage]", "physical_damage"),
])
def test_an_unknown_start_or_covered_exclusion_names_the_one_meant(old, new, meant):
    (error,) = [i for i in _issues(APPLE.replace(old, new, 1)) if i.severity == "error"]
    assert f"您是否想写 {meant!r}？" in error.zh and f"did you mean {meant!r}?" in error.message


def test_english_on_request_and_chinese_by_default(cli, tmp_path):
    path, _, _ = _edit(tmp_path, "period: {months: 24}", "period: {months: three_years}")
    assert "expected a whole number here" in _errors(cli, path, "en")[0]
    code, out, err = cli("policy", "validate", "--lang", "zh", str(path), env={"AFTERSALES_LANG": "en"})
    assert "这里应为整数" in out and "个错误" in err
    code, out, err = cli("policy", "validate", "--lang", "en", str(path), env={"AFTERSALES_LANG": "zh"})
    assert "expected a whole number" in out and "1 error," in err


def test_the_language_follows_option_then_env_never_the_locale(monkeypatch):
    from aftersales.cli import message_lang

    for name in ("AFTERSALES_LANG", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "en_US.UTF-8")   # a counter's terminal in an English locale
    assert message_lang([]) == "zh"
    monkeypatch.setenv("LC_ALL", "en_US.UTF-8")
    assert message_lang([]) == "zh"
    monkeypatch.setenv("AFTERSALES_LANG", "en")
    assert message_lang([]) == "en"
    assert message_lang(["policy", "validate", "--lang", "zh"]) == "zh"
    assert message_lang(["policy", "validate", "--lang=zh"]) == "zh"
    assert message_lang([], option="zh") == "zh"
    monkeypatch.setenv("AFTERSALES_LANG", "zh")
    assert message_lang([], option="en") == "en"


def test_json_report_carries_both_languages_and_the_id_of_an_invalid_file(cli, tmp_path):
    path, _, _ = _edit(tmp_path, "period: {months: 24}", "period: {months: three_years}")
    code, out, _ = cli("policy", "validate", "--format", "json", str(path))
    report = json.loads(out)
    assert code == 1 and report["files"][0]["id"] == "apple" and report["files"][0]["valid"] is False
    issue = report["issues"][0]
    assert "整数" in issue["message_zh"] and "whole number" in issue["message"]


def test_the_schema_shows_chinese_labels_beside_ids():
    from aftersales.authoring.policyload import policy_schema
    from aftersales.core.vocab import DOCUMENTS

    doc = policy_schema()["$defs"]["document"]
    index = doc["enum"].index("sanbao_certificate")
    assert doc["enumDescriptions"][index].startswith("三包凭证")
    assert doc["x-labels"]["sanbao_certificate"]["zh"] == DOCUMENTS["sanbao_certificate"][0]
    assert len(doc["markdownEnumDescriptions"]) == len(doc["enum"])


def test_a_list_written_without_its_brackets_is_told_to_take_them(cli, tmp_path):
    """``brands: apple``: not "write 'any'" (the brand's terms would then apply to every brand),
    but the list it was meant to be; a word near 'any' is told 'any'."""
    path, line, col = _edit(tmp_path, "brands: [apple]", "brands: apple")
    (error,) = _errors(cli, path)
    assert error == f"{path}:{line}:{col + 8}: $.applies_to.brands: 值 'apple' 不对；这里应写 'any'，或写成列表 [apple]（列表要加方括号）"
    (error,) = _errors(cli, path, "en")
    assert error.endswith("'apple' is not accepted here; write 'any', or a list: [apple] (a list takes square brackets)")
    path, line, col = _edit(tmp_path, "brands: [apple]", "brands: anyy")
    (error,) = _errors(cli, path)
    assert error.endswith("$.applies_to.brands: 值 'anyy' 不对；这里应写 'any'"), error


def test_english_says_the_diagnosis_first_and_the_readers_words_after_it(cli, tmp_path):
    path, line, _col = _edit(tmp_path, "  battery: {months: 12}", "\tbattery: {months: 12}")
    (error,) = _errors(cli, path, "en", yaml=True)
    assert error.startswith(f"{path}:{line}:1: $: YAML syntax error: tabs cannot indent YAML; use spaces (the YAML "
                            f"reader says: "), error


def test_a_boolean_where_a_number_goes_is_named_as_what_was_written(cli, tmp_path):
    path, line, col = _edit(tmp_path, "host: {months: 12}", "host: {months: true}")
    (error,) = _errors(cli, path, "en")
    assert error.endswith("$.periods.host.months: expected a whole number here, got the boolean true"), error
    (error,) = _errors(cli, path)
    assert error.endswith("$.periods.host.months: 这里应为整数，写的是布尔值 true"), error


def test_a_key_with_nothing_after_its_colon_is_said_so(cli, tmp_path):
    """``citation:`` left empty read 写的是空值 null / got nothing (null) null."""
    path, _line, _col = _edit(tmp_path, "    citation: Apple 支持《识别你的 iPhone 机型》：型号（部件号）/A 之前的字母代表发售地区：CH 国行、ZP/ZA 港版、TA 台版、LL 美版、J 日版", "    citation:")
    (error,) = _errors(cli, path)
    assert error.endswith(".citation: 这里应为文本，但冒号后什么也没写"), error
    (error,) = _errors(cli, path, "en")
    assert error.endswith(".citation: expected text here, but nothing is written after the colon"), error
