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


def median(values) -> float:
    return statistics.median(values)


def parsed_cases(n: int, seed: int = 1):
    """``n`` generated cases, validated by the bundled registry: (registry, mappings, cases)."""
    from aftersales.batch.generate import generate_cases
    from aftersales.core.registry import load_registry

    reg = load_registry()
    mappings = list(generate_cases(n, seed))
    return reg, mappings, [reg.parse_case(m) for m in mappings]
