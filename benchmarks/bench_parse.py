"""Parsing case lines: the project's parser beside the typed decoder it stands on.

    python benchmarks/bench_parse.py [--cases 20000] [--repeats 7]

On ``--cases`` generated JSON lines (one v1 case each), per line:

* ``json_decode_us``: ``msgspec.json.decode(line)`` to plain dicts and lists (no types);
* ``typed_decode_us``: ``msgspec.json.Decoder(Case).decode(line)``: the typed records with every
  bound, id and pattern of the table checked — the typed decoder's bare decode;
* ``parse_us``: ``core.model.decode_case(line)``: that decode plus what the types cannot say
  (text tidied, IMEI check digit, country code, dates in range and in order, known plans).

Each figure is the median of ``--repeats`` passes over all lines (after a warm-up pass), all in
this process and interleaved, so the ratios ``parse_vs_typed`` and ``parse_vs_json`` compare like
with like. Nothing here is a test.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def run(n: int = 20_000, repeats: int = 7, seed: int = 11) -> dict:
    import msgspec

    from aftersales.batch.generate import generate_cases
    from aftersales.core.model import Case, decode_case
    from aftersales.core.registry import load_registry

    plans = load_registry().coverage_plans
    lines = [json.dumps(c, ensure_ascii=False, separators=(",", ":")) for c in generate_cases(n, seed)]
    typed = msgspec.json.Decoder(Case).decode
    plain = msgspec.json.decode

    def parse(line: str) -> Case:
        return decode_case(line, coverage_plans=plans)

    stages = {"json_decode_us": plain, "typed_decode_us": typed, "parse_us": parse}
    clock = time.perf_counter
    times: dict[str, list[float]] = {k: [] for k in stages}
    for fn in stages.values():   # warm-up
        for line in lines:
            fn(line)
    for _ in range(repeats):
        for name, fn in stages.items():
            t0 = clock()
            for line in lines:
                fn(line)
            times[name].append((clock() - t0) * 1e6 / n)
    out: dict = {"cases": n, "repeats": repeats}
    out.update({k: round(statistics.median(v), 3) for k, v in times.items()})
    out["parse_vs_typed"] = round(out["parse_us"] / out["typed_decode_us"], 2)
    out["parse_vs_json"] = round(out["parse_us"] / out["json_decode_us"], 2)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=20_000)
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args()
    print(json.dumps(run(args.cases, args.repeats), indent=2))


if __name__ == "__main__":
    main()
