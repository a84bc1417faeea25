"""What the first screen leaves out, and still gets right: Textual's version read without
``importlib.metadata``, a widget styled once (when it mounts), the Save button after the
first frame in the place kept for it."""

from __future__ import annotations

import subprocess
import sys

import pytest
from helpers_tui import ready
from textual.widgets import Button

from aftersales.tui import compat

pytestmark = pytest.mark.asyncio


async def test_textual_version_without_importlib_metadata():
    import importlib.metadata

    code = ("import sys; from aftersales.tui import compat; "
            "print(compat.textual_version(), 'importlib.metadata' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == [importlib.metadata.version("textual"), "False"]


async def test_the_save_button_follows_the_first_frame_in_its_place_and_a_widget_is_styled_when_it_mounts(make):
    from aftersales.tui.screens.base import FormInput

    app = make()
    frames: list[tuple[bool, int]] = []
    display = app._display

    def logged(screen, renderable):
        if renderable is not None and screen.query("#save-status"):
            frames.append((bool(screen.query("#save")), screen.query_one("#save-status").region.x))
        return display(screen, renderable)

    app._display = logged
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        save = app.screen.query_one("#save", Button)
        assert save.region.right <= app.screen.query_one("#save-status").region.x

        # a widget made with a class set in its constructor is styled when it mounts, not before
        applied: list[object] = []
        apply = app.stylesheet.apply

        def counted(node, **kwargs):
            applied.append(node)
            return apply(node, **kwargs)

        app.stylesheet.apply = counted
        field = FormInput("x", id="f-extra", compact=True)   # compact: a class set in the constructor
        field.add_class("invalid")
        assert field not in applied                           # not in the DOM: not styled yet
        await app.screen.query_one("#form").mount(field)
        await pilot.pause()
        assert field in applied
        # styled with the classes it has: compact (one line, no border) and the form's invalid rule
        assert field.outer_size.height == 1
        assert field.styles.background != app.screen.query_one("#f-customer-name").styles.background
    shown = [f for f in frames if f[1]]
    if compat.ENABLED:     # the first frame written comes before the rest of the form
        assert shown[0][0] is False
    assert shown[-1][0] is True
    assert len({x for _, x in shown}) == 1, frames     # the status line never moves
