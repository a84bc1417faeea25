"""Python opcodes per ``evaluate()``, and where they run: a count that does not swing with the machine.

    python benchmarks/bench_opcodes.py [--cases 3000] [--traced 2000] [--top 15]

Decides ``--cases`` generated cases once (frames, verdicts and plans made), then traces the first
``--traced`` of them again with ``sys.settrace`` (``f_trace_opcodes``) and counts each opcode the
interpreter runs inside the engine, the compiled policies and what they call, per function. The count is
exact and repeats run to run; unlike ``bench_instructions.py`` it does not move with where the garbage
collector happens to run, but it weighs a cheap opcode like a dear one. Compare two versions by both.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import parsed_cases  # noqa: E402


def run(cases: int = 3000, traced: int = 2000, seed: int = 1, top: int = 15) -> dict:
    registry, _mappings, decoded = parsed_cases(cases, seed)
    evaluate = registry.engine.evaluate
    for case in decoded:  # frames, verdicts and plans made first, as in a long run
        evaluate(case)
    counts: Counter[str] = Counter()

    def trace(frame, event, arg):  # noqa: ANN001, ANN202 - the sys.settrace protocol
        frame.f_trace_opcodes = True
        if event == "opcode":
            code = frame.f_code
            counts[f"{code.co_name} {Path(code.co_filename).name}"] += 1
        return trace

    sample = decoded[:traced]
    sys.settrace(trace)
    try:
        for case in sample:
            evaluate(case)
    finally:
        sys.settrace(None)
    n = len(sample)
    return {"cases": cases, "traced": n, "seed": seed,
            "opcodes_per_evaluate": round(sum(counts.values()) / n, 1),
            "by_function": {name: round(count / n, 1) for name, count in counts.most_common(top)}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=3000)
    ap.add_argument("--traced", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--top", type=int, default=15)
    args = ap.parse_args()
    print(json.dumps(run(args.cases, args.traced, args.seed, args.top), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
