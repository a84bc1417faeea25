"""Engine benchmark: µs per case through ``evaluate()`` (trace on), beside the plain-Python floor
and zen-engine (a JDM decision table of the statutory windows and periods), on the same cases.

    python benchmarks/bench_engine.py [--cases 10000] [--seed 1] [--compiled]

Each case is timed on its own (``perf_counter_ns`` around one call); the figure is the median
over all cases after a warm-up on the first 1,000. zen-engine is optional (``pip install -e .[bench]``).
``--compiled`` runs it on the engine as a wheel builds it (compiled by mypyc, see setup.py) instead
of this install's (an editable install runs the source); ``engine_build`` says which was measured.
"""

from __future__ import annotations

import argparse
import calendar
import json
import sys
from datetime import date
from pathlib import Path
from time import perf_counter_ns

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ENGINE_WARM_UP, median, parsed_cases, run_compiled  # noqa: E402

# ----------------------------------------------------------------------------- the floor

_STAT_MONTHS = {"host": 12, "battery": 6, "charger": 12, "earphone": 3, "data_card": 12, "terminal_card": 12}
_DAMAGE = ("liquid_damage", "physical_damage", "unauthorized_repair", "jailbroken", "certificate_altered",
           "identity_mismatch", "force_majeure")


def _add_months(d: date, months: int) -> date:
    """Civil Code period end: the corresponding day of the end month, else its last day."""
    m = d.month - 1 + months
    y = d.year + m // 12
    m = m % 12 + 1
    return date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def statutory_floor(case) -> str:
    """The statutory remedies (《移动电话机商品修理更换退货责任规定》 第十一至十三条, 附录1), hand-written:
    the best remedy for a mainland unit, as a plain function of the case."""
    if not case.fault.confirmed:
        return "paid_repair"
    cond = case.condition
    if (cond.liquid_damage or cond.physical_damage or cond.unauthorized_repair or cond.jailbroken
            or cond.certificate_altered or cond.identity_mismatch or cond.force_majeure):
        return "paid_repair"
    bought = case.purchase.date
    if bought is None:
        return "paid_repair"
    comp = case.fault.component
    months = _STAT_MONTHS.get(comp)
    if months is None:
        return "paid_repair"
    docs = case.documents
    invoice = "invoice" in docs or "invoice_copy" in docs
    if not invoice:
        return "paid_repair"
    days = (case.case_date - bought).days
    if comp == "host":
        if days <= 7 and "invoice" in docs and "sanbao_certificate" in docs:
            return "return"
        if days <= 15:
            return "exchange"
        end = _add_months(bought, months)
        return "repair" if case.case_date <= end else "paid_repair"
    end = _add_months(bought, months)
    return "exchange" if case.case_date <= end else "paid_repair"


# ----------------------------------------------------------------------------- zen-engine

def _rule(i: int, component: str, days: str, invoice: str, cert: str, remedy: str) -> dict:
    return {"_id": str(i), "i_conf": "true", "i_dmg": "false", "i_comp": component, "i_days": days,
            "i_inv": invoice, "i_cert": cert, "o_rem": json.dumps(remedy)}


def jdm_table() -> dict:
    """A JDM graph with one decision table: the statutory windows (7/15 days) and periods
    (host 12 months, battery 6, earphone 3, charger and cards 12; months as 30.44 days)."""
    inputs = [("i_conf", "confirmed"), ("i_dmg", "damaged"), ("i_comp", "component"), ("i_days", "days"),
              ("i_inv", "invoice"), ("i_cert", "certificate")]
    rules = [
        _rule(1, '"host"', "<= 7", "true", "true", "return"),
        _rule(2, '"host"', "<= 15", "true", "", "exchange"),
        _rule(3, '"host"', "<= 365", "true", "", "repair"),
        _rule(4, '"battery"', "<= 182", "true", "", "exchange"),
        _rule(5, '"earphone"', "<= 91", "true", "", "exchange"),
        _rule(6, '"charger","data_card","terminal_card"', "<= 365", "true", "", "exchange"),
        {"_id": "7", "i_conf": "", "i_dmg": "", "i_comp": "", "i_days": "", "i_inv": "", "i_cert": "", "o_rem": '"paid_repair"'},
    ]
    return {
        "nodes": [
            {"id": "in", "type": "inputNode", "name": "case", "position": {"x": 0, "y": 0}},
            {"id": "table", "type": "decisionTableNode", "name": "statutory", "position": {"x": 300, "y": 0},
             "content": {"hitPolicy": "first",
                         "inputs": [{"id": i, "name": f, "field": f} for i, f in inputs],
                         "outputs": [{"id": "o_rem", "name": "remedy", "field": "remedy"}],
                         "rules": rules}},
            {"id": "out", "type": "outputNode", "name": "decision", "position": {"x": 600, "y": 0}},
        ],
        "edges": [{"id": "e1", "sourceId": "in", "targetId": "table", "type": "edge"},
                  {"id": "e2", "sourceId": "table", "targetId": "out", "type": "edge"}],
    }


def zen_input(case) -> dict:
    cond = case.condition
    docs = case.documents
    bought = case.purchase.date
    return {
        "confirmed": case.fault.confirmed,
        "damaged": any(getattr(cond, f) for f in _DAMAGE),
        "component": case.fault.component,
        "days": (case.case_date - bought).days if bought else 100000,
        "invoice": "invoice" in docs or "invoice_copy" in docs,
        "certificate": "sanbao_certificate" in docs,
    }


# ----------------------------------------------------------------------------- run

def _time_each(fn, items) -> list[int]:
    out = []
    for x in items:
        t0 = perf_counter_ns()
        fn(x)
        out.append(perf_counter_ns() - t0)
    return out


def run(n: int = 10_000, seed: int = 1) -> dict:
    from aftersales.cli.plugins import engine_build  # as `aftersales plugins list` says it

    reg, _mappings, cases = parsed_cases(n, seed)
    evaluate = reg.engine.evaluate
    for c in cases[:ENGINE_WARM_UP]:      # warm-up (period caches, code paths)
        evaluate(c)
        statutory_floor(c)
    engine_ns = _time_each(evaluate, cases)
    floor_ns = _time_each(statutory_floor, cases)
    trace_len = sum(len(evaluate(c).trace) for c in cases[:1000]) / 1000
    result = {
        "cases": n, "seed": seed, "engine_build": engine_build(),
        "engine_us": median(engine_ns) / 1000,
        "engine_mean_us": sum(engine_ns) / len(engine_ns) / 1000,
        "floor_us": median(floor_ns) / 1000,
        "trace_entries_per_case": trace_len,
    }
    result["engine_vs_floor"] = result["engine_us"] / result["floor_us"]
    try:
        import zen
    except ImportError:
        result["zen_us"] = None
        result["zen_note"] = "zen-engine not installed (pip install -e .[bench])"
    else:
        decision = zen.ZenEngine().create_decision(json.dumps(jdm_table()))
        inputs = [zen_input(c) for c in cases]
        agree = sum(1 for c, i in zip(cases[:2000], inputs[:2000], strict=True)
                    if decision.evaluate(i)["result"]["remedy"] == statutory_floor(c))
        zen_ns = _time_each(decision.evaluate, inputs)
        result["zen_us"] = median(zen_ns) / 1000
        result["zen_agreement_with_floor"] = agree / 2000
        result["engine_vs_zen"] = result["engine_us"] / result["zen_us"]
        result["zen_version"] = getattr(zen, "__version__", None) or _dist_version("zen-engine")
    return result


def _dist_version(name: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--compiled", action="store_true", help="measure the engine as a wheel builds it (mypyc)")
    args = ap.parse_args()
    if args.compiled:
        r = run_compiled("bench_engine.py", "--cases", str(args.cases), "--seed", str(args.seed))
    else:
        r = run(args.cases, args.seed)
    print(json.dumps(r, indent=2))


if __name__ == "__main__":
    main()
