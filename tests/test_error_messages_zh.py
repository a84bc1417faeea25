"""Every error a user can meet says it in Chinese: each project error (an ``AftersalesError``
subclass) made in the code gives ``zh=``; the CLI prints it by default (``错误：…``)."""

from __future__ import annotations

import ast
from pathlib import Path

from aftersales.core.errors import AftersalesError, PluginError, PolicyError

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("aftersales", "authoring", "batch", "cli", "core", "plugins", "store", "tui")
#: errors made from an object that carries both languages (``QuarantineError(quarantine)``)
BUILT_FROM_BILINGUAL = {"QuarantineError"}


def _trees() -> dict[str, ast.Module]:
    return {str(path.relative_to(ROOT)): ast.parse(path.read_text(encoding="utf-8"))
            for folder in FOLDERS for path in sorted((ROOT / folder).rglob("*.py"))}


def _project_errors(trees: dict[str, ast.Module]) -> set[str]:
    names = {"AftersalesError"}
    classes = [(node.name, {getattr(b, "id", getattr(b, "attr", "")) for b in node.bases})
               for tree in trees.values() for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]
    grown = True
    while grown:
        grown = False
        for name, bases in classes:
            if name not in names and bases & names:
                names.add(name)
                grown = True
    return names


def _english_only(trees: dict[str, ast.Module]) -> dict[str, list[str]]:
    errors = _project_errors(trees) - BUILT_FROM_BILINGUAL
    found: dict[str, list[str]] = {}
    for name, tree in trees.items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            called = getattr(node.func, "id", getattr(node.func, "attr", None))
            keywords = {k.arg for k in node.keywords}
            if called in errors and "zh" not in keywords and None not in keywords:
                found.setdefault(name, []).append(f"{name}:{node.lineno}: {ast.unparse(node)[:100]}")
    return found


def test_every_project_error_gives_its_chinese_message():
    found = _english_only(_trees())
    assert not found, "errors without zh=:\n" + "\n".join(line for lines in found.values() for line in lines)


def test_the_check_finds_an_error_without_zh():
    tree = ast.parse("from x import StoreError\n"
                     "class StoreError(AftersalesError): pass\n"
                     "def f():\n    raise StoreError('no case numbered 1', field='number')\n"
                     "def g():\n    raise StoreError('no case numbered 1', zh='没有编号为 1 的案例')\n")
    assert [line.split(":")[1] for line in _english_only({"store/x.py": tree})["store/x.py"]] == ["4"]


def test_policy_and_plugin_errors_carry_their_chinese():
    policy = PolicyError("apple.yaml:3:1: $: not UTF-8 text", issues=[], zh="apple.yaml:3:1: $: 不是 UTF-8 文本")
    plugin = PluginError("plugin 'x': aftersales_brands failed: boom", plugin="x", zh="插件 'x'：aftersales_brands 出错：boom")
    for error in (policy, plugin):
        assert isinstance(error, AftersalesError)
        assert error.line("zh") == error.message_zh != error.line("en") == str(error)
    assert plugin.plugin == "x" and policy.issues == []


def test_an_os_error_is_worded_in_chinese_in_a_chinese_line(tmp_path, cli):
    """What the system says (``No such file or directory``) is said in Chinese in a Chinese line,
    by the one table of OS errors (``core.errors.os_reason``) the counter UI uses too."""
    missing = tmp_path / "nope.yaml"
    code, out, err = cli("evaluate", str(missing), env={"AFTERSALES_LANG": "zh"})
    assert code != 0 and "找不到文件或文件夹" in out + err and "No such file" not in out + err, (out, err)
    # a policy file that cannot be read as it loads says it by the same table:
    # tests/toolkit/test_toolkit_validate.py (policy validate refuses a missing path as a bad argument)
