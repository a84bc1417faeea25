"""Cases created per second, each with its decision (the real engine), on SQLite and PostgreSQL.

    python benchmarks/bench_store.py [--cases 500] [--runs 5] [--pg URL]

Each created case is one transaction: case number, case row, its decision (with policy
versions), its ``created`` event and its two follow-ups. SQLite runs on a temporary file with the
store's settings (WAL), once with synchronous=FULL (the default) and once with NORMAL. PostgreSQL runs when ``--pg`` or
``AFTERSALES_TEST_PG_URL`` names a server that answers (in a throw-away schema). Prints the
median of the runs. Target: >= 500 cases/s on SQLite.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

CASES = [
    {"brand": "huawei", "device": {"model": "Mate 60", "region": "CN"},
     "purchase": {"date": "2026-01-10", "channel": "brand_store_retail"},
     "documents": ["invoice", "sanbao_certificate"],
     "fault": {"component": "host", "description": "屏幕闪烁", "confirmed": True}},
    {"brand": "apple", "device": {"model": "iPhone 15", "region": "CN"},
     "purchase": {"date": "2026-06-05", "channel": "carrier"},
     "documents": ["invoice", "id_document"],
     "fault": {"component": "host", "description": "不开机", "confirmed": True}},
    {"brand": "generic", "device": {"model": "X1"},
     "purchase": {"date": "2025-12-01", "channel": "authorized_reseller"},
     "documents": ["invoice", "sanbao_certificate"],
     "fault": {"component": "battery", "confirmed": True}},
]
NOW = datetime(2026, 6, 15, 10, tzinfo=timezone(timedelta(hours=8)))


def run(url: str, evaluator, n: int) -> float:
    from aftersales.store.casestore import CaseStore

    with CaseStore.open(url, evaluator=evaluator) as store:
        store.create_case(CASES[0], store="WARM", staff="bench", customer="预热", phone="13800138000", now=NOW)
        code = f"B{uuid.uuid4().hex[:6].upper()}"
        start = time.perf_counter()
        for i in range(n):
            store.create_case(CASES[i % len(CASES)], store=code, staff="bench", customer=f"客户{i}",
                              phone="13800138000", now=NOW)
        elapsed = time.perf_counter() - start
    return n / elapsed


def bench_sqlite(evaluator, n: int, runs: int) -> list[float]:
    from aftersales.store import db

    rates = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
            db.create_database(url).dispose()
            rates.append(run(url, evaluator, n))
    return rates


def bench_pg(evaluator, base_url: str, n: int, runs: int) -> list[float] | str:
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    from aftersales.store import db

    admin = sa.create_engine(base_url, connect_args={"connect_timeout": 3})
    try:
        with admin.connect():
            pass
    except Exception as e:  # noqa: BLE001
        return f"skipped: {base_url} does not answer ({type(e).__name__})"
    rates = []
    for _ in range(runs):
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        with admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        try:
            parsed = make_url(base_url)
            url = parsed.set(query={**parsed.query, "options": f"-csearch_path={schema}"}) \
                .render_as_string(hide_password=False)
            db.create_database(url).dispose()
            rates.append(run(url, evaluator, n))
        finally:
            with admin.begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    admin.dispose()
    return rates


def bench_decision_only(evaluator, n: int) -> float:
    from datetime import date

    start = time.perf_counter()
    for i in range(n):
        case = evaluator.parse(CASES[i % len(CASES)], date(2026, 6, 15))
        evaluator.evaluate(case)
    return n / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pg", default=os.environ.get("AFTERSALES_TEST_PG_URL"))
    args = parser.parse_args()

    from aftersales.store.evaluator import RegistryEvaluator

    evaluator = RegistryEvaluator()
    print(f"decision only (parse + evaluate): {bench_decision_only(evaluator, 2000):,.0f} cases/s")
    for mode in ("FULL", "NORMAL"):
        os.environ["AFTERSALES_SQLITE_SYNCHRONOUS"] = mode
        rates = bench_sqlite(evaluator, args.cases, args.runs)
        print(f"SQLite  (WAL, synchronous={mode:<6}): median {statistics.median(rates):,.0f} cases/s "
              f"over {args.runs} runs of {args.cases} (min {min(rates):,.0f}, max {max(rates):,.0f}); target >= 500")
    os.environ.pop("AFTERSALES_SQLITE_SYNCHRONOUS", None)
    if args.pg:
        result = bench_pg(evaluator, args.pg, args.cases, args.runs)
        if isinstance(result, str):
            print(f"PostgreSQL: {result}")
        else:
            print(f"PostgreSQL: median {statistics.median(result):,.0f} cases/s over {args.runs} runs of "
                  f"{args.cases} (min {min(result):,.0f}, max {max(result):,.0f})")
    else:
        print("PostgreSQL: skipped (give --pg URL or set AFTERSALES_TEST_PG_URL)")


if __name__ == "__main__":
    main()
