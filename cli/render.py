"""The human view of a decision: a short summary, Chinese first (``lang="en"`` for English)."""

from __future__ import annotations

from aftersales.core.casefields import DERIVED, field_of
from aftersales.core.plugininfo import failure_line
from aftersales.core.refund import refund_text
from aftersales.core.vocab import CONDITIONS as _CONDITIONS
from aftersales.core.vocab import label, listed, money

_TEXT = {
    "zh": {
        "entitlement": "权益", "region": "机器版本", "why": "依据", "missing": "缺少单证", "asks": "另请出示",
        "exchange": "换货方式", "lead": "约 {a}–{b} 天", "location": "服务地点", "exclusions": "除外情形",
        "notices": "提示", "citations": "出处", "available": "可", "unavailable": "不可", "coverage": "权益期限",
        "days": "第 {n} 天", "days_before": "{n} 天后起算", "until": "至", "fee": "服务费",
        "calendar_gap": "{years} 年节假日数据缺失，期末顺延仅按周末计算",
        "reasons": {"outside_window": "不在期限内", "expired": "已过期", "missing_documents": "缺单证",
                    "not_applicable": "条件不符", "no_start": "缺少起算日期", "excluded": "除外",
                    "free_remedy_available": "有免费权益"},
        "pending": "检测确认后可{remedy}", "still_needs": "还需",
        "trace": "规则检查", "policies": "政策版本",
        # Chinese text takes full-width punctuation
        "colon": "：", "open": "（", "close": "）",
    },
    "en": {
        "entitlement": "Entitlement", "region": "Unit made for", "why": "Basis", "missing": "Missing papers", "asks": "Also ask for",
        "exchange": "Exchange", "lead": "about {a}–{b} days", "location": "Where", "exclusions": "Exclusions",
        "notices": "Notices", "citations": "Citations", "available": "yes", "unavailable": "no", "coverage": "Period",
        "days": "day {n}", "days_before": "starts in {n} days", "until": "to", "fee": "fee",
        "calendar_gap": "no holiday data for {years}: the end rolls over weekends only",
        "reasons": {"outside_window": "outside its window", "expired": "expired", "missing_documents": "papers missing",
                    "not_applicable": "conditions not met", "no_start": "no start date", "excluded": "excluded",
                    "free_remedy_available": "a free remedy is available"},
        "pending": "{remedy} once testing confirms the fault", "still_needs": "still needed",
        "trace": "Rules checked", "policies": "policies",
        "colon": ": ", "open": " (", "close": ")",
    },
}


def _identified_by(decision, lang: str) -> str:
    """Which plugin's code said where the unit was made, when one did (``identified_by``)."""
    from aftersales.core.decision import identified_by

    plugin = identified_by(decision.log)
    if plugin is None:
        return ""
    return f"（由插件 {plugin} 识别）" if lang == "zh" else f" (identified by plugin {plugin})"


def render_decision(decision, *, lang: str = "zh", trace: bool = False, refs=None, brand: str | None = None,
                    policies=()) -> str:
    """The summary; with ``trace``, every rule checked, each with its editors' reference from
    ``refs`` (``{(policy, rule): ref}``, see ``trace_refs``) — never shown without the trace."""
    t = _TEXT[lang]
    c = t["colon"]
    lines: list[str] = []
    ent = decision.entitlement
    if not getattr(decision, "legal", True):   # said first: the statutory floor was left out
        from aftersales.core.decision import NOT_LEGAL_EN, NOT_LEGAL_ZH

        lines.append(f"!! {NOT_LEGAL_ZH if lang == 'zh' else NOT_LEGAL_EN}")
    # ``brand``: the brand's name as its plugin gives it (苹果), else its id
    lines.append(f"{t['entitlement']}{c}{label('remedy', ent, lang)}  [{brand or decision.brand} · {t['region']} "
                 f"{label('region', decision.region, lang)}{_identified_by(decision, lang)}]")
    for r in decision.remedies:
        mark = "✓" if r.available else "✗"
        basis = label("basis", r.basis, lang)
        text = f"  {mark} {label('remedy', r.remedy, lang)} — {basis}"
        if r.fee:
            text += f"{t['open']}{t['fee']} {money(r.fee[0], r.fee[1])}{t['close']}"
        pending = r.status == "pending_detection"
        if pending:
            text += " · " + t["pending"].format(remedy=label("remedy", r.remedy, lang))
        elif not r.available and r.reason:
            # no start date: the reason names the policy's start rule, which people do not read
            reason = t["reasons"]["no_start"] if r.status == "no_start" else t["reasons"].get(r.reason)
            if reason is None:
                reason = label("condition", r.reason, lang) if r.reason in _CONDITIONS else _not_met(t, r.reason, lang)
            text += f" · {reason}"
        if r.missing_documents:
            text += f"；{t['still_needs']}：" if pending and lang == "zh" else f" · {t['still_needs' if pending else 'missing']}{c}"
            text += listed((label("document", d, lang) for d in r.missing_documents), lang)
        if r.available and r.asked_documents:
            text += f" · {t['asks']}{c}" + listed((label("document", d, lang) for d in r.asked_documents), lang)
        lines.append(text)
        if r.refund_instead is not None:
            lines.append("    " + refund_text(r.refund_instead.to_dict(), lang))
    cov = decision.coverage
    if cov:
        end = cov.end.isoformat() if cov.end else "?"
        elapsed = t["days"].format(n=cov.days_elapsed) if cov.days_elapsed >= 0 else t["days_before"].format(n=-cov.days_elapsed)
        from aftersales.authoring.messages import start_note

        how = start_note(policies, cov.policy, cov.start_rule, lang)
        if how:   # a start no one typed: how it was found
            elapsed += ("，" if lang == "zh" else ", ") + how
        lines.append(f"{t['coverage']}{c}{cov.start.isoformat()} {t['until']} {end}{t['open']}{elapsed}{t['close']}")
    ex = decision.exchange
    if ex and decision.remedy("exchange") is not None and decision.remedy("exchange").available:
        text = f"{t['exchange']}{c}{label('exchange_mode', ex.mode, lang)}"
        if ex.lead_days:
            text += " · " + t["lead"].format(a=ex.lead_days[0], b=ex.lead_days[1])
        text += f" · {label('warranty_after', ex.warranty_after, lang)}"
        lines.append(text)
    lines.append(f"{t['location']}{c}{label('service_location', decision.service_location, lang)}")
    if decision.exclusions:
        seen = set()
        msgs = []
        for e in decision.exclusions:
            if e.id in seen:
                continue
            seen.add(e.id)
            msgs.append(e.message_zh if lang == "zh" else e.message_en)
        lines.append(f"{t['exclusions']}{c}" + "；".join(msgs))
    for n in decision.notices:
        lines.append(f"{t['notices']}{c}" + (n.message_zh if lang == "zh" else n.message_en))
    if decision.calendar_gaps:
        lines.append(t["calendar_gap"].format(years=", ".join(str(y) for y in decision.calendar_gaps)))
    for f in decision.plugin_errors:
        lines.append(f"⚠ {failure_line(f.plugin, f.hook, f.error, lang)}")
    lines.append(f"{t['citations']}{c.strip()}")
    for r in decision.remedies:
        if r.policy and (r.available or r.missing_documents):
            lines.append(f"  [{r.policy}/{r.rule}] {r.citation}")
        if r.refund_instead is not None:
            lines.append(f"  [{r.refund_instead.policy}/refund_instead] {r.refund_instead.citation}")
    if ex and decision.remedy("exchange") is not None and decision.remedy("exchange").available:
        lines.append(f"  [{ex.policy}/{ex.rule}] {ex.citation}")
        for step in decision.trace:   # the statutory floor changed what the brand said
            if step.effect == "floor":
                lines.append(f"  [{step.policy}/{step.rule}] {step.citation}")
    if trace:
        lines.append(f"{t['trace']}{c.strip()}")
        from aftersales.authoring.messages import effect_text

        for step in decision.trace:
            ref = (refs or {}).get((step.policy, step.rule))
            detail = step.detail
            effect = step.effect
            if lang == "zh":   # the effect and its detail in the editors' Chinese
                effect = effect_text(step.effect, lang)
                detail = trace_detail(step.effect, detail, lang)
            # the plugin named where it is not the policy's own name (apple/..., not apple:apple/...)
            plugin = f"{step.plugin}:" if step.plugin and step.plugin != step.policy else ""
            lines.append(f"  {plugin}{step.policy or '-'}/{step.rule} {effect}"
                         + (f" ({detail})" if detail else "") + (f" ‹{ref}›" if ref else ""))
    versions = ("、" if lang == "zh" else ", ").join(f"{p.id} {p.version}" for p in decision.policies)
    bundle = getattr(decision, "bundle", None)
    if bundle is not None:
        versions += (f"；政策包 {bundle[0]}（sha256 {bundle[1][:12]}）" if lang == "zh" else
                     f"; bundle {bundle[0]} sha256 {bundle[1][:12]}")
    lines.append(f"（{t['policies']}：{versions}）" if lang == "zh" else f"({versions})")
    return "\n".join(lines)


def trace_detail(effect: str, detail: str | None, lang: str) -> str | None:
    """A trace entry's detail as the decision records it (ids, for tools), in ``lang``: in
    Chinese a failed condition's field by its name too, the remedy chosen or refused, the
    exchange rule's mode and warranty, what the floor changed, a policy's acknowledgement (已确认)."""
    if lang != "zh" or not detail:
        return detail
    if effect == "not_applicable":
        spec = field_of(detail)
        named = spec.zh if spec is not None else DERIVED.get(detail, ("",))[0]
        return f"{named} {detail}" if named else detail
    head, _, noted = detail.partition("; ")
    if effect in ("chosen", "refused"):
        head = label("remedy", head)
    elif effect == "exchange_rule" and "/" in head:
        mode, _, after = head.partition("/")
        head = f"{label('exchange_mode', mode)}，{label('warranty_after', after)}"
    elif effect == "floor" and head.startswith("warranty_after: ") and " -> " in head:
        before, _, after = head.removeprefix("warranty_after: ").partition(" -> ")
        head = f"{label('warranty_after', before)} → {label('warranty_after', after)}"
    if noted:
        noted = "；".join(("已确认 " + part.removeprefix("acknowledged ")) if part.startswith("acknowledged ") else part
                         for part in noted.split("; "))
        return f"{head}；{noted}"
    return head


def trace_refs(registry) -> dict[tuple[str, str], str]:
    """``{(policy id, rule): ref}`` of every loaded policy: the editors' references a trace shows."""
    return {(policy.id, rule): ref for policy in registry.all_policies() for rule, ref in policy.refs().items()}


def _not_met(words: dict, path: str, lang: str) -> str:
    """An offer refused by one of its conditions, naming the field in people's words."""
    from aftersales.core.casefields import path_label

    name = path_label(path, lang)
    return f"{words['reasons']['not_applicable']}（{name}）" if lang == "zh" else f"{words['reasons']['not_applicable']} ({name})"
