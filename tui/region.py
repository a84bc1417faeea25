"""How the region a unit was made for was found, in words for the clerk (no rule ids).

The decision names the region rule that decided (``policy/rule``); the loaded policies say
which field that rule reads. A region read from the part number or the model code is known; one
chosen by the clerk is theirs; anything else (the country of purchase, the statutory default)
is only assumed, and the clerk is asked for the field the brand's own rules read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .i18n import country, field_label, t

#: fields that identify the unit itself (a region read from one of them is known, not assumed)
UNIT_FIELDS = ("device.part_number", "device.model_code")


def _rules(registry: Any) -> tuple[dict[str, str | None], dict[str, tuple[str, ...]]]:
    """(``policy/rule`` -> the field it reads, brand -> the unit fields its own rules read)."""
    fields: dict[str, str | None] = {}
    asks: dict[str, list[str]] = {}
    for policy in registry.all_policies():
        for rule in getattr(policy, "region_rules", ()):
            fields[f"{policy.id}/{rule.id}"] = rule.field
            if rule.field in UNIT_FIELDS:
                for brand in getattr(policy, "brands", None) or ():
                    if rule.field not in asks.setdefault(brand, []):
                        asks[brand].append(rule.field)
    return fields, {b: tuple(f) for b, f in asks.items()}


def region_note(registry: Any, decision: Mapping[str, Any] | None, values: Mapping[str, Any],
                lang: str) -> tuple[str, str | None] | None:
    """(how the region was found, what to ask for when it was only assumed, else ``None``)."""
    if decision is None or registry is None or not decision.get("region"):
        return None
    if str(values.get("device.region") or "").strip():
        return t("region.how_given", lang), None
    from aftersales.core.decision import identified_by

    plugin = identified_by(decision.get("trace") or ())
    if plugin:   # a plugin's code said it (a network's may): whose word it is
        return t("region.how_plugin", lang, plugin=plugin), None
    fields, asks = _rules(registry)
    field = fields.get(decision.get("region_rule") or "")
    if field in UNIT_FIELDS:
        return t("region.how_read", lang, field=field_label(field, lang),
                 value=str(values.get(field) or "").strip()), None
    wanted = asks.get(str(decision.get("brand") or values.get("brand") or ""), ())
    if field == "purchase.country":
        how = t("region.how_country", lang, country=country(str(values.get("purchase.country") or ""), lang))
    else:
        how = t("region.how_default", lang)
    if wanted:
        ask = t("region.ask", lang, fields=t("or", lang).join(field_label(f, lang) for f in wanted))
    else:
        ask = t("region.ask_any", lang)
    return how, ask
