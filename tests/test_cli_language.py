"""Every command speaks by one rule (``cli.message_lang``): ``--lang``, else ``AFTERSALES_LANG``,
else Chinese. The locale is not read: a counter's terminal in an English locale still speaks
Chinese, in every command alike."""

from __future__ import annotations

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
