"""Shared steps for the TUI tests (imported by the test modules; not a test file)."""

from __future__ import annotations

from textual.widgets import Checkbox, Select


async def settle(pilot) -> None:
    """Let workers finish and their messages land."""
    app = pilot.app
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


async def choose(pilot, selector: str, value: str) -> None:
    pilot.app.screen.query_one(selector, Select).value = value
    await pilot.pause()


async def type_into(pilot, selector: str, text: str) -> None:
    widget = pilot.app.screen.query_one(selector)
    widget.scroll_visible(animate=False)
    await pilot.pause()
    await pilot.click(selector)
    await pilot.press(*list(text))


async def tick(pilot, selector: str, on: bool = True) -> None:
    box = pilot.app.screen.query_one(selector, Checkbox)
    if box.value != on:
        box.scroll_visible(animate=False)
        await pilot.pause()
        await pilot.click(selector)
        await pilot.pause()
    assert box.value == on


async def fill_day5_case(pilot, *, customer: bool = True) -> None:
    """A generic-brand handset bought 5 days before the case date, fault confirmed, papers complete."""
    await choose(pilot, "#f-brand", "generic")
    await type_into(pilot, "#f-device-model", "Redmi Note 13")
    await type_into(pilot, "#f-device-imei", "356938035643809")
    await type_into(pilot, "#f-purchase-date", "2026-06-10")
    await choose(pilot, "#f-purchase-channel", "authorized_reseller")
    await tick(pilot, "#doc-invoice")
    await tick(pilot, "#doc-sanbao_certificate")
    await tick(pilot, "#f-fault-confirmed")
    if customer:
        await type_into(pilot, "#f-customer-name", "李雷")
        await type_into(pilot, "#f-customer-phone", "13800138000")
    await pilot.pause()
