"""The counter UI's start counted in instructions (valgrind): figures that do not swing with the machine.

    python benchmarks/bench_tui_count.py [--rounds 5] [--against OTHER_VENV]

``aftersales`` (bare: it opens the UI), as an installed copy runs (bytecode cached), is started in a
pseudo-terminal of 120x40 under ``valgrind --tool=cachegrind --cache-sim=no`` and stopped at the
first write to the terminal that carries the intake screen's text (*first screen*: a field label)
or the panel's first decision (*usable*: the blank form's "cannot decide yet" line); the *floor* is
a one-line Textual app stopped at the write that carries its text. The process's clocks run 50
times slower than the wall clock, as valgrind slows the process down, so that its timers (the
drop-down's typing window, a second's wait for slow policies) fire where they would without it.

``--against`` names another checkout's virtual environment (its own ``aftersales``): both are
counted in turn, round after round, for a comparison in the same minutes. Medians are printed.
This folder must not change between runs: it is on the counted process's ``sys.path``, and the
cached plugin entry points are keyed on the search path's folders (a changed folder costs the
usable start ~25 M instructions once). Needs valgrind; a round takes ~20 s per checkout.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

HERE = os.path.dirname(os.path.abspath(__file__))
if TYPE_CHECKING:
    from pathlib import Path

MARKS = {"first": "受理日期", "usable": "尚不能判定", "floor": "FLOOR-READY"}


def in_pty(argv: list[str], env: dict[str, str]) -> None:
    """Run ``argv`` on a 120x40 pseudo-terminal until it ends, reading what it writes."""
    import fcntl
    import pty
    import select
    import struct
    import subprocess
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True,
                            start_new_session=True)
    os.close(slave)
    try:
        while proc.poll() is None:
            if select.select([master], [], [], 0.5)[0]:
                try:
                    os.read(master, 65536)
                except OSError:
                    pass
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        os.close(master)


def count(venv: Path, what: str, env: dict[str, str], valgrind: bool = True) -> float:
    """Millions of instructions until ``what`` (first, usable, floor) of ``venv``'s ``aftersales``."""
    import tempfile
    from pathlib import Path

    from _common import VALGRIND, counted
    from bench_tui import FLOOR_START

    target = "--floor" if what == "floor" else str(venv / "bin" / "aftersales")
    argv = [str(venv / "bin" / "python"), os.path.join(HERE, "_tui_count_child.py"), MARKS[what], target, FLOOR_START]
    if not valgrind:
        in_pty(argv, env)
        return 0.0
    with tempfile.NamedTemporaryFile(prefix="aftersales-vg-", suffix=".log", delete=False) as log:
        log_path = log.name
    try:
        in_pty([*VALGRIND, f"--log-file={log_path}", *argv], env)
        text = Path(log_path).read_text(encoding="utf-8", errors="replace")
    finally:
        os.unlink(log_path)
    return counted(text) / 1e6


def main(argv: list[str]) -> None:
    import argparse
    import statistics
    import tempfile
    from pathlib import Path

    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--against", metavar="OTHER_VENV", help="another checkout's virtual environment")
    args = parser.parse_args(argv)
    sys.path.insert(0, HERE)
    from _common import need_valgrind

    need_valgrind("bench_tui_count")
    venvs = {"this checkout": Path(sys.executable).parent.parent}
    if args.against:
        venvs["against"] = Path(args.against)
    from aftersales.store.db import create_database

    with tempfile.TemporaryDirectory(prefix="aftersales-count-") as folder:
        url = f"sqlite:///{folder}/cases.sqlite3"
        create_database(url).dispose()
        env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
        env.pop("AFTERSALES_LANG", None)
        env.update({"AFTERSALES_DB": url, "AFTERSALES_STORE": "SZ01", "AFTERSALES_STAFF": "bench",
                    "AFTERSALES_DRAFT": f"{folder}/draft.json", "TERM": "xterm-256color",
                    "COLORTERM": "truecolor", "PYTHONPYCACHEPREFIX": f"{folder}/pycache"})
        for venv in venvs.values():   # bytecode cached, the validated policies cached, entry points cached
            for what in MARKS:
                count(venv, what, env, valgrind=False)
        found: dict[str, dict[str, list[float]]] = {label: {what: [] for what in MARKS} for label in venvs}
        for r in range(args.rounds):
            for label, venv in venvs.items():
                for what in MARKS:
                    found[label][what].append(count(venv, what, env))
                print(f"round {r + 1}, {label}: " + ", ".join(f"{w} {found[label][w][-1]:,.0f} M" for w in MARKS),
                      flush=True)
    for label, figures in found.items():
        floor = statistics.median(figures["floor"])
        first, usable = statistics.median(figures["first"]), statistics.median(figures["usable"])
        print(f"{label} (medians of {args.rounds}): first screen {first:,.0f} M ({first / floor:.2f}x), "
              f"usable {usable:,.0f} M ({usable / floor:.2f}x), floor {floor:,.0f} M")


if __name__ == "__main__":
    main(sys.argv[1:])
