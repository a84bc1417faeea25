"""``aftersales evaluate CASE``: decide one case and explain it."""

from __future__ import annotations

import click

from aftersales.cli import message_lang
from aftersales.cli._common import echo_json, echo_out, make_registry


@click.command()
@click.argument("case_file", metavar="CASE", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--json", "as_json", is_flag=True, help="输出 v1 判定 JSON / print the v1 decision JSON.")
@click.option("--trace", "show_trace", is_flag=True,
              help="列出引擎检查过的每条规则，附政策编辑的来源注记 / show every rule the engine checked, with the policy editors' references.")
@click.option("--plugins-dir", type=click.Path(file_okay=False), envvar="AFTERSALES_PLUGINS_DIR", help="插件目录（放入即加载） / drop-in plugins folder.")
@click.option("--policies", "policies_dir", type=click.Path(file_okay=False), help="使用此文件夹中的政策，代替内置政策 / use the policies in this folder instead of the bundled ones.")
@click.option("--db", "db_url", envvar="AFTERSALES_DB", metavar="URL",
              help="案例库地址：按其中生效的政策包判定（--policies 优先）；环境变量 AFTERSALES_DB / case store whose "
                   "policy bundle in force decides (--policies wins); env AFTERSALES_DB.")
def evaluate(case_file: str, as_json: bool, show_trace: bool, plugins_dir: str | None, policies_dir: str | None,
             db_url: str | None) -> None:
    """判定一个案例：退货、换货、免费维修还是付费维修，缺哪些单证，如何换货。

    CASE 是一个案例文件（YAML 或 JSON，v1 案例格式）；写 - 则从标准输入读取。
    退出码：0 已判定；2 案例或政策有误（或标准输出无法写入）；3 有插件出错
    （读标准输出的一方已关闭时也是 3，例如接了 | head）。

    Decide one case file (YAML or JSON, the v1 case format; "-" reads standard input).
    Exit codes: 0 decided, 2 bad case or policy (or standard output cannot be written), 3 a
    plugin failed (also when the reader of standard output has gone, as with "| head").
    """
    import datetime
    import sys

    from aftersales.core.casefile import load_case_file, load_case_stream
    from aftersales.core.errors import PluginError

    lang = message_lang()
    if case_file == "-":
        data = load_case_stream(sys.stdin.buffer, "<stdin>")
    else:
        data = load_case_file(case_file)
    from aftersales.cli._common import store_engine

    engine = None if policies_dir else store_engine(db_url)
    try:
        registry = make_registry(plugins_dir, policies_dir, engine=engine)
    finally:
        if engine is not None:
            engine.dispose()
    case = registry.parse_case(data, today=datetime.date.today())
    from aftersales.core.registry import plugins_print_to_stderr

    with plugins_print_to_stderr():   # what a plugin prints never mixes into the answer (--json)
        decision = registry.evaluate(case)
    from aftersales.cli.render import render_decision, trace_refs

    refs = trace_refs(registry) if show_trace else None
    if as_json:
        out = decision.to_dict()
        if refs:  # the editors' references, only with --trace
            for step in out["trace"]:
                ref = refs.get((step["policy"], step["rule"]))
                if ref:
                    step["ref"] = ref
        echo_json(out)
    else:
        from aftersales.core.plugininfo import brand_name

        name = brand_name(registry.brands, decision.brand, lang)
        echo_out(render_decision(decision, lang=lang, trace=show_trace, refs=refs, brand=name,
                                 policies=registry.all_policies()))
    if decision.plugin_errors:
        failure = decision.plugin_errors[0]   # it carries its own Chinese (``PluginFailure.text``)
        raise PluginError(f"plugin {failure.plugin!r} failed in {failure.hook}: {failure.text('en')}",
                          plugin=failure.plugin,
                          zh=f"插件 {failure.plugin!r} 在 {failure.hook} 中出错：{failure.text('zh')}")
