"""What every screen of the counter UI shares: relabelling when the language changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual._compositor import Compositor
from textual.containers import Grid, VerticalScroll
from textual.geometry import Region, Size
from textual.screen import Screen
from textual.widgets import Input, SelectionList

from ..app import translate_bindings


def _merge(regions: set[Region]) -> list[Region]:
    """Regions one above the other with the same columns, joined (the panel's changed lines)."""
    out: list[Region] = []
    for region in sorted(regions, key=lambda r: (r.x, r.width, r.y)):
        last = out[-1] if out else None
        if last is not None and (last.x, last.width) == (region.x, region.width) and region.y <= last.bottom:
            out[-1] = Region(last.x, last.y, last.width, max(last.bottom, region.bottom) - last.y)
        else:
            out.append(region)
    return out


class _Compositor(Compositor):
    """Textual's compositor, drawing for a partial update only the widgets under the regions
    that changed.

    Textual draws every widget inside the one rectangle that surrounds all the changes of a
    frame. A key typed into a form field that also changes the decision panel makes that
    rectangle span from the field to the panel: every field, label and note in between is
    drawn again (and then thrown away: only the changed regions are written to the terminal).
    Here a widget is drawn only when it lies under a changed region, which is all that the
    frame writes out; widgets are still drawn front to back, so what is written is the same.
    """

    _changed: list[Region] | None = None
    #: the screen this compositor draws (set by ``CounterScreen``)
    screen: Screen | None = None

    def render_update(self, full: bool = False, screen_stack: Any = None, simplify: bool = False) -> Any:
        # A frame made while the app holds its updates (``App.batch_update``: while it starts,
        # among others) is thrown away unwritten. Drawing every widget for it would only delay
        # the first frame that is written: mark the whole screen for the next update instead.
        screen = self.screen
        app = screen.app if screen is not None else None
        if app is not None and app._batch_count:
            self._dirty_regions.add(self.size.region)
            app.call_later(screen.refresh)
            return None
        return super().render_update(full, screen_stack, simplify)

    def render_partial_update(self) -> Any:
        regions = self._dirty_regions
        self._changed = _merge(regions) if len(regions) > 1 else None
        try:
            return super().render_partial_update()
        finally:
            self._changed = None

    def _get_renders(self, crop: Region | None = None) -> Any:
        changed = self._changed
        if not (crop and changed and len(changed) > 1):
            yield from super()._get_renders(crop)
            return
        for widget, (region, clip) in self.visible_widgets.items():
            shown = region.intersection(clip)
            if not (shown.width and shown.height and any(r.overlaps(shown) for r in changed)):
                continue
            # as Textual does it: the widget's visible part, in its own coordinates
            yield region, clip, widget.render_lines(
                Region(shown.x - region.x, shown.y - region.y, shown.width, shown.height))


class CounterScreen(Screen):
    """A screen that knows the UI language; ``relabel()`` redraws its labels in it."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._compositor = _Compositor()
        self._compositor.screen = self
        self._lang: str | None = None
        # A screen made now is styled with the app's CSS as it is now when its widgets mount.
        # Textual counts a new screen as out of date and, when it starts a mode with it, parses
        # every stylesheet again and restyles the app (tens of milliseconds before the first
        # screen); a later change of theme still refreshes it as usual.
        self._css_update_count = self.app._css_update_count

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

    ``on_submit(input)``, when given, is called on Enter, inside the key's own handling, before
    ``Input.Submitted`` is posted: a form moves to its next field there, so the keys after the
    Enter go to that field.
    """

    on_change: Callable[[FormInput, str], None] | None = None
    on_submit: Callable[[FormInput], None] | None = None

    def __init__(self, *args: Any, on_change: Callable[[FormInput, str], None] | None = None,
                 on_submit: Callable[[FormInput], None] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.on_change = on_change
        self.on_submit = on_submit

    async def action_submit(self) -> None:
        if self.on_submit is not None:
            self.on_submit(self)
        await super().action_submit()

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
    """The scrolling form (not a tab stop itself: its fields are, and focusing one scrolls it)."""

    can_focus = False
