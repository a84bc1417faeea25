"""Shared helpers for the benchmarks: machine description, medians, generated cases."""

from __future__ import annotations

import os
import platform
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def machine() -> dict:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover
        cores = os.cpu_count() or 1
    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return {"cpu": cpu, "cores": cores, "memory": mem, "python": platform.python_version(),
            "implementation": platform.python_implementation(), "os": f"{platform.system()} {platform.release()}"}


#: the cases ``bench_engine.py`` decides before it times (frames, plans and date tables made);
#: ``bench_instructions.py --first-pass`` counts the cases after them
ENGINE_WARM_UP = 1000


#: the command that counts a process's instructions: ``[*VALGRIND, *argv]``; cachegrind without its
#: cache simulation, its summary (``I refs``) on stderr or in ``--log-file``
VALGRIND = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"]


def need_valgrind(bench: str) -> None:
    """Stop ``bench`` with a line saying how to install valgrind when it is missing."""
    import shutil

    if shutil.which("valgrind") is None:
        raise SystemExit(f"{bench}: valgrind is not installed (Debian: apt install valgrind)")


def counted(report: str, what: str = "") -> int:
    """The instructions valgrind's ``report`` (what it wrote to stderr or its log) counted."""
    import re

    match = re.search(r"I\s+refs:\s+([\d,]+)", report)
    if match is None:
        raise SystemExit(f"valgrind gave no instruction count{' for ' + what if what else ''}:\n{report[-2000:]}")
    return int(match.group(1).replace(",", ""))


def median(values) -> float:
    return statistics.median(values)


def parsed_cases(n: int, seed: int = 1):
    """``n`` generated cases, validated by the bundled registry: (registry, mappings, cases)."""
    from aftersales.batch.generate import generate_cases
    from aftersales.core.registry import load_registry

    reg = load_registry()
    mappings = list(generate_cases(n, seed))
    return reg, mappings, [reg.parse_case(m) for m in mappings]
