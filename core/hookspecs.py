"""The hooks a plugin may implement, all prefixed ``aftersales_``.

A plugin is any object or module with functions marked ``@aftersales.hookimpl``; it is found
through the entry-point group ``aftersales.plugins`` (the bundled generic_sanbao, apple and
huawei plugins register exactly that way), or from a drop-in folder. Most plugins need no code
beyond data: subclass :class:`aftersales.core.policyplugin.PolicyPlugin`, which implements every
hook from the plugin's YAML policies.

Hooks called per case get the frozen :class:`~aftersales.core.model.Case` and an
:class:`~aftersales.core.engine.EvaluationContext` (``ctx``): ``ctx.region`` (once known),
``ctx.policy_versions(policy_id)`` and ``ctx.registry``. They must not do I/O: the decision path
is pure. A hook implementation that raises is reported in the decision (``plugin_errors``) and
the other plugins keep working.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

import pluggy

if TYPE_CHECKING:  # pragma: no cover
    from .engine import EvaluationContext, ExclusionHit, ExchangeRule, Identity, OfferResult
    from .model import Case
    from .plugininfo import Brand

PROJECT = "aftersales"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def aftersales_brands() -> Sequence["Brand"]:
    """Brands this plugin serves.

    Called once when the registry loads. Return a list of
    :class:`~aftersales.core.plugininfo.Brand` (id, Chinese and English names). A case whose
    ``brand`` no plugin lists is refused with the list of known brands.

    Example::

        @hookimpl
        def aftersales_brands():
            return [Brand(id="xiaomi", label_zh="小米", label_en="Xiaomi")]
    """


@hookspec
def aftersales_policy_files() -> Sequence[Any]:
    """Policy files this plugin ships.

    Called once when the registry loads. Return paths or ``importlib.resources`` traversables of
    YAML policies; the registry validates each against the policy JSON Schema and compiles it.
    A policy that fails validation is refused with ``file:line:column`` and nothing half-loaded.

    Example::

        @hookimpl
        def aftersales_policy_files():
            return [importlib.resources.files("aftersales_xiaomi") / "xiaomi.yaml"]
    """


@hookspec(firstresult=True)
def aftersales_identify_device(case: "Case", ctx: "EvaluationContext") -> "Identity | None":
    """Work out which region the unit was made for (CN, HK, MO, TW, US, JP, OTHER).

    Called per case when the case does not give ``device.region``. Return an
    :class:`~aftersales.core.engine.Identity` (region, the rule that found it, its citation), or
    ``None`` when the case is not this plugin's brand. Stops at the first non-None result; the
    statutory plugin answers last (``trylast``) for any brand.

    Example::

        @hookimpl
        def aftersales_identify_device(case, ctx):
            if case.brand == "xiaomi" and case.device.model_code:
                return Identity("CN", "xiaomi", "region_from_model_code", "…")
    """


@hookspec
def aftersales_offers(case: "Case", ctx: "EvaluationContext") -> Sequence["OfferResult"]:
    """Offers of remedies for this case, each with its conditions already checked.

    Called per case for every plugin. Return one
    :class:`~aftersales.core.engine.OfferResult` per rule the plugin's policies have for the case
    (granted, blocked by documents, outside its window, not applicable...), or an empty list
    when none of its policies applies. The engine applies exclusions, then for each remedy picks
    the most favourable satisfied offer.

    Example::

        @hookimpl
        def aftersales_offers(case, ctx):
            return [result for policy in my_policies(ctx) for result in policy.offers(case, ctx)]
    """


@hookspec
def aftersales_exclusions(case: "Case", ctx: "EvaluationContext") -> Sequence["ExclusionHit"]:
    """Exclusions that hold for this case (liquid damage, jailbreak, ...).

    Called per case for every plugin. Return an
    :class:`~aftersales.core.engine.ExclusionHit` for each exclusion rule whose conditions hold.
    An exclusion refuses the free offers of its own policy; a statutory policy's exclusions
    refuse every policy's free offers, except offers that list the exclusion under ``covers``.

    Example::

        @hookimpl
        def aftersales_exclusions(case, ctx):
            if case.condition.liquid_damage:
                return [ExclusionHit("xiaomi", "xiaomi", "liquid_damage", False, "进液", "liquid", "…")]
            return []
    """


@hookspec
def aftersales_required_documents(case: "Case", remedy: str, ctx: "EvaluationContext") -> Sequence[str] | None:
    """Extra documents this plugin requires before its own offers of ``remedy`` are given.

    Called per case and remedy, only for plugins that implement it (the bundled plugins keep
    their documents in YAML and do not). Return document ids; they are added to the
    requirements of the offers granted by this plugin's policies, never to another plugin's.

    Example::

        @hookimpl
        def aftersales_required_documents(case, remedy, ctx):
            return ["id_document"] if remedy == "return" else None
    """


@hookspec(firstresult=True)
def aftersales_exchange_rule(case: "Case", ctx: "EvaluationContext") -> "ExchangeRule | None":
    """How an exchange is carried out for this case.

    Called per case. Return an :class:`~aftersales.core.engine.ExchangeRule` (``on_site`` or
    ``deferred``, lead days, whether the warranty ``restarts`` or ``continues``), or ``None``
    when the case is not this plugin's brand. Stops at the first non-None result; the statutory
    plugin answers last. For a mainland unit the engine keeps the statutory ``restarts`` when a
    brand says ``continues`` (the floor), and records it in the trace.

    Example::

        @hookimpl
        def aftersales_exchange_rule(case, ctx):
            if case.brand == "xiaomi":
                return ExchangeRule("on_site", None, "restarts", "xiaomi", "xiaomi", "exchange", "…")
    """


@hookspec
def aftersales_notices(case: "Case", ctx: "EvaluationContext") -> Sequence[Any]:
    """Notices for staff that are not remedies (a spare phone is due, the fault needs testing).

    Called per case for every plugin. Return :class:`~aftersales.core.engine.Notice` records
    for the notice rules of the plugin's policies whose conditions hold.

    Example::

        @hookimpl
        def aftersales_notices(case, ctx):
            if case.history.current_repair_days > 7:
                return [Notice("xiaomi", "xiaomi", "spare_phone_due", "应提供备用机", "spare phone due", "…")]
            return []
    """
