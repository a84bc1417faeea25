"""What every subcommand shares: error mapping, output helpers, the registry for the CLI."""

from __future__ import annotations

import sys
from typing import Any

import click

from aftersales.core.errors import AftersalesError


def run(group: click.Group, argv: list[str] | None) -> int:
    """Run ``group``; a project error prints one line on stderr and gives its exit code."""
    try:
        rv = group.main(args=argv, prog_name="aftersales", standalone_mode=False)
    except AftersalesError as exc:
        click.echo(f"error: {exc}", err=True)
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 1
    except click.ClickException as exc:
        exc.show()
        return 2 if isinstance(exc, click.UsageError) else exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        return 130
    return rv if isinstance(rv, int) else 0


def echo_json(data: Any) -> None:
    import json

    click.echo(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False))


def make_registry(plugins_dir: str | None = None, policies_dir: str | None = None):
    """The registry the CLI works with (plugins from entry points, env and folders).

    A drop-in folder is the user's own: a plugin there that fails to import stops the command
    with a located one-line error (exit 2). An installed entry-point plugin that fails to load is
    left out with a warning, so the other brands keep working.
    """
    import os

    from aftersales.core.registry import load_registry

    folder = plugins_dir or os.environ.get("AFTERSALES_PLUGINS_DIR")
    registry = load_registry(plugins_dir=plugins_dir, policies_dir=policies_dir, strict_plugins=bool(folder))
    for problem in registry.load_errors:
        click.echo(f"warning: {problem}", err=True)
    return registry


def stdout_is_tty() -> bool:
    return sys.stdout.isatty()
