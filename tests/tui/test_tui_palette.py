"""Every action is a Binding, and the command palette offers the screen's bindings by name."""

from __future__ import annotations

import pytest
from helpers_tui import ready, scan

from aftersales.tui.commands import BindingCommands
from aftersales.tui.screens.queue import QueueScreen

pytestmark = pytest.mark.asyncio


async def test_the_palette_speaks_chinese_lists_the_bindings_and_runs_one(make):
    from textual.command import CommandInput, CommandPalette

    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        names = [name for name, _, _ in BindingCommands(app.screen)._commands()]
        keys = {name: keys for name, keys, _ in BindingCommands(app.screen)._commands()}
        assert keys["新案例"] == "Ctrl+N" and keys["队列"] == "F2"     # as the keyboard says them, not ^n / f2
        for label in ("新案例", "出处", "受理", "队列", "政策", "English", "退出"):
            assert label in names, (label, names)
        assert "保存" not in names  # Save is offered once the case can be saved
        assert "Move cursor left" not in names  # the field's editing keys are not actions

        for _ in range(50):
            await pilot.pause(0.02)
            if app.screen.query("FooterKey"):
                break
        footer_keys = [str(k.description) for k in app.screen.query("FooterKey")]
        assert "命令" in footer_keys and "palette" not in footer_keys
        await scan(pilot, "ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        assert app.screen.query_one(CommandInput).placeholder.startswith("输入要做的事")
        for _ in range(50):
            await pilot.pause(0.02)
            if app.screen.query("CommandList Option"):
                break
        shown = " ".join(str(o.prompt) for o in app.screen.query_one("CommandList").options)
        for english in ("Theme", "Quit", "Keys", "Minimize", "Screenshot", "Focus"):
            assert english not in shown, (english, shown)
        assert "新案例" in shown

        # one run from the palette by its Chinese name
        await scan(pilot, "队列")
        for _ in range(50):  # the palette searches in a worker: until its first hit is the one typed
            await pilot.pause(0.02)
            options = app.screen.query_one("CommandList").options
            if options and "队列" in str(options[0].prompt):
                break
        await scan(pilot, "enter")
        for _ in range(50):
            await pilot.pause(0.02)
            if isinstance(app.screen, QueueScreen):
                break
        assert isinstance(app.screen, QueueScreen)
        queue_keys = {name: keys for name, keys, _ in BindingCommands(app.screen)._commands()}
        assert queue_keys["筛选"] == "/"                      # a key with no word of its own, as Textual writes it


async def test_a_search_that_finds_nothing_says_so_in_chinese(make):
    """Textual's own line for no match is English ("No matches found"): the palette says it in
    the UI's language, and choosing that line does nothing but close the palette."""
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await scan(pilot, "ctrl+p")
        await pilot.pause()
        await scan(pilot, *"协议书xyz")
        shown = ""
        for _ in range(100):   # the palette searches in a worker; its own line comes after 0.5 s
            await pilot.pause(0.02)
            shown = " ".join(str(o.prompt) for o in app.screen.query_one("CommandList").options)
            if "没有这样的命令" in shown:
                break
        await pilot.pause(0.7)
        shown = " ".join(str(o.prompt) for o in app.screen.query_one("CommandList").options)
        assert "没有这样的命令" in shown and "No matches" not in shown, shown
        screen = app.screen
        await scan(pilot, "enter")
        for _ in range(50):
            await pilot.pause(0.02)
            if app.screen is not screen:
                break
        assert type(app.screen).__name__ == "IntakeScreen"


async def test_the_title_line_follows_the_titles_and_its_mark_opens_the_palette(make):
    from textual.command import CommandPalette

    from aftersales.tui.widgets.titlebar import TitleBar

    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        bar = app.screen.query_one(TitleBar)
        line = bar.render()
        assert line.plain.startswith(" ⭘") and f"售后柜台 — {app.sub_title}" in line.plain
        assert line.cell_length == 120                  # the whole width, in the title line's colours
        app.screen.sub_title = "店长日报"          # a screen's own sub-title is shown, as Header showed it
        await pilot.pause()
        assert "售后柜台 — 店长日报" in bar.render().plain
        app.screen.sub_title = None
        await pilot.pause()
        assert app.sub_title in bar.render().plain
        await pilot.click(TitleBar, offset=(40, 0))   # the title itself: nothing happens
        await pilot.pause()
        assert not isinstance(app.screen, CommandPalette)
        await pilot.click(TitleBar, offset=(1, 0))    # the mark
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)


async def _footer_keys(app, pilot) -> dict[str, str]:
    """The footer's keys (description -> key as shown), once each is checked whole at the screen's
    width, left of the palette's key on the right."""
    from helpers_tui import settle
    from textual.widgets import Footer

    for _ in range(50):
        await pilot.pause(0.02)
        if app.screen.query("FooterKey"):
            break
    await settle(pilot)
    footer = app.screen.query_one(Footer)
    keys = list(footer.query("FooterKey"))
    palette = [k for k in keys if k.key_display == "Ctrl+P"]
    assert len(palette) == 1 and palette[0].region.right <= app.size.width
    for k in keys:              # each whole, left of the palette's key on the right
        assert k.region.width > 0 and (k in palette or k.region.right <= palette[0].region.x), \
            (k.key_display, k.region, palette[0].region)
    return {str(k.description): k.key_display for k in keys}


async def test_the_footer_writes_keys_as_the_keyboard_says_them_and_fits_80_columns(make, store, save_day5):
    """The footer says Ctrl+S, F2, Esc as the palette does (Textual writes ^s, f2, esc), a letter
    as it is typed (m), and at 80x24 every key it shows is whole, on the intake and on a case."""
    from helpers_tui import opened_case

    number = save_day5(store)
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        intake = await _footer_keys(app, pilot)
        assert intake["保存"] == "Ctrl+S" and intake["退出"] == "Ctrl+Q" and intake["队列"] == "F2", intake
        assert not [k for k in intake.values() if k.startswith("^") or k[:1].islower()], intake
        await opened_case(pilot, number)
        case = await _footer_keys(app, pilot)
        assert case["返回"] == "Esc" and case["退出"] == "Ctrl+Q" and case["改状态"] == "m", case
        assert not [k for k in case.values() if k.startswith("^") or (len(k) > 1 and k[:1].islower())], case


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_every_screens_footer_fits_80_columns_in_either_language(make, store, save_day5, lang):
    """Intake, queue, a case, the policies and the manager's report: each key whole at 80 columns,
    the language key (F4) among them; a screen's own key (F2 on the queue, F3 on the policies) is
    not in its footer. (The report's footer cut F3 and F4.)"""
    from helpers_tui import opened_case

    number = save_day5(store)
    app = make(lang=lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        assert "F4" in (await _footer_keys(app, pilot)).values()
        await pilot.press("f2")
        queue = await _footer_keys(app, pilot)
        assert "F4" in queue.values() and "F2" not in queue.values(), queue
        await opened_case(pilot, number)
        assert "F4" in (await _footer_keys(app, pilot)).values()
        await pilot.press("f3")
        policies = await _footer_keys(app, pilot)
        assert "F3" not in policies.values(), policies
        await pilot.press("ctrl+r")
        report = await _footer_keys(app, pilot)
        assert type(app.screen).__name__ == "ReportScreen" and "F4" in report.values(), report


async def test_the_footer_keeps_its_keys_while_the_focus_moves_and_follows_them_when_they_change(make):
    """Moving from field to field changes none of the keys shown: the footer keeps them (Textual's
    makes them anew at every move of the focus, a widget a key). When a key changes (Ctrl+S
    enabled once the case can be saved, the words after F4), it shows the change."""
    from helpers_tui import fill_day5_case, settle
    from textual.widgets import Footer
    from textual.widgets._footer import FooterKey

    from aftersales.tui import compat

    app = make()
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        await _footer_keys(app, pilot)
        footer = app.screen.query_one(Footer)
        made = list(footer.query(FooterKey))
        save = next(k for k in made if k.action == "save")
        assert save.has_class("-disabled"), "a blank form cannot be saved"
        for _ in range(4):
            await pilot.press("tab")
        await settle(pilot)
        assert app.screen.focused is not None and app.screen.focused.id != "f-customer-name"
        kept = list(footer.query(FooterKey))
        assert len(kept) == len(made) and all(a is b for a, b in zip(kept, made, strict=True))

        await fill_day5_case(pilot)
        await settle(pilot)
        save = next(k for k in footer.query(FooterKey) if k.action == "save")
        assert not save.has_class("-disabled") and save.description == "保存"
        await pilot.press("f4")
        await settle(pilot)
        save = next(k for k in app.screen.query_one(Footer).query(FooterKey) if k.action == "save")
        # (the keys' words change with Textual's internals only: tui/compat.py)
        assert save.description == ("Save" if compat.ENABLED else "保存") and not save.has_class("-disabled")

        # a dropdown's list open as F4 is pressed: its Esc key in the new language
        app.screen.query_one("#f-device-region").focus()
        await pilot.press("down")
        await settle(pilot)

        def close_list() -> str:
            return next(str(k.description) for k in app.screen.query_one(Footer).query(FooterKey)
                        if k.action == "dismiss")

        if compat.ENABLED:      # (without them the list's key is Textual's own, "Dismiss menu")
            assert close_list() == "Close list"
            await pilot.press("f4")
            await settle(pilot)
            assert close_list() == "收起列表"


async def test_at_80x24_an_open_dropdown_list_leaves_every_key_of_the_screen_whole(make):
    """An open list adds its Esc key to the footer: the palette's key on the right makes way
    (Ctrl+P still opens it), so that F4 and the rest stay whole at 80 columns, in either language."""
    from helpers_tui import settle
    from textual.widgets import Footer
    from textual.widgets._footer import FooterKey

    from aftersales.tui import compat

    if not compat.ENABLED:
        pytest.skip("without Textual's internals the list's key is Textual's own, 'Esc Dismiss menu' (wider)")
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await _footer_keys(app, pilot)

        def shown() -> set[str]:
            keys = list(app.screen.query_one(Footer).query(FooterKey))
            for k in keys:
                assert k.region.width > 0 and k.region.right <= 80, (k.key_display, k.region)
            return {k.key_display for k in keys}

        app.screen.query_one("#f-brand").focus()
        await pilot.press("down")
        await settle(pilot)
        assert {"Esc", "Ctrl+S", "F2", "F3", "F4"} <= shown() and "Ctrl+P" not in shown()
        await pilot.press("f4")
        await settle(pilot)
        assert {"Esc", "Ctrl+S", "F2", "F3", "F4"} <= shown() and "Ctrl+P" not in shown()
        await pilot.press("escape")
        await settle(pilot)
        assert "Ctrl+P" in shown() and "Esc" not in shown()
