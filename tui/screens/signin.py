"""Staff sign-in at the counter (once a store has staff registered: ``aftersales staff add``).

The screen stays until a staff code and PIN sign in (``store/staff.py``); Ctrl+Q still quits.
The signed-in member is who the event log records for everything done at this counter.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from ..i18n import t


class SignInScreen(ModalScreen[Any]):
    """Staff code and PIN; Enter in the PIN field signs in."""

    #: the app leaves no mode while it is shown (``AftersalesApp.check_action``)
    holds_the_counter = True

    def __init__(self, engine: Any, store_code: str | None) -> None:
        super().__init__(id="signin")
        self.engine = engine
        self.store_code = store_code

    def compose(self) -> ComposeResult:
        lang = self.app.lang
        with Vertical(classes="dialog"):
            yield Static(t("signin.title", lang), classes="dialog-title")
            yield Input(placeholder=t("signin.code", lang), id="signin-code", max_length=16)
            yield Input(placeholder=t("signin.pin", lang), id="signin-pin", password=True, max_length=12)
            yield Static("", id="signin-error")

    def on_mount(self) -> None:
        self.query_one("#signin-code", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "signin-code":
            self.query_one("#signin-pin", Input).focus()
            return
        from aftersales.core.errors import AftersalesError
        from aftersales.store import staff as store_staff

        code = self.query_one("#signin-code", Input).value
        pin_field = self.query_one("#signin-pin", Input)
        try:
            member = store_staff.sign_in(self.engine, code, pin_field.value, store=self.store_code)
        except AftersalesError as exc:
            pin_field.value = ""
            self.query_one("#signin-error", Static).update(exc.text(self.app.lang))
            return
        self.dismiss(member)
