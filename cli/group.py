"""The ``aftersales`` command group (click), and ``run``, which runs it.

Subcommands live in their own modules and are imported only when used, so ``aftersales --help``
and ``aftersales evaluate`` stay fast.
"""

from __future__ import annotations

import importlib
import sys

import click

from . import LANG_KEY, RUNNING, Interrupted, arguments, catch_termination, interrupted, message_lang, stopped

# name -> (module, attribute, one-line help shown by --help without importing the module)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "evaluate": ("aftersales.cli.evaluate", "evaluate", "判定一个案例的售后权益 / Decide one case."),
    "plugins": ("aftersales.cli.plugins", "plugins", "已加载的插件 / Loaded plugins."),
    "policy": ("aftersales.cli.policy", "policy", "政策文件工具 / Policy editors' tools."),
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
    """click's help in Chinese where click writes it itself: the headings (Usage, Options,
    Commands) and the texts of its own options (--help, --version); the rest of the help is
    Chinese first, and ``--lang en`` or ``AFTERSALES_LANG=en`` keeps click's English."""

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

    def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:  # type: ignore[no-untyped-def]
        super().write_dl([(term, self._own(text)) for term, text in rows], col_max, col_spacing)

    def _own(self, text: str) -> str:
        text = self.OWN.get(text, text)
        for en, zh in self.NOTES:
            if en in text:
                text = text.replace(en, zh)
        return text


class _Context(click.Context):
    def make_formatter(self) -> click.HelpFormatter:
        # the terminal's width read here: click's own reading imports shutil, which imports the
        # compression modules, a sixth of ``aftersales --help`` beyond click itself
        kind = HelpFormatter if message_lang() == "zh" else self.formatter_class
        return kind(width=self.terminal_width or _columns(), max_width=self.max_content_width)


def _columns() -> int:
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
    terminal's width, the help's language) and take ``--lang`` (``with_lang``)."""
    command.context_class = _Context
    with_lang(command)
    for sub in getattr(command, "commands", {}).values():
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
    UI (same as ``aftersales tui``).
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

