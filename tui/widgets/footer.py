"""The key line at the bottom of every screen: Textual's ``Footer``, redrawn only when the keys
it shows change."""

from __future__ import annotations

from typing import Any

from textual.widgets import Footer, Select


class KeysFooter(Footer):
    """A compact ``Footer`` that keeps its keys while they stay the same.

    Textual's Footer makes its keys anew (a widget each, each styled twice) whenever the screen
    says its bindings may have changed: at every move of the focus, though moving from one field
    of the form to the next changes none of the keys shown. Here the keys are made again only
    when what they show differs: which keys, their words, whether they are enabled.

    While a dropdown's list is open, its Esc key comes first and the palette's key (Ctrl+P, on
    the right) is left out, so that the screen's keys still fit 80 columns (Ctrl+P still works)."""

    def __init__(self, **options: Any) -> None:
        options.setdefault("compact", True)
        super().__init__(**options)
        #: what the keys made last show (``None``: none made yet)
        self._shown: tuple | None = None

    def _keys(self, screen: Any) -> tuple:
        """What the screen's keys would show: each binding shown (and the palette's), its words
        and state, and the language (the key names are drawn in it)."""
        palette = self.app.COMMAND_PALETTE_BINDING
        return (getattr(self.app, "lang", None), self.show_command_palette) + tuple(
            (key, binding.key_display, binding.action, binding.description, binding.group, enabled, tooltip)
            for key, (_node, binding, enabled, tooltip) in screen.active_bindings.items()
            if binding.show or key == palette)

    def compose(self) -> Any:
        if self._bindings_ready:
            self._shown = self._keys(self.screen)
        return super().compose()

    def bindings_changed(self, screen: Any) -> None:
        if screen is self.screen:
            list_open = isinstance(getattr(screen.focused, "parent", None), Select)
            self.set_reactive(Footer.show_command_palette, not list_open)
        if self._shown is not None and screen is self.screen and self._keys(screen) == self._shown:
            return
        super().bindings_changed(screen)
