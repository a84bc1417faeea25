"""The ``aftersales`` command line.

The commands are click's (``cli/group.py``), each in its own module, imported only when used, so
``aftersales --help`` and ``aftersales evaluate`` stay fast. Bare ``aftersales`` opens the counter
UI without importing click at all (``cli/start.py``): click and the command line would cost its
start more than the UI's own first module does. Exit codes: 0 ok, 1 a check failed, 2 bad input
(case or policy), 3 a plugin failed.

This module imports nothing of click (``main_group`` is loaded when first asked for); how a
command ends when something stops it is here, so that bare ``aftersales`` ends through it too.
"""

from __future__ import annotations

import os
import sys
from contextvars import ContextVar
from typing import Any


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: runs the group and maps the project's errors to exit codes."""
    if not (sys.argv[1:] if argv is None else argv):
        from .start import open_bare

        sys.exit(open_bare())
    if argv is None and next((a for a in sys.argv[1:] if not a.startswith("-")), None) != "tui":
        _answer_on_its_own()
    from .group import main_group, run

    sys.exit(run(main_group, argv))


def _answer_on_its_own() -> None:
    """Standard output carries a command's answer (``evaluate --json``, a replay's decisions):
    Python's ``sys.stdout`` keeps it, on a copy of descriptor 1, and descriptor 1 itself is
    pointed at standard error. So what is written past Python's streams (a child process a
    plugin starts, ``os.write(1, …)``) lands on standard error, never in the answer; a plugin's
    ``print`` goes there where plugin code runs (``core.registry.plugins_print_to_stderr``). Not
    for the counter UI (bare ``aftersales``, ``aftersales tui``): it draws on the terminal itself."""
    out = sys.stdout
    try:
        if out is None or sys.stderr is None or out.fileno() != 1 or sys.stderr.fileno() != 2:
            return   # standard output is not the process's own (closed, or replaced by a caller)
        answer = os.dup(1)
    except (OSError, ValueError, AttributeError):
        return
    try:
        os.dup2(2, 1)
    except OSError:
        os.close(answer)
        return
    sys.stdout = open(answer, "w", buffering=1 if out.line_buffering else -1,  # noqa: SIM115 - the process's stdout
                      encoding=out.encoding, errors=out.errors)


def __getattr__(name: str) -> Any:
    if name in ("main_group", "COMMANDS"):
        from . import group

        return getattr(group, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# --- how a command ends when something stops it ------------------------------------------------

class Interrupted(BaseException):
    """SIGTERM or SIGHUP, raised where the program is so that its cleanup runs (temporary files,
    worker processes) as it does for Ctrl-C; ``signum`` says which. Not a ``KeyboardInterrupt``,
    which click would turn into an "Aborted!" of its own."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _interrupt(signum: int, _frame: Any) -> None:
    raise Interrupted(signum)


def catch_termination() -> None:
    """SIGTERM and SIGHUP unwind the program like Ctrl-C (the main thread only; a no-op elsewhere)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return
    for name in ("SIGTERM", "SIGHUP"):
        signum = getattr(signal, name, None)
        if signum is not None and signal.getsignal(signum) in (signal.SIG_DFL, None):
            signal.signal(signum, _interrupt)


def say(line: str) -> None:
    """One line on standard error."""
    print(line, file=sys.stderr, flush=True)


def interrupted(exc: BaseException) -> int:
    """The exit code for an interruption: 128 + the signal (Ctrl-C 130, SIGTERM 143, SIGHUP 129)."""
    signum = exc.signum if isinstance(exc, Interrupted) else 2
    try:
        say("interrupted" if signum == 2 else f"interrupted (signal {signum})")
    except OSError:  # the terminal is gone (SIGHUP)
        pass
    return 128 + signum


def stopped(exc: BaseException, args: list[str]) -> int:
    """The exit code for ``exc``, which ended a command run with ``args``: a closed pipe 0, an
    interruption 128 + the signal, a project error its own code (its one line on standard error,
    in the messages' language). Anything else is raised again."""
    if isinstance(exc, BrokenPipeError):
        return 0
    if isinstance(exc, (KeyboardInterrupt, Interrupted)):
        return interrupted(exc)
    from aftersales.core.errors import AftersalesError

    if not isinstance(exc, AftersalesError):
        raise exc
    from aftersales.store.privacy import escape_all_controls

    line = f"错误：{exc.line('zh')}" if message_lang(args) == "zh" else f"error: {exc}"
    say(escape_all_controls(line))  # a hostile path or value cannot reach the terminal raw
    return exc.exit_code


def arguments(argv: list[str] | None) -> list[str]:
    """The command's arguments: ``argv``; when None, those of the command line ``run`` is running,
    else the process's own (as click reads them)."""
    if argv is not None:
        return list(argv)
    running = RUNNING.get()
    return list(sys.argv[1:] if running is None else running)


def message_lang(argv: list[str] | None = None, option: str | None = None) -> str:
    """The language every command speaks (its messages, errors, help, the tables it prints):
    ``zh`` or ``en``. The one rule: ``option`` (a value the caller holds), else the command's
    ``--lang`` as click parsed it (when ``argv`` is None), else ``--lang`` on the command line
    ``argv`` (default: the one being run), else ``AFTERSALES_LANG``, else Chinese. English when the value starts with ``en``.

    Every command has ``--lang`` (the group gives it to each: ``cli.group.with_lang``).
    The locale (``LANG``, ``LC_ALL``) is not read: a counter's terminal often runs an English or
    a C locale, and the counter still speaks Chinese (the counter UI follows the same rule)."""
    if option:
        return _lang(option)
    if argv is None:
        chosen = _chosen()
        if chosen:
            return _lang(chosen)
    args = arguments(argv)
    for index, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and index + 1 < len(args):
            return _lang(args[index + 1])
        if arg.startswith("--lang="):
            return _lang(arg.split("=", 1)[1])
    return _lang(os.environ.get("AFTERSALES_LANG", ""))


#: where a command's ``--lang`` (added by the group to every command: ``cli.group.with_lang``)
#: keeps its value, in the click context's ``meta``, which a command shares with its groups
LANG_KEY = "aftersales.lang"


def _chosen() -> str | None:
    """The ``--lang`` click parsed for the command being run, if any (click is not imported here:
    when it is not loaded, no command is running)."""
    click = sys.modules.get("click")
    ctx = click.get_current_context(silent=True) if click is not None else None
    return ctx.meta.get(LANG_KEY) if ctx is not None else None


def _lang(value: str) -> str:
    return "en" if value.strip().lower().startswith("en") else "zh"


#: the arguments of the command line ``group.run`` is running (``message_lang`` reads its ``--lang``)
RUNNING: ContextVar[list[str] | None] = ContextVar("aftersales_running", default=None)
