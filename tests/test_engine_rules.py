"""Rules of the engine beyond the scenarios, each named like the rule it checks."""

from __future__ import annotations

import copy
from datetime import date

import pytest
from scenario_helpers import DAY10_CASE as BASE


def decide(registry, **changes):
    case = copy.deepcopy(BASE)
    for path, value in changes.items():
        node = case
        keys = path.split("__")
        for key in keys[:-1]:
            node = node.setdefault(key, {})
        node[keys[-1]] = value
    return registry.evaluate(registry.parse_case(case))


def test_return_on_day_7_exchange_not_return_on_day_8(registry):
    assert "return" in decide(registry, purchase__date="2026-06-08").available()
    d8 = decide(registry, purchase__date="2026-06-07")
    assert "return" not in d8.available() and "exchange" in d8.available()
    assert d8.remedy("exchange").basis == "dap"


def test_exchange_on_day_15_repair_only_on_day_16(registry):
    assert "exchange" in decide(registry, purchase__date="2026-05-31").available()
    assert decide(registry, purchase__date="2026-05-30").available() == ["repair"]


def test_unconfirmed_fault_gives_no_statutory_remedy(registry):
    d = decide(registry, fault__confirmed=False)
    assert d.available() == ["paid_repair"]


def test_return_without_certificate_names_the_missing_paper(registry):
    d = decide(registry, purchase__date="2026-06-12", documents=["invoice"])
    ret = d.remedy("return")
    assert not ret.available and ret.missing_documents == ("sanbao_certificate",)
    assert "exchange" in d.available()


def test_invoice_copy_proves_the_date_for_exchange(registry):
    d = decide(registry, documents=["invoice_copy"])
    assert "exchange" in d.available()


def test_repaired_twice_gives_exchange(registry):
    d = decide(registry, purchase__date="2025-10-08", documents=["invoice", "sanbao_certificate"],
               history={"warranty_repairs_for_fault": 2})
    assert d.remedy("exchange").available and d.remedy("exchange").basis == "repeat_failure"


def test_repair_over_30_days_gives_exchange_over_60_when_waiting_for_parts(registry):
    old = "2025-12-01"
    assert decide(registry, purchase__date=old, history={"current_repair_days": 31}).remedy("exchange").available
    waiting = decide(registry, purchase__date=old, history={"current_repair_days": 45, "awaiting_parts": True})
    assert not waiting.remedy("exchange").available
    assert decide(registry, purchase__date=old, history={"current_repair_days": 61, "awaiting_parts": True}).remedy("exchange").available


def test_spare_phone_notice_after_7_days_in_repair(registry):
    d = decide(registry, purchase__date="2025-12-01", history={"current_repair_days": 8})
    assert "spare_phone_due" in [n.id for n in d.notices]


def test_days_in_repair_push_the_warranty_end(registry):
    expired = decide(registry, purchase__date="2025-06-10")
    assert expired.available() == ["paid_repair"]
    pushed = decide(registry, purchase__date="2025-06-10", history={"days_in_repair": 10})
    assert pushed.available() == ["repair"]


def test_accessory_fault_exchanges_the_accessory(registry):
    d = decide(registry, purchase__date="2026-03-01", fault={"component": "charger", "confirmed": True})
    assert d.available() == ["exchange"]


def test_data_cable_has_no_statutory_period(registry):
    d = decide(registry, purchase__date="2026-03-01", fault={"component": "data_cable", "confirmed": True})
    assert d.available() == ["paid_repair"]


def test_liquid_damage_excludes_every_free_remedy(registry):
    d = decide(registry, purchase__date="2026-06-12", condition={"liquid_damage": True})
    assert d.available() == ["paid_repair"]
    assert "liquid_damage" in [e.id for e in d.exclusions]


def test_hong_kong_unit_gets_no_statutory_remedy(registry):
    d = decide(registry, purchase__country="HK", purchase__date="2026-06-12")
    assert d.region == "HK" and d.available() == ["paid_repair"]


def test_apple_warranty_continues_is_raised_to_restarts_for_mainland_units(registry):
    d = decide(registry, brand="apple", device={"model": "iPhone 15", "part_number": "MTLE3CH/A"})
    assert d.exchange.mode == "deferred" and d.exchange.lead_days == (10, 15)
    assert d.exchange.warranty_after == "restarts"
    assert any(t[3] == "floor" for t in d.trace)


def test_apple_hong_kong_unit_without_papers_pays(registry):
    d = decide(registry, brand="apple", device={"model": "iPhone 15", "part_number": "MTLE3ZP/A"},
               purchase={"channel": "brand_store_retail", "date": "2026-04-16", "country": "HK"}, documents=[])
    assert d.region == "HK"
    assert d.available() == ["paid_repair"]
    assert set(d.remedy("repair").missing_documents) == {"purchase_receipt", "exit_entry_proof"}


def test_apple_start_is_the_earlier_of_invoice_and_activation(registry):
    d = decide(registry, brand="apple", device={"model": "iPhone 15", "part_number": "MTLE3CH/A"},
               purchase={"channel": "brand_store_retail", "date": "2025-06-20", "country": "CN"},
               activation_date="2025-06-01", documents=[])
    # Apple's own 12 months ran from the activation and ended 2026-06-01; no papers for the statutory offer
    assert d.available() == ["paid_repair"]


def test_applecare_plus_screen_damage_costs_188(registry):
    d = decide(registry, brand="apple", device={"model": "iPhone 15", "part_number": "MTLE3CH/A"},
               purchase__date="2025-09-01", coverage_plans=["applecare_plus"],
               fault={"component": "host", "confirmed": True, "part": "screen"},
               condition={"physical_damage": True})
    paid = d.remedy("paid_repair")
    assert paid.available and paid.basis == "extended" and paid.fee == (188.0, "CNY")


def test_apple_online_store_14_day_return(registry):
    d = decide(registry, brand="apple", device={"model": "iPhone 15", "part_number": "MTLE3CH/A"},
               purchase={"channel": "brand_store_online", "date": "2026-06-03", "country": "CN"},
               fault={"component": "host", "confirmed": False}, documents=[])
    ret = d.remedy("return")
    assert ret.available and ret.basis == "no_reason" and ret.policy == "apple"


def test_huawei_export_model_code_is_other_region(registry):
    d = decide(registry, brand="huawei", device={"model": "P30 Pro", "model_code": "VOG-L29"})
    assert d.region == "OTHER"


def test_huawei_screen_cover_repairs_a_broken_screen_once(registry):
    common = dict(brand="huawei", device={"model": "Mate 60", "model_code": "BRA-AL00"},
                  purchase__date="2026-01-10", coverage_plans=["huawei_screen_cover"],
                  fault={"component": "host", "confirmed": True, "part": "screen"},
                  condition={"physical_damage": True})
    first = decide(registry, **common)
    assert first.remedy("repair").available and first.remedy("repair").basis == "extended"
    used = decide(registry, **common, history={"plan_claims": {"huawei_screen_cover": 1}})
    assert used.available() == ["paid_repair"]


def test_huawei_label_damage_keeps_the_statutory_repair(registry):
    d = decide(registry, brand="huawei", device={"model": "Mate 60", "model_code": "BRA-AL00"},
               purchase__date="2026-01-10", condition={"label_damaged": True})
    repair = d.remedy("repair")
    assert repair.available and repair.policy == "generic_sanbao"


def test_huawei_extended_warranty_adds_a_year_for_the_host(registry):
    d = decide(registry, brand="huawei", device={"model": "Mate 60", "model_code": "BRA-AL00"},
               purchase__date="2025-03-01", coverage_plans=["huawei_extended_warranty"])
    assert d.remedy("repair").available and d.remedy("repair").basis == "extended"


def test_every_decision_names_policy_versions_and_hashes(registry):
    d = decide(registry, brand="apple", device={"model": "iPhone 15", "part_number": "MTLE3CH/A"})
    ids = {p.id for p in d.policies}
    assert ids == {"generic_sanbao", "apple"}
    assert all(len(p.sha256) == 64 and p.version for p in d.policies)


def test_a_year_outside_the_holiday_data_is_said_only_when_it_decides_something(registry):
    from aftersales.core.dates import DATA_YEARS

    year = DATA_YEARS[1] + 1
    # the warranty ends in that year, the case is months before: the rollover decides nothing
    assert decide(registry, purchase__date="2026-06-05").calendar_gaps == ()
    # the case falls after the period's last day before any rollover: the rest days of that year decide
    bought = f"{year - 1}-06-12"
    d = decide(registry, case_date=f"{year}-06-14", purchase__date=bought)
    assert d.to_dict()["calendar_gaps"] == [year]
    assert decide(registry, case_date=f"{year}-06-11", purchase__date=bought).calendar_gaps == ()
    # far past the end no rest day can reach the case: nothing to say
    assert decide(registry, case_date=f"{year}-09-01", purchase__date=bought).calendar_gaps == ()


def test_national_day_rollover_reaches_the_decision(registry):
    d = decide(registry, case_date="2026-10-08", purchase__date="2025-10-01")
    assert d.remedy("repair").available
    assert d.coverage.end == date(2026, 10, 8)


def test_paid_repair_exactly_when_no_free_remedy(registry):
    for purchase in ("2026-06-12", "2025-01-01"):
        d = decide(registry, purchase__date=purchase)
        assert d.remedy("paid_repair").available == (not d.free_remedy)


@pytest.mark.parametrize("brand,device", [("apple", {"model": "iPhone", "part_number": "MTLE3CH/A"}),
                                          ("huawei", {"model": "Mate", "model_code": "BRA-AL00"})])
def test_remedies_are_in_contract_order(registry, brand, device):
    d = decide(registry, brand=brand, device=device)
    order = [r.remedy for r in d.remedies]
    assert order == sorted(order, key=["return", "exchange", "repair", "paid_repair"].index)


def test_a_policys_workflow_keeps_the_defaults_it_leaves_out(registry):
    from aftersales.core.rules import CompiledPolicy, Workflow

    generic = next(p for p in registry.all_policies() if p.id == "generic_sanbao")
    data = {**generic.data, "workflow": {"follow_up_days": 5, "simple_repair_working_days": [2, 4], "citation": "x"}}
    workflow = CompiledPolicy(data, sha256=generic.sha256, source="test", plugin="generic_sanbao").workflow
    assert workflow == Workflow()._replace(follow_up_days=5, simple_repair_working_days=(2, 4), citation="x")
    assert generic.workflow.complex_repair_working_days == (7, 10) and generic.workflow.citation


def test_an_exclusion_both_the_statute_and_the_brand_apply_is_listed_once_naming_both(registry):
    case = copy.deepcopy(BASE)
    case.update(brand="huawei", device={"model": "Mate 60", "model_code": "ALN-AL00"})
    case["purchase"] = {"channel": "authorized_reseller", "date": "2024-01-10", "country": "CN"}
    d = registry.evaluate(registry.parse_case(case))
    expired = [e for e in d.to_dict()["exclusions"] if e["id"] == "expired"]
    assert len(expired) == 1
    assert sorted(expired[0]["policies"]) == ["generic_sanbao", "huawei"]
    wet = registry.evaluate(registry.parse_case({**case, "condition": {"liquid_damage": True},
                                                 "purchase": {**case["purchase"], "date": "2026-06-01"}}))
    ids = [e["id"] for e in wet.to_dict()["exclusions"]]
    assert ids.count("liquid_damage") == 1


def test_a_refund_instead_of_an_exchange_is_counted_in_fen_and_never_below_zero():
    from aftersales.core.refund import RefundRule, refund_instead, refund_text

    rule = RefundRule(policy="p", components=frozenset({"host"}), except_bases=frozenset({"doa"}), rate_per_day=0.005,
                      no_stock_citation="18", depreciation_citation="19")
    day = date(2026, 6, 15)
    got = refund_instead(rule, price=4999.99, same_model_in_stock=True, invoice_date=date(2026, 6, 2), case_date=day,
                         days_in_repair=3)
    assert (got.days_charged, got.amount, got.basis) == (10, 4749.99, "depreciated")  # 4999.99 x 0.95 = 4749.9905
    assert refund_text(got.to_dict()) == "不换机可退款 ¥4,749.99（按每日 0.5% 折旧）"
    late = refund_instead(rule, price=100, same_model_in_stock=None, invoice_date=date(2025, 6, 1), case_date=day,
                          days_in_repair=0)
    assert late.amount == 0.0 and late.days_charged == 379
    full = refund_instead(rule, price=100, same_model_in_stock=False, invoice_date=date(2025, 6, 1), case_date=day,
                          days_in_repair=0)
    assert (full.amount, full.basis) == (100.0, "full_no_stock")
    assert rule.follows("host", "dap") and not rule.follows("host", "doa") and not rule.follows("battery", "dap")


def test_a_pending_offer_names_the_papers_it_will_need(registry):
    d = decide(registry, fault__confirmed=False, documents=["sanbao_certificate"])
    exchange = d.remedy("exchange")
    assert exchange.status == "pending_detection" and not exchange.available
    assert exchange.missing_documents == ("invoice",)
    assert d.available() == ["paid_repair"]


def test_a_policy_let_go_is_collected_with_the_results_its_offers_hold(registry):
    """An offer holds its ready-made results and each result holds its offer: the results are
    records the collector tracks, so a policy replaced by a reload does not stay in memory."""
    import gc
    import weakref

    from aftersales.core.rules import CompiledPolicy

    generic = next(p for p in registry.all_policies() if p.id == "generic_sanbao")
    policy = CompiledPolicy(generic.data, sha256=generic.sha256, source="test", plugin="generic_sanbao")
    assert any(rule.na_results or rule.fixed for rule in policy.offers)
    gone = weakref.ref(policy)
    del policy
    gc.collect()
    assert gone() is None


def test_a_record_built_by_position_must_name_its_fields_in_declared_order():
    from aftersales.core.engine import _in_field_order
    from aftersales.core.outcomes import OfferJudged

    assert _in_field_order(OfferJudged, "result", "status", "excluded_by", "missing") is OfferJudged
    with pytest.raises(ImportError, match="OfferJudged fields are"):
        _in_field_order(OfferJudged, "status", "result", "excluded_by", "missing")


def test_a_record_read_whole_gives_its_fields_in_the_order_the_engine_names_them():
    from aftersales.core.engine import _in_field_order, _offer_fields
    from aftersales.core.outcomes import OfferJudged, OfferResult

    result = OfferResult(rule=None, status="expired", detail="d", start=None, end=None, missing=("invoice",),
                         asks_missing=("box",), unknown_years=(2099,))
    assert _offer_fields(result) == (None, "expired", "d", None, None, ("invoice",), ("box",), (2099,))
    read = _in_field_order(OfferJudged, "result", "status", "excluded_by", "missing", read=True)
    assert read(OfferJudged(result=result, status="excluded", excluded_by="liquid", missing=())) == (
        result, "excluded", "liquid", ())
    with pytest.raises(ImportError, match="OfferJudged fields are .* the engine reads"):
        _in_field_order(OfferJudged, "result", "excluded_by", "status", "missing", read=True)


def _huawei(registry, purchase: str, **changes):
    case = copy.deepcopy(BASE)
    case.update(brand="huawei", device={"model": "Mate 60", "model_code": "ALN-AL00"}, case_date="2026-09-10")
    case["purchase"] = {"channel": "authorized_reseller", "date": purchase, "country": "CN"}
    case.update(changes)
    d = registry.evaluate(registry.parse_case(case)).to_dict()
    expired = next((e for e in d["exclusions"] if e["id"] == "expired"), None)
    return d, sorted(expired["policies"]) if expired else []


def test_a_policys_expiry_is_reported_only_when_none_of_its_free_offers_is_in_time(registry):
    """Huawei's 12 months ran out, its extended warranty runs 24: a wet phone is refused for the
    water, not because "Huawei's warranty has ended" (the coverage shown runs to 2027). The same
    when the offer in time waits for papers or for the fault to be tested: what to bring or do
    is the reason, not an expiry."""
    plan = {"coverage_plans": ["huawei_extended_warranty"]}
    wet, expired = _huawei(registry, "2025-03-01", condition={"liquid_damage": True}, **plan)
    assert wet["entitlement"] == "paid_repair" and wet["coverage"]["end"] == "2027-03-01"
    assert [r["status"] for r in wet["remedies"] if r["remedy"] == "repair"] == ["excluded"]
    assert expired == ["generic_sanbao"]   # the statutory 12 months have ended; Huawei's cover has not
    no_invoice, expired = _huawei(registry, "2025-03-01", documents=[], **plan)
    assert [r["status"] for r in no_invoice["remedies"] if r["remedy"] == "repair"] == ["blocked_documents"]
    assert expired == ["generic_sanbao"]
    untested, expired = _huawei(registry, "2025-03-01", fault={"component": "host", "confirmed": False}, **plan)
    assert [r["status"] for r in untested["remedies"] if r["remedy"] == "repair"] == ["pending_detection"]
    assert expired == ["generic_sanbao"]
    # without the plan both have ended, and both say so
    _ended, expired = _huawei(registry, "2025-03-01", condition={"liquid_damage": True})
    assert expired == ["generic_sanbao", "huawei"]
