"""``PolicyPlugin``: a plugin whose every hook is answered from its YAML policies.

The bundled plugins are subclasses with nothing but data; a new brand usually is too::

    class XiaomiPlugin(PolicyPlugin):
        name = "xiaomi"
        version = "1.0"
        brands = [Brand("xiaomi", "小米", "Xiaomi")]

        def policy_files(self):
            return [importlib.resources.files("aftersales_xiaomi") / "xiaomi.yaml"]

    plugin = XiaomiPlugin()

Override a hook method (keeping ``@hookimpl``) where a rule cannot be said in YAML. A plugin
whose hooks are all ``PolicyPlugin``'s own answers from policies is *declarative*: the engine
then plans its answers once per kind of case instead of calling each hook for every case (see
``Engine``); overriding any hook method simply turns that off for the registry.

The statutory floor sets ``floor = True``: its policies then also say which region a unit of
*any* brand was made for, and how *any* brand's exchange is done, after every brand plugin
(``trylast``).
"""

from __future__ import annotations

from typing import Any, Sequence

from .hookspecs import hookimpl
from .outcomes import ExchangeRule, ExclusionHit, Identity, Notice, OfferResult
from .plugininfo import Brand


class PolicyPlugin:
    """Answers the hooks from the policies the plugin ships (see ``policy_files``)."""

    name: str = ""
    version: str = "0"
    brands: Sequence[Brand] = ()
    #: the statutory floor: answers region and exchange for every brand, after the brand plugins
    floor: bool = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("floor"):
            cls.aftersales_identify_device = _floor_identify_device  # type: ignore[method-assign]
            cls.aftersales_exchange_rule = _floor_exchange_rule  # type: ignore[method-assign]

    def policy_files(self) -> list[Any]:
        """Paths or ``importlib.resources`` traversables of this plugin's YAML policies."""
        return []

    @hookimpl
    def aftersales_brands(self) -> list[Brand]:
        return [Brand(b.id, b.label_zh, b.label_en, plugin=self.name) for b in self.brands]

    @hookimpl
    def aftersales_policy_files(self) -> list[Any]:
        return list(self.policy_files())

    @hookimpl
    def aftersales_identify_device(self, case: Any, ctx: Any) -> Identity | None:
        for policy in ctx.policies_of(self.name):
            if policy.brands is not None and case.brand in policy.brands:
                identity = policy.identify(case, self.name)
                if identity is not None:
                    return identity
        return None

    def _assessments(self, case: Any, ctx: Any) -> list[Any]:
        """(policy, assessment) for each of this plugin's policies that applies, once per case."""
        memo = ctx.memo
        found = memo.get(self.name)
        if found is None:
            region = ctx.region
            found = memo[self.name] = [
                (policy, policy.assess(case, region)) for policy in ctx.policies_of(self.name) if policy.applies(case, region)
            ]
        return found

    @hookimpl
    def aftersales_offers(self, case: Any, ctx: Any) -> list[OfferResult]:
        out: list[OfferResult] = []
        for _, assessment in self._assessments(case, ctx):
            out.extend(assessment.na)
            for offer in assessment.live:
                out.append(offer.tail(case))
        return out

    @hookimpl
    def aftersales_exclusions(self, case: Any, ctx: Any) -> list[ExclusionHit]:
        out: list[ExclusionHit] = []
        for _, assessment in self._assessments(case, ctx):
            out.extend(assessment.hits)
        return out

    @hookimpl
    def aftersales_notices(self, case: Any, ctx: Any) -> list[Notice]:
        out: list[Notice] = []
        for _, assessment in self._assessments(case, ctx):
            out.extend(assessment.notices)
        return out

    @hookimpl
    def aftersales_exchange_rule(self, case: Any, ctx: Any) -> ExchangeRule | None:
        for policy in ctx.policies_of(self.name):
            if policy.exchange is not None and policy.brands is not None and case.brand in policy.brands:
                return policy.exchange
        return None



# the floor's answers (``PolicyPlugin.floor``): every brand, after the brand plugins

@hookimpl(trylast=True)
def _floor_identify_device(self: PolicyPlugin, case: Any, ctx: Any) -> Identity | None:
    for policy in ctx.policies_of(self.name):
        identity = policy.identify(case, self.name)
        if identity is not None:
            return identity
    return None


@hookimpl(trylast=True)
def _floor_exchange_rule(self: PolicyPlugin, case: Any, ctx: Any) -> ExchangeRule | None:
    for policy in ctx.policies_of(self.name):
        if policy.exchange is not None and policy.applies(case, ctx.region):
            return policy.exchange
    return None


#: hook implementations that answer only from the plugin's policies, and how:
#: "brand" (policies naming the case's brand), "any" (the floor's), "policies" (every policy that applies)
DECLARATIVE = {
    PolicyPlugin.aftersales_identify_device: "brand",
    _floor_identify_device: "any",
    PolicyPlugin.aftersales_offers: "policies",
    PolicyPlugin.aftersales_exclusions: "policies",
    PolicyPlugin.aftersales_notices: "policies",
    PolicyPlugin.aftersales_exchange_rule: "brand",
    _floor_exchange_rule: "any",
}
