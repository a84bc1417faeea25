"""The compositor of the counter screens (Textual internals: imported only by ``tui.compat``
when the Textual series it was checked against is installed)."""

from __future__ import annotations

from typing import Any

from textual._compositor import Compositor
from textual.geometry import Region
from textual.screen import Screen


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


class PartialCompositor(Compositor):
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
        if app is not None and getattr(app, "_batch_count", 0):
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
