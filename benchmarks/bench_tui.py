"""Counter UI speed (issue 5). Not a test: prints figures, asserts nothing.

    .venv/bin/python benchmarks/bench_tui.py [--quick] [--profile] [--start]

Every figure is printed next to the same measurement of a *Textual floor* taken in the same
run, and the ratio between the two: this machine's speed varies run to run, the ratio much
less. The floors are the least any Textual app costs:

* typing: a minimal app, one ``Input`` and one ``Static`` that shows the value on every change;
* start: an app showing one line of text.

1. keystroke -> updated decision panel (target: median <= 16 ms, one frame at 60 Hz):

   a. *key -> frame*, what the user sees: a key event is handed to the app the way the terminal
      driver hands it over; the figure is the time until the last frame that key causes has been
      composed and turned into terminal output (headless Textual skips that encoding step; the
      benchmark does it, as a terminal driver would). Frames come from Textual's 60 Hz update
      timer, so even the floor waits up to one timer tick. Keys are typed 120 ms apart, as a
      fast typist would, and the benchmark checks that each one reached the decision panel.
   b. the screen's own work per change: the ``Input.Changed`` handler (check the field, build the
      case, decide it, render the panel), timed inside the running app;
   c. ``pilot.press`` wall time per key, for reference only: ``Pilot.press`` waits for the app
      to look idle after every key (``wait_for_idle``: at least two 20 ms sleeps, more while
      the process is busy), so it is at least ~40 ms even for the floor and is not a latency.

2. start -> first screen (target <= 500 ms wall): the ``aftersales`` command itself (what the
   README says to run) is started in a pseudo-terminal, and the clock runs from spawning the
   process until the intake screen's text has been written to the terminal; then until the
   policies (loaded in a worker) are in the panel. The floor is the one-line app started the
   same way. ``import textual`` alone is printed too.
"""

from __future__ import annotations

import asyncio
import os
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

NOW = datetime(2026, 6, 15, 10, 30, tzinfo=timezone(timedelta(hours=8)))
TYPED = "screen flickers then goes black "
GAP = 0.12          # seconds between keys (a fast typist: ~8 keys a second)
SIZE = (120, 40)


def median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def p95(xs: list[float]) -> float:
    return sorted(xs)[min(len(xs) - 1, int(len(xs) * 0.95))] if xs else float("nan")


# --- keystrokes ------------------------------------------------------------------------------


class FrameClock:
    """Timestamps the frames an app produces (and encodes them, as a terminal driver would)."""

    def __init__(self, app: Any) -> None:
        from textual._compositor import CompositorUpdate

        self.times: list[float] = []
        original = app._display
        console = app.console

        def display(screen: Any, renderable: Any) -> None:
            original(screen, renderable)
            if renderable is None:
                return
            if isinstance(renderable, CompositorUpdate):
                renderable.render_segments(console)   # what a real driver writes to the terminal
            self.times.append(time.perf_counter())

        app._display = display


def key_event(key: str) -> Any:
    """The ``Key`` event a terminal driver would send for ``key`` (a character or a key name)."""
    import unicodedata

    from textual import events
    from textual.app import _character_to_key
    from textual.keys import _get_unicode_name_from_key

    if len(key) == 1:
        return events.Key(key if key.isalnum() else _character_to_key(key), key)
    try:
        char = unicodedata.lookup(_get_unicode_name_from_key(key))
    except KeyError:
        char = None
    return events.Key(key, char)


async def type_keys(app: Any, pilot: Any, keys: list[str], reached: Callable[[], Any], *,
                    press: bool = True) -> tuple[list[float], list[float]]:
    """Type ``keys`` into the focused field, key by key with the frame clock (key -> last frame
    it causes), then (``press``) the same keys again with ``pilot.press``. ``reached()`` must
    change with every key (the check that it got through). Returns both lists of ms."""
    clock = FrameClock(app)
    driver = app._driver
    frame_ms: list[float] = []
    for key in keys:
        before = reached()
        await asyncio.sleep(GAP)                 # quiet before the key
        clock.times.clear()
        start = time.perf_counter()
        driver.send_message(key_event(key))
        await asyncio.sleep(GAP)                 # every frame the key causes lands in here
        if reached() == before:
            raise RuntimeError(f"key {key!r} did not reach the panel")
        if not clock.times:
            raise RuntimeError(f"key {key!r} produced no frame")
        frame_ms.append((clock.times[-1] - start) * 1000)
    press_ms: list[float] = []
    for key in keys if press else ():
        before = reached()
        start = time.perf_counter()
        await pilot.press(key)
        press_ms.append((time.perf_counter() - start) * 1000)
        if reached() == before:
            raise RuntimeError(f"key {key!r} did not reach the panel")
    return frame_ms, press_ms


def floor_typing_app(same_frame: bool) -> Any:
    """One ``Input``, one ``Static`` showing its value. ``same_frame=False``: the textbook way,
    an ``on_input_changed`` handler (the message reaches it after the input has been painted, so
    the ``Static`` comes a frame later); ``True``: the ``Static`` is updated from the input's
    value watcher, in the key's own handling, as the intake form does."""
    from textual.app import App
    from textual.widgets import Input, Static

    class Field(Input):
        def _watch_value(self, value: str) -> None:
            super()._watch_value(value)
            if same_frame and self.is_mounted:
                self.app.show(value)

    class Floor(App):
        def compose(self):
            yield Field(id="in")
            yield Static("", id="out")

        def on_mount(self) -> None:
            self.changes = 0
            self.query_one(Input).cursor_blink = False

        def show(self, value: str) -> None:
            self.query_one("#out", Static).update(value)
            self.changes += 1

        def on_input_changed(self, event: Input.Changed) -> None:
            if not same_frame:
                self.show(event.value)

    return Floor()


async def floor_keystrokes(keys: list[str], same_frame: bool) -> tuple[list[float], list[float]]:
    app = floor_typing_app(same_frame)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        return await type_keys(app, pilot, keys, lambda: app.changes)


def date_corrections(n: int) -> list[str]:
    """Keys correcting the last digit of a purchase date: backspace, digit, backspace, digit...
    ("2026-06-10" -> "2026-06-1" -> "2026-06-13" ...): every key moves the purchase date, so
    every key changes what the decision panel says (day count, remedies)."""
    keys: list[str] = []
    for i in range(n // 2):
        keys += ["backspace", str((i * 3 + 1) % 10)]
    return keys


async def app_keystrokes(text: str, profile: bool = False) -> dict[str, list[float]]:
    from aftersales.core.registry import load_registry
    from aftersales.tui.app import make_app
    from aftersales.tui.widgets.decision_panel import DecisionPanel

    app = make_app(load_registry(), None, "zh", lambda: NOW, cursor_blink=False, draft_path=None,
                   db_url="sqlite:////nonexistent/aftersales-bench.sqlite3")
    handler_ms: list[float] = []
    out: dict[str, list[float]] = {}
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(3):
            await app.workers.wait_for_complete()
            await pilot.pause()
        await pilot.press("escape")          # the store screen (no store in the benchmark)
        await pilot.pause()
        screen = app.screen
        screen.query_one("#f-brand").value = "generic"
        screen.query_one("#f-fault-confirmed").value = True
        await pilot.pause()
        for sel, value in (("#f-device-model", "Redmi Note 13"), ("#f-purchase-date", "2026-06-10"),
                           ("#f-device-imei", "356938035643809")):
            await pilot.click(sel)
            await pilot.press(*value)
        panel = screen.query_one(DecisionPanel)
        original = type(screen).changed

        def timed(self):
            start = time.perf_counter()
            original(self)
            handler_ms.append((time.perf_counter() - start) * 1000)

        async def focus(selector: str) -> None:
            screen.query_one(selector).scroll_visible(animate=False)
            await pilot.pause()
            await pilot.click(selector)
            await pilot.pause()

        profiler = None
        if profile:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005, async_mode="disabled")
        type(screen).changed = timed
        try:
            # A: a field that does not change the decision (the panel is decided again, same text)
            await focus("#f-fault-description")
            handler_ms.clear()
            if profiler:
                profiler.start()
            out["a_frame"], out["a_press"] = await type_keys(app, pilot, list(text), lambda: panel.updates,
                                                             press=not profile)
            out["a_handler"] = handler_ms[:]
            # B: the purchase date, corrected digit by digit: the panel's text changes with every key
            await focus("#f-purchase-date")
            await pilot.press("end")
            handler_ms.clear()
            keys = date_corrections(len(text))
            out["b_frame"], out["b_press"] = await type_keys(app, pilot, keys, panel.body_text, press=not profile)
            out["b_handler"] = handler_ms[: len(keys)]
            if profiler:
                profiler.stop()
                print(profiler.output_text(unicode=True, color=False, show_all=False))
        finally:
            type(screen).changed = original
    return out


# --- start -----------------------------------------------------------------------------------


FLOOR_START = textwrap.dedent("""
    from textual.app import App
    from textual.widgets import Static

    class Floor(App):
        def compose(self):
            yield Static("FLOOR-READY")

    Floor().run()
""")


def in_pty(argv: list[str], markers: list[bytes], env: dict[str, str] | None = None,
           timeout: float = 60.0) -> list[float]:
    """Spawn ``argv`` on a 120x40 pseudo-terminal; ms from spawn until each marker is written."""
    import fcntl
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True,
                            start_new_session=True)
    os.close(slave)
    seen = b""
    found: list[float] = []
    try:
        while len(found) < len(markers):
            ready, _, _ = select.select([master], [], [], 0.5)
            if time.perf_counter() - start > timeout:
                raise RuntimeError(f"timed out; output so far: {seen[-400:]!r}")
            if not ready:
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
            while len(found) < len(markers) and markers[len(found)] in seen:
                found.append((time.perf_counter() - start) * 1000)
        if len(found) < len(markers):
            raise RuntimeError(f"{argv[0]} ended early; output: {seen[-400:]!r}")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        os.close(master)
    return found


def startup(runs: int, pycache: str | None = None) -> dict[str, list[float]]:
    """Start times; ``pycache``: with Python's bytecode cached in that folder (``PYTHONPYCACHEPREFIX``,
    bytecode writing on), as an installed copy runs: pip compiles a package when it installs it,
    as it compiled Textual, while an editable checkout under ``PYTHONDONTWRITEBYTECODE`` compiles
    the project's modules at every start. One start of each first fills that folder."""
    from aftersales.store.db import create_database

    folder = tempfile.mkdtemp(prefix="aftersales-bench-")
    try:
        url = f"sqlite:///{folder}/cases.sqlite3"
        create_database(url).dispose()
        env = {**os.environ, "AFTERSALES_DB": url, "AFTERSALES_STORE": "SZ01", "AFTERSALES_STAFF": "bench",
               "AFTERSALES_LANG": "zh", "TERM": "xterm-256color", "COLORTERM": "truecolor",
               "AFTERSALES_DRAFT": f"{folder}/draft.json"}
        if pycache is not None:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = pycache
        command = shutil.which("aftersales", path=str(Path(sys.executable).parent)) or "aftersales"
        # intake screen drawn: a field label; policies in: the blank form's "cannot decide yet" line
        marks = ["受理日期".encode(), "尚不能判定".encode()]
        out: dict[str, list[float]] = {"first": [], "loaded": [], "floor": [], "import": [], "python": []}
        if pycache is not None:
            in_pty([command], marks, env=env)
            in_pty([sys.executable, "-c", FLOOR_START], [b"FLOOR-READY"], env=env)
        for _ in range(runs):
            first, loaded = in_pty([command], marks, env=env)
            out["first"].append(first)
            out["loaded"].append(loaded)
            out["floor"].extend(in_pty([sys.executable, "-c", FLOOR_START], [b"FLOOR-READY"], env=env))
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-c", "pass"], check=True, env=env)
            out["python"].append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-c", "import textual.app"], check=True, env=env)
            out["import"].append((time.perf_counter() - t0) * 1000)
        return out
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# --- report ----------------------------------------------------------------------------------


def main(argv: list[str]) -> None:
    quick = "--quick" in argv
    if "--start" in argv:   # the start-up figures alone
        report_startup(startup(3 if quick else 7), "")
        if os.environ.get("PYTHONDONTWRITEBYTECODE"):
            with tempfile.TemporaryDirectory(prefix="aftersales-pycache-") as pycache:
                report_startup(startup(3 if quick else 7, pycache), ", as an installed copy runs (bytecode cached)")
        return
    text = TYPED if quick else TYPED * 2
    if "--profile" in argv:
        asyncio.run(app_keystrokes(text, profile=True))
        return
    keys = list(text)
    floor_a, floor_press = asyncio.run(floor_keystrokes(keys, same_frame=False))
    floor_b, _ = asyncio.run(floor_keystrokes(keys, same_frame=True))
    r = asyncio.run(app_keystrokes(text))
    fa, fb, fp = median(floor_a), median(floor_b), median(floor_press)

    def line(label: str, xs: list[float]) -> str:
        m = median(xs)
        return (f"  {label}: median {m:.1f} ms, p95 {p95(xs):.1f} ms; ratio {m / fa:.2f} to floor 1, "
                f"{m / fb:.2f} to floor 2")

    print(f"keystroke -> panel (target: median <= 16 ms); {len(keys)} keys a scenario, {GAP * 1000:.0f} ms apart")
    print(f"  floor 1, Input + Static updated in on_input_changed: key -> frame median {fa:.1f} ms "
          f"(p95 {p95(floor_a):.1f})")
    print(f"  floor 2, Input + Static updated in the same frame:   key -> frame median {fb:.1f} ms "
          f"(p95 {p95(floor_b):.1f})")
    print(line("A. typing the fault description, key -> frame (what the user sees)", r["a_frame"]))
    print(line("B. correcting the purchase date, panel text changes every key, key -> frame", r["b_frame"]))
    print(f"  the screen's own work per change (check, build, decide, render the panel): "
          f"A median {median(r['a_handler']):.2f} ms, B median {median(r['b_handler']):.2f} ms "
          f"(p95 {p95(r['b_handler']):.2f})")
    print(f"  pilot.press wall (waits for idle: not a latency): A median {median(r['a_press']):.1f} ms, "
          f"B {median(r['b_press']):.1f} ms; floor 1 {fp:.1f} ms; ratio A {median(r['a_press']) / fp:.2f}")
    report_startup(startup(3 if quick else 7), "")
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        with tempfile.TemporaryDirectory(prefix="aftersales-pycache-") as pycache:
            report_startup(startup(3 if quick else 7, pycache), ", as an installed copy runs (bytecode cached)")


def report_startup(s: dict[str, list[float]], how: str) -> None:
    first, floor = median(s["first"]), median(s["floor"])
    loaded = median(s["loaded"])
    print(f"start -> first screen{how}, `aftersales` in a pseudo-terminal, {len(s['first'])} runs "
          f"(targets: first screen <= 1.3x the one-line app, usable <= 1.6x)")
    print(f"  intake screen drawn: median {first:.0f} ms (min {min(s['first']):.0f}); floor (one-line app) "
          f"{floor:.0f} ms (min {min(s['floor']):.0f}); ratio {first / floor:.2f}")
    print(f"  usable (policies loaded, the panel deciding): median {loaded:.0f} ms "
          f"(min {min(s['loaded']):.0f}); ratio {loaded / floor:.2f}")
    print(f"  for scale: python -c pass {median(s['python']):.0f} ms, python -c 'import textual.app' "
          f"{median(s['import']):.0f} ms")


if __name__ == "__main__":
    main(sys.argv[1:])
