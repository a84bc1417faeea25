"""``aftersales replay CASES.jsonl``: decide many cases in one run (an auditor's replay).

Reads one v1 case per line (JSON Lines), decides each with the policies in force, and writes one
JSON line per input line, in input order, to ``--out`` (standard output by default):

* a decided case: ``{"line": N, ...compact decision...}`` (see ``aftersales.batch.compact.compact_decision``);
  ``--full`` writes the whole v1 decision without its trace, ``--trace`` the whole decision with it;
* a bad line: ``{"line": N, "error": "reason"}`` — and the same reason on standard error as
  ``CASES.jsonl:N: reason``. The run goes on.

Ends with a summary on standard error: cases per entitled remedy and basis, errors by kind.
Exit codes: 0 every line decided, 1 some line failed, 2 bad arguments, policies or output path.
"""

from __future__ import annotations

import contextlib
import sys
from typing import Any

import click

from aftersales.cli._common import message_lang, output_file


class Progress:
    """A rich progress bar on standard error (bytes read for the bar and time left, cases for the rate)."""

    def __init__(self, total_bytes: int | None, total_cases: int | None = None, lang: str = "zh") -> None:
        from rich.console import Console
        from rich.progress import BarColumn, TaskProgressColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
        from rich.progress import Progress as RichProgress

        self._bytes = total_bytes is not None
        self._zh = lang != "en"
        words = ("[bold]重放", "{task.fields[cases]:,} 个案例", "剩余") if self._zh else \
            ("[bold]replay", "{task.fields[cases]:,} cases", "ETA")
        self.progress = RichProgress(
            TextColumn(words[0]), BarColumn(), TaskProgressColumn(),
            TextColumn(words[1]), TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(), TextColumn(words[2]), TimeRemainingColumn(),
            console=Console(stderr=True), transient=False, refresh_per_second=4,
        )
        self.task = self.progress.add_task("replay", total=total_bytes if self._bytes else total_cases,
                                           cases=0, rate="")
        self.done = 0
        import time

        self._clock = time.perf_counter
        self._start = self._clock()

    def __enter__(self) -> Progress:
        self.progress.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.progress.stop()

    def bytes(self, n: int) -> None:
        if self._bytes:
            self.progress.advance(self.task, n)

    def cases(self, n: int) -> None:
        self.done += n
        elapsed = self._clock() - self._start
        rate = "" if elapsed <= 0 else f"每秒 {self.done / elapsed:,.0f} 个" if self._zh else \
            f"{self.done / elapsed:,.0f} cases/s"
        self.progress.update(self.task, cases=self.done, rate=rate)
        if not self._bytes:
            self.progress.advance(self.task, n)


def print_summary(stats: Any, *, workers: int, lang: str = "zh") -> None:
    """The run's summary on stderr: how many cases and how fast, the entitlements, the lines not
    decided by kind, the plugin failures; in Chinese unless ``lang`` is ``en``."""
    from aftersales.core.vocab import label

    err = sys.stderr
    zh = lang != "en"
    failed = stats.total - stats.decided
    speed = f"{stats.total / stats.seconds:,.0f}" if stats.seconds else ""
    # lines not decided are not counted as cases replayed (the errors line says them)
    if zh:
        print(f"已重放 {stats.total:,} 行（判定 {stats.decided:,} 个案例），用时 {stats.seconds:.2f} 秒"
              f"（每秒 {speed} 行，{workers} 个进程）" if failed else
              f"已重放 {stats.total:,} 个案例，用时 {stats.seconds:.2f} 秒（每秒 {speed} 个，{workers} 个进程）", file=err)
    else:
        rate = f"{speed} {'lines' if failed else 'cases'}/s" if speed else ""
        done = f"{stats.total:,} lines ({stats.decided:,} cases decided)" if failed else f"{stats.total:,} cases"
        print(f"replayed {done} in {stats.seconds:.2f} s ({rate}, {workers} worker{'s' if workers != 1 else ''})",
              file=err)
    if stats.outcomes:
        if zh:   # (each Chinese character takes two columns)
            print(f"  {'权益':<11} {'依据':<14} {'案例数':>7}  {'占比':>4}", file=err)
        else:
            print(f"  {'entitlement':<13} {'basis':<16} {'cases':>10}  {'share':>6}", file=err)
        for (remedy, basis), n in stats.outcomes.most_common():
            share = 100.0 * n / stats.decided if stats.decided else 0.0
            print(f"  {remedy:<13} {basis:<16} {n:>10,}  {share:5.1f}%  {label('remedy', remedy)}·{label('basis', basis)}", file=err)
    if zh:
        kinds = "，".join(f"{k} {n:,} 行" for k, n in stats.error_kinds_zh.most_common())
        print(f"错误：{failed:,} 行未能判定（{kinds}）" if failed else "错误：无", file=err)
    else:
        kinds = ", ".join(f"{k}: {n:,}" for k, n in stats.error_kinds.most_common())
        print(f"errors: {failed:,} line{'s' if failed != 1 else ''} not decided ({kinds})" if failed else "errors: none",
              file=err)
    failures = sum(stats.plugin_failures.values())
    by_plugin = ("，" if zh else ", ").join(f"{p}: {n:,}" for p, n in stats.plugin_failures.most_common())
    if zh:
        print(f"插件故障：{failures:,} 个案例遇到出错的插件（{by_plugin}）：已判定的未采用该插件的答复，"
              f"未判定的（品牌插件已隔离）计入上面的错误" if failures else "插件故障：无", file=err)
    else:
        print(f"plugin failures: {failures:,} cases met a failed plugin ({by_plugin}): those decided left its answer "
              f"out; those not decided (their brand's plugin quarantined) are counted in errors above" if failures
              else "plugin failures: none", file=err)


def _policies_of_the_counter(options: dict, db_url: str | None, from_store: bool) -> None:
    """The policies a replay decides with, as every command does (``store.policysource``): the
    ``--policies`` folder, else the counter's own folder, else the bundle in force in the store
    the run reads (``--from-store``) or names (``--db`` / ``AFTERSALES_DB``)."""
    import os

    from aftersales.store.policysource import policy_source

    if options["policies_dir"]:
        return
    url = db_url or os.environ.get("AFTERSALES_DB")
    engine = None
    if from_store or url:
        from aftersales.store import db

        engine = db.open_engine(url)
    try:
        source = policy_source(None, engine)
    finally:
        if engine is not None:
            engine.dispose()
    if source.kind == "folder":
        options["policies_dir"] = source.folder
    elif source.kind == "bundle":
        options["bundle"] = {"db": url, "id": source.bundle.id}


@click.command()
@click.argument("cases_file", metavar="CASES.jsonl", required=False,
                type=click.Path(exists=True, dir_okay=False, allow_dash=False))
@click.option("--policies", "policies_dir", type=click.Path(exists=True, file_okay=False),
              help="使用此文件夹中的政策（按 id 取代内置政策） / use the policies in this folder (they replace the bundled ones by id).")
@click.option("--plugins-dir", type=click.Path(file_okay=False), envvar="AFTERSALES_PLUGINS_DIR", help="插件目录（放入即加载） / drop-in plugins folder.")
@click.option("--out", "out_path", metavar="DECISIONS.jsonl", default="-", show_default=True,
              help="判定写到哪里，每个输入行一行 JSON（'-'：标准输出） / where the decisions go, one JSON line per input line ('-': standard output).")
@click.option("--workers", type=click.IntRange(1), default=None, help="并行进程数（默认每个 CPU 核一个） / worker processes (when not given: one per CPU core).")
@click.option("--full", "full", is_flag=True, help="写完整的 v1 判定（不含规则检查记录），而不是精简版 / write the whole v1 decision (without trace) instead of the compact one.")
@click.option("--trace", "with_trace", is_flag=True, help="写完整的 v1 判定及规则检查记录（最大、最慢） / write the whole v1 decision with its trace (largest, slowest).")
@click.option("--from-store", is_flag=True, help="重放案例库中的案例，而不是文件 / replay the cases in the case store instead of a file.")
@click.option("--db", "db_url", envvar="AFTERSALES_DB", metavar="URL",
              help="案例库地址：--from-store 读其中的案例，并按其中生效的政策包判定；环境变量 AFTERSALES_DB / case store: "
                   "its cases for --from-store, and its policy bundle in force decides; env AFTERSALES_DB.")
@click.option("--summary-json", "summary_json", type=click.Path(), metavar="FILE",
              help="另把摘要以 JSON 写入 FILE / also write the summary as JSON to FILE.")
@click.option("--quiet", "-q", is_flag=True, help="不显示进度条和逐行错误（仍输出摘要） / no progress bar and no per-line error messages (the summary stays).")
def replay(cases_file: str | None, policies_dir: str | None, plugins_dir: str | None, out_path: str, workers: int | None,
           full: bool, with_trace: bool, from_store: bool, db_url: str | None, summary_json: str | None, quiet: bool) -> None:
    """批量重放案例 / Replay many cases (JSON Lines) through the engine.

    每个输入行输出一行判定，顺序不变；有问题的行报告行号，其余照常进行。
    在终端上显示进度条（速度、剩余时间）。
    退出码：0 全部已判定；1 有行失败；2 参数、政策或输出路径有误；
    3 有案例在缺少插件（或插件被隔离）的情况下判定。

    One decision line per input line, in order; bad lines are reported with their line number
    and the run goes on. A progress bar (rate, time left) shows on a terminal.
    Exit codes: 0 all decided, 1 some line failed, 2 bad arguments, policies or output path,
    3 some case was decided without a plugin (or its plugin is quarantined).
    """
    import json

    from aftersales.batch import replay as rp
    from aftersales.cli.usage import Usage

    if from_store and cases_file:
        raise Usage("give either CASES.jsonl or --from-store, not both",
                    zh="CASES.jsonl 和 --from-store 只能给一个")
    if not from_store and not cases_file:
        raise Usage("missing CASES.jsonl (or --from-store)", zh="缺少 CASES.jsonl（或 --from-store）")
    if from_store:
        try:
            import aftersales.store  # noqa: F401
        except ImportError as exc:  # pragma: no cover - the store ships with the package
            raise Usage(f"--from-store needs the case store (aftersales.store): {exc}",
                        zh=f"--from-store 需要案例库（aftersales.store）：{exc}") from None

    workers = workers or rp.default_workers()
    options = {"policies_dir": policies_dir, "plugins_dir": plugins_dir,
               "format": "full" if (full or with_trace) else "compact", "trace": with_trace}
    _policies_of_the_counter(options, db_url, from_store)
    show_progress = not quiet and sys.stderr.isatty()
    source = "store" if from_store else cases_file

    lang = message_lang(None)

    def report(where: Any, reason: str, zh: str) -> None:
        if not quiet:
            msg = f"{rp.where_text(source, where, lang)}: {zh if lang == 'zh' else reason}"
            if progress is not None:
                progress.progress.console.print(msg, markup=False, highlight=False)
            else:
                click.echo(msg, err=True)

    progress = None
    # the outputs first: a path that cannot be written stops the run before any input is read;
    # each file is written whole or not at all (policies that fail to load leave none)
    with contextlib.ExitStack() as outputs:
        summary_out = outputs.enter_context(output_file(summary_json)) if summary_json else None
        out = outputs.enter_context(output_file(out_path))
        from aftersales.cli._common import report_registry

        for registry in rp.loaded_registries("replay", options):   # said once: what is quarantined
            report_registry(registry)
        if show_progress:
            import os

            if from_store:
                progress = Progress(None, rp.store_count(db_url), lang)
            else:
                progress = Progress(os.path.getsize(cases_file), lang=lang)
            with progress:
                stats = rp.replay_file(cases_file, out, workers=workers, options=options, from_store=from_store,
                                       db_url=db_url, progress=progress, report=report)
        else:
            stats = rp.replay_file(cases_file, out, workers=workers, options=options, from_store=from_store,
                                   db_url=db_url, report=report)
        if summary_out is not None:
            json.dump({**stats.to_dict(), "workers": workers, "source": source,
                       "first_errors": [{**rp.ref(w), "reason": r} for w, r in stats.errors]},
                      summary_out, ensure_ascii=False, indent=2)
    print_summary(stats, workers=workers, lang=lang)
    if stats.plugin_failures:
        raise SystemExit(3)
    if stats.total != stats.decided:
        raise SystemExit(1)
