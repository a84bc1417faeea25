"""Updating a ``Static`` without a screen-wide layout pass when its height does not change.

A layout pass arranges every widget on the screen (the intake form has well over a hundred);
a plain refresh repaints one. On the typing path that is the difference between a frame and
several, so text widgets that change on every keystroke go through ``update_static``.
"""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from rich.text import Text


def _rows(content: Any, width: int) -> int:
    plain = content.plain if isinstance(content, Text) else str(content)
    if plain.endswith("\n"):
        plain = plain[:-1]
    width = max(1, width)
    return sum(max(1, -(-cell_len(line) // width)) for line in plain.split("\n"))


def update_static(widget: Any, content: Any) -> None:
    """``widget.update(content)``, asking for a layout only when the row count changes."""
    width = widget.content_region.width if widget.is_mounted else 0
    rows = _rows(content, width) if width else -1
    previous = getattr(widget, "_as_rows", None)
    widget._as_rows = rows
    widget.update(content, layout=(rows == -1 or rows != previous))
