"""generic_sanbao: the statutory floor (《移动电话机商品修理更换退货责任规定》, 2001).

Brand ``generic`` is the regulation alone, for any maker without a plugin of its own; the same
policy makes the statutory offers for every brand's mainland unit. Its policy is for any brand
(``brands: any``), so its region rules and exchange rule are read after those of the policies
naming the case's brand.
"""

from __future__ import annotations

from typing import Any

from aftersales.core.plugininfo import Brand
from aftersales.core.policyplugin import PolicyPlugin
from aftersales.policies import bundled


class GenericSanbaoPlugin(PolicyPlugin):
    name = "generic_sanbao"
    version = "2001.1"
    # (a maker's name typed, 小米, is not taken for it: the clerk is told which brands there are
    # and chooses 其他品牌 knowing that only the statutory rules decide)
    brands = [Brand("generic", "其他品牌（仅三包规定）", "any other maker (statutory rules only)", aliases=("qita", "qt"))]

    def policy_files(self) -> list[Any]:
        return [bundled("generic_sanbao.yaml")]


plugin = GenericSanbaoPlugin()
