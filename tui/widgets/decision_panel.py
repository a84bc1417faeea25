"""The decision panel: the entitlement badge and, under it, everything the decision says.

Attributes down: the intake and detail screens hand it a decision (the v1 decision mapping,
``Decision.to_dict()``, which is also what the store keeps) with ``show_decision``; it never
evaluates anything itself. Rendering is one Rich ``Text``, wrapped to the panel's width and
drawn line by line, cheap enough for every keystroke.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.text import Text
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from aftersales.core.vocab import REMEDY_ORDER, money

from .. import compat
from ..i18n import bracketed, colon, listed, t, vocab
from .text import fit, wrap_line

ENTITLEMENTS = (*REMEDY_ORDER, "none")
def badge_text(entitlement: str | None, lang: str, decision: Mapping[str, Any] | None = None) -> str:
    """The entitlement as the badge says it: the remedy's label (免费维修, not a shorter word the
    customer could take for a paid repair), in capitals in English. A paid repair while a free
    remedy waits only for testing to confirm the fault says that remedy (待检测 · 确认后可换货):
    the badge is what is read out to the customer, who is owed it once the test confirms."""
    if entitlement is None:
        return "—"
    if entitlement == "paid_repair" and decision is not None:
        waiting = next((r["remedy"] for r in decision.get("remedies") or ()
                        if r.get("status") == "pending_detection" and r.get("remedy") != "paid_repair"), None)
        if waiting is not None:
            text = t("badge.pending", lang, remedy=vocab("remedy", waiting, lang))
            return text if lang == "zh" else text.upper()
    text = vocab("remedy", entitlement, lang)
    return text if lang == "zh" else text.upper()


def _reason(reason: str | None, lang: str) -> str:
    if not reason:
        return ""
    key = f"reason.{reason}"
    text = t(key, lang)
    if text != key:
        return text
    label = vocab("condition", reason, lang)
    if label != reason:
        return label
    # a condition of the offer that did not hold, named in people's words, as the CLI says it
    # (条件不符（故障部件）); a plugin's predicate or an unknown path is not shown as an id
    from aftersales.core.casefields import path_label

    name = path_label(reason, lang)
    return t("reason.not_applicable", lang) + (bracketed(name, lang) if name != reason else "")


def render_decision(decision: Mapping[str, Any], lang: str, *, citations: bool = False,
                    region_note: tuple[str, str | None] | None = None,
                    titles: Mapping[str, str] | None = None, policies: Sequence[Any] = ()) -> Text:
    """The body of the panel for one v1 decision mapping. ``region_note``: how the region was
    found, and what to ask for when it was only assumed (``tui.region.region_note``);
    ``policies``: the registry's, to say how a coverage's start was found when no one typed it."""
    out = Text()

    def named(policy: str) -> str:
        """A policy as people read it: its title (its id only when it has none)."""
        return (titles or {}).get(policy) or policy

    if decision.get("legal") is False:   # first: the statutory floor was left out
        from aftersales.core.decision import NOT_LEGAL_EN, NOT_LEGAL_ZH

        out.append(f"!! {NOT_LEGAL_ZH if lang == 'zh' else NOT_LEGAL_EN}\n", "bold reverse red")
    region = decision.get("region")
    if region:
        out.append(f"{t('panel.region', lang)}{colon(lang)}", "dim")
        out.append(vocab("region", region, lang), "bold")
        if region_note is not None:
            out.append(f" · {region_note[0]}", "dim" if region_note[1] is None else "yellow")
        out.append("\n")
        if region_note is not None and region_note[1]:
            out.append(f"  ⚠ {region_note[1]}\n", "bold yellow")
    out.append(f"{t('panel.remedies', lang)}\n", "bold underline")
    for r in decision.get("remedies", ()):
        ok = r.get("available")
        out.append(" ✓ " if ok else " ✗ ", "bold green" if ok else "dim red")
        out.append(vocab("remedy", r["remedy"], lang), "bold" if ok else "dim")
        out.append(" · " + vocab("basis", r.get("basis", ""), lang), "" if ok else "dim")
        fee = r.get("fee")
        if fee:
            out.append(f" · {t('panel.fee', lang)} {money(fee['amount'], fee['currency'])}")
        pending = r.get("status") == "pending_detection"
        if pending:
            out.append(" · " + t("reason.pending_detection", lang, remedy=vocab("remedy", r["remedy"], lang)), "yellow")
        elif not ok and r.get("reason") and r.get("reason") != "missing_documents":
            # no start date: the reason names the policy's start rule, which people do not read
            out.append(" · " + _reason("no_start" if r.get("status") == "no_start" else r["reason"], lang), "dim italic")
        out.append("\n")
        granted = r.get("granted_by") or {}
        missing = r.get("missing_documents") or []
        if r.get("service_location") and (ok or missing):
            out.append(f"    {t('panel.where', lang)}{colon(lang)}", "dim")
            out.append(vocab("service_location", r["service_location"], lang) + "\n", "" if ok else "dim")
        if citations and granted.get("policy"):
            # the title without its note in brackets: the line fits the panel at 80 columns
            from aftersales.core.plugininfo import without_note

            out.append(f"    {t('panel.granted_by', lang)} {without_note(named(granted['policy']))}\n", "dim")
        if missing:
            out.append(f"    {t('panel.still_needs' if pending else 'panel.missing', lang)}{colon(lang)}", "bold red")
            out.append(listed((vocab("document", d, lang) for d in missing), lang), "bold reverse red")
            out.append("\n")
        asked = r.get("asked_documents") or []
        if ok and asked:
            out.append(f"    {t('panel.asks', lang)}{colon(lang)}" + listed((vocab("document", d, lang) for d in asked), lang) + "\n",
                       "yellow")
        if r.get("refund_instead"):
            from aftersales.core.refund import refund_text

            out.append(f"    {refund_text(r['refund_instead'], lang)}\n", "green")
        if r.get("needs_confirmation"):
            out.append(f"    {t('panel.confirm', lang)}{colon(lang)}{r['needs_confirmation']}\n", "yellow")
        note = r.get("note")
        if note:
            out.append(f"    {note['zh'] if lang == 'zh' else note['en']}\n", "italic")
    cov = decision.get("coverage")
    if cov:
        out.append(f"{t('panel.coverage', lang)}{colon(lang)}", "dim")
        out.append(f"{cov['start']} {t('panel.until', lang)} {cov.get('end') or '?'}")
        days = cov["days_elapsed"]   # negative: the start is still ahead (production date + 90, no papers)
        from aftersales.authoring.messages import start_note

        how = start_note(policies, (cov.get("granted_by") or {}).get("policy"), cov.get("start_rule"), lang)
        elapsed = t("panel.day", lang, n=days) if days >= 0 else t("panel.day_before", lang, n=-days)
        out.append(bracketed(f"{elapsed}{'，' if lang == 'zh' else ', '}{how}" if how else elapsed, lang) + "\n", "dim")
    ex = decision.get("exchange")
    # how an exchange is done: only while one is open to the customer
    exchange_offered = any(r["remedy"] == "exchange" and r.get("available") for r in decision.get("remedies", ()))
    if ex and exchange_offered:
        out.append(f"{t('panel.exchange', lang)}{colon(lang)}", "dim")
        out.append(vocab("exchange_mode", ex["mode"], lang), "bold")
        lead = ex.get("lead_days")
        if lead:
            out.append(" · " + t("panel.lead", lang, a=lead["min"], b=lead["max"]))
        out.append(" · " + vocab("warranty_after", ex["warranty_after"], lang) + "\n")
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
        out.append(f"{t('panel.notices', lang)}{colon(lang)}" + (n["message_zh"] if lang == "zh" else n["message_en"]) + "\n",
                   "cyan")
    gaps = decision.get("calendar_gaps") or []
    if gaps:
        out.append(t("panel.calendar_gap", lang, years=", ".join(map(str, gaps))) + "\n", "yellow")
    for f in decision.get("plugin_errors") or []:
        from aftersales.core.plugininfo import failure_line  # rare: not paid as the counter starts

        out.append(f"⚠ {failure_line(f['plugin'], f['hook'], f['error'], lang)}\n", "bold red")
    if citations:
        # each citation under what it backs (the remedy, the exchange's terms, an exclusion...),
        # not the rule's id: the policy is named by its title beside the remedy and below
        out.append(f"{t('panel.citations', lang)}\n", "bold underline")

        def cite(label: str, citation: str | None) -> None:
            out.append(f" [{label}] ", "bold")
            out.append(f"{citation or ''}\n")

        for r in decision.get("remedies", ()):
            g = r.get("granted_by") or {}
            if g.get("policy") and (r.get("available") or r.get("missing_documents")):
                cite(vocab("remedy", r["remedy"], lang), g.get("citation"))
            refund = r.get("refund_instead")
            if refund:
                cite(t("panel.cite_refund", lang), refund["granted_by"]["citation"])
        if ex and exchange_offered:
            cite(t("panel.exchange", lang), (ex.get("granted_by") or {}).get("citation"))
            for step in decision.get("trace", ()):   # the statutory floor changed what the brand said
                if step.get("effect") == "floor":
                    cite(t("panel.cite_floor", lang), step.get("citation"))
        for e in exclusions:
            cite(t("panel.exclusions", lang), e.get("citation"))
        if cov and cov.get("start_citation"):
            cite(t("panel.cite_start", lang), cov["start_citation"])
        # the policies and versions that decided (kept with every stored decision)
        pols = decision.get("policies") or []
        if pols:
            out.append(f"{t('panel.policies', lang)}{colon(lang)}" + "，".join(f"{named(p['id'])} {p['version']}"
                                                                for p in pols) + "\n", "dim")
    return out


class DecisionPanel(compat.SizedNow, ScrollView):
    """Badge on top, the decision below; ``show_decision`` sets what it shows.

    One widget that draws its own lines (Textual's line API) in a box of fixed size: a new
    decision repaints the panel and nothing else. A panel made of ``Static`` widgets in a scroll
    container changes height with the decision, and every height change lays out the whole
    screen, which on the intake form costs more than a frame. Only when the text starts or stops
    needing the scroll bar is a layout asked for (the bar's column is always reserved, so the
    text never re-wraps for it).
    """

    DEFAULT_CSS = """
    DecisionPanel {
        height: 1fr;
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-gutter: stable;
    }
    DecisionPanel > .decision-panel--badge { text-style: bold; }
    DecisionPanel > .decision-panel--return { background: $success; color: $text; text-style: bold; }
    DecisionPanel > .decision-panel--exchange { background: $primary; color: $text; text-style: bold; }
    DecisionPanel > .decision-panel--repair { background: $warning; color: $text; text-style: bold; }
    DecisionPanel > .decision-panel--paid_repair { background: $error; color: $text; text-style: bold; }
    DecisionPanel > .decision-panel--none { background: $panel; color: $text-muted; }
    """
    COMPONENT_CLASSES = {f"decision-panel--{e}" for e in ENTITLEMENTS} | {"decision-panel--badge"}
    DEFAULT_CLASSES = "decision-panel"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.decision: Mapping[str, Any] | None = None
        self.problems: list[tuple[str, str]] = []   # (style, text) lines shown above the decision
        self.citations = False
        self.region_note: tuple[str, str | None] | None = None
        self.titles: Mapping[str, str] = {}     # policy id -> title, in the panel's language
        self.policies: Sequence[Any] = ()       # the registry's (how a coverage's start was found)
        self.lang = "zh"
        self.updates = 0   # bumped on every render (tests and the benchmark watch it)
        self._badge = "—"
        self._text = Text()
        self._lines: list[Strip] = []
        self._shown: tuple[Any, ...] | None = None
        self._base_style: Any = None
        self._styles: dict[str, Any] = {}                       # entitlement -> badge style
        self._wrapped: dict[tuple[Any, ...], list[Strip]] = {}  # a line of text -> its wrapped strips

    @property
    def entitlement(self) -> str | None:
        return None if self.decision is None else self.decision.get("entitlement")

    def show_decision(self, decision: Mapping[str, Any] | None, *, problems: Sequence[tuple[str, str]] = (),
                      lang: str | None = None, region_note: tuple[str, str | None] | None = None,
                      titles: Mapping[str, str] | None = None, policies: Sequence[Any] | None = None) -> None:
        self.decision = decision
        self.region_note = region_note
        if titles is not None:
            self.titles = titles
        if policies is not None:
            self.policies = policies
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
        return self._badge + "\n" + self._text.plain

    # --- drawing -----------------------------------------------------------------------------

    def _render_all(self) -> None:
        ent = self.entitlement
        self._badge = f"{t('panel.entitlement', self.lang)}  {badge_text(ent, self.lang, self.decision)}" if ent else "—"
        text = Text()
        for style, line in self.problems:
            text.append(line + "\n", style)
        if self.decision is not None:
            text.append_text(render_decision(self.decision, self.lang, citations=self.citations,
                                             region_note=self.region_note, titles=self.titles,
                                             policies=self.policies))
        self._text = text
        self.updates += 1
        self._layout_lines()

    def _layout_lines(self) -> None:
        """Wrap the badge and the text to the panel's width; repaint only if they changed."""
        if not self.is_mounted:
            return
        width = self.scrollable_content_region.width
        if width <= 0:
            return
        ent = self.entitlement or "none"
        key = (width, ent, self._badge, self._text)
        if key == self._shown:
            return
        self._shown = key
        badge_style = self._styles.get(ent)
        if badge_style is None:
            badge_style = self._styles[ent] = self.get_component_rich_style(f"decision-panel--{ent}")
        label = fit(Text(self._badge, style=badge_style), width)
        label.align("center", width)
        # the badge on one line, a blank line under it: at 80x24 the panel has 16 lines
        lines = [*self._wrap(label, width), Strip.blank(width)]
        if self._text.plain:
            body = self._text.copy()
            body.rstrip()
            for line in body.split("\n"):
                lines += self._wrap(line, width)
        old, self._lines = self._lines, lines
        size = Size(width, len(lines))
        if size != self.virtual_size:
            # no layout: the panel keeps its size; the scroll bar follows (a layout only when it
            # appears or goes, as show_vertical_scrollbar asks for one)
            self.set_reactive(ScrollView.virtual_size, size)
            if self.container_size:
                compat.scroll_update(self, size)
        # repaint the lines that changed, not the whole panel
        top = self.scroll_offset.y
        height = self.scrollable_content_region.height
        regions = [Region(0, y - top, width, 1) for y in range(top, min(top + height, max(len(old), len(lines))))
                   if y >= len(old) or y >= len(lines) or old[y] != lines[y]]
        if regions:
            self.refresh(*regions)

    def _wrap(self, line: Text, width: int) -> list[Strip]:
        """One line of text wrapped to ``width`` (remembered: most lines stay the same from one
        keystroke to the next)."""
        key = (line.plain, tuple(line.spans), line.style, width)
        strips = self._wrapped.get(key)
        if strips is None:
            if len(self._wrapped) > 1024:
                self._wrapped.clear()
            console = self.app.console
            options = console.options.update(width=width, highlight=False, no_wrap=True, overflow="crop")
            strips = self._wrapped[key] = [Strip(segments, width) for part in wrap_line(line, width)
                                           for segments in console.render_lines(part, options, pad=True)]
        return strips

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        if self._base_style is None:
            self._base_style = self.rich_style
        if index < len(self._lines):
            return self._lines[index].crop_extend(0, width, None).apply_style(self._base_style)
        return Strip.blank(width, self._base_style)

    def resized_now(self) -> None:
        """Sized by the layout (``compat.SizedNow``): the lines are wrapped to the new width in
        time for the frame that follows (the first one too)."""
        self._layout_lines()

    def on_resize(self) -> None:
        self._layout_lines()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._shown = None
        self._base_style = None
        self._styles.clear()
        self._wrapped.clear()
        if self.is_mounted:
            self.call_later(self._layout_lines)

    def on_mount(self) -> None:
        self._render_all()
