"""One exception root for everything the project refuses.

The CLI maps each class to an exit code and prints the error on one line, in Chinese unless
English is asked for; a user's mistake never shows a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


class AftersalesError(Exception):
    """Root of the project's own errors. ``exit_code`` is what the CLI exits with.

    ``message`` says what is wrong in English; ``message_zh`` in Chinese (``zh=``; without it, the
    English). People read the Chinese first: the CLI prints ``错误：`` and ``line("zh")``, and the
    English (``error: `` and ``str(error)``) with ``--lang en`` or ``AFTERSALES_LANG=en``; the
    counter UI shows ``line(lang)``. Every error a user can meet gives ``zh=``. ``where``: the
    place in a file (``case.yaml:20:19``) when the error was read from one; it comes first."""

    exit_code = 1

    def __init__(self, message: str, *, field: str | None = None, zh: str | None = None,
                 where: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.message_zh = zh or message
        self.where = where

    def text(self, lang: str) -> str:
        """The message in ``lang`` (``zh`` or ``en``)."""
        return self.message_zh if lang == "zh" else self.message

    def line(self, lang: str) -> str:
        """The one line people read, in ``lang``: the field (if any), then the message."""
        if lang == "zh":
            return "：".join(p for p in (getattr(self, "where", None), self.field, self.message_zh) if p)
        return str(self)

    def __str__(self) -> str:
        return ": ".join(p for p in (getattr(self, "where", None), self.field, self.message) if p)


class CaseError(AftersalesError):
    """A case (file, dict or form) that is not a valid v1 case. ``field`` names the place."""

    exit_code = 2


class PolicyError(AftersalesError):
    """A policy file that cannot be used. ``issues`` holds every located problem found."""

    exit_code = 2

    def __init__(self, message: str, *, issues: list | None = None, field: str | None = None,
                 zh: str | None = None) -> None:
        super().__init__(message, field=field, zh=zh)
        self.issues = list(issues or [])


class PluginError(AftersalesError):
    """A plugin that failed: raised while loading, or while answering a hook."""

    exit_code = 3

    def __init__(self, message: str, *, plugin: str | None = None, zh: str | None = None) -> None:
        super().__init__(message, zh=zh)
        self.plugin = plugin


class EngineError(AftersalesError):
    """The engine itself failed on a case (a bug, not the user's nor a plugin's doing): raised
    and named, never answered some other way. Exit 6."""

    exit_code = 6


class OutputError(AftersalesError):
    """A file a command was asked to write cannot be written (missing folder, no permission, a
    full disk); nothing was written and an existing file is left as it was."""

    exit_code = 2


class QuarantineError(PluginError):
    """A case of a brand whose plugin is quarantined (it failed to import, load or validate):
    one line naming the plugin, where it failed and what to do. Exit 3; other brands decide."""

    def __init__(self, quarantine: Any) -> None:
        super().__init__(quarantine.line("en"), plugin=quarantine.plugin)
        self.message_zh = quarantine.line("zh")
        self.quarantine = quarantine


#: what the operating system said, by ``errno`` name, for the errors a counter meets (Chinese, English)
OS_ERRORS = {"EACCES": ("没有权限", "permission denied"), "EPERM": ("没有权限", "operation not permitted"),
             "ENOENT": ("找不到文件或文件夹", "no such file or folder"), "ENOSPC": ("磁盘已满", "no space left"),
             "EROFS": ("只读的文件系统", "read-only file system"), "EISDIR": ("这是一个文件夹", "is a folder"),
             "ENOTDIR": ("路径中有一项不是文件夹", "not a folder"), "EEXIST": ("已存在", "already exists")}


def os_reason(exc: OSError, lang: str = "zh") -> str:
    """What went wrong in an operating-system error, in ``lang``: the words of ``OS_ERRORS``, else
    the system's own text (``strerror``, English). The one wording the CLI and the counter UI use."""
    import errno

    words = OS_ERRORS.get(errno.errorcode.get(exc.errno or 0, ""))
    if words is not None:
        return words[0 if lang == "zh" else 1]
    return exc.strerror or str(exc) or type(exc).__name__


def not_utf8(raw: bytes, exc: UnicodeDecodeError) -> tuple[int, int, str, str]:
    """Where ``raw`` stops being UTF-8 (line and column, 1-based; the column counts
    characters) and what to say of it, in English and Chinese: the byte, and how to save the
    file. One wording for a case file, a policy file and a line of a replay."""
    start = raw.rfind(b"\n", 0, exc.start) + 1
    line = raw.count(b"\n", 0, exc.start) + 1
    column = len(raw[start:exc.start].decode("utf-8", "replace")) + 1
    byte = f"0x{raw[exc.start]:02x}"
    return (line, column, f"not UTF-8 text (byte {byte}): save it as UTF-8, not GBK",
            f"不是 UTF-8 文本（字节 {byte}）：请用 UTF-8 编码保存（不要用 GBK）")


def nearest(word: str, options: Iterable[str], n: int = 3) -> list[str]:
    """The options closest to ``word``, for a "did you mean" hint (a typo, a different case, a
    word the option contains or is contained in: ``apple_store_online`` -> ``brand_store_online``).
    The one rule every message of the project suggests by: case fields, ids, policy keys, brands."""
    import difflib

    opts = [str(o) for o in options]
    found = difflib.get_close_matches(word, opts, n=n, cutoff=0.5 if len(word) <= 3 else 0.6)
    lower = word.lower()
    for o in opts:
        if o not in found and (o.lower() == lower or (len(lower) >= 3 and (lower in o.lower() or o.lower() in lower))):
            found.append(o)
    return found[:n]


def unknown_brand(brand: str, known: Iterable[str], quarantined: Iterable[str] = ()) -> CaseError:
    """The error for a case whose brand no loaded plugin has (field ``brand``): the nearest
    loaded brand when one is close (``aple`` -> ``apple``, by ``nearest``), every loaded brand,
    and the plugins quarantined (whose brands cannot be known)."""
    brands = sorted(known)
    close = nearest(brand, brands, 1)
    hint_en, hint_zh = (f"; did you mean {close[0]!r}?", f"；您是否想写 {close[0]!r}？") if close else (";", "；")
    listed = ", ".join(brands)
    left = ", ".join(sorted(quarantined))
    more = f"; quarantined plugins: {left} (aftersales plugins list)" if left else ""
    more_zh = f"；已隔离的插件：{left}（aftersales plugins list）" if left else ""
    return CaseError(f"unknown brand {brand!r}{hint_en} known brands: {listed or 'none (no plugin loaded)'}{more}",
                     field="brand",
                     zh=f"未知品牌 {brand!r}{hint_zh}已加载的品牌：{listed or '无（没有加载插件）'}{more_zh}")
