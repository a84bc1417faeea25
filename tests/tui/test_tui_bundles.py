"""A running counter picks up a newly activated policy bundle without a restart, shows its
version in the header, and says when a plugin is quarantined."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from helpers_tui import settle

from aftersales.policies import bundled

pytestmark = pytest.mark.asyncio


def _publish(store, note: str, months: int = 12) -> dict:
    from aftersales.store import bundles

    text = bundled("huawei.yaml").read_text(encoding="utf-8")
    files = {"huawei.yaml": text if months == 12 else text.replace("host: {months: 12}", f"host: {{months: {months}}}", 1)}
    record = bundles.publish(store.engine, files, author="it", note=note, now=datetime.now(UTC))
    return bundles.activate(store.engine, record["id"], actor="it", now=datetime.now(UTC))


async def test_a_newly_activated_bundle_is_picked_up_and_shown(make, store):
    first = _publish(store, "v1")
    app = make(registry=None)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.registry.bundle == ("1", first["sha256"])
        assert f"政策包 1（{first['sha256'][:12]}）" in app.sub_title
        second = _publish(store, "v2", months=24)   # other terms: a bundle of its own
        app.check_bundle()                     # what the poll timer does every few seconds
        for _ in range(100):
            await app.workers.wait_for_complete()
            await pilot.pause(0.02)
            if app.registry.bundle[0] == "2":
                break
        assert app.registry.bundle == ("2", second["sha256"])
        assert "政策包 2" in app.sub_title


async def test_the_header_names_a_quarantined_plugin_and_the_tick_list_offers_the_ids_a_network_declares(
        make, tmp_path):
    import os
    from pathlib import Path

    from aftersales.core.registry import load_registry

    plugins = tmp_path / "plugins"
    plugins.mkdir()
    os.chmod(plugins, 0o755)
    (plugins / "nokia.py").write_text("import no_such_module_here\n", encoding="utf-8")
    os.chmod(plugins / "nokia.py", 0o644)
    app = make(registry=load_registry(plugins_dir=plugins))
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert "⚠ 插件已隔离：nokia" in app._subtitle()

        # the documents tick list offers the ids the policies in force declare
        examples = Path(__file__).resolve().parents[2] / "examples" / "plugins"
        ticks = app.intake.query_one("#docs")
        assert "handset" not in [ticks.get_option_at_index(i).value for i in range(ticks.option_count)]
        app.registry = load_registry(plugins_dir=examples)   # the policies in force change
        app._broadcast("registry_changed")
        await pilot.pause()
        options = {ticks.get_option_at_index(i).value: str(ticks.get_option_at_index(i).prompt)
                   for i in range(ticks.option_count)}
        assert options["handset"] == "机头" and options["licence_sticker_unworn"] == "入网证完好无磨损"
        assert options["invoice"] == "购机发票"
    from aftersales.core import vocab

    vocab.extend_documents({})   # the next tests' registries declare nothing of their own
