"""A yes/no question before something that throws work away (a half-filled intake)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from ..app import key, translate_bindings
from ..i18n import t


class ConfirmDialog(ModalScreen[bool]):
    """``question`` and two buttons; Y answers yes, N or Esc no, Enter the focused button (no,
    unless ``safe_yes``: yes keeps work, as restoring a draft does)."""

    BINDINGS = [key("y", "answer(True)", "confirm"), key("n,escape", "answer(False)", "back")]

    def __init__(self, question: str, yes: str, no: str | None = None, *, safe_yes: bool = False) -> None:
        super().__init__(classes="confirm")
        self.question = question
        self.yes = yes
        self.no = no
        self.safe_yes = safe_yes

    def compose(self) -> ComposeResult:
        lang = self.app.lang
        with Vertical(classes="dialog"):
            yield Static(self.question, classes="dialog-title")
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"{self.yes} (Y)", id="confirm-yes", variant="primary" if self.safe_yes else "error",
                             compact=True)
                yield Button(f"{self.no or t('key.back', lang)} (N)", id="confirm-no", compact=True)

    def on_mount(self) -> None:
        translate_bindings(self, self.app.lang)
        self.query_one("#confirm-yes" if self.safe_yes else "#confirm-no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm-yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
