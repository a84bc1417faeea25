"""Updating a ``Static`` without a screen-wide layout pass when its height does not change.

A layout pass arranges every widget on the screen; a plain refresh repaints one. On the typing
path that is the difference between a frame and several, so text widgets that change on every
keystroke go through ``update_static``: nothing happens when the content is the same, and a
layout is asked for only when the widget is shown and its height at its current width changes
(measured the way Textual measures it, wrapping included).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, TypeVar

from rich.text import Text
from textual.geometry import Size

_NONE = Size(0, 0)

if TYPE_CHECKING:
    from textual.content import Content

Cut = TypeVar("Cut", str, Text, "Content")


def fit(text: Cut, width: int) -> Cut:
    """``text`` (a ``str``, a Rich ``Text`` or a Textual ``Content``, its styles kept) cut to
    ``width`` terminal cells, a Chinese character taking two, with "…" where it was cut: the one
    function the counter UI cuts a text to a width with (a table's column, the title line, the
    panel's badge). A wide character that would stand across the edge goes, not half of it."""
    from rich.cells import cell_len

    plain = text if isinstance(text, str) else text.plain
    if cell_len(plain) <= width:
        return text
    if width <= 0:
        return text[:0]
    used = 0
    for index, char in enumerate(plain):
        used += cell_len(char)
        if used > width - 1:        # the room left for "…"
            return text[:index] + "…"
    return text


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


#: marks a line may begin with (after its indent): its next lines hang under the text after them
_MARKS = ("✓ ", "✗ ", "✘ ", "⚠ ", "• ", "· ", "- ")
#: Chinese punctuation a line had best end on when a run of Chinese must be cut
_PAUSES = frozenset("，。；：、！？）」』】")
_CLOSING = "".join(_PAUSES)
#: opening brackets: a number before one does not stay with it (0001 | （1 处改动）), as with a unit
_OPENS = frozenset("（「『【")
#: spaces no line breaks at: inside a time (2026-06-20 10:30), between a number and its unit
#: (10–15 天, 8 天, 1 处), after a word or a label that leads a number (至 2026-06-20, 第 10 天,
#: 约 10–15 天, 受理时间: 2026-06-15), a model's name and its number (iPhone 15, Mate 60);
#: and a no-break space (U+00A0) where the text puts one
#: (compiled by ``re`` when a line first needs wrapping: not as the counter starts)
_GLUE = r"(?<=\d) (?=\d\d:\d\d)|(?<=\d) (?=[天日元年月个次处项台件])|(?<=[约至第:：A-Za-z]) (?=\d)"


def wrap_line(line: Text, width: int) -> list[Text]:
    """``line`` (one line of styled text) cut into lines of at most ``width`` cells.

    As Rich does, a line breaks at spaces: a phrase that does not fit goes to the next line whole
    ("条件不符" stays together), and never at a space that holds a time, a number and its unit
    or a number and the word before it together (``_GLUE``). A run of Chinese with no space in it is cut only when it does
    not fit on a line of its own, or when the line holds nothing but its indent and mark (Rich
    left a lone "⚠" there): then it is cut where Unicode's line-breaking rules allow (UAX #14, by
    ``uniseg``: between two Chinese characters, never before ，。）, never inside a Latin word),
    after a pause such as "，" or before an opening bracket when one falls in the second half of
    the line, never after a
    number (7日内), and never leaving one character alone on the next line. The next lines hang under the line's text (its indent
    and a leading ✓, ✗ or ⚠) while that leaves half the width."""
    from rich.cells import cell_len

    plain = line.plain
    if cell_len(plain) <= width:
        return [line]
    plain = re.sub(_GLUE, "\u00a0", plain)    # (one character for one: the offsets stay the text's)
    body = plain.lstrip(" ")
    hang = len(plain) - len(body)
    hang += next((cell_len(mark) for mark in _MARKS if body.startswith(mark)), 0)
    if hang > width // 2:
        hang = 0
    full = width - hang                      # the room of every line after the first
    offsets: list[int] = []
    room, used, at = width, 0, 0
    for word in re.findall(r"[^ ]* *", plain)[:-1]:
        size = cell_len(word.rstrip(" "))
        if used + size > room:
            has_text = used > (0 if offsets else hang)
            if size <= full and has_text:    # the phrase goes to the next line whole
                offsets.append(at)
                room, used = full, 0
            else:                            # too long for any line, or nothing before it
                cuts, used = _cuts(word, room - used, full)
                offsets += [at + cut for cut in cuts]
                if cuts:
                    room = full
                at += len(word)
                continue
        used += cell_len(word)
        at += len(word)
    pieces = line.divide(offsets)
    out = []
    for index, piece in enumerate(pieces):
        piece.rstrip()
        out.append(Text.assemble(" " * hang, piece, style=line.style) if index and hang else piece)
    return out


def _cuts(word: str, first: int, room: int) -> tuple[list[int], int]:
    """Where to cut ``word`` (character offsets) so that its first piece fits ``first`` cells and
    every other piece ``room``; and the width of its last piece (see ``wrap_line``)."""
    from rich.cells import cell_len
    from uniseg.linebreak import line_break_units

    units: list[str] = []
    for unit in line_break_units(word):
        if units and units[-1][-1:].isdigit() and not unit[:1].isascii() and unit[:1] not in _OPENS:
            units[-1] += unit                # a number stays with the word after it (7日内), not a bracket
        else:
            units.append(unit)
    starts = [0]
    for unit in units:
        starts.append(starts[-1] + len(unit))
    widths = [cell_len(unit) for unit in units]
    cuts: list[int] = []
    begin, avail, used, pause = 0, first, 0, None   # pause: a unit index to cut before, after a "，"
    index = 0
    while index < len(units):
        size = cell_len(units[index].rstrip(" "))
        # (nothing of the word fits where the line is: it starts on the next one)
        if (used or (index == 0 and avail < room)) and used + size > avail:
            cut = pause if pause is not None and sum(widths[begin:pause]) * 2 >= avail else index
            if cut == len(units) - 1 and len(units[cut].rstrip(" ").rstrip(_CLOSING)) == 1 and cut - 1 > begin:
                cut -= 1                     # not one character alone on the next line (隔）)
            cuts.append(starts[cut])
            begin, avail, pause = cut, room, None
            used = sum(widths[begin:index])
            continue
        if size > avail:                     # one unit longer than a line (a long Latin word): by cells
            for position, char in enumerate(units[index]):
                wide = cell_len(char)
                if used and used + wide > avail:
                    cuts.append(starts[index] + position)
                    avail, used = room, 0
                used += wide
            begin, pause = index + 1, None
            index += 1
            continue
        if units[index][:1] in _OPENS and index > begin:
            pause = index                    # before a bracket: 电子三包凭证 | （电子保卡）
        used += widths[index]
        if units[index].rstrip(" ")[-1:] in _PAUSES:
            pause = index + 1
        index += 1
    return cuts, used


class Wrapped:
    """``text`` (lines of styled text) as a Rich renderable that wraps each line by ``wrap_line``
    at the width it is drawn at: for a ``Static`` whose Chinese text Textual would fold by cells
    (a line starting with "，", a time cut from its date)."""

    def __init__(self, text: Text) -> None:
        self.text = text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Wrapped) and other.text == self.text

    __hash__ = None  # type: ignore[assignment]

    def __rich_console__(self, console: Any, options: Any) -> Any:
        width = max(options.max_width, 1)
        for line in self.text.split("\n", allow_blank=True):
            for piece in wrap_line(line, width):
                piece.end = "\n"
                piece.no_wrap = True
                piece.overflow = "crop"
                yield piece
