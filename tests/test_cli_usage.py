"""A wrong command line is one Chinese line (what is wrong, how the command is used), exit 2;
``--lang en`` / ``AFTERSALES_LANG=en`` keeps click's English, on one line too."""

from __future__ import annotations

import pytest

ZH = {"AFTERSALES_LANG": "zh"}


@pytest.mark.parametrize(("args", "expected"), [
    (("evaluate",), "错误：缺少参数 CASE。用法：aftersales evaluate [OPTIONS] CASE（aftersales evaluate --help 查看说明）"),
    (("evaluate", "--jsn", "x"), "错误：没有 --jsn 这个选项（是不是 --json？）。"),
    (("evaluate", "a", "b"), "错误：多余的参数：b。"),
    (("evaluate", "--lang"), "错误：选项 --lang 后面要跟一个值"),
    (("evaluate", "--lang", "fr", "x.yaml"), "错误：--lang 的值不对：只能是 zh、en。"),
    (("cases", "list", "--limit", "abc"), "错误：--limit 的值不对：要一个整数（≥ 1）。"),
    (("replay", "/no/such/file.jsonl"), "错误：CASES.jsonl 的值不对：/no/such/file.jsonl 不存在。"),
    (("replay",), "错误：缺少 CASES.jsonl（或 --from-store）。"),
    (("policy", "diff"), "错误：缺少选项 --old。"),
    (("nosuch",), "错误：没有 nosuch 这个命令。用法：aftersales [OPTIONS] [COMMAND] [ARGS]..."),
    # a command looked for under another name: what does it
    (("policy", "explain", "x.json"), "错误：没有 explain 这个命令；要做的事请用 aftersales evaluate 案例文件 --trace（每条规则为何给予或拒绝）"),
    (("policy", "scaffold"), "错误：没有 scaffold 这个命令；要做的事请用 aftersales plugin new 品牌"),
    # an option the store's commands take from the counter's settings: where it comes from
    (("cases", "new", "x.yaml", "--plugins-dir", "d"),
     "错误：没有 --plugins-dir 这个选项；案例库和柜台界面的插件目录取自环境变量 AFTERSALES_PLUGINS_DIR"),
])
def test_a_wrong_command_line_is_one_chinese_line(cli, args, expected):
    code, out, err = cli(*args, env=ZH)
    assert code == 2
    assert out == ""
    assert err.startswith(expected), err
    assert len(err.strip().splitlines()) == 1, err
    assert "Error" not in err and "Usage" not in err


def test_english_on_request_keeps_clicks_words(cli):
    code, _, err = cli("evaluate", env={"AFTERSALES_LANG": "en"})
    assert code == 2
    assert err == "error: Missing argument 'CASE'. Usage: aftersales evaluate [OPTIONS] CASE (see aftersales evaluate --help)\n"
    code, _, err = cli("evaluate", "--lang", "en", "--jsn", "x", env=ZH)
    assert code == 2 and "No such option" in err
    code, _, err = cli("explain", "--lang", "en", env=ZH)
    assert code == 2 and err.startswith("error: No such command 'explain'; to do that: aftersales evaluate CASE --trace")


def test_a_control_character_in_a_wrong_option_is_escaped(cli):
    code, _, err = cli("evaluate", "--\x1b[2Jx", env=ZH)
    assert code == 2
    assert "\x1b" not in err and err.startswith("错误：没有 ")


@pytest.mark.parametrize("args", [(), ("cases",), ("cases", "list"), ("evaluate",), ("policy", "diff")])
def test_the_help_headings_follow_the_language_of_the_command_line(cli, args):
    """--help of the group, a subgroup and a command: click's headings in Chinese by default, its
    English with AFTERSALES_LANG=en or --lang en (the language the errors follow)."""
    code, out, _ = cli(*args, "--help", env=ZH)
    assert code == 0
    assert out.startswith(f"用法：aftersales {' '.join(args)}".rstrip() + " ")
    assert "\n选项：\n" in out and ("\n命令：\n" in out) == (args in ((), ("cases",)))
    assert "Usage:" not in out and "Options:" not in out and "Commands:" not in out
    code, out, _ = cli(*args, "--help", env={"AFTERSALES_LANG": "en"})
    assert code == 0 and out.startswith("Usage: aftersales") and "\nOptions:\n" in out and "用法" not in out
    if args in (("evaluate",), ("policy", "diff")):   # commands with --lang: as their errors would be said
        code, out, _ = cli(*args, "--lang", "en", "--help", env=ZH)
        assert code == 0 and out.startswith("Usage: aftersales") and "选项" not in out


def test_every_command_the_help_lists_is_there():
    """--help lists the command table without importing the commands: each one's module ships
    with the package and gives the command named."""
    import click

    from aftersales.cli.group import COMMANDS, main_group

    ctx = click.Context(main_group, info_name="aftersales")
    for name in COMMANDS:
        command = main_group.get_command(ctx, name)
        assert isinstance(command, click.Command) and command.name == name, name


def _commands(command, path=()):
    import click

    yield path, command
    if isinstance(command, click.Group):
        ctx = click.Context(command, info_name=path[-1] if path else "aftersales")
        for name in command.list_commands(ctx):
            yield from _commands(command.get_command(ctx, name), (*path, name))


def test_every_option_of_every_command_is_explained_in_chinese_first():
    """A policy editor or a network's IT person reads the options in Chinese: every option's help
    opens with Chinese (then `` / `` and the English), and click's own notes are said in Chinese."""
    import re

    from aftersales.cli.group import ChineseHelpFormatter, main_group

    han = re.compile(r"[\u4e00-\u9fff]")
    missing = [f"{' '.join(path)} {param.opts[0]}" for path, command in _commands(main_group)
               for param in command.params if param.param_type_name == "option"
               if param.help not in ChineseHelpFormatter.OWN       # click's own (--version): said by the formatter
               if not han.search((param.help or "").split(" / ", 1)[0])]
    assert missing == []


def test_clicks_own_notes_are_said_in_chinese(cli):
    code, out, _ = cli("policy", "diff", "--help", env={**ZH, "COLUMNS": "200"})
    assert code == 0 and "[必填]" in out and "[默认：3" in out and "[required]" not in out and "default:" not in out
