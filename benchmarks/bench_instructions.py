"""Instructions per ``evaluate()``, counted by valgrind: a figure that does not swing with the machine.

    python benchmarks/bench_instructions.py [--cases 10000] [--loops 2] [--first-pass]

Times on a shared 2-core machine swing by 1.5-2x within minutes, which hides a change worth a few per
cent. This runs the engine under ``valgrind --tool=cachegrind`` twice — once deciding the generated
cases ``--loops`` times after a warm-up pass, once with the warm-up pass only — and divides the
difference in instructions by the number of decisions (after a first run of the warm-up pass alone,
not counted, which settles the caches on disk). Compare two versions of the code with it, run one
after the other, never side by side (the count still moves by 2-3% with where the collector runs: a
smaller change needs more than one pair of runs). Needs valgrind (Debian: ``apt install valgrind``);
a run takes ~30-50 s.

``--first-pass`` counts the pass ``bench_engine.py`` times, its new cases: those after its warm-up
(``ENGINE_WARM_UP``) decided once, with the frames, plans and date tables they are the first to need
made on the way (the mean per decision: each generated case is a new purchase, as at a counter).
``bench_engine.py`` also times the warm-up's cases a second time; they are not counted here.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _common import ENGINE_WARM_UP, VALGRIND, counted, need_valgrind  # noqa: E402

_CHILD = """
import sys
sys.path.insert(0, {here!r})
from _common import parsed_cases
reg, _mappings, cases = parsed_cases({cases}, {seed})
evaluate = reg.engine.evaluate
for case in cases[:{warm}]:   # warm-up: frames, verdicts, plans
    evaluate(case)
for _ in range({loops}):
    for case in cases[{start}:]:
        evaluate(case)
"""


def count(loops: int, cases: int, seed: int, warm: int | None = None) -> int:
    """Instructions of one child process (cachegrind's ``I refs``): ``warm`` cases decided, then
    the others ``loops`` times; by default every case, then every case again ``loops`` times."""
    code = _CHILD.format(here=str(HERE), cases=cases, seed=seed, loops=loops,
                         warm=cases if warm is None else warm, start=0 if warm is None else warm)
    # run from this folder: the checkout's top folder holds an ``aftersales`` package of its own,
    # which would stand before a compiled build given on PYTHONPATH (``_common.run_compiled``)
    proc = subprocess.run([*VALGRIND, sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONHASHSEED": "0"}, cwd=HERE)
    return counted(proc.stderr)


def run(cases: int = 10_000, loops: int = 2, seed: int = 1, first_pass: bool = False) -> dict:
    need_valgrind("bench_instructions")
    # a first run settles the caches on disk (the policy and entry-point caches are written again
    # when a folder on the search path changed, the script's own included): a child that rebuilds
    # them runs tens of millions of instructions more, which the difference below would take for
    # the engine's (or take off it)
    count(0, cases, seed)
    if first_pass:  # as bench_engine.py times: after its 1,000 cases of warm-up, each case once
        warm = ENGINE_WARM_UP
        if cases <= warm:
            raise SystemExit(f"bench_instructions --first-pass: give --cases above the warm-up's {warm}")
        base = count(0, cases, seed, warm)
        total = count(1, cases, seed, warm)
        return {"cases": cases, "seed": seed, "first_pass": True,
                "instructions_per_evaluate": round((total - base) / (cases - warm))}
    base = count(0, cases, seed)
    total = count(loops, cases, seed)
    return {"cases": cases, "loops": loops, "seed": seed,
            "instructions_per_evaluate": round((total - base) / (cases * loops))}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=10_000)
    ap.add_argument("--loops", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--first-pass", action="store_true",
                    help="count the pass bench_engine.py times (each case once, after 1,000 of warm-up)")
    args = ap.parse_args()
    print(json.dumps(run(args.cases, args.loops, args.seed, args.first_pass), indent=2))


if __name__ == "__main__":
    main()
