"""``aftersales plugins list``: what is loaded, from where, with which policies."""

from __future__ import annotations

import click

from aftersales.cli._common import echo_json


@click.group()
def plugins() -> None:
    """已加载的插件 / Loaded plugins."""


@plugins.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--plugins-dir", type=click.Path(file_okay=False), envvar="AFTERSALES_PLUGINS_DIR", help="Drop-in plugins folder.")
def list_plugins(as_json: bool, plugins_dir: str | None) -> None:
    """List plugins: name, version, origin (bundled / entry point / folder), hooks, brands, and
    each policy with its version, effective dates and validation state (valid, warnings, or the
    first error). Exit 1 when a plugin failed to load or a policy is invalid.
    """
    from aftersales.cli._common import store_engine
    from aftersales.core.registry import Registry, load_plugins
    from aftersales.store.policysource import policy_source

    engine = store_engine()   # the policies every command uses: the counter's folder, else the store's bundle
    try:
        source = policy_source(None, engine)
    finally:
        if engine is not None:
            engine.dispose()
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

    if as_json:
        echo_json({
            "plugins": [dict(info.to_dict(), state=state(info.name),
                             quarantine=quarantined[info.name].to_dict() if info.name in quarantined else None)
                        for info in infos],
            "statutory": registry.statutory_loaded,
            "policies_from": source.describe(),
            "errors": [i.to_dict() for i in errors],
            "warnings": [i.to_dict() for i in floor],
            "folder_warnings": [str(w) for w in registry.warnings],
        })
    else:
        click.echo(f"policies: {source.describe()}")
        for info in infos:
            click.echo(f"{info.name} {info.version} ({info.origin}) [{state(info.name)}]"
                       + (f" — ERROR: {info.error}" if info.error else ""))
            if info.name in quarantined:
                click.echo(f"  {quarantined[info.name].line('en')}")
            if info.brands:
                click.echo(f"  brands: {', '.join(info.brands)}")
            if info.hooks:
                click.echo(f"  hooks: {', '.join(info.hooks)}")
            for p in info.policies:
                if p["state"] == "invalid":
                    click.echo(f"  policy: {p.get('source')} INVALID: {p.get('error', '')}")
                    continue
                eff = p["effective"]
                span = f"{eff['from']}..{eff['until'] or ''}"
                click.echo(f"  policy: {p['id']} {p['version']} [{span} by {eff.get('by', 'purchase_date')}] ({p['source']}) {p['state']}")
        if not registry.statutory_loaded:
            from aftersales.core.decision import NOT_LEGAL_EN

            click.echo(f"warning: {NOT_LEGAL_EN}", err=True)
        for warning in registry.warnings:
            click.echo(f"warning: {warning}", err=True)
        for issue in errors:
            click.echo(f"error: {issue}", err=True)
    if errors:
        raise SystemExit(1)
