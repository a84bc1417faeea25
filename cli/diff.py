"""``aftersales policy diff --old DIR --new DIR --cases FILE``: which cases a policy change decides differently.

Every case is decided twice, with the policies of ``--old`` and of ``--new`` (each folder's
policies replace the bundled ones by id, as ``--policies`` does elsewhere). Cases whose outcome
changes — entitled remedy or its basis, the set of available remedies, missing papers, coverage
end, exclusions, exchange terms, service location, region — are grouped by change::

    exchange (dap) → repair (warranty): 37 cases, rule apple/exchange_apple_store

with a few example cases each. The rule named is the one that granted the remedy won or lost
(the old decision's when the customer now gets less or something else, the new one's when a
better remedy appears). ``--fail-on-change`` exits 1 when anything changed, so a policy
repository's CI can gate a change. Exit 2: bad arguments or a broken policy folder.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import click


def _case_brief(data: Any) -> str:
    if not isinstance(data, dict):
        return ""
    dev = data.get("device") or {}
    pur = data.get("purchase") or {}
    ident = dev.get("part_number") or dev.get("model_code") or dev.get("model") or ""
    fault = data.get("fault") or {}
    bits = [str(data.get("brand", "?")), str(ident), f"case {data.get('case_date', '?')}",
            f"bought {pur.get('date', '?')}", str(fault.get("component", "?"))]
    return " ".join(b for b in bits if b)


def _outcome_text(o: dict[str, Any]) -> str:
    txt = f"{o['entitlement']} ({o['basis']})"
    if o.get("missing"):
        txt += " missing " + "; ".join(f"{k}: {','.join(v)}" for k, v in o["missing"].items())
    if o.get("coverage_end"):
        txt += f", coverage to {o['coverage_end']}"
    return txt


@click.command()
@click.option("--old", "old_dir", required=True, type=click.Path(exists=True, file_okay=False), metavar="DIR",
              help="Policies in force now (folder of YAML files).")
@click.option("--new", "new_dir", required=True, type=click.Path(exists=True, file_okay=False), metavar="DIR",
              help="The proposed policies.")
@click.option("--cases", "cases_file", type=click.Path(exists=True, dir_okay=False), metavar="FILE",
              help="Cases to compare on (JSON Lines, one v1 case per line).")
@click.option("--from-store", is_flag=True, help="Compare on the cases in the case store.")
@click.option("--db", "db_url", envvar="AFTERSALES_DB", metavar="URL", help="Case store URL for --from-store; env AFTERSALES_DB.")
@click.option("--plugins-dir", type=click.Path(file_okay=False), envvar="AFTERSALES_PLUGINS_DIR", help="Drop-in plugins folder.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--examples", type=click.IntRange(0), default=3, show_default=True, help="Example cases per group.")
@click.option("--fail-on-change", is_flag=True, help="Exit 1 when any case is decided differently (for CI).")
@click.option("--workers", type=click.IntRange(1), default=None, help="Worker processes [default: one per core].")
def diff(old_dir: str, new_dir: str, cases_file: str | None, from_store: bool, db_url: str | None, plugins_dir: str | None,
         as_json: bool, examples: int, fail_on_change: bool, workers: int | None) -> None:
    """政策变更影响预览 / Preview which cases a policy change decides differently."""
    from aftersales.batch import replay as rp
    from aftersales.cli._common import echo_json

    if bool(cases_file) == bool(from_store):
        raise click.UsageError("give exactly one of --cases FILE or --from-store")
    workers = workers or rp.default_workers()
    options = {"old_dir": old_dir, "new_dir": new_dir, "plugins_dir": plugins_dir}
    source = "store" if from_store else cases_file

    groups: dict[tuple, dict[str, Any]] = {}
    stats = rp.RunStats()
    changed_total = 0
    transitions: Counter = Counter()

    def on_result(result: rp.ChunkResult) -> None:
        nonlocal changed_total
        stats.add(result)
        for where, reason in result.errors:
            if not as_json:
                click.echo(f"{rp.where_text(source, where)}: {reason}", err=True)
        for key, where, data, old, new in result.extra or ():
            changed_total += 1
            transitions[(old["entitlement"], new["entitlement"])] += 1
            group = groups.get(key)
            if group is None:
                group = groups[key] = {"from": key[0], "to": key[1], "rule": key[2], "changed": key[3],
                                       "cases": 0, "examples": []}
            group["cases"] += 1
            if len(group["examples"]) < examples:
                group["examples"].append({**rp.ref(where), "case": _case_brief(data), "old": old, "new": new})

    import time

    from aftersales.cli._common import report_registry

    for registry in rp.loaded_registries("diff", options):   # said once: what is quarantined
        report_registry(registry)
    t0 = time.perf_counter()
    items = rp.store_items(db_url) if from_store else rp.jsonl_items(cases_file)
    rp.run(items, "diff", options, workers=workers, on_result=on_result)
    stats.seconds = time.perf_counter() - t0
    ordered = sorted(groups.values(), key=lambda g: (-g["cases"], g["from"], g["to"], g["rule"], g["changed"]))
    errors = stats.total - stats.decided

    if as_json:
        echo_json({
            "old": old_dir, "new": new_dir, "source": source,
            "cases": stats.total, "compared": stats.decided, "changed": changed_total, "errors": errors,
            "errors_by_kind": dict(stats.error_kinds),
            "plugin_failures": sum(stats.plugin_failures.values()),
            "plugin_failures_by_plugin": dict(stats.plugin_failures.most_common()),
            "first_errors": [{**rp.ref(w), "reason": r} for w, r in stats.errors],
            "groups": ordered,
        })
    else:
        out = click.echo
        out(f"{stats.decided:,} cases compared ({old_dir} → {new_dir}): {changed_total:,} decided differently"
            + (f", {errors:,} not compared (bad lines)" if errors else ""))
        for g in ordered:
            what = f" [{g['changed']}]" if g["changed"] else ""
            out(f"\n{g['from']} → {g['to']}{what}: {g['cases']:,} case{'s' if g['cases'] != 1 else ''}, rule {g['rule']}")
            for ex in g["examples"]:
                where = f"line {ex['line']}" if "line" in ex else f"case {ex['number']}"
                out(f"  {where}: {ex['case']}")
                out(f"      old: {_outcome_text(ex['old'])}")
                out(f"      new: {_outcome_text(ex['new'])}")
                for key in (g["changed"].split(", ") if g["changed"] else ()):
                    if key not in ("missing", "coverage_end"):
                        out(f"      {key}: {ex['old'].get(key)} → {ex['new'].get(key)}")
        if not ordered:
            out("no case is decided differently")
        if stats.plugin_failures:
            out("plugin failures: " + ", ".join(f"{p}: {n:,}" for p, n in stats.plugin_failures.most_common())
                + " (cases decided without the plugin, or not decided: it is quarantined)")
    if stats.plugin_failures:   # a comparison with a plugin missing says nothing about the change
        raise SystemExit(3)
    if fail_on_change and changed_total:
        raise SystemExit(1)
