"""The process ``bench_tui_count.py`` counts: its clocks slowed down as valgrind slows it, it
runs ``aftersales`` (or the floor's code) and exits at the first write to the terminal that
carries the marker. Kept small: this file is compiled at every run, and counted.

    python _tui_count_child.py MARKER SCRIPT|--floor FLOOR_CODE
"""

import os
import sys

SLOWER = 50.0       # valgrind runs the interpreter some 50x slower


def child(mark: str, target: str, floor: str = "") -> None:
    """In the counted process: slow the clocks down, exit at the write carrying ``mark``, run
    ``target`` (the ``aftersales`` script, or ``--floor``: the code ``floor``)."""
    import selectors
    import time

    monotonic, perf_counter = time.monotonic, time.perf_counter
    m0, p0 = monotonic(), perf_counter()
    time.monotonic = lambda: m0 + (monotonic() - m0) / SLOWER
    time.perf_counter = lambda: p0 + (perf_counter() - p0) / SLOWER
    select = selectors.EpollSelector.select

    def slow_select(self, timeout=None):  # type: ignore[no-untyped-def]
        return select(self, None if timeout is None else (timeout * SLOWER if timeout > 0 else timeout))

    selectors.EpollSelector.select = slow_select  # type: ignore[method-assign]

    from textual.drivers import _writer_thread

    write = _writer_thread.WriterThread.write

    def write_or_stop(self, text: str) -> None:  # type: ignore[no-untyped-def]
        if mark in text:
            os._exit(0)
        write(self, text)

    _writer_thread.WriterThread.write = write_or_stop  # type: ignore[method-assign]
    if target == "--floor":
        exec(floor, {"__name__": "__main__"})
        return
    import runpy

    sys.argv = [target]
    runpy.run_path(target, run_name="__main__")


if __name__ == "__main__":
    child(sys.argv[1], sys.argv[2], sys.argv[3])
