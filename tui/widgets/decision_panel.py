"""The decision panel: the entitlement badge and, under it, everything the decision says.

Attributes down: the intake and detail screens hand it a decision (the v1 decision mapping,
``Decision.to_dict()``, which is also what the store keeps) with ``show_decision``; it never
evaluates anything itself. Rendering is one Rich ``Text`` per part, cheap enough for every
keystroke.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from ..i18n import t, vocab
from .text import update_static

ENTITLEMENT_CLASSES = ("ent-return", "ent-exchange", "ent-repair", "ent-paid_repair", "ent-none")
_BADGE = {"return": "退货", "exchange": "换货", "repair": "维修", "paid_repair": "付费维修"}
_BADGE_EN = {"return": "RETURN", "exchange": "EXCHANGE", "repair": "FREE REPAIR", "paid_repair": "PAID REPAIR"}


def badge_text(entitlement: str | None, lang: str) -> str:
    if entitlement is None:
        return "—"
    return (_BADGE if lang == "zh" else _BADGE_EN).get(entitlement, entitlement)


def _reason(reason: str | None, lang: str) -> str:
    if not reason:
        return ""
    key = f"reason.{reason}"
    text = t(key, lang)
    if text != key:
        return text
    label = vocab("condition", reason, lang)
    return label if label != reason else f"{t('reason.not_applicable', lang)} ({reason})"


def render_decision(decision: Mapping[str, Any], lang: str, *, citations: bool = False) -> Text:
    """The body of the panel for one v1 decision mapping."""
    out = Text()
    region = decision.get("region")
    if region:
        out.append(f"{t('panel.region', lang)}: ", "dim")
        out.append(vocab("region", region, lang), "bold")
        if decision.get("region_rule"):
            out.append(f"  ({decision['region_rule']})", "dim")
        out.append("\n")
    out.append(f"{t('panel.remedies', lang)}\n", "bold underline")
    for r in decision.get("remedies", ()):
        ok = r.get("available")
        out.append(" ✓ " if ok else " ✗ ", "bold green" if ok else "dim red")
        out.append(vocab("remedy", r["remedy"], lang), "bold" if ok else "dim")
        out.append(" · " + vocab("basis", r.get("basis", ""), lang), "" if ok else "dim")
        fee = r.get("fee")
        if fee:
            out.append(f" · {t('panel.fee', lang)} {fee['amount']:g} {fee['currency']}")
        if not ok and r.get("reason") and r.get("reason") != "missing_documents":
            out.append(" · " + _reason(r["reason"], lang), "dim italic")
        out.append("\n")
        granted = r.get("granted_by") or {}
        if granted.get("policy"):
            out.append(f"    {t('panel.granted_by', lang)} {granted['policy']}/{granted.get('rule')}\n", "dim")
        missing = r.get("missing_documents") or []
        if missing:
            out.append(f"    {t('panel.missing', lang)}: ", "bold red")
            out.append("、".join(vocab("document", d, lang) for d in missing), "bold reverse red")
            out.append("\n")
        asked = r.get("asked_documents") or []
        if ok and asked:
            out.append(f"    {t('panel.asks', lang)}: " + "、".join(vocab("document", d, lang) for d in asked) + "\n",
                       "yellow")
        if r.get("needs_confirmation"):
            out.append(f"    {t('panel.confirm', lang)}: {r['needs_confirmation']}\n", "yellow")
        note = r.get("note")
        if note:
            out.append(f"    {note['zh'] if lang == 'zh' else note['en']}\n", "italic")
    cov = decision.get("coverage")
    if cov:
        out.append(f"{t('panel.coverage', lang)}: ", "dim")
        out.append(f"{cov['start']} {t('panel.until', lang)} {cov.get('end') or '?'} ")
        out.append(f"({t('panel.day', lang, n=cov['days_elapsed'])})\n", "dim")
    ex = decision.get("exchange")
    exchange_offered = any(r["remedy"] == "exchange" for r in decision.get("remedies", ()))
    if ex and exchange_offered:
        out.append(f"{t('panel.exchange', lang)}: ", "dim")
        out.append(vocab("exchange_mode", ex["mode"], lang), "bold")
        lead = ex.get("lead_days")
        if lead:
            out.append(" · " + t("panel.lead", lang, a=lead["min"], b=lead["max"]))
        out.append(" · " + vocab("warranty_after", ex["warranty_after"], lang) + "\n")
    if decision.get("service_location"):
        out.append(f"{t('panel.location', lang)}: ", "dim")
        out.append(vocab("service_location", decision["service_location"], lang) + "\n")
    exclusions = decision.get("exclusions") or []
    if exclusions:
        out.append(f"{t('panel.exclusions', lang)}\n", "bold underline")
        seen = set()
        for e in exclusions:
            if e["id"] in seen:
                continue
            seen.add(e["id"])
            out.append(" ⚠ " + (e["message_zh"] if lang == "zh" else e["message_en"]) + "\n", "yellow")
    notices = decision.get("notices") or []
    for n in notices:
        out.append(f"{t('panel.notices', lang)}: " + (n["message_zh"] if lang == "zh" else n["message_en"]) + "\n",
                   "cyan")
    gaps = decision.get("calendar_gaps") or []
    if gaps:
        out.append(t("panel.calendar_gap", lang, years=", ".join(map(str, gaps))) + "\n", "yellow")
    for f in decision.get("plugin_errors") or []:
        out.append(f"{t('panel.plugin_error', lang)}: {f['plugin']} ({f['hook']}): {f['error']}\n", "bold red")
    if citations:
        out.append(f"{t('panel.citations', lang)}\n", "bold underline")
        for r in decision.get("remedies", ()):
            g = r.get("granted_by") or {}
            if g.get("policy") and (r.get("available") or r.get("missing_documents")):
                out.append(f" [{g['policy']}/{g.get('rule')}] ", "bold")
                out.append(f"{g.get('citation') or ''}\n")
        if ex and exchange_offered:
            g = ex.get("granted_by") or {}
            out.append(f" [{g.get('policy')}/{g.get('rule')}] ", "bold")
            out.append(f"{g.get('citation') or ''}\n")
        for e in exclusions:
            out.append(f" [{e['policy']}/{e['id']}] ", "bold")
            out.append(f"{e.get('citation') or ''}\n")
        if cov and cov.get("start_citation"):
            out.append(f" [{cov.get('start_rule')}] {cov['start_citation']}\n")
    else:
        out.append(t("panel.citations_hint", lang) + "\n", "dim italic")
    pols = decision.get("policies") or []
    if pols:
        out.append(f"{t('panel.policies', lang)}: " + ", ".join(f"{p['id']} {p['version']}" for p in pols), "dim")
    return out


class DecisionPanel(VerticalScroll):
    """Badge on top, the decision below; ``show_decision`` / ``show_problem`` set what it shows."""

    DEFAULT_CLASSES = "decision-panel"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.decision: Mapping[str, Any] | None = None
        self.problems: list[tuple[str, str]] = []   # (style, text) lines shown above the decision
        self.citations = False
        self.lang = "zh"
        self.updates = 0   # bumped on every render (tests and the benchmark watch it)

    def compose(self) -> ComposeResult:
        yield Static("—", id="badge", classes="badge ent-none")
        yield Static("", id="problems")
        yield Static("", id="decision-body")

    @property
    def entitlement(self) -> str | None:
        return None if self.decision is None else self.decision.get("entitlement")

    def show_decision(self, decision: Mapping[str, Any] | None, *, problems: Sequence[tuple[str, str]] = (),
                      lang: str | None = None) -> None:
        self.decision = decision
        self.problems = list(problems)
        if lang:
            self.lang = lang
        self._render_all()

    def toggle_citations(self) -> None:
        self.citations = not self.citations
        self._render_all()

    def set_lang(self, lang: str) -> None:
        self.lang = lang
        self._render_all()

    def body_text(self) -> str:
        """The panel as plain text (what the tests read)."""
        badge = self.query_one("#badge", Static)
        parts = [str(badge.render()), str(self.query_one("#problems", Static).render()),
                 str(self.query_one("#decision-body", Static).render())]
        return "\n".join(parts)

    def _render_all(self) -> None:
        if not self.is_mounted:
            return
        badge = self.query_one("#badge", Static)
        ent = self.entitlement
        for cls in ENTITLEMENT_CLASSES:
            badge.set_class(cls == f"ent-{ent or 'none'}", cls)
        label = badge_text(ent, self.lang)
        badge.update(f"{t('panel.entitlement', self.lang)}  {label}" if ent else "—", layout=False)
        problems = Text()
        for style, line in self.problems:
            problems.append(line + "\n", style)
        box = self.query_one("#problems", Static)
        if box.display != bool(self.problems):
            box.display = bool(self.problems)
        update_static(box, problems)
        body = self.query_one("#decision-body", Static)
        if self.decision is None:
            update_static(body, "")
        else:
            update_static(body, render_decision(self.decision, self.lang, citations=self.citations))
        self.updates += 1

    def on_mount(self) -> None:
        self._render_all()
