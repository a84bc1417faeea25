"""The ``aftersales`` command group (click), and ``run``, which runs it.

Subcommands live in their own modules and are imported only when used, so ``aftersales --help``
and ``aftersales evaluate`` stay fast.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterable

import click

from . import LANG_KEY, RUNNING, Interrupted, arguments, catch_termination, interrupted, message_lang, stopped

# name -> (module, attribute, one-line help shown by --help without importing the module)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "evaluate": ("aftersales.cli.evaluate", "evaluate", "判定一个案例的售后权益 / Decide one case."),
    "plugins": ("aftersales.cli.plugins", "plugins", "已加载的插件 / Loaded plugins."),
    "policy": ("aftersales.cli.policy", "policy", "政策编辑工具 / Policy editors' tools."),
    "cases": ("aftersales.cli.cases", "cases", "案例库与柜台流程 / The case store and counter workflow."),
    "db": ("aftersales.cli.db", "db", "数据库迁移 / Database migrations."),
    "staff": ("aftersales.cli.staff", "staff", "员工工号与 PIN / Staff sign-in and the access log."),
    "tui": ("aftersales.cli.tui", "tui", "打开柜台终端界面 / Open the counter terminal UI."),
    "replay": ("aftersales.cli.replay", "replay", "批量重放案例 / Replay many cases."),
    "plugin": ("aftersales.cli.plugin", "plugin", "新品牌插件脚手架 / Scaffold a brand plugin."),
    "report": ("aftersales.cli.report", "report", "店长日报 / The manager's view of the day."),
    "stores": ("aftersales.cli.report", "stores", "服务网点信息 / A service point's name, address, hours."),
}


class HelpFormatter(click.HelpFormatter):
    """click's help laid out by what the terminal shows: a Chinese character takes two columns,
    and a line may break between two of them (click counts characters and breaks only at
    spaces, so a Chinese line ran past the terminal's edge). Paragraphs are wrapped to the
    width; a paragraph opening with a ``\\b`` line is kept as written, as click does. In the
    lists of options and commands the terms are ASCII; their texts are wrapped the same way.

    (The counter UI breaks its lines by UAX #14 with ``uniseg`` and measures them with
    ``rich.cells``; ``wcwidth`` does both too. Their imports take about 27, 4.5 and 30 ms, against
    about 44 ms for all of ``aftersales --help``: the help measures with ``unicodedata``'s widths
    and keeps the few rules of line breaking it needs.)"""

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        self.write("\n\n".join(_wrap_paragraph(part, self.width, indent) for part in _paragraphs(text)))
        self.write("\n")

    def write_dl(self, rows: Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        rows = [(term, self._own(text)) for term, text in rows]
        first_col = min(max((len(term) for term, _ in rows), default=0), col_max) + col_spacing
        for term, text in rows:
            self.write(f"{'':>{self.current_indent}}{term}")
            if not text:
                self.write("\n")
                continue
            if len(term) <= first_col - col_spacing:
                self.write(" " * (first_col - len(term)))
            else:
                self.write("\n" + " " * (first_col + self.current_indent))
            lines = wrap_cells(" ".join(text.split()), max(self.width - first_col - self.current_indent, 10))
            pad = " " * (first_col + self.current_indent)
            self.write(lines[0] + "".join(f"\n{pad}{line}" for line in lines[1:]) + "\n")

    def _own(self, text: str) -> str:
        """An option's or command's text as shown (``ChineseHelpFormatter`` says click's own in Chinese)."""
        return text


class ChineseHelpFormatter(HelpFormatter):
    """The help in Chinese where click writes it itself: the headings (Usage, Options,
    Commands) and the texts of its own options (--help, --version); the rest of the help is
    Chinese first, and ``--lang en`` or ``AFTERSALES_LANG=en`` keeps click's English words."""

    HEADINGS = {"Options": "选项", "Commands": "命令", "Positional arguments": "参数"}
    #: click's texts for the options it adds itself
    OWN = {"Show this message and exit.": "显示本帮助后退出 / Show this message and exit.",
           "Show the version and exit.": "显示版本后退出 / Show the version and exit."}

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, "用法：" if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{self.HEADINGS.get(heading, heading)}：\n")

    #: the notes click adds after an option's text
    NOTES = (("[required]", "[必填]"), ("[default: ", "[默认："))

    def _own(self, text: str) -> str:
        text = self.OWN.get(text, text)
        for en, zh in self.NOTES:
            if en in text:
                text = text.replace(en, zh)
        return text


def _paragraphs(text: str) -> list[str]:
    """``text`` cut at its blank lines."""
    parts, lines = [], []
    for line in text.splitlines():
        if line.strip():
            lines.append(line)
        elif lines:
            parts.append("\n".join(lines))
            lines = []
    if lines:
        parts.append("\n".join(lines))
    return parts


def _wrap_paragraph(paragraph: str, width: int, indent: str) -> str:
    lines = paragraph.splitlines()
    if lines[0].strip() == "\b":   # kept as written
        return "\n".join(indent + line for line in lines[1:])
    own = lines[0][:len(lines[0]) - len(lines[0].lstrip())]
    text = lines[0].strip()
    for line in lines[1:]:   # Chinese goes on from Chinese and its punctuation without a space
        line = line.strip()
        joined = (_wide(text[-1]) and _wide(line[0])) or text[-1] in _CLOSING or line[0] in _OPENING
        text += line if joined else " " + line
    lead = indent + own
    return "\n".join(lead + line for line in wrap_cells(text, max(width - len(lead), 10)))


#: Chinese punctuation a line may not end with, and may not begin with
_OPENING = "（《「『【〔“‘"
_CLOSING = "）》」』】〕”’，。、；：！？…—"


def _wide(char: str) -> bool:
    return char >= "\u1100" and _east_asian_width(char) in "WF"


def _east_asian_width(char: str) -> str:
    global _east_asian_width
    from unicodedata import east_asian_width as _east_asian_width

    return _east_asian_width(char)


def _cells(text: str) -> int:
    """The columns ``text`` takes (a Chinese character two)."""
    return len(text) if text.isascii() else sum(1 + _wide(char) for char in text)


def _pieces(word: str) -> list[tuple[str, int]]:
    """The pieces of ``word`` (no spaces in it) a line may break between, each with its width:
    one Chinese character or a run of anything else up to a comma, with the punctuation that
    may not be parted from it (opening marks before, closing marks after)."""
    if word.isascii():
        if "," not in word[:-1]:
            return [(word, len(word))]
        parts = word.split(",")
        return [(part + ",", len(part) + 1) for part in parts[:-1]] + ([(parts[-1], len(parts[-1]))] if parts[-1] else [])
    pieces = []
    at, end = 0, len(word)
    while at < end:
        to, size = at, 0
        while to < end and (word[to] in _OPENING or word[to] in "(["):
            size += 1 + _wide(word[to])
            to += 1
        if to < end and _wide(word[to]):
            to, size = to + 1, size + 2
        else:
            while to < end and word[to] != "," and not _wide(word[to]):
                to, size = to + 1, size + 1
            if to < end and word[to] == ",":
                to, size = to + 1, size + 1
        while to < end and word[to] in _CLOSING:
            size += 1 + _wide(word[to])
            to += 1
        pieces.append((word[at:to], size))
        at = to
    return pieces


def _fits(text: str, width: int) -> int:
    """How many characters of ``text`` fit in ``width`` columns (at least one), leaving no
    closing mark to begin the rest."""
    used = 0
    for at, char in enumerate(text):
        used += 1 + _wide(char)
        if used > width:
            while at > 1 and text[at] in _CLOSING:
                at -= 1
            return max(at, 1)
    return len(text)


def wrap_cells(text: str, width: int, rest: int | None = None) -> list[str]:
    """``text`` in lines of at most ``width`` columns (``rest`` for the lines after the first:
    a hanging indent), a Chinese character taking two, broken at spaces, after commas and
    between Chinese characters."""
    lines: list[str] = []
    line, used = "", 0
    for word in text.split():
        space = 1 if line else 0
        for piece, size in _pieces(word):
            if line and used + space + size > width:
                lines.append(line)
                line, used, space = "", 0, 0
                width = rest or width
            while size > width:   # a word wider than a line (a long path): cut, as click does
                cut = _fits(piece, width)
                lines.append(piece[:cut])
                piece = piece[cut:]
                size = _cells(piece)
                width = rest or width
            line += " " * space + piece
            used += space + size
            space = 0
    return [*lines, line] if line or not lines else lines


class _Context(click.Context):
    def make_formatter(self) -> click.HelpFormatter:
        # the terminal's width read here: click's own reading imports shutil, which imports the
        # compression modules, a sixth of ``aftersales --help`` beyond click itself
        kind = ChineseHelpFormatter if message_lang() == "zh" else HelpFormatter
        return kind(width=self.terminal_width or terminal_columns(), max_width=self.max_content_width)


def terminal_columns() -> int:
    """The terminal's columns as ``shutil.get_terminal_size`` gives them: ``COLUMNS``, else the
    terminal on standard output, else 80."""
    import os

    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns if columns > 0 else 80


class LazyGroup(click.Group):
    context_class = _Context

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)   # every command's module ships with the package (a test imports each)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        spec = COMMANDS.get(name)
        if spec is None:
            return None
        module = importlib.import_module(spec[0])
        return _with_our_context(getattr(module, spec[1]))

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _with_our_context(command: click.Command) -> click.Command:
    """``command`` and its subcommands make their contexts as the group does (``_Context``: the
    terminal's width, the help's language) and take ``--lang`` (``with_lang``). A subcommand is
    listed in its group's help by its whole first paragraph, Chinese and English (click cuts it
    at 45 characters, which left the Chinese title and half an English sentence)."""
    command.context_class = _Context
    with_lang(command)
    for sub in getattr(command, "commands", {}).values():
        if sub.short_help is None and sub.help:
            sub.short_help = " ".join(sub.help.strip().split("\n\n")[0].split())
        _with_our_context(sub)
    return command


def _remember_lang(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value:
        ctx.meta[LANG_KEY] = value   # shared with the groups and subcommands of this command line


def with_lang(command: click.Command) -> click.Command:
    """``command`` with ``--lang zh|en``, the one place every command gets it: the value is not
    passed to the command; ``message_lang()`` reads it (then ``AFTERSALES_LANG``, then Chinese)."""
    if not any("--lang" in param.opts for param in command.params):
        command.params.append(click.Option(
            ["--lang"], type=click.Choice(["zh", "en"]), default=None, expose_value=False, is_eager=True,
            callback=_remember_lang,
            help="语言：zh 或 en（不给时取 AFTERSALES_LANG，否则 zh） / language: zh or en (when not given: AFTERSALES_LANG, else zh)."))
    return command


@click.group(cls=LazyGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="aftersales")
@click.pass_context
def main_group(ctx: click.Context) -> None:
    """aftersales — 售后政策框架 / after-sales policy framework.

    不带命令时打开柜台终端界面（同 aftersales tui）/ Without a command, opens the counter terminal
    UI (same as "aftersales tui").
    """
    if ctx.invoked_subcommand is None:
        # the group run with no command by click itself (bare ``aftersales`` opens the UI without
        # it: ``cli.start.open_bare``), as ``aftersales tui`` with no arguments: its options read
        # their environment
        from .tui import tui

        with _with_our_context(tui).make_context("tui", [], parent=ctx) as sub:
            tui.invoke(sub)


with_lang(main_group)


def run(group: click.Group, argv: list[str] | None) -> int:
    """Run ``group``; a project error prints one line on stderr and gives its exit code. Ctrl-C,
    SIGTERM and SIGHUP unwind it (its temporary files removed) and exit 130, 143 and 129."""
    args = arguments(argv)
    command = next((a for a in args if not a.startswith("-")), None)
    if command not in (None, "tui"):    # the counter UI handles its own ending (it keeps a draft)
        catch_termination()
    running = RUNNING.set(args)
    try:
        rv = group.main(args=argv, prog_name="aftersales", standalone_mode=False)
    except click.exceptions.Exit as exc:   # --help, --version: the project's errors are not even imported
        return exc.exit_code
    except click.exceptions.Abort as exc:
        if isinstance(exc.__context__, KeyboardInterrupt):  # click turns Ctrl-C into Abort
            return interrupted(exc.__context__)
        click.echo("aborted", err=True)
        return 1
    except click.ClickException as exc:
        if isinstance(exc, click.exceptions.NoArgsIsHelpError):
            exc.show()
        else:
            from aftersales.store.privacy import escape_all_controls

            from .usage import usage_line

            click.echo(escape_all_controls(usage_line(exc, message_lang(args))), err=True)
        return 2 if isinstance(exc, click.UsageError) else exc.exit_code
    except (Exception, KeyboardInterrupt, Interrupted) as exc:
        return stopped(exc, args)
    finally:
        RUNNING.reset(running)
    return rv if isinstance(rv, int) else 0

