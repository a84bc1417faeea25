"""A refund instead of an exchange: the amount the customer may take back when an exchange is due.

The rule is a policy's (``refund_instead`` in a policy file, see ``policies/policy.schema.json``):
which exchanges it follows (the faulty component, the bases it leaves out), the full price when
the seller has no unit of the same model and specification, and otherwise the price less a
depreciation per day counted from the invoice date to the case date, less the days in repair.
The statutory policy carries the regulation's (第十八条, 第十九条, 附录1 折旧率 0.5 % a day).

Pure: everything comes from the case and the compiled policy. Amounts are counted in fen with
``decimal`` (half up), never below zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

from .vocab import money

_FEN = Decimal("0.01")


class RefundRule(NamedTuple):
    """A policy's ``refund_instead``, compiled."""

    policy: str
    components: frozenset[str]
    except_bases: frozenset[str]
    rate_per_day: float
    no_stock_citation: str
    depreciation_citation: str
    #: the editors' references (sources' sections); never shown to customers
    ref: str | None = None

    @classmethod
    def from_data(cls, policy: str, data: Mapping[str, Any]) -> RefundRule:
        return cls(policy=policy, components=frozenset(data.get("components", ())),
                   except_bases=frozenset(data.get("except_bases", ())),
                   rate_per_day=float(data["depreciation"]["rate_per_day"]),
                   no_stock_citation=data["no_stock"]["citation"],
                   depreciation_citation=data["depreciation"]["citation"], ref=data.get("ref"))

    def follows(self, component: str, basis: str) -> bool:
        """Whether an exchange of ``component`` on ``basis`` may be taken as a refund."""
        return component in self.components and basis not in self.except_bases


class RefundInstead(NamedTuple):
    """What a customer due an exchange may take back instead (``amount`` None: no price given)."""

    amount: float | None
    price: float | None
    days_charged: int
    rate_per_day: float
    basis: str  #: ``full_no_stock`` (no same model in stock) or ``depreciated``
    policy: str
    citation: str

    def to_dict(self) -> dict[str, Any]:
        return {"amount": self.amount, "price": self.price, "days_charged": self.days_charged,
                "rate_per_day": self.rate_per_day, "basis": self.basis,
                "granted_by": {"policy": self.policy, "citation": self.citation}}


def refund_instead(rule: RefundRule, *, price: float | None, same_model_in_stock: bool | None,
                   invoice_date: date | None, case_date: date, days_in_repair: int) -> RefundInstead:
    """The refund for an exchange due under ``rule``: the full price when the same model is out
    of stock (``same_model_in_stock`` False), else the price less ``rate_per_day`` for each day
    from ``invoice_date`` to ``case_date`` less ``days_in_repair`` (never below zero)."""
    if same_model_in_stock is False:
        amount = None if price is None else float(Decimal(str(price)).quantize(_FEN, ROUND_HALF_UP))
        return RefundInstead(amount, price, 0, rule.rate_per_day, "full_no_stock", rule.policy, rule.no_stock_citation)
    days = 0 if invoice_date is None else max(0, (case_date - invoice_date).days - days_in_repair)
    amount = None
    if price is not None:
        left = Decimal(str(price)) * (1 - Decimal(str(rule.rate_per_day)) * days)
        amount = float(max(Decimal(0), left).quantize(_FEN, ROUND_HALF_UP))
    return RefundInstead(amount, price, days, rule.rate_per_day, "depreciated", rule.policy, rule.depreciation_citation)


_WORDS = {
    "zh": {"full_no_stock": "不换机可退款 {amount}（无同型号同规格机器，全额退款）",
           "depreciated": "不换机可退款 {amount}（按每日 {rate} 折旧）",
           "full_no_stock_no_price": "不换机可全额退款（无同型号同规格机器，按发票金额）",
           "depreciated_no_price": "不换机可退款：发票金额扣除 {days} 天 × 每日 {rate} 折旧"},
    "en": {"full_no_stock": "a refund instead of the exchange: {amount} (no unit of the same model in stock: the full price)",
           "depreciated": "a refund instead of the exchange: {amount} (less {rate} a day)",
           "full_no_stock_no_price": "a refund instead of the exchange: the full invoice price (no unit of the same model)",
           "depreciated_no_price": "a refund instead of the exchange: the invoice price less {days} days x {rate}"},
}


def refund_text(block: Mapping[str, Any], lang: str = "zh") -> str:
    """The one line people read for a ``refund_instead`` block of the decision JSON."""
    words = _WORDS["en" if lang == "en" else "zh"]
    rate = f"{Decimal(str(block['rate_per_day'])) * 100:f}".rstrip("0").rstrip(".") + "%"
    amount = block.get("amount")
    key = block["basis"] if amount is not None else f"{block['basis']}_no_price"
    return words[key].format(amount=money(amount) if amount is not None else "", rate=rate,
                             days=block.get("days_charged"))
