"""``aftersales plugins list``: what is loaded, from where, with which policies."""

from __future__ import annotations

import click

from aftersales.cli._common import echo_json

#: (Chinese, English) words of the listing
_STATES = {"ok": ("正常", "ok"), "quarantined": ("已隔离", "quarantined"), "hook failed": ("钩子出错", "hook failed")}
_BY = {"purchase_date": "购买日期", "case_date": "受理日期"}
#: how the engine runs (``engine_build``; README, "Building")
_ENGINE = {
    "compiled": ("引擎：已编译（wheel 安装）", "engine: compiled (installed from a wheel)"),
    "wheel": ("引擎：未编译（所装的 wheel 是按 AFTERSALES_COMPILE=0 构建的，或没有适合本机 Python 的已编译 wheel；"
              "在本机用 pip install . 安装即编译，判定相同、更快）",
              "engine: not compiled (the wheel installed was built with AFTERSALES_COMPILE=0, or no compiled wheel "
              "fitted this Python; pip install . on this machine compiles it: same decisions, faster)"),
    "editable": ("引擎：源代码解释执行（可编辑安装；用 pip install . 安装即编译，判定相同、更快）",
                 "engine: interpreted source (an editable install; pip install . compiles it: same decisions, faster)"),
}


def engine_build() -> str:
    """How the engine this process decides with runs: ``compiled`` (a wheel's), ``wheel`` (a
    wheel built without compiling: the engine's source in site-packages) or ``editable`` (the
    source of a checkout, as ``pip install -e`` runs it)."""
    import site
    from pathlib import Path

    from aftersales.core import engine

    if engine.COMPILED:
        return "compiled"
    where = Path(engine.__file__).resolve()
    installed = [*site.getsitepackages(), site.getusersitepackages()]
    return "wheel" if any(where.is_relative_to(Path(folder).resolve()) for folder in installed) else "editable"


@click.group()
def plugins() -> None:
    """已加载的插件 / Loaded plugins."""


@plugins.command("list")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON / print JSON.")
@click.option("--plugins-dir", type=click.Path(file_okay=False), envvar="AFTERSALES_PLUGINS_DIR", help="插件目录（放入即加载） / drop-in plugins folder.")
@click.option("--db", "db_url", envvar="AFTERSALES_DB", metavar="URL",
              help="案例库地址：列出其中生效的政策包的政策；环境变量 AFTERSALES_DB / case store whose policy bundle "
                   "in force is listed; env AFTERSALES_DB.")
def list_plugins(as_json: bool, plugins_dir: str | None, db_url: str | None) -> None:
    """列出插件：名称、版本、来源（内置、已安装的包、插件文件夹）、钩子、品牌，以及每个政策的版本、生效日期和校验状态（有效、警告数或第一个错误）。给出 --db（或 AFTERSALES_DB）时，列出该案例库判定所用的政策：本机的政策文件夹，否则案例库中生效的政策包。有插件加载失败或政策无效时退出码为 1。

    List plugins: name, version, origin (bundled / entry point / folder), hooks, brands, and
    each policy with its version, effective dates and validation state (valid, warnings, or the
    first error). With --db (or AFTERSALES_DB), the policies are those the store there
    decides with: the counter's own folder, else the store's bundle in force. Exit 1 when a plugin
    failed to load or a policy is invalid.
    """
    from aftersales.cli._common import say_bundle_passed_over, store_engine
    from aftersales.core.registry import Registry, load_plugins
    from aftersales.store.policysource import policy_source, refuse_broken

    engine = store_engine(db_url)   # the policies every command uses: the counter's folder, else the store's bundle
    try:
        source = policy_source(None, engine)
        say_bundle_passed_over(source, engine)
    finally:
        if engine is not None:
            engine.dispose()
    refuse_broken(source)   # as every command refuses it: the store decides nothing with it
    kwargs: dict = {}
    if source.kind == "folder":
        kwargs["policies_dir"] = source.folder
    elif source.kind == "bundle":
        kwargs.update(policy_files=source.bundle.files, bundle=source.bundle.ref)
    registry = Registry(load_plugins(plugins_dir=plugins_dir), strict=False, **kwargs)
    floor = registry.floor_issues()
    per_source: dict[str, int] = {}
    for issue in floor:
        if issue.severity == "warning":   # not those the policy acknowledges
            per_source[issue.file] = per_source.get(issue.file, 0) + 1
    infos = list(registry.plugins.values())
    for info in infos:
        for p in info.policies:
            if p.get("valid") and "source" in p:
                p["warnings"] = p.get("warnings", 0) + per_source.get(p["source"], 0)
                p["state"] = "valid" if not p["warnings"] else f"valid, {p['warnings']} warnings"
            else:
                p["state"] = "invalid"
    errors = registry.errors
    quarantined = registry.quarantined
    failed_hooks = {f.plugin for f in registry.failures}

    def state(name: str) -> str:
        if name in quarantined:
            return "quarantined"
        return "hook failed" if name in failed_hooks else "ok"

    build = engine_build()
    if as_json:
        echo_json({
            "plugins": [dict(info.to_dict(), state=state(info.name),
                             quarantine=quarantined[info.name].to_dict() if info.name in quarantined else None,
                             hook_failures=[{"hook": f.hook, "error": f.error, "error_zh": f.error_zh}
                                            for f in registry.failures if f.plugin == info.name])
                        for info in infos],
            "statutory": registry.statutory_loaded,
            "policies_from": source.describe(),
            "engine_compiled": build == "compiled",
            "engine": build,
            "errors": [i.to_dict() for i in errors],
            "warnings": [i.to_dict() for i in floor],
            "folder_warnings": [str(w) for w in registry.warnings],
            # what every other command says on loading too (a brand two plugins claim: the first keeps it)
            "load_warnings": [{"plugin": getattr(p, "plugin", None), "message": str(p),
                               "message_zh": getattr(p, "message_zh", None) or str(p)}
                              for p in registry.load_errors if getattr(p, "plugin", None) not in quarantined],
        })
    else:
        from aftersales.cli._common import message_lang, not_legal, warn
        from aftersales.core.plugininfo import ORIGINS, said_in

        lang = message_lang()
        zh = lang == "zh"
        click.echo(("政策来源：" if zh else "policies: ") + source.describe(lang))
        click.echo(_ENGINE[build][0 if zh else 1])
        for info in infos:
            origin = ORIGINS.get(info.origin, (info.origin, info.origin))[0 if zh else 1]
            shown = _STATES.get(state(info.name), (state(info.name),) * 2)[0 if zh else 1]
            click.echo(f"{info.name} {info.version}" + (f"（{origin}）" if zh else f" ({origin}) ") + f"[{shown}]"
                       + ((f" — 错误：{info.error_zh}" if zh else f" — ERROR: {info.error}") if info.error else ""))
            if info.name in quarantined:
                click.echo(f"  {quarantined[info.name].line(lang)}")
            if info.brands:
                click.echo(("  品牌：" if zh else "  brands: ") + ", ".join(info.brands))
            if info.hooks:
                click.echo(("  钩子：" if zh else "  hooks: ") + ", ".join(info.hooks))
            for p in info.policies:
                if p["state"] == "invalid":
                    click.echo(f"  政策：{p.get('source')} 无效：{p.get('error_zh') or p.get('error', '')}" if zh else
                               f"  policy: {p.get('source')} INVALID: {p.get('error', '')}")
                    continue
                eff = p["effective"]
                by = eff.get("by", "purchase_date")
                if zh:
                    valid = "有效" if not p["warnings"] else f"有效，{p['warnings']} 个警告"
                    click.echo(f"  政策：{p['id']} {p['version']} [{eff['from']} 起{'至 ' + eff['until'] if eff['until'] else ''}，"
                               f"按{_BY.get(by, by)}]（{p['source']}）{valid}")
                else:
                    click.echo(f"  policy: {p['id']} {p['version']} [{eff['from']}..{eff['until'] or ''} by {by}] "
                               f"({p['source']}) {p['state']}")
        if not registry.statutory_loaded:
            warn(not_legal(), lang)
        for problem in registry.load_errors:   # as every other command says them (a brand two plugins claim)
            if getattr(problem, "plugin", None) not in quarantined:
                warn(problem, lang)
        for warning in registry.warnings:
            warn(warning, lang)
        for issue in errors:
            click.echo(("错误：" if zh else "error: ") + said_in(issue, lang), err=True)
    if errors:
        raise SystemExit(1)
