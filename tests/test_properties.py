"""Property tests: the floor holds, time only takes away, papers only add, no stray exceptions."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from aftersales.core.errors import AftersalesError
from aftersales.core.vocab import CHANNELS, COMPONENTS, CONDITIONS, COVERAGE_PLANS, DOCUMENTS, PARTS

FREE = {"return", "exchange", "repair"}
CASE_DATE = date(2026, 6, 15)

devices = {
    "generic": {"model": "Redmi Note 13"},
    "apple": {"model": "iPhone 15", "part_number": "MTLE3CH/A"},
    "huawei": {"model": "Mate 60", "model_code": "BRA-AL00"},
}


@st.composite
def mainland_cases(draw):
    brand = draw(st.sampled_from(sorted(devices)))
    age = draw(st.integers(min_value=0, max_value=800))
    purchase = CASE_DATE - timedelta(days=age)
    case = {
        "case_date": CASE_DATE.isoformat(),
        "brand": brand,
        "device": dict(devices[brand]),
        "purchase": {"channel": draw(st.sampled_from(sorted(CHANNELS))), "date": purchase.isoformat(), "country": "CN"},
        "documents": sorted(draw(st.sets(st.sampled_from(sorted(DOCUMENTS))))),
        "fault": {"component": draw(st.sampled_from(sorted(COMPONENTS))), "confirmed": draw(st.booleans())},
        "condition": {flag: True for flag in draw(st.sets(st.sampled_from(sorted(CONDITIONS)), max_size=3))},
        "history": {
            "warranty_repairs_for_fault": draw(st.integers(0, 3)),
            "days_in_repair": draw(st.integers(0, 40)),
            "current_repair_days": draw(st.integers(0, 70)),
            "awaiting_parts": draw(st.booleans()),
        },
        "coverage_plans": sorted(draw(st.sets(st.sampled_from(sorted(COVERAGE_PLANS)), max_size=2))),
    }
    if draw(st.booleans()):
        case["device"]["production_date"] = (purchase - timedelta(days=draw(st.integers(0, 200)))).isoformat()
    if draw(st.booleans()):
        case["activation_date"] = (purchase + timedelta(days=draw(st.integers(0, min(age, 30))))).isoformat()
    if draw(st.booleans()):
        case["fault"]["part"] = draw(st.sampled_from(sorted(PARTS)))
    return case


SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(mainland_cases())
def test_no_brand_is_less_favourable_than_the_statutory_floor(registry, case):
    brand_decision = registry.evaluate(registry.parse_case(case))
    generic = dict(case, brand="generic", device={"model": "x", **{k: v for k, v in case["device"].items() if k == "production_date"}})
    floor = registry.evaluate(registry.parse_case(generic))
    assert set(floor.available()) & FREE <= set(brand_decision.available())
    if floor.exchange and floor.exchange.warranty_after == "restarts" and brand_decision.exchange:
        assert brand_decision.exchange.warranty_after == "restarts"


@SETTINGS
@given(mainland_cases(), st.integers(min_value=1, max_value=400))
def test_a_later_case_date_never_adds_a_remedy(registry, case, later):
    early = registry.evaluate(registry.parse_case(case))
    moved = dict(case, case_date=(CASE_DATE + timedelta(days=later)).isoformat())
    late = registry.evaluate(registry.parse_case(moved))
    assert set(late.available()) & FREE <= set(early.available()) & FREE


#: papers that prove when the unit was bought
DATE_PROOFS = {"invoice", "invoice_copy", "purchase_receipt"}


@SETTINGS
@given(mainland_cases(), st.sampled_from(sorted(DOCUMENTS)))
def test_one_more_document_never_removes_a_remedy(registry, case, document):
    # a paper that proves the purchase date replaces the no-papers start (production date + 90
    # days, read only when no invoice is shown): the proven date may be earlier, and it decides
    assume(not (document in DATE_PROOFS and not DATE_PROOFS & set(case["documents"])))
    before = registry.evaluate(registry.parse_case(case))
    more = dict(case, documents=sorted(set(case["documents"]) | {document}))
    after = registry.evaluate(registry.parse_case(more))
    assert set(before.available()) & FREE <= set(after.available())


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=12) | st.sampled_from(["2026-06-15", "host", "apple", "CN"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(
        st.sampled_from(["brand", "device", "model", "purchase", "date", "fault", "component", "confirmed", "documents",
                         "condition", "history", "case_date", "imei", "channel", "region", "x"]), children, max_size=5),
    max_leaves=20,
)


@settings(max_examples=400, deadline=None)
@given(json_values)
def test_any_input_gives_a_decision_or_the_projects_own_error(registry, data):
    try:
        registry.evaluate(registry.parse_case(data, today=CASE_DATE))
    except AftersalesError:
        pass


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mainland_cases(), st.dictionaries(st.sampled_from(["brand", "device", "purchase", "fault", "documents", "history"]),
                                         st.none() | st.integers() | st.text(max_size=5) | st.lists(st.integers(), max_size=2), max_size=2))
def test_damaged_cases_give_a_decision_or_the_projects_own_error(registry, case, damage):
    broken = dict(case, **damage)
    try:
        registry.evaluate(registry.parse_case(broken))
    except AftersalesError:
        pass
