"""Every use of Textual's internals, in one place, on the Textual series it was checked against.

The counter UI is built on Textual's public API. A few speed-ups (and the relabelling of key
bindings when the language changes, a wide character kept whole at a widget's edge, a tick
list's labels wrapped) need Textual's private attributes and methods; they are all here, and
``ENABLED`` only on the series listed in ``CHECKED`` (the snapshot and Pilot tests in
``tests/tui`` are the check, run on that series). On any other Textual version, or with
``AFTERSALES_TEXTUAL_INTERNALS=0``, every helper below does the public thing instead: the UI
works the same, a little slower (a keystroke lays out the screen, the first screen waits for a
second styling pass); the footer's and the palette's key labels stay Chinese (the bindings are
made in Chinese; putting them in another language is ``_bindings``, below); a Chinese character
under an edge inside one widget (a toast over a dialog's border) may show as two spaces, as
Textual draws it; and a tick's label longer than its list is cut with "…".

What each helper relies on, when enabled:

* ``Compositor`` (``textual._compositor``): ``render_update``, ``render_partial_update``,
  ``_get_renders``, ``_dirty_regions`` (partial frames draw only what changed; no frame drawn
  while the app holds its updates, ``App._batch_count``); ``_render_chops``, ``cuts`` and
  ``ChopsUpdate.chop_ends`` (a wide character kept whole where a widget's edge falls inside it),
  ``Screen._compositor`` (every screen and dialog given one of these);
* ``App._running``, ``App._batch_count`` (frames made while starting are not written);
* ``App._driver``'s ``write`` and ``flush`` (silenced when the terminal has gone);
* ``Screen._css_update_count`` (a new screen counts as styled), ``Screen._on_screen_resume``;
* ``Input._watch_value`` (a keystroke repaints the field alone), ``SelectionList._message_changed``,
  ``OptionList._get_visual``, ``_lines``, ``_get_left_gutter_width``, ``SelectionList._selected``
  and ``ToggleButton``'s box (a tick list's labels wrapped as Chinese is set, a label of several
  lines drawn with its box on the first),
  ``Widget._size_updated`` (also: the decision panel wraps its lines as the layout sizes it),
  ``ScrollView._scroll_update``;
* ``Screen._size`` (the first screen is laid out once, for the terminal's size event);
* ``Screen._screen_resized``, ``Screen._compositor.size`` (no layout for a size event of the
  size the screen is laid out at);
* ``Screen._refresh_layout`` and ``Widget._size_updated``'s ``layout`` (a layout pass of the
  intake screen does not ask for another one by the virtual sizes it sets);
* ``DOMNode._bindings`` (the footer's and the palette's labels in the new language);
* ``DOMNode._get_default_css`` (a form field styled by its own stylesheet, not ``Input``'s);
* ``textual.widgets._select``'s ``SelectCurrent`` and ``NoSelection``, ``DOMNode._get_default_css``
  (a drop-down's current value drawn by one widget, where Textual's is four, styled without
  ``SelectCurrent``'s stylesheet);
* ``Select``'s ``_setup_options_renderables``, ``_watch_value``, ``_watch_expanded``,
  ``_watch_prompt`` and ``SelectOverlay`` (a drop-down's list mounted when first needed).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import textual

#: Textual series whose internals this module was checked against
CHECKED = ("8.2.",)


def textual_version() -> str:
    """The installed Textual's version, read from the metadata folder beside its package
    (``textual-8.2.8.dist-info/METADATA``, as pip installs it). ``textual.__version__`` would
    import ``importlib.metadata`` (and the ``email`` package it parses metadata with), a
    noticeable part of the counter UI's start; it is asked only when there is no such folder,
    or more than one."""
    folder = os.path.dirname(os.path.dirname(textual.__file__ or ""))
    try:
        found = [n for n in os.listdir(folder) if n.startswith("textual-") and n.endswith(".dist-info")]
    except OSError:
        found = []
    if len(found) == 1:
        try:
            with open(os.path.join(folder, found[0], "METADATA"), encoding="utf-8") as metadata:
                for line in metadata:
                    if line.startswith("Version:"):
                        return line[len("Version:"):].strip()
                    if not line.strip():   # the end of the headers
                        break
        except OSError:
            pass
    return str(getattr(textual, "__version__", ""))


def _enabled() -> bool:
    if os.environ.get("AFTERSALES_TEXTUAL_INTERNALS", "") in ("0", "off", "no"):
        return False
    return textual_version().startswith(CHECKED)


#: the internals below are used (this Textual series was checked)
ENABLED = _enabled()

#: what a ticked box shows (an unticked one is empty): Textual draws X in both, told apart by
#: colour alone, and the decision panel says ✗ for what is not available (``widgets.ticks``)
TICKED = "✓"


# --- the app ------------------------------------------------------------------------------------

def batch_count(app: Any) -> int:
    """How deep the app is in ``batch_update`` (0 when unknown)."""
    return int(getattr(app, "_batch_count", 0) or 0) if ENABLED else 0


def app_running(app: Any) -> bool:
    """Whether the app's message loop has started (public fallback: it is mounted)."""
    if ENABLED:
        return bool(getattr(app, "_running", False))
    return bool(app.is_running)


def silence_driver(app: Any) -> None:
    """Make the terminal driver write nothing (the terminal has hung up)."""
    if not ENABLED:
        return
    driver = getattr(app, "_driver", None)
    if driver is not None:
        driver.write = lambda data: None
        driver.flush = lambda: None


def relabel_bindings(node: Any, describe: Callable[[Any], str | None]) -> None:
    """Give ``node``'s bindings the description ``describe(binding)`` (``None``: unchanged)."""
    if not ENABLED:
        return
    import dataclasses

    bindings = getattr(node, "_bindings", None)
    if bindings is None:
        return
    changed = {}
    for k, group in bindings.key_to_bindings.items():
        out = []
        for b in group:
            text = describe(b)
            out.append(b if text is None or text == b.description else dataclasses.replace(b, description=text))
        changed[k] = out
    bindings.key_to_bindings = changed


# --- screens ------------------------------------------------------------------------------------

def mark_styled(screen: Any, app: Any) -> None:
    """A new screen counts as styled with the app's CSS as it is now."""
    if ENABLED:
        screen._css_update_count = app._css_update_count


def install_compositor(screen: Any, partial: bool = True) -> None:
    """Give ``screen`` (not yet mounted) a compositor that keeps a wide character whole where a
    widget's edge falls inside it (a toast's "）：" over a dialog's edge), and, ``partial``, that
    draws only what changed (when enabled). A screen that has one keeps it."""
    if ENABLED:
        from ._fastcompositor import PartialCompositor, WholeCharacterCompositor

        if isinstance(screen._compositor, WholeCharacterCompositor):
            return
        if partial:
            compositor = PartialCompositor()
            compositor.screen = screen
        else:
            compositor = WholeCharacterCompositor()
        screen._compositor = compositor


def scroll_update(view: Any, size: Any) -> None:
    """A scroll view's scroll bars follow a new virtual size set without a layout."""
    if ENABLED:
        view._scroll_update(size)
    else:
        view.refresh(layout=True)


# --- widget overrides (mixed in before the Textual class; empty when not enabled) ---------------

if ENABLED:
    from textual.content import Content
    from textual.geometry import Size
    from textual.widget import Widget
    from textual.widgets import Input

    #: how many layout passes of a screen laid out once per change are under way (0 or 1: a pass
    #: runs to its end on the app's thread)
    _ONE_PASS = [0]
    _widget_size_updated = Widget._size_updated

    def _size_updated(self: Any, size: Any, virtual_size: Any, container_size: Any, layout: bool = True) -> bool:
        return _widget_size_updated(self, size, virtual_size, container_size, layout and not _ONE_PASS[0])

    # Textual's widget asks for a layout whenever its virtual size changes, also when the layout
    # pass itself set it (every widget's first pass: a second full pass followed every first
    # frame); inside a pass of a ``LaidOutOncePerChange`` screen it does not
    Widget._size_updated = _size_updated  # type: ignore[method-assign]

    class OwnStylesheet:
        """A widget styled by its own stylesheet in place of the Textual class's it restates:
        ``REPLACES`` names that class (``Input``: fifteen rule sets, most for the borders of a
        field that is not compact and for ANSI colours, parsed as the counter starts). Rules of
        that stylesheet brought in later by another widget still apply to this one: what this
        one says must come before them where they differ."""

        REPLACES = ""

        def _get_default_css(self) -> Any:
            left_out = f"{self.REPLACES}.DEFAULT_CSS"
            return [css for css in super()._get_default_css() if css[0][1] != left_out]  # type: ignore[misc]

    class FieldRepaint:
        """An ``Input`` whose keystroke repaints the field alone: Textual's ``Input`` asks for a
        layout of the whole screen on every change (its virtual width grows with the text)."""

        def _watch_value(self, value: str) -> None:
            field: Any = self
            if field.styles.auto_dimensions or field.suggester is not None:
                super()._watch_value(value)  # type: ignore[misc]
                return
            field.set_reactive(Input.virtual_size, Size(field.content_width, 1))
            field.refresh()
            field._suggestion = ""
            result = field.validate(value) if "changed" in field.validate_on else None
            field.post_message(field.Changed(field, value, result))
            if field._initial_value:
                field.cursor_position = len(field.value)
                field._initial_value = False
            else:
                field.selection = field.selection

    class BlinkWhenFocused:
        """An ``Input`` whose cursor's blink timer is made when the field first takes the focus
        (or a key), not as it mounts: Textual's ``Input`` starts one for every field, paused
        unless it is focused (a timer task each; the intake's first screen has eleven fields)."""

        def set_interval(self, interval: float, callback: Any = None, **kwargs: Any) -> Any:
            field: Any = self
            if callback == field._toggle_cursor:   # ``Input``'s own, as it mounts
                if field._blink_timer is not None:
                    return field._blink_timer
                if kwargs.get("pause"):
                    return None     # made by ``_restart_blink`` when the field needs it
            return super().set_interval(interval, callback, **kwargs)  # type: ignore[misc]

        def _restart_blink(self) -> None:
            field: Any = self
            if field._blink_timer is None and field.cursor_blink and field.is_mounted:
                field._blink_timer = super().set_interval(0.5, field._toggle_cursor)  # type: ignore[misc]
            super()._restart_blink()  # type: ignore[misc]

        def _watch_cursor_blink(self, blink: bool) -> None:
            field: Any = self
            super()._watch_cursor_blink(blink)  # type: ignore[misc]
            if blink and field._blink_timer is None and field.has_focus:
                self._restart_blink()

    class SameFrameTicks:
        """A ``SelectionList`` that calls ``changed_now()`` inside the key's own handling."""

        def _message_changed(self) -> None:
            super()._message_changed()  # type: ignore[misc]
            ticks: Any = self
            ticks.changed_now()

    class WrappedTicks:
        """A ``SelectionList`` whose labels are broken as Chinese is set at its width (``Wrapped``,
        by ``wrap_line``): Textual's draws an option on one line, line y being option y, and cut
        a longer label (电子三包凭证（电子保 … at 80 columns). An option of several lines has its
        box on its first line and the gutter blank under it."""

        def _get_visual(self, option: Any) -> Any:
            prompt = option.prompt
            if option._visual is None and isinstance(prompt, str | Content):
                from rich.text import Text
                from textual.visual import visualize

                from .widgets.text import Wrapped

                option._visual = visualize(self, Wrapped(Text(prompt if isinstance(prompt, str) else prompt.plain)))
            return super()._get_visual(option)  # type: ignore[misc]

        def get_content_height(self, container: Any, viewport: Any, width: int) -> int:
            # (the labels' height at the width they are drawn at: the list's less its gutter)
            ticks: Any = self
            return super().get_content_height(container, viewport, width - ticks._get_left_gutter_width())  # type: ignore[misc]

        def render_line(self, y: int) -> Any:
            from rich.segment import Segment
            from rich.style import Style
            from textual.strip import Strip
            from textual.widgets import OptionList
            from textual.widgets._toggle_button import ToggleButton

            ticks: Any = self
            line = OptionList.render_line(ticks, y)
            try:
                index, offset = ticks._lines[ticks.scroll_offset.y + y]
                selection = ticks.get_option_at_index(index)
            except IndexError:
                return line
            underlying_style = next(iter(line)).style or ticks.rich_style
            if offset:
                return Strip([Segment(" " * ticks._get_left_gutter_width(), underlying_style), *line])
            # as ``SelectionList.render_line`` draws the box, for the option this line begins
            component = "selection-list--button"
            ticked = selection.value in ticks._selected
            if ticked:
                component += "-selected"
            if ticks.highlighted == index:
                component += "-highlighted"
            button_style = ticks.get_component_rich_style(component)
            side_style = Style.from_color(button_style.bgcolor, underlying_style.bgcolor) + Style(meta={"option": index})
            button_style += Style(meta={"option": index})
            return Strip([Segment(ToggleButton.BUTTON_LEFT, style=side_style),
                          Segment(TICKED if ticked else " ", style=button_style),
                          Segment(ToggleButton.BUTTON_RIGHT, style=side_style),
                          Segment(" ", style=underlying_style), *line])

    class OneLayoutPass:
        """A container whose new virtual size, found by a layout pass, does not ask for another."""

        def _size_updated(self, size: Any, virtual_size: Any, container_size: Any, layout: bool = True) -> bool:
            return super()._size_updated(size, virtual_size, container_size, layout=False)  # type: ignore[misc]

    class StyledOnFirstResume:
        """A screen not restyled on its first resume (its mount has just styled every widget),
        nor laid out there when it is the app's first screen: Textual lays the first screen out
        as it resumes, before its compose has finished mounting, then again (every widget
        arranged anew) for the terminal's size event that follows, which draws the first frame."""

        _resumed = False

        def _on_screen_resume(self, event: Any) -> None:
            if not self._resumed:
                self._resumed = True
                event.refresh_styles = False
                screen: Any = self
                app = screen.app
                if not app._running or app._batch_count:   # the app is starting
                    screen._size = app.size   # (``_refresh_layout`` runs when the size differs)
            super()._on_screen_resume(event)  # type: ignore[misc]

    class LaidOutAtItsSize:
        """A screen not laid out again for a size event of the size it is laid out at. Textual
        sends the first screen two such events after its first frame (the one its own first
        layout posts to it, and the terminal's size event the app kept for when it is idle),
        and each arranged every widget anew for the same result; a layout something asked for
        in the meantime is done by the screen's next update as usual."""

        def _screen_resized(self, size: Any) -> None:
            screen: Any = self
            if screen._compositor.size == size:
                return
            super()._screen_resized(size)  # type: ignore[misc]

    class LaidOutOncePerChange:
        """A screen whose layout pass does not ask for a second one: the virtual sizes the pass
        gives its widgets (every widget's, in its first pass) do not request another layout, as
        Textual's widgets otherwise do. The pass that set them has placed every widget at those
        sizes and updated the scroll bars; the second pass arranged everything anew for the same
        result and repainted the screen (after the first frame, while the policies load)."""

        def _refresh_layout(self, size: Any = None, scroll: bool = False) -> None:
            _ONE_PASS[0] += 1
            try:
                super()._refresh_layout(size, scroll)  # type: ignore[misc]
            finally:
                _ONE_PASS[0] -= 1

    _one_line_current: list[Any] = []

    def one_line_current(widget: Any, compact: bool) -> Any:
        """``widget``, one of the parts a ``Select`` composes; a compact drop-down's current-value
        line (``SelectCurrent``) replaced by one widget that draws its label and arrow
        itself, where Textual's is four (a row of the label and two arrows):
        each widget costs the screen as it is built, styled, laid out and drawn. It looks the
        same (the label in ``$foreground`` 50% until there is a value, the arrow in it always,
        ▲ while the list is open), and the drop-down finds it as its ``SelectCurrent``."""
        from textual.widgets._select import SelectCurrent

        if not compact or not isinstance(widget, SelectCurrent) or type(widget).compose is not SelectCurrent.compose:
            return widget
        if not _one_line_current:
            _one_line_current.append(_make_one_line_current())
        return _one_line_current[0](widget.placeholder)

    def _make_one_line_current() -> Any:
        from textual.content import Content
        from textual.widgets._select import NoSelection, SelectCurrent

        class OneLineCurrent(OwnStylesheet, SelectCurrent):
            # ``SelectCurrent``'s own stylesheet is left out (its rules are for its parts, for the
            # borders of a drop-down that is not compact and for the ANSI colours the counter does
            # not use: seven rule sets to parse as the counter starts); what of it applies to a
            # compact drop-down's line is here, and ``Select``'s rules for its ``SelectCurrent``
            # apply to this one (its padding, the tint while focused). Its colour is said as a
            # select's line, to come before ``SelectCurrent``'s once another screen's drop-down has
            # brought that stylesheet in (not scoped: its rules begin with the select).
            SCOPED_CSS = False
            REPLACES = "SelectCurrent"
            DEFAULT_CSS = """
            OneLineCurrent {
                background: $surface;
                width: 1fr;
                height: auto;
                pointer: pointer;
            }
            Select > OneLineCurrent { color: $foreground 50%; }
            Select > OneLineCurrent.-has-value { color: $foreground; }
            """

            def compose(self) -> Any:
                return ()

            def on_mount(self) -> None:
                self.watch(self.parent, "expanded", lambda _: self.refresh(), init=False)

            def update(self, label: Any) -> None:
                width = self.content_region.width
                before = len(self._lines(width))
                self.label = label
                self.has_value = not isinstance(label, NoSelection)
                # a layout only when the label's height changes (a Static's update lays out the screen)
                self.refresh(layout=not self.is_mounted or len(self._lines(width)) != before)

            def _text(self) -> Content:
                label = self.placeholder if isinstance(self.label, NoSelection) else self.label
                return label if isinstance(label, Content) else Content.from_rich_text(label) \
                    if not isinstance(label, str) else Content(label)

            def _lines(self, width: int) -> list[Content]:
                return self._text().wrap(max(width - 2, 1)) or [Content("")]

            def get_content_height(self, container: Any, viewport: Any, width: int) -> int:
                return len(self._lines(width))

            def render(self) -> Any:
                width = self.content_region.width
                arrow = "▲" if getattr(self.parent, "expanded", False) else "▼"
                lines = self._lines(width)
                # (the label, then the rest of its column with the arrow's margin, as runs of
                # their own, as Textual's parts draw them: a frame is the same cell for cell)
                out = []
                for index, line in enumerate(lines):
                    gap = " " * max(width - 1 - line.cell_length, 0)
                    if index:
                        out.append(Content.assemble(line, Content.styled(gap[:-1], "not reverse"),
                                                    Content.styled("  ", "not reverse")))
                    else:
                        out.append(Content.assemble(line, Content.styled(gap, "not reverse"),
                                                    Content.styled(arrow, "$foreground 50%")))
                return Content("\n").join(out)

        return OneLineCurrent

    class ListWhenOpened:
        """A ``Select`` whose list (``SelectOverlay``, an ``OptionList`` with its stylesheet and
        its options) is mounted when something first needs it: the drop-down opening, a value
        chosen (the list shows it highlighted), the prompt changing. Until then it is held, made
        by ``Select.compose`` as usual: a drop-down the clerk never opens costs the screen one
        widget, not two (the intake's two drop-downs' lists were ~15 M instructions of its first
        screen)."""

        _held_list: Any = None

        def compose(self) -> Any:
            from textual.widgets._select import SelectOverlay

            for widget in super().compose():  # type: ignore[misc]
                if isinstance(widget, SelectOverlay) and self._held_list is None:
                    self._held_list = widget
                    continue
                yield widget

        def make_list(self) -> None:
            """Mount the list now, with the options (registered at once: ``Select`` finds it)."""
            held, self._held_list = self._held_list, None
            if held is not None:
                select: Any = self
                held.compact = select.compact
                select.mount(held)
                super()._setup_options_renderables()  # type: ignore[misc]

        @property
        def list_gone(self) -> bool:
            """Whether the list was mounted and has been removed since (as the app closes)."""
            select: Any = self
            return self._held_list is None and not select.query_children("SelectOverlay")

        def _setup_options_renderables(self) -> None:
            if self._held_list is None:
                super()._setup_options_renderables()  # type: ignore[misc]

        def _watch_value(self, value: Any) -> None:
            from textual.widgets._select import NULL

            if value != NULL:
                self.make_list()
            super()._watch_value(value)  # type: ignore[misc]

        def _watch_expanded(self, expanded: bool) -> None:
            if expanded:
                self.make_list()
            super()._watch_expanded(expanded)  # type: ignore[misc]

        def _watch_prompt(self, prompt: str) -> None:
            select: Any = self
            if select.is_mounted:
                self.make_list()
            super()._watch_prompt(prompt)  # type: ignore[misc]

        def action_show_overlay(self) -> None:
            self.make_list()
            super().action_show_overlay()  # type: ignore[misc]

    class SizedNow:
        """A widget told of its new size (``resized_now()``) as the layout sets it, not a message
        later: a frame drawn right after the layout (the first one) already shows what depends on
        the size."""

        def _size_updated(self, size: Any, virtual_size: Any, container_size: Any, layout: bool = True) -> bool:
            changed = super()._size_updated(size, virtual_size, container_size, layout)  # type: ignore[misc]
            if changed:
                widget: Any = self
                widget.resized_now()
            return changed
else:
    class OwnStylesheet:  # type: ignore[no-redef]
        pass                    # (both stylesheets: the same rules, said twice)

    class FieldRepaint:  # type: ignore[no-redef]
        pass

    class SameFrameTicks:  # type: ignore[no-redef]
        pass

    class WrappedTicks:  # type: ignore[no-redef]
        pass                    # (Textual's: a label longer than the list is cut, one line an option)

    class BlinkWhenFocused:  # type: ignore[no-redef]
        pass

    class OneLayoutPass:  # type: ignore[no-redef]
        pass

    class StyledOnFirstResume:  # type: ignore[no-redef]
        pass

    class LaidOutAtItsSize:  # type: ignore[no-redef]
        pass

    class LaidOutOncePerChange:  # type: ignore[no-redef]
        pass

    class ListWhenOpened:  # type: ignore[no-redef]
        def make_list(self) -> None:
            pass                # made with the drop-down

        @property
        def list_gone(self) -> bool:
            select: Any = self
            return not select.query_children("SelectOverlay")

    class SizedNow:  # type: ignore[no-redef]
        pass

    def one_line_current(widget: Any, compact: bool) -> Any:
        return widget       # Textual's own (four widgets)
