"""``aftersales cases generate N [--seed S]``: realistic v1 cases as JSON Lines.

Reproducible: the same N, seed and date range give byte-identical output. For benchmarks,
replays and tests (see ``aftersales.batch.generate``). Also runnable as
``python -m aftersales.cli.generate N``.
"""

from __future__ import annotations

import sys

import click

from aftersales.cli._common import output_file


@click.command()
@click.argument("n", type=click.IntRange(0), metavar="N")
@click.option("--seed", type=int, default=0, show_default=True, help="随机种子；种子相同，案例相同 / random seed; same seed, same cases.")
@click.option("--out", "out_path", default="-", show_default=True, metavar="FILE", help="写到哪里（'-'：标准输出） / where to write ('-': standard output).")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), default="2025-01-01", show_default=True, metavar="YYYY-MM-DD",
              help="案例日期的最早一天 / first possible case date.")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), default="2026-12-31", show_default=True, metavar="YYYY-MM-DD",
              help="案例日期的最晚一天 / last possible case date.")
def generate(n: int, seed: int, out_path: str, start, end) -> None:
    """生成模拟案例 / Generate N realistic cases (JSON Lines, one v1 case per line).

    像柜台一样的组合：品牌（apple、huawei、generic）、地区（MTLE3CH/A、ZP/A、LL/A；
    BRA-AL00、-L29）、购买渠道、购买日期、单证、故障、外观、维修记录和服务计划。
    每个 IMEI 的校验位都正确。

    A counter-like mix of brands (apple, huawei, generic), regions (MTLE3CH/A, ZP/A, LL/A;
    BRA-AL00, -L29), channels, purchase dates, papers, faults, conditions, repair history and
    service plans. Every IMEI has a valid check digit.
    """
    import json

    from aftersales.batch.generate import generate_cases

    if end < start:
        raise click.BadParameter("ends before --from", param_hint="--to")
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    with output_file(out_path) as out:
        buf: list[str] = []
        for case in generate_cases(n, seed, start=start.date(), end=end.date()):
            buf.append(dumps(case))
            if len(buf) >= 2000:
                buf.append("")
                out.write("\n".join(buf))
                buf = []
        if buf:
            buf.append("")
            out.write("\n".join(buf))
    if out_path != "-":   # written to a file: say so (to standard output the cases speak for themselves)
        from aftersales.cli import message_lang

        click.echo(f"{n:,} cases written to {out_path}" if message_lang() == "en" else
                   f"已生成 {n:,} 个案例：{out_path}", err=True)


if __name__ == "__main__":  # pragma: no cover
    from aftersales.cli.group import run

    sys.exit(run(generate, None))
