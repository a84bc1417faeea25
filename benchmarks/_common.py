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


def compiled_tree() -> Path:
    """The package as a wheel of this checkout holds it (the engine compiled by mypyc), unpacked in
    a temporary folder that stands before the editable install on ``PYTHONPATH`` (see
    ``run_compiled``). Built with ``python -m build`` from the test extra's tools."""
    import subprocess
    import tempfile
    import zipfile

    out = Path(tempfile.mkdtemp(prefix="aftersales-compiled-"))
    build = subprocess.run([PYTHON, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out / "dist"), str(ROOT)],
                           capture_output=True, text=True)
    if build.returncode != 0:
        raise SystemExit(f"building the compiled wheel failed:\n{(build.stdout + build.stderr)[-3000:]}")
    wheel = next((out / "dist").glob("aftersales-*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(out / "tree")
    return out / "tree"


def run_compiled(script: str, *args: str, tree: Path | None = None) -> dict:
    """``script`` (a benchmark of this folder, printing its JSON) run with the compiled build
    (``compiled_tree``, made when ``tree`` is not given); its JSON."""
    import json
    import subprocess

    tree = tree or compiled_tree()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(tree), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([PYTHON, str(Path(__file__).with_name(script)), *args], env=env, capture_output=True,
                          text=True)
    if done.returncode != 0:
        raise SystemExit(f"{script} on the compiled build failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout)
