"""What every screen of the counter UI shares: relabelling when the language changes."""

from __future__ import annotations

from typing import Any, Callable

from textual.containers import Grid, VerticalScroll
from textual.geometry import Size
from textual.screen import Screen
from textual.widgets import Input, SelectionList

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
    (its virtual width grows with the text), which on a form costs several frames.

    ``on_change(input, value)``, when given, is called as soon as the value changes, inside the
    key's own handling, so what it updates is painted in the same frame as the typed character
    (``Input.Changed`` is still posted, but it reaches the screen only after several message
    hops, typically a frame later).
    """

    on_change: Callable[[FormInput, str], None] | None = None

    def __init__(self, *args: Any, on_change: Callable[[FormInput, str], None] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.on_change = on_change

    def on_mount(self) -> None:
        self.cursor_blink = getattr(self.app, "cursor_blink", True)

    def _watch_value(self, value: str) -> None:
        if self.styles.auto_dimensions or self.suggester is not None:
            super()._watch_value(value)
        else:
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
        if self.on_change is not None and self.is_mounted:
            self.on_change(self, value)


class TickList(SelectionList[str]):
    """A ``SelectionList`` of ids (papers shown, conditions seen, plans held): one widget for a
    whole group of ticks. ``on_change(list)``, when given, is called as soon as a tick changes,
    inside the key's or click's own handling (same frame; ``SelectedChanged`` is still posted)."""

    on_change: Callable[[TickList], None] | None = None

    def __init__(self, *args: Any, on_change: Callable[[TickList], None] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.on_change = on_change

    def _message_changed(self) -> None:
        super()._message_changed()
        if self.on_change is not None and self.is_mounted:
            self.on_change(self)


class _OnePass:
    """A container whose new virtual size, found by a layout pass, does not ask for another.

    Textual's ``virtual_size`` reactive asks for a layout whenever it changes, also when the
    change was found by the layout pass itself (a note appears under a field: the grid and the
    form grow). The pass that found it has already placed everything and updated the scroll
    bars, so the second, full-screen pass only costs a frame or two.
    """

    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True) -> bool:
        return super()._size_updated(size, virtual_size, container_size, layout=False)  # type: ignore[misc]


class FormGrid(_OnePass, Grid):
    """A section of the form: label | field, the note under the field."""


class FormScroll(_OnePass, VerticalScroll):
    """The scrolling form."""
