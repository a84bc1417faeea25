"""Save a case, find it in the queue, open it, move it through to closed; store problems."""

from __future__ import annotations

import pytest
from helpers_tui import DAY5_CASE, DAY5_CUSTOMER, fill_day5_case, load_day5_case, scan, settle, shown_after
from textual.widgets import DataTable

from aftersales.store.privacy import mask_name
from aftersales.tui.form import FormState
from aftersales.tui.screens.detail import DetailScreen
from aftersales.tui.screens.queue import QueueScreen
from aftersales.tui.screens.unavailable import StoreUnavailableScreen

pytestmark = pytest.mark.asyncio

NUMBER = "SZ01-20260615-0001"


async def open_case(pilot) -> DetailScreen:
    """The saved case's screen, opened as from the queue, its view loaded."""
    await settle(pilot)
    pilot.app.push_screen(DetailScreen(NUMBER))
    await settle(pilot)
    return pilot.app.screen


async def save_one(pilot) -> str:
    """The day-5 case put into the form (``load_day5_case``) and saved with Ctrl+S."""
    await load_day5_case(pilot)
    await scan(pilot, "ctrl+s")
    await settle(pilot)
    return pilot.app.screen.saved_number


async def test_save_stores_the_case_and_shows_its_number(make, store, other_store, save_day5):
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await fill_day5_case(pilot)                  # typed in key by key
        # the form the other tests start from at once (``load_day5_case``)
        loaded = FormState.from_case(DAY5_CASE, app.today())
        loaded.values["customer.name"], loaded.values["customer.phone"] = DAY5_CUSTOMER
        assert app.screen.form == loaded
        await scan(pilot, "ctrl+s")
        await settle(pilot)
        assert app.screen.saved_number == NUMBER
        assert NUMBER in str(app.screen.query_one("#save-status").render())
        # saving again without a change would make a duplicate: Save is off until something changes
        assert app.screen.query_one("#save").disabled
    view = store.get(NUMBER)
    assert view["entitlement"] == "return"
    assert view["customer"]["name"] == "李雷"
    assert view["case"]["documents"] == ["invoice", "sanbao_certificate"]
    # the case the other tests store directly (``save_day5``) is this one, as the intake stored it
    assert save_day5(other_store) == NUMBER
    assert other_store.get(NUMBER) == view


async def test_saved_case_is_in_the_queue_enter_opens_it_and_it_moves_through_to_closed(make, store):
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await save_one(pilot)
        queue = await shown_after(pilot, "f2", kind=QueueScreen)
        table = queue.query_one(DataTable)
        assert table.row_count == 1
        row = [str(c) for c in table.get_row_at(0)]
        assert row[0] == NUMBER and "受理" in row[1]
        assert mask_name("李雷") in row[2] and "138 **** 8000" in row[2]
        # the text filter narrows, and clears
        queue.query_one("#q-text").value = "nobody"
        await pilot.pause()
        assert table.row_count == 0
        queue.query_one("#q-text").value = "李"
        await pilot.pause()
        assert table.row_count == 1
        table.focus()
        await scan(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        assert app.screen.view["number"] == NUMBER

        # back in the queue, opened by its number, and moved through to closed
        await scan(pilot, "escape")
        await settle(pilot)
        assert app.screen is queue
        queue.open_number(NUMBER)
        await settle(pilot)
        detail = app.screen
        for target in ("diagnosing", "in_repair", "ready_for_pickup", "picked_up", "closed"):
            buttons = {b.id for b in detail.query("#moves Button")}
            assert f"move-{target}" in buttons
            await pilot.click(f"#move-{target}")
            await settle(pilot)
            assert detail.view["state"] == target
        assert not list(detail.query("#moves Button"))
        assert [e["to"] for e in detail.view["events"]] == ["received", "diagnosing", "in_repair", "ready_for_pickup",
                                                           "picked_up", "closed"]
    assert store.get(NUMBER)["state"] == "closed"


async def test_detail_offers_the_allowed_moves_follow_up_reevaluate_ticket_and_asks_why_before_cancelling(
        make, store, save_day5):
    save_day5(store)
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        detail = await open_case(pilot)
        assert {b.id for b in detail.query("#moves Button")} == {"move-diagnosing", "move-cancelled"}
        # each reads as a move to a state, not as the case's state
        assert {str(b.label) for b in detail.query("#moves Button")} == {"→ 检测", "→ 已撤销"}

        # a follow-up, a new decision, the ticket
        detail.query_one("#note").value = "已致电客户"
        await pilot.click("#do-follow-up")
        await settle(pilot)
        # both the station and the customer wait for a call: which one was it, each answer a
        # button that says what it records (not 是/否 or Y/N), Esc cancels
        from textual.widgets import Button

        buttons = [str(b.label) for b in app.screen.query(Button)]
        assert buttons == ["记录客户回访 (1)", "记录维修站回访 (2)", "取消 (Esc)"], buttons
        await scan(pilot, "escape")
        await settle(pilot)
        assert app.screen is detail and not [e for e in detail.view["events"] if e["kind"] == "follow_up"]
        await pilot.click("#do-follow-up")
        await settle(pilot)
        await scan(pilot, "1")
        await settle(pilot)
        calls = [e for e in detail.view["events"] if e["kind"] == "follow_up"]
        assert len(calls) == 1 and calls[0]["data"]["parties"] == ["customer"]
        assert {f["party"] for f in detail.view["follow_ups"] if not f["done_at"]} == {"repair_station"}
        await pilot.click("#do-reevaluate")
        await settle(pilot)
        assert len(detail.view["decisions"]) == 2
        await pilot.click("#do-ticket")
        await pilot.pause()
        assert NUMBER in app.screen.text
        await scan(pilot, "escape")
        await pilot.pause()
        assert app.screen is detail

        # cancelling asks why: no note, refused and nothing written; with one, cancelled
        detail.query_one("#note").value = ""
        await pilot.click("#move-cancelled")
        await settle(pilot)
        assert detail.view["state"] == "received"
        detail.query_one("#note").value = "客户撤回"
        await pilot.pause(0.3)   # a button pressed again within its 0.2 s press effect is not pressed
        await pilot.click("#move-cancelled")
        await settle(pilot)
        assert detail.view["state"] == "cancelled"


async def test_enter_in_the_note_field_records_a_note_and_moves_nothing(make, store, save_day5):
    """A note typed and Enter: kept in the timeline as 备注, the field emptied, the state and the
    calls due as they were; Enter on an empty field records nothing."""
    save_day5(store)
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        detail = await open_case(pilot)
        due = detail.view["follow_ups"]
        detail.query_one("#note").focus()
        await scan(pilot, "enter")
        await settle(pilot)
        assert [e["kind"] for e in detail.view["events"]] == ["created"]
        await scan(pilot, *"客户说周五来取机", "enter")
        await settle(pilot)
        assert [(e["kind"], e["note"]) for e in detail.view["events"]] == [("created", None), ("note", "客户说周五来取机")]
        assert detail.view["state"] == "received" and detail.view["follow_ups"] == due
        assert detail.query_one("#note").value == ""
        from aftersales.tui.screens.detail import timeline_text

        lines = timeline_text(detail.view, "zh").plain.splitlines()
        at = next(i for i, x in enumerate(lines) if "客户说周五来取机" in x)
        assert lines[at - 1].endswith("· 备注"), lines   # the event's line, then what was noted


async def test_tab_never_lands_on_a_move_and_enter_ends_what_the_note_was_asked_for(make, store, save_day5):
    """Tabbing from the case to type a note reaches the note field, never a move (typing onto a
    move button went nowhere and the Enter after it moved the case). When f asks for what was
    said, the Enter after it records the call, not a note; when a move asks why, the Enter
    after the reason makes the move."""
    save_day5(store)
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        detail = await open_case(pilot)
        assert not [b for b in detail.query("#moves Button") if b.can_focus]
        for _ in range(8):
            await scan(pilot, "tab")
            assert app.focused is None or app.focused.parent is None or app.focused.parent.id != "moves"
            if app.focused is detail.query_one("#note"):
                break
        assert app.focused is detail.query_one("#note")

        detail.query_one("#note").blur()
        await scan(pilot, "f")                  # what was said? the cursor goes to the note field
        await settle(pilot)
        assert app.focused is detail.query_one("#note")
        await scan(pilot, *"维修站说电池已到货", "enter")
        await settle(pilot)
        await scan(pilot, "2")                  # both wait for a call: which one was it
        await settle(pilot)
        kinds = [e["kind"] for e in detail.view["events"]]
        assert kinds == ["created", "follow_up"], kinds
        assert detail.view["events"][-1]["note"] == "维修站说电池已到货"

        await pilot.click("#move-cancelled")    # cancelling asks why
        await settle(pilot)
        assert app.focused is detail.query_one("#note") and detail.view["state"] == "received"
        await scan(pilot, *"客户撤回", "enter")
        await settle(pilot)
        assert detail.view["state"] == "cancelled" and detail.view["events"][-1]["note"] == "客户撤回"

        # a note typed after the field was left (Tab away and back) is a note again
        await scan(pilot, *"客户说下周来", "enter")
        await settle(pilot)
        assert detail.view["events"][-1]["kind"] == "note"


async def test_an_unreachable_store_shows_what_to_do(registry, clock, tmp_path):
    from aftersales.tui.app import make_app

    app = make_app(registry, None, "zh", clock, db_url=f"sqlite:///{tmp_path}/missing/cases.sqlite3",
                   cursor_blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, StoreUnavailableScreen)
        text = str(app.screen.query_one("#unavailable-text").render())
        assert "aftersales db upgrade" in text
        await scan(pilot, "escape")
        await pilot.pause()
        # intake still decides; Save says why it cannot store
        await load_day5_case(pilot)
        assert app.screen.query_one("#save").disabled
        assert app.screen.decision["entitlement"] == "return"


async def test_the_clerk_is_told_when_an_id_number_was_masked(make, store, monkeypatch):
    from helpers_tui import type_into

    app = make()
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(app, "notify", lambda message, **kw: shown.append((message, kw.get("severity", ""))))
    async with app.run_test(size=(120, 40)) as pilot:
        await load_day5_case(pilot, customer=False)
        await type_into(pilot, "#f-customer-name", "李雷 110101199003074514")
        await type_into(pilot, "#f-customer-phone", "13800138000")
        await pilot.pause()
        await scan(pilot, "ctrl+s")
        await settle(pilot)
        assert app.screen.saved_number == NUMBER
    warnings = [m for m, severity in shown if severity == "warning"]
    # said in the UI's language alone (the store's warnings carry both), with the field's label
    assert len(warnings) == 1 and "客户姓名：身份证号码已隐去，不予保存" in warnings[0]
    assert "customer" not in warnings[0] and "masked" not in warnings[0]
    assert store.get(NUMBER)["customer"]["name"] == "李雷 **************4514"


async def test_the_case_screen_masks_the_phone_number():
    from aftersales.tui.screens.detail import case_text

    view = {"number": NUMBER, "state": "received", "customer": {"name": "李雷", "phone": "13800138000"},
            "device": {"model": "Mate 60"}, "staff": "王芳", "intake_at": "2026-06-15T10:30:00+08:00",
            "state_since": "2026-06-15T10:30:00+08:00", "repair": {}, "case": {}}
    text = case_text(view, "zh", "华为").plain
    assert "138 **** 8000" in text and "13800138000" not in text



async def test_a_follow_up_needing_no_call_says_why():
    """无需回访 says what made the call needless: the move the case made, and whether before the
    day of the call; a call made says 已完成."""
    from aftersales.tui.screens.detail import timeline_text

    fups = [{"party": "customer", "purpose": "progress", "due": "2026-06-25", "done_at": "2026-06-20T11:00:00+08:00",
             "done_by": "王芳", "called": False, "moot_by": "returned"},
            {"party": "repair_station", "purpose": "progress", "due": "2026-06-25",
             "done_at": "2026-06-26T09:00:00+08:00", "done_by": "王芳", "called": False, "moot_by": "closed"},
            {"party": "customer", "purpose": "pickup", "due": "2026-06-25", "done_at": "2026-06-24T09:00:00+08:00",
             "done_by": "王芳", "called": True, "moot_by": None}]
    text = timeline_text({"follow_ups": fups, "decisions": [], "events": []}, "zh").plain
    assert "客户 · 无需回访：案例在回访日前已转为“已退货退款” 2026-06-20 11:00" in text, text
    assert "维修站 · 无需回访：案例已转为“结案” 2026-06-26" in text, text
    assert "客户 · 已完成 2026-06-24" in text
    english = timeline_text({"follow_ups": fups, "decisions": [], "events": []}, "en").plain
    assert "no call needed: the case moved to “returned and refunded” before the follow-up day" in english


async def test_the_case_screen_shows_every_input_the_case_gives():
    """What decided the case, from the case table: the purchase country, the invoice price, the
    battery's health and the rest, each under its label; nothing for what the case leaves out."""
    from aftersales.tui.screens.detail import case_text

    case = {"case_date": "2026-06-15", "brand": "apple",
            "device": {"model": "iPhone 15", "part_number": "MTLE3CH/A", "battery_health": 76},
            "purchase": {"date": "2026-06-01", "channel": "authorized_reseller", "country": "HK", "price": 6299},
            "fault": {"component": "battery", "confirmed": True}, "history": {"days_in_repair": 0},
            "documents": ["invoice"]}
    view = {"number": NUMBER, "state": "received", "customer": {"name": "李雷", "phone": "13800138000"},
            "device": {"model": "iPhone 15"}, "staff": "王芳", "intake_at": "2026-06-15T10:30:00+08:00",
            "state_since": "2026-06-15T10:30:00+08:00", "repair": {}, "case": case}
    text = case_text(view, "zh", "苹果").plain
    for shown in ("购买国家/地区：香港", "发票金额：6,299 元", "电池健康", "76", "MTLE3CH/A", "授权经销商", "电池"):
        assert shown in text, (shown, text)
    assert "维修占用" not in text          # 0 days in repair: as every case is unless it says otherwise
    assert "authorized_reseller" not in text and "battery" not in text
    assert ": HK" not in text               # the country by its name, not its code
    for code, name in (("US", "美国"), ("CN", "中国大陆"), ("JP", "日本"), ("MO", "澳门")):
        view["case"] = {**case, "purchase": {**case["purchase"], "country": code}}
        assert f"购买国家/地区：{name}\n" in case_text(view, "zh", "苹果").plain, code
    assert "Country: United States" in case_text(view | {"case": {**case, "purchase": {"country": "US"}}},
                                                  "en", "Apple").plain


async def test_at_80_columns_each_queue_cell_fits_its_column_with_the_space_after_it(make, store, registry, clock):
    """A Latin name masked ("Y" and a star a letter) and a long model no longer run into the next
    column at 80 columns: the phone stays whole and the masked name is cut to what is left; a
    model that does not fit what the other columns leave is cut with "…"; the space before the
    next column stays."""
    from rich.cells import cell_len

    from aftersales.store.casestore import CaseStore
    from aftersales.store.evaluator import RegistryEvaluator

    bound = CaseStore(store.engine, RegistryEvaluator(registry))
    for name, phone, model, imei in (("Yang Mingming", "13912345678", "Mate 60 Pro", "356938035643809"),
                                     ("欧阳娜娜", "+852 9123 4567", "iPhone 15 Pro Max", "490154203237518")):
        case = {**DAY5_CASE, "device": {"model": model, "imei": imei}}
        mapping = FormState.from_case(case, clock().date()).build("zh")
        bound.create_case(mapping, store="SZ01", staff="王芳", customer=name, phone=phone, now=clock())
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        queue = await shown_after(pilot, "f2", kind=QueueScreen)
        table = queue.query_one(DataTable)
        widths = [column.width for column in table.columns.values()]
        rows = {str(table.get_row_at(i)[0]): [str(c) for c in table.get_row_at(i)] for i in range(table.row_count)}
        assert len(rows) == 2
        for row in rows.values():
            # every column but the last keeps a blank cell before the next one
            assert all(cell_len(cell) < width for cell, width in zip(row[:-1], widths, strict=False)), row
        latin, chinese = (rows[n] for n in sorted(rows))
        assert latin[2].startswith("Y*") and latin[2].endswith(" 139 **** 5678")
        assert chinese[2].startswith("欧*") and chinese[2].endswith(" +852 **** 4567")
        assert latin[4] == "Mate 60 Pro"
        assert chinese[4].endswith("…") and chinese[4].startswith("iPhone")


async def test_at_80x24_the_queue_shows_every_column_whole(make, store, registry, clock):
    """At 80x24 the queue shows each case's number, state, customer (masked), brand, model, intake
    date and follow-up whole: the columns are as wide as what they hold (其他品牌 was cut to 其…
    in a column of four cells, and 受理 took ten)."""
    import re

    from aftersales.store.casestore import CaseStore
    from aftersales.store.evaluator import RegistryEvaluator

    bound = CaseStore(store.engine, RegistryEvaluator(registry))
    cases = (("李小雷", "13800138000", "generic", "Redmi Note 13"), ("韩梅梅", "13912345678", "apple", "iPhone 15"))
    for name, phone, brand, model in cases:
        case = {**DAY5_CASE, "brand": brand, "device": {**DAY5_CASE["device"], "model": model}}
        mapping = FormState.from_case(case, clock().date()).build("zh")
        bound.create_case(mapping, store="SZ01", staff="王芳", customer=name, phone=phone, now=clock())
    store.move(NUMBER, "diagnosing", actor="王芳")
    store.move(NUMBER, "in_repair", actor="王芳")        # 维修中: the longest state the open cases show
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await scan(pilot, "f2")
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        rows = sorted([str(c) for c in table.get_row_at(i)] for i in range(table.row_count))
    assert [row[:2] for row in rows] == [[NUMBER, "维修中"], ["SZ01-20260615-0002", "受理"]]
    assert [row[3:] for row in rows] == [["其他品牌", "Redmi Note 13", "06-15", "06-25"],
                                         ["苹果", "iPhone 15", "06-15", "06-25"]]
    assert re.fullmatch(r"李\*+ 138 \*\*\*\* 8000", rows[0][2]) and re.fullmatch(r"韩\*+ 139 \*\*\*\* 5678", rows[1][2])


async def test_at_80x24_every_action_of_the_case_screen_is_on_screen(make, store, save_day5):
    """A case being examined may move to four states: at 80 columns their four buttons pushed
    处理结果 off the screen. There one 改状态… button lists the moves (as m does); at 120 columns
    each move keeps its button."""
    from textual.widgets import Button

    save_day5(store)
    store.move(NUMBER, "diagnosing", actor="王芳")
    for size, one_button in (((80, 24), True), ((120, 36), False)):
        app = make()
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            app.push_screen(DetailScreen(NUMBER))
            await settle(pilot)
            detail = app.screen
            assert isinstance(detail, DetailScreen) and detail.view["state"] == "diagnosing"
            buttons = list(detail.query("#detail-actions Button"))
            for button in buttons:
                assert button.region.right <= size[0] - 1 and button.region.width > 0, (size, button.id)
            ids = [b.id for b in buttons]
            assert "do-outcome" in ids
            if one_button:
                assert [b.id for b in detail.query("#moves Button")] == ["moves-pick"]
                assert str(detail.query_one("#moves-pick", Button).label) == "改状态…"
                await pilot.click("#moves-pick")
                await pilot.pause()
                assert type(app.screen).__name__ == "MoveDialog"
            else:
                assert [b.id for b in detail.query("#moves Button")] == [
                    "move-in_repair", "move-awaiting_exchange", "move-ready_for_pickup", "move-cancelled"]


async def test_the_case_screen_speaks_chinese_again_after_english_and_back(make, store, save_day5):
    """F4 twice on the case screen: every button is Chinese again (处理结果 stayed "Outcome")."""
    import re

    from helpers_tui import opened_case, scan, settle
    from textual.widgets import Button

    save_day5(store)
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        detail = await opened_case(pilot, NUMBER)
        await scan(pilot, "f4")
        await settle(pilot)
        assert "Outcome" in [str(b.label) for b in detail.query(Button)]
        await scan(pilot, "f4")
        await settle(pilot)
        labels = [str(b.label) for b in detail.query(Button) if b.display]
        assert labels and not [label for label in labels if re.search("[A-Za-z]{2,}", label)], labels
        assert "处理结果" in labels


async def test_f2_on_a_case_opened_from_the_queue_shows_the_queue_list(make, store, save_day5):
    from helpers_tui import scan, settle

    from aftersales.tui.screens.queue import QueueScreen

    save_day5(store)
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await scan(pilot, "f2")
        await settle(pilot)
        await scan(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        await scan(pilot, "f2")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)


async def test_back_on_the_queue_left_on_a_filter_the_list_has_the_focus_and_enter_opens_the_case(make, store, save_day5):
    """The focus left on a filter's drop-down, F1 then F2: Enter opened the drop-down (and what
    was typed next went into the search box), not the case under the cursor."""
    from textual.widgets import Select

    save_day5(store)
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        queue = await shown_after(pilot, "f2", kind=QueueScreen)
        next(iter(queue.query(Select))).focus()
        await settle(pilot)
        await scan(pilot, "f1")
        await settle(pilot)
        await scan(pilot, "f2")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen) and isinstance(app.focused, DataTable), app.focused
        await scan(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)


async def test_f2_shows_the_queue_list_from_every_screen(make, store, save_day5):
    """F2 is the app's: from the case, a dialog over it (the ticket), the manager's report over
    the queue, a policy file, and the intake while a case is left open in the queue's mode, it
    shows the queue's list (not the case left open, not nothing)."""
    from helpers_tui import opened_case, scan, settle

    from aftersales.tui.screens.detail import TicketScreen
    from aftersales.tui.screens.policies import PolicyView
    from aftersales.tui.screens.queue import QueueScreen
    from aftersales.tui.screens.report import ReportScreen

    number = save_day5(store)
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)

        async def f2_shows_the_list(before: type) -> None:
            assert isinstance(app.screen, before)
            await scan(pilot, "f2")
            await settle(pilot)
            assert app.current_mode == "queue" and isinstance(app.screen, QueueScreen), (before, app.screen)
            assert len(app.screen_stack) == 1

        # the palette offers the modes' keys on a case too (F2 by the app's action)
        from aftersales.tui.commands import BindingCommands

        detail = await opened_case(pilot, number)
        offered = {name: (keys, run) for name, keys, run in BindingCommands(detail)._commands()}
        assert {"受理": "F1", "队列": "F2", "政策": "F3"}.items() <= {n: k for n, (k, _) in offered.items()}.items()
        offered["队列"][1]()
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen) and len(app.screen_stack) == 1
        await opened_case(pilot, number)
        await scan(pilot, "p")
        await settle(pilot)
        await f2_shows_the_list(TicketScreen)           # the ticket over the case
        await scan(pilot, "ctrl+r")
        await settle(pilot)
        await f2_shows_the_list(ReportScreen)           # the report over the queue
        await opened_case(pilot, number)
        await scan(pilot, "f1")
        await settle(pilot)
        await f2_shows_the_list(type(app.screen))       # the intake, a case left open in the queue's mode
        await scan(pilot, "f3")
        await settle(pilot)
        await scan(pilot, "v")
        await settle(pilot)
        await f2_shows_the_list(PolicyView)             # a policy file over the policies


async def test_an_intake_date_before_today_is_asked_about_in_the_ui_not_refused_in_cli_words(make, store):
    """A back-dated intake (the date typed over today's) was refused at Ctrl+S with the CLI's
    words ("确需如此请加 --backdate，否则删去 case_date"): the counter now asks, in its own
    words, and saves it as of that day when the clerk says so."""
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await load_day5_case(pilot)
        screen = app.screen
        screen.query_one("#f-case_date").value = "2026-06-10"
        await pilot.pause()
        await scan(pilot, "ctrl+s")
        await settle(pilot)
        dialog = app.screen
        assert type(dialog).__name__ == "ConfirmDialog"
        text = dialog.question
        assert "受理日期 2026-06-10 早于今天（2026-06-15）" in text and "--backdate" not in text and "case_date" not in text
        await scan(pilot, "n")
        await settle(pilot)
        assert app.screen is screen and not screen.saved_number and app.focused.id == "f-case_date"
        await scan(pilot, "ctrl+s")
        await settle(pilot)
        assert type(app.screen).__name__ == "ConfirmDialog"
        await scan(pilot, "y")
        await settle(pilot)
        number = screen.saved_number
        assert number
    view = store.get(number)
    assert view["case"]["case_date"] == "2026-06-10"


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_at_80x24_the_saved_line_is_whole_in_either_language(make, store, lang):
    """In English the line after saving was cut ("…as a correction," and Ctrl+N lost)."""
    from rich.cells import cell_len

    app = make(lang=lang)
    async with app.run_test(size=(80, 24)) as pilot:
        number = await save_one(pilot)
        status = app.screen.query_one("#save-status")
        text = str(status.render())
        assert number in text and "Ctrl+N" in text, text
        assert cell_len(text) <= status.content_region.width, (text, status.content_region)


async def test_the_case_buttons_are_whole_after_switching_language(make, store, save_day5):
    """F4 on a case: the buttons kept the widths of their Chinese labels ("Foll", "Re-evalu")."""
    from helpers_tui import opened_case
    from rich.cells import cell_len

    number = save_day5(store)
    app = make()
    async with app.run_test(size=(120, 36)) as pilot:
        detail = await opened_case(pilot, number)
        await scan(pilot, "f4")
        await settle(pilot)
        for button in detail.query("#detail-actions > Button"):
            assert button.region.width >= cell_len(str(button.label)) + 2, (str(button.label), button.region)
