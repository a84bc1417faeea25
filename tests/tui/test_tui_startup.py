"""The first screen comes first: nothing is drawn for frames Textual throws away while the app
starts, and the sections below the first screenful, the Footer and the background loading
wait until a frame has been handed to the terminal."""

from __future__ import annotations

import pytest
from helpers_tui import ready
from textual.widgets import Footer

pytestmark = pytest.mark.asyncio


async def test_the_lower_sections_and_the_footer_follow_the_first_frame(make):
    app = make()
    events: list[tuple] = []
    display = app._display

    def logged(screen, renderable):
        events.append(("frame", type(renderable).__name__, app._batch_count,
                       len(screen.query("#s-documents")), len(screen.query(Footer))))
        return display(screen, renderable)

    app._display = logged
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        intake = app.screen
        assert intake.complete and intake.query("#s-documents") and intake.query(Footer)
    frames = [e for e in events if e[1] != "NoneType"]
    # no frame was drawn while the app held its updates (it would have been thrown away)
    assert all(batch == 0 for _, _, batch, _, _ in frames)
    # the first frame drawn shows the upper form alone: the rest came after it
    first = frames[0]
    assert (first[3], first[4]) == (0, 0)
    assert any(docs and footer for _, _, _, docs, footer in frames[1:])
