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
    """List plugins: name, version, origin, hooks, brands and policies."""
    from aftersales.core.errors import PolicyError
    from aftersales.core.registry import Registry, load_plugins

    loaded = load_plugins(plugins_dir=plugins_dir)
    policy_error = None
    try:
        registry = Registry(loaded)
        infos = registry.plugins
        errors = registry.load_errors
    except PolicyError as exc:
        policy_error = exc
        infos = loaded.infos
        errors = loaded.errors
    if as_json:
        echo_json({
            "plugins": [info.to_dict() for info in infos.values()],
            "errors": [str(e) for e in errors] + ([str(i) for i in policy_error.issues] if policy_error else []),
        })
    else:
        for info in infos.values():
            click.echo(f"{info.name} {info.version} ({info.origin})" + (f" — ERROR: {info.error}" if info.error else ""))
            if info.brands:
                click.echo(f"  brands: {', '.join(info.brands)}")
            click.echo(f"  hooks: {', '.join(info.hooks)}")
            for p in info.policies:
                click.echo(f"  policy: {p['id']} {p['version']} ({p['source']}) valid")
        for e in errors:
            click.echo(f"error: {e}", err=True)
        if policy_error:
            for issue in policy_error.issues:
                click.echo(f"error: {issue}", err=True)
    if policy_error is not None:
        raise SystemExit(2)
