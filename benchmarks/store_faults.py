"""The case store under faults, and a network load run. Kept, and run before a release.

    python benchmarks/store_faults.py faults [--pg URL] [--kills N]
    python benchmarks/store_faults.py load --pg URL [--counters 16] [--stores 4] [--seconds 60]
                                          [--think-ms 0] [--as-superuser]

``faults`` runs the catalogue of issue #18, each check printing ``ok`` or ``FAIL`` and one line of
what it saw (exit 1 if any failed):

* kills: a counter writing cases (and moving every third) is SIGKILLed at a random moment, N
  times per backend; every number it reported committed must be in the store, with its first
  decision, its ``created`` event and its two follow-ups, and no case may be half-written.
  ``cases export -o`` and ``replay --out`` are killed midway too: the target stays as it was, and
  what a kill leaves (a ``.part`` file, a parts folder) is gone after the next run.
* full disk: a 1 MiB tmpfs (``mount -t tmpfs -o size=1m``; skipped with a note where mounting is
  not permitted): a SQLite store on it filled until a write fails (exit 4, one line, the file
  passes ``PRAGMA integrity_check`` and holds every case reported), ``cases export -o`` and
  ``replay --out`` onto it (exit 2, one line, no temporary file left).
* unwritable paths: ``-o`` / ``--out`` / ``--summary-json`` under a missing folder, onto a
  folder, under a folder without write permission (skipped as root, who may write anywhere).
* hostile text: escape sequences, bidirectional overrides, an ID-card number, a lone surrogate
  and a NUL in names, notes and case files: every command answers in one line or masks/escapes,
  no traceback, no raw ESC or full ID number in any output.

``load`` starts ``--counters`` processes against PostgreSQL for ``--seconds``, spread over
``--stores`` stores; each connects as its store's own login role (made with ``aftersales db
roles`` in a fresh schema, so row-level security is part of the measure; ``--as-superuser``
skips the roles) and, as fast as it can (``--think-ms`` between writes to pace it like a
clerk), takes in a case and moves it to ``diagnosing``. It prints the p50/p99/max latency of a
write (the whole API call the clerk waits for: validate, decide, one transaction), cases per
second, and the count of lost (reported committed but absent) and duplicated case numbers. The
schema and roles are dropped afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import machine  # noqa: E402

CST = timezone(timedelta(hours=8))
NOW = datetime(2026, 6, 15, 10, tzinfo=CST)
CASE = {
    "brand": "huawei",
    "device": {"model": "Mate 60", "region": "CN"},
    "purchase": {"date": "2026-01-10", "channel": "brand_store_retail"},
    "documents": ["invoice", "sanbao_certificate"],
    "fault": {"component": "host", "description": "屏幕闪烁", "confirmed": True},
}
CLI = [sys.executable, "-m", "aftersales"]
ENV = {**os.environ, "AFTERSALES_NOW": "2026-06-15T10:00:00", "AFTERSALES_LANG": "en",
       "AFTERSALES_STAFF": "faults"}
ESC = "\x1b"
ID_NUMBER = "110101199003074514"

results: list[tuple[str, bool, str]] = []


def check(name: str, ok: bool, seen: str) -> None:
    results.append((name, ok, seen))
    print(f"{'ok  ' if ok else 'FAIL'} {name}: {seen}", flush=True)


def skip(name: str, why: str) -> None:
    print(f"skip {name}: {why}", flush=True)


def cli(*args: str, timeout: float = 120, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=timeout,
                          env={**ENV, **(env or {})}, errors="replace")


def one_line(proc: subprocess.CompletedProcess) -> bool:
    err = proc.stderr.strip().splitlines()
    errors = [e for e in err if not e.startswith("warning:")]
    return len(errors) == 1 and errors[0].startswith("error: ") and "Traceback" not in proc.stderr


# --- a writer (a subprocess) ---------------------------------------------------------------------

def writer(url: str, store_code: str, count: int) -> int:
    """Take in ``count`` cases, moving every third; print each number once its transaction committed."""
    from aftersales.store.casestore import CaseStore
    from aftersales.store.evaluator import RegistryEvaluator

    with CaseStore.open(url, evaluator=RegistryEvaluator()) as store:
        print("ready", flush=True)
        for i in range(count):
            view = store.create_case(CASE, store=store_code, staff=f"w{store_code}", customer=f"客户{i}",
                                     phone="13800138000", now=NOW, note=f"burst {i}")
            print(view["number"], flush=True)
            if i % 3 == 0:
                store.move(view["number"], "diagnosing", actor="w", now=NOW)
                print(f"moved {view['number']}", flush=True)
    return 0


def _complete(url: str) -> tuple[int, list[str]]:
    """(cases, problems): every case has decision 1, a created event and two progress follow-ups."""
    import sqlalchemy as sa

    from aftersales.store import db

    engine = db.make_engine(url)
    problems = []
    try:
        with engine.connect() as conn:
            n = conn.execute(sa.text("SELECT count(*) FROM cases")).scalar_one()
            for what, sql in {
                "without decision 1": "SELECT count(*) FROM cases c WHERE NOT EXISTS "
                                      "(SELECT 1 FROM decisions d WHERE d.case_id = c.id AND d.seq = 1)",
                "without created event": "SELECT count(*) FROM cases c WHERE NOT EXISTS "
                                         "(SELECT 1 FROM events e WHERE e.case_id = c.id AND e.kind = 'created')",
                "without 2 follow-ups": "SELECT count(*) FROM cases c WHERE (SELECT count(*) FROM follow_ups f "
                                        "WHERE f.case_id = c.id AND f.purpose = 'progress') < 2",
                "moved without its event": "SELECT count(*) FROM cases c WHERE c.state = 'diagnosing' AND NOT "
                                           "EXISTS (SELECT 1 FROM events e WHERE e.case_id = c.id AND e.kind = 'move')",
            }.items():
                bad = conn.execute(sa.text(sql)).scalar_one()
                if bad:
                    problems.append(f"{bad} {what}")
            numbers = {r[0] for r in conn.execute(sa.text("SELECT number FROM cases"))}
    finally:
        engine.dispose()
    return n, problems if not problems else problems + [f"numbers {sorted(numbers)[:3]}…"]


def _numbers(url: str) -> set[str]:
    import sqlalchemy as sa

    from aftersales.store import db

    engine = db.make_engine(url)
    try:
        with engine.connect() as conn:
            return {r[0] for r in conn.execute(sa.text("SELECT number FROM cases"))}
    finally:
        engine.dispose()


# --- faults ---------------------------------------------------------------------------------------

def fault_kills(url: str, label: str, kills: int) -> None:
    rng = random.Random(18)
    reported: set[str] = set()
    for k in range(kills):
        proc = subprocess.Popen([sys.executable, __file__, "writer", url, f"K{k % 4}", "100000"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
        assert proc.stdout is not None
        if proc.stdout.readline().strip() != "ready":
            check(f"kill {label}", False, proc.stderr.read()[-300:])
            return
        time.sleep(rng.uniform(0.2, 1.5))
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate(timeout=30)
        reported |= {line for line in out.split() if re.fullmatch(r"K\d-\d{8}-\d{4}", line)}
    stored = _numbers(url)
    n, problems = _complete(url)
    lost = reported - stored
    check(f"SIGKILL x{kills} mid-write ({label})", not lost and not problems,
          f"{len(reported)} reported committed, {n} stored, {len(lost)} lost, "
          f"{'; '.join(problems) or 'every case complete'}")


def fault_killed_outputs(url: str, tmp: Path) -> None:
    target = tmp / "export.jsonl"
    target.write_text("yesterday\n", encoding="utf-8")
    for _ in range(3):
        cli("cases", "new", str(tmp / "case.json"), "--customer", "李雷", "--phone", "13800138000",
            "--store", "EX01", "--db", url)
    killed = 0
    for delay in (0.3, 0.6, 0.9):
        proc = subprocess.Popen([*CLI, "cases", "export", "-o", str(target), "--db", url], env=ENV,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(delay)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        proc.communicate()
        text = target.read_text(encoding="utf-8")
        if text != "yesterday\n" and not all(line.startswith("{") for line in text.splitlines()):
            check("export killed midway", False, f"target holds {len(text)} bytes of a partial export")
            return
    check("export killed midway", True, f"{killed} of 3 runs killed before the end; the target was whole each time")
    # replay killed: at most a .part and a parts folder, gone after the next run
    cases = tmp / "cases.jsonl"
    subprocess.run([*CLI, "cases", "generate", "60000", "--seed", "3", "--out", str(cases)], env=ENV,
                   capture_output=True, timeout=300)
    out = tmp / "decisions.jsonl"
    proc = subprocess.Popen([*CLI, "replay", str(cases), "--out", str(out), "-q", "--workers", "2"], env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(4)
    was_running = proc.poll() is None
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    litter = [p.name for p in tmp.iterdir() if p.name.startswith(".decisions")]
    tmpdir = Path(tempfile.gettempdir())
    folders = {p.name for p in tmpdir.glob("aftersales-replay-*")}
    again = cli("replay", str(tmp / "case.jsonl"), "--out", str(out), "-q", "--workers", "2")
    left = [p.name for p in tmp.iterdir() if p.name.startswith(".decisions")]
    still = {p.name for p in tmpdir.glob("aftersales-replay-*")} & folders
    check("replay SIGKILLed, then run again", was_running and not left and not still and again.returncode == 0,
          f"killed while running: {was_running}; left {len(litter)} temporary file(s), {len(folders)} "
          f"folder(s); after the next run (exit {again.returncode}): {len(left)} file(s), {len(still)} folder(s)")


def fault_full_disk(tmp: Path) -> None:
    mnt = tmp / "full"
    mnt.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        skip("full disk", f"cannot mount a 1 MiB tmpfs here ({mounted.stderr.strip() or 'not permitted'}); "
                          "tests/store covers it with SQLite's max_page_count and /dev/full")
        return
    try:
        url = f"sqlite:///{mnt / 'cases.sqlite3'}"
        up = cli("db", "upgrade", "--db", url)
        if up.returncode != 0:
            check("full disk: store", False, up.stderr.strip())
            return
        proc = subprocess.Popen([sys.executable, __file__, "writer", url, "FULL", "100000"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
        out, err = proc.communicate(timeout=600)
        reported = {line for line in out.split() if line.startswith("FULL-")}
        last = err.strip().splitlines()[-1] if err.strip() else ""
        stored = _numbers(url)
        integrity = subprocess.run([sys.executable, "-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1])"
                                    ".execute('PRAGMA integrity_check').fetchone()[0])", str(mnt / "cases.sqlite3")],
                                   capture_output=True, text=True).stdout.strip()
        n, problems = _complete(url)
        check("full disk: SQLite store filled", bool(reported) and reported <= stored and integrity == "ok"
              and not problems and "full" in last,
              f"{len(reported)} cases committed before the disk filled, all stored; integrity {integrity}; "
              f"writer stopped with: {last[:120]}")
        new = cli("cases", "new", str(tmp / "case.json"), "--customer", "李雷", "--phone", "13800138000",
                  "--store", "FULL", "--db", url)
        check("full disk: cases new", new.returncode == 4 and one_line(new),
              f"exit {new.returncode}: {new.stderr.strip()[:140]}")
        # outputs onto the full disk, the database elsewhere
        db2 = f"sqlite:///{tmp / 'other.sqlite3'}"
        cli("db", "upgrade", "--db", db2)
        for i in range(30):
            cli("cases", "new", str(tmp / "case.json"), "--customer", f"客户{i}", "--phone", "13800138000",
                "--store", "SZ01", "--db", db2)
        exp = cli("cases", "export", "-o", str(mnt / "x.jsonl"), "--db", db2)
        rep = cli("replay", str(tmp / "cases.jsonl"), "--out", str(mnt / "d.jsonl"), "-q", timeout=600)
        left = [p.name for p in mnt.iterdir() if p.name.startswith(".")]
        check("full disk: export -o / replay --out", exp.returncode == 2 and one_line(exp)
              and rep.returncode == 2 and one_line(rep) and not left,
              f"export exit {exp.returncode} ({exp.stderr.strip()[:80]}); replay exit {rep.returncode} "
              f"({rep.stderr.strip()[:80]}); temporary files left: {len(left)}")
    finally:
        subprocess.run(["umount", str(mnt)], capture_output=True)


def fault_unwritable(url: str, tmp: Path) -> None:
    case = str(tmp / "case.json")
    cli("cases", "new", case, "--customer", "李雷", "--phone", "13800138000", "--store", "UW01", "--db", url)
    targets = {"missing folder": "/nonexistent/x.out", "a folder": str(tmp)}
    if os.geteuid() != 0:
        locked = tmp / "locked"
        locked.mkdir()
        locked.chmod(0o500)
        targets["no permission"] = str(locked / "x.out")
    else:
        skip("unwritable: no permission", "run as root, who may write into any folder")
    for what, target in targets.items():
        runs = {
            "export -o": cli("cases", "export", "-o", target, "--db", url),
            "ticket -o": cli("cases", "ticket", "UW01-20260615-0001", "-o", target, "--db", url),
            "replay --out": cli("replay", case.replace("case.json", "case.jsonl"), "--out", target, "-q"),
            "replay --summary-json": cli("replay", case.replace("case.json", "case.jsonl"), "--out",
                                         str(tmp / "ok.jsonl"), "--summary-json", target, "-q"),
        }
        bad = {k: p for k, p in runs.items() if not (p.returncode == 2 and one_line(p))}
        check(f"unwritable ({what})", not bad,
              "; ".join(f"{k} exit {p.returncode} {p.stderr.strip()[-160:]!r}" for k, p in bad.items()) if bad else
              f"4 commands: exit 2, one line each (e.g. {runs['export -o'].stderr.strip()[:90]})")


def fault_hostile_text(url: str, tmp: Path) -> None:
    hostile = {
        "title escape": f"李雷{ESC}]0;pwned\x07",
        "clear screen": f"李雷{ESC}[2J{ESC}[H",
        "bidi override": "李雷\u202egnp.exe",
        "ID number": f"李雷 身份证 {ID_NUMBER}",
        "C1 CSI": "李雷\x9b31m",
    }
    outputs = []
    for what, name in hostile.items():
        p = cli("cases", "new", str(tmp / "case.json"), "--customer", name, "--phone", "13800138000",
                "--store", "HT01", "--note", name, "--db", url, "--json")
        outputs.append((what, p))
    # in the case file: a lone surrogate, a NUL, an escape in the fault description
    for what, text in {"lone surrogate": "\\ud800屏幕", "NUL": "屏幕\\u0000闪", "ESC in file": "\\u001b]0;x\\u0007"}.items():
        f = tmp / f"hostile-{len(outputs)}.json"
        f.write_text(json.dumps(CASE, ensure_ascii=False).replace("屏幕闪烁", text), encoding="utf-8")
        outputs.append((what, cli("cases", "new", str(f), "--customer", "李雷", "--phone", "13800138000",
                                  "--store", "HT01", "--db", url)))
    for cmd in (["cases", "list", "--db", url], ["cases", "export", "--db", url],
                ["cases", "show", "HT01-20260615-0001", "--db", url]):
        outputs.append((" ".join(cmd[:2]), cli(*cmd)))
    bad = []
    for what, p in outputs:
        text = p.stdout + p.stderr
        if "Traceback" in text or ESC in text or "\x9b" in text or "\u202e" in text or ID_NUMBER in text:
            bad.append(f"{what}: exit {p.returncode}")
        elif p.returncode not in (0, 2) or (p.returncode == 2 and not one_line(p)):
            bad.append(f"{what}: exit {p.returncode} {p.stderr.strip()[:80]}")
    check("hostile text", not bad, "; ".join(bad) if bad else
          f"{len(outputs)} commands: no raw control character, no full ID number, no traceback; "
          f"refused ones one line (exit 2)")


def run_faults(args) -> int:
    print(json.dumps(machine(), ensure_ascii=False))
    tmp = Path(tempfile.mkdtemp(prefix="aftersales-faults-"))
    (tmp / "case.json").write_text(json.dumps(CASE, ensure_ascii=False), encoding="utf-8")
    (tmp / "case.jsonl").write_text(json.dumps({"schema_version": 1, "case_date": "2026-06-15", **CASE},
                                               ensure_ascii=False) + "\n", encoding="utf-8")
    pg_schema = None
    try:
        sqlite_url = f"sqlite:///{tmp / 'cases.sqlite3'}"
        cli("db", "upgrade", "--db", sqlite_url)
        fault_kills(sqlite_url, "SQLite", args.kills)
        if args.pg:
            pg_schema, pg = _pg_schema(args.pg)
            cli("db", "upgrade", "--db", pg)
            fault_kills(pg, "PostgreSQL", args.kills)
        else:
            skip("SIGKILL (PostgreSQL)", "no --pg URL")
        fault_killed_outputs(sqlite_url, tmp)
        fault_full_disk(tmp)
        fault_unwritable(sqlite_url, tmp)
        fault_hostile_text(sqlite_url, tmp)
    finally:
        if pg_schema:
            _drop_schema(args.pg, pg_schema)
        shutil.rmtree(tmp, ignore_errors=True)
    failed = [r for r in results if not r[1]]
    print(f"{len(results) - len(failed)} ok, {len(failed)} failed")
    return 1 if failed else 0


# --- PostgreSQL helpers ----------------------------------------------------------------------------

def _with_schema(url: str, schema: str, user: str | None = None) -> str:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if user:
        parsed = parsed.set(username=user, password=None)
    return parsed.set(query={**parsed.query, "options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False)


def _pg_schema(url: str) -> tuple[str, str]:
    import sqlalchemy as sa

    schema = f"as18_faults_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    engine.dispose()
    return schema, _with_schema(url, schema)


def _drop_schema(url: str, schema: str, role_prefix: str | None = None) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        if role_prefix:
            names = [r[0] for r in conn.execute(sa.text("SELECT rolname FROM pg_roles WHERE "
                                                        "starts_with(rolname, :p)"), {"p": role_prefix})]
            for name in names:
                conn.exec_driver_sql(f'DROP OWNED BY "{name}"')
            for name in sorted(names, key=lambda n: n.endswith(("_owner", "_manager")) or "_store_" in n):
                conn.exec_driver_sql(f'DROP ROLE IF EXISTS "{name}"')
    engine.dispose()


# --- load ------------------------------------------------------------------------------------------

def counter(url: str, store_code: str, seconds: float, think_ms: float, out_file: str) -> int:
    """One counter: take in a case and move it, as fast as it can, for ``seconds``."""
    from aftersales.store.casestore import CaseStore
    from aftersales.store.evaluator import RegistryEvaluator

    evaluator = RegistryEvaluator()
    latencies: list[float] = []
    numbers: list[str] = []
    errors: list[str] = []
    with CaseStore.open(url, evaluator=evaluator) as store:
        print("ready", flush=True)
        sys.stdin.readline()  # the start signal
        end = time.monotonic() + seconds
        i = 0
        while time.monotonic() < end:
            t0 = time.perf_counter()
            try:
                view = store.create_case(CASE, store=store_code, staff=f"c{os.getpid()}", customer=f"客户{i}",
                                         phone="13800138000", now=NOW)
                t1 = time.perf_counter()
                numbers.append(view["number"])
                store.move(view["number"], "diagnosing", actor=f"c{os.getpid()}", now=NOW)
                t2 = time.perf_counter()
                latencies += [t1 - t0, t2 - t1]
            except Exception as e:  # noqa: BLE001 - counted and reported
                errors.append(f"{type(e).__name__}: {e}"[:200])
            i += 1
            if think_ms:
                time.sleep(think_ms / 1000)
    Path(out_file).write_text(json.dumps({"latencies": latencies, "numbers": numbers, "errors": errors}))
    return 0


def run_load(args) -> int:
    from aftersales.store import db, roles

    print(json.dumps(machine(), ensure_ascii=False))
    schema, admin_url = _pg_schema(args.pg)
    prefix = schema
    tmp = Path(tempfile.mkdtemp(prefix="aftersales-load-"))
    try:
        engine = db.create_database(admin_url)
        stores = [f"L{i:02d}" for i in range(args.stores)]
        urls = {}
        if args.as_superuser:
            urls = {code: admin_url for code in stores}
        else:
            made = roles.create_roles(engine, prefix, stores)
            for code in stores:
                login = f"{prefix}_{code.lower()}_pc"
                roles.create_login(engine, login, made["stores"][code], None)
                urls[code] = _with_schema(args.pg, schema, login)
        engine.dispose()
        procs = []
        for k in range(args.counters):
            code = stores[k % len(stores)]
            out = tmp / f"counter{k}.json"
            p = subprocess.Popen([sys.executable, __file__, "counter", urls[code], code, str(args.seconds),
                                  str(args.think_ms), str(out)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                 text=True, env=ENV)
            procs.append((p, out))
        for p, _ in procs:
            assert p.stdout is not None
            if p.stdout.readline().strip() != "ready":
                raise SystemExit("a counter did not start")
        start = time.perf_counter()
        for p, _ in procs:
            assert p.stdin is not None
            p.stdin.write("go\n")
            p.stdin.flush()
        for p, _ in procs:
            p.wait(timeout=args.seconds + 120)
        elapsed = time.perf_counter() - start
        latencies: list[float] = []
        reported: list[str] = []
        errors: list[str] = []
        for _, out in procs:
            data = json.loads(out.read_text())
            latencies += data["latencies"]
            reported += data["numbers"]
            errors += data["errors"]
        stored = _numbers(admin_url)
        n, problems = _complete(admin_url)
        latencies.sort()

        def pct(q: float) -> float:
            return latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000 if latencies else float("nan")

        summary = {
            "counters": args.counters, "stores": args.stores, "seconds": args.seconds, "think_ms": args.think_ms,
            "roles": not args.as_superuser, "cases": len(reported), "writes": len(latencies),
            "cases_per_s": round(len(reported) / elapsed, 1), "writes_per_s": round(len(latencies) / elapsed, 1),
            "p50_ms": round(pct(0.50), 1), "p90_ms": round(pct(0.90), 1), "p99_ms": round(pct(0.99), 1),
            "max_ms": round(latencies[-1] * 1000, 1) if latencies else None,
            "lost": len(set(reported) - stored), "duplicated": len(reported) - len(set(reported)),
            "stored_not_reported": len(stored - set(reported)), "incomplete": problems, "errors": len(errors),
            "first_errors": errors[:3],
        }
        print(json.dumps(summary, ensure_ascii=False, indent=2))
        ok = summary["lost"] == 0 and summary["duplicated"] == 0 and not problems and not errors
        print(f"{'ok' if ok else 'FAIL'}: {summary['cases']} cases, {summary['cases_per_s']}/s, write p50 "
              f"{summary['p50_ms']} ms p99 {summary['p99_ms']} ms, lost {summary['lost']}, duplicated "
              f"{summary['duplicated']}")
        return 0 if ok else 1
    finally:
        _drop_schema(args.pg, schema, None if args.as_superuser else prefix)
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "writer":
        return writer(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    if len(sys.argv) > 1 and sys.argv[1] == "counter":
        return counter(sys.argv[2], sys.argv[3], float(sys.argv[4]), float(sys.argv[5]), sys.argv[6])
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="what", required=True)
    f = sub.add_parser("faults", help="the fault catalogue")
    f.add_argument("--pg", help="PostgreSQL URL (a fresh schema is made and dropped)")
    f.add_argument("--kills", type=int, default=8, help="SIGKILLs per backend [8]")
    ld = sub.add_parser("load", help="concurrent counters against PostgreSQL")
    ld.add_argument("--pg", required=True)
    ld.add_argument("--counters", type=int, default=16)
    ld.add_argument("--stores", type=int, default=4)
    ld.add_argument("--seconds", type=float, default=60)
    ld.add_argument("--think-ms", type=float, default=0)
    ld.add_argument("--as-superuser", action="store_true", help="connect every counter as the given URL's user")
    args = ap.parse_args()
    return run_faults(args) if args.what == "faults" else run_load(args)


if __name__ == "__main__":
    sys.exit(main())
