"""``aftersales tui`` and bare ``aftersales`` open the UI with the options and environment the docs give."""

from __future__ import annotations

import pytest
from click.testing import CliRunner


@pytest.fixture
def opened(monkeypatch):
    """Replace the app by a recorder: what ``make_app`` was given, and that ``run()`` was called."""
    calls: list[dict] = []

    class Recorder:
        def __init__(self, **kwargs):
            calls.append(kwargs)

        def run(self):
            calls[-1]["ran"] = True

    import aftersales.tui.app as app_module

    monkeypatch.setattr(app_module, "make_app", lambda **kw: Recorder(**kw))
    for name in ("AFTERSALES_LANG", "AFTERSALES_STORE", "AFTERSALES_STAFF", "AFTERSALES_DB"):
        monkeypatch.delenv(name, raising=False)
    return calls


def test_tui_lang_en_option(opened):
    from aftersales.cli import main_group

    # --lang is the group's, as every command's (cli.group.with_lang)
    result = CliRunner().invoke(main_group, ["tui", "--lang", "en", "--store", "sz01"])
    assert result.exit_code == 0, result.output
    assert opened == [{"lang": "en", "db_url": None, "store_code": "sz01", "staff": None, "ran": True}]
    result = CliRunner().invoke(main_group, ["--lang", "en"])   # the group alone opens the UI, in English
    assert result.exit_code == 0, result.output
    assert opened[1]["lang"] == "en"


def test_tui_reads_its_environment(opened):
    from aftersales.cli.tui import tui

    result = CliRunner().invoke(tui, [], env={"AFTERSALES_LANG": "en", "AFTERSALES_STORE": "sz02",
                                              "AFTERSALES_DB": "sqlite:///x.sqlite3"})
    assert result.exit_code == 0, result.output
    assert opened[0]["lang"] == "en" and opened[0]["store_code"] == "sz02" and opened[0]["db_url"] == "sqlite:///x.sqlite3"


def test_tui_rejects_an_unknown_language(opened):
    from aftersales.cli import main_group

    result = CliRunner().invoke(main_group, ["tui", "--lang", "fr"])
    assert result.exit_code == 2 and opened == []


def test_the_store_code_defaults_to_main(registry, monkeypatch):
    from aftersales.tui.app import make_app

    monkeypatch.delenv("AFTERSALES_STORE", raising=False)
    app = make_app(registry, None, "zh", db_url="sqlite:////nonexistent/aftersales-test.sqlite3")
    assert app.store_code == "MAIN"


def test_aftersales_alone_opens_the_ui_as_aftersales_tui_does(opened, cli):
    rc, _, err = cli(env={"AFTERSALES_LANG": "zh"})
    assert rc == 0, err
    assert opened and opened[0]["ran"] and opened[0]["lang"] == "zh"
    # its environment read as `aftersales tui` reads it
    rc, _, err = cli(env={"AFTERSALES_LANG": "en", "AFTERSALES_STORE": "sz02", "AFTERSALES_STAFF": "王芳"})
    assert rc == 0, err
    assert opened[1] == {"lang": "en", "db_url": None, "store_code": "sz02", "staff": "王芳", "ran": True}


def test_the_ui_starts_with_the_garbage_collector_off_and_ends_with_it_on(monkeypatch):
    import gc

    import aftersales.tui.app as app_module
    from aftersales.cli.tui import tui

    seen = []

    class Recorder:
        def __init__(self, **kwargs):
            seen.append(gc.isenabled())

        def run(self):
            seen.append(gc.isenabled())

    monkeypatch.setattr(app_module, "make_app", lambda **kw: Recorder(**kw))
    assert gc.isenabled()
    result = CliRunner().invoke(tui, [])
    assert result.exit_code == 0, result.output
    assert seen == [False, False] and gc.isenabled()


@pytest.mark.parametrize("env", [
    {},
    {"AFTERSALES_LANG": "en", "AFTERSALES_STORE": "sz02", "AFTERSALES_STAFF": "王芳", "AFTERSALES_DB": "sqlite:///x.sqlite3"},
    {"AFTERSALES_LANG": "", "AFTERSALES_STORE": "", "AFTERSALES_STAFF": "", "AFTERSALES_DB": ""},  # empty: as unset
])
def test_aftersales_alone_takes_what_aftersales_tui_takes_from_the_environment(opened, monkeypatch, env):
    from aftersales.cli import main
    from aftersales.cli.tui import tui

    result = CliRunner().invoke(tui, [], env=env)
    assert result.exit_code == 0, result.output
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as ended:
        main([])
    assert ended.value.code == 0
    assert len(opened) == 2 and opened[0] == opened[1]


@pytest.mark.parametrize("value, lang", [("en_US", "en"), ("en_US.UTF-8", "en"), ("zh_CN.UTF-8", "zh"),
                                         ("zh", "zh"), ("fr", "zh")])
def test_the_ui_reads_aftersales_lang_by_the_rule_every_command_reads_it(opened, monkeypatch, cli, value, lang):
    """One rule (``cli.message_lang``): a value starting with ``en`` is English, any other
    Chinese, for ``aftersales tui``, bare ``aftersales`` and a command alike."""
    from aftersales.cli import main
    from aftersales.cli.tui import tui

    result = CliRunner().invoke(tui, [], env={"AFTERSALES_LANG": value})
    assert result.exit_code == 0, result.output
    monkeypatch.setenv("AFTERSALES_LANG", value)
    with pytest.raises(SystemExit) as ended:
        main([])
    assert ended.value.code == 0
    assert [call["lang"] for call in opened] == [lang, lang]
    _, _, err = cli("cases", "list", "--db", "sqlite:////nonexistent/x.sqlite3", env={"AFTERSALES_LANG": value})
    assert err.startswith("error:" if lang == "en" else "错误："), err


def test_aftersales_alone_opens_the_ui_without_importing_click():
    import subprocess
    import sys

    program = (
        "import sys\n"
        "import aftersales.tui.app as app_module\n"
        "class Recorder:\n"
        "    def __init__(self, **kwargs): self.kwargs = kwargs\n"
        "    def run(self): print(sorted(m for m in ('click', 'aftersales.cli.group') if m in sys.modules), self.kwargs['lang'])\n"
        "app_module.make_app = lambda **kw: Recorder(**kw)\n"
        "from aftersales.cli import main\n"
        "sys.argv = ['aftersales']\n"
        "main()\n"
    )
    env = {"PATH": "/usr/bin:/bin", "AFTERSALES_LANG": "en"}
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["[]", "en"]
