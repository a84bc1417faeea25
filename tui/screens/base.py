"""What every screen of the counter UI shares: relabelling when the language changes."""

from __future__ import annotations

from textual.geometry import Size
from textual.screen import Screen
from textual.widgets import Input

from ..app import translate_bindings


class CounterScreen(Screen):
    """A screen that knows the UI language; ``relabel()`` redraws its labels in it."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._lang: str | None = None

    @property
    def lang(self) -> str:
        return self.app.lang

    def on_mount(self) -> None:
        self._lang = self.app.lang
        translate_bindings(self, self._lang)

    def on_screen_resume(self) -> None:
        if self._lang != self.app.lang:
            translate_bindings(self, self.app.lang)
            self.relabel()
            self.refresh_bindings()

    def relabel(self) -> None:
        self._lang = self.app.lang


class FormInput(Input):
    """An ``Input`` for fixed-width form fields.

    It follows the app's cursor-blink setting (off in snapshot tests), and a keystroke repaints
    the field alone: Textual's ``Input`` asks for a layout of the whole screen on every change
    (its virtual width grows with the text), which on the intake form costs several frames.
    """

    def on_mount(self) -> None:
        self.cursor_blink = getattr(self.app, "cursor_blink", True)

    def _watch_value(self, value: str) -> None:
        if self.styles.auto_dimensions or self.suggester is not None:
            super()._watch_value(value)
            return
        self.set_reactive(Input.virtual_size, Size(self.content_width, 1))
        self.refresh()
        self._suggestion = ""
        result = self.validate(value) if "changed" in self.validate_on else None
        self.post_message(self.Changed(self, value, result))
        if self._initial_value:
            self.cursor_position = len(self.value)
            self._initial_value = False
        else:
            self.selection = self.selection
