"""A vocabulary a brand or a network can extend: the seed 002 dealer checklists as a network
policy in a drop-in plugin (``examples/plugins/dealer_checklists``), loaded here as a real
drop-in: validated (its stricter terms flagged against the floor), tested, deciding with its
own ids and labels; the statutory remedies still hold."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PLUGINS = ROOT / "examples" / "plugins"
POLICY = PLUGINS / "dealer_checklists" / "dealer_checklists.yaml"

NOKIA = {"schema_version": 1, "case_date": "2026-06-15", "brand": "nokia", "device": {"model": "Nokia 8"},
         "purchase": {"channel": "authorized_reseller", "date": "2026-06-12", "country": "HK"},
         "documents": ["invoice", "handset", "warranty_card_complete", "serial_sticker_abc"],
         "fault": {"component": "host", "confirmed": True}}


@pytest.fixture(scope="module")
def registry():
    from aftersales.core import vocab
    from aftersales.core.registry import load_registry

    yield load_registry(plugins_dir=PLUGINS)
    vocab.extend_documents({})   # the next tests' registries declare nothing of their own


def test_the_example_folder_is_a_drop_in_its_owner_alone_writes():
    assert not PLUGINS.stat().st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def test_it_loads_as_a_drop_in_and_declares_its_ids(registry):
    info = registry.plugins["dealer_checklists"]
    assert info.origin == "folder" and set(info.brands) == {"nokia", "samsung", "motorola"}
    assert registry.quarantined == {}
    assert registry.vocabulary["handset"][:3] == ("机头", "handset", "checklist")
    assert registry.vocabulary["invoice_names_model_imei"][2] == "document"
    assert registry.vocabulary["back_cover"][3] == ("exchange",)


def test_it_validates_and_the_floor_check_flags_its_stricter_terms(cli):
    code, out, err = cli("policy", "validate", str(POLICY), "--plugins-dir", str(PLUGINS))
    assert code == 0, out + err
    flagged = [line for line in out.splitlines() if "below the statutory floor (documents)" in line]
    assert len(flagged) == 5 and "1/1 policy files valid; 0 errors, 5 warnings" in err


def test_its_policy_tests_pass_and_exercise_every_rule(cli):
    code, out, err = cli("policy", "test", str(POLICY.parent), "--plugins-dir", str(PLUGINS), "--strict")
    assert code == 0, out + err
    assert "7/7 cases pass; rule coverage 8/8" in out


def test_a_missing_checklist_item_blocks_the_network_exchange_with_its_label(registry, cli, tmp_path):
    decision = registry.evaluate(registry.parse_case(NOKIA))
    exchange = decision.remedy("exchange")
    assert not exchange.available
    assert set(exchange.missing_documents) == {"back_cover", "licence_sticker_unworn", "back_sticker_unworn"}
    case = tmp_path / "nokia.json"
    case.write_text(json.dumps(NOKIA), encoding="utf-8")
    code, out, err = cli("evaluate", str(case), "--plugins-dir", str(PLUGINS), "--lang", "zh")
    assert code == 0 and "缺少单证：后盖、入网证完好无磨损、背贴完好无磨损" in out


def test_the_statutory_exchange_still_holds_for_a_mainland_unit(registry):
    data = dict(NOKIA, brand="samsung", documents=["invoice", "sanbao_certificate"],
                purchase={"channel": "authorized_reseller", "date": "2026-06-05", "country": "CN"})
    decision = registry.evaluate(registry.parse_case(data))
    exchange = decision.remedy("exchange")
    assert exchange.available and exchange.policy == "generic_sanbao"
    assert "no_licence_sticker" in [n.id for n in decision.notices]


def test_an_id_nobody_declared_is_refused_in_a_case_and_in_a_policy(registry):
    from aftersales.authoring.policyload import PolicySource, check_policy_full
    from aftersales.core.errors import CaseError

    with pytest.raises(CaseError, match=r"unknown id 'serial_sticker_abcd'") as info:
        registry.parse_case(dict(NOKIA, documents=["invoice", "serial_sticker_abcd"]))
    assert info.value.field == "documents[1]"
    text = POLICY.read_text(encoding="utf-8")
    broken = text.replace("documents: [handset, back_cover, warranty_card_complete",
                          "documents: [handset, back_covr, warranty_card_complete", 1)
    _data, _node, issues = check_policy_full(PolicySource("dealer_checklists.yaml", broken))
    errors = [i for i in issues if i.severity == "error"]
    assert errors and "'back_covr' is not an accepted id; did you mean 'back_cover'" in errors[0].message
    assert errors[0].path == "$.offers[0].documents[1]"
    bare = text.replace("documents: [handset, back_cover, warranty_card_complete",
                        "documents: [handset, back_cover, warranty_card_complet", 1)
    bare = bare[:bare.index("vocabulary:")] + bare[bare.index("starts:"):]   # nothing declared: no id of its own
    _data, _node, issues = check_policy_full(PolicySource("dealer_checklists.yaml", bare))
    assert any("'handset' is not an accepted id" in i.message for i in issues if i.severity == "error")
    redeclared = text.replace("    handset: {zh: 机头", "    invoice: {zh: 发票, en: invoice}\n    handset: {zh: 机头", 1)
    _data, _node, issues = check_policy_full(PolicySource("dealer_checklists.yaml", redeclared))
    assert any("'invoice' is a bundled document id" in i.message for i in issues if i.severity == "error")
