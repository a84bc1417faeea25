"""Run every benchmark and write ``docs/performance.md`` from this one run.

    python benchmarks/run_all.py [--quick] [--out docs/performance.md] [--json results.json]

``--quick`` uses 100,000 replay cases instead of 1,000,000 and fewer start-up runs (a smoke
run; the document then says so). Nothing here is a test: no figure fails a build.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_engine  # noqa: E402
import bench_instructions  # noqa: E402
import bench_opcodes  # noqa: E402
import bench_parse  # noqa: E402
import bench_replay  # noqa: E402
import bench_startup  # noqa: E402
from _common import ROOT, compiled_tree, machine, run_compiled  # noqa: E402


def verdict(value: float | None, target: float, *, lower_is_better: bool = True) -> str:
    if value is None:
        return "not measured"
    if lower_is_better:
        if value <= target:
            return "met"
        over = value / target
        return f"**missed** by {over:.2f}x" if over < 1.1 else f"**missed** by {over:.1f}x"
    if value >= target:
        return "met"
    return f"**missed**: {value / target:.0%} of target ({target / value:.1f}x short)"


def render(m: dict, eng: dict, rep: dict, st: dict, quick: bool, started: str, total_s: float,
           parse: dict | None = None, eng_src: dict | None = None, rep_src: dict | None = None) -> str:
    """The document. ``eng`` and ``rep``: the engine and the replay as a wheel builds them (the
    engine compiled), judged by the targets; ``eng_src``, ``rep_src``: the same on the source as an
    editable install runs it, beside them."""
    L: list[str] = []
    w = L.append
    w("# Performance")
    w("")
    w("Figures from one run of `python benchmarks/run_all.py`" + (" --quick" if quick else "") + f", {started} UTC "
      f"({total_s:.0f} s in all). Benchmarks measure; no test is timed. Figures vary between runs on a "
      "2-core machine; read each one beside its baseline from the same run (the plain-Python floor, "
      "`import click`, `import click, yaml, pluggy`).")
    w("")
    w("## Machine")
    w("")
    w(f"- CPU: {m['cpu']}, {m['cores']} cores available" + (f", {m['memory']} memory" if m['memory'] else ""))
    w(f"- Python {m['python']} ({m['implementation']}), {m['os']}")
    if eng.get("zen_version"):
        w(f"- zen-engine {eng['zen_version']} (optional `bench` extra)")
    w("")
    w("## Summary")
    w("")
    w("| measure | median | compared with | ratio | target | verdict |")
    w("| --- | ---: | --- | ---: | --- | --- |")
    w(f"| engine `evaluate()`, trace on, {eng['cases']:,} generated cases, {_build(eng)}{_each(eng)} | {eng['engine_us']:.1f} µs/case | plain-Python statutory floor {eng['floor_us']:.2f} µs | {eng['engine_vs_floor']:.0f}x | ≤ 10 µs | {verdict(eng['engine_us'], 10)} |")
    if eng_src:
        w(f"| … the same, {_build(eng_src)}{_each(eng_src)} | {eng_src['engine_us']:.1f} µs/case | the floor in that run {eng_src['floor_us']:.2f} µs | {eng_src['engine_vs_floor']:.0f}x | (reference) | – |")
    if eng.get("zen_us") is not None:
        faster = "met" if eng["engine_us"] < eng["zen_us"] else f"**missed**: {eng['engine_vs_zen']:.2f}x zen's time"
        w(f"| engine vs zen-engine (JDM table of the statutory windows/periods) | {eng['engine_us']:.1f} µs | zen-engine {eng['zen_us']:.1f} µs | {eng['engine_vs_zen']:.2f}x | faster than zen | {faster} |")
    else:
        w(f"| engine vs zen-engine | – | {eng.get('zen_note', '')} | – | faster than zen | not measured |")
    if parse:
        w(f"| parse a case line (`decode_case`), {parse['cases']:,} generated lines | {parse['parse_us']:.1f} µs/line | msgspec typed decode of the same lines {parse['typed_decode_us']:.1f} µs (untyped {parse['json_decode_us']:.1f} µs) | {parse['parse_vs_typed']:.2f}x | ≤ 1.5x | {verdict(parse['parse_vs_typed'], 1.5)} |")
    each = rep.get("cases_per_second_each") or []
    runs = f" (median of {len(each)} runs: {', '.join(f'{r:,}' for r in each)})" if len(each) > 1 else ""
    w(f"| replay end to end, {rep['cases']:,} cases, {rep['workers']} workers, {_build(rep)}{runs} | {rep['cases_per_second']:,.0f} cases/s ({rep['seconds']:.1f} s) | – | – | ≥ 60,000 cases/s | {verdict(rep['cases_per_second'], 60000, lower_is_better=False)} |")
    if rep_src:
        each = rep_src.get("cases_per_second_each") or []
        runs = f" (median of {len(each)} runs: {', '.join(f'{r:,}' for r in each)})" if len(each) > 1 else ""
        w(f"| … the same, {_build(rep_src)}{runs} | {rep_src['cases_per_second']:,.0f} cases/s ({rep_src['seconds']:.1f} s) | – | – | (reference) | – |")
    flat = rep["peak_rss_mib"] / rep["small_peak_rss_mib"] if rep["small_peak_rss_mib"] else None
    w(f"| replay peak memory (whole process tree) | {rep['peak_rss_mib']:.0f} MiB at {rep['cases']:,} cases | {rep['small_peak_rss_mib']:.0f} MiB at {rep['small_cases']:,} cases | {flat:.2f}x | flat | {'met' if flat is not None and flat < 1.25 else '**missed**'} |")
    if rep.get("diff_seconds") and rep.get("diff_returncode") == 0:
        diff_rate, small_rate = rep["small_cases"] / rep["diff_seconds"], rep["small_cases"] / rep["small_seconds"]
        w(f"| `policy diff`, {rep['small_cases']:,} cases decided twice, {rep['workers']} workers | {diff_rate:,.0f} cases/s "
          f"({rep['diff_seconds']:.1f} s) | replay of the same cases {small_rate:,.0f} cases/s | {diff_rate / small_rate:.2f}x | "
          "(no target) | – |")
    ins = st.get("instructions")
    if ins:  # what the limits are judged by: a count does not swing with the machine as wall time does
        w(f"| `aftersales --help`, counted in instructions (valgrind, bytecode cached) | {ins['help'] / 1e6:,.0f} M | "
          f"`python -c \"import click\"` {ins['import_click'] / 1e6:,.0f} M | {ins['help_ratio']:.3f}x | ≤ 1.10x | "
          f"{verdict(ins['help_ratio'], 1.10)} |")
        w(f"| `aftersales evaluate CASE --json`, counted in instructions | {ins['evaluate'] / 1e6:,.0f} M | "
          f"`python -c \"import click, yaml, pluggy\"` {ins['import_click_yaml_pluggy'] / 1e6:,.0f} M | "
          f"{ins['evaluate_ratio']:.3f}x | ≤ 1.90x | {verdict(ins['evaluate_ratio'], 1.90)} |")
    if "bytecode_help_ratio" in st:  # like for like: the project's bytecode cached, as the floors' is
        # in wall time (judged here only when valgrind could not count)
        judged = (lambda ratio, limit: "(see the count)") if ins else verdict
        w(f"| `aftersales --help`, as an installed copy runs (bytecode cached), wall time | {st['bytecode_help_ms']:.0f} ms | `python -c \"import click\"` {st['bytecode_import_click_ms']:.0f} ms | {st['bytecode_help_ratio']:.2f}x | ≤ 1.10x | {judged(st['bytecode_help_ratio'], 1.10)} |")
        w(f"| `aftersales evaluate CASE --json`, as an installed copy runs, wall time | {st['bytecode_evaluate_ms']:.0f} ms | `python -c \"import click, yaml, pluggy\"` {st['bytecode_import_click_yaml_pluggy_ms']:.0f} ms | {st['bytecode_evaluate_ratio']:.2f}x | ≤ 1.90x | {judged(st['bytecode_evaluate_ratio'], 1.90)} |")
        w(f"| `aftersales --help`, compiling the project from source every run | {st['help_ms']:.0f} ms | `python -c \"import click\"` {st['python_import_click_ms']:.0f} ms | {st['help_ratio']:.2f}x | (reference) | – |")
        w(f"| `aftersales evaluate CASE --json`, compiling from source every run | {st['evaluate_ms']:.0f} ms | `python -c \"import click, yaml, pluggy\"` {st['python_import_click_yaml_pluggy_ms']:.0f} ms | {st['evaluate_ratio']:.2f}x | (reference) | – |")
    else:
        w(f"| `aftersales --help` | {st['help_ms']:.0f} ms | `python -c \"import click\"` {st['python_import_click_ms']:.0f} ms | {st['help_ratio']:.2f}x | ≤ 1.10x | {verdict(st['help_ratio'], 1.10)} |")
        w(f"| `aftersales evaluate CASE --json` | {st['evaluate_ms']:.0f} ms | `python -c \"import click, yaml, pluggy\"` {st['python_import_click_yaml_pluggy_ms']:.0f} ms | {st['evaluate_ratio']:.2f}x | ≤ 1.90x | {verdict(st['evaluate_ratio'], 1.90)} |")
    w(f"| load + validate all bundled policies (in-process) | {st['load_policies_ms']:.1f} ms | – | – | ≤ 50 ms | {verdict(st['load_policies_ms'], 50)} |")
    if "load_policies_nocache_ms" in st:
        w(f"| … without the validated-policy cache | {st['load_policies_nocache_ms']:.1f} ms | – | – | (reference) | – |")
    if "load_policies_bytecode_ms" in st:
        w(f"| … with Python's bytecode cache, as an installed copy runs | {st['load_policies_bytecode_ms']:.1f} ms | – | – | ≤ 50 ms | {verdict(st['load_policies_bytecode_ms'], 50)} |")
    w("")
    w("## Commands")
    w("")
    w("```sh")
    w("pip install -e '.[bench]'                       # zen-engine, optional")
    w("python benchmarks/run_all.py                    # everything below, writes this file")
    w(f"python benchmarks/bench_engine.py --cases {eng['cases']} --seed {eng['seed']} [--compiled]")
    w("python benchmarks/bench_parse.py --cases 20000")
    w(f"python benchmarks/bench_replay.py --cases {rep['cases']} --workers {rep['workers']} [--compiled]")
    w(f"python benchmarks/bench_startup.py --runs {st['runs']} --instructions")
    w("python benchmarks/bench_instructions.py         # instructions per evaluate(), under valgrind")
    w("python benchmarks/bench_opcodes.py              # Python opcodes per evaluate(), by function (traced)")
    w("```")
    w("")
    w("## Engine")
    w("")
    w(f"{eng['cases']:,} cases from `aftersales cases generate` (seed {eng['seed']}), validated first; every case is "
      "timed on its own (`perf_counter_ns` around one call) after a warm-up pass over 1,000 of them; the table gives "
      f"medians (engine mean: {eng['engine_mean_us']:.1f} µs). The trace is always on: each decision carries its "
      f"trace (on average {eng['trace_entries_per_case']:.0f} entries per case).")
    w("")
    w("- **floor**: `statutory_floor(case)` in `benchmarks/bench_engine.py`, a hand-written function of the statutory "
      "windows and periods (7-day return, 15-day exchange, 12-month repair, accessory periods, damage exclusions, the "
      "invoice): what a programmer would write for this one regulation, with no trace, no brand policies and no "
      "explanation.")
    if eng.get("zen_us") is not None:
        w(f"- **zen-engine**: one JDM decision table (hit policy *first*) of the same statutory windows and periods, "
          f"fed a prepared input dict per case (building the dict is *not* timed, in zen's favour); its answer matches "
          f"the floor's on {eng['zen_agreement_with_floor']:.0%} of the cases (months approximated in days).")
    w("- **engine**: the full decision — region identification, offers of every applicable policy (statutory + "
      "brand + plans), exclusions, notices, documents, exchange rule, coverage, trace and policy versions.")
    w("- **compiled / interpreted**: a wheel (`pip install .`) carries the engine (`core/engine.py`, `core/offers.py`) compiled by mypyc from the "
      "same source (setup.py); an editable install runs the source. The policies' conditions and time limits are "
      "Python made when the policies load, interpreted in both. The compiled build decides byte for byte as the "
      "source does (tests/test_packaging.py replays 20,000 cases with the trace on both).")
    src = eng_src or {}
    if eng.get("instructions_per_evaluate"):
        w(f"- **instructions**: {eng['instructions_per_evaluate']:,} per `evaluate()` compiled"
          + (f", {src['instructions_per_evaluate']:,} interpreted" if src.get("instructions_per_evaluate") else "")
          + ", on the same cases, counted by valgrind (`bench_instructions.py`): a figure that does not swing with "
          "the machine's speed, for comparing two versions of the code.")
    if eng.get("opcodes_per_evaluate"):
        w(f"- **opcodes**: {eng['opcodes_per_evaluate']:,} Python opcodes per `evaluate()` left to the interpreter "
          "by the compiled engine (the policies' conditions and time limits)"
          + (f", {src['opcodes_per_evaluate']:,} with the engine interpreted" if src.get("opcodes_per_evaluate") else "")
          + " (`bench_opcodes.py`, traced): exact and repeatable, for comparing two versions of the code.")
    w("")
    w("## Replay")
    w("")
    w(f"`{rep['command']}` on {rep['cases']:,} generated cases ({rep['input_mib']:.0f} MiB in"
      + (f", {rep['output_mib']:.0f} MiB of compact decisions out" if rep.get("output_mib") else "") + "). "
      "Peak memory is the resident set of the main process and its workers together, sampled every 0.1 s; the "
      f"same command on the first {rep['small_cases']:,} cases peaked at {rep['small_peak_rss_mib']:.0f} MiB.")
    if rep.get("generate_seconds"):
        w(f"Generating the {rep['cases']:,} cases took {rep['generate_seconds']:.1f} s.")
    w("")
    w("```")
    summary = rep["summary"]
    w(summary[summary.find("replayed"):].strip() if "replayed" in summary else summary.strip())
    w("```")
    w("")
    w("## Start-up")
    w("")
    w(f"Median wall time of {st['runs']} runs each (one extra warm-up run first), commands run as a user runs them. "
      f"`CASE` is `tests/scenarios/huawei-day10-onsite.yaml`. Policy loading is timed inside a fresh interpreter "
      "(`load_registry()`: entry points, plugins, reading, schema validation and compiling all bundled policies).")
    if "bytecode_cache" in st:
        w("")
        w("Python's bytecode cache (`__pycache__`) was " + ("on, as for an installed copy." if st["bytecode_cache"] else
          "off in this environment (`PYTHONDONTWRITEBYTECODE`): in an editable checkout every process then "
          "compiles the project's modules from source, while the floors' modules (click, yaml, pluggy) were "
          "compiled when pip installed them. The rows \"as an installed copy runs\" time the same commands with "
          "the project's bytecode cached as well (in a temporary `PYTHONPYCACHEPREFIX`; pip compiles an installed "
          "copy the same way): those are compared with the targets; the \"from source\" rows are for reference."))
    w("")
    notes = NOTES_PATH.read_text(encoding="utf-8") if NOTES_PATH.exists() else ""
    if notes:
        w(notes.strip())
        w("")
    return "\n".join(L) + "\n"


NOTES_PATH = Path(__file__).resolve().parent / "NOTES.md"


def _median_run(runs: list[dict]) -> dict:
    """The run with the median engine time, with every run's engine and floor times beside it."""
    middle = dict(sorted(runs, key=lambda r: r["engine_us"])[len(runs) // 2])
    middle["engine_us_each"] = [r["engine_us"] for r in runs]
    middle["floor_us_each"] = [r["floor_us"] for r in runs]
    return middle


def _each(figures: dict) -> str:
    """The engine times of every run, when there were several (``_median_run``)."""
    each = figures.get("engine_us_each") or []
    return f" (median of {len(each)} runs in turn: {', '.join(f'{t:.1f}' for t in each)} µs)" if len(each) > 1 else ""


def _build(figures: dict) -> str:
    """How the engine measured was built, as the tables say it."""
    return {"compiled": "engine compiled (a wheel: `pip install .`)",
            "wheel": "engine interpreted (a wheel built with `AFTERSALES_COMPILE=0`)",
            "editable": "engine interpreted (an editable install: `pip install -e .`)"}.get(
        figures.get("engine_build", ""), "engine build unknown")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", default=str(ROOT / "docs" / "performance.md"))
    ap.add_argument("--json", help="also write the raw figures here")
    ap.add_argument("--replay-cases", type=int, default=None)
    args = ap.parse_args()
    t0 = time.perf_counter()
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
    m = machine()
    print("building the wheel's compiled engine ...", file=sys.stderr)
    tree = compiled_tree()
    print("engine ...", file=sys.stderr)
    # the wheel's engine and the source's in turn, three times each (a run swings by ±15% with what
    # else the machine does): the run with the median engine time of each is reported, with all three
    compiled_runs, source_runs = [], []
    for _ in range(3):
        compiled_runs.append(run_compiled("bench_engine.py", "--cases", "10000", "--seed", "1", tree=tree))
        source_runs.append(bench_engine.run(10_000, 1))
    eng, eng_src = _median_run(compiled_runs), _median_run(source_runs)
    try:
        eng["instructions_per_evaluate"] = run_compiled("bench_instructions.py", "--cases", "10000", "--loops", "2",
                                                        tree=tree)["instructions_per_evaluate"]
        eng_src["instructions_per_evaluate"] = bench_instructions.run(10_000, 2, 1)["instructions_per_evaluate"]
    except (subprocess.CalledProcessError, SystemExit) as exc:   # no valgrind here, or it failed
        print(f"instructions: not counted ({exc})", file=sys.stderr)
    # the interpreter's opcodes: what the compiled engine leaves interpreted (the policies' conditions)
    eng["opcodes_per_evaluate"] = run_compiled("bench_opcodes.py", tree=tree)["opcodes_per_evaluate"]
    eng_src["opcodes_per_evaluate"] = bench_opcodes.run()["opcodes_per_evaluate"]
    print(json.dumps(eng), json.dumps(eng_src), file=sys.stderr)
    print("parse ...", file=sys.stderr)
    parse = bench_parse.run(20_000, 7)
    print(json.dumps(parse), file=sys.stderr)
    print("start-up ...", file=sys.stderr)
    st = bench_startup.run(5 if args.quick else 20)
    st["instructions"] = bench_startup.instructions()
    print(json.dumps(st), file=sys.stderr)
    n = args.replay_cases or (100_000 if args.quick else 1_000_000)
    print(f"replay {n:,} ...", file=sys.stderr)
    runs = "1" if args.quick else "3"   # the median of three: one run swings by ±10%
    rep = run_compiled("bench_replay.py", "--cases", str(n), "--workers", "2", "--runs", runs, tree=tree)
    rep_src = bench_replay.run(n, 2, runs=int(runs))
    print(json.dumps({k: v for k, v in rep.items() if k != "summary"}), file=sys.stderr)
    text = render(m, eng, rep, st, args.quick or n < 1_000_000, started, time.perf_counter() - t0, parse, eng_src,
                  rep_src)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text, encoding="utf-8")
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": m, "engine": eng, "engine_source": eng_src, "parse": parse,
                                               "startup": st, "replay": rep, "replay_source": rep_src}, indent=2,
                                              ensure_ascii=False), encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
