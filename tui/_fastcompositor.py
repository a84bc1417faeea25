"""The compositors of the counter's screens and dialogs (Textual internals: imported only by
``tui.compat`` when the Textual series it was checked against is installed)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from rich.cells import cell_len, get_character_cell_size
from textual._compositor import Compositor
from textual.geometry import Region
from textual.screen import Screen
from textual.strip import Strip


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


def _halved(strip: Strip, cuts: Iterable[int]) -> set[int]:
    """Which of ``cuts`` (cells from the strip's start, ascending, inside it) fall inside a wide
    character (a Chinese character, a fullwidth "）"): between its two cells."""
    out: set[int] = set()
    pending = iter(cuts)
    cut = next(pending, None)
    pos = 0
    for segment in strip:
        if cut is None:
            break
        text = segment.text
        if segment.control:
            continue
        end = pos + cell_len(text)
        while cut is not None and cut < end:
            if cut > pos and not text.isascii():
                cells = pos
                for char in text:
                    cells += get_character_cell_size(char)
                    if cells >= cut:
                        if cells > cut:      # the character begins before the cut, ends after it
                            out.add(cut)
                        break
            cut = next(pending, None)
        pos = end
    return out


class WholeCharacterCompositor(Compositor):
    """Textual's compositor, a wide character kept whole where a region's edge falls inside it.

    Textual cuts every line of the screen at every widget's edge on it and fills the pieces
    front to back: a line is cut there also when the same widget covers both sides (a toast over
    a dialog's border, its scroll bar, its padding). A wide character the cut falls inside is
    split by Rich into two spaces: the toast lost "）：" where it crossed the dialog's edge. Here
    two neighbouring pieces of one widget's line that such a cut divides are one piece (the cut
    is dropped from that line). A wide character across the edge of two widgets is still halved
    (the covered one's half is a space), and the one in front is drawn whole.
    """

    def __init__(self) -> None:
        super().__init__()
        #: line -> cuts dropped from it in the frame last drawn (two pieces of one widget made one)
        self._joined: dict[int, set[int]] = {}

    def _render_chops(self, crop: Region, is_rendered_line: Callable[[int], bool]) -> Sequence[dict[int, Strip]]:
        # Textual's ``Compositor._render_chops``, with the pieces a wide character joins
        cuts = self.cuts
        chops: list[dict[int, Any]] = [dict.fromkeys(cut_set[:-1]) for cut_set in cuts]
        joined: dict[int, set[int]] = {}
        self._joined = joined
        for region, clip, strips in self._get_renders(crop):
            render_region = region.intersection(clip)
            render_x = render_region.x
            first_cut, last_cut = render_region.column_span
            for y, strip in zip(render_region.line_range, strips, strict=False):
                if not is_rendered_line(y):
                    continue
                line = chops[y]
                final_cuts = [cut for cut in cuts[y] if last_cut >= cut >= first_cut]
                dropped = joined.get(y)
                if len(final_cuts) > 2:
                    halved = _halved(strip, [cut - render_x for cut in final_cuts[1:-1]])
                    if halved:
                        kept = [final_cuts[0]]
                        for cut in final_cuts[1:]:
                            # both pieces still empty (not filled, nor joined to another) and this
                            # widget's on the screen (in front there, whatever this frame draws):
                            # this strip fills both, as one
                            if (cut - render_x in halved and line.get(cut, 0) is None
                                    and line.get(kept[-1], 0) is None
                                    and self._in_front(y, cut - 1, region, render_region)
                                    and self._in_front(y, cut, region, render_region)):
                                del line[cut]
                                joined.setdefault(y, set()).add(cut)
                                dropped = joined[y]
                            else:
                                kept.append(cut)
                        final_cuts = kept
                get_chop = line.get
                for cut, piece in zip(final_cuts, strip.divide([cut - render_x for cut in final_cuts[1:]]), strict=False):
                    # (a piece behind one made whole here is hidden by it)
                    if get_chop(cut) is None and not (dropped and cut in dropped):
                        line[cut] = piece
        return chops

    def _in_front(self, y: int, x: int, region: Region, shown: Region) -> bool:
        """Whether the widget at ``region`` (``shown`` of it) is the one in front at ``x, y``."""
        for _widget, cropped, whole in self.layers_visible[y]:
            if cropped.contains(x, y):
                return cropped == shown and whole == region
        return False

    def render_partial_update(self) -> Any:
        update = super().render_partial_update()
        if update is None or not self._joined:
            return update
        # a piece made whole ends at the next cut kept; a span of the update that begins or ends
        # inside it is written from its start to its end (Textual crops a piece at a span's end:
        # there it would halve the character again)
        whole: dict[int, list[tuple[int, int]]] = {}
        for y, dropped in self._joined.items():
            ends = update.chop_ends[y] = [end for end in update.chop_ends[y] if end not in dropped]
            whole[y] = [(start, end) for start, end in zip(update.chops[y], ends, strict=True)
                        if any(start < cut < end for cut in dropped)]
        spans = []
        for y, x1, x2 in update.spans:
            for start, end in whole.get(y, ()):
                if start < x1 < end:
                    x1 = start
                if start < x2 < end:
                    x2 = end
            spans.append((y, x1, x2))
        update.spans = spans
        return update


class PartialCompositor(WholeCharacterCompositor):
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
