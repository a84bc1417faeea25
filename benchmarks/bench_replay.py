"""Replay end to end: JSONL in, JSONL out, through ``aftersales replay`` as a user runs it.

    python benchmarks/bench_replay.py [--cases 1000000] [--workers 2] [--keep DIR]

Generates the cases (``python -m aftersales.cli.generate``), then runs the replay twice — on a
tenth of the cases and on all of them — sampling the resident memory of the whole process tree
(main process + workers, from /proc) every 0.1 s. Flat memory means the peak of the full run is
about the peak of the small one.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import PYTHON  # noqa: E402

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


def run(n: int = 1_000_000, workers: int = 2, keep: str | None = None) -> dict:
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
    small_run = run_measured(cmd + [str(small)])
    big_run = run_measured(cmd + [str(big)])
    result = {
        "cases": n, "workers": workers, "input_mib": big.stat().st_size / 2**20,
        "output_mib": out.stat().st_size / 2**20 if out.exists() else None,
        "generate_seconds": gen_s,
        "seconds": big_run["seconds"], "cases_per_second": n / big_run["seconds"],
        "peak_rss_mib": big_run["peak_rss_mib"], "returncode": big_run["returncode"],
        "small_cases": small_n, "small_seconds": small_run["seconds"], "small_peak_rss_mib": small_run["peak_rss_mib"],
        "command": " ".join(["aftersales", "replay", str(big.name), "--workers", str(workers), "--quiet", "--out", out.name]),
        "summary": big_run["stderr_tail"],
    }
    if not keep:
        for p in (big, small, out):
            p.unlink(missing_ok=True)
        folder.rmdir()
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--keep", help="keep the generated files in this folder (and reuse them)")
    args = ap.parse_args()
    print(json.dumps(run(args.cases, args.workers, args.keep), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
