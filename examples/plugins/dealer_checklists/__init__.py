"""dealer_checklists: a service network's checklists for an opening-box or 15-day exchange.

A drop-in plugin (``--plugins-dir examples/plugins`` or ``AFTERSALES_PLUGINS_DIR``): no install,
nothing in the core. It serves Nokia, Samsung and Motorola units and ships one network policy
(``dealer_checklists.yaml``) that declares its own documents and checklist items (the handset,
its back cover, the serial stickers, an invoice naming the model and IMEI...), the remedies they
gate, and a notice on one of them. Its terms are stricter than the law: ``aftersales policy
validate`` flags them against the statutory floor, and the statutory remedies still hold.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aftersales.core.plugininfo import Brand
from aftersales.core.policyplugin import PolicyPlugin


class DealerChecklists(PolicyPlugin):
    name = "dealer_checklists"
    version = "1.0"
    brands = [
        Brand("nokia", "诺基亚", "Nokia"),
        Brand("samsung", "三星", "Samsung"),
        Brand("motorola", "摩托罗拉", "Motorola"),
    ]

    def policy_files(self) -> list[Any]:
        return [Path(__file__).with_name("dealer_checklists.yaml")]


plugin = DealerChecklists()
