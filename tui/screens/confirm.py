"""A yes/no question before something that throws work away (a half-filled intake), and a
question answered by one of a few named choices (``ChoiceDialog``)."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from ..app import key, translate_bindings
from ..i18n import t
from ..widgets.text import Wrapped


class ConfirmDialog(ModalScreen[bool | None]):
    """``question`` and two buttons; Y answers yes, N or Esc no (see ``escape`` for what else
    Esc may do), Enter the focused button (no, unless ``safe_yes``: yes
    keeps work, as restoring a draft does).

    The question takes answers only once the keyboard has been quiet for ``GUARD_SECONDS``: since
    it was shown, and since the last key it did not take. Keys typed before then were typed
    without reading it (a scanner's burst, a clerk typing the next customer after Ctrl+N or as the
    counter starts): they are never taken as an answer, and the buttons wait (disabled, so no Tab
    or Enter reaches one). Without the guard the "N" of "Redmi Note" answered the question and the
    rest of the burst went into the form it asked about; with a guard counted from the question
    alone, a burst longer than it still answered with its first "n" ("nova 11" threw a restored
    draft away). Nor are they put back into the form: it may be
    the one the question is about (cleared by yes, kept by no) or one a restored draft replaces.
    They are not lost unsaid either: a line under the buttons says that the question waits for
    its answer and what was typed and not taken, to be typed again once it is answered (as is a
    letter typed later that answers nothing)."""

    # Y and N in either case (Caps Lock is often on for serials); Esc is "no" unless no throws
    # work away (``escape``)
    BINDINGS = [key("y,Y", "answer(True)", "confirm"), key("n,N", "answer(False)", "back"),
                key("escape", "escape", "back", show=False)]
    #: how long the keyboard must be quiet (since the question was shown, and since the last key
    #: it did not take) before the question takes answers
    GUARD_SECONDS = 0.4

    def __init__(self, question: str, yes: str, no: str | None = None, *, safe_yes: bool = False,
                 escape: str = "no") -> None:
        super().__init__(classes="confirm")
        self.question = question
        self.yes = yes
        self.no = no
        self.safe_yes = safe_yes
        #: what Esc does: answer ``no``; ``ignore`` (when no throws work away: discarding a
        #: draft)
        self.escape = escape
        self._answering = False   # the keyboard has been quiet long enough (``_ready``)
        self._quiet = None        # the timer that ends the guard
        self._dropped_text = ""   # what the keys it did not take typed (a space for Tab, Enter...)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Wrapped(Text(self.question)), classes="dialog-title")   # as Chinese is set
            with Horizontal(classes="dialog-buttons"):
                yield from self._buttons(self.app.lang, disabled=self.GUARD_SECONDS > 0)
            yield Static("", id="confirm-waiting", classes="dialog-waiting")

    def _buttons(self, lang: str, disabled: bool) -> list[Button]:
        """The answers' buttons (taking answers once the guard is over)."""
        return [Button(f"{self.yes} (Y)", id="confirm-yes", variant="primary" if self.safe_yes else "error",
                       compact=True, disabled=disabled),
                Button(f"{self.no or t('key.back', lang)} (N)", id="confirm-no", compact=True, disabled=disabled)]

    def _first_button(self) -> str:
        """The button focused when the question takes answers: the safe one."""
        return "#confirm-yes" if self.safe_yes else "#confirm-no"

    def _keys(self, lang: str) -> str:
        """The keys that answer, as the waiting line names them."""
        return t("confirm.keys", lang)

    def on_mount(self) -> None:
        translate_bindings(self, self.app.lang)
        if self.GUARD_SECONDS > 0:
            self._quiet = self.set_timer(self.GUARD_SECONDS, self._ready)
        else:
            self._ready()

    def _guard(self) -> None:
        """A key it did not take: the question waits until the keyboard is quiet again."""
        if self.GUARD_SECONDS <= 0:
            return
        if self._answering:
            self._answering = False
            for button in self.query(Button):
                button.disabled = True
        if self._quiet is not None:
            self._quiet.stop()
        self._quiet = self.set_timer(self.GUARD_SECONDS, self._ready)

    def _ready(self) -> None:
        """The question has been on screen long enough: the keys and the buttons take answers."""
        self._answering = True
        for button in self.query(Button):
            button.disabled = False
        self.query_one(self._first_button(), Button).focus()

    #: the keys that answer once the guard is over (the bindings above)
    _ANSWERS = frozenset(k for binding in BINDINGS for k in binding.key.split(","))
    #: how much of what was typed the waiting line repeats (its end)
    _SHOWN = 24

    def on_key(self, event: events.Key) -> None:
        """A key the question does not take is said, not dropped unsaid, and starts the guard
        again: every key in the guard; after it, a printable key that answers nothing (Tab, Enter
        and the arrows then move between and press the buttons)."""
        if self._answering and (not event.is_printable or event.key in self._ANSWERS):
            return
        self._guard()
        self._dropped_text += event.character if event.is_printable and event.character else " "
        typed = " ".join(self._dropped_text.split())
        if len(typed) > self._SHOWN:
            typed = "…" + typed[-self._SHOWN:]
        lang = self.app.lang
        line = t("confirm.waiting", lang, keys=self._keys(lang), count=len(self._dropped_text),
                 typed=t("confirm.waiting_typed", lang, typed=typed) if typed else "")
        waiting = self.query_one("#confirm-waiting", Static)
        waiting.update(Wrapped(Text(line)))   # wrapped as Chinese is set ("10 个" kept together)
        waiting.display = True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return action not in ("answer", "escape") or self._answering

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm-yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

    def action_escape(self) -> None:
        if self.escape != "ignore":
            self.dismiss(False)


class ChoiceDialog(ConfirmDialog):
    """A question answered by one of a few choices, not yes or no: a button each that says what
    it does (记录客户回访), its key beside it (1, 2...), and 取消 (Esc) that does nothing. It
    dismisses with the chosen value, ``None`` when cancelled. Keys typed before it could be read
    are held off as a ``ConfirmDialog`` holds them."""

    # each button as wide as what it says: three choices and 取消 (Esc) in one row, which cut 取消
    # off at a button's default width (the remedy the customer chose)
    DEFAULT_CSS = """
    ChoiceDialog .dialog-buttons Button { min-width: 0; margin-right: 1; }
    """
    BINDINGS = [*(Binding(str(n), f"choose({n - 1})", show=False) for n in range(1, 10)),
                key("escape", "escape", "back", show=False)]
    _ANSWERS = frozenset(str(n) for n in range(1, 10)) | {"escape"}

    def __init__(self, question: str, choices: list[tuple[str, str]]) -> None:
        """``choices``: (value, what the button says), in the order of their keys 1, 2..."""
        super().__init__(question, "")
        self.choices = choices[:9]

    def _buttons(self, lang: str, disabled: bool) -> list[Button]:
        return [*(Button(f"{label} ({n})", id=f"choice-{n - 1}", variant="primary" if n == 1 else "default",
                         compact=True, disabled=disabled) for n, (_value, label) in enumerate(self.choices, 1)),
                Button(f"{t('key.cancel', lang)} (Esc)", id="choice-cancel", compact=True, disabled=disabled)]

    def _first_button(self) -> str:
        return "#choice-0"

    def _keys(self, lang: str) -> str:
        return t("choice.keys", lang, last=len(self.choices))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "answer":   # the yes/no keys it inherits answer nothing here
            return False
        return action not in ("choose", "escape") or self._answering

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        index = (event.button.id or "").removeprefix("choice-")
        self.dismiss(self.choices[int(index)][0] if index.isdigit() else None)

    def action_choose(self, index: int) -> None:
        if index < len(self.choices):
            self.dismiss(self.choices[index][0])

    def action_escape(self) -> None:
        self.dismiss(None)
