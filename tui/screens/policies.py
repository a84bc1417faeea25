"""Policies: the loaded plugins and their policies (versions, validation), a read-only view of a
policy file, and reload. Reload runs in a worker: load, validate, then swap; a broken file shows
its located problems (file:line:column) and the policies in force stay as they were.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.syntax import Syntax
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from ..app import INTAKE_KEY, key, translate_bindings
from ..i18n import colon, listed, t, vocab
from ..widgets.footer import KeysFooter
from ..widgets.text import Wrapped
from ..widgets.titlebar import TitleBar
from .base import CounterScreen, FollowsLanguage

#: the table's columns: the plugin is named by the brands it serves (its id is for IT, in the
#: policy file's 原文 view), the policy by its title
#: (what a clerk looks for first: whether it is valid, before where it came from)
COLUMNS = ("brands", "policy", "policy_version", "effective", "state", "origin", "plugin_version")


def policy_rows(registry: Any) -> list[dict[str, Any]]:
    """One row per (plugin, policy version); a plugin without policies gets one row. A plugin the
    registry quarantined, or whose load-time hook failed, is not valid whatever its policies say;
    a policy file that could not be read is named by its file."""
    quarantined = getattr(registry, "quarantined", None) or {}
    failed = {getattr(e, "plugin", None) for e in getattr(registry, "load_errors", None) or ()}
    rows = []
    for name, info in (getattr(registry, "plugins", {}) or {}).items():
        broken = info.error is not None or name in quarantined or name in failed
        base = {"version": info.version, "origin": info.origin, "brands": list(info.brands),
                "error": info.error or (quarantined[name] if name in quarantined else None)}
        if not info.policies:
            rows.append({**base, "policy": "", "policy_version": "", "effective": {}, "source": None,
                         "valid": not broken})
        for p in info.policies:
            source = p.get("source")
            rows.append({**base, "policy": p.get("id") or (Path(source).name if source else "?"),
                         "policy_version": p.get("version", ""), "effective": p.get("effective") or {},
                         "source": source, "valid": bool(p.get("valid", True)) and not broken})
    return rows


def effective_text(effective: Any, lang: str) -> str:
    """When a policy version is in force (a policy's ``effective``: ``from``, ``until``):
    ``2013-04-01 起``, ``2013-04-01 至 2026-12-31``."""
    start, end = str(effective.get("from") or ""), str(effective.get("until") or "")
    if start and end:
        return t("pol.from_until", lang, start=start, end=end)
    if start:
        return t("pol.from", lang, date=start)
    return t("pol.from_until", lang, start="…", end=end) if end else ""


def brand_names(registry: Any, ids: Any, lang: str) -> str:
    """Brand ids by their names (苹果、华为)."""
    from aftersales.core.plugininfo import brand_name

    brands = getattr(registry, "brands", None)
    names = [brand_name(brands, b, lang, short=True) for b in ids]
    return listed(names, lang)


def _window(window: Any, lang: str) -> str:
    if not isinstance(window, dict) or "days" not in window:
        return ""
    if window.get("from_day"):
        return t("pol.window_from", lang, a=window["from_day"], b=window["days"])
    return t("pol.window_days", lang, n=window["days"])


def _documents(documents: Any, lang: str) -> str:
    """A rule's papers: each item a paper, or a list of papers any one of which will do."""
    if not documents:
        return t("pol.documents_none", lang)
    items = []
    for item in documents:
        alternatives = item if isinstance(item, list) else [item]
        items.append(t("pol.either", lang).join(vocab("document", str(d), lang) for d in alternatives))
    return t("pol.documents", lang) + colon(lang) + listed(items, lang)


def _message(item: Any, lang: str) -> str:
    message = item.get("message") if isinstance(item, dict) else None
    if isinstance(message, dict):
        return str(message.get(lang) or message.get("zh") or "")
    return ""


def policy_text(data: dict[str, Any], registry: Any, lang: str) -> Text:
    """A policy file as a clerk reads it: what it is based on, when it is in force, the brands,
    each remedy with its window, papers and place of service and its citation, how an exchange
    is done, the exclusions and notices. No rule ids or field names (the 原文 view has them)."""
    out = Text()
    if data.get("source"):
        out.append(f"{t('pol.text_source', lang)}{colon(lang)}", "dim")
        out.append(str(data["source"]) + "\n")
    out.append(f"{t('pol.text_effective', lang)}{colon(lang)}", "dim")
    out.append(effective_text(data.get("effective") or {}, lang) + "\n")
    brands = (data.get("applies_to") or {}).get("brands")
    if brands:
        out.append(f"{t('pol.text_brands', lang)}{colon(lang)}", "dim")
        out.append((t("pol.any_brand", lang) if brands == "any" else brand_names(registry, brands, lang)) + "\n")
    offers = data.get("offers") or []
    if offers:
        out.append(f"\n{t('pol.offers', lang)}\n", "bold underline")
    for offer in offers:
        parts = [vocab("remedy", str(offer.get("remedy")), lang)]
        basis = vocab("basis", str(offer["basis"]), lang) if offer.get("basis") else ""
        if basis:
            parts.append(basis)
        window = offer.get("window") or {}
        if window and (window.get("from_day") or str(window.get("days")) not in basis):   # not 7日内 twice
            parts.append(_window(window, lang))
        out.append(" • " + " · ".join(p for p in parts if p) + "\n", "bold")
        details = [_documents(offer.get("documents"), lang)]
        if offer.get("service_location"):
            details.append(f"{t('panel.where', lang)}{colon(lang)}" + vocab("service_location", str(offer["service_location"]), lang))
        out.append("   " + " · ".join(details) + "\n", "dim")
        if offer.get("citation"):
            out.append(f"   {offer['citation']}\n")
    exchange = data.get("exchange") or {}
    if exchange:
        out.append(f"\n{t('pol.exchange', lang)}\n", "bold underline")
        parts = [vocab(kind, str(exchange[name]), lang)
                 for name, kind in (("mode", "exchange_mode"), ("warranty_after", "warranty_after")) if exchange.get(name)]
        out.append(" • " + " · ".join(parts) + "\n", "bold")
        if exchange.get("citation"):
            out.append(f"   {exchange['citation']}\n")
    refund = data.get("refund_instead") or {}
    citations = [block.get("citation") for block in refund.values() if isinstance(block, dict) and block.get("citation")]
    if citations:
        out.append(f"\n{t('pol.refund', lang)}\n", "bold underline")
        for citation in citations:
            out.append(f" • {citation}\n")
    for part, heading in (("exclusions", "pol.exclusions"), ("notices", "pol.notices")):
        items = data.get(part) or []
        if items:
            out.append(f"\n{t(heading, lang)}\n", "bold underline")
        for item in items:
            out.append(f" • {_message(item, lang)}\n", "bold")
            if item.get("citation"):
                out.append(f"   {item['citation']}\n")
    return out


def problems_text(app: Any) -> Text:
    lang = app.lang
    out = Text()
    from ..app import issue_line

    issues = list(getattr(app, "reload_issues", []) or [])
    if issues:
        out.append(t("pol.reload_failed" if app.registry is not None else "pol.load_failed", lang) + "\n", "bold red")
        for issue in issues:
            out.append(f"  {issue_line(issue, lang)}\n", "red")
    registry = app.registry
    others = [q.line(lang) for q in (getattr(registry, "quarantined", None) or {}).values()]
    others += [issue_line(e, lang) for e in getattr(registry, "load_errors", []) or []]
    others += [issue_line(i, lang) for i in getattr(registry, "policy_issues", []) or []]
    others = list(dict.fromkeys(others))
    for line in others:
        out.append(f"  {line}\n", "yellow")
    if app.registry_error and not issues:
        out.append(str(app.registry_error) + "\n", "bold red")
    if not issues and not others and not app.registry_error:
        out.append(t("pol.no_errors", lang), "green")
    return out


class PolicyView(FollowsLanguage, ModalScreen[None]):
    """One policy, read-only: its terms as a clerk reads them (``policy_text``); ``o`` shows the
    policy file itself (原文, highlighted YAML), and back."""

    BINDINGS = [key("escape", "close", "close"), key("o", "toggle_source", "source"), INTAKE_KEY]

    def __init__(self, title: str, source: str | None, data: dict[str, Any] | None = None,
                 version: str = "") -> None:
        super().__init__(id="policy-view")
        self.title_text = title
        self.version = version
        self.source = source
        self.data = data
        self.showing_source = data is None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static("", id="policy-title", classes="dialog-title")
            with VerticalScroll(id="policy-source"):
                yield Static("", id="policy-body")
            yield KeysFooter()

    def on_mount(self) -> None:
        self._show()

    def relabel(self) -> None:
        super().relabel()
        self._show()

    def _show(self) -> None:
        lang = self._lang = self.app.lang
        translate_bindings(self, lang)
        if self.showing_source:
            # the file as it is, clearly the secondary view: labelled 原文 with the file's name
            file = Path(str(self.source)).name if self.source else "?"
            title = t("pol.source_title", lang, id=self.title_text, version=self.version, file=file)
            try:
                text = Path(str(self.source)).read_text(encoding="utf-8")
                body: Any = Syntax(text, "yaml", line_numbers=True, word_wrap=False, theme="ansi_dark")
            except (OSError, TypeError) as exc:
                body = Text(t("pol.unreadable", lang, source=self.source, error=exc), style="red")
        else:
            title = t("pol.view_title", lang, id=self.title_text, version=self.version)
            body = Wrapped(policy_text(self.data or {}, self.app.registry, lang))
        self.query_one("#policy-title", Static).update(title)
        self.query_one("#policy-body", Static).update(body)
        self.query_one("#policy-source", VerticalScroll).scroll_home(animate=False)
        # the key says where it goes: 原文 from the terms, 条款 back from the file
        from .. import compat

        compat.relabel_bindings(self, lambda b: t("key.summary" if self.showing_source else "key.source", lang)
                                if b.id == "source" else None)
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return action != "toggle_source" or self.data is not None

    def action_toggle_source(self) -> None:
        self.showing_source = not self.showing_source
        self._show()

    def action_close(self) -> None:
        self.dismiss(None)


class PoliciesScreen(CounterScreen):
    DEFAULT_CSS = """
    PoliciesScreen #pol-table { height: 1fr; }
    PoliciesScreen #pol-errors-box { height: 8; padding: 0 1; }
    """
    BINDINGS = [
        key("v", "view", "view"),
        key("r", "reload", "reload"),
        # the policies' own key, out of their footer: the clerk is on them
        key("f3", "app.switch_mode('policies')", "policies", show=False),
    ]

    def __init__(self) -> None:
        super().__init__(id="policies")
        self.rows: list[dict[str, Any]] = []
        self.reloading = False

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static(t("pol.title", self.app.lang), id="pol-title", classes="section-title")
        yield DataTable(id="pol-table", cursor_type="row", zebra_stripes=True)
        yield Static(t("pol.errors", self.app.lang), id="pol-errors-title", classes="section-title")
        with VerticalScroll(id="pol-errors-box"):
            yield Static("", id="pol-errors")
        yield KeysFooter()

    def on_mount(self) -> None:
        self._fill()

    def _fill(self) -> None:
        lang = self.app.lang
        table = self.query_one(DataTable)
        table.clear(columns=True)
        for col in COLUMNS:
            table.add_column(t(f"pol.{col}", lang), key=col)
        self.rows = policy_rows(self.app.registry) if self.app.registry is not None else []
        from aftersales.core.plugininfo import policy_titles

        titles = policy_titles(self.app.registry, lang)
        for i, r in enumerate(self.rows):
            state = t("pol.valid", lang) if r["valid"] else t("pol.plugin_error" if r["error"] else "pol.invalid", lang)
            style = "" if r["valid"] else "bold red"
            origin = t(f"origin.{r['origin'].replace(' ', '_')}", lang)
            table.add_row(*(Text(str(x), style=style) for x in (
                brand_names(self.app.registry, r["brands"], lang), titles.get(r["policy"], r["policy"]),
                r["policy_version"], effective_text(r["effective"], lang), state, origin, r["version"])), key=str(i))
        errors = problems_text(self.app)
        if self.reloading:
            errors = Text(t("pol.reloading", lang) + "\n", "italic") + errors
        self.query_one("#pol-errors", Static).update(errors)

    def registry_changed(self) -> None:
        self.reloading = False
        if self.is_mounted:
            self._fill()

    def relabel(self) -> None:
        super().relabel()
        self.query_one("#pol-title", Static).update(t("pol.title", self.app.lang))
        self.query_one("#pol-errors-title", Static).update(t("pol.errors", self.app.lang))
        self._fill()

    def action_reload(self) -> None:
        self.reloading = True
        self._fill()
        self.app.reload_policies()

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_view()

    def action_view(self) -> None:
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row < 0:
            return
        row = self.rows[table.cursor_row]
        if not row["policy"]:
            return
        from aftersales.core.plugininfo import policy_titles

        name = policy_titles(self.app.registry, self.app.lang).get(row["policy"], row["policy"])
        data = next((p.data for p in self.app.registry.all_policies()
                     if p.id == row["policy"] and str(p.version) == str(row["policy_version"])), None)
        self.app.push_screen(PolicyView(name, row["source"], data, row["policy_version"]))
