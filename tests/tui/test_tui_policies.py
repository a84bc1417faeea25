"""Policies screen: plugins and policies listed; reload swaps only when every file is valid."""

from __future__ import annotations

from importlib import resources

import pytest
from helpers_tui import scan, settle
from textual.widgets import DataTable

from aftersales.tui import compat
from aftersales.tui.screens.policies import PoliciesScreen, PolicyView

pytestmark = pytest.mark.asyncio


@pytest.fixture
def policies_dir(tmp_path):
    folder = tmp_path / "policies"
    folder.mkdir()
    text = (resources.files("aftersales.policies") / "generic_sanbao.yaml").read_text(encoding="utf-8")
    (folder / "generic_sanbao.yaml").write_text(text, encoding="utf-8")
    return folder


async def test_policies_are_listed_with_versions(make):
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await scan(pilot, "f3")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, PoliciesScreen)
        policies = {r["policy"]: r for r in screen.rows}
        assert {"generic_sanbao", "apple", "huawei"} <= set(policies)
        assert all(r["valid"] for r in screen.rows)
        table = screen.query_one(DataTable)
        table.focus()
        await scan(pilot, "v")
        await pilot.pause()
        view = app.screen
        assert isinstance(view, PolicyView)
        # F4 on the intake: the policy, open in the policies' mode, is in English when F3 comes back to it
        await scan(pilot, "f1", "f4", "f3")
        await settle(pilot)
        assert app.screen is view
        keys = {k.action: str(k.description) for k in view.query("FooterKey")}
        if compat.ENABLED:      # (the keys' words change with Textual's internals only: tui/compat.py)
            assert keys.get("close") == "Close" and keys.get("toggle_source") == "Source", keys
        assert "(read-only)" in str(view.query_one("#policy-title").render())
        await scan(pilot, "escape")


async def test_reload_a_broken_policy_keeps_the_old(make, policies_dir):
    from aftersales.core.registry import load_registry

    def factory():
        return load_registry(policies_dir=policies_dir)

    first = factory()
    app = make(registry=first, registry_factory=factory)
    async with app.run_test(size=(120, 40)) as pilot:
        await scan(pilot, "f3")
        await pilot.pause()
        path = policies_dir / "generic_sanbao.yaml"
        good = path.read_text(encoding="utf-8")
        path.write_text(good.replace("months: 12", "months: twelve", 1), encoding="utf-8")
        await scan(pilot, "r")
        await settle(pilot)
        assert app.registry is first                      # the old policies stay in force
        assert app.reload_issues
        issue = app.reload_issues[0]
        assert "generic_sanbao.yaml" in str(issue) and getattr(issue, "line", 0) > 1
        shown = str(app.screen.query_one("#pol-errors").render())
        assert "generic_sanbao.yaml:" in shown and "twelve" in shown
        # the counter keeps deciding with the old policies
        await scan(pilot, "f1")
        from helpers_tui import load_day5_case

        await load_day5_case(pilot, customer=False)
        assert app.screen.decision["entitlement"] == "return"
        # fixed: the reload goes through
        path.write_text(good, encoding="utf-8")
        await scan(pilot, "f3")
        await scan(pilot, "r")
        await settle(pilot)
        assert app.registry is not first
        assert not app.reload_issues


async def test_reload_through_registry_reload_keeps_the_old(make, policies_dir):
    """Without a factory the app uses ``Registry.reload()`` (validate all, then swap in place)."""
    from aftersales.core.registry import load_registry

    registry = load_registry(policies_dir=policies_dir)
    app = make(registry=registry)
    async with app.run_test(size=(120, 40)) as pilot:
        await scan(pilot, "f3")
        await pilot.pause()
        path = policies_dir / "generic_sanbao.yaml"
        good = path.read_text(encoding="utf-8")
        before = [(p.id, p.version, p.sha256) for p in registry.all_policies()]
        path.write_text(good.replace("months: 12", "months: twelve", 1), encoding="utf-8")
        await scan(pilot, "r")
        await settle(pilot)
        assert app.reload_issues
        assert "generic_sanbao.yaml" in str(app.screen.query_one("#pol-errors").render())
        assert [(p.id, p.version, p.sha256) for p in app.registry.all_policies()] == before
        path.write_text(good, encoding="utf-8")
        await scan(pilot, "r")
        await settle(pilot)
        assert not app.reload_issues


async def test_policies_and_a_policy_read_without_ids_its_file_only_as_source(make):
    """F3 names each plugin by its brands and each policy by its title, and v shows a policy's
    terms as a clerk reads them (each remedy, its papers and citation; the exclusions): no
    plugin, policy or rule id, no field path. The YAML file is a second view, labelled 原文 (o),
    and o again goes back to the terms."""
    import re

    ids = re.compile(r"(?<![A-Za-z_.])(apple|huawei|generic_sanbao|[a-z0-9]+_[a-z0-9_]+|[a-z_]+\.[a-z_]+)(?![A-Za-z_])")
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await scan(pilot, "f3")
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        cells = [str(cell) for i in range(table.row_count) for cell in table.get_row_at(i)]
        shown = " ".join(cells + [str(column.label) for column in table.columns.values()])
        assert not ids.search(shown), ids.search(shown)
        assert "移动电话机商品三包规定（法定底线）" in shown and "2001-11-15 起" in shown and "其他品牌" in shown
        table.focus()
        row = next(i for i, r in enumerate(app.screen.rows) if r["policy"] == "generic_sanbao")
        table.move_cursor(row=row)
        await scan(pilot, "v")
        await pilot.pause()
        view = app.screen
        assert isinstance(view, PolicyView)
        terms = str(view.query_one("#policy-title").render()) + view.query_one("#policy-body").content.text.plain
        assert not ids.search(terms), ids.search(terms)
        for said in ("退货 · 7日内性能故障\n", "所需单证：购机发票、三包凭证 · 服务地点：原销售商", "换货 · 15日内性能故障 · 第 8–15 日",
                     "《移动电话机商品修理更换退货责任规定》第十一条", "除外情形", "进液属人为损坏，不实行三包", "适用品牌：所有品牌"):
            assert said in terms, said
        await scan(pilot, "o")
        await pilot.pause()
        title = str(view.query_one("#policy-title").render())
        assert "原文" in title and "generic_sanbao.yaml" in title
        await scan(pilot, "o")
        await pilot.pause()
        assert "原文" not in str(view.query_one("#policy-title").render())
        await scan(pilot, "escape")


async def test_broken_plugins_and_policies_are_listed_not_passed_and_said_in_chinese(make, tmp_path):
    """F3 is where a network's IT person looks when a brand is quarantined: a plugin's policy file
    that could not be read is listed by its file (F3 closed the UI on it), a plugin quarantined or
    whose load-time hook failed is not "通过", and the problems are said in Chinese."""
    import os

    from aftersales.core.registry import load_registry

    plugins = tmp_path / "plugins"
    nokia = plugins / "nokia"
    nokia.mkdir(parents=True)
    (nokia / "nokia.yaml").write_text("id: nokia\nversion: '1'\nperiods: {host: {months: twelve}}\n",
                                      encoding="utf-8")
    (nokia / "__init__.py").write_text(
        "from pathlib import Path\n"
        "from aftersales.core.plugininfo import Brand\n"
        "from aftersales.core.policyplugin import PolicyPlugin\n\n"
        "class Nokia(PolicyPlugin):\n    name = 'nokia'\n    brands = [Brand('nokia', '诺基亚', 'Nokia')]\n\n"
        "    def policy_files(self):\n        return [Path(__file__).with_name('nokia.yaml')]\n\n"
        "plugin = Nokia()\n", encoding="utf-8")
    (plugins / "acme.py").write_text(
        "from aftersales import hookimpl\n\n@hookimpl\ndef aftersales_brands():\n"
        "    raise RuntimeError('配置文件丢失')\n", encoding="utf-8")
    for path in (plugins, nokia, nokia / "nokia.yaml", nokia / "__init__.py", plugins / "acme.py"):
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    registry = load_registry(plugins_dir=plugins)
    app = make(registry=registry)
    async with app.run_test(size=(120, 40)) as pilot:
        await scan(pilot, "f3")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, PoliciesScreen)
        rows = {r["policy"]: r for r in screen.rows if r["policy"]}
        assert not rows["nokia.yaml"]["valid"]            # named by its file: it has no id to show
        assert rows["generic_sanbao"]["valid"] and rows["huawei"]["valid"] and rows["apple"]["valid"]
        acme = [r for r in screen.rows if not r["policy"] and not r["brands"]]
        assert acme and not any(r["valid"] for r in acme)
        shown = str(screen.query_one("#pol-errors").render())
        assert "nokia.yaml:" in shown and "这里应为" in shown and "expected" not in shown
        assert "acme" in shown and "配置文件丢失" in shown
