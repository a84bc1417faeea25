"""Start-up: wall time of whole commands, as a user waits for them (median of N runs).

    python benchmarks/bench_startup.py [--runs 20]

* ``aftersales --help`` against ``python -c "import click"`` (target <= 1.5x)
* ``aftersales evaluate CASE --json`` against ``python -c "import click, yaml, pluggy"`` (target <= 3x)
* loading and validating all bundled policies (``load_registry()`` in a fresh process, timed
  inside it so interpreter start-up is excluded; target <= 50 ms), with and without the
  validated-policy cache when the cache module exists, and with an empty cache (the first run
  on a fresh machine: everything checked, compiled and written to the cache).

Python's own bytecode cache matters as much: with ``PYTHONDONTWRITEBYTECODE`` set (and no
``__pycache__`` beside the sources, as in a fresh checkout) every run compiles the project's
modules from source, while the floors' modules (click, yaml, pluggy) were compiled when pip
installed them. The result says whether it was on (``bytecode_cache``); when it was off, the
commands and policy loading are measured a second time as an installed copy runs (``bytecode_*``:
the project's bytecode cached in a temporary ``PYTHONPYCACHEPREFIX``, so nothing is written
beside the sources): the like-for-like comparison with the floors.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import PYTHON, ROOT, VALGRIND, counted, median  # noqa: E402

AFTERSALES = str(Path(PYTHON).with_name("aftersales"))
CASE = ROOT / "tests" / "scenarios" / "huawei-day10-onsite.yaml"

# json is imported after the clock stops: whatever loading needs is counted, nothing else
LOAD_SNIPPET = """
import time
t0 = time.perf_counter()
from aftersales.core.registry import load_registry
reg = load_registry()
t1 = time.perf_counter()
import json
print(json.dumps({"ms": (t1 - t0) * 1000, "policies": len(reg.all_policies())}))
"""


def wall(cmd: list[str], runs: int, env: dict | None = None) -> float:
    times = []
    for i in range(runs + 1):
        t0 = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=env)
        if i:  # the first run warms the OS file cache
            times.append(time.perf_counter() - t0)
    return median(times) * 1000


def load_ms(runs: int, env: dict | None = None, *, fresh_cache: bool = False) -> float:
    """Median in-process time of ``load_registry()``; ``fresh_cache``: an empty cache folder each run."""
    times = []
    for i in range(runs + 1):
        run_env = env
        with tempfile.TemporaryDirectory() as tmp:
            if fresh_cache:
                run_env = dict(env or os.environ, AFTERSALES_POLICY_CACHE=str(Path(tmp) / "cache"))
            out = subprocess.run([PYTHON, "-c", LOAD_SNIPPET], capture_output=True, text=True, env=run_env, check=True)
        if i:  # the first run warms the OS file cache (and the policy cache, when there is one)
            times.append(json.loads(out.stdout.strip().splitlines()[-1])["ms"])
    return median(times)


def bytecode_cache_on(env: dict) -> bool:
    return not env.get("PYTHONDONTWRITEBYTECODE")


def run(runs: int = 20) -> dict:
    env = dict(os.environ)
    click_ms = wall([PYTHON, "-c", "import click"], runs)
    help_ms = wall([AFTERSALES, "--help"], runs)
    trio_ms = wall([PYTHON, "-c", "import click, yaml, pluggy"], runs)
    eval_ms = wall([AFTERSALES, "evaluate", str(CASE), "--json"], runs)
    result = {
        "runs": runs,
        "python_import_click_ms": click_ms, "help_ms": help_ms, "help_ratio": help_ms / click_ms,
        "python_import_click_yaml_pluggy_ms": trio_ms, "evaluate_ms": eval_ms, "evaluate_ratio": eval_ms / trio_ms,
        "load_policies_ms": load_ms(runs, env),
    }
    try:
        import aftersales.core.policycache as pc  # noqa: F401
    except ImportError:
        pc = None
    if pc is not None:
        cold = dict(env, AFTERSALES_POLICY_CACHE="off")
        result["load_policies_nocache_ms"] = load_ms(runs, cold)
        result["load_policies_empty_cache_ms"] = load_ms(runs, env, fresh_cache=True)
        result["evaluate_nocache_ms"] = wall([AFTERSALES, "evaluate", str(CASE), "--json"], runs, cold)
    result["bytecode_cache"] = bytecode_cache_on(env)
    if not result["bytecode_cache"]:
        # the floors' modules (click, yaml, pluggy in site-packages) were compiled when they were
        # installed; the project's, in an editable checkout, are compiled by every run above. Like
        # for like: the same commands with the project's bytecode cached too, as an installed
        # copy runs (pip compiles it when it installs), in a temporary folder
        with tempfile.TemporaryDirectory() as prefix:
            installed = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
            installed["PYTHONPYCACHEPREFIX"] = prefix
            click_b = wall([PYTHON, "-c", "import click"], runs, installed)
            help_b = wall([AFTERSALES, "--help"], runs, installed)
            trio_b = wall([PYTHON, "-c", "import click, yaml, pluggy"], runs, installed)
            eval_b = wall([AFTERSALES, "evaluate", str(CASE), "--json"], runs, installed)
            result.update({
                "bytecode_import_click_ms": click_b, "bytecode_help_ms": help_b, "bytecode_help_ratio": help_b / click_b,
                "bytecode_import_click_yaml_pluggy_ms": trio_b, "bytecode_evaluate_ms": eval_b,
                "bytecode_evaluate_ratio": eval_b / trio_b,
            })
            result["load_policies_bytecode_ms"] = load_ms(runs, installed)
            if pc is not None:
                result["load_policies_nocache_bytecode_ms"] = load_ms(runs, dict(installed, AFTERSALES_POLICY_CACHE="off"))
    return result


def instructions() -> dict | None:
    """The start-up ratios counted in instructions (valgrind, one run each after a warm-up run), the
    project's bytecode cached as an installed copy runs: a figure that does not swing with the
    machine, where the wall ratios above move by 10–30% from run to run. None without valgrind."""
    import shutil

    if shutil.which("valgrind") is None:
        return None
    with tempfile.TemporaryDirectory() as prefix:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(PYTHONPYCACHEPREFIX=prefix, PYTHONHASHSEED="0")

        def count(cmd: list[str]) -> int:
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
            proc = subprocess.run([*VALGRIND, *cmd], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                  env=env, check=False)
            return counted(proc.stderr, str(cmd))

        click_i = count([PYTHON, "-c", "import click"])
        help_i = count([AFTERSALES, "--help"])
        trio_i = count([PYTHON, "-c", "import click, yaml, pluggy"])
        eval_i = count([AFTERSALES, "evaluate", str(CASE), "--json"])
    return {"import_click": click_i, "help": help_i, "help_ratio": help_i / click_i,
            "import_click_yaml_pluggy": trio_i, "evaluate": eval_i, "evaluate_ratio": eval_i / trio_i}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--instructions", action="store_true", help="also count the ratios in instructions (valgrind)")
    args = ap.parse_args()
    result = run(args.runs)
    if args.instructions:
        result["instructions"] = instructions()
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
