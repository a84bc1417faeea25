"""What every subcommand shares: error mapping, output helpers, the registry for the CLI."""

from __future__ import annotations

import errno
import os
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TextIO

import click

from . import message_lang

if TYPE_CHECKING:  # pragma: no cover
    from aftersales.core.errors import AftersalesError


def cut_cells(text: str, width: int) -> str:
    """``text`` in at most ``width`` terminal cells (a Chinese or other full-width character takes
    two: ``rich.cells``), cut with "…" when it does not fit, so that a cut never reads as a whole
    name ("Yang Min…", not "Yang Min")."""
    from rich.cells import cell_len, set_cell_size

    if cell_len(text) <= width:
        return text
    return set_cell_size(text, max(width - 1, 0)).rstrip(" ") + "…" if width > 0 else ""


def pad_cells(text: str, width: int) -> str:
    """``text`` in exactly ``width`` terminal cells: cut as ``cut_cells`` does, then padded, so a
    table's columns stay aligned whatever the text."""
    from rich.cells import set_cell_size

    return set_cell_size(cut_cells(text, width), width)


def remove_stale(folder: str, prefix: str, suffix: str = "") -> None:
    """Remove what a killed run left in ``folder``: entries named ``PREFIX<pid>.…SUFFIX`` whose
    process is gone (SIGKILL leaves a temporary file or folder no handler could remove)."""
    import shutil

    try:
        names = [n for n in os.listdir(folder) if n.startswith(prefix) and n.endswith(suffix)]
    except OSError:
        return
    for name in names:
        pid_text = name[len(prefix):].split(".", 1)[0].split("-", 1)[0]
        if not pid_text.isdigit() or int(pid_text) == os.getpid() or _alive(int(pid_text)):
            continue
        path = os.path.join(folder, name)
        try:
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path)
            else:
                os.unlink(path)
        except OSError:
            pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    return True


def json_text(data: Any, *, indent: int = 0) -> str:
    """JSON by msgspec's encoder (the text ``json.dumps(data, ensure_ascii=False)`` gives, indented
    by ``indent``), with the characters JSON leaves raw that a terminal still obeys (DEL, C1,
    bidirectional overrides) escaped as ``\\uXXXX``; JSON itself escapes C0. A warning that carries
    both languages (``Said``) is written in the messages' language (``message_lang``)."""
    import re

    import msgspec

    from aftersales.core.plugininfo import said_in

    lang = message_lang(None)

    def said(value: Any) -> Any:   # a warning in both languages (``Said``): in the messages' one
        if isinstance(value, str):
            return said_in(value, lang)
        raise NotImplementedError(f"cannot encode {type(value).__name__}")

    raw = msgspec.json.encode(data, enc_hook=said)
    text = (msgspec.json.format(raw, indent=indent) if indent else raw).decode("utf-8")
    return re.sub(r"[\x7f-\x9f\u202a-\u202e\u2066-\u2069]", lambda m: f"\\u{ord(m.group(0)):04x}", text)


def echo_json(data: Any) -> None:
    """Print JSON for a reader (``json_text`` indented by two), as ``echo_out`` does."""
    echo_out(json_text(data, indent=2))


def echo_out(text: str, **kwargs: Any) -> None:
    """Print a command's result for a reader. A reader that has gone (a closed pipe: ``| head
    -c1``) is not an error of the command: the rest goes to the null device and the command ends
    with the exit code its work asks for (3 for a decision a plugin failed in), not click's 1; a
    standard output that cannot be written (a full disk behind ``>``) is one line
    (``stdout_error``). ``kwargs``: ``click.echo``'s (``err``, ``nl``)."""
    try:
        click.echo(text, **kwargs)
    except BrokenPipeError:
        _stdout_to_devnull()
    except OSError as exc:
        raise stdout_error(exc) from None


def _stdout_to_devnull() -> None:
    """Point standard output at the null device, so that what is still buffered, and the
    interpreter's last flush on exit, do not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # a captured stdout in tests has no descriptor
        pass


def make_registry(plugins_dir: str | None = None, policies_dir: str | None = None, *, engine: Any = None):
    """The registry the CLI works with: plugins from entry points and the drop-in folder; the
    policies from ``--policies``, else the counter's own folder (``AFTERSALES_POLICIES`` or the
    config file), else the bundle in force in the case store at ``engine``, else the plugins'
    own (``store.policysource``).

    A plugin that fails to import, load or validate is quarantined: its brands answer with one
    line (exit 3) and every other brand decides; each quarantine and each warning about the
    plugins folder or a missing override is said once on stderr.
    """
    from aftersales.store.policysource import policy_source, registry_for

    source = policy_source(policies_dir, engine)
    registry = registry_for(source, plugins_dir=plugins_dir)
    report_registry(registry)
    say_bundle_passed_over(source, engine)
    return registry


def say_bundle_passed_over(source: Any, engine: Any) -> None:
    """Say on stderr, once, when the counter's own policies folder (``AFTERSALES_POLICIES`` or
    the config file) decides instead of the policy bundle in force in the store at ``engine``."""
    if source.kind == "folder" and source.setting != "--policies" and engine is not None:
        from aftersales.store.bundles import active_id

        bundle = active_id(engine)
        if bundle is not None:   # the counter's own folder wins over the network's bundle: said
            if message_lang(None) == "zh":
                click.echo(f"警告：按{source.describe('zh')}判定，而不是案例库中生效的政策包 {bundle}", err=True)
            else:
                click.echo(f"warning: deciding with {source.describe()}, not with policy bundle {bundle} in force "
                           f"in the case store", err=True)


def store_engine(db_url: str | None = None) -> Any:
    """The case store's engine when a command is pointed at one (``--db`` or ``AFTERSALES_DB``),
    for the bundle in force; None otherwise (the command then decides without the store)."""
    url = db_url or os.environ.get("AFTERSALES_DB")
    if not url:
        return None          # (SQLAlchemy is not imported for a command that needs no store)
    from aftersales.store import db as _db

    return _db.open_engine(url)


def warn(message: Any, lang: str | None = None) -> None:
    """One warning line on stderr in the messages' language (``警告：…`` / ``warning: …``); a
    message that carries both languages (``text(lang)``: ``Said``, a policy issue, a project
    error) is said in that one. Control characters are escaped (paths and typed text reach it)."""
    from aftersales.core.plugininfo import said_in
    from aftersales.store.privacy import escape_controls

    lang = lang or message_lang(None)
    click.echo(escape_controls(("警告：" if lang == "zh" else "warning: ") + said_in(message, lang)), err=True)


def not_legal() -> Any:
    """The warning that the statutory floor was left out, in both languages."""
    from aftersales.core.decision import NOT_LEGAL_EN, NOT_LEGAL_ZH
    from aftersales.core.plugininfo import Said

    return Said(NOT_LEGAL_EN, NOT_LEGAL_ZH)


def report_registry(registry: Any) -> None:
    """Say on stderr, once, what the registry left out or could not use (never silence)."""
    lang = message_lang(None)
    quarantined = registry.quarantined
    for q in quarantined.values():   # the full line is its brands' answer; here, that it happened
        click.echo(f"警告：插件 {q.plugin!r} 已隔离，其品牌暂不能判定（{q.where_in('zh') or q.reason}；详见 aftersales plugins list）"
                   if lang == "zh" else
                   f"warning: plugin {q.plugin!r} is quarantined, its brands cannot be decided "
                   f"({q.where or q.reason}; see aftersales plugins list)", err=True)
    for problem in registry.load_errors:
        plugin = getattr(problem, "plugin", None)
        if plugin in quarantined:
            continue
        warn(problem, lang)
    for warning in registry.warnings:
        warn(warning, lang)
    if not registry.statutory_loaded:
        warn(not_legal(), lang)


@contextmanager
def output_file(path: str | None, *, private: bool = False) -> Iterator[TextIO]:
    """Standard output, or the file ``path`` written whole or not at all.

    The destination is checked before any work (missing folder, no permission, a directory: one
    line, exit 2). Text goes to a temporary file beside it, which is flushed, synced and renamed
    over ``path`` when the work is done (mode 0600 when ``private``: exports and tickets hold
    customers' data; else the mode a plain ``open`` would give); an error,
    an interrupt or a kill on the way leaves ``path`` as it was. A device or a pipe
    (``/dev/stdout``) is written to directly.
    """
    import tempfile

    from aftersales.core.errors import OutputError, os_reason
    from aftersales.store.privacy import escape_all_controls

    if path is None or path == "-":
        try:
            yield sys.stdout
            sys.stdout.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise stdout_error(exc) from None
        return

    def fail(exc: OSError | str, zh: str | None = None) -> OutputError:
        reason = exc if isinstance(exc, str) else (exc.strerror or str(exc))
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            reason, zh = "no space left on the disk", "磁盘已满"
        elif isinstance(exc, OSError) and exc.errno in (errno.EACCES, errno.EPERM):
            zh = "没有写入权限"
        elif isinstance(exc, OSError):
            zh = os_reason(exc)
        shown = escape_all_controls(path)
        return OutputError(f"cannot write {shown}: {reason}; nothing was written",
                           zh=f"无法写入 {shown}：{zh or reason}；未写入任何内容")

    target = os.path.realpath(path)
    folder = os.path.dirname(target) or "."
    if os.path.isdir(target):
        raise fail("it is a directory", "这是一个文件夹")
    if not os.path.isdir(folder):
        folder_shown = escape_all_controls(os.path.dirname(path) or ".")
        raise fail(f"no such folder {folder_shown}", f"文件夹 {folder_shown} 不存在")
    if os.path.exists(target) and not stat.S_ISREG(os.stat(target).st_mode):
        try:
            with open(target, "w", encoding="utf-8", newline="") as fh:
                yield fh
        except OSError as exc:
            raise fail(exc) from None
        return
    if os.path.exists(target) and not os.access(target, os.W_OK):
        raise fail("permission denied", "没有写入权限")
    try:
        # named by this process, so that a later run can tell a killed run's leftover from a live one's
        prefix = f".{os.path.basename(target)}."
        remove_stale(folder, prefix, ".part")
        fd, tmp = tempfile.mkstemp(prefix=f"{prefix}{os.getpid()}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise fail(exc) from None
    done = False
    try:
        if not private:
            os.chmod(tmp, os.stat(target).st_mode & 0o7777 if os.path.exists(target) else 0o666 & ~_umask())
        try:
            fh = os.fdopen(fd, "w", encoding="utf-8", newline="")
        except OSError as exc:  # pragma: no cover - fdopen of a fresh descriptor
            os.close(fd)
            raise fail(exc) from None
        with fh:
            yield fh
            try:
                fh.flush()
                os.fsync(fh.fileno())
            except OSError as exc:
                raise fail(exc) from None
        try:
            os.replace(tmp, target)
        except OSError as exc:
            raise fail(exc) from None
        done = True
        try:  # the rename itself reaches the disk
            dfd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)
        except OSError:  # pragma: no cover - some file systems cannot sync a folder
            pass
    except OSError as exc:
        raise fail(exc) from None
    finally:
        if not done:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def stdout_error(exc: OSError) -> AftersalesError:
    """The one-line error for standard output that cannot be written (a full disk behind ``>``).

    What is still buffered goes to the null device, so the interpreter's last flush on exit does
    not fail again with a second message."""
    from aftersales.core.errors import OutputError, os_reason

    _stdout_to_devnull()
    return OutputError(f"cannot write to standard output: {exc.strerror or exc}",
                       zh=f"无法写入标准输出：{os_reason(exc)}")


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def stdout_is_tty() -> bool:
    return sys.stdout.isatty()
