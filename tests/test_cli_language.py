"""Every command speaks by one rule (``cli.message_lang``): ``--lang``, else ``AFTERSALES_LANG``,
else Chinese. The locale is not read: a counter's terminal in an English locale still speaks
Chinese, in every command alike."""

from __future__ import annotations

import json
from pathlib import Path

CASE = Path(__file__).parent / "scenarios" / "apple-cn-day10-deferred.yaml"

#: a terminal in an English locale, with no AFTERSALES_LANG
ENGLISH_LOCALE = {"AFTERSALES_LANG": None, "LANG": "en_US.UTF-8", "LC_ALL": "en_US.UTF-8"}


def _store(cli, tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'cases.sqlite3'}"
    code, _, err = cli("db", "upgrade", "--db", url)
    assert code == 0, err
    return url


def test_an_english_locale_leaves_every_command_in_chinese(cli, tmp_path):
    url = _store(cli, tmp_path)
    env = {**ENGLISH_LOCALE, "AFTERSALES_DB": url}
    assert cli("cases", "list", env=env)[2].strip() == "没有符合条件的案例"
    assert cli("policy", "bundles", env=env)[2].startswith("还没有发布任何政策包")
    assert cli("evaluate", str(CASE), env=env)[1].startswith("权益")
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema_version: [\n", encoding="utf-8")
    assert "语法错误" in cli("policy", "validate", str(bad), env=env)[1]


def test_aftersales_lang_puts_every_command_in_english(cli, tmp_path):
    url = _store(cli, tmp_path)
    env = {"AFTERSALES_LANG": "en", "LANG": "zh_CN.UTF-8", "AFTERSALES_DB": url}
    assert cli("cases", "list", env=env)[2].strip() == "no cases"
    assert cli("policy", "bundles", env=env)[2].startswith("no policy bundle published")
    assert cli("evaluate", str(CASE), env=env)[1].startswith("Entitlement: exchange")


def test_a_commands_own_lang_wins_over_aftersales_lang(cli):
    assert cli("evaluate", str(CASE), "--lang", "zh", env={"AFTERSALES_LANG": "en"})[1].startswith("权益")
    assert cli("evaluate", str(CASE), "--lang", "en", env={"AFTERSALES_LANG": "zh"})[1].startswith("Entitlement")


def _commands(group, ctx, prefix=()):
    import click

    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if isinstance(command, click.Group):
            yield from _commands(command, ctx, (*prefix, name))
        else:
            yield (*prefix, name), command


def test_every_commands_help_opens_in_chinese():
    import click

    from aftersales.cli import main_group

    english_only = [" ".join(path) for path, command in _commands(main_group, click.Context(main_group))
                    if not any("\u4e00" <= ch <= "\u9fff" for ch in (command.help or "").split("\n\n")[0])]
    assert not english_only


def test_plugins_list_speaks_by_its_own_lang_with_full_width_punctuation(cli):
    code, zh, _ = cli("plugins", "list", "--lang", "zh", env={"AFTERSALES_LANG": "en"})
    assert code == 0 and "apple 2026.1（内置）[正常]" in zh and "(内置)" not in zh
    assert "（policies/apple.yaml）有效" in zh
    code, en, _ = cli("plugins", "list", "--lang", "en", env={"AFTERSALES_LANG": "zh"})
    assert code == 0 and "apple 2026.1 (bundled) [ok]" in en


def test_plugins_list_says_how_the_engine_runs(cli):
    """The tests run on an editable install: the engine is its source (a wheel's is compiled,
    tests/test_packaging.py), and the listing says so and how to compile it."""
    code, zh, _ = cli("plugins", "list", "--lang", "zh")
    assert code == 0 and "\n引擎：源代码解释执行（可编辑安装；用 pip install . 安装即编译，判定相同、更快）\n" in zh
    code, out, _ = cli("plugins", "list", "--json")
    assert code == 0 and json.loads(out)["engine_compiled"] is False and json.loads(out)["engine"] == "editable"


def _walk(command, ctx, path=()):
    import click

    yield path, command
    if isinstance(command, click.Group):
        for name in command.list_commands(ctx):
            yield from _walk(command.get_command(ctx, name), ctx, (*path, name))


def test_every_command_takes_lang_and_its_help_lists_it(cli):
    """--lang zh|en is given to every command by the group (cli.group.with_lang), not command by
    command: each one, group or not, accepts it and lists it in its help; a wrong value is one line."""
    import click

    from aftersales.cli import main_group

    paths = [path for path, _command in _walk(main_group, click.Context(main_group))]
    assert len(paths) > 40 and ("policy", "bundles") in paths and ("db", "upgrade") in paths
    for path in paths:
        for lang in ("en", "zh"):
            code, out, err = cli(*path, "--lang", lang, "--help")
            assert code == 0, (path, err)
            assert "--lang [zh|en]" in out, (path, out)
            assert out.startswith("Usage:" if lang == "en" else "用法："), (path, out[:40])
        code, _, err = cli(*path, "--lang", "fr", "--help", env={"AFTERSALES_LANG": "zh"})
        assert code == 2 and err.startswith("错误：--lang 的值不对：只能是 zh、en。"), (path, err)
        assert len(err.strip().splitlines()) == 1


def test_lang_is_accepted_where_the_users_gave_it(cli, tmp_path):
    url = _store(cli, tmp_path)
    env = {"AFTERSALES_LANG": "zh", "AFTERSALES_DB": url}
    code, _, err = cli("policy", "bundles", "--lang", "en", env=env)
    assert code == 0 and err.startswith("no policy bundle published")
    code, _, err = cli("policy", "activate", "2", "--lang", "en", env=env)
    assert code == 2 and err.startswith("error: ") and len(err.strip().splitlines()) == 1, err
    code, _, err = cli("cases", "list", "--lang", "en", env=env)
    assert code == 0 and err.strip() == "no cases"
    code, _, err = cli("cases", "--lang", "en", "list", env=env)   # on the group: the same
    assert code == 0 and err.strip() == "no cases"
    code, out, err = cli("report", "--lang", "en", env=env)
    assert code == 0 and "No such option" not in err
    code, _, err = cli("cases", "list", "--lang", "zh", env={**env, "AFTERSALES_LANG": "en"})
    assert code == 0 and err.strip() == "没有符合条件的案例"


def test_an_english_mistake_is_one_line_too(cli):
    code, _, err = cli("cases", "list", "--nosuch", "--lang", "en")
    assert code == 2
    assert err.strip().splitlines() == [
        "error: No such option '--nosuch'. Usage: aftersales cases list [OPTIONS] (see aftersales cases list --help)"]


def test_evaluate_decides_with_the_bundle_of_the_store_its_db_names(cli, tmp_path):
    """README: evaluate pointed at a store (--db, as AFTERSALES_DB) decides with its bundle in force."""
    from importlib import resources

    url = _store(cli, tmp_path)
    folder = tmp_path / "p"
    folder.mkdir()
    for name in ("apple.yaml", "generic_sanbao.yaml"):
        (folder / name).write_text(resources.files("aftersales.policies").joinpath(name).read_text(encoding="utf-8"),
                                   encoding="utf-8")
    code, _, err = cli("policy", "publish", str(folder), "--activate", "--by", "王芳", "--db", url)
    assert code == 0, err
    for how in (("--db", url), ()):
        env = {} if how else {"AFTERSALES_DB": url}
        code, out, err = cli("evaluate", str(CASE), "--json", *how, env=env)
        assert code == 0, err
        import json

        assert json.loads(out)["bundle"]["id"] == "1"


def _every_help(cli, lang: str, columns: int) -> dict[tuple, str]:
    import click

    from aftersales.cli import main_group

    helps = {}
    for path, _command in _walk(main_group, click.Context(main_group)):
        code, out, err = cli(*path, "--lang", lang, "--help", env={"COLUMNS": str(columns)})
        assert code == 0, (path, err)
        helps[path] = out
    return helps


def test_every_help_fits_the_terminal_counting_a_chinese_character_as_two_columns(cli):
    """click counts characters and breaks only at spaces: a Chinese line ran past the edge of
    an 80-column terminal. Measured here by rich's cell widths, not the formatter's own."""
    from rich.cells import cell_len

    for columns in (80, 60):
        for lang in ("zh", "en"):
            for path, out in _every_help(cli, lang, columns).items():
                wide = [line for line in out.splitlines() if cell_len(line) > columns]
                assert not wide, (path, lang, columns, wide)


def test_every_help_says_its_details_in_chinese_too_with_no_markup():
    """A paragraph after the first (exit codes, what a command checks) is in Chinese as well as
    English; no reStructuredText quotes (``x``) reach the reader."""
    import click

    from aftersales.cli import main_group

    english_only, marked = [], []
    for path, command in _walk(main_group, click.Context(main_group)):
        text = command.help or ""
        body = text.split("\n\n", 1)[1] if "\n\n" in text else ""
        if body.strip() and not any("\u4e00" <= ch <= "\u9fff" for ch in body) \
                and not any("\u4e00" <= ch <= "\u9fff" for ch in text.split("\n\n")[0][20:]):
            english_only.append(" ".join(path))
        if "``" in text or any("``" in (getattr(p, "help", None) or "") for p in command.params):
            marked.append(" ".join(path))
    assert not english_only
    assert not marked


def test_a_chinese_paragraph_is_joined_without_spaces_and_broken_between_characters(cli):
    wide = _every_help(cli, "zh", 200)[("policy", "validate")]
    # two lines of the source, joined as they are read
    assert "低于法定底线的条款——品牌对国行机的条款不得少于三包规定" in wide
    narrow = _every_help(cli, "zh", 50)[("policy", "validate")]
    lines = [line.strip() for line in narrow.splitlines()]
    assert not any(line.startswith(("，", "。", "、", "）", "；")) or line.endswith("（") for line in lines)
    assert "".join(lines).count("低于法定底线的条款——品牌对国行机的条款不得少于三包规定") == 1


def test_a_group_lists_each_command_by_its_whole_title_not_cut_at_45_characters(cli):
    helps = _every_help(cli, "zh", 80)
    for path, out in helps.items():
        listed = out.split("命令：", 1)[1] if "命令：" in out else ""
        assert "..." not in listed, (path, listed)
    joined = " ".join(helps[("policy",)].split())
    assert "bundles 政策包列表 / List the published policy bundles, newest first; * marks the one in force." in joined


def test_generated_cases_written_to_a_file_are_counted_on_stderr(cli, tmp_path):
    out = tmp_path / "cases.jsonl"
    code, stdout, err = cli("cases", "generate", "3", "--out", str(out), "--lang", "zh")
    assert code == 0 and stdout == "" and err.strip() == f"已生成 3 个案例：{out}"
    assert len(out.read_text(encoding="utf-8").splitlines()) == 3
    code, stdout, err = cli("cases", "generate", "2")
    assert code == 0 and len(stdout.splitlines()) == 2 and err == ""
