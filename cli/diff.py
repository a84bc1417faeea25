"""``aftersales policy diff --old DIR --new DIR --cases FILE``: which cases a policy change decides differently.

Every case is decided twice, with the policies of ``--old`` and of ``--new`` (each folder's
policies replace the bundled ones by id, as ``--policies`` does elsewhere). What is compared
(``batch/impact.py``): the entitlement, each remedy (available, basis, missing papers, and for a
remedy the customer can have its start, end and service location), the coverage dates, the
exchange terms where an exchange can be had (mode, lead days, warranty after), the exclusions, the
region. Changed cases are grouped by what changed and by the rule behind each difference on each
side; groups that change the entitlement come first, then by size::

    换货（15日内性能故障） → 免费维修（保修期内） [权益改变]：5 个案例，规则 apple/exchange_apple_store
      换货是否可用：是 → 否   旧 apple/exchange_apple_store | 新 generic_sanbao/exchange_dap

with a few example cases each. ``--explain N`` shows case N (its line in the file, or its number
in the store) decided both ways side by side, with the trace lines that differ.
``--fail-on-change`` exits 1 when anything changed, so a policy repository's CI can gate a
change. Exit codes (as ``replay``'s): 0 every case compared, 1 some line could not be compared
(a bad line) or there was no case to compare (an empty file), or ``--fail-on-change`` and a case
changed, 2 bad arguments or a broken policy folder, 3 a case was decided without a plugin.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import click

from aftersales.cli._common import cut_cells as _cut
from aftersales.cli._common import pad_cells as _pad
from aftersales.core.errors import AftersalesError


class ExplainError(AftersalesError):
    """``--explain N`` names no case that can be decided."""

    exit_code = 2


def _case_brief(data: Any, lang: str = "en") -> str:
    """The case in one line: brand, part number or model, case and purchase dates, fault (a
    battery's with its health)."""
    if not isinstance(data, dict):
        return ""
    from aftersales.core.vocab import label

    dev = data.get("device") or {}
    pur = data.get("purchase") or {}
    ident = dev.get("part_number") or dev.get("model_code") or dev.get("model") or ""
    component = str((data.get("fault") or {}).get("component", "?"))
    bought = pur.get("date")
    if lang == "en":
        bits = [str(data.get("brand", "?")), str(ident), f"case {data.get('case_date', '?')}",
                f"bought {bought}" if bought else "purchase date not given", component]
    else:
        bits = [str(data.get("brand", "?")), str(ident), f"受理 {data.get('case_date', '?')}",
                f"购买 {bought}" if bought else "未给购买日期", label("component", component)]
    health = dev.get("battery_health")
    if component == "battery" and health is not None:   # what a battery's terms turn on
        bits.append(f"health {health}%" if lang == "en" else f"健康度 {health}%")
    return " ".join(b for b in bits if b)


def _missing_text(missing: dict[str, list[str]], lang: str) -> str:
    """The papers each remedy lacks: ``missing repair: invoice`` / ``免费维修缺购机发票``."""
    from aftersales.core.vocab import label

    if lang == "en":
        return "missing " + "; ".join(f"{k}: {','.join(v)}" for k, v in missing.items())
    return "；".join(f"{label('remedy', k)}缺{'、'.join(label('document', d) for d in v)}" for k, v in missing.items())


def _label(value: Any, lang: str) -> str:
    """An entitlement ``repair (warranty)`` as ``免费维修（保修期内）`` in Chinese."""
    if lang == "en" or not isinstance(value, str) or " (" not in value:
        return str(value)
    from aftersales.core.vocab import label

    remedy, basis = value.split(" (", 1)
    return f"{label('remedy', remedy)}（{label('basis', basis.rstrip(')'))}）"


#: what each compared aspect is called in Chinese (``batch/impact.py`` names them); a remedy's
#: own aspects (``exchange.basis``) are its name's label and the part's
_ASPECTS_ZH = {"entitlement": "权益", "region": "产地", "coverage.start": "保修起算日", "coverage.end": "保修到期日",
               "exchange.mode": "换货方式", "exchange.lead_days": "换货等待天数", "exchange.warranty_after": "换货后保修",
               "exclusions": "排除项", "service_location": "办理地点"}
_REMEDY_PARTS_ZH = {"available": "是否可用", "basis": "的依据", "missing": "缺少的单证", "start": "起算日", "end": "到期日",
                    "service_location": "办理地点", "refund_instead": "退款替代"}
#: the vocabulary table of an aspect's values
_ASPECT_TABLES = {"region": "region", "exchange.mode": "exchange_mode", "exchange.warranty_after": "warranty_after",
                  "service_location": "service_location", "basis": "basis", "missing": "document"}


def _aspect(aspect: str, lang: str) -> str:
    """``exchange.lead_days`` as ``换货等待天数`` in Chinese."""
    if lang == "en":
        return aspect
    if aspect in _ASPECTS_ZH:
        return _ASPECTS_ZH[aspect]
    from aftersales.core.vocab import label

    remedy, _, part = aspect.partition(".")
    return f"{label('remedy', remedy)}{_REMEDY_PARTS_ZH.get(part, part)}"


def _value(aspect: str, value: Any, lang: str) -> str:
    """A compared value as an editor reads it: ids with their labels, lead days as 10–15 天,
    True / False as 是 / 否, nothing as 无."""
    from aftersales.authoring.messages import value_in
    from aftersales.core.vocab import money

    en = lang == "en"
    if aspect == "entitlement" and isinstance(value, str):
        return _label(value, lang)
    if aspect == "exchange.lead_days" and isinstance(value, (list, tuple)) and len(value) == 2:
        return f"{value[0]}–{value[1]} " + ("days" if en else "天")
    if aspect.endswith(".refund_instead") and isinstance(value, (list, tuple)) and len(value) == 3:
        amount, basis, rate = value   # as batch/impact.py keeps it
        if en:
            how = "in full" if basis == "full_no_stock" else f"less {rate * 100:g}% a day"
            return f"{money(amount) if amount is not None else 'the invoice amount'} ({how})"
        how = "全额退款" if basis == "full_no_stock" else f"按每日 {rate * 100:g}% 折旧"
        return f"{money(amount) if amount is not None else '按发票金额'}（{how}）"
    return value_in(value, lang, _ASPECT_TABLES.get(aspect) or _ASPECT_TABLES.get(aspect.rpartition(".")[2]))


def _outcome_text(o: dict[str, Any], lang: str = "en") -> str:
    txt = f"{_label(o['entitlement'] + ' (' + o['basis'] + ')', lang)}"
    if o.get("missing"):
        txt += (" " if lang == "en" else "，") + _missing_text(o["missing"], lang)
    if o.get("coverage_end"):
        # (the cover of the remedy the decision stands on: a return's window too, not only a warranty)
        txt += f", cover to {o['coverage_end']}" if lang == "en" else f"，权益期限至 {o['coverage_end']}"
    ex = o.get("exchange") or {}
    if ex and "exchange" in o.get("available", ()):
        lead = ex.get("lead_days")
        days = f" {lead[0]}–{lead[1]}" + (" days" if lang == "en" else " 天") if lead else ""
        if lang == "en":
            txt += f", exchange {ex.get('mode')}{days}"
        else:
            txt += f"，换货方式 {_value('exchange.mode', ex.get('mode'), lang)}{days}"
    return txt


def _change_line(change: dict[str, Any], lang: str) -> str:
    """One aspect that changed, old → new, and the rules that decided it (one when the same)."""
    a, b = change["old_rule"] or "-", change["new_rule"] or "-"
    aspect = change["aspect"]
    values = f"{_value(aspect, change['old'], lang)} → {_value(aspect, change['new'], lang)}"
    if lang == "en":
        return f"{aspect}: {values} (rule {a})" if a == b else f"{aspect}: {values} (rule {a} → {b})"
    return f"{_aspect(aspect, lang)}：{values}（规则 {a}）" if a == b else f"{_aspect(aspect, lang)}：{values}（规则 {a} → {b}）"


def _later_versions(old_dir: str, new_dir: str) -> list[tuple[str, str, str]]:
    """(id, version, from) of each policy version of ``new_dir`` that ``old_dir`` does not have and
    that takes effect after today (both folders loaded already: their files read as YAML)."""
    from pathlib import Path

    import yaml

    from aftersales.store.localday import counter_now, local_date

    def versions(folder: str) -> dict[tuple[str, str], str]:
        out: dict[tuple[str, str], str] = {}
        for path in sorted(Path(folder).glob("*.yaml")):
            if path.name.endswith(".cases.yaml"):
                continue
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, yaml.YAMLError):
                continue
            if isinstance(data, dict):
                out[(str(data.get("id")), str(data.get("version")))] = str((data.get("effective") or {}).get("from") or "")
        return out

    today = local_date(counter_now()).isoformat()
    old = versions(old_dir)
    return sorted(((pid, version, start) for (pid, version), start in versions(new_dir).items()
                   if (pid, version) not in old and start > today), key=lambda v: v[2])


def _wrapped_echo() -> Any:
    """``click.echo`` of lines wrapped to the terminal's width (a Chinese character takes two
    columns), each line's own indent kept and two more for the lines it runs on to. Written to a
    file or a pipe (and no ``COLUMNS`` asked for), a line stays whole, for grep and the like."""
    import os
    import sys

    from aftersales.cli.group import terminal_columns, wrap_cells

    if not sys.stdout.isatty() and not os.environ.get("COLUMNS"):
        return click.echo
    width = max(60, min(terminal_columns(), 200))

    def out(text: str = "") -> None:
        for line in text.split("\n"):
            body = line.lstrip(" ")
            lead = line[:len(line) - len(body)]
            first, *more = wrap_cells(body, width - len(lead), width - len(lead) - 2) if body else [""]
            click.echo(lead + first + "".join(f"\n{lead}  {part}" for part in more))

    return out


def _apart_text(group: dict[str, Any], what: Any, lang: str) -> str:
    """What tells ``group`` apart from the other groups under the same heading (``impact.apart``):
    its changed aspects when theirs differ, and the rules behind the aspects where they differ."""
    if what is None:
        return ""
    en = lang == "en"
    parts = []
    if what.aspects:
        changed = group["changed"].split(", ")
        parts.append(f"changed [{', '.join(changed)}]" if en else f"改变 [{'、'.join(_aspect(a, lang) for a in changed)}]")
    for aspects, old_rule, new_rule in what.rules:
        rules = old_rule or "-" if old_rule == new_rule else f"{old_rule or '-'} → {new_rule or '-'}"
        parts.append(f"{', '.join(aspects)} (rule {rules})" if en else
                     f"{'、'.join(_aspect(a, lang) for a in aspects)}（规则 {rules}）")
    return ("; unlike the other groups with this heading: " + "; ".join(parts)) if en else \
        ("；与同一标题下其他组的区别：" + "；".join(parts))


@click.command()
@click.option("--old", "old_dir", required=True, type=click.Path(exists=True, file_okay=False), metavar="DIR",
              help="现行政策（YAML 文件夹） / policies in force now (folder of YAML files).")
@click.option("--new", "new_dir", required=True, type=click.Path(exists=True, file_okay=False), metavar="DIR",
              help="拟发布的政策 / the proposed policies.")
@click.option("--cases", "cases_file", type=click.Path(exists=True, dir_okay=False), metavar="FILE",
              help="用于比较的案例（JSON Lines，每行一个 v1 案例） / cases to compare on (JSON Lines, one v1 case per line).")
@click.option("--from-store", is_flag=True, help="用案例库中的案例比较 / compare on the cases in the case store.")
@click.option("--db", "db_url", envvar="AFTERSALES_DB", metavar="URL", help="案例库地址（配合 --from-store）；环境变量 AFTERSALES_DB / case store URL for --from-store; env AFTERSALES_DB.")
@click.option("--plugins-dir", type=click.Path(file_okay=False), envvar="AFTERSALES_PLUGINS_DIR", help="插件目录（放入即加载） / drop-in plugins folder.")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出报告 / print the report as JSON.")
@click.option("--examples", type=click.IntRange(0), default=3, show_default=True, help="每组列出的示例案例数 / example cases per group.")
@click.option("--explain", default=None, metavar="N|NUMBER",
              help="并排显示一个案例的新旧判定：--cases 的第 N 行；用案例库时为案例编号（或第 N 个案例） / show one "
                   "case decided both ways, side by side: line N of --cases; from the store, its case number (or "
                   "the N-th case).")
@click.option("--fail-on-change", is_flag=True, help="有案例判定改变时以退出码 1 结束（供自动检查用） / exit 1 when any case is decided differently (for CI).")
@click.option("--workers", type=click.IntRange(1), default=None, help="并行进程数（默认每个 CPU 核一个） / worker processes (when not given: one per CPU core).")
def diff(old_dir: str, new_dir: str, cases_file: str | None, from_store: bool, db_url: str | None, plugins_dir: str | None,
         as_json: bool, examples: int, explain: str | None, fail_on_change: bool, workers: int | None) -> None:
    """政策变更影响预览：哪些案例的判定会因政策改动而不同。

    用改动前后两套政策分别判定同一批案例，列出判定不同的案例。
    退出码：0 每个案例都比较了；1 有一行无法比较或没有给出案例
    （加 --fail-on-change 时，有案例的判定变了也是 1）；2 参数或政策有误；
    3 有案例在缺少插件的情况下判定。

    Preview which cases a policy change decides differently. Exit codes: 0 every case compared, 1
    a line could not be compared or no case was given (or, with --fail-on-change, a case changed),
    2 bad arguments or policies, 3 a case was decided without a plugin.
    """
    from aftersales.batch import replay as rp
    from aftersales.cli import message_lang
    from aftersales.cli._common import echo_json

    lang = message_lang()
    en = lang == "en"
    if bool(cases_file) == bool(from_store):
        from aftersales.cli.usage import Usage

        raise Usage("give exactly one of --cases FILE or --from-store", zh="--cases FILE 和 --from-store 要给一个，且只能给一个")
    options = {"old_dir": old_dir, "new_dir": new_dir, "plugins_dir": plugins_dir}
    source = "store" if from_store else cases_file
    if explain is not None:
        _explain(explain, options, cases_file, db_url, as_json, lang)
        return
    workers = workers or rp.default_workers()

    groups: dict[tuple, dict[str, Any]] = {}
    stats = rp.RunStats()
    changed_total = 0
    transitions: Counter = Counter()

    def on_result(result: rp.ChunkResult) -> None:
        nonlocal changed_total
        stats.add(result)
        for where, reason, zh in result.errors:
            if not as_json:
                click.echo(f"{rp.where_text(source, where, lang)}: {reason if en else zh}", err=True)
        for key, where, data, old, new, differences in result.extra or ():
            changed_total += 1
            transitions[(old["entitlement"], new["entitlement"])] += 1
            group = groups.get(key)
            if group is None:
                group = groups[key] = {
                    "from": key[0], "to": key[1], "rule": key[2], "changes_entitlement": key[3],
                    "changed": ", ".join(dict.fromkeys(c.aspect for c in differences)),
                    "changes": [{"aspect": c.aspect, "old_rule": c.old_rule, "new_rule": c.new_rule,
                                 "changes_entitlement": c.entitlement} for c in differences],
                    "cases": 0, "examples": []}
            group["cases"] += 1
            if len(group["examples"]) < examples:
                group["examples"].append({**rp.ref(where), "case": _case_brief(data, "en" if as_json else lang),
                                          "old": old, "new": new,
                                          "differences": [c.to_dict() for c in differences]})

    import time

    from aftersales.cli._common import report_registry

    old_reg, new_reg = rp.loaded_registries("diff", options)
    _refuse_broken_side(old_reg, new_reg, old_dir, new_dir)
    for registry in (old_reg, new_reg):   # said once: what is quarantined
        report_registry(registry)
    t0 = time.perf_counter()
    items = rp.store_items(db_url) if from_store else rp.jsonl_items(cases_file)
    rp.run(items, "diff", options, workers=workers, on_result=on_result)
    stats.seconds = time.perf_counter() - t0
    # another entitlement first, then what another remedy needs, then the terms alone
    ordered = sorted(groups.values(), key=lambda g: (not g["changes_entitlement"], g["from"] == g["to"], -g["cases"],
                                                     g["from"], g["to"], g["rule"], g["changed"]))
    errors = stats.total - stats.decided
    from aftersales.batch.impact import apart

    told_by_key = apart(list(groups))
    told = {id(group): told_by_key[key] for key, group in groups.items() if key in told_by_key}

    if as_json:
        echo_json({
            "old": old_dir, "new": new_dir, "source": source,
            "cases": stats.total, "compared": stats.decided, "changed": changed_total, "errors": errors,
            "changed_entitlement": sum(g["cases"] for g in ordered if g["changes_entitlement"]),
            "errors_by_kind": dict(stats.error_kinds),
            "plugin_failures": sum(stats.plugin_failures.values()),
            "plugin_failures_by_plugin": dict(stats.plugin_failures.most_common()),
            "first_errors": [{**rp.ref(w), "reason": r} for w, r in stats.errors],
            "groups": ordered,
        })
    else:
        out = _wrapped_echo()
        # the entitlement itself changed (another remedy or basis), not only what another remedy needs
        entitled = sum(g["cases"] for g in ordered if g["changes_entitlement"] and g["from"] != g["to"])
        if en:
            out(f"{stats.decided:,} cases compared ({old_dir} → {new_dir}): {changed_total:,} decided differently"
                + (f" ({entitled:,} with another entitlement)" if changed_total else "")
                + (f", {errors:,} not compared (bad lines)" if errors else ""))
        else:
            out(f"比较了 {stats.decided:,} 个案例（{old_dir} → {new_dir}）：{changed_total:,} 个判定不同"
                + (f"（其中 {entitled:,} 个权益改变）" if changed_total else "")
                + (f"，{errors:,} 个未比较（坏行）" if errors else ""))
        for g in ordered:
            n = g["cases"]
            same = g["from"] == g["to"]    # what another remedy needs changed, not the entitlement
            if en:
                what = (f"{g['from']} (same entitlement), what another remedy needs changed [{g['changed']}]"
                        if g["changes_entitlement"] and same else
                        f"{g['from']} → {g['to']} [entitlement changes]" if g["changes_entitlement"]
                        else f"same entitlement, terms changed [{g['changed']}]")
                out(f"\n{what}: {n:,} case{'s' if n != 1 else ''}, rule {g['rule']}{_apart_text(g, told.get(id(g)), lang)}")
            else:
                changed = "、".join(_aspect(a, lang) for a in g["changed"].split(", "))
                what = (f"{_label(g['from'], lang)}（权益不变），其他处理方式的条件改变 [{changed}]"
                        if g["changes_entitlement"] and same else
                        f"{_label(g['from'], lang)} → {_label(g['to'], lang)} [权益改变]" if g["changes_entitlement"]
                        else f"权益不变，条款改变 [{changed}]")
                out(f"\n{what}：{n:,} 个案例，规则 {g['rule']}{_apart_text(g, told.get(id(g)), lang)}")
            for ex in g["examples"]:
                where = f"line {ex['line']}" if "line" in ex else f"case {ex['number']}"
                if not en:
                    where = f"第 {ex['line']} 行" if "line" in ex else f"第 {ex['number']} 个案例"
                out(f"  {where}{': ' if en else '：'}{ex['case']}")
                out(f"      {'old: ' if en else '旧：'}{_outcome_text(ex['old'], lang)}")
                out(f"      {'new: ' if en else '新：'}{_outcome_text(ex['new'], lang)}")
                for change in ex["differences"]:
                    out(f"      {_change_line(change, lang)}")
        if ordered:
            first = ordered[0]["examples"][0] if ordered[0]["examples"] else None
            if first is not None and "line" in first:
                out(("\nsee one case both ways: --explain " if en else "\n逐条对比某个案例：--explain ") + str(first["line"]))
        elif stats.decided:
            out("no case is decided differently" if en else "没有判定不同的案例")
            for pid, version, start in _later_versions(old_dir, new_dir):
                # a change from a day to come: cases dated before it cannot show it (0 read as "no effect")
                out(f"note: {pid} {version} of the new policies takes effect on {start}, after today; cases dated "
                    f"before it cannot show the change: compare on cases from that day (aftersales cases generate "
                    f"--from {start} --to ...)" if en else
                    f"注意：新政策中的 {pid} {version} 自 {start} 起生效，晚于今天；日期都在此之前的案例比较不出差别："
                    f"请用覆盖该日期的案例再比较（aftersales cases generate --from {start} --to …）")
        if stats.plugin_failures:
            counts = ", ".join(f"{p}: {n:,}" for p, n in stats.plugin_failures.most_common())
            out(f"plugin failures: {counts} (cases decided without the plugin, or not decided: it is quarantined)" if en
                else f"插件出错：{counts}（这些案例缺少该插件的结论，或因插件已隔离而未判定）")
    if stats.plugin_failures:   # a comparison with a plugin missing says nothing about the change
        raise SystemExit(3)
    if errors or not stats.total:   # a case not compared may be one that changed: never a pass
        if not stats.total and not as_json:
            where = ("the case store", "案例库") if from_store else ("the cases file", "案例文件")
            click.echo(f"no case to compare: {where[0]} has none" if en else f"没有可比较的案例：{where[1]}中没有案例",
                       err=True)
        raise SystemExit(1)
    if fail_on_change and changed_total:
        raise SystemExit(1)


# ----------------------------------------------------------------------------- --explain

def _refuse_broken_side(old_reg: Any, new_reg: Any, old_dir: str, new_dir: str) -> None:
    """A plugin quarantined on one side only means that side's policy folder does not load: the
    comparison would count every case of its brands as a bad line. Refused before any case is
    read, naming the side and the first problem (as ``policy publish`` refuses a broken folder)."""
    from aftersales.core.errors import PolicyError

    for side, folder, registry, other in (("--old", old_dir, old_reg, new_reg), ("--new", new_dir, new_reg, old_reg)):
        broken = [q for name, q in registry.quarantined.items() if name not in other.quarantined]
        if broken:   # the editor's file is what is wrong: said as validate says it, no plugin named
            q = broken[0]
            where = {lang: f"{q.where_in(lang)}: " if q.where else "" for lang in ("en", "zh")}
            raise PolicyError(f"the {side} policies ({folder}) do not load: {where['en']}{q.reason} "
                              f"(aftersales policy validate {folder} lists every problem)",
                              zh=f"{side} 的政策（{folder}）无法加载：{where['zh']}{q.reason_zh or q.reason}"
                                 f"（aftersales policy validate {folder} 列出全部问题）")


def _trace_lines(decision: Any, lang: str = "en") -> list[str]:
    """A decision's trace, a line a step: its rule, its effect in ``lang``, its detail."""
    from aftersales.authoring.messages import effect_text
    from aftersales.cli.render import trace_detail

    return [f"{t.policy or t.plugin}/{t.rule} {effect_text(t.effect, lang)}"
            + (f" {trace_detail(t.effect, t.detail, lang)}" if t.detail else "") for t in decision.trace]


def _explain(number: str, options: dict[str, Any], cases_file: str | None, db_url: str | None, as_json: bool,
             lang: str) -> None:
    """Case ``number`` decided with the old and the new policies, side by side."""
    import difflib
    import shutil

    from aftersales.batch import replay as rp
    from aftersales.batch.impact import compare, outcome
    from aftersales.cli._common import echo_json

    en = lang == "en"
    number = number.strip()
    position = int(number) if number.isdigit() else None
    if cases_file is not None and not position:
        raise ExplainError(f"--explain {number}: give the line number of the case in {cases_file} (1, 2, …)",
                           zh=f"--explain {number}：请给出案例在 {cases_file} 中的行号（1、2……）")
    items = rp.store_items(db_url) if cases_file is None else rp.jsonl_items(cases_file)
    item = None
    for index, candidate in enumerate(items, start=1):
        where = candidate[0]  # a line number (file) or a case number (store)
        if where == position if isinstance(where, int) else (where == number or index == position):
            item = candidate
            break
    if item is None:
        raise ExplainError(f"--explain {number}: no such case in {cases_file or 'the store'}",
                           zh=f"--explain {number}：{cases_file or '案例库'} 里没有这个案例")
    rp.setup_worker("diff", options)
    old_reg, new_reg = rp._STATE["old"], rp._STATE["new"]
    try:
        data = rp.decode(item)
    except rp.BadLine as exc:
        raise ExplainError(f"--explain {number}: {exc}", zh=f"--explain {number}：{exc.zh}") from None
    sides = []
    for registry in (old_reg, new_reg):
        try:
            sides.append(registry.evaluate(registry.parse_case(data)))
        except AftersalesError as exc:
            raise ExplainError(f"--explain {number}: the case cannot be decided: {exc}",
                               zh=f"--explain {number}：这个案例无法判定：{exc.line('zh')}") from None
    old_d, new_d = sides
    old_o, new_o = outcome(old_d), outcome(new_d)
    differences = compare(old_o, new_o)
    old_t, new_t = _trace_lines(old_d, "en" if as_json else lang), _trace_lines(new_d, "en" if as_json else lang)
    pairs: list[tuple[str, str]] = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(a=old_t, b=new_t, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        left, right = old_t[a1:a2], new_t[b1:b2]
        for i in range(max(len(left), len(right))):
            pairs.append((left[i] if i < len(left) else "", right[i] if i < len(right) else ""))
    if as_json:
        echo_json({"case": item[0], "old": old_d.to_dict(), "new": new_d.to_dict(),
                   "differences": [c.to_dict() for c in differences],
                   "trace_differences": [{"old": a, "new": b} for a, b in pairs]})
        return
    out = click.echo
    total = max(80, min(shutil.get_terminal_size((120, 24)).columns, 200))
    left_w = (total - 3) // 2
    where = item[0]
    if isinstance(where, int):
        head = f"case {where}: {_case_brief(data, lang)}" if en else f"第 {where} 个案例：{_case_brief(data, lang)}"
    else:
        head = f"case {where}: {_case_brief(data, lang)}" if en else f"案例 {where}：{_case_brief(data, lang)}"
    out(head)
    out(_pad(("old policies " if en else "旧政策 ") + options["old_dir"], left_w) + " │ "
        + ("new policies " if en else "新政策 ") + options["new_dir"])
    rows = [("entitlement" if en else "权益", _outcome_text(old_o, lang), _outcome_text(new_o, lang))]
    for change in differences:
        by = "  ({})" if en else "（{}）"   # the rule that decided it
        rows.append((_aspect(change.aspect, lang), _value(change.aspect, change.old, lang) + by.format(change.old_rule or "-"),
                     _value(change.aspect, change.new, lang) + by.format(change.new_rule or "-")))
    colon = ": " if en else "："
    for name, a, b in rows:
        out(_pad(f"{name}{colon}{a}", left_w) + " │ " + _cut(f"{name}{colon}{b}", left_w))
    out("")
    if pairs:
        out("trace lines that differ:" if en else "不同的追踪记录：")
    elif differences:   # the same rules with the same results: the dates above are what moved
        out("every rule checked has the same result on both sides: what differs is only what is listed above"
            if en else "两边逐条检查的规则和结果都相同：不同之处只是上面列出的")
    else:
        out("the two decisions and their traces are the same" if en else "两边的判定和追踪记录都相同")
    for a, b in pairs:
        out(_pad(("- " + a) if a else "", left_w) + " │ " + _cut(("+ " + b) if b else "", left_w))
