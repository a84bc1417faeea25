"""Updating a ``Static`` without a screen-wide layout pass when its height does not change.

A layout pass arranges every widget on the screen; a plain refresh repaints one. On the typing
path that is the difference between a frame and several, so text widgets that change on every
keystroke go through ``update_static``: nothing happens when the content is the same, and a
layout is asked for only when the widget is shown and its height at its current width changes
(measured the way Textual measures it, wrapping included).
"""

from __future__ import annotations

from typing import Any

from textual.geometry import Size
from textual.widgets import Static

_NONE = Size(0, 0)


def update_static(widget: Any, content: Any) -> None:
    """``widget.update(content)``, asking for a layout only when the height changes."""
    if not widget.is_mounted:
        widget.update(content)
        widget._shown_content = content
        return
    if getattr(widget, "_shown_content", None) == content and type(widget._shown_content) is type(content):
        return
    widget._shown_content = content
    width = widget.content_size.width
    if not widget.display:
        widget.update(content, layout=False)    # showing it later lays the screen out anyway
        return
    if width <= 0:
        widget.update(content)                  # not laid out yet
        return
    before = widget.get_content_height(_NONE, _NONE, width)
    widget.update(content, layout=False)
    if widget.get_content_height(_NONE, _NONE, width) != before:
        widget.refresh(layout=True)


class FieldNote(Static):
    """The note under a field of a form grid, spanning the label and field columns.

    Textual's grid sizes a row of auto height by measuring each cell at the width of one column,
    so a note that spans two columns was measured at the field column's width alone: a line that
    fits the span wrapped there, and the row kept a blank second line or not depending on whether
    a layout pass happened while a longer note was shown. Measured at the span's width, the row
    is always the note's own height (the one ``update_static`` checks)."""

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        # the grid passes its own size as ``container``: the span is all of its width
        span = container.width - self.styles.gutter.width
        return super().get_content_height(container, viewport, max(width, span))
