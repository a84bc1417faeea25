"""The tick list of the intake's lower sections (papers shown, conditions seen, plans held).

Its own module: the first screen has none, and ``SelectionList`` need not be imported before it
is drawn (the lower sections are mounted after its first frame)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.widgets import SelectionList

from .. import compat


class TickList(compat.SameFrameTicks, SelectionList[str]):
    """A ``SelectionList`` of ids (papers shown, conditions seen, plans held): one widget for a
    whole group of ticks. ``on_change(list)``, when given, is called as soon as a tick changes,
    inside the key's or click's own handling (same frame; ``SelectedChanged`` is still posted)."""

    on_change: Callable[[TickList], None] | None = None

    def __init__(self, *args: Any, on_change: Callable[[TickList], None] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.on_change = on_change

    def changed_now(self) -> None:
        """The ticks changed (inside the key's handling when ``compat`` can tell, else from the
        ``SelectedChanged`` message)."""
        if self.on_change is not None and self.is_mounted:
            self.on_change(self)

    def on_selection_list_selected_changed(self, event: Any) -> None:
        if not compat.ENABLED:
            self.changed_now()         # public path: the message, a frame after the key
