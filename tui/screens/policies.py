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
from textual.widgets import DataTable, Footer, Static

from ..app import key, translate_bindings
from ..i18n import t
from ..widgets.titlebar import TitleBar
from .base import CounterScreen
from .queue import short_label

COLUMNS = ("plugin", "version", "origin", "brands", "policy", "policy_version", "effective", "state")


def policy_rows(registry: Any) -> list[dict[str, Any]]:
    """One row per (plugin, policy version); a plugin without policies gets one row."""
    rows = []
    for name, info in (getattr(registry, "plugins", {}) or {}).items():
        base = {"plugin": name, "version": info.version, "origin": info.origin, "brands": ", ".join(info.brands),
                "error": info.error}
        if not info.policies:
            rows.append({**base, "policy": "", "policy_version": "", "effective": "", "source": None, "valid": info.error is None})
        for p in info.policies:
            eff = p.get("effective") or {}
            rows.append({**base, "policy": p["id"], "policy_version": p["version"],
                         "effective": f"{eff.get('from') or ''}–{eff.get('until') or ''}", "source": p.get("source"),
                         "valid": bool(p.get("valid", True)) and info.error is None})
    return rows


def problems_text(app: Any) -> Text:
    lang = app.lang
    out = Text()
    issues = list(getattr(app, "reload_issues", []) or [])
    if issues:
        out.append(t("pol.reload_failed" if app.registry is not None else "pol.load_failed", lang) + "\n", "bold red")
        for issue in issues:
            out.append(f"  {issue}\n", "red")
    registry = app.registry
    others = [str(e) for e in getattr(registry, "load_errors", []) or []]
    others += [str(i) for i in getattr(registry, "policy_issues", []) or []]
    for line in others:
        out.append(f"  {line}\n", "yellow")
    if app.registry_error and not issues:
        out.append(str(app.registry_error) + "\n", "bold red")
    if not issues and not others and not app.registry_error:
        out.append(t("pol.no_errors", lang), "green")
    return out


class PolicyView(ModalScreen[None]):
    """One policy file, read-only, highlighted."""

    BINDINGS = [key("escape", "close", "close")]

    def __init__(self, title: str, source: str | None) -> None:
        super().__init__(id="policy-view")
        self.title_text = title
        self.source = source

    def compose(self) -> ComposeResult:
        lang = self.app.lang
        try:
            text = Path(str(self.source)).read_text(encoding="utf-8")
            body: Any = Syntax(text, "yaml", line_numbers=True, word_wrap=False, theme="ansi_dark")
        except (OSError, TypeError) as exc:
            body = Text(t("pol.unreadable", lang, source=self.source, error=exc), style="red")
        with Vertical(classes="dialog wide"):
            yield Static(self.title_text, classes="dialog-title")
            with VerticalScroll(id="policy-source"):
                yield Static(body)
            yield Footer(compact=True)

    def on_mount(self) -> None:
        translate_bindings(self, self.app.lang)

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
        yield Footer(compact=True)

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
        brands = getattr(self.app.registry, "brands", {}) or {}

        def brand_names(ids: str) -> str:
            names = []
            for bid in (b.strip() for b in ids.split(",") if b.strip()):
                b = brands.get(bid)
                names.append(short_label(b.label(lang)) if b else bid)
            return "、".join(names) if lang == "zh" else ", ".join(names)

        for i, r in enumerate(self.rows):
            state = t("pol.valid", lang) if r["valid"] else t("pol.plugin_error" if r["error"] else "pol.invalid", lang)
            style = "" if r["valid"] else "bold red"
            origin = t(f"origin.{r['origin'].replace(' ', '_')}", lang)
            table.add_row(*(Text(str(x), style=style) for x in (
                r["plugin"], r["version"], origin, brand_names(r["brands"]), titles.get(r["policy"], r["policy"]),
                r["policy_version"], r["effective"], state)), key=str(i))
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
        title = t("pol.view_title", self.app.lang, id=name, version=row["policy_version"])
        self.app.push_screen(PolicyView(title, row["source"]))
