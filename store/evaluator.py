"""The store's view of the policy engine: parse a v1 case, decide it, read the workflow limits.

``RegistryEvaluator`` wraps ``aftersales.core.registry`` (imported lazily). Anything with the
same four methods can stand in (tests, benchmarks, other front-ends).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Protocol

from .workflow import DEFAULT_SETTINGS, WorkflowSettings, settings_from


class Evaluator(Protocol):
    def parse(self, mapping: Mapping[str, Any], today: date) -> Any: ...
    def evaluate(self, case: Any) -> tuple[dict, str | None]: ...
    def workflow(self, case: Any) -> WorkflowSettings: ...
    def brand_label(self, brand: str) -> str: ...


def best_remedy(decision: Mapping[str, Any]) -> str | None:
    """The first available remedy in the contract's order (return, exchange, repair, paid_repair)."""
    from aftersales.core.vocab import REMEDY_ORDER

    available = {r.get("remedy") for r in decision.get("remedies", ()) if r.get("available")}
    return next((r for r in REMEDY_ORDER if r in available), None)


class RegistryEvaluator:
    """The real engine (plugins and policies as ``load_registry()`` finds them)."""

    def __init__(self, registry=None) -> None:
        if registry is None:
            from aftersales.core.registry import load_registry

            registry = load_registry()
        self.registry = registry
        self._labels: dict[str, str] = {}

    def parse(self, mapping, today):
        return self.registry.parse_case(mapping, today=today)

    def evaluate(self, case):
        from aftersales.core.registry import plugins_print_to_stderr

        with plugins_print_to_stderr():   # a plugin's print never mixes into a command's answer (--json)
            decision = self.registry.evaluate(case)
        data = decision.to_dict()
        entitlement = getattr(decision, "entitlement", None)
        if entitlement is None:
            entitlement = best_remedy(data)
        return data, entitlement

    def workflow(self, case) -> WorkflowSettings:
        getter = getattr(self.registry, "workflow", None)
        if getter is None:  # an engine without workflow settings: the seeds' defaults
            return DEFAULT_SETTINGS
        return settings_from(getter(case))

    def brand_label(self, brand: str) -> str:
        if brand not in self._labels:
            meta = getattr(self.registry, "brands", {}).get(brand)
            self._labels[brand] = getattr(meta, "label_zh", None) or brand
        return self._labels[brand]


def default_evaluator() -> Evaluator:
    return RegistryEvaluator()
