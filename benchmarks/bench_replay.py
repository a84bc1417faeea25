"""Replay end to end: JSONL in, JSONL out, through ``aftersales replay`` as a user runs it.

    python benchmarks/bench_replay.py [--cases 1000000] [--workers 2] [--runs 3] [--stages 20000] [--keep DIR] [--compiled]

Generates the cases (``python -m aftersales.cli.generate``), then runs the replay on a tenth of
the cases and ``--runs`` times on all of them (the median is reported), sampling the resident
memory of the whole process tree (main process + workers, from /proc) every 0.1 s. Flat memory
means the peak of the full run is about the peak of the small one.

``--stages N`` also times, in this process, what a worker does per case, stage by stage, on N
generated cases cut into the blocks a replay uses: splitting a block into lines (bytes) and joining
the output (``split_join``), decoding and validating the line (``decode_case``: JSON straight into
the typed case), the engine's ``evaluate`` and encoding the
compact line — the worker's loop for good lines with a clock read between the stages (best of
``--stage-repeats`` passes after a warm-up pass) — and the worker's real loop
(``replay._replay_lines``) untouched, as ``worker_total``. The load average is recorded: the
figures only mean something on an otherwise idle machine.

``--compiled`` runs it all on the package as a wheel builds it (the engine compiled by mypyc, see
setup.py) instead of this install's; ``engine_build`` says which was measured.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import PYTHON, run_compiled  # noqa: E402

AFTERSALES = str(Path(PYTHON).with_name("aftersales"))


def _children(pid: int) -> list[int]:
    out = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            text = (task / "children").read_text().split()
            out.extend(int(x) for x in text)
    except OSError:
        pass
    return out


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_kib(pid: int) -> int:
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        total += _rss_kib(p)
        stack.extend(_children(p))
    return total


def run_measured(cmd: list[str]) -> dict:
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    samples = []
    while proc.poll() is None:
        rss = tree_rss_kib(proc.pid)
        peak = max(peak, rss)
        samples.append(rss)
        time.sleep(0.1)
    wall = time.perf_counter() - t0
    err = proc.stderr.read().decode("utf-8", "replace")
    return {"seconds": wall, "peak_rss_mib": peak / 1024, "returncode": proc.returncode, "stderr_tail": err[-3000:],
            "rss_mid_mib": (samples[len(samples) // 2] / 1024) if samples else None}


def generate(n: int, path: Path, seed: int = 7) -> float:
    t0 = time.perf_counter()
    subprocess.run([PYTHON, "-m", "aftersales.cli.generate", str(n), "--seed", str(seed), "--out", str(path)], check=True)
    return time.perf_counter() - t0


def run(n: int = 1_000_000, workers: int = 2, keep: str | None = None, runs: int = 1) -> dict:
    from aftersales.cli.plugins import engine_build  # as `aftersales plugins list` says it

    folder = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="aftersales-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    small_n = max(n // 10, 1)
    big, small, out = folder / f"cases-{n}.jsonl", folder / f"cases-{small_n}.jsonl", folder / "decisions.jsonl"
    gen_s = generate(n, big) if not big.exists() else None
    with open(big, "rb") as src, open(small, "wb") as dst:
        for i, line in enumerate(src):
            if i >= small_n:
                break
            dst.write(line)
    cmd = [AFTERSALES, "replay", "--workers", str(workers), "--quiet", "--out", str(out)]
    load_before = os.getloadavg()[0]
    small_run = run_measured(cmd + [str(small)])
    # an impact preview decides every case twice (the bundled policies on both sides: nothing changes)
    import aftersales.policies

    policies = os.path.dirname(aftersales.policies.__file__)
    diff_run = run_measured([AFTERSALES, "policy", "diff", "--old", policies, "--new", policies, "--cases", str(small),
                             "--workers", str(workers)])
    big_runs = [run_measured(cmd + [str(big)]) for _ in range(max(runs, 1))]
    big_run = sorted(big_runs, key=lambda r: r["seconds"])[len(big_runs) // 2]     # the median run
    result = {
        "engine_build": engine_build(), "cases": n, "workers": workers, "input_mib": big.stat().st_size / 2**20,
        "output_mib": out.stat().st_size / 2**20 if out.exists() else None,
        "generate_seconds": gen_s,
        "seconds": big_run["seconds"], "cases_per_second": n / big_run["seconds"],
        "runs": len(big_runs), "cases_per_second_each": [round(n / r["seconds"]) for r in big_runs],
        "peak_rss_mib": max(r["peak_rss_mib"] for r in big_runs), "returncode": big_run["returncode"],
        "small_cases": small_n, "small_seconds": small_run["seconds"], "small_peak_rss_mib": small_run["peak_rss_mib"],
        "diff_seconds": diff_run["seconds"], "diff_returncode": diff_run["returncode"],
        "load_average_before": load_before, "load_average_after": os.getloadavg()[0],
        "command": " ".join(["aftersales", "replay", str(big.name), "--workers", str(workers), "--quiet", "--out", out.name]),
        "summary": big_run["stderr_tail"],
    }
    if not keep:
        for p in (big, small, out):
            p.unlink(missing_ok=True)
        folder.rmdir()
    return result


def stages(n: int = 20_000, seed: int = 7, repeats: int = 5) -> dict:
    """Per-case time of each stage of a replay worker, in µs (see the module docstring)."""
    from aftersales.batch import replay as rp
    from aftersales.batch.compact import compact_line
    from aftersales.batch.generate import generate_cases
    from aftersales.core.model import decode_case

    folder = Path(tempfile.mkdtemp(prefix="aftersales-stages-"))
    path = folder / "cases.jsonl"
    try:
        with open(path, "w", encoding="utf-8") as fh:
            for case in generate_cases(n, seed):
                fh.write(json.dumps(case, ensure_ascii=False, separators=(",", ":")) + "\n")
        rp.setup_worker("replay", {"format": "compact"})
        gc.freeze()                                   # as a worker does after loading
        _parse_case, plans, _brands, _registry_parse, evaluate, _compact, _full = rp._tools()

        def parse(line: bytes):                       # as the worker does for a brand it serves
            return decode_case(line, coverage_plans=plans)

        fd = os.open(path, os.O_RDONLY)
        raws = [os.pread(fd, b[3], b[2]) for b in rp.jsonl_blocks(str(path))]
        os.close(fd)
        clock = time.perf_counter

        def instrumented() -> list[float]:
            """The worker's loop for good lines, with a clock between the stages."""
            split = parse_s = evaluate_s = encode = 0.0
            for raw in raws:
                t0 = clock()
                lines = raw.split(b"\n")
                lines.pop()
                split += clock() - t0
                out = []
                for lineno, line in enumerate(lines, 1):
                    t1 = clock()
                    case = parse(line)
                    t2 = clock()
                    decision = evaluate(case)
                    t3 = clock()
                    out.append(compact_line(decision, lineno)[0])
                    t4 = clock()
                    parse_s += t2 - t1
                    evaluate_s += t3 - t2
                    encode += t4 - t3
                t0 = clock()
                out.append(b"")
                b"\n".join(out)
                split += clock() - t0
            return [split, parse_s, evaluate_s, encode]

        def whole() -> float:
            t0 = clock()
            for raw in raws:
                rp._replay_lines(raw, 1)
            return clock() - t0

        whole()                                       # warm the engine's and the parser's tables
        runs = [instrumented() for _ in range(repeats)]
        best = min(runs, key=sum)
        total = min(whole() for _ in range(repeats))
        names = ("split_join_us", "parse_case_us", "evaluate_us", "encode_us")
        out = {"cases": n, "blocks": len(raws), **{k: v * 1e6 / n for k, v in zip(names, best, strict=True)},
               "worker_total_us": total * 1e6 / n, "load_average": os.getloadavg()[0]}
        out["outside_engine_us"] = out["worker_total_us"] - out["evaluate_us"]
        return {k: round(v, 2) if isinstance(v, float) else v for k, v in out.items()}
    finally:
        path.unlink(missing_ok=True)
        folder.rmdir()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--runs", type=int, default=1, help="replays of the full file (the median is reported)")
    ap.add_argument("--stages", type=int, default=0, metavar="N", help="also time a worker's stages on N cases")
    ap.add_argument("--stage-repeats", type=int, default=5)
    ap.add_argument("--keep", help="keep the generated files in this folder (and reuse them)")
    ap.add_argument("--compiled", action="store_true", help="measure the package as a wheel builds it (mypyc)")
    args = ap.parse_args()
    if args.compiled:
        argv = [a for a in sys.argv[1:] if a != "--compiled"]
        print(json.dumps(run_compiled("bench_replay.py", *argv), indent=2, ensure_ascii=False))
        return
    result: dict = {}
    if args.stages:
        result["stages"] = stages(args.stages, repeats=args.stage_repeats)
    if args.cases:
        result.update(run(args.cases, args.workers, args.keep, args.runs))
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
