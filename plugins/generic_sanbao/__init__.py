"""generic_sanbao: the statutory floor (《移动电话机商品修理更换退货责任规定》, 2001).

Brand ``generic`` is the regulation alone, for any maker without a plugin of its own; the same
policy makes the statutory offers for every brand's mainland unit. Its region and exchange
answers come last (``trylast``) so a brand plugin answers first.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from aftersales.core.hookspecs import hookimpl
from aftersales.core.plugininfo import Brand
from aftersales.core.policyplugin import PolicyPlugin


class GenericSanbaoPlugin(PolicyPlugin):
    name = "generic_sanbao"
    version = "2001.1"
    brands = [Brand("generic", "其他品牌（仅三包规定）", "any other maker (statutory rules only)")]

    def policy_files(self) -> list[Any]:
        return [resources.files("aftersales.policies") / "generic_sanbao.yaml"]

    @hookimpl(trylast=True)
    def aftersales_identify_device(self, case: Any, ctx: Any) -> Any:
        for policy in ctx.policies_of(self.name):
            identity = policy.identify(case, self.name)
            if identity is not None:
                return identity
        return None

    @hookimpl(trylast=True)
    def aftersales_exchange_rule(self, case: Any, ctx: Any) -> Any:
        for policy in ctx.policies_of(self.name):
            if policy.exchange is not None and policy.applies(case, ctx.region):
                return policy.exchange
        return None


plugin = GenericSanbaoPlugin()
