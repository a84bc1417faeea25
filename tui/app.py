"""The counter terminal UI: intake with a live decision, the case queue, case detail, policies.

    from aftersales.tui.app import make_app
    make_app(lang="en").run()

``make_app`` takes everything from outside as a parameter (registry, store, clock), so tests
run it on a temporary store with a fixed clock. Without a registry the plugins and policies
load in a worker while the first screen is already up; without a store the one at ``db_url``
(else ``AFTERSALES_DB``, else the default SQLite file) is opened the same way.

Three modes, one per F-key: intake (F1), queue (F2, case detail is pushed on it), policies
(F3). F4 switches between Chinese and English.
"""

from __future__ import annotations

import gc
import os
import weakref
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import ModalScreen

from aftersales.store.localday import counter_now, login_name

from .commands import BindingCommands
from .i18n import error_line, t
from .keyorder import InOrderKeys
from .messages import (
    PoliciesLoaded,
    PoliciesReloaded,
    PolicyReloadFailed,
    StoreOpened,
    StoreUnavailable,
)

Clock = Callable[[], datetime]


def key(keys: str, action: str, id: str, *, show: bool = True, priority: bool = False) -> Binding:
    """A binding whose label comes from the translation table (``key.<id>``)."""
    return Binding(keys, action, t(f"key.{id}", "zh"), show=show, priority=priority, id=id)


def modes_out_of_footer() -> list[Binding]:
    """The modes' keys (F1-F3) on a screen whose footer has no room for them at 80 columns: they
    work there as everywhere (the app's actions, in the palette by the same names), unshown."""
    return [key("f1", "app.to_intake", "intake", show=False),
            key("f2", "app.queue", "queue", show=False, priority=True),
            key("f3", "app.switch_mode('policies')", "policies", show=False)]


#: F1 in a dialog (a modal screen, over which the app's own F1 is not heard): the intake, the
#: dialog left open in its mode (``AftersalesApp.action_to_intake``)
INTAKE_KEY = key("f1", "app.to_intake", "intake", show=False)


def translate_bindings(node: Any, lang: str) -> None:
    """Relabel ``node``'s bindings (those made with ``key``) in ``lang``."""
    from . import compat

    compat.relabel_bindings(node, lambda b: t(f"key.{b.id}", lang) if b.id and f"key.{b.id}" in _KEYS else None)


def _keys() -> frozenset[str]:
    from .i18n import TEXT

    return frozenset(k for k in TEXT if k.startswith("key."))


_KEYS = _keys()




def _terminal_fd() -> int | None:
    """The file descriptor the UI reads its keys from, when it is a terminal."""
    import sys

    stream = sys.__stdin__
    try:
        fd = stream.fileno() if stream is not None else None
    except (OSError, ValueError):
        return None
    return fd if fd is not None and os.isatty(fd) else None


def terminal_gone(fd: int) -> bool:
    """Whether the terminal on ``fd`` has hung up (its other end was closed), asked without
    reading from it."""
    import select

    if not hasattr(select, "poll"):  # pragma: no cover - Windows: a console does not go away like this
        return False
    poller = select.poll()
    poller.register(fd, select.POLLIN)  # hang-up, error and a closed descriptor are always reported
    return any(event & (select.POLLHUP | select.POLLERR | select.POLLNVAL) for _, event in poller.poll(0))


def _screen(mode: str) -> Any:
    """The base screen of a mode (F1 intake, F2 queue, F3 policies)."""
    if mode == "intake":
        from .screens.intake import IntakeScreen

        return IntakeScreen()
    if mode == "queue":
        from .screens.queue import QueueScreen

        return QueueScreen()
    from .screens.policies import PoliciesScreen

    return PoliciesScreen()


class AftersalesApp(InOrderKeys, App):
    """The counter UI. Build it with :func:`make_app`."""

    CSS_PATH = "app.tcss"
    #: what the dialogs share (every modal screen's, the command palette's too): read as the first
    #: of them opens (``push_screen``), where parsed with app.tcss it delayed the first screen
    DIALOG_CSS_PATH = Path(__file__).with_name("dialogs.tcss")
    TITLE = "售后柜台"
    COMMANDS = App.COMMANDS | {BindingCommands}
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        key("f1", "to_intake", "intake"),   # (over a dialog too: each dialog has it, ``INTAKE_KEY``)
        # F2 works over a dialog too (an app binding is not heard over a modal screen otherwise)
        key("f2", "queue", "queue", priority=True),
        key("f3", "switch_mode('policies')", "policies"),
        key("f4", "toggle_language", "language"),
        key("ctrl+r", "manager_report", "report", show=False),
        key("ctrl+q", "quit", "quit", priority=True),
        # the palette's own key, labelled in the UI language (Textual would add it in English)
        key("ctrl+p", "command_palette", "palette", show=False, priority=True),
    ]

    # The app starts in the intake mode itself (switching to it from Textual's default screen
    # would build and restyle the screen twice); each mode's module is imported when first used.
    MODES = {"intake": lambda: _screen("intake"), "queue": lambda: _screen("queue"),
             "policies": lambda: _screen("policies")}
    DEFAULT_MODE = "intake"

    lang: reactive[str] = reactive("zh", init=False)

    def __init__(self, registry: Any = None, store: Any = None, lang: str = "zh", clock: Clock | None = None, *,
                 db_url: str | None = None, registry_factory: Callable[[], Any] | None = None,
                 staff: str | None = None, store_code: str | None = None, cursor_blink: bool = True,
                 auto_advance: bool | None = None, draft_path: Any = "default") -> None:
        super().__init__()
        self.registry = registry
        self.registry_error: Any = None        # a PolicyError when the first load failed
        self.reload_issues: list[Any] = []      # located issues of the last failed reload
        self._store = store
        self.store_error: str | None = None
        self.db_url = db_url
        self.registry_factory = registry_factory
        self.clock: Clock = clock or counter_now
        self.staff = staff or os.environ.get("AFTERSALES_STAFF") or login_name()
        self.store_code = (store_code or os.environ.get("AFTERSALES_STORE") or "MAIN").upper()
        self.cursor_blink = cursor_blink
        #: a complete IMEI or date moves on to the next field (Ctrl+G; AFTERSALES_AUTO_ADVANCE=1)
        self.auto_advance = (os.environ.get("AFTERSALES_AUTO_ADVANCE", "") in ("1", "on", "yes")
                             if auto_advance is None else auto_advance)
        self._bound: tuple[Any, Any, Any] | None = None
        self._background_started = False
        #: the error toasts shown, by their text, until when (the same error is not shown twice)
        self._errors_shown: dict[str, float] = {}
        self._policies_started = False
        self._after_display: list[Callable[[], Any]] = []
        self.intake: Any = None                 # the intake screen, once mounted
        #: the counter screens made so far, in every mode (what ``_broadcast`` tells)
        self.counter_screens: weakref.WeakSet[Any] = weakref.WeakSet()
        self.mouse_pressed = False              # a mouse button is down
        self._draft_path = draft_path
        self._asked: Any = None                 # the question the app asked last (``_ask``)
        self.set_reactive(AftersalesApp.lang, lang if lang in ("zh", "en") else "zh")

    # --- modes -------------------------------------------------------------------------------

    def on_mount(self) -> None:
        translate_bindings(self, self.lang)
        self.title = t("app.title", self.lang)
        self.sub_title = self._subtitle()
        # The policies and the store load in workers once the first screen is up: they are
        # Python threads, and run alongside the first screen's build they would slow it down.
        # The intake screen has the policies loaded right after its first paint, and calls
        # first_screen_shown (the store: opening it imports SQLAlchemy and Alembic) once the
        # panel has decided with them. A timer covers an app that starts on another screen.
        self.set_timer(1.0, self._first_screen_fallback)
        # a counter session whose terminal went away (a remote session lost without a hang-up
        # signal) must end, not keep polling a dead terminal for ever
        if not self.is_headless and _terminal_fd() is not None:
            self.set_interval(1.0, self._check_terminal, name="terminal check")

    async def on_event(self, event: Any) -> None:
        from textual import events

        released = isinstance(event, events.MouseUp) and not event.is_forwarded
        if isinstance(event, events.MouseDown) and not event.is_forwarded:
            self.mouse_pressed = True
        await super().on_event(event)
        if released:
            self.mouse_pressed = False
            after = getattr(self.screen, "mouse_released", None)
            if after is not None:
                self.call_later(after)

    def input_held(self) -> bool:
        """Whether a screen of this mode holds what the clerk typed and did not save (a dialog's
        fields, a case's note: ``holds_input``), which closing it would throw away."""
        return any(getattr(screen, "holds_input", False) for screen in self.screen_stack)

    async def action_quit(self) -> None:
        """Quit, after asking when the intake form holds something not saved, or a screen of
        this mode holds what was typed (``input_held``); Ctrl+Q over the question quits."""
        from .screens.confirm import ConfirmDialog

        intake = self.intake
        held = self.input_held()
        unsaved = held or (intake is not None and intake.unsaved)
        if not unsaved or (isinstance(self.screen, ConfirmDialog) and (not held or self.screen is self._asked)):
            self.exit()
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.exit()

        self._ask("unsaved.quit_input" if held else "unsaved.quit", "unsaved.quit_yes", answered)

    def _ask(self, question: str, yes: str, answered: Callable[[bool | None], None], no: str | None = None) -> None:
        """The app's own question before it throws work away (remembered: the key that asked it,
        pressed again over it, does not ask it twice); ``no``: the other button's words, where
        the dialog's own would not fit the question."""
        from .screens.confirm import ConfirmDialog

        self._asked = ConfirmDialog(t(question, self.lang), t(yes, self.lang), t(no, self.lang) if no else None)
        self.push_screen(self._asked, answered)

    def get_key_display(self, binding: Binding) -> str:
        """A key in the footer as the keyboard says it (Ctrl+S, F2, Esc; Textual writes ^s, f2,
        esc), as the palette says it (``commands.key_words``); a letter as it is typed (m, not
        M: Shift+M is not the key, and F beside F4 would read as a function key)."""
        from .commands import key_words

        if binding.key_display:
            return binding.key_display
        return binding.key if len(binding.key) == 1 else key_words(binding.key)

    def read_stylesheet(self, path: Path) -> None:
        """Add the stylesheet at ``path`` to the app's (once), for what is mounted from now on:
        one that only later widgets use, read as they come (``dialogs.tcss``, ``form-rest.tcss``)."""
        if not self.stylesheet.has_source(str(path)):
            self.stylesheet.add_source(path.read_text(encoding="utf-8"), read_from=(str(path), ""))

    def push_screen(self, screen: Any, *args: Any, **kwargs: Any) -> Any:
        """Push ``screen``; the dialogs' stylesheet read first when it is the first dialog. A
        dialog (the command palette too) is drawn keeping a wide character whole where a widget's
        edge falls inside it, as the counter's screens are (a toast over it lost "）：")."""
        if isinstance(screen, ModalScreen):
            self.read_stylesheet(self.DIALOG_CSS_PATH)
            if not screen.is_mounted:
                from . import compat

                compat.install_compositor(screen, partial=False)
        return super().push_screen(screen, *args, **kwargs)

    def action_command_palette(self) -> None:
        """The command palette, its search box in the UI language."""
        from textual.command import CommandPalette

        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(id="--command-palette", placeholder=t("palette.placeholder", self.lang)))

    async def action_queue(self) -> None:
        """F2, the same from every screen: the queue's list, with what was opened over it in the
        queue's mode (a case, its ticket, the report) closed; the other modes keep theirs. When
        what it would close holds what the clerk typed (``input_held``), it asks first."""
        from textual.command import CommandPalette

        if CommandPalette.is_open(self):     # chosen there, or F2 pressed in it
            await self.pop_screen()
        if self.current_mode != "queue":
            await self.switch_mode("queue")
        if self.screen is self._asked:       # F2 again over its question: the question waits
            return
        if not self.input_held():
            await self._queue_list()
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.call_later(self._queue_list)

        self._ask("unsaved.leave", "unsaved.leave_yes", answered)

    async def action_to_intake(self) -> None:
        """F1, the same from every screen: the intake form. What is open in another mode stays
        there (a dialog over a case, a policy's terms: nothing typed is lost); a view opened over
        the intake (the manager's report, ``closes_for_a_mode``) is closed, so that what is typed
        next goes into the form, not into the view (the report took a scanned case's "h" as
        "print"); a question asked over the form still waits for its answer."""
        from textual.command import CommandPalette

        if CommandPalette.is_open(self):
            await self.pop_screen()
        if self.current_mode != "intake":
            await self.switch_mode("intake")
        while len(self.screen_stack) > 1 and getattr(self.screen, "closes_for_a_mode", False):
            await self.pop_screen()

    async def _queue_list(self) -> None:
        while len(self.screen_stack) > 1:
            await self.pop_screen()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """No mode is left while the counter waits for a sign-in (F1-F3 would have gone round it)."""
        if action in ("switch_mode", "queue", "to_intake") and getattr(self.screen, "holds_the_counter", False):
            return False
        return True

    #: the toast's width (app.tcss: at most 60 cells, 40% of its rack: the screen less the rack's
    #: scroll bar, Textual's 2 cells), less its padding and edge
    TOAST_WIDTH, TOAST_SHARE, TOAST_FRAME, TOAST_RACK_BAR = 60, 0.4, 3, 2

    def notify(self, message: str, *, title: str = "", severity: Any = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """A toast, its text wrapped as Chinese is set at the toast's width (Textual folds a run of
        Chinese at any cell: 案例编号 SZ0 | 1-2026…), one at a time: a new toast replaces the one
        shown (stacked, at 80x24 they covered the panel), except that while an error is shown the
        toasts after it join it, for its time. The messages are plain text (a ``[`` is not markup)."""
        from time import monotonic

        from rich.text import Text

        from .widgets.text import wrap_line

        if severity == "error":
            # the same error said again while it is shown (a plugin's quarantine, said as the
            # plugins' policies load and again as the store's bundle comes) is not shown twice
            now = monotonic()
            if self._errors_shown.get(message, 0.0) > now:
                return
            self._errors_shown = {m: until for m, until in self._errors_shown.items() if until > now}
            self._errors_shown[message] = now + (self.NOTIFICATION_TIMEOUT if timeout is None else timeout)
        share = int((self.size.width - self.TOAST_RACK_BAR) * self.TOAST_SHARE)
        width = max(min(self.TOAST_WIDTH, share) - self.TOAST_FRAME, 12)
        plain = Text.from_markup(message).plain if markup else message
        message = "\n".join(piece.plain for line in plain.split("\n") for piece in wrap_line(Text(line), width))
        # room is made as the toast comes, in the order the toasts were asked for (several asked
        # in one turn: each replaces the one before)
        self.call_later(self._make_room, severity, self.NOTIFICATION_TIMEOUT if timeout is None else timeout)
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def _make_room(self, severity: str, timeout: float) -> None:
        """Before a toast: the ones shown go, unless an error is shown (it stays its time)."""
        from time import monotonic

        now = monotonic()
        shown_until = getattr(self, "_error_until", 0.0)
        if now >= shown_until:
            self.clear_notifications()
        if severity == "error":
            self._error_until = max(shown_until, now + timeout)

    def get_system_commands(self, screen: Any) -> Any:
        """None of Textual's own (their names are English, and what the counter needs is a key
        binding, which the palette offers by its Chinese name)."""
        return iter(())

    def open_case(self, number: str) -> None:
        """The case's detail, on the queue (F2; Esc goes back to the queue)."""
        from .screens.detail import DetailScreen

        async def show() -> None:
            if self.current_mode != "queue":
                await self.switch_mode("queue")
            await self.push_screen(DetailScreen(number))

        self.call_later(show)

    def correct_case(self, view: dict[str, Any]) -> None:
        """A saved case into the intake form to be corrected (after asking when the form holds
        an intake not saved)."""
        from .screens.confirm import ConfirmDialog

        async def start() -> None:
            if self.current_mode != "intake":
                await self.switch_mode("intake")
            if self.intake is not None:
                self.intake.correct(view)

        intake = self.intake
        if intake is None or not intake.unsaved:
            self.call_later(start)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.call_later(start)

        self.push_screen(ConfirmDialog(t("unsaved.correct", self.lang, number=view["number"]),
                                       t("unsaved.correct_yes", self.lang)), answered)

    def _check_terminal(self) -> None:
        fd = _terminal_fd()
        if fd is None or terminal_gone(fd):
            # nothing can be written to a terminal that is gone (Textual's writer thread has
            # died on it, and the farewell escape codes would wait on it for ever)
            from . import compat

            compat.silence_driver(self)
            self.exit()

    def update_styles(self, node: Any, animate: bool = True) -> None:
        """Restyle ``node`` (its classes changed), unless it is not in the DOM yet.

        A widget made with ``compact=True`` (every field of the form), a ``Button``'s variant, a
        ``Select``'s list: their classes are set in their constructors, and Textual restyles the
        new widget and its parts each time, before it is even mounted. Mounting styles it with
        the classes it then has: restyling it before was a third of the styling done for the
        first screen."""
        if node is self or node.is_attached:
            super().update_styles(node, animate)

    def call_after_display(self, callback: Callable[[], Any]) -> None:
        """Call ``callback`` once the next frame has been handed to the terminal.

        ``call_after_refresh`` runs before the frame is written: work done there (mounting more
        widgets) delays what the user first sees."""
        self._after_display.append(callback)

    def post_display_hook(self) -> None:
        super().post_display_hook()
        # frames made while the app starts up (inside Textual's batch update) are not written
        from . import compat

        if self._after_display and compat.app_running(self) and not compat.batch_count(self):
            waiting, self._after_display = self._after_display, []
            for callback in waiting:
                self.call_later(callback)

    def load_policies(self) -> bool:
        """Start loading the policies, once (``True``: they are loading or loaded by now)."""
        if self.registry is None and not self._policies_started:
            self._policies_started = True
            self.load_registry()
        return self._policies_started

    def _first_screen_fallback(self) -> None:
        """``first_screen_shown`` for an app whose first screen does not call it. An intake calls
        it itself, once its panel has decided or once it stops waiting for slow policies: the
        store is not opened beside the policies' loading (the two threads would slow each other
        and the first decision)."""
        if self.intake is not None and self.intake.is_attached:
            return
        self.first_screen_shown()

    def first_screen_shown(self) -> None:
        """Start loading what the first screen did not wait for (once): the policies, if the
        first screen has not asked for them already, and the store."""
        if self._background_started:
            return
        self._background_started = True
        # What exists now (the app, its screens and widgets, the imported modules) lives as long
        # as the app: keep it out of the cyclic garbage collector's full passes, which otherwise
        # walk all of it and pause the UI for milliseconds at random keystrokes.
        gc.freeze()
        gc.enable()  # ``aftersales tui`` starts with the collector off
        self.load_policies()
        if self._store is None:
            self.open_store()
        else:
            self._start_bundle_poll()
            self.require_sign_in()

    def _subtitle(self) -> str:
        where = self.store_code + " · " + self.staff
        if self.store_error:
            where += " · " + t("store.unavailable_short", self.lang)
        return where + "".join(" · " + part for part in self._registry_banner())

    def _registry_banner(self) -> list[str]:
        """What the header says about the policies in force: the bundle, and (never silently) a
        plugin quarantined or the statutory policy left out."""
        registry = self.registry
        out: list[str] = []
        bundle = getattr(registry, "bundle", None)
        if bundle:
            out.append(t("banner.bundle", self.lang, id=bundle[0], sha=bundle[1][:12]))
        quarantined = getattr(registry, "quarantined", None)
        if quarantined:
            out.append(t("banner.quarantined", self.lang, plugins=", ".join(sorted(quarantined))))
        if registry is not None and getattr(registry, "statutory_loaded", True) is False:
            out.append(t("banner.not_legal", self.lang))
        return out

    @property
    def draft_path(self) -> Path | None:
        """Where the intake draft is kept (``None``: no draft is kept)."""
        if self._draft_path == "default":
            from .draft import default_path

            self._draft_path = default_path(self.store_code)
        return None if self._draft_path is None else Path(self._draft_path)

    # --- time --------------------------------------------------------------------------------

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        from aftersales.store.localday import local_date

        return local_date(self.clock())

    # --- the store, bound to the registry in force --------------------------------------------

    @property
    def store(self) -> Any:
        """The case store, deciding with the registry in force (``None`` while unavailable)."""
        if self._store is None:
            return None
        if self.registry is None:
            return self._store
        if self._bound is None or self._bound[0] is not self._store or self._bound[1] is not self.registry:
            from aftersales.store.casestore import CaseStore
            from aftersales.store.evaluator import RegistryEvaluator

            self._bound = (self._store, self.registry,
                           CaseStore(self._store.engine, RegistryEvaluator(self.registry)))
        return self._bound[2]

    @work(thread=True, exclusive=True, group="store-open")
    def open_store(self) -> None:
        from aftersales.store.casestore import CaseStore

        try:
            store = CaseStore.open(self.db_url)
        except Exception as exc:  # noqa: BLE001 - the store's screen says why, in the UI's language
            self.post_message(StoreUnavailable(error_line(exc, self.lang), self._display_url()))
            return
        self.post_message(StoreOpened(store))

    def _display_url(self) -> str:
        try:
            from aftersales.store.db import display_url, resolve_url

            return display_url(resolve_url(self.db_url)[0])
        except Exception:
            return self.db_url or "?"

    def on_store_opened(self, message: StoreOpened) -> None:
        self._store = message.store
        self.store_error = None
        self.sub_title = self._subtitle()
        self._broadcast("store_changed")
        self._start_bundle_poll()
        self.require_sign_in()

    def require_sign_in(self) -> None:
        """Once staff are registered, the counter signs in before anything else (screens/signin.py)."""
        from aftersales.store import staff as store_staff

        from .screens.signin import SignInScreen

        try:
            required = store_staff.sign_in_required(self._store.engine)
        except Exception:  # noqa: BLE001 - a store without the staff table (an older schema) has none
            required = False
        if required and not isinstance(self.screen, SignInScreen):
            self.push_screen(SignInScreen(self._store.engine, self.store_code), self._signed_in)

    def _signed_in(self, member: Any) -> None:
        self.staff = member.actor
        if member.store:
            self.store_code = member.store
        self.sub_title = self._subtitle()

    def on_store_unavailable(self, message: StoreUnavailable) -> None:
        from .screens.unavailable import StoreUnavailableScreen

        self.store_error = message.error
        self.sub_title = self._subtitle()
        self.push_screen(StoreUnavailableScreen(message.error, message.url))
        self._broadcast("store_changed")

    # --- policies ----------------------------------------------------------------------------

    def _new_registry(self) -> Any:
        """The counter's registry: its own policies folder if one is set, else the bundle in force
        in the case store (once the store is open), else the plugins' own policies."""
        if self.registry_factory is not None:
            return self.registry_factory()
        from aftersales.store.policysource import policy_source, registry_for

        engine = getattr(self._store, "engine", None)
        return registry_for(policy_source(None, engine))

    # --- the policy bundle in force: polled, swapped in without a restart ------------------------

    #: how often a running counter asks the store which policy bundle is in force (one small query)
    BUNDLE_POLL_SECONDS = 3.0

    def _start_bundle_poll(self) -> None:
        if self.registry_factory is not None or getattr(self, "_bundle_polling", False):
            return
        self._bundle_polling = True
        self._bundle_seq: Any = None
        self.check_bundle()
        self.set_interval(self.BUNDLE_POLL_SECONDS, self.check_bundle, name="bundle poll")

    @work(thread=True, exclusive=True, group="bundle")
    def check_bundle(self) -> None:
        """A newly activated bundle (``aftersales policy activate``) is loaded, validated and
        swapped in; a bundle that does not load leaves the policies in force, said once."""
        from aftersales.store.bundles import active_marker
        from aftersales.store.policysource import configured_folder, policy_source, registry_for

        engine = getattr(self._store, "engine", None)
        if engine is None:
            return
        try:
            if configured_folder() is not None:   # the counter's own folder wins over the bundle
                return
            marker = active_marker(engine)
            if marker is None or marker == self._bundle_seq:
                return
            current = getattr(self.registry, "bundle", None)
            if current is not None and current[0] == str(marker[1]):
                self._bundle_seq = marker
                return
            registry = registry_for(policy_source(None, engine))
            self._bundle_seq = marker   # loaded: not loaded again until the next activation
        except Exception as exc:  # noqa: BLE001 - the counter keeps the policies in force
            text = f"{type(exc).__name__}: {exc}"
            if text != getattr(self, "_bundle_error", None):   # said once, not at every poll
                self._bundle_error = text
                self.call_from_thread(self.notify, text, severity="error", timeout=30)
            return
        self._bundle_error = None
        self.call_from_thread(self._bundle_in_force, registry)

    def _bundle_in_force(self, registry: Any) -> None:
        self.registry = registry
        self.registry_error = None
        self.reload_issues = []
        self.sub_title = self._subtitle()
        bundle = getattr(registry, "bundle", None)
        if bundle:
            self.notify(t("banner.bundle_switched", self.lang, id=bundle[0], sha=bundle[1][:12]))
        for q in (getattr(registry, "quarantined", None) or {}).values():
            self.notify(q.line(self.lang), severity="error", timeout=30)
        self._broadcast("registry_changed")

    @work(thread=True, exclusive=True, group="policies")
    def load_registry(self) -> None:
        try:
            registry = self._new_registry()
        except Exception as exc:  # noqa: BLE001 - said on the policies screen
            self.post_message(PolicyReloadFailed(error_line(exc, self.lang), list(getattr(exc, "issues", ())),
                                                 initial=True))
            return
        self.post_message(PoliciesLoaded(registry))

    @work(thread=True, exclusive=True, group="policies")
    def reload_policies(self) -> None:
        """Load, validate, then swap: a broken file leaves the policies in force untouched."""
        current = self.registry
        try:
            reload = getattr(current, "reload", None) if self.registry_factory is None else None
            if callable(reload):
                # Registry.reload(): validates everything, swaps in place, returns the errors
                result = reload()
                if isinstance(result, (list, tuple)) and result:
                    self.post_message(PolicyReloadFailed(issue_line(result[0], self.lang), list(result)))
                    return
                registry = result if result is not None and hasattr(result, "evaluate") else current
            else:
                registry = self._new_registry()
                errors = list(getattr(registry, "errors", ()) or ())
                if errors:   # a broken plugin or policy is quarantined at start; a reload keeps the old set
                    self.post_message(PolicyReloadFailed(issue_line(errors[0], self.lang), errors))
                    return
        except Exception as exc:  # noqa: BLE001 - said on the policies screen
            self.post_message(PolicyReloadFailed(error_line(exc, self.lang), list(getattr(exc, "issues", ()))))
            return
        self.post_message(PoliciesReloaded(registry))

    def on_policies_loaded(self, message: PoliciesLoaded) -> None:
        if getattr(self.registry, "bundle", None) and not getattr(message.registry, "bundle", None):
            return   # the bundle in force was swapped in meanwhile (the store opened first)
        self.registry = message.registry
        self.registry_error = None
        self.sub_title = self._subtitle()
        for q in (getattr(self.registry, "quarantined", None) or {}).values():
            self.notify(q.line(self.lang), severity="error", timeout=30)
        self._broadcast("registry_changed")

    def on_policies_reloaded(self, message: PoliciesReloaded) -> None:
        self.registry = message.registry
        self.registry_error = None
        self.reload_issues = []
        n = len(self.registry.all_policies()) if hasattr(self.registry, "all_policies") else 0
        self.notify(t("pol.reloaded", self.lang, n=n))
        self.sub_title = self._subtitle()
        self._broadcast("registry_changed")

    def on_policy_reload_failed(self, message: PolicyReloadFailed) -> None:
        if message.initial:
            self.registry_error = message.error
        self.reload_issues = list(message.issues) or [message.error]
        none_in_force = self.registry is None   # the first load: there are no old policies to keep
        self.notify(t("pol.load_failed_short" if none_in_force else "pol.reload_failed_short", self.lang),
                    severity="error")
        self._broadcast("registry_changed")

    # --- language ----------------------------------------------------------------------------

    def action_toggle_language(self) -> None:
        self.lang = "en" if self.lang == "zh" else "zh"

    def watch_lang(self, lang: str) -> None:
        translate_bindings(self, lang)
        self.title = t("app.title", lang)
        self.sub_title = self._subtitle()
        for screen in self.screen_stack:
            translate_bindings(screen, lang)
            relabel = getattr(screen, "relabel", None)
            if relabel is not None:
                relabel()
        from .screens.base import label_open_list

        label_open_list(self.focused, lang)     # a dropdown's list open as F4 is pressed
        self.refresh_bindings()
        self.notify(t("lang.switched", lang), timeout=2)

    def _broadcast(self, hook: str) -> None:
        """Tell the screens of every mode that something they show has changed."""
        for screen in list(self.counter_screens):
            fn = getattr(screen, hook, None)
            if fn is not None and screen.is_attached:
                fn()

    # --- the manager's report ------------------------------------------------------------------

    def action_manager_report(self) -> None:
        """Ctrl+R: the manager's view of the day, pushed over the current mode."""
        from .screens.report import ReportScreen

        if not isinstance(self.screen, ReportScreen):
            self.push_screen(ReportScreen())


def make_app(registry: Any = None, store: Any = None, lang: str = "zh", clock: Clock | None = None,
             **options: Any) -> AftersalesApp:
    """The counter UI. ``registry``: a loaded ``Registry`` (else loaded in the background);
    ``store``: an open ``CaseStore`` (else opened from ``db_url``); ``clock``: returns an aware
    ``datetime`` (tests fix it). Other options: ``db_url``, ``registry_factory``, ``staff``,
    ``store_code``, ``cursor_blink``, ``auto_advance``, ``draft_path`` (``None``: keep no draft).
    """
    return AftersalesApp(registry, store, lang, clock, **options)


def issue_line(issue: Any, lang: str) -> str:
    """A policy problem (a located ``PolicyIssue`` or an error) as one line in ``lang``."""
    if isinstance(issue, BaseException):
        return error_line(issue, lang)
    from aftersales.core.plugininfo import said_in

    return said_in(issue, lang)
