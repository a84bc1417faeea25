"""Snapshots of the four main screens (pytest-textual-snapshot), on a fixed clock with the
cursor blink off. Regenerate after an intended change with ``pytest tests/tui --snapshot-update``.
"""

from __future__ import annotations

import pytest
from helpers_tui import load_day5_case, settle

from aftersales.tui import compat

#: the snapshots are of the Textual release pinned for the tests, drawn with its internals
#: (``tui.compat``); with them off the screens work alike but may scroll a line differently
pytestmark = pytest.mark.skipif(not compat.ENABLED, reason="snapshots are drawn with the checked Textual's internals")

SIZE = (100, 32)
CASE = {
    "case_date": "2026-06-15", "brand": "apple",
    "device": {"model": "iPhone 15", "part_number": "MTLE3CH/A", "imei": "356938035643809"},
    "purchase": {"channel": "authorized_reseller", "date": "2026-06-05", "country": "CN"},
    "documents": ["invoice", "sanbao_certificate"],
    "fault": {"component": "host", "description": "无法开机", "confirmed": True},
}


@pytest.fixture
def stocked(registry, store, clock):
    """The temp store with two cases: one fresh, one whose follow-up is overdue."""
    from datetime import timedelta

    from aftersales.store.casestore import CaseStore
    from aftersales.store.evaluator import RegistryEvaluator

    bound = CaseStore(store.engine, RegistryEvaluator(registry))
    early = clock() - timedelta(days=14)
    bound.create_case({**CASE, "case_date": "2026-06-01", "purchase": {**CASE["purchase"], "date": "2026-05-20"}},
                      store="SZ01", staff="王芳", customer="韩梅梅", phone="13912345678", now=early)
    bound.create_case(CASE, store="SZ01", staff="王芳", customer="李雷", phone="13800138000", now=clock())
    return store


def test_intake_snapshot(snap_compare, make):
    async def run_before(pilot):
        await load_day5_case(pilot)
        await pilot.press("ctrl+o")
        pilot.app.screen.query_one("#f-customer-phone").blur()
        await pilot.pause()

    assert snap_compare(make(), terminal_size=SIZE, run_before=run_before)


def test_queue_snapshot(snap_compare, make, stocked):
    async def run_before(pilot):
        await pilot.press("f2")
        await settle(pilot)

    assert snap_compare(make(store=stocked), terminal_size=SIZE, run_before=run_before)


def test_detail_snapshot(snap_compare, make, stocked):
    async def run_before(pilot):
        await pilot.press("f2")
        await settle(pilot)
        pilot.app.screen.open_number("SZ01-20260615-0001")
        await settle(pilot)

    assert snap_compare(make(store=stocked), terminal_size=SIZE, run_before=run_before)


def test_policies_snapshot(snap_compare, make):
    async def run_before(pilot):
        await pilot.press("f3")
        await pilot.pause()

    assert snap_compare(make(), terminal_size=SIZE, run_before=run_before)


#: a notification long enough to cross the form | panel divider (characters not on the screen otherwise)
TOAST = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥，天干地支一共二十二个字，每个都应完整显示"


def _screen_text(svg: str) -> str:
    import html
    import re

    return html.unescape("".join(re.findall(r"<text[^>]*>([^<]*)</text>", svg))).replace("\xa0", " ")


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
def test_chinese_notifications_keep_every_character(snap_compare, make, size):
    """A toast over the form and the panel: every CJK character drawn (none dropped where the toast
    crosses a widget's edge), at the smallest and the usual terminal size."""
    shown: dict[str, str] = {}

    async def run_before(pilot):
        await settle(pilot)
        pilot.app.notify(TOAST, timeout=60)
        for _ in range(100):            # the toast is mounted on the screen, then drawn
            await pilot.pause()
            if pilot.app.screen.query("Toast"):
                break
        await pilot.pause()
        shown["text"] = _screen_text(pilot.app.export_screenshot())

    assert snap_compare(make(), terminal_size=size, run_before=run_before)
    text = shown["text"].replace(" ", "")
    for ch in TOAST:
        assert text.count(ch) >= TOAST.count(ch), (ch, size)


def test_every_stored_snapshot_belongs_to_a_test():
    """A stored snapshot that no test compares against fails the run. (syrupy says so itself in a
    run in one process; the suite runs in pytest-xdist workers, where it does not look.)"""
    import inspect
    from pathlib import Path

    expected = set()
    for name, fn in globals().items():
        if not (name.startswith("test_") and "snap_compare" in inspect.signature(fn).parameters):
            continue
        params = [m for m in getattr(fn, "pytestmark", []) if m.name == "parametrize"]
        if not params:
            expected.add(f"{name}.svg")
        for mark in params:      # the ids pytest gives values that are not strings or numbers: argname + index
            argname, values = mark.args[:2]
            expected |= {f"{name}[{argname}{i}].svg" for i in range(len(values))}
    folder = Path(__file__).parent / "__snapshots__" / Path(__file__).stem
    stored = {p.name for p in folder.iterdir()}
    assert stored == expected
