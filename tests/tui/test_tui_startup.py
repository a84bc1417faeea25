"""The first screen comes first: nothing is drawn for frames Textual throws away while the app
starts, and the sections below the first screenful, the Footer and the background loading
wait until a frame has been handed to the terminal."""

from __future__ import annotations

import pytest
from helpers_tui import ready, scan
from textual.widgets import Footer

from aftersales.tui import compat

pytestmark = pytest.mark.asyncio
#: these speed-ups rest on Textual's internals (``tui.compat``), used on the series checked only
internals = pytest.mark.skipif(not compat.ENABLED, reason="Textual internals not used on this Textual version")


@internals
async def test_the_lower_sections_follow_the_first_frame_and_the_first_screen_is_styled_once(make):
    """The first frame drawn shows the upper form alone (the rest comes after it, and no frame is
    drawn while the app holds its updates). Textual parses every stylesheet again when a mode
    starts with a screen it counts as out of date; a counter screen is made up to date, and a
    change of theme still restyles it."""
    app = make()
    events: list[tuple] = []
    display = app._display

    def logged(screen, renderable):
        events.append(("frame", type(renderable).__name__, app._batch_count,
                       len(screen.query("#s-documents")), len(screen.query(Footer))))
        return display(screen, renderable)

    app._display = logged
    parses = []
    reparse = app.stylesheet.reparse

    def counted():
        parses.append(1)
        return reparse()

    app.stylesheet.reparse = counted
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        intake = app.screen
        assert intake.complete and intake.query("#s-documents") and intake.query(Footer)
        assert parses == []
        for _ in range(50):   # the frame that shows the rest of the form: the next one drawn
            if any(docs and footer for _, _, _, docs, footer in events):
                break
            await pilot.pause(0.02)
        frames = [e for e in events if e[1] != "NoneType"]
        before = app.screen.styles.background
        app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
        await pilot.pause()
        await pilot.pause()
        assert parses, "a change of theme parses the stylesheets again"
        assert app.screen.styles.background != before
    # no frame was drawn while the app held its updates (it would have been thrown away)
    assert all(batch == 0 for _, _, batch, _, _ in frames)
    # the first frame drawn shows the upper form alone: the rest came after it
    first = frames[0]
    assert (first[3], first[4]) == (0, 0)
    assert any(docs and footer for _, _, _, docs, footer in frames[1:])


async def test_the_garbage_collector_is_back_on_once_the_first_screen_is_shown(make):
    import gc

    app = make()
    gc.disable()
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await ready(pilot)
            assert gc.isenabled()
    finally:
        gc.enable()


async def test_the_footer_shows_its_keys_when_the_policies_load_after_the_first_screen(make):
    """Started without policies (the usual start: they load in the background), the first field is
    focused with the first decision and the Footer is mounted after it: the Footer must still
    show the keys (it waits for the screen to say its bindings changed)."""
    app = make(registry=None)
    async with app.run_test(size=(120, 36)) as pilot:
        for _ in range(300):
            await pilot.pause(0.02)
            if app.registry is not None and getattr(app.screen, "complete", False) and app.screen.query(Footer):
                break
        await pilot.pause()
        assert app.registry is not None and app.screen.complete
        keys = app.screen.query_one(Footer).query("FooterKey")
        assert len(keys) >= 5
        assert any("保存" in str(key.description) for key in keys)


async def test_policies_that_fail_to_load_at_start_are_said_as_such_not_as_a_failed_reload(make):
    """No policies were ever in force: the toast, the save bar and the policies screen say that
    nothing can be decided, not that the old policies stay."""
    from aftersales.core.errors import PolicyError

    def broken():
        raise PolicyError("policies/apple.yaml:3:1: broken", zh="policies/apple.yaml:3:1：有误")

    from helpers_tui import toasts as notifications

    app = make(registry=None, registry_factory=broken)
    toasts = notifications(app)
    async with app.run_test(size=(120, 36)) as pilot:
        for _ in range(300):
            await pilot.pause(0.02)
            if app.registry_error is not None and getattr(app.screen, "complete", False):
                break
        await pilot.pause()
        assert any("政策未能加载" in m for m in toasts), toasts
        assert not any("原有政策继续有效" in m for m in toasts), toasts
        assert app.screen.blocked().startswith(("请先更正标红的字段", "保存前请填写", "政策未能加载，无法判定，不能保存"))
        app.screen.field_errors = {}     # with every field right, still nothing is decided
        assert app.screen.blocked() == "政策未能加载，无法判定，不能保存"
        await scan(pilot, "f3")
        await pilot.pause()
        assert "没有可用的政策" in str(app.screen.query_one("#pol-errors").render())


async def test_babel_is_not_read_as_the_counter_starts_only_when_a_country_is_named(tmp_path):
    """Babel (country names) is read at the first name asked for that the counter's own table
    does not give (``i18n.country``), never on the way to the first screen (README)."""
    import subprocess
    import sys

    script = """
import asyncio, sys
from aftersales.core.registry import load_registry
from aftersales.tui.app import make_app
from aftersales.tui.i18n import country

async def main():
    app = make_app(load_registry(), None, "zh", None, staff="王芳", store_code="SZ01", cursor_blink=False)
    async with app.run_test(size=(120, 36)) as pilot:
        for _ in range(100):
            await pilot.pause(0.02)
            if app.screen.query("#f-customer-name"):
                break
        print("started", "babel" in sys.modules)
    print("CN", country("CN"), "babel" in sys.modules)
    print("US", country("US"), country("US", "en"), "babel" in sys.modules)

asyncio.run(main())
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                         env={**__import__("os").environ, "AFTERSALES_DRAFT": str(tmp_path / "draft.json")})
    lines = out.stdout.splitlines()
    assert "started False" in lines, out.stdout + out.stderr
    assert "CN 中国大陆 False" in lines                     # the counter's own names: no Babel
    assert "US 美国 United States True" in lines             # a name only CLDR has: Babel, now
