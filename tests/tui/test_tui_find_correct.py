"""Correcting a saved case in place and finding cases: the number stays, a change is logged, a
second case for the same unit is caught, a case is found by phone or by part of its IMEI."""

from __future__ import annotations

import pytest
from helpers_tui import load_day5_case, opened_case, ready, scan, settle, shown_after, toasts, type_into
from textual.widgets import DataTable

from aftersales.tui.screens.confirm import ConfirmDialog
from aftersales.tui.screens.detail import DetailScreen, timeline_text
from aftersales.tui.screens.queue import QueueScreen

pytestmark = pytest.mark.asyncio

NUMBER = "SZ01-20260615-0001"
OTHER_IMEI = "490154203237518"


async def save(pilot) -> None:
    await scan(pilot, "ctrl+s")
    await settle(pilot)


async def saved_day5(pilot):
    """The day-5 case taken in and saved: the intake, now correcting it."""
    await load_day5_case(pilot)
    await save(pilot)
    intake = pilot.app.screen
    assert intake.saved_number == NUMBER
    return intake


async def retype(pilot, selector: str, text: str) -> None:
    """A field's value typed again over what it held."""
    pilot.app.screen.query_one(selector).value = ""
    await type_into(pilot, selector, text)


async def test_a_change_after_saving_corrects_the_case_instead_of_adding_one(make, store):
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        intake = await saved_day5(pilot)
        await retype(pilot, "#f-device-imei", OTHER_IMEI)      # one value fixed after saving
        assert "更正" in str(intake.query_one("#save-status").render())
        await save(pilot)
        assert intake.saved_number == NUMBER
    assert store.count() == 1
    view = store.get(NUMBER)
    assert view["device"]["imei"] == OTHER_IMEI
    assert [d["trigger"] for d in view["decisions"]] == ["intake", "edit"]
    edited = view["events"][-1]
    assert edited["kind"] == "edited"
    assert edited["data"]["changes"] == {"device.imei": {"from": "356938035643809", "to": OTHER_IMEI}}
    # the timeline says it in Chinese, field by its label
    text = timeline_text(view, "zh").plain
    assert "更正" in text and "IMEI" in text and OTHER_IMEI in text and "edit" not in text


def _exchanged(store, save_day5, clock) -> None:
    """The day-5 case stored and exchanged: its replacement is the unit of ``OTHER_IMEI``."""
    store.record_outcome(save_day5(store), "exchange", {"imei": OTHER_IMEI, "serial": "F2LX1234ABCD",
                                                        "certificate": "SB-0002"}, actor="王芳", now=clock())


def _fill_replacement(intake) -> None:
    """The replacement unit taken in with the purchase date on its receipt."""
    from helpers_tui import DAY5_CASE

    intake.fill({**DAY5_CASE, "device": {"model": "Redmi Note 13", "imei": OTHER_IMEI},
                 "purchase": {"date": "2026-06-01", "channel": "authorized_reseller"}}, name="李雷")


async def _replacement_taken_in(pilot):
    """The intake, once ready, with the replacement unit taken in (``_fill_replacement``) and the
    customer's phone typed."""
    await ready(pilot)
    intake = pilot.app.screen
    _fill_replacement(intake)
    await type_into(pilot, "#f-customer-phone", "13800138000")
    return intake


async def test_a_replacement_unit_shows_the_purchase_date_the_store_saved_and_a_correction_keeps_it(
        make, store, save_day5, clock):
    """A unit handed over in an exchange is taken in with the purchase date on its receipt: the
    store restarts its period on the exchange date, the form shows that date once saved, and a
    correction afterwards records only what the clerk changed."""
    _exchanged(store, save_day5, clock)
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        intake = await _replacement_taken_in(pilot)
        await save(pilot)
        second = intake.saved_number
        assert store.get(second)["case"]["purchase"]["date"] == "2026-06-15"      # the exchange date
        assert intake.query_one("#f-purchase-date").value == "2026-06-15"
        assert intake.form.values["purchase.date"] == "2026-06-15"
        assert "（第 0 天）" in intake.query_one("#panel").body_text()
        await type_into(pilot, "#f-fault-description", "屏幕闪烁")
        await save(pilot)
    edited = store.get(second)["events"][-1]
    assert edited["kind"] == "edited"
    assert list(edited["data"]["changes"]) == ["fault.description"]
    assert store.get(second)["case"]["purchase"]["date"] == "2026-06-15"


async def test_a_second_case_for_a_unit_with_an_open_case_asks_and_opens_it(make, store, save_day5):
    save_day5(store)
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await load_day5_case(pilot)          # the same IMEI again
        await save(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert NUMBER in app.screen.question
        await scan(pilot, "y")
        await settle(pilot)
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen) and app.screen.number == NUMBER
        assert store.count() == 1
        # back to the intake: asked once, Ctrl+S again takes the new case in
        await scan(pilot, "f1")
        await settle(pilot)
        await save(pilot)
        assert app.screen.saved_number == "SZ01-20260615-0002"
    assert store.count() == 2


async def test_correct_from_the_case_detail_keeps_the_phone_masked(make, store, save_day5):
    save_day5(store)
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        detail = await opened_case(pilot, NUMBER)
        assert "13800138000" not in detail.query_one("#detail-case").content.text.plain
        await scan(pilot, "c")
        await settle(pilot)
        intake = app.screen
        assert intake.correcting == NUMBER
        # the title line says which case the form corrects
        assert intake.title == f"售后柜台 · 更正 {NUMBER}", intake.title
        phone = intake.query_one("#f-customer-phone")
        assert phone.value == "" and "138 **** 8000" in phone.placeholder
        assert intake.form.values["device.imei"] == "356938035643809"
        await type_into(pilot, "#f-device-model", "Redmi Note 13 Pro")
        await save(pilot)
        await scan(pilot, "ctrl+n")                  # a new case: the app's title line again
        await settle(pilot)
        assert app.screen.title is None and not app.screen.correcting
    assert store.count() == 1
    view = store.get(NUMBER)
    assert view["device"]["model"] == "Redmi Note 13 Pro"
    assert view["customer"]["phone"] == "13800138000"          # left empty: kept
    assert list(view["events"][-1]["data"]["changes"]) == ["device.model"]


async def test_find_by_full_phone_or_part_of_an_imei_and_enter_opens_a_single_hit(make, store, save_day5):
    save_day5(store, phone="+852 9123 4567")          # a Hong Kong customer
    save_day5(store, imei=OTHER_IMEI)
    assert store.count() == 2
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        queue = await shown_after(pilot, "f2", kind=QueueScreen)
        table = queue.query_one(DataTable)
        assert table.row_count == 2
        assert any("+852 **** 4567" in str(c) for c in table.get_row_at(1))
        # the full number, typed as the customer says it, then Enter at once
        queue.query_one("#q-text").focus()
        await pilot.pause()
        await scan(pilot, "00852 91234567", "enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen) and app.screen.number == NUMBER
        await scan(pilot, "escape")
        await settle(pilot)
        # part of an IMEI, typed straight over the last search (back from the case, the search box
        # has the focus and its text is selected): one hit opens with Enter
        assert app.focused is queue.query_one("#q-text")
        await scan(pilot, "3237", "enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen) and app.screen.number == "SZ01-20260615-0002"
        await scan(pilot, "escape")
        await settle(pilot)
        # typing on the list searches: the number goes to the search box, Enter opens the hit
        table.focus()
        await pilot.pause()
        await scan(pilot, "00852 91234567", "enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen) and app.screen.number == NUMBER
        assert queue.query_one("#q-text").value == "00852 91234567"    # every key, in order
        await scan(pilot, "escape")
        await settle(pilot)
        # "/" (from anywhere on the queue) selects the search: typed over as well
        table.focus()
        await scan(pilot, "/", "其他")
        assert queue.query_one("#q-text").value == "其他"
        queue.query_one("#q-text").value = "其他品牌"
        await settle(pilot)
        assert table.row_count == 2
        # "/" in the box: not typed, the search selected for the next one; Esc clears and leaves it
        await scan(pilot, "/", "3237")
        assert queue.query_one("#q-text").value == "3237"
        await settle(pilot)
        assert table.row_count == 1
        await scan(pilot, "escape")
        await settle(pilot)
        assert queue.query_one("#q-text").value == "" and app.focused is table and table.row_count == 2
        assert isinstance(app.screen, QueueScreen)


async def test_phone_numbers_of_hong_kong_macao_taiwan_are_accepted_and_bad_ones_say_why(make):
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        for good in ("+852 9123 4567", "+853 6612 3456", "+886 912 345 678", "13800138000", "0755-87654321"):
            await type_into(pilot, "#f-customer-phone", good)
            assert "customer.phone" not in app.screen.field_errors, good
            app.screen.query_one("#f-customer-phone").value = ""
        await type_into(pilot, "#f-customer-phone", "91234567")
        message = app.screen.field_errors["customer.phone"]
        assert "+852" in message and "不是有效的电话号码" in message
        # under the field, the number typed is not said again (it is on the line above)
        assert message.startswith("不是有效的电话号码"), message


async def test_in_a_correction_a_section_key_lands_on_its_first_field_not_an_empty_one(make, store, save_day5):
    """c, F7, a date typed: it went into the receipt date (the section's empty field), the
    purchase date the clerk came to change left as it was."""
    save_day5(store)
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await opened_case(pilot, NUMBER)
        await scan(pilot, "c")
        await settle(pilot)
        intake = app.screen
        assert intake.correcting == NUMBER and not intake.form.values.get("purchase.received_date")
        await scan(pilot, "f7", *"2026-06-01")
        await settle(pilot)
        assert app.focused.id == "f-purchase-date"
        assert intake.form.values["purchase.date"] == "2026-06-01"
        assert not intake.form.values.get("purchase.received_date")


async def test_ctrl_n_right_after_ctrl_s_starts_a_new_case_not_a_correction(make, store):
    """Ctrl+S then Ctrl+N and the next customer typed at once, before the first save has come
    back: the next Ctrl+S takes in a second case (it does not correct the first)."""
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await load_day5_case(pilot)
        await scan(pilot, "ctrl+s", "ctrl+n", "韩梅梅", "tab", "+852 9123 4567", "f6",   # the brand (cleared by Ctrl+N)
                   "h", "u", "tab", "Mate 60", "tab", "tab", "tab", "tab", OTHER_IMEI, "ctrl+s")
        await settle(pilot)
        await settle(pilot)
    assert store.count() == 2
    second = store.get("SZ01-20260615-0002")
    assert second["customer"]["name"] == "韩梅梅" and second["device"]["imei"] == OTHER_IMEI
    assert store.get(NUMBER)["customer"]["name"] == "李雷"
    assert [e["kind"] for e in store.get(NUMBER)["events"]] == ["created"]


async def test_a_replacement_unit_is_decided_before_saving_as_the_store_will_save_it(make, store, save_day5, clock):
    """The replacement's IMEI typed in: the panel decided from the receipt's purchase date (an
    exchange, a depreciated refund) while the store saved it as of the exchange date (a full
    return). The store is asked about the unit as its IMEI is complete: the form takes the
    exchange date and the clerk is told why, before Ctrl+S."""
    _exchanged(store, save_day5, clock)
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        said = toasts(app)
        intake = await _replacement_taken_in(pilot)
        await settle(pilot)
        assert intake.form.values["purchase.date"] == "2026-06-15"            # the exchange date
        assert intake.query_one("#f-purchase-date").value == "2026-06-15"
        assert "（第 0 天）" in intake.query_one("#panel").body_text()
        assert any("换货所换新机" in s for s in said), said
        before = intake.decision
        await save(pilot)
        assert store.get(intake.saved_number)["decisions"][-1]["decision"]["entitlement"] == before["entitlement"]


async def test_an_imei_corrected_away_from_a_replacement_unit_takes_back_the_date_its_history_set(
        make, store, save_day5, clock):
    """The replacement's IMEI typed by mistake set the exchange date as the purchase date; the
    IMEI corrected, the date typed from the receipt comes back (it stayed, and the date typed
    next went into the receipt date). A date the clerk changed since is left as it is."""
    _exchanged(store, save_day5, clock)
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        intake = await _replacement_taken_in(pilot)
        await settle(pilot)
        assert intake.form.values["purchase.date"] == "2026-06-15"            # the exchange date
        await type_into(pilot, "#f-device-imei", "352099001761481")          # another unit
        await settle(pilot)
        assert intake.form.values["purchase.date"] == "2026-06-01"            # the receipt's, as typed
        assert intake.query_one("#f-purchase-date").value == "2026-06-01"
        await type_into(pilot, "#f-customer-name", "李雷")                  # (left, so that the IMEI is selected)
        await type_into(pilot, "#f-device-imei", OTHER_IMEI)                 # the replacement again
        await settle(pilot)
        assert intake.form.values["purchase.date"] == "2026-06-15"
        await type_into(pilot, "#f-purchase-date", "2026-06-14")             # the clerk's own change
        await type_into(pilot, "#f-device-imei", "352099001761481")
        await settle(pilot)
        assert intake.form.values["purchase.date"] == "2026-06-14"


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_at_80x24_the_correction_shows_the_masked_phone_whole(make, store, save_day5, lang):
    """The phone field of a correction said "不改请留空（现为 +852 ****" at 80 columns: the number
    it keeps was cut. The number comes first and the line fits the field."""
    from rich.cells import cell_len

    save_day5(store)
    app = make(lang=lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await opened_case(pilot, NUMBER)
        await scan(pilot, "c")
        await settle(pilot)
        phone = app.screen.query_one("#f-customer-phone")
        assert phone.placeholder.startswith("138 **** 8000")
        assert cell_len(phone.placeholder) <= phone.content_region.width, (phone.placeholder, phone.content_region)


@pytest.mark.parametrize("choice", ["1", "2", "escape"])
async def test_another_customer_typed_over_a_saved_case_is_asked_about_before_it_corrects_it(make, store, choice):
    """Ctrl+N forgotten after Ctrl+S: the next customer's name, brand and IMEI typed over the
    saved case. Ctrl+S asks first (saying what would change) instead of correcting the saved
    case into the next customer's: 1 makes the form a new intake (the first left as saved), saved
    by the next Ctrl+S once looked over, 2 corrects the saved case, Esc goes back to the form
    and saves nothing."""
    from aftersales.tui.screens.confirm import ChoiceDialog

    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        intake = await saved_day5(pilot)
        await retype(pilot, "#f-customer-name", "韩梅梅")
        await retype(pilot, "#f-device-imei", OTHER_IMEI)
        await retype(pilot, "#f-customer-phone", "13912345678")   # said too (masked): it is part of who it is
        dialog = await shown_after(pilot, "ctrl+s", kind=ChoiceDialog)
        assert f"这会改掉已保存案例 {NUMBER} 的：客户姓名 李雷 → 韩梅梅、IMEI 356938035643809 → {OTHER_IMEI}、" \
               f"联系电话 138 **** 8000 → 139 **** 5678。" in dialog.question, dialog.question
        await settle(pilot)
        await pilot.pause(ChoiceDialog.GUARD_SECONDS + 0.1)   # the question takes answers once the keys are quiet
        await scan(pilot, choice)
        await settle(pilot)
        await settle(pilot)
        if choice == "1":   # a new intake now, saved once looked over
            assert intake.correcting is None and store.count() == 1
            await save(pilot)
    first = store.get(NUMBER)
    if choice == "1":
        assert store.count() == 2 and first["customer"]["name"] == "李雷"
        assert [e["kind"] for e in first["events"]] == ["created"]
        assert store.get("SZ01-20260615-0002")["customer"]["name"] == "韩梅梅"
    elif choice == "2":
        assert store.count() == 1 and first["customer"]["name"] == "韩梅梅" and first["device"]["imei"] == OTHER_IMEI
    else:
        assert store.count() == 1 and first["customer"]["name"] == "李雷"
        assert [e["kind"] for e in first["events"]] == ["created"]


async def test_a_misread_imei_fixed_alone_corrects_without_a_question(make, store):
    """One number of the unit fixed (the scanner misread it): a correction, not asked about."""
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await saved_day5(pilot)
        await retype(pilot, "#f-device-imei", OTHER_IMEI)
        await save(pilot)
        assert not app.screen_stack[-1].__class__.__name__.endswith("Dialog")
    assert store.count() == 1 and store.get(NUMBER)["device"]["imei"] == OTHER_IMEI


async def test_a_corrected_brand_is_shown_by_its_name_in_the_timeline(registry):
    view = {"events": [{"kind": "edited", "at": "2026-06-15T10:00:00+08:00", "actor": "王芳",
                        "data": {"changes": {"brand": {"from": "apple", "to": "huawei"}}}}]}
    assert "品牌：苹果 → 华为" in timeline_text(view, "zh", registry.brands).plain
    assert "Brand: Apple → Huawei" in timeline_text(view, "en", registry.brands).plain


async def test_a_search_whose_cases_the_state_chosen_hides_says_where_they_are(make, store, save_day5):
    """A state left chosen from before (已取机签字) and a case searched for that is in another:
    the line says it was found and how to see it, not that nothing matches."""
    from textual.widgets import Select

    save_day5(store)
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        queue = await shown_after(pilot, "f2", kind=QueueScreen)
        queue.query_one("#q-state", Select).value = "picked_up"
        await settle(pilot)
        await type_into(pilot, "#q-text", "0001")
        await settle(pilot)
        await settle(pilot)
        status = queue.query_one("#queue-status").content
        text = status.plain if hasattr(status, "plain") else str(status)
        assert queue.shown == [] and "找到 1 个案例，但都不在所选的状态或品牌中：把筛选改回「全部未结」即可看到" in text, text


async def test_the_next_customers_ctrl_s_while_the_last_save_runs_waits_for_it(make, store, monkeypatch):
    """The store slow to answer (a network's database): Ctrl+S, Ctrl+N, the next customer and
    Ctrl+S again before the first save came back. The second Ctrl+S was dropped (Save disabled
    while saving) and the next customer left unsaved; it now waits and saves."""
    import time

    create = store.create_case

    def slow(*args, **kwargs):
        time.sleep(0.4)
        return create(*args, **kwargs)

    monkeypatch.setattr(store, "create_case", slow)
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await load_day5_case(pilot)
        await scan(pilot, "ctrl+s", "ctrl+n", "韩梅梅", "tab", "+852 9123 4567", "f6",
                   "h", "u", "tab", "Mate 60", "tab", "tab", "tab", "tab", OTHER_IMEI, "ctrl+s")
        for _ in range(20):
            await pilot.pause(0.1)
            if store.count() == 2:
                break
        await settle(pilot)
    assert store.count() == 2
    assert store.get("SZ01-20260615-0002")["customer"]["name"] == "韩梅梅"
    assert store.get(NUMBER)["customer"]["name"] == "李雷"


async def test_a_correction_saved_as_ctrl_n_starts_the_next_case_is_said_as_a_correction(make, store):
    """Ctrl+S on a correction, then Ctrl+N before it came back: the notice says the case was
    corrected (已更正), not that a case was taken in under that number."""
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await saved_day5(pilot)
        said = toasts(app)
        await retype(pilot, "#f-device-imei", OTHER_IMEI)
        await scan(pilot, "ctrl+s", "ctrl+n")
        await settle(pilot)
        await settle(pilot)
        assert any(s.startswith(f"已更正 {NUMBER}（1 处改动）") for s in said), said
        assert not any(s.startswith("已保存") for s in said), said
    assert store.count() == 1 and store.get(NUMBER)["device"]["imei"] == OTHER_IMEI
