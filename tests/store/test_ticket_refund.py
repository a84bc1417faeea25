"""The service ticket says what a customer due an exchange may take back instead, in one line."""

from __future__ import annotations

from scenario_helpers import load_scenario, scenario_files

from aftersales.store.documents import render_ticket


def _view(registry, stem: str) -> dict:
    case = load_scenario(next(p for p in scenario_files() if p.stem == stem))["case"]
    decision = registry.evaluate(registry.parse_case(case)).to_dict()
    return {"case": case, "brand": case["brand"], "decisions": [{"seq": 1, "decision": decision}]}


def test_the_ticket_carries_the_refund_line_and_the_invoice_price(registry):
    view = _view(registry, "generic-day9-refund-instead")
    text = render_ticket(view)
    assert "不换机可退款 ¥2,865.00（按每日 0.5% 折旧）" in text
    assert "¥3,000.00" in text
    assert "不换机可退款" in render_ticket(view, fmt="html")


def test_a_ticket_without_a_refund_says_nothing_of_one(registry):
    assert "不换机可退款" not in render_ticket(_view(registry, "generic-day5-return"))


def test_the_ticket_names_the_policies_by_their_titles_not_their_ids(registry):
    """The customer reads which terms decided: 移动电话机商品三包规定（法定底线）, not generic_sanbao."""
    from aftersales.core.plugininfo import policy_titles

    view = _view(registry, "generic-day5-return")
    text = render_ticket(view, policy_titles=policy_titles(registry, "zh"))
    assert "依据政策版本：" in text and "generic_sanbao" not in text
    assert "移动电话机商品三包规定（法定底线） v2001.1" in " ".join(text.split())
    assert "generic_sanbao v2001.1" in render_ticket(view)          # no titles given: the ids


def test_the_ticket_says_how_an_exchange_is_done_only_when_one_is_open(registry):
    """Day 120, a repair only: the customer's copy said 换货方式：留机待通知 for an exchange they
    could not have (the counter's panel says it only while an exchange is open)."""
    repair = _view(registry, "generic-day120-repair")
    decision = repair["decisions"][0]["decision"]
    assert decision["exchange"] and not any(r["available"] for r in decision["remedies"] if r["remedy"] == "exchange")
    assert "换货方式" not in render_ticket(repair)
    assert "换货方式" in render_ticket(_view(registry, "generic-day10-exchange"))
