"""What a clerk or a customer reads cites public sources only: the regulation by name and
article, the Civil Code, the consumer law, the brands' published terms. Editors' references (a
section of the research notes, a source document of the project) live in each rule's ``ref``,
which only ``--trace`` and the policy tools show."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from scenario_helpers import load_scenario, scenario_files

from aftersales.cli.render import render_decision
from aftersales.core.errors import AftersalesError

POLICIES = Path(__file__).resolve().parent.parent / "policies"
#: how an editors' reference looks: a section sign, a seed file, the research or domain notes
INTERNAL = re.compile(r"§|\bseeds?\b|RESEARCH|DOMAIN", re.IGNORECASE)
#: the public sources a citation may name
PUBLIC = ("《移动电话机商品修理更换退货责任规定》", "《消费者权益保护法》", "《中华人民共和国民法典》", "Apple", "AppleCare+", "华为")


def _customer_text(decision: dict) -> list[str]:
    """Every text of a decision JSON a clerk or a customer reads (the trace is the editors')."""
    out = []
    for r in decision["remedies"]:
        out.append(r["granted_by"]["citation"] or "")
        if r.get("note"):
            out += [r["note"]["zh"], r["note"]["en"]]
        if r.get("refund_instead"):
            out.append(r["refund_instead"]["granted_by"]["citation"])
    cov = decision.get("coverage") or {}
    out += [cov.get("start_citation") or "", (cov.get("granted_by") or {}).get("citation") or ""]
    for item in decision["exclusions"] + decision["notices"]:
        out += [item["citation"], item["message_zh"], item["message_en"]]
    if decision.get("exchange"):
        out.append(decision["exchange"]["granted_by"]["citation"])
    return out


def _all_cases() -> list[tuple[str, dict]]:
    cases = [(path.stem, load_scenario(path)["case"]) for path in scenario_files()]
    for path in sorted(POLICIES.glob("*.cases.yaml")):
        for index, item in enumerate(yaml.safe_load(path.read_text(encoding="utf-8"))):
            cases.append((f"{path.name}[{index}]", item["case"]))
    return cases


def test_the_detector_sees_an_internal_reference():
    assert INTERNAL.search("三包有效期自开具发货票之日起计算（§1.3）")
    assert INTERNAL.search("无需携带小票（seed 001 E/G/H）")
    assert INTERNAL.search("故障确认后由销售者当场更换（seeds 000/002 DOA/DAP）")
    assert not INTERNAL.search("《移动电话机商品修理更换退货责任规定》第十二条 自售出之日起第8日至第15日内")


def test_no_decision_shows_an_internal_reference(registry):
    decided = 0
    for name, case in _all_cases():
        try:
            decision = registry.evaluate(registry.parse_case(case))
        except AftersalesError:
            continue
        data = json.loads(json.dumps(decision.to_dict(), default=str))
        texts = _customer_text(data) + [render_decision(decision, lang=lang) for lang in ("zh", "en")]
        for text in texts:
            assert not INTERNAL.search(text), (name, text)
        decided += 1
    assert decided > 60


def test_the_decision_json_carries_no_editors_reference(registry):
    path = next(p for p in scenario_files() if p.stem == "generic-day10-exchange")
    decision = registry.evaluate(registry.parse_case(load_scenario(path)["case"])).to_dict()
    assert not INTERNAL.search(json.dumps(decision, ensure_ascii=False))


def _citations(node, where=""):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "citation" and isinstance(value, str):
                yield where, value
            elif key != "workflow":  # the counter's own process, not a customer's entitlement
                yield from _citations(value, f"{where}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _citations(value, f"{where}[{index}]")


@pytest.mark.parametrize("path", sorted(p for p in POLICIES.glob("*.yaml") if not p.name.endswith(".cases.yaml")),
                         ids=lambda p: p.stem)
def test_every_citation_of_a_bundled_policy_names_a_public_source(path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    found = list(_citations(data))
    assert found
    for where, text in found:
        assert not INTERNAL.search(text), (path.name, where, text)
        assert any(source in text for source in PUBLIC), (path.name, where, text)


def test_the_trace_shows_the_editors_references(cli):
    path = next(p for p in scenario_files() if p.stem == "generic-day10-exchange")
    code, out, _err = cli("evaluate", str(path), "--trace")
    assert code == 0 and "‹" in out and INTERNAL.search(out)
    code, out, _err = cli("evaluate", str(path))
    assert code == 0 and not INTERNAL.search(out)
    code, out, _err = cli("evaluate", str(path), "--json", "--trace")
    assert any(step.get("ref") for step in json.loads(out)["trace"])


def test_an_accessory_exchange_cites_terms_that_cover_an_accessory(registry):
    """A battery, charger or earphone exchanged is not a phone exchange: the exchange rule its
    decision cites does not speak of 换机, a whole-unit clause says it leaves accessories out
    (Huawei's: 整机更换（不包括配件）), and a restarted warranty cites the article that restarts
    an accessory's (第二十一条 of the regulation)."""
    seen = set()
    for name, case in _all_cases():
        if (case.get("fault") or {}).get("component", "host") == "host":
            continue
        try:
            decision = registry.evaluate(registry.parse_case(case)).to_dict()
        except AftersalesError:
            continue
        exchange = next((r for r in decision["remedies"] if r["remedy"] == "exchange" and r["available"]), None)
        if exchange is None or decision["exchange"] is None:
            continue
        rule = decision["exchange"]
        citation = rule["granted_by"]["citation"]
        assert "换机" not in citation, (name, citation)
        assert "整机" not in citation or re.search("不含配件|不包括配件", citation), (name, citation)
        if rule["warranty_after"] == "restarts":
            assert "第二十一条" in citation, (name, citation)
        seen.add(decision["brand"])
    assert {"huawei", "generic"} <= seen
