"""huawei: Huawei's terms for its phones in mainland China (policies/huawei.yaml)."""

from __future__ import annotations

from importlib import resources
from typing import Any

from aftersales.core.plugininfo import Brand
from aftersales.core.policyplugin import PolicyPlugin


class HuaweiPlugin(PolicyPlugin):
    name = "huawei"
    version = "2026.1"
    brands = [Brand("huawei", "华为", "Huawei")]

    def policy_files(self) -> list[Any]:
        return [resources.files("aftersales.policies") / "huawei.yaml"]


plugin = HuaweiPlugin()
