"""What the counter sees when the case store cannot be opened: the error and what to do."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from ..app import key, translate_bindings
from ..i18n import t
from ..widgets.footer import KeysFooter


class StoreUnavailableScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    StoreUnavailableScreen #unavailable-text { height: 1fr; }
    """
    BINDINGS = [key("r", "retry", "retry"), key("escape", "go_on", "continue")]

    def __init__(self, error: str, url: str) -> None:
        super().__init__(id="store-unavailable")
        self.error = error
        self.url = url

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static("", id="unavailable-text")
            yield KeysFooter()

    def on_mount(self) -> None:
        translate_bindings(self, self.app.lang)
        self.relabel()

    def relabel(self) -> None:
        lang = self.app.lang
        text = Text()
        text.append(t("store.title", lang) + "\n\n", "bold red")
        text.append(self.error + "\n\n", "red")
        text.append(t("store.url", lang, url=self.url) + "\n\n")
        text.append(t("store.what", lang) + "\n", "bold")
        text.append(t("store.todo", lang) + "\n")
        self.query_one("#unavailable-text", Static).update(text)

    def action_retry(self) -> None:
        self.dismiss(None)
        self.app.open_store()

    def action_go_on(self) -> None:
        self.dismiss(None)
