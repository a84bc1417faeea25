"""``PolicyPlugin``: a plugin that is data, its brands and its policies.

The bundled plugins are subclasses with nothing but data; a new brand usually is too::

    class XiaomiPlugin(PolicyPlugin):
        name = "xiaomi"
        version = "1.0"
        brands = [Brand("xiaomi", "小米", "Xiaomi")]

        def policy_files(self):
            return [importlib.resources.files("aftersales_xiaomi") / "xiaomi.yaml"]

    plugin = XiaomiPlugin()

Every hook it implements is a load-time one (see ``hookspecs``): the engine compiles the
policies once per registry snapshot and decides from them. A brand in Python alone returns its
policies as mappings from ``policies()`` instead of files; a condition YAML cannot say is a
named predicate (``predicates()``), used in ``when`` as ``predicate.<name>``. Where the region
of a unit can only be worked out in code, add the per-case hook ``aftersales_identify_device``.

Which policy identifies a unit and gives the exchange rule is data too: first the policies
naming the case's brand, then those for any brand (the statutory floor, ``brands: any``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .hookspecs import hookimpl
from .plugininfo import Brand


class PolicyPlugin:
    """Answers the load-time hooks from the plugin's brands, policy files, policies and predicates."""

    name: str = ""
    version: str = "0"
    brands: Sequence[Brand] = ()

    def policy_files(self) -> list[Any]:
        """Paths or ``importlib.resources`` traversables of this plugin's YAML policies."""
        return []

    def policies(self) -> list[Mapping[str, Any]]:
        """Policies as mappings (the shape of a YAML policy), for a brand written in Python."""
        return []

    def predicates(self) -> Mapping[str, Callable[[Any], bool]]:
        """``{name: function(case) -> bool}`` for ``when: {predicate.<name>: true}``."""
        return {}

    @hookimpl
    def aftersales_brands(self) -> list[Brand]:
        brands = self.brands
        if not isinstance(brands, (list, tuple)) or not all(isinstance(b, Brand) for b in brands):
            return brands  # type: ignore[return-value]  # as written: the registry says what is wrong with it
        return [b._replace(plugin=self.name) for b in brands]

    @hookimpl
    def aftersales_policy_files(self) -> Sequence[Any]:
        return self.policy_files()   # checked by the registry, as any plugin's answer

    @hookimpl
    def aftersales_policies(self) -> Sequence[Mapping[str, Any]]:
        return self.policies()

    @hookimpl
    def aftersales_predicates(self) -> Mapping[str, Callable[[Any], bool]]:
        return self.predicates()
