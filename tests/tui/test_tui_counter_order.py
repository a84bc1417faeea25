"""The form in counter order: the customer first, a new case starts at the top in the first field,
keys jump to each section, and a half-filled intake is neither thrown away unasked nor lost."""

from __future__ import annotations

import json

import pytest
from helpers_tui import ready, ready_at, scan, settle, tick_item

from aftersales.tui.form import FIELDS, SECTIONS

pytestmark = pytest.mark.asyncio


async def test_the_customer_comes_first_and_ctrl_n_asks_only_when_something_would_be_lost(make):
    """Start-up focuses the customer's name, first in the focus order; the palette offers a jump
    to each section; Ctrl+N on a blank form does not ask; on a filled one it asks, then clears,
    scrolls to the top and focuses the first field. (One app: each step starts from the blank
    form the step before leaves.)"""
    from aftersales.tui.commands import BindingCommands
    from aftersales.tui.i18n import t

    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        assert SECTIONS[0] == "sec.customer"
        assert app.focused.id == "f-customer-name"
        order = [w.id for w in app.screen.focus_chain]
        assert order[:3] == ["f-customer-name", "f-customer-phone", "f-case_date"]

        # the palette offers a jump to each section
        names = [name for name, _, _ in BindingCommands(app.screen)._commands()]
        for section in SECTIONS:
            assert "跳到" + t(section, "zh") in names, names
        assert "自动跳栏" in names

        # Ctrl+N on a blank form does not ask, and goes back to the first field
        await ready_at(pilot, "#f-device-serial")
        await scan(pilot, "ctrl+n")
        assert type(app.screen).__name__ == "IntakeScreen"
        assert app.focused.id == "f-customer-name"

        # the customer typed first
        await scan(pilot, "李雷", "tab", "13800138000")
        assert app.screen.form.values["customer.name"] == "李雷"
        assert app.screen.form.values["customer.phone"] == "13800138000"

        # Ctrl+N on a filled form asks, then clears, scrolls to the top and focuses the first field
        await tick_item(pilot, "#conds", "liquid_damage")
        conds = app.screen.query_one("#conds")
        conds.highlighted = 5
        app.screen.query_one("#f-history-days_in_repair").focus()
        await pilot.pause()
        await scan(pilot, "2")
        assert app.screen.query_one("#form").scroll_y > 0
        await scan(pilot, "ctrl+n")
        assert type(app.screen).__name__ == "ConfirmDialog"
        await scan(pilot, "y")
        await pilot.pause()
        intake = app.screen
        assert type(intake).__name__ == "IntakeScreen"
        assert not intake.unsaved
        assert intake.form.conditions == set() and intake.form.values["history.days_in_repair"] == ""
        assert intake.form.values["customer.name"] == "" and intake.form.values["customer.phone"] == ""
        assert app.focused.id == "f-customer-name"
        assert intake.query_one("#form").scroll_y == 0
        assert conds.highlighted == 0


async def test_a_key_jumps_to_each_section_and_ctrl_q_asks_when_the_intake_is_not_saved(make):
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        for i, section in enumerate(SECTIONS):
            await scan(pilot, f"f{5 + i}")
            title = app.screen.query_one(f"#s-{section[4:]}")
            # the first field still empty (the intake date and the fault's part are filled in: the
            # brand, the description)
            from aftersales.tui.screens.intake import _empty

            first = next((f.widget_id for f in FIELDS if f.section == section and f.kind != "check"
                          and _empty(app.screen.query_one(f"#{f.widget_id}"))), None)
            assert first not in ("f-case_date", "f-fault-component")
            assert app.focused.id in (first, "docs", "conds", "plans"), section
            form = app.screen.query_one("#form")
            # the section's title at the top of the form, unless the form cannot scroll that far
            assert title.region.y - form.region.y <= 1 or form.scroll_y == form.max_scroll_y, section
        await scan(pilot, "f5")
        await scan(pilot, "韩梅梅")
        assert app.screen.form.values["customer.name"] == "韩梅梅"

        # something typed and not saved: Ctrl+Q asks; No keeps it, Yes quits
        await scan(pilot, "ctrl+q")
        assert type(app.screen).__name__ == "ConfirmDialog"
        await scan(pilot, "n")
        assert type(app.screen).__name__ == "IntakeScreen"
        assert app.screen.form.values["customer.name"] == "韩梅梅"
        await scan(pilot, "ctrl+q")
        await scan(pilot, "y")
        await pilot.pause()
    assert app.return_code == 0


async def test_a_draft_survives_a_lost_session_and_is_offered_back(make, draft_file):
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await scan(pilot, "李雷", "tab", "13800138000")
        await tick_item(pilot, "#docs", "invoice")
        # written shortly (half a second) after a change: wait until the file holds the last one
        # (the ticked paper), not a fixed time
        def written() -> bool:
            return draft_file.exists() and json.loads(draft_file.read_text(encoding="utf-8"))["documents"] == ["invoice"]

        for _ in range(250):
            if written():
                break
            await pilot.pause(0.02)
        assert written()
        # it holds the customer's name and phone: its owner alone reads it
        assert draft_file.stat().st_mode & 0o777 == 0o600
    # the next start offers it back
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert type(app.screen).__name__ == "ConfirmDialog"
        await scan(pilot, "enter")       # Enter restores (the button focused)
        await pilot.pause()
        form = app.screen.form
        assert form.values["customer.name"] == "李雷" and form.values["customer.phone"] == "13800138000"
        assert form.documents == {"invoice"}
        assert app.focused.id == "f-customer-name"
        # cleared: no draft left
        await scan(pilot, "ctrl+n", "y")
        await pilot.pause()
        assert not draft_file.exists()


async def test_keys_typed_as_the_ui_comes_up_land_in_the_first_field(make, held_policies):
    """Before the policies are in (the first decision), the first field is focused: a name typed
    at once is not lost, nor its first letter."""
    app = make(registry=None, registry_factory=held_policies.factory)
    async with app.run_test(size=(120, 40)) as pilot:
        await scan(pilot, *"wangfang", "tab", *"13800138000")
        try:
            assert app.screen.form.values["customer.name"] == "wangfang"
            assert app.screen.form.values["customer.phone"] == "13800138000"
        finally:
            held_policies.release()
        await settle(pilot)     # the policies in: the form completes around what was typed
        assert app.screen.form.values["customer.name"] == "wangfang"


async def test_what_was_typed_while_the_policies_load_is_not_offered_back_as_the_last_sessions_draft(
        make, held_policies, draft_file):
    """No draft at the start; a name typed while the policies take their time is kept in a draft
    (half a second after the key), and when they are in the form completes around it: no question
    offers that draft back as if a last session had left it."""
    from aftersales.tui.screens.intake import IntakeScreen

    assert not draft_file.exists()
    app = make(registry=None, registry_factory=held_policies.factory)
    async with app.run_test(size=(120, 40)) as pilot:
        await scan(pilot, *"wangfang")
        for _ in range(100):                 # the draft written (its timer: 0.5 s after the key)
            if draft_file.exists():
                break
            await pilot.pause(0.05)
        assert draft_file.exists()
        held_policies.release()
        await settle(pilot)
        assert isinstance(app.screen, IntakeScreen)
        assert app.screen.form.values["customer.name"] == "wangfang"
        assert draft_file.exists()          # still kept: the form is not saved


async def test_policies_that_come_in_as_the_app_quits_do_not_break_its_ending(make, registry):
    """The policies' load can end while the app closes (quit at once, slow policies): its
    widgets are being taken down, the drop-down's parts first. Seen as a traceback on leaving."""
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        intake = app.screen
        select = intake.query_one("#f-brand")
        select.make_list()                                  # (mounted when first needed: opened, say)
        await pilot.pause()
        await select.query_one("SelectOverlay").remove()    # as Textual does as it closes the app
        intake.registry_changed()


async def test_the_last_sessions_draft_is_offered_as_soon_as_the_screen_is_up(make, draft_file, held_policies):
    """The offer does not wait for the policies (a clerk typing meanwhile would have the question
    come up in the middle of the next customer): it is the first thing on screen, and what it
    offers is the last session's draft, whatever was typed before it."""
    from aftersales.tui import draft
    from aftersales.tui.form import FormState

    form = FormState.blank(make().today())
    form.values["customer.name"] = "李雷"
    draft.write(draft_file, form, make().now())
    app = make(registry=None, registry_factory=held_policies.factory)
    async with app.run_test(size=(120, 40)) as pilot:
        try:
            for _ in range(250):
                if type(app.screen).__name__ == "ConfirmDialog":
                    break
                await pilot.pause(0.02)
            assert type(app.screen).__name__ == "ConfirmDialog" and app.registry is None
            assert not app.screen_stack[-2].complete    # asked before the rest of the form came
            assert "李雷" in str(app.screen.question)
            await scan(pilot, "y")
            await pilot.pause()
            assert app.screen.form.values["customer.name"] == "李雷"
        finally:
            held_policies.release()
        await settle(pilot)     # the policies in, the rest of the form mounted: the draft kept
        assert app.screen.form.values["customer.name"] == "李雷"
        assert app.screen.query_one("#f-customer-name").value == "李雷"


async def test_a_declined_draft_is_removed(make, draft_file):
    from aftersales.tui import draft
    from aftersales.tui.form import FormState

    form = FormState.blank(make().today())
    form.values["customer.name"] = "李雷"
    draft.write(draft_file, form, make().now())
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert type(app.screen).__name__ == "ConfirmDialog"
        await scan(pilot, "n")
        await pilot.pause()
        assert app.screen.form.values["customer.name"] == ""
        assert not draft_file.exists()


async def test_keys_typed_before_the_question_could_be_read_do_not_answer_it(make, monkeypatch):
    """Ctrl+N on an intake that cannot be saved, and the next customer typed at once: the question
    takes none of that burst as its answer (the "N" of "Redmi Note" was "back", the "y" of "Yang"
    would have thrown the intake away) and none of it reaches the form behind; once it has been
    on screen for its guard, Y answers."""
    from aftersales.tui.screens.confirm import ConfirmDialog

    # longer than the question's own guard: the burst below must be typed within it even on a
    # loaded machine (at 0.5 s it once was not, and the buttons had been let go already)
    monkeypatch.setattr(ConfirmDialog, "GUARD_SECONDS", 2.0)
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await scan(pilot, "李雷", "tab", "13800138000")
        before = dict(app.screen.form.values)
        await scan(pilot, "ctrl+n", "Yang", "tab", "Redmi Note 13", "tab", "enter", "space")
        dialog = app.screen
        assert type(dialog).__name__ == "ConfirmDialog"
        assert all(button.disabled for button in dialog.query("Button"))
        for _ in range(250):                 # the guard ends: the default answer is focused
            await pilot.pause(0.02)
            if app.focused is not None and app.focused.id == "confirm-no":
                break
        assert app.screen is dialog and app.focused.id == "confirm-no"
        assert app.screen_stack[-2].form.values == before      # nothing of the burst reached the form
        await scan(pilot, "y")
        intake = app.screen
        assert type(intake).__name__ == "IntakeScreen" and not intake.unsaved
        assert before["customer.name"] == "李雷"              # (the form that was thrown away)
        assert intake.form.values["customer.name"] == "" and intake.form.values["device.model"] == ""


async def test_typing_that_goes_on_past_the_guard_does_not_answer_the_question(make, monkeypatch):
    """A burst longer than the guard (a clerk typing on while the question comes up): the guard
    counts from the last key the question did not take, so the "n" of "nova", typed well after the
    question was shown, is still typing, not "no"."""
    from aftersales.tui.screens.confirm import ConfirmDialog

    monkeypatch.setattr(ConfirmDialog, "GUARD_SECONDS", 1.0)
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await scan(pilot, "李雷")
        await scan(pilot, "ctrl+n")
        dialog = app.screen
        assert type(dialog).__name__ == "ConfirmDialog"
        for character in "13812341111 huawei nova":    # one key every 0.1 s: 2.3 s in all
            await scan(pilot, character)
            await pilot.pause(0.1)
        assert app.screen is dialog, "a key typed in a burst answered the question"
        assert app.screen_stack[-2].form.values["customer.name"] == "李雷"


async def test_keys_the_question_does_not_take_are_said_not_dropped_unsaid(make, monkeypatch):
    """The next customer typed right after Ctrl+N: the question keeps the form as it was, and
    says (in Chinese, under its buttons) that it waits for its answer and what was not taken, so
    the clerk knows to type it again; a letter typed after the guard that answers nothing too."""
    from aftersales.tui.screens.confirm import ConfirmDialog

    monkeypatch.setattr(ConfirmDialog, "GUARD_SECONDS", 2.0)
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await scan(pilot, "李雷")
        await scan(pilot, "ctrl+n", "Yang", "tab", "Redmi Note 13", "enter")
        dialog = app.screen
        assert type(dialog).__name__ == "ConfirmDialog"
        waiting = dialog.query_one("#confirm-waiting")
        assert waiting.display
        line = waiting.content.text.plain
        assert line.startswith("请先回答上面的问题（按 Y 或 N）"), line
        assert "刚才的 19 个按键没有收下（Yang Redmi Note 13）" in line, line
        assert app.screen_stack[-2].form.values["customer.name"] == "李雷"
        for _ in range(250):                 # the guard ends
            await pilot.pause(0.02)
            if app.focused is not None and app.focused.id == "confirm-no":
                break
        # a letter that answers nothing, then "n" in the same burst: typing, not an answer
        await scan(pilot, "x", "n")
        assert app.screen is dialog and all(button.disabled for button in dialog.query("Button"))
        assert "21 个按键没有收下（Yang Redmi Note 13 xn）" in waiting.content.text.plain
        for _ in range(250):                 # quiet again: the guard ends
            await pilot.pause(0.02)
            if app.focused is not None and app.focused.id == "confirm-no":
                break
        await scan(pilot, "n")
        assert type(app.screen).__name__ == "IntakeScreen"
        assert app.screen.form.values["customer.name"] == "李雷"


async def test_a_brand_typed_before_the_policies_come_is_chosen_when_they_do(make, held_policies):
    """The brands come with the policies: a scanner's or a typist's burst at start-up types the
    brand into a drop-down with nothing in it yet. The word waits, and chooses when they come."""
    app = make(registry=None, registry_factory=held_policies.factory)
    async with app.run_test(size=(120, 40)) as pilot:
        try:
            await scan(pilot, *"陈大文", "tab", *"+85291234567", "tab", "tab", *"hu", "tab", *"Mate 60 Pro")
            assert app.screen.form.values["device.model"] == "Mate 60 Pro"
            assert not app.screen.form.values.get("brand")
        finally:
            held_policies.release()
        await settle(pilot)
        values = app.screen.form.values
        assert (values["brand"], values["device.model"], values["customer.name"]) == ("huawei", "Mate 60 Pro", "陈大文")
        assert app.screen._typed_misses == {}    # nothing said about a word that matched nothing


async def test_the_draft_question_takes_y_and_n_in_either_case_and_esc_does_not_discard(make, draft_file):
    """Caps Lock on (serials are typed in capitals): Y and N answer as y and n do. Esc, which a
    clerk presses to close a pop-up, does not throw the last session's intake away."""
    from aftersales.tui import draft
    from aftersales.tui.form import FormState

    form = FormState.blank(make().today())
    form.values["customer.name"] = "李雷"
    for answer, kept, restored in (("escape", True, False), ("N", False, False), ("Y", True, True)):
        draft.write(draft_file, form, make().now())
        app = make()
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            assert type(app.screen).__name__ == "ConfirmDialog"
            await scan(pilot, answer)
            await pilot.pause()
            if answer == "escape":
                assert type(app.screen).__name__ == "ConfirmDialog"   # still asked
                continue
            assert type(app.screen).__name__ == "IntakeScreen"
            assert (app.screen.form.values["customer.name"] == "李雷") == restored
        assert draft_file.exists() == kept, answer


async def test_a_section_key_lands_on_what_is_still_to_fill_and_a_filled_field_is_typed_over(make):
    """F6 lands on the brand, not on the intake date the form filled in with today: what is typed
    chooses the brand and the date stays. Once the brand and model are in, F6 lands on the part
    number; F7 on the purchase date. A section filled in: its first field, the text selected,
    so typing replaces it (F5 and a new name)."""
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        today = app.screen.form.values["case_date"]
        await scan(pilot, "f6")
        assert app.focused.id == "f-brand"
        await scan(pilot, "a")
        assert app.screen.form.values["brand"] == "apple" and app.screen.form.values["case_date"] == today
        await scan(pilot, "tab", "iPhone 15", "f6")
        assert app.focused.id == "f-device-part_number"
        await scan(pilot, "f7")
        assert app.focused.id == "f-purchase-date"
        await scan(pilot, "f5", "李雷", "tab", "13800138000", "f5")
        assert app.focused.id == "f-customer-name"
        await scan(pilot, "韩梅梅")
        assert app.screen.form.values["customer.name"] == "韩梅梅"


async def test_a_section_key_lands_on_the_field_marked_wrong_and_selects_it_where_the_focus_is(make):
    """F5 after a phone a digit short lands on the phone, not on the name (typing replaced the
    name with the phone number); F7 after a purchase date later than today lands on that date,
    not on the empty date after it; F5 pressed in the very field it lands on selects its text,
    so that what is typed replaces it rather than joining it."""
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await settle(pilot)
        assert app.screen.blocked() == "保存前请填写：品牌", app.screen.blocked()   # a blank form
        await scan(pilot, "f5", "周八", "tab", "1330013300", "tab")
        await settle(pilot)
        # the save line names what is wrong (its note may have scrolled out of sight), and a
        # field left empty that the case needs is said to need filling in, not to be wrong
        assert app.screen.blocked() == "请先更正标红的字段：联系电话", app.screen.blocked()
        await scan(pilot, "f5")
        assert app.focused.id == "f-customer-phone"
        await scan(pilot, "13300133000")
        await settle(pilot)
        values = app.screen.form.values
        assert values["customer.name"] == "周八" and values["customer.phone"] == "13300133000"
        await scan(pilot, "f6", "a", "tab", "iPhone 15", "f7", "2099-06-01", "tab")
        await settle(pilot)
        assert app.screen.query_one("#f-purchase-date").has_class("invalid")
        assert app.screen.blocked() == "请先更正标红的字段：购机日期", app.screen.blocked()
        await scan(pilot, "f7")
        assert app.focused.id == "f-purchase-date"
        await scan(pilot, "2024-06-01", "tab")
        await settle(pilot)
        assert app.screen.form.values["purchase.date"] == "2024-06-01"
        assert not app.screen.form.values.get("purchase.received_date")
        await scan(pilot, "f5", "赵")    # the name, every field right: its text replaced
        await scan(pilot, "f5", "钱")    # again, the focus there already: replaced again
        assert app.screen.form.values["customer.name"] == "钱"


async def test_the_intake_alone_starts_the_background_loading_when_it_is_the_first_screen(make, held_policies):
    """The app's one-second timer (for a first screen that is not the intake) leaves the intake
    to start the store: once its panel has decided, or once it stops waiting for slow policies.
    Two timers racing made the start take one of two paths (the store's imports beside the
    policies' loading, or after the first decision)."""
    app = make(registry=None, registry_factory=held_policies.factory)
    async with app.run_test(size=(120, 40)) as pilot:
        try:
            for _ in range(100):
                if app.intake is not None and app.intake.is_attached:
                    break
                await pilot.pause(0.01)
            assert not app.intake.complete
            app._first_screen_fallback()          # what the app's timer calls
            assert not app._background_started   # the intake, still waiting, will start it
        finally:
            held_policies.release()
        await settle(pilot)
        assert app.registry is not None and app.intake.complete and app._background_started


async def test_a_choice_says_the_keys_that_answer_it_while_it_holds_keys_off(make, monkeypatch):
    """A choice (the follow-up call's) answers to 1, 2 and Esc, not Y or N: its waiting line
    names those."""
    from aftersales.tui.screens.confirm import ChoiceDialog

    monkeypatch.setattr(ChoiceDialog, "GUARD_SECONDS", 2.0)
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        app.push_screen(ChoiceDialog("这次回访的是谁？", [("customer", "记录客户回访"), ("station", "记录维修站回访")]))
        await pilot.pause()
        await scan(pilot, "a", "b")
        line = app.screen.query_one("#confirm-waiting").content.text.plain
        assert line.startswith("请先回答上面的问题（按 1–2 或 Esc）：刚才的 2 个按键没有收下（ab）"), line


async def test_y_or_n_answers_no_choice_while_it_holds_keys_off_or_after(make, monkeypatch):
    """A choice inherits the yes/no dialog's keys: Y and N must answer nothing there (a Y that
    closed it recorded a follow-up 'True')."""
    from aftersales.tui.screens.confirm import ChoiceDialog

    monkeypatch.setattr(ChoiceDialog, "GUARD_SECONDS", 2.0)
    answers: list = []
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        dialog = ChoiceDialog("这次回访的是谁？", [("customer", "记录客户回访"), ("station", "记录维修站回访")])
        app.push_screen(dialog, answers.append)
        await pilot.pause()
        await scan(pilot, "y", "n", "Y")
        assert app.screen is dialog and answers == []
        monkeypatch.setattr(ChoiceDialog, "GUARD_SECONDS", 0.0)
        dialog._answering = True
        await pilot.press("y")
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is dialog and answers == []
        await pilot.press("2")
        await pilot.pause()
        assert answers == ["station"]


async def test_each_store_code_keeps_a_draft_of_its_own(make, monkeypatch, tmp_path):
    """Two stores' counters on one machine (one user) keep their drafts apart: a half-typed
    customer of SZ01 is never offered back at SZ02's counter. ``AFTERSALES_DRAFT`` still names
    one file for whoever sets it."""
    monkeypatch.delenv("AFTERSALES_DRAFT", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    sz01, sz02 = make(store_code="SZ01").draft_path, make(store_code="sz02").draft_path
    assert sz01 != sz02
    assert sz01.parent == sz02.parent and str(sz01.parent).startswith(str(tmp_path / "state"))
    assert (sz01.name, sz02.name) == ("intake-draft-SZ01.json", "intake-draft-SZ02.json")
    assert make(store_code="../x").draft_path.parent == sz01.parent      # a store code is no path
    monkeypatch.setenv("AFTERSALES_DRAFT", str(tmp_path / "mine.json"))
    assert make(store_code="SZ01").draft_path == tmp_path / "mine.json"


async def test_f1_reaches_the_intake_from_the_report_and_from_a_policys_terms(make):
    """F1 is the intake from every screen: the manager's report opened over the intake (Ctrl+R,
    then F2, then F1 showed the report again, and a scanned case went into it: its "h" printed
    the report), and a policy's terms open over the policies (F1 did nothing there, and the
    case typed next went into the terms: its "o" showed the file)."""
    from textual.widgets import DataTable

    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await scan(pilot, "ctrl+r")
        assert type(app.screen).__name__ == "ReportScreen"
        await scan(pilot, "f2", "f1", *"Hooh")
        assert type(app.screen).__name__ == "IntakeScreen"
        assert app.screen.form.values["customer.name"] == "Hooh"
        await scan(pilot, "f3")
        app.screen.query_one(DataTable).focus()
        await scan(pilot, "v")
        assert type(app.screen).__name__ == "PolicyView"
        await scan(pilot, "f1", *"Po")
        assert type(app.screen).__name__ == "IntakeScreen"
        assert app.screen.form.values["customer.name"] == "HoohPo"     # where the clerk left off
