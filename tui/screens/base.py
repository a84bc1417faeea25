"""What every screen of the counter UI shares: relabelling when the language changes."""

from __future__ import annotations

from collections.abc import Callable
from time import monotonic
from typing import Any

from rich.text import Text
from textual import events
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.style import Style
from textual.widgets import Input, Select
from textual.widgets.select import InvalidSelectValueError

from .. import compat
from ..app import translate_bindings
from ..i18n import t


class FollowsLanguage:
    """A screen whose keys and words follow the UI language when it comes back after the
    language was changed elsewhere (F4 on another screen or in another mode): ``_lang`` is the
    language it was labelled in (set as it mounts), ``relabel()`` redraws its words (a screen's
    own ``relabel`` calls this one's)."""

    _lang: str | None = None

    def on_screen_resume(self) -> None:
        lang = self.app.lang
        if self._lang != lang:
            translate_bindings(self, lang)
            self.relabel()
            self.refresh_bindings()

    def relabel(self) -> None:
        self._lang = self.app.lang


class CounterScreen(FollowsLanguage, Screen):
    """A screen that knows the UI language; ``relabel()`` redraws its labels in it."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        compat.install_compositor(self)
        self.app.counter_screens.add(self)
        self._lang: str | None = None
        # A screen made now is styled with the app's CSS as it is now when its widgets mount.
        # Textual counts a new screen as out of date and, when it starts a mode with it, parses
        # every stylesheet again and restyles the app (tens of milliseconds before the first
        # screen); a later change of theme still refreshes it as usual.
        compat.mark_styled(self, self.app)

    @property
    def lang(self) -> str:
        return self.app.lang

    def on_mount(self) -> None:
        self._lang = self.app.lang
        translate_bindings(self, self._lang)

    def on_descendant_focus(self, event: Any) -> None:
        """A dropdown list opened: its Esc key labelled in the UI language in the footer."""
        if label_open_list(event.widget, self.app.lang):
            self.refresh_bindings()


def label_open_list(widget: Any, lang: str) -> bool:
    """When ``widget`` is a dropdown's open list: its Esc key labelled in ``lang`` (True)."""
    if not isinstance(getattr(widget, "parent", None), Select):
        return False
    compat.relabel_bindings(widget, lambda b: t("key.close_list", lang) if b.action == "dismiss" else None)
    return True


def row_label(text: str) -> Any:
    """A dialog row's label, wrapped in its column as Chinese is set (``Wrapped``): Textual folds
    a run of Chinese at any cell (随机附件（逗号分 | 隔）)."""
    from textual.widgets import Label

    from ..widgets.text import Wrapped

    return Label(Wrapped(Text(text)))


def field_values(node: Any) -> dict[str, Any]:
    """What the fields under ``node`` hold now: its inputs, check boxes and choices, by id."""
    return {widget.id: widget.value for widget in node.query("Input, Checkbox, Select") if widget.id}


class HoldsInput:
    """A dialog the clerk fills in: ``holds_input`` says whether its fields hold something other
    than what they held when it opened (``remember_as_opened``, called once it has mounted):
    what closing it without saving would throw away, and what F2 and Ctrl+Q ask about first."""

    _as_opened: dict[str, Any] | None = None

    def remember_as_opened(self) -> None:
        self._as_opened = field_values(self)

    @property
    def holds_input(self) -> bool:
        return self._as_opened is not None and field_values(self) != self._as_opened

    def action_cancel(self) -> None:
        """Esc or 取消: close without saving; what was typed (a replacement's IMEI, the work
        done, the papers ticked) is asked about first, as F2 and Ctrl+Q ask."""
        dialog: Any = self
        if not self.holds_input:
            dialog.dismiss(None)
            return

        def answered(yes: bool | None) -> None:
            if yes and dialog.app.screen is dialog:
                dialog.dismiss(None)

        dialog.app._ask("unsaved.dialog", "unsaved.leave_yes", answered, no="unsaved.keep_editing")


class FormInput(compat.OwnStylesheet, compat.FieldRepaint, compat.BlinkWhenFocused, Input):
    """An ``Input`` for fixed-width form fields.

    It follows the app's cursor-blink setting (off in snapshot tests), and a keystroke repaints
    the field alone: Textual's ``Input`` asks for a layout of the whole screen on every change
    (its virtual width grows with the text), which on a form costs several frames.

    ``on_change(input, value)``, when given, is called as soon as the value changes, inside the
    key's own handling, so what it updates is painted in the same frame as the typed character
    (``Input.Changed`` is still posted, but it reaches the screen only after several message
    hops, typically a frame later).

    ``on_submit(input)``, when given, is called on Enter, inside the key's own handling, before
    ``Input.Submitted`` is posted: a form moves to its next field there, so the keys after the
    Enter go to that field.
    """

    # ``Input``'s rules for a compact field (``compat.OwnStylesheet``: parsed in place of all of
    # Input's); its border and size said as Input's compact rule says them, before Input's own
    # border, height and padding once another screen's field has brought that stylesheet in
    REPLACES = "Input"
    DEFAULT_CSS = """
    FormInput {
        background: $surface;
        color: $foreground;
        width: 100%;
        scrollbar-size-horizontal: 0;
        pointer: text;
        &.-textual-compact {
            border: none !important;
            height: 1;
            padding: 0;
            &.-invalid { background-tint: $error 20%; }
        }
        &:focus { background-tint: $foreground 5%; }
        &>.input--cursor {
            background: $input-cursor-background;
            color: $input-cursor-foreground;
            text-style: $input-cursor-text-style;
        }
        &>.input--selection {
            background: $input-selection-background;
            color: $input-selection-foreground;
        }
        &>.input--placeholder, &>.input--suggestion { color: $text-disabled; }
    }
    """

    on_change: Callable[[FormInput, str], None] | None = None
    on_submit: Callable[[FormInput], None] | None = None

    def __init__(self, *args: Any, on_change: Callable[[FormInput, str], None] | None = None,
                 on_submit: Callable[[FormInput], None] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.on_change = on_change
        self.on_submit = on_submit

    async def action_submit(self) -> None:
        if self.on_submit is not None:
            self.on_submit(self)
        await super().action_submit()

    def on_mount(self) -> None:
        self.cursor_blink = getattr(self.app, "cursor_blink", True)

    def watch_value(self, value: str) -> None:
        # called by Textual right after its own watcher, inside the key's handling
        if self.on_change is not None and self.is_mounted:
            self.on_change(self, value)

    def type_in(self, character: str) -> None:
        """Start the field anew with ``character`` typed elsewhere (on a list that searches as
        one types), and take the focus with the cursor after it: the keys behind it add to it
        instead of replacing it (so this focus does not select the text, as a focus otherwise
        does). Keys that come before the focus has moved are added here, in order."""
        if getattr(self, "_typed_in", False):      # the focus is still on its way
            self.value += character
            return
        self.value = character
        self.cursor_position = len(character)     # not a selection left from before
        self._typed_in = True
        self._selects_on_focus, self.select_on_focus = self.select_on_focus, False
        self.focus()

    def on_focus(self) -> None:
        self._typed_in = False

    def on_blur(self) -> None:
        selects = getattr(self, "_selects_on_focus", None)
        if selects is not None:                     # as it was before ``type_in``
            self.select_on_focus, self._selects_on_focus = selects, None


class TypedSelect(compat.ListWhenOpened, Select[str]):
    """A drop-down a clerk can also choose from by typing while it is closed, as a browser's does:
    the first option whose id or label (Chinese or English) begins with what was typed within
    a second (``a`` or ``苹`` chooses Apple). Ids are looked at first, then each option's next
    word (``names`` gives them in that order), so ``a`` is Apple's id before it is the start of
    "any other maker". Space and the arrows open the list (Enter too, except on the intake form,
    where Enter moves to the next field: ``IntakeScreen.action_scanner_suffix``).

    What was typed that begins no option's word leaves no option chosen (not the one chosen
    before: a brand not loaded would otherwise be saved as the last one) and posts
    ``TypedSelect.NothingMatched``, so the form can say what there is to choose."""

    class NothingMatched(Message):
        """What was typed into the closed drop-down begins no option's id or label; the
        drop-down was left blank."""

        def __init__(self, select: TypedSelect, typed: str) -> None:
            super().__init__()
            self.select = select
            self.typed = typed

        @property
        def control(self) -> TypedSelect:
            return self.select

    def __init__(self, options: list[tuple[str, str]], *, names: dict[str, tuple[str, ...]], **kwargs: Any) -> None:
        super().__init__(options, **kwargs)
        self.names: dict[str, tuple[str, ...]] = {}
        self.set_names(names)
        self._typed = ""
        self._typed_at = 0.0
        #: what was typed while the drop-down had no options yet (the brands come with the
        #: policies), chosen when they come (``choose_pending``)
        self._pending = ""

    def compose(self) -> Any:
        # Textual binds the drop-down list's ``compact`` to the select's once both are mounted:
        # given now, the list is styled compact as it mounts instead of restyled (with each of
        # its parts) right after
        for widget in super().compose():
            widget = compat.one_line_current(widget, self.compact)   # the current value: one widget, not four
            if hasattr(widget, "compact") and widget.compact != self.compact:
                widget.compact = self.compact
            yield widget

    def set_names(self, names: dict[str, tuple[str, ...]]) -> None:
        """Per value, the words that choose it (with new options: the loaded brands)."""
        self.names = {value: tuple(n.casefold() for n in words if n) for value, words in names.items()}

    def on_key(self, event: events.Key) -> None:
        character = event.character
        if self.expanded or not event.is_printable or not character or character.isspace():
            return
        event.stop()
        event.prevent_default()
        if not self.names:          # no options yet: the word waits for them
            self._pending += character
            return
        now = monotonic()
        self._typed = (self._typed if now - self._typed_at < 1.0 else "") + character   # as typed (said back)
        self._typed_at = now
        self._choose(self._typed)

    def on_blur(self, event: events.Blur) -> None:
        """A word typed here ends when the field is left: at scanner speed the next customer's
        brand comes within the second, and was read on after the last one's (pg + hw = pghw)."""
        self._typed = ""

    def choose_pending(self) -> None:
        """The options are in: what was typed before they came chooses among them."""
        typed, self._pending = self._pending, ""
        if typed and self.names:
            self._choose(typed)

    def _choose(self, typed: str) -> None:
        word = typed.casefold()
        found = next((value for position in range(max(map(len, self.names.values()), default=0))
                      for value, words in self.names.items()
                      if position < len(words) and words[position].startswith(word)), None)
        if found is not None:
            self.value = found
        else:
            try:
                self.clear()
            except InvalidSelectValueError:
                pass                # a drop-down that may not be blank keeps its option
            self.post_message(self.NothingMatched(self, typed))


class _OnePass(compat.OneLayoutPass):
    """A container whose new virtual size, found by a layout pass, does not ask for another.

    Textual's ``virtual_size`` reactive asks for a layout whenever it changes, also when the
    change was found by the layout pass itself (a note appears under a field: the grid and the
    form grow). The pass that found it has already placed everything and updated the scroll
    bars, so the second, full-screen pass only costs a frame or two.
    """

    pass


#: the form's label column: the label (up to 14 cells: 同一故障已保修, 华为延长服务宝; a longer one
#: wrapped as Chinese is set) and a blank column before the field (app.tcss keeps the same width)
LABEL_WIDTH = 15


class FormGrid(_OnePass, Vertical):
    """A section of the form: its title, then label | field, the note under the field. The
    title and the labels are drawn by the section itself, the title on its first line, the
    labels in the column left of the fields (``LABEL_WIDTH``), each on the first line of its
    field: a widget each would cost the screen as it is built, styled, laid out and drawn (a
    dozen on the first screen). A label that wraps makes its field's row as tall; what moves
    the rows (a note shown, hidden or grown) repaints the section (``rows_moved``), which draws
    each label where its field is; and a layout that moved its fields since it was drawn (a note
    mounted after that repaint, as when a draft is restored) repaints it again (``_laid_out``)."""

    COMPONENT_CLASSES = {"form-grid--title", "form-grid--label"}
    DEFAULT_CSS = """
    FormGrid > .form-grid--title { color: $accent; text-style: bold; }
    FormGrid > .form-grid--label { color: $text-muted; }
    """

    def __init__(self, *children: Any, title: Text, labels: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*children, **kwargs)
        self.section_title = Content.from_rich_text(title)
        self.labels: dict[str, list[Content]] = {}
        self._drawn_rows: tuple[int, ...] | None = None   # where the labels were drawn (``render``)
        self._place(children, labels)

    def on_mount(self) -> None:
        self.screen.screen_layout_refresh_signal.subscribe(self, self._laid_out, immediate=True)

    def _label_rows(self) -> tuple[int, ...]:
        """The row each label is drawn on now, in the section (its field's first; -1 hidden): the
        same when the form scrolls."""
        top = self.content_region.y
        return tuple(child.region.y - top if child.display else -1 for child in self.children
                     if child.id in self.labels)

    def _laid_out(self, screen: Any) -> None:
        """After a layout of the screen: repaint if the fields moved since the labels were drawn
        (a repaint asked for before the layout that moved them may have been drawn before it)."""
        if self._drawn_rows is not None and self._drawn_rows != self._label_rows():
            self.refresh()

    def _place(self, fields: Any, labels: dict[str, str]) -> None:
        from ..widgets.text import wrap_line

        self.labels = {wid: [Content.from_rich_text(line) for line in wrap_line(Text(text), LABEL_WIDTH - 1)]
                       or [Content("")] for wid, text in labels.items()}
        for index, field in enumerate(fields):
            lines = self.labels.get(field.id or "")
            # the first field under the title; a label's column left of its field, its lines below
            top = 1 if index == 0 else 0
            if lines is not None:
                field.styles.margin = (top, 0, len(lines) - 1, LABEL_WIDTH)
            elif top:
                field.styles.margin = (top, 0, 0, LABEL_WIDTH)    # a check box (its own label)

    def set_labels(self, title: Text, labels: dict[str, str]) -> None:
        """The title and the label of each field (by widget id), in another language."""
        self.section_title = Content.from_rich_text(title)
        self._place(self.children, labels)
        self.refresh()

    def rows_moved(self) -> None:
        """A note under a field was shown, hidden or resized: the labels follow their fields."""
        self.refresh()

    def render(self) -> Any:
        self._drawn_rows = self._label_rows()
        top = self.content_region.y
        height = self.content_region.height
        rows: list[Content] = [Content("")] * height
        if height:
            title = Style.from_rich_style(self.get_component_rich_style("form-grid--title"))
            rows[0] = self.section_title.stylize_before(title)
        style = Style.from_rich_style(self.get_component_rich_style("form-grid--label"))
        for child in self.children:
            lines = self.labels.get(child.id or "")
            if lines is None or not child.display:
                continue
            y = child.region.y - top
            for line in lines:
                if 0 <= y < height:
                    rows[y] = Content.assemble(line.stylize(style),
                                               Content.styled(" " * (LABEL_WIDTH - line.cell_length), "not reverse"))
                y += 1
        return Content("\n").join(rows)


class FormScroll(_OnePass, VerticalScroll):
    """The scrolling form (not a tab stop itself: its fields are, and focusing one scrolls it)."""

    can_focus = False
