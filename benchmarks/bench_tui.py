"""Counter UI speed (issue 5). Not a test: prints figures, asserts nothing.

    .venv/bin/python benchmarks/bench_tui.py

1. keystroke -> updated decision panel, median over typed characters (target <= 16 ms):
   a. the UI's own work per change: the Input.Changed handler (check the field, build the
      case, decide it, render the panel) timed inside the running app;
   b. wall time of ``pilot.press`` per key in a headless app: the handler plus Textual's
      key dispatch, repaint and the test pilot's waiting for idle.
2. start -> first screen: a fresh ``python -c`` process importing the app and running it until
   the intake screen is mounted and painted (target <= 500 ms wall). The policies load in a
   worker meanwhile; the figure for "policies loaded" is printed too.
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timedelta, timezone

NOW = datetime(2026, 6, 15, 10, 30, tzinfo=timezone(timedelta(hours=8)))


async def keystrokes() -> tuple[list[float], list[float]]:
    from aftersales.core.registry import load_registry
    from aftersales.tui.app import make_app
    from aftersales.tui.widgets.decision_panel import DecisionPanel

    app = make_app(load_registry(), None, "zh", lambda: NOW, cursor_blink=False,
                   db_url="sqlite:////nonexistent/aftersales-bench.sqlite3")
    handler_ms: list[float] = []
    press_ms: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("escape")          # the store screen (no store in the benchmark)
        await pilot.pause()
        screen = app.screen
        screen.query_one("#f-brand").value = "generic"
        await pilot.pause()
        for sel, text in (("#f-device-model", "Redmi Note 13"), ("#f-purchase-date", "2026-06-10"),
                          ("#f-device-imei", "356938035643809")):
            await pilot.click(sel)
            for ch in text:
                await pilot.press(ch)
        # the handler alone, timed in the app
        original = type(screen).on_input_changed

        def timed(self, event):
            start = time.perf_counter()
            original(self, event)
            handler_ms.append((time.perf_counter() - start) * 1000)

        type(screen).on_input_changed = timed
        panel = screen.query_one(DecisionPanel)
        try:
            await pilot.click("#f-fault-description")
            for ch in "screen flickers then goes black " * 3:
                before = panel.updates
                start = time.perf_counter()
                await pilot.press("space" if ch == " " else ch)
                press_ms.append((time.perf_counter() - start) * 1000)
                assert panel.updates > before
        finally:
            type(screen).on_input_changed = original
    return handler_ms, press_ms


STARTUP = textwrap.dedent("""
    import time, asyncio
    t0 = time.perf_counter()
    from datetime import datetime, timedelta, timezone
    from aftersales.tui.app import make_app
    NOW = datetime(2026, 6, 15, 10, 30, tzinfo=timezone(timedelta(hours=8)))
    async def main():
        app = make_app(None, None, "zh", lambda: NOW, db_url=DB_URL)
        first = loaded = None
        async with app.run_test(size=(120, 40)) as pilot:
            while first is None:
                if any(type(s).__name__ == "IntakeScreen" and s.is_mounted for s in app.screen_stack):
                    await pilot.pause()
                    first = time.perf_counter() - t0
                await asyncio.sleep(0.001)
            while app.registry is None:
                await asyncio.sleep(0.005)
            loaded = time.perf_counter() - t0
        print(f"{first*1000:.0f} {loaded*1000:.0f}")
    asyncio.run(main())
""")


def startup(runs: int = 5) -> tuple[list[float], list[float]]:
    import tempfile

    from aftersales.store.db import create_database

    folder = tempfile.mkdtemp(prefix="aftersales-bench-")
    url = f"sqlite:///{folder}/cases.sqlite3"
    create_database(url).dispose()
    firsts, loads = [], []
    for _ in range(runs):
        wall = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", f"DB_URL = {url!r}\n" + STARTUP], capture_output=True, text=True,
                             check=True, timeout=120)
        first, loaded = (float(x) for x in out.stdout.split())
        interp = (time.perf_counter() - wall) * 1000
        firsts.append(first)
        loads.append(loaded)
        _ = interp
    return firsts, loads


def main() -> None:
    handler, press = asyncio.run(keystrokes())
    print(f"keystroke -> panel, handler (decide + render): median {statistics.median(handler):.2f} ms, "
          f"p95 {sorted(handler)[int(len(handler) * .95)]:.2f} ms over {len(handler)} keys (target <= 16 ms)")
    print(f"keystroke -> panel, pilot.press wall (headless, incl. repaint): median {statistics.median(press):.1f} ms, "
          f"p95 {sorted(press)[int(len(press) * .95)]:.1f} ms")
    firsts, loads = startup()
    print(f"start -> first screen (in process, after interpreter start): median {statistics.median(firsts):.0f} ms "
          f"(target <= 500 ms); policies loaded: median {statistics.median(loads):.0f} ms")


if __name__ == "__main__":
    main()
