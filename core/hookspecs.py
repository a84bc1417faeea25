"""The hooks a plugin may implement, all prefixed ``aftersales_``.

A plugin is any object or module with functions marked ``@aftersales.hookimpl``; it is found
through the entry-point group ``aftersales.plugins`` (the bundled generic_sanbao, apple and
huawei plugins register exactly that way), or from a drop-in folder.

**Load-time hooks** are called once per registry snapshot (when the registry loads or
reloads), each plugin on its own: ``aftersales_brands``, ``aftersales_policy_files``,
``aftersales_policies`` and ``aftersales_predicates``. What they return is checked there and
then (a policy against the same JSON Schema as a YAML file) and compiled; the engine decides
from the compiled result. A brand is data: its terms, documents, exclusions, notices, region
rules and exchange rule are a policy, given as a YAML file or as a mapping from Python.

**Per-case hooks** are called for each case, only where the answer depends on the case in a way
data cannot say: ``aftersales_identify_device``. So is each named predicate a plugin offers,
when a condition of a policy that applies uses it.

Containment: each plugin is consulted on its own. A hook that raises (an overflow included),
returns a value of the wrong type, or a policy that does not validate, is named in the decision
(``plugin_errors``: plugin, hook, error; the CLI exits 3) and the statutory floor still decides.
A plugin that implements a hook as a wrapper (``wrapper=True`` or ``hookwrapper=True``) is
refused when it registers, named the same way. Hooks must not do I/O per case: the decision path
is pure.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:  # pragma: no cover
    from .model import Case
    from .outcomes import Identity
    from .plugininfo import Brand

PROJECT = "aftersales"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

#: the hooks called once per registry snapshot, and those called per case (docs and tests read these)
LOAD_TIME_HOOKS = ("aftersales_brands", "aftersales_policy_files", "aftersales_policies", "aftersales_predicates")
PER_CASE_HOOKS = ("aftersales_identify_device",)


@hookspec
def aftersales_brands() -> Sequence[Brand]:
    """Brands this plugin serves.

    Called once per registry snapshot (load-time). Return a list of
    :class:`~aftersales.core.plugininfo.Brand` (id, Chinese and English names, and ``aliases``: other
    words a clerk may type to choose it, pinyin or initials). A case whose
    ``brand`` no plugin lists is refused with the list of known brands.

    Example::

        @hookimpl
        def aftersales_brands():
            return [Brand(id="xiaomi", label_zh="小米", label_en="Xiaomi", aliases=("xm", "mi"))]
    """


@hookspec
def aftersales_policy_files() -> Sequence[Any]:
    """Policy files this plugin ships.

    Called once per registry snapshot (load-time). Return paths or ``importlib.resources``
    traversables of YAML policies; the registry validates each against the policy JSON Schema
    and compiles it. A policy that fails validation is refused with ``file:line:column`` and
    nothing half-loaded.

    Example::

        @hookimpl
        def aftersales_policy_files():
            return [importlib.resources.files("aftersales_xiaomi") / "xiaomi.yaml"]
    """


@hookspec
def aftersales_policies() -> Sequence[Mapping[str, Any]]:
    """Policies this plugin gives as Python mappings: a brand written in Python alone.

    Called once per registry snapshot (load-time). Return a list of mappings of the same shape
    as a YAML policy (dates as ISO text), each validated by the same JSON Schema and checks as a
    file, then compiled like one; its name in messages is ``<plugin>:aftersales_policies[i]``. A
    value that is not a list of mappings, or a policy that does not validate, is named in the
    decisions (``plugin_errors``) and left out; the other plugins' policies load as usual.

    Example::

        @hookimpl
        def aftersales_policies():
            return [{"schema_version": 1, "id": "xiaomi", "kind": "brand", "version": "1",
                     "title": {"zh": "小米", "en": "Xiaomi"}, "source": "xiaomi.com",
                     "effective": {"from": "2024-01-01"}, "applies_to": {"brands": ["xiaomi"]},
                     "offers": [...], "exchange": {...}}]
    """


@hookspec
def aftersales_predicates() -> Mapping[str, Callable[[Case], bool]]:
    """Named conditions written in Python, for policies' ``when`` clauses.

    Called once per registry snapshot (load-time). Return ``{name: function}``: a name (lower
    case letters, digits, ``_``) and a function of the case that returns ``True`` or ``False``.
    A policy then says ``when: {predicate.<name>: true}`` (or ``false``); the condition is
    compiled with the others. The function itself is called per case, only when a policy that
    applies to the case uses it, and at most once per case. A name another plugin offered first
    (in pluggy's order) or a malformed entry is refused and named; a function that raises or
    returns anything but a bool is named in the decision (``plugin_errors``) and its condition
    does not hold.

    Example::

        @hookimpl
        def aftersales_predicates():
            return {"refurbished_unit": lambda case: (case.device.serial or "").startswith("F")}
    """


@hookspec(firstresult=True)
def aftersales_identify_device(case: Case) -> Identity | None:
    """Work out which region the unit was made for (CN, HK, MO, TW, US, JP, OTHER), in code.

    Called per case, when the case does not give ``device.region``, for every plugin that
    implements it and serves the case's brand or serves no brand (never for another brand's
    plugin). A brand's own plugin answers before the policies' ``region_rules`` are read (a
    YAML brand needs no code for this: its ``region_rules`` say it); a network's (a plugin
    serving no brand) after the rules of the brand's own policies, before the statutory
    policy's: it places the units no brand policy places, never takes a unit its brand calls
    a mainland model out of the regulation's reach. Return an :class:`~aftersales.core.outcomes.Identity`
    (region, plugin, policy or None, rule, citation), or ``None`` when the case is not this
    plugin's brand. Stops at the first non-None result; anything else than an ``Identity`` with
    a known region, or an exception, is named in the decision and the next plugin answers.

    Example::

        @hookimpl
        def aftersales_identify_device(case):
            if case.brand == "xiaomi" and case.device.model_code:
                return Identity(region="CN", plugin="xiaomi", policy=None,
                                rule="region_from_model_code", citation="…")
    """
