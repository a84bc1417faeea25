"""huawei: Huawei's terms for its phones in mainland China (policies/huawei.yaml)."""

from __future__ import annotations

from typing import Any

from aftersales.core.plugininfo import Brand
from aftersales.core.policyplugin import PolicyPlugin
from aftersales.policies import bundled


class HuaweiPlugin(PolicyPlugin):
    name = "huawei"
    version = "2026.1"
    brands = [Brand("huawei", "华为", "Huawei", aliases=("hw",))]

    def policy_files(self) -> list[Any]:
        return [bundled("huawei.yaml")]


plugin = HuaweiPlugin()
