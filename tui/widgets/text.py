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
