"""Keys handled one at a time, in the order they were typed, whatever the speed.

Textual hands each key to the focused widget's own queue and moves straight on to the next key.
The widget inserts a printable character itself, but every other key (Tab, Enter, Backspace,
the arrows) does its work only when it has bubbled back up to the app, through the queue of
each container on the way. A barcode scanner or a fast typist sends the next keys before that:
they are handed to the widget that had the focus, so the characters after a Tab land in the
previous field, and a Backspace deletes a character typed after it.

``InOrderKeys`` (mixed into the app) holds the keys and clicks that arrive while one key is
still on its way, and lets the next one go only when that key is done: handled by the widget,
bubbled up and run by the bindings, or stopped on the way. "Done" is known without Textual's
internals: a callback queued (``call_later``) on the widget behind the key runs once the widget
has handled it; if the key bubbled, it is by then in the parent's queue, so the callback is
queued there next, up to the screen; a key that reaches the app is run there and then released.
A focus move made while handling a key (a binding, Enter moving to the next field, a field that
is complete) has therefore taken effect before the next key is handed to the focused widget;
one asked for with ``Widget.focus`` (a jump to a section, Ctrl+N back to the first field) is
set by a callback on the app's queue, so the next key goes only once that queue has come
round (``call_later`` on the app).

Enter on a dropdown's list chooses and, on a screen whose Enter moves on (the intake form's
``advance_after_choice``), moves to the next field before the keys behind it are let through.
A key that opens or closes a dropdown list (``Select``) moves the focus through a chain of
messages that ends after the key itself is done (Enter in the list: option chosen, selection
updated, the ``Select`` focused again). The keys behind such a key wait until the list is open
with the focus in it, or closed with the focus out of it, so that what is typed right after
choosing the brand goes to the next field instead of the closing list.

Only public API is used (``post_message``, ``on_event``, ``call_later``, ``set_timer``,
``Event.is_forwarded``, ``Select.expanded``). A key that is not done within ``KEY_TIMEOUT``
seconds (a handler waiting on something) lets the next ones go as Textual would.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

from textual import events
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Select

#: seconds a key may take before the keys behind it are let go anyway (generous: on a machine
#: under heavy load one key can take over a second, and the keys behind must not overtake it)
KEY_TIMEOUT = 3.0
#: seconds between two looks at a dropdown list that is opening or closing
_SETTLE_POLL = 0.002


def _dropdown_of(widget: Any) -> tuple[Select[Any], bool] | None:
    """The ``Select`` whose list ``widget`` is (``True``) or which it is itself (``False``)."""
    if isinstance(widget, Select):
        return widget, False
    parent = getattr(widget, "parent", None)
    if isinstance(parent, Select):
        return parent, True
    return None


def _settle_check(key: events.Key, focused: Any) -> Any:
    """For a key that may open or close a dropdown list: a test that is true once the focus has
    followed (else ``None``: the key is done when it is handled)."""
    dropdown = _dropdown_of(focused)
    if dropdown is None:
        return None
    select, in_list = dropdown
    if not in_list:
        # Enter, Space or an arrow on a closed list opens it: done when the list has the focus
        if select.expanded:
            return None
        return lambda: not select.expanded or _dropdown_of(select.app.focused) == (select, True)
    if key.key == "escape" and select.expanded:
        # dismissing: done when the list is closed and has given the focus back
        return lambda: not select.expanded and _dropdown_of(select.app.focused) != (select, True)
    if key.key == "enter" and select.expanded:
        # choosing: done when the list is closed and has given the focus back, and, on a screen
        # whose Enter moves on (``advance_after_choice``), once the next field has the focus
        moved: list[bool] = []

        def chosen() -> bool:
            if select.expanded or _dropdown_of(select.app.focused) == (select, True):
                return False
            if moved or not getattr(select.screen, "advance_after_choice", False):
                return True
            moved.append(True)
            select.screen.focus_next()
            return False                  # looked at again on the next poll: the focus has moved

        return chosen
    return None


def _held(message: Message) -> bool:
    """Input that must wait for the key before it (keys, pastes, clicks; not mouse moves)."""
    if isinstance(message, (events.MouseMove, events.Enter, events.Leave)):
        return False
    return isinstance(message, (events.Key, events.Paste, events.MouseEvent)) and not message.is_forwarded


class InOrderKeys:
    """Mixed into an ``App`` (before it): handle the keys strictly one after the other."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._waiting: deque[Message] = deque()
        self._key: events.Key | None = None       # the key on its way
        self._key_reached_app = False
        self._key_watchdog: asyncio.TimerHandle | None = None
        self._key_settled: Any = None           # test for a key whose focus move follows it
        self._gate = False                      # a key is done; the next waits for the app's queue
        self._key_deadline = 0.0
        #: keys taken so far (a key's handlers can tell whether the key before was theirs)
        self.keys_taken = 0
        super().__init__(*args, **kwargs)

    @property
    def keys_pending(self) -> int:
        """Keys (and other input) received and not handled yet: 0 when the app has caught up."""
        return len(self._waiting) + (self._key is not None) + self._gate

    def post_message(self, message: Message) -> bool:
        if _held(message):
            if self._key is not None or self._waiting or self._gate:
                self._waiting.append(message)
                return True
            if isinstance(message, events.Key):
                self._key, self._key_reached_app = message, False    # on its way from now
        elif self._key is not None and message is self._key:
            self._key_reached_app = True      # bubbled up: the bindings run when the app takes it
        return super().post_message(message)  # type: ignore[misc]

    async def on_event(self, event: events.Event) -> None:
        if not isinstance(event, events.Key):
            await super().on_event(event)  # type: ignore[misc]
            return
        if event.is_forwarded:
            # a key back from the focused widget: its bindings run now
            await super().on_event(event)  # type: ignore[misc]
            if event is self._key:
                self._key_done()
            return
        self.keys_taken += 1
        if event is self._key:
            self._key_settled = _settle_check(event, getattr(self, "focused", None))
        await super().on_event(event)  # type: ignore[misc]  # priority bindings, or handed to the focused widget
        if event is not self._key:
            return
        if event.is_forwarded:
            app: Any = self
            self._key_watchdog = asyncio.get_running_loop().call_later(KEY_TIMEOUT, self._key_done)
            self._follow(event, app.focused or app.screen)
        else:
            self._key_done()

    def _follow(self, event: events.Key, node: Any) -> None:
        """Once ``node`` has handled ``event``: done, or follow it to the parent it bubbled to."""

        def handled() -> None:
            if self._key is not event:
                return
            parent = node.parent
            if isinstance(node, Screen) or parent is None or parent is self:
                if not self._key_reached_app:
                    self._key_done()          # stopped on its way (a character typed into a field)
                return                        # else: released when the app has run it
            self._follow(event, parent)

        if not node.call_later(handled):
            self._key_done()                  # the widget has gone

    def _key_done(self) -> None:
        if self._key_watchdog is not None:
            self._key_watchdog.cancel()
            self._key_watchdog = None
        settled = self._key_settled
        if settled is not None and self._key is not None:
            loop = asyncio.get_running_loop()
            if not self._key_deadline:
                self._key_deadline = loop.time() + KEY_TIMEOUT
            if not settled() and loop.time() < self._key_deadline:
                app: Any = self
                app.set_timer(_SETTLE_POLL, self._key_done)   # the focus is still on its way
                return
        self._key_settled = None
        self._key_deadline = 0.0
        self._key = None
        self._key_reached_app = False
        if self._waiting and not self._gate:
            # A focus moved by the key (``Widget.focus``) is set by a callback the app runs
            # later: the next key goes once the app's queue has come round to it.
            self._gate = True
            app: Any = self
            app.call_later(self._open_gate)

    def _open_gate(self) -> None:
        self._gate = False
        while self._waiting and self._key is None:
            message = self._waiting.popleft()
            if isinstance(message, events.Key):
                self._key = message           # on its way: what arrives meanwhile waits behind it
            super().post_message(message)  # type: ignore[misc]
