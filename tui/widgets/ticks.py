"""The tick list of the intake's lower sections (papers shown, conditions seen, plans held), and
their check boxes.

Its own module: the first screen has none, and ``SelectionList`` need not be imported before it
is drawn (the lower sections are mounted after its first frame)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.content import Content
from textual.widgets import Checkbox, SelectionList

from .. import compat


class TickList(compat.SameFrameTicks, compat.WrappedTicks, SelectionList[str]):
    """A ``SelectionList`` of ids (papers shown, conditions seen, plans held): one widget for a
    whole group of ticks, its labels broken as Chinese is set where they are longer than the list
    is wide. ``on_change(list)``, when given, is called as soon as a tick changes, inside the
    key's or click's own handling (same frame; ``SelectedChanged`` is still posted)."""

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


class CheckBox(Checkbox):
    """A check box that shows whether it is ticked by its mark (✓ or empty), not by colour alone."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # noqa: N802 - Textual's name for the mark
        return compat.TICKED if self.value else " "


class TickBox(CheckBox):
    """A check box of the form whose label goes on under itself where it is longer than the form
    is wide, broken as Chinese is set (``wrap_line``): Textual's check box is one line, its label
    cut (Fault confirmed by tes… at 80 columns)."""

    DEFAULT_CSS = """
    TickBox { width: 1fr; height: auto; }
    """

    def _lines(self, width: int) -> Content:
        from rich.text import Text

        from .text import wrap_line

        whole = super().render()         # the box, a space, the label, a space
        label = self.label.plain
        if whole.cell_length <= width or not label:
            return whole
        head = whole[: len(whole.plain) - len(label) - 1]
        style = self.get_visual_style("toggle--label")
        lines = [Content.styled(piece.plain, style) for piece in wrap_line(Text(label), max(width - head.cell_length, 1))]
        indent = Content(" " * head.cell_length)
        return Content("\n").join([Content.assemble(head, lines[0]), *(Content.assemble(indent, line) for line in lines[1:])])

    def render(self) -> Content:
        return self._lines(self.content_region.width)

    def get_content_height(self, container: Any, viewport: Any, width: int) -> int:
        return len(self._lines(width).plain.split("\n"))
