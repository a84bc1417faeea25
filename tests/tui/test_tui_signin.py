"""Once staff are registered, the counter signs in (code and PIN) before it works, and what it
saves names the signed-in staff member."""

from __future__ import annotations

import pytest
from helpers_tui import load_day5_case, scan, settle

from aftersales.tui.screens.signin import SignInScreen

pytestmark = pytest.mark.asyncio


@pytest.fixture
def staffed(store, clock):
    from aftersales.store import staff

    staff.add_staff(store.engine, "M001", "张经理", pin="246810", store=None, role="manager", now=clock())
    staff.add_staff(store.engine, "S001", "王芳", pin="135790", store="SZ01", now=clock())
    return store


async def _sign_in(pilot, code: str, pin: str) -> None:
    screen = pilot.app.screen
    screen.query_one("#signin-code").focus()
    screen.query_one("#signin-code").value = ""
    await scan(pilot, code, "enter")    # typed as one burst: handled in order (no idle wait per key)
    await scan(pilot, pin, "enter")
    await pilot.pause()


async def test_the_counter_signs_in_before_it_works(make, staffed):
    app = make(staff="whoever")
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(100):
            if isinstance(app.screen, SignInScreen):
                break
            await pilot.pause(0.02)
        assert isinstance(app.screen, SignInScreen)
        await scan(pilot, "escape")  # no way around it
        assert isinstance(app.screen, SignInScreen)
        for mode_key in ("f1", "f2", "f3"):   # F2 is heard over any dialog, but not around this one
            await scan(pilot, mode_key)
            await pilot.pause()
            assert isinstance(app.screen, SignInScreen) and app.current_mode == "intake", mode_key
        await _sign_in(pilot, "S001", "000000")
        assert isinstance(app.screen, SignInScreen)
        assert "PIN" in str(app.screen.query_one("#signin-error").render())
        await _sign_in(pilot, "S001", "135790")
        assert not isinstance(app.screen, SignInScreen)
        assert app.staff == "S001 王芳"
        await load_day5_case(pilot)
        await scan(pilot, "ctrl+s")
        await settle(pilot)
        number = app.screen.saved_number
    assert staffed.get(number)["events"][0]["actor"] == "S001 王芳"


async def test_without_staff_there_is_no_sign_in(make, store):
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert not isinstance(app.screen, SignInScreen) and app.staff == "王芳"
