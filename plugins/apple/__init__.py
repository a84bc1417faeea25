"""apple: Apple's own terms for iPhone units serviced in mainland China (policies/apple.yaml)."""

from __future__ import annotations

from typing import Any

from aftersales.core.plugininfo import Brand
from aftersales.core.policyplugin import PolicyPlugin
from aftersales.policies import bundled


class ApplePlugin(PolicyPlugin):
    name = "apple"
    version = "2026.1"
    brands = [Brand("apple", "苹果", "Apple", aliases=("pingguo", "pg", "iphone"))]

    def policy_files(self) -> list[Any]:
        return [bundled("apple.yaml")]


plugin = ApplePlugin()
