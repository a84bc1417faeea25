"""A wide character (a Chinese character, a fullwidth "）：") drawn whole where a widget's edge falls
under it: a toast over the ticket dialog lost "）：" where it crossed the dialog's edges (Textual
cuts a screen line at every widget's edge, and a character cut in two became two spaces)."""

from __future__ import annotations

import pytest
from helpers_tui import screen_lines, settle

from aftersales.tui import compat

pytestmark = [pytest.mark.asyncio,
              pytest.mark.skipif(not compat.ENABLED, reason="drawn by the counter's compositor (tui.compat)")]

CHINESE = "存档目录（第二批）：按月归档（深圳）：甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥"


async def _toast(pilot, message: str):
    app = pilot.app
    app.notify(message, timeout=60)
    for _ in range(100):               # the toast is mounted on the screen, then drawn
        await pilot.pause()
        if app.screen.query("Toast"):
            break
    await pilot.pause()
    return app.screen.query_one("Toast")


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
async def test_a_toast_over_the_ticket_keeps_every_chinese_character(make, size):
    from aftersales.tui.screens.detail import TicketScreen

    app = make()
    async with app.run_test(size=size, notifications=True) as pilot:
        await settle(pilot)
        app.push_screen(TicketScreen("SZ01-20260615-0001", "手机售后服务受理单\n" * 60))
        await pilot.pause()
        width = (await _toast(pilot, "—")).content_region.width
        # two lines as wide as the toast's text, their characters one cell apart: whatever
        # column an edge falls at, it falls inside a character of one of them
        even = CHINESE[: width // 2]
        odd = "a" + CHINESE[: (width - 1) // 2]
        toast = await _toast(pilot, f"{even}\n{odd}")
        left, right = toast.content_region.x, toast.content_region.right
        dialog = app.screen.query_one(".dialog")
        edges = {edge for widget in (dialog, *dialog.query("*")) for edge in (widget.region.x, widget.region.right)}
        assert any(left < edge < right - 1 for edge in edges), (left, right, sorted(edges))   # it crosses the dialog's
        shown = screen_lines(app)
        for line in (even, odd):
            assert any(line in row for row in shown), "\n".join([line] + [row for row in shown if "▌" in row])
