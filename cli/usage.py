"""Command-line mistakes (a missing argument, an unknown option, a value of the wrong kind) said
in Chinese, on one line: click's own messages are English only.

Imported only when a command line is wrong. Each of click's usage errors carries what went
wrong (the parameter, the option's name, the choices, the range), so the Chinese line is made
from those, not from click's English text; only a path click refused is told by the reason click
gives (the path's own state is not looked at again). ``--lang en`` or ``AFTERSALES_LANG=en``
keeps click's English words, on one line too.
"""

from __future__ import annotations

import click


class Usage(click.UsageError):
    """A wrong command line found by the project's own code, with its Chinese line."""

    def __init__(self, message: str, *, zh: str, ctx: click.Context | None = None) -> None:
        super().__init__(message, ctx)
        self.zh = zh


#: why click refused a path (its English wording) -> the Chinese reason
_PATH_REASONS = (
    ("does not exist", "不存在"),
    ("is a directory", "是文件夹，不是文件"),
    ("is a file", "是文件，不是文件夹"),
    ("is not readable", "没有读取权限"),
    ("is not writable", "没有写入权限"),
    ("is not executable", "没有执行权限"),
)


def usage_line(exc: click.ClickException, lang: str = "zh") -> str:
    """The one line for ``exc``: what is wrong, then how the command is used and where its help
    is, when click knows the command. In Chinese; with ``lang`` ``en``, click's own words (its
    message, its usage) on one line as well."""
    ctx = getattr(exc, "ctx", None)
    if lang == "en":
        message = exc.format_message()
        pointer = _pointer(exc)
        if pointer is not None:
            message = message.rstrip(".") + f"; {pointer[1]}."
        # click ends its messages with a full stop; the project's own (``Usage``) may not
        line = f"error: {message}" + ("" if message.endswith((".", "?", "!")) else ".")
        if ctx is None:
            return line
        usage = " ".join(ctx.command.collect_usage_pieces(ctx))
        return f"{line} Usage: {ctx.command_path} {usage} (see {ctx.command_path} --help)"
    what = _what(exc)
    if ctx is None:
        return f"错误：{what}"
    usage = " ".join(ctx.command.collect_usage_pieces(ctx))
    return f"错误：{what}。用法：{ctx.command_path} {usage}（{ctx.command_path} --help 查看说明）"


#: commands people look for under another name: what does it (中文, English)
LOOKED_FOR = {
    "explain": ("aftersales evaluate 案例文件 --trace（每条规则为何给予或拒绝），或 aftersales policy diff --explain 行号",
                "aftersales evaluate CASE --trace (why each rule granted or refused), or aftersales policy diff --explain LINE"),
    "why": ("aftersales evaluate 案例文件 --trace（每条规则为何给予或拒绝）",
            "aftersales evaluate CASE --trace (why each rule granted or refused)"),
    "scaffold": ("aftersales plugin new 品牌（新品牌的插件与政策）", "aftersales plugin new BRAND (a new brand's plugin and policy)"),
    "check": ("aftersales policy validate 政策文件", "aftersales policy validate POLICY"),
}


#: options a command takes from a counter's settings instead: where they come from (中文, English)
OPTION_ELSEWHERE = {
    "--plugins-dir": ("案例库和柜台界面的插件目录取自环境变量 AFTERSALES_PLUGINS_DIR（每台柜台电脑设一次）",
                      "the case store and the counter UI take the plugins folder from AFTERSALES_PLUGINS_DIR "
                      "(set once on each counter computer)"),
}


def _pointer(exc: click.ClickException) -> tuple[str, str] | None:
    """(中文, English) of what to use instead of a command or an option the command line named
    and the project has elsewhere (``LOOKED_FOR``, ``OPTION_ELSEWHERE``), or None."""
    if isinstance(exc, click.exceptions.NoSuchCommand) and exc.command_name in LOOKED_FOR:
        zh, en = LOOKED_FOR[exc.command_name]
        return f"要做的事请用 {zh}", f"to do that: {en}"
    if isinstance(exc, click.NoSuchOption) and exc.option_name in OPTION_ELSEWHERE:
        return OPTION_ELSEWHERE[exc.option_name]
    return None


def _what(exc: click.ClickException) -> str:
    if isinstance(exc, Usage):
        return exc.zh
    if isinstance(exc, click.MissingParameter):
        kind = "选项" if isinstance(exc.param, click.Option) or exc.param_type == "option" else "参数"
        return f"缺少{kind} {_hint(exc)}"
    if isinstance(exc, click.BadParameter):
        return f"{_hint(exc)} 的值不对：{_reason(exc)}"
    if isinstance(exc, click.NoSuchOption):
        also = f"（是不是 {'、'.join(exc.possibilities)}？）" if exc.possibilities else ""
        pointer = _pointer(exc)
        return f"没有 {exc.option_name} 这个选项{'；' + pointer[0] if pointer else also}"
    if isinstance(exc, click.exceptions.NoSuchCommand):
        also = f"（是不是 {'、'.join(exc.possibilities)}？）" if exc.possibilities else ""
        pointer = _pointer(exc)
        return f"没有 {exc.command_name} 这个命令{'；' + pointer[0] if pointer else also}"
    if isinstance(exc, click.BadOptionUsage):
        # the parser's only wording: "Option '--out' requires an argument." (or "requires 2 arguments.")
        count = exc.message.rsplit("requires ", 1)[-1].split(" ", 1)[0] if "requires " in exc.message else ""
        if count == "an":
            return f"选项 {exc.option_name} 后面要跟一个值"
        if count.isdigit():
            return f"选项 {exc.option_name} 后面要跟 {count} 个值"
        return f"选项 {exc.option_name} 的用法不对（{exc.message}）"
    if isinstance(exc, click.FileError):
        return f"无法打开文件 {exc.ui_filename}：{exc.message}"
    if isinstance(exc, click.UsageError):
        message = exc.message
        if message.startswith("Got unexpected extra argument"):
            extra = message[message.find("(") + 1:message.rfind(")")]
            return f"多余的参数：{extra}"
        if message == "Missing command.":
            return "缺少命令"
        return f"命令行不对（{message}）"
    return exc.format_message()


def _hint(exc: click.BadParameter) -> str:
    """The parameter as the command line names it: ``--limit``, ``CASE``."""
    if exc.param_hint is not None:
        hint = exc.param_hint
        return " / ".join(hint) if not isinstance(hint, str) else hint
    if exc.param is not None:
        return " / ".join(exc.param.opts) if isinstance(exc.param, click.Option) else exc.param.human_readable_name
    return "参数"


def _reason(exc: click.BadParameter) -> str:
    kind = exc.param.type if exc.param is not None else None
    if isinstance(kind, click.Choice):
        return f"只能是 {'、'.join(str(c) for c in kind.choices)}"
    if isinstance(kind, (click.IntRange, click.FloatRange)):
        number = "整数" if isinstance(kind, click.IntRange) else "数"
        bounds = []
        if kind.min is not None:
            bounds.append(f"{'>' if kind.min_open else '≥'} {kind.min}")
        if kind.max is not None:
            bounds.append(f"{'<' if kind.max_open else '≤'} {kind.max}")
        return f"要一个{number}（{'，'.join(bounds)}）" if bounds else f"要一个{number}"
    if isinstance(kind, click.types.IntParamType):
        return "要一个整数"
    if isinstance(kind, click.types.FloatParamType):
        return "要一个数"
    if isinstance(kind, (click.Path, click.File)):
        for english, chinese in _PATH_REASONS:
            if english in exc.message:
                name = exc.message.split("'", 2)[1] if exc.message.count("'") >= 2 else ""
                return f"{name} {chinese}" if name else chinese
    return exc.message
