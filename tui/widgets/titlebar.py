"""The line at the top of every counter screen: the command palette's mark, the title and the
sub-title (service point, clerk, the policies in force), drawn where Textual's ``Header`` draws
them, in its colours.

One widget where ``Header`` is four (the mark, the title, the clock's place and itself, each
registered, styled and painted on its own; ~24 M instructions of the first screen). The title
and sub-title are the screen's when it has its own, else the app's, as ``Header`` takes them; they
are read as the line paints, and it is painted again when one changes. ``Header`` set its text
from a task of its own, a frame after the first, and laid the whole screen out for it; a change
here is one line repainted.
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.content import Content
from textual.widget import Widget

from .text import fit

#: the mark's width on the left, and the width kept free on the right (as ``Header`` lays them out)
ICON_WIDTH = 8
RIGHT_WIDTH = 10
ICON = "⭘"


class TitleBar(Widget):
    """The screen's title line; a click on its mark opens the command palette."""

    DEFAULT_CSS = """
    TitleBar {
        dock: top;
        width: 100%;
        height: 1;
        background: $panel;
        color: $foreground;
    }
    """

    def on_mount(self) -> None:
        for node in (self.app, self.screen):
            self.watch(node, "title", self._changed, init=False)
            self.watch(node, "sub_title", self._changed, init=False)

    def _changed(self, _value: Any = None) -> None:
        self.refresh()

    def render(self) -> Content:
        app, screen = self.app, self.screen
        width = self.size.width
        middle = max(0, width - ICON_WIDTH - RIGHT_WIDTH)
        title = app.format_title(app.title if screen.title is None else screen.title,
                                 app.sub_title if screen.sub_title is None else screen.sub_title)
        title = fit(title, middle)
        pad = middle - title.cell_length
        left = pad // 2
        return Content.assemble(" " + ICON, " " * (ICON_WIDTH - 2), " " * left, title,
                                " " * (pad - left + RIGHT_WIDTH))

    async def on_click(self, event: events.Click) -> None:
        if event.x < ICON_WIDTH and self.app.ENABLE_COMMAND_PALETTE:
            event.stop()
            await self.run_action("app.command_palette")
