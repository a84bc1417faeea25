"""What every subcommand shares: error mapping, output helpers, the registry for the CLI."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

import click

from aftersales.core.errors import AftersalesError


def run(group: click.Group, argv: list[str] | None) -> int:
    """Run ``group``; a project error prints one line on stderr and gives its exit code."""
    try:
        rv = group.main(args=argv, prog_name="aftersales", standalone_mode=False)
    except AftersalesError as exc:
        from aftersales.store.privacy import escape_all_controls

        lang = message_lang(argv)
        line = f"错误：{exc.line('zh')}" if lang == "zh" else f"error: {exc}"
        click.echo(escape_all_controls(line), err=True)  # a hostile path or value cannot reach the terminal raw
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


def message_lang(argv: list[str] | None) -> str:
    """The language of error messages: Chinese unless ``--lang en`` is given or
    ``AFTERSALES_LANG=en`` is set."""
    args = list(sys.argv[1:] if argv is None else argv)
    for index, arg in enumerate(args):
        if arg == "--lang" and index + 1 < len(args):
            return "en" if args[index + 1] == "en" else "zh"
        if arg.startswith("--lang="):
            return "en" if arg.split("=", 1)[1] == "en" else "zh"
    return "en" if os.environ.get("AFTERSALES_LANG", "").lower().startswith("en") else "zh"


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


@contextmanager
def output_file(path: str, option: str = "--out") -> Iterator[TextIO]:
    """Where a command writes its output: standard output for ``-``, else the file ``path``,
    written whole or not at all.

    The text goes to a temporary file beside ``path``, which replaces it when the command's work
    is done. A path that cannot be written is a usage error (exit 2) before anything is read;
    an error or an interrupt on the way leaves no file behind and an existing one as it was.
    """
    if path == "-":
        try:
            yield sys.stdout
        finally:
            sys.stdout.flush()
        return
    import stat
    import tempfile

    target = os.path.realpath(path)  # through a symbolic link: the file it names is replaced
    exists = os.path.lexists(target)
    if os.path.isdir(target) or (exists and not os.access(target, os.W_OK)):
        reason = "is a directory" if os.path.isdir(target) else "permission denied"
        raise click.BadParameter(f"cannot write {path}: {reason}", param_hint=option)
    if exists and not stat.S_ISREG(os.stat(target).st_mode):
        # a device or a pipe (/dev/null, a FIFO): written to as it is, never replaced
        try:
            fh = open(target, "w", encoding="utf-8", newline="\n")
        except OSError as exc:
            raise click.BadParameter(f"cannot write {path}: {exc.strerror or exc}", param_hint=option) from None
        with fh:
            yield fh
        return
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.", suffix=".tmp", dir=os.path.dirname(target))
    except OSError as exc:
        raise click.BadParameter(f"cannot write {path}: {exc.strerror or exc}", param_hint=option) from None
    done = False
    try:
        # the file gets the mode a plain open() would have given it (mkstemp's is 0600)
        mode = os.stat(target).st_mode & 0o7777 if exists else 0o666 & ~_umask()
        os.chmod(tmp, mode)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            yield fh
        os.replace(tmp, target)
        done = True
    finally:
        if not done:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def stdout_is_tty() -> bool:
    return sys.stdout.isatty()
