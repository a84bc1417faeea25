"""Recording the outcome from the case detail, printing the HTML ticket, the manager's report."""

from __future__ import annotations

import re
import stat

import pytest
from helpers_tui import opened_case, opened_queue, scan, settle, shown_after, toasts, type_into
from test_tui_cases import NUMBER

from aftersales.tui.screens.confirm import ConfirmDialog
from aftersales.tui.screens.detail import DetailScreen, TicketScreen
from aftersales.tui.screens.outcome import OutcomeDialog
from aftersales.tui.screens.report import ReportScreen

pytestmark = pytest.mark.asyncio


async def _open_detail(pilot) -> DetailScreen:
    """The detail of the day-5 case (stored before the app started: ``save_day5``)."""
    app = pilot.app
    await settle(pilot)
    app.push_screen(DetailScreen(NUMBER))
    await settle(pilot)
    assert isinstance(app.screen, DetailScreen) and app.screen.number == NUMBER
    return app.screen


async def _ready_for_pickup(pilot, store, detail: DetailScreen) -> None:
    """The case moved on to 待取机 (examined, repaired), and its detail shown again."""
    for state in ("diagnosing", "ready_for_pickup"):
        store.move(NUMBER, state, actor="李工", now=pilot.app.now())
    detail.load()
    await settle(pilot)
    assert detail.view is not None and detail.view["state"] == "ready_for_pickup"


async def test_the_pickup_notice_waits_until_the_unit_is_ready_and_is_written_with_chinese_punctuation(
        make, store, save_day5):
    """``n`` on a case still at 受理 (never repaired) gives no notice saying it can be collected: a
    line says why; at 待取机 the notice is shown, its Chinese with Chinese punctuation; once
    collected, there is none any more."""
    store.set_store_info("SZ01", actor="店长", name="华强北旗舰店", hotline="0755-83001234",
                         address="深圳市福田区华强北路1号")
    save_day5(store)
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        detail = await _open_detail(pilot)
        said = toasts(app)
        await scan(pilot, "n")
        await settle(pilot)
        assert app.screen is detail
        assert said == ["维修完成后才能发取机通知：现为「受理」"]

        await _ready_for_pickup(pilot, store, detail)
        await scan(pilot, "n")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        text = app.screen.text
        assert text.startswith("【华强北旗舰店】李雷您好，您送修的") and "（地址：深圳市福田区华强北路1号）" in text
        assert not set(text) & set(",()"), text       # no ASCII , ( ) in the Chinese text (09:00 is a time)
        # a text for an SMS: its footer offers no "h" (it printed nothing)
        notice = app.screen
        assert not notice.check_action("print_html", ())
        footer = " ".join(str(k.render()) for k in notice.query("FooterKey"))
        assert "打印" not in footer and "HTML" not in footer, footer
        await scan(pilot, "escape")
        await settle(pilot)

        store.move(NUMBER, "picked_up", actor="王芳", now=app.now())
        detail.load()
        await settle(pilot)
        await scan(pilot, "f4", "n")        # in English too
        await settle(pilot)
        assert app.screen is detail
        assert said[-1] == "no pickup notice: the case is already “picked up and signed”"


def drawn(widget) -> list[str]:
    """The lines ``widget`` draws, as shown."""
    return [strip.text.rstrip() for strip in widget.render_lines(widget.region.reset_offset)]


async def test_at_80x24_the_ticket_is_laid_out_once_at_the_dialogs_width_and_saved_as_it_prints(
        make, store, save_day5, tmp_path, monkeypatch):
    """The printed ticket's lines (laid out for 80 columns) were folded again in the narrower
    dialog: a law quote broke as 修理；凭发 | 货票和三包凭证办理〕. The dialog lays the ticket's whole
    lines out once, at its own width, every line but a paragraph's last well filled; the file
    ``s`` saves is the printed text."""
    from rich.cells import cell_len
    from rich.text import Text

    from aftersales.store.documents import TICKET_COLUMNS
    from aftersales.tui.widgets.text import wrap_line

    save_day5(store)
    monkeypatch.setenv("AFTERSALES_TICKETS_DIR", str(tmp_path / "tickets"))
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_detail(pilot)
        await scan(pilot, "p")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        ticket = app.screen
        widget = ticket.query_one("#ticket-text")
        width = widget.content_size.width
        assert width < TICKET_COLUMNS
        shown = drawn(widget)
        printed = ticket.text.split("\n")
        assert any(cell_len(line) > width for line in printed)        # the printed lines do not fit here
        assert "".join(shown).replace(" ", "") == ticket.lines.replace("\n", "").replace(" ", "")
        # each whole line laid out by the counter's one wrapper, at this width (no line folded twice)
        assert shown == [piece.plain.rstrip() for line in ticket.lines.split("\n")
                         for piece in wrap_line(Text(line), width)]
        assert not [line for line in shown if "凭发" in line and "凭发货票" not in line], shown
        await scan(pilot, "s")
        await settle(pilot)
    assert (tmp_path / "tickets" / f"{NUMBER}.txt").read_text(encoding="utf-8").rstrip("\n") == ticket.text.rstrip("\n")


async def test_the_ticket_with_the_phone_in_full_is_written_to_the_access_log(make, store, save_day5):
    """The command line masks the phone unless --reveal (logged); the ticket on screen shows it
    whole (the repair station calls it): who saw it, for which case, goes into the access log."""
    from aftersales.store.staff import read_access_log

    save_day5(store)
    app = make()
    async with app.run_test(size=(120, 36)) as pilot:
        await _open_detail(pilot)
        await scan(pilot, "p")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen) and "138 0013 8000" in app.screen.text
        await app.workers.wait_for_complete()
    (entry,) = read_access_log(store.engine)
    assert entry["action"] == "ticket" and entry["cases"] == [NUMBER] and entry["actor"] == app.staff
    assert entry["reason"] == "查看或打印受理单（含完整联系电话）"


async def test_the_ticket_names_the_brand_in_chinese_whatever_the_counters_language(make, store, save_day5):
    """The ticket is the customer's paper, in Chinese: 品牌：Huawei was printed with the UI in English
    (here the day-5 case's brand, 其他品牌, not its English name)."""
    save_day5(store)
    app = make(lang="en")
    async with app.run_test(size=(120, 36)) as pilot:
        await _open_detail(pilot)
        await scan(pilot, "p")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        assert "品牌：其他品牌（仅三包规定）" in app.screen.text, app.screen.text[:400]


async def test_the_ticket_prints_as_html_and_a_bad_outcome_stays_in_the_dialog_a_good_one_closes_the_case_path(
        make, store, save_day5, tmp_path, monkeypatch):
    save_day5(store)
    monkeypatch.setenv("AFTERSALES_TICKETS_DIR", str(tmp_path / "tickets"))
    monkeypatch.delenv("AFTERSALES_PRINTER", raising=False)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    app = make()
    async with app.run_test(size=(120, 36)) as pilot:
        # the ticket prints as HTML to the browser or, with none, is saved
        detail = await _open_detail(pilot)
        await scan(pilot, "p")
        await pilot.pause()
        assert isinstance(app.screen, TicketScreen) and "交机前请备份数据" in app.screen.text
        await scan(pilot, "h")
        await pilot.pause()
        page = (tmp_path / "tickets" / f"{NUMBER}.html").read_text(encoding="utf-8")
        assert page.startswith("<!DOCTYPE html>") and NUMBER in page and "seed" not in page
        await scan(pilot, "escape")
        await settle(pilot)
        assert app.screen is detail

        # the outcome: a bad one stays in the dialog, said with the field's label (no field id,
        # no command-line option), a good one closes the case's path
        def said() -> str:
            return app.screen.query_one("#o-error").content.text.plain

        await scan(pilot, "f4", "o")           # in English first: a paid repair the customer declined
        await settle(pilot)
        dialog = app.screen
        dialog.query_one("#o-kind").value = "paid_repair"
        dialog.query_one("#o-override").value = "regular customer"
        await scan(pilot, "ctrl+s")
        await settle(pilot)
        assert said() == "✘ fill in: Quote (CNY)"
        dialog.query_one("#o-quote").value = "100"
        dialog.query_one("#o-amount").value = "50"
        await scan(pilot, "ctrl+s")
        await settle(pilot)
        assert said() == "✘ Amount charged (CNY): the customer did not consent: nothing may be charged (amount must be 0)"
        # Esc with what was typed asks first (放弃 Y): the quote and the work are not thrown away unasked
        await shown_after(pilot, "escape", kind=ConfirmDialog)
        dialog = await shown_after(pilot, "y", "f4", "o", kind=OutcomeDialog)
        assert dialog.offered == ["return", "exchange", "repair"]  # day 5
        assert dialog.kind == "return"
        assert not dialog.query_one("#row-imei").display and dialog.query_one("#row-refund").display
        await scan(pilot, "ctrl+s")
        await settle(pilot)
        assert said() == "✘ 请填写：退款金额（元）"
        dialog.query_one("#o-refund").value = "abc"
        await scan(pilot, "ctrl+s")
        await settle(pilot)
        assert said() == "✘ 退款金额（元）：abc 不是数字"
        dialog.query_one("#o-refund").value = "9999"
        await scan(pilot, "ctrl+s")
        await settle(pilot)
        assert said() == "✘ 案例没有记录发票金额：请填写「发票金额（元，案例未记录时）」"
        # the label and the line wrapped as Chinese is set (Textual folded them at the edge)
        assert drawn(dialog.query_one("#row-invoice_price").children[0]) == ["发票金额（元，", "案例未记录时）"]
        assert drawn(dialog.query_one("#o-error")) == ["✘ 案例没有记录发票金额：请填写「发票金额（元，", "  案例未记录时）」"]
        dialog.query_one("#o-invoice_price").value = "3000"
        await scan(pilot, "ctrl+s")
        await settle(pilot)
        assert app.screen is dialog and said() == "✘ 退款金额（元）：退款 9999 元超过发票金额 3000 元"
        assert store.get(NUMBER)["outcome"] is None
        dialog.query_one("#o-refund").value = "3000"     # the invoice price in full (a return within 7 days)
        detail = await shown_after(pilot, "ctrl+s", kind=DetailScreen)
        assert detail.view["state"] == "returned" and detail.view["outcome"]["refund"] == 3000
        assert "处理结果：已退货退款 3000 元" in detail.query_one("#detail-case").content.text.plain
        # a returned case takes no second outcome
        await scan(pilot, "o")
        await settle(pilot)
        assert app.screen is detail


async def test_a_repair_recorded_on_the_case_screen_moves_the_case_on_to_pickup(make, store, save_day5):
    """The free repair recorded from the case screen (处理结果): the case is 待取机 (it stayed 受理),
    its timeline says so, the moves it offers are pickup's, and it is still under 全部未结."""
    save_day5(store)
    app = make()
    async with app.run_test(size=(120, 36)) as pilot:
        detail = await _open_detail(pilot)
        dialog = await shown_after(pilot, "o", kind=OutcomeDialog)
        dialog.query_one("#o-kind").value = "repair"
        dialog.query_one("#o-work").value = "更换主板"
        await scan(pilot, "ctrl+s")
        await settle(pilot)
        assert app.screen is detail and detail.view["state"] == "ready_for_pickup"
        assert "[待取机]" in detail.query_one("#detail-case").content.text.plain
        assert "处理结果 已免费维修 更换主板 · 受理 → 待取机" in detail.query_one("#detail-timeline").content.text.plain
        moves = [str(b.label) for b in detail.query("#moves Button")]
        assert moves == ["→ 已取机签字", "→ 维修中"], moves
        queue = await opened_queue(pilot)
        assert [c["number"] for c in queue.shown] == [NUMBER]


async def test_all_open_lists_the_cases_still_being_worked_on_not_the_finished(make, store, save_day5, clock):
    """全部未结 (the queue's first filter) lists a case in repair and one waiting for pickup, not
    one returned and refunded, picked up or closed: those are found by choosing their state."""
    from datetime import timedelta

    from textual.widgets import DataTable, Select

    from aftersales.store.workflow import STATES
    from aftersales.tui.screens.queue import ALL_STATES

    assert sorted(ALL_STATES) == sorted(STATES)      # the filter offers every state
    now = clock()
    numbers = [save_day5(store, now + timedelta(minutes=i), imei=imei) for i, imei in
               enumerate(("356938035643809", "356938035643817", "356938035643825", "356938035643833",
                          "356938035643841"))]
    in_repair, ready, returned, closed, picked_up = numbers
    later = now + timedelta(hours=1)
    for number, moves in ((in_repair, ("diagnosing", "in_repair")), (ready, ("diagnosing", "ready_for_pickup")),
                          (closed, ("diagnosing", "ready_for_pickup", "picked_up", "closed")),
                          (picked_up, ("diagnosing", "ready_for_pickup", "picked_up"))):
        for target in moves:
            store.move(number, target, actor="王芳", now=later)
    store.record_outcome(returned, "return", {"refund": 2999, "invoice_price": 2999}, actor="王芳", now=later)
    assert store.get(returned)["state"] == "returned"
    app = make(clock=lambda: later)
    async with app.run_test(size=(120, 36)) as pilot:
        queue = await opened_queue(pilot)
        listed = {str(row[0]) for row in (queue.query_one(DataTable).get_row_at(i)
                                          for i in range(queue.query_one(DataTable).row_count))}
        assert listed == {in_repair, ready}, listed
        queue.query_one("#q-state", Select).value = "returned"
        await settle(pilot)
        assert [c["number"] for c in queue.cases] == [returned]


async def test_an_unanswered_case_is_flagged_in_the_queue(make, store, save_day5):
    from datetime import datetime, timedelta, timezone

    from textual.widgets import DataTable

    later = datetime(2026, 6, 17, 10, 0, tzinfo=timezone(timedelta(hours=8)))
    save_day5(store)                   # taken in on 2026-06-15 at 10:30
    app = make(clock=lambda: later)
    async with app.run_test(size=(120, 36)) as pilot:
        queue = await opened_queue(pilot)
        cell = queue.query_one(DataTable).get_row_at(0)[0]
        assert cell.style == "bold red"
        assert queue.cases[0]["service_level"]["overdue"] == ["answer"]  # the solution is due at 10:30


async def test_from_the_detail_the_inspection_reaches_the_ticket_the_pickup_notice_the_report_and_an_override(
        make, store, save_day5):
    """At 80 x 24, one case's detail: accessories, appearance and checklist recorded reach the
    ticket; the pickup notice is shown to copy; Ctrl+R shows the manager's report; a remedy the
    decision did not offer needs the manager's reason."""
    from textual.widgets import Checkbox

    from aftersales.tui.screens.outcome import InspectDialog

    store.set_store_info("SZ01", actor="店长", name="华强北旗舰店", hotline="0755-83001234")
    save_day5(store)
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        detail = await _open_detail(pilot)

        # accessories, appearance and the checklist, from the detail to the ticket
        dialog = await shown_after(pilot, "i", kind=InspectDialog)
        # a label wrapped in its column as Chinese is set (Textual folded it: 随机附件（逗号分 | 隔）)
        assert drawn(dialog.query_one("#i-accessories").parent.children[0]) == ["随机附件（逗号", "分隔）"]
        dialog.query_one("#i-accessories").value = "充电线,卡针"
        dialog.query_one("#i-appearance").value = "屏幕左上角划痕"
        dialog.query_one("#i-backed_up", Checkbox).value = True
        dialog.query_one("#i-passcode").value = "given"
        await scan(pilot, "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        await scan(pilot, "p")
        await pilot.pause()
        text = app.screen.text
        assert "随机附件：充电线、卡针" in text and "外观（检查所见）：屏幕左上角划痕" in text
        assert "☑ 已备份数据" in text and "☑客户已告知维修人员" in text
        assert store.get(NUMBER)["events"][-1]["kind"] == "inspected"
        await scan(pilot, "escape")
        await settle(pilot)
        assert app.screen is detail

        # the pickup notice, shown to copy once the unit is ready for pickup
        await _ready_for_pickup(pilot, store, detail)
        await scan(pilot, "n")
        await pilot.pause()
        assert isinstance(app.screen, TicketScreen)
        assert app.screen.text.startswith("【华强北旗舰店】李雷您好") and "咨询电话 0755 8300 1234。" in app.screen.text
        assert app.screen.title_key == "key.pickup_notice"
        await scan(pilot, "escape")
        await settle(pilot)
        assert app.screen is detail

        # Ctrl+R: the manager's report
        await scan(pilot, "ctrl+r")
        await settle(pilot)
        assert isinstance(app.screen, ReportScreen)
        assert app.screen.report["week_intake"][-1] == {"date": "2026-06-15", "count": 1}
        text = str(app.screen.query_one("#report-body").render())
        assert "今日回访" in text and "近7日受理" in text
        assert "在办按品牌：其他品牌（仅三包规定） 1" in text and "generic" not in text   # the brand's name, not its id
        await scan(pilot, "escape")
        await pilot.pause()
        assert not isinstance(app.screen, ReportScreen)
        assert app.screen is detail

        # a remedy not offered needs the manager's reason
        dialog = await shown_after(pilot, "o", kind=OutcomeDialog)
        dialog.query_one("#o-kind").value = "paid_repair"
        await pilot.pause()
        assert dialog.query_one("#row-override").display and dialog.query_one("#row-consent").display
        dialog.query_one("#o-quote").value = "300"
        await scan(pilot, "ctrl+s")
        await settle(pilot)
        said = dialog.query_one("#o-error").content.text.plain
        # what to do in this dialog, not the command line's option
        assert "判定未给出这种处理" in said and "店长特批原因" in said and "--override" not in said, said
        dialog.query_one("#o-override").value = "客户坚持保外维修"
        await scan(pilot, "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
    remedy = [e for e in store.get(NUMBER)["events"] if e["kind"] == "remedy"][-1]
    assert remedy["data"]["override"] == "客户坚持保外维修"


async def test_the_ticket_saved_as_text_is_readable_by_its_owner_alone(make, store, save_day5, tmp_path, monkeypatch):
    """``s`` on the ticket writes the customer's name and phone as the draft and the HTML ticket
    are written: mode 0600 whatever the umask or an earlier copy had, replaced whole."""
    save_day5(store)
    folder = tmp_path / "tickets"
    monkeypatch.setenv("AFTERSALES_TICKETS_DIR", str(folder))
    folder.mkdir()
    earlier = folder / f"{NUMBER}.txt"
    earlier.write_text("an earlier copy", encoding="utf-8")
    earlier.chmod(0o644)
    app = make()
    async with app.run_test(size=(120, 36)) as pilot:
        await _open_detail(pilot)
        await scan(pilot, "p")
        await pilot.pause()
        assert isinstance(app.screen, TicketScreen)
        await scan(pilot, "s")
        await pilot.pause()
        text = earlier.read_text(encoding="utf-8")
        assert text == app.screen.text + "\n" and "李雷" in text
        assert stat.S_IMODE(earlier.stat().st_mode) == 0o600
        assert sorted(p.name for p in folder.iterdir()) == [f"{NUMBER}.txt"]   # no part left beside it


async def test_the_pickup_notice_saved_as_text_leaves_the_ticket_file_alone(make, store, save_day5, tmp_path, monkeypatch):
    """``s`` on the pickup notice saves it beside the ticket's text file, not over it, and says
    which of the two was saved."""
    save_day5(store)
    folder = tmp_path / "tickets"
    monkeypatch.setenv("AFTERSALES_TICKETS_DIR", str(folder))
    app = make()
    async with app.run_test(size=(120, 36)) as pilot:
        detail = await _open_detail(pilot)
        await _ready_for_pickup(pilot, store, detail)
        said = toasts(app)
        await scan(pilot, "p")
        await pilot.pause()
        ticket = app.screen.text
        await scan(pilot, "s")
        await scan(pilot, "escape")
        await settle(pilot)
        assert app.screen is detail
        await scan(pilot, "n")
        await pilot.pause()
        notice = app.screen.text
        await scan(pilot, "s")
        await pilot.pause()
        assert (folder / f"{NUMBER}.txt").read_text(encoding="utf-8") == ticket + "\n"
        saved = folder / f"{NUMBER}-pickup.txt"
        assert saved.read_text(encoding="utf-8") == notice + "\n"
        assert stat.S_IMODE(saved.stat().st_mode) == 0o600
        assert f"受理单已保存到 {folder / f'{NUMBER}.txt'}" in said
        assert f"取机短信已保存到 {saved}" in said


async def test_two_stores_on_one_machine_keep_their_tickets_beside_their_own_databases(
        make, store, other_store, save_day5, tmp_path, monkeypatch):
    """Two case stores on one machine (both number their first case alike): each one's ticket, its
    HTML ticket and the manager's report are saved in a folder beside its own database file
    (0700), never in one shared folder of the user's where they would mix or overwrite."""
    for name in ("AFTERSALES_TICKETS_DIR", "AFTERSALES_PRINTER", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))   # the user data folder
    for each in (store, other_store):
        save_day5(each)
        database = tmp_path / each.engine.url.database
        folder = database.with_name(f"{database.name}-tickets")
        app = make(store=each)
        async with app.run_test(size=(120, 36)) as pilot:
            await _open_detail(pilot)
            said = toasts(app)
            await scan(pilot, "p")
            await pilot.pause()
            assert isinstance(app.screen, TicketScreen)
            await scan(pilot, "s")
            await pilot.pause()
            await scan(pilot, "h")
            await pilot.pause()
            await scan(pilot, "escape")
            await settle(pilot)
            app.push_screen(ReportScreen())
            await settle(pilot)
            await scan(pilot, "h")
            await settle(pilot)
            assert f"受理单已保存到 {folder / f'{NUMBER}.txt'}" in said
        assert sorted(p.name for p in folder.iterdir()) == [f"{NUMBER}.html", f"{NUMBER}.txt", "report-2026-06-15.html"]
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        assert each.tickets_folder == folder
    assert not (tmp_path / "data").exists()


async def test_the_passcode_list_of_the_inspection_prompts_in_the_ui_language(make, store, save_day5):
    """The passcode drop-down (``i``), nothing chosen, says so in Chinese, in English after F4;
    never Textual's own "Select"."""
    from textual.widgets import Select

    from aftersales.tui.screens.outcome import InspectDialog

    save_day5(store)
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        detail = await _open_detail(pilot)
        for key, prompt in ((None, "（未登记，请选择）"), ("f4", "(not recorded: choose)")):
            if key:
                await scan(pilot, key)
                await settle(pilot)
            dialog = await shown_after(pilot, "i", kind=InspectDialog)
            passcode = dialog.query_one("#i-passcode", Select)
            shown = str(passcode.query_one("SelectCurrent #label").render())   # what the clerk sees
            assert passcode.value is Select.NULL and prompt in shown and "Select" not in shown
            await scan(pilot, "escape")
            await settle(pilot)
            assert app.screen is detail


async def test_the_report_screen_in_english_names_states_and_reasons_in_english():
    """F4 on the report: the states by their English labels (not their ids) and each case's reason
    in English (the store's report carries both, ``why`` and ``why_en``)."""
    from aftersales.tui.screens.report import report_text

    case = {"number": "SZ01-20260615-0001", "state": "awaiting_exchange", "state_zh": "待换货", "brand": "apple",
            "model": "iPhone 15", "customer": "李雷", "days_in_repair": 3,
            "why": "待换货（已选换货）", "why_en": "awaiting exchange (exchange chosen)"}
    report = {"follow_ups_today": [], "overdue_answers": [], "overdue_repairs": [], "spare_phones": [],
              "exchanges_waiting": [case], "by_state": [{"state": "awaiting_exchange", "state_zh": "待换货", "count": 1}],
              "by_brand_open": [{"brand": "apple", "count": 1}], "outcomes": {},
              "week_intake": [{"date": "2026-06-15", "count": 1}], "date": "2026-06-15",
              "at": "2026-06-15T10:30:00+08:00", "store": "SZ01"}
    english = report_text(report, "en").plain
    assert "awaiting_exchange" not in english and "待换货" not in english
    assert "awaiting exchange (exchange chosen)" in english and "by state: awaiting exchange 1" in english
    chinese = report_text(report, "zh").plain
    assert "待换货（已选换货）" in chinese
    # as aftersales report prints it: the day and the time first (the screen had no date), the
    # customer masked (the terminal printed the whole name)
    from aftersales.store.reports import render_text

    assert chinese.startswith("店长日报 2026-06-15  SZ01  （截至 10:30）") and "李*" in chinese and "李雷" not in chinese
    assert chinese.rstrip("\n") == render_text(report, str, "zh")


async def test_the_report_says_what_its_chart_shows_in_the_ui_language(make, store, save_day5):
    """The report's chart of the week (a sparkline) has a label beside it: what it counts, the
    days it spans and its top, in Chinese, in English after F4."""
    save_day5(store)
    app = make(store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        report = await shown_after(pilot, "ctrl+r", kind=ReportScreen)
        label, spark = report.query_one("#report-spark-label"), report.query_one("Sparkline")
        assert label.region.y == spark.region.y and label.region.right <= spark.region.x   # beside it
        assert str(label.render()) == "每日受理件数\n06-09 至 06-15\n最多 1 件"
        await scan(pilot, "f4")
        await settle(pilot)
        assert str(report.query_one("#report-spark-label").render()) == "Cases a day\n06-09 to 06-15\nat most 1"


async def test_f2_and_ctrl_q_ask_before_they_throw_away_what_was_typed_in_a_dialog_or_the_case_note(
        make, store, save_day5):
    """F2 (the queue) closes what is open over it and Ctrl+Q ends the counter: when that holds
    what the clerk typed and did not save (the outcome dialog, the inspection dialog, the case's
    note under the follow-up choice), they ask first; no keeps it as it was, yes goes on. A dialog
    left as it opened goes without a question."""
    from aftersales.tui.screens.confirm import ConfirmDialog
    from aftersales.tui.screens.outcome import InspectDialog
    from aftersales.tui.screens.queue import QueueScreen

    save_day5(store)
    app = make()
    async with app.run_test(size=(120, 36)) as pilot:
        detail = await opened_case(pilot, NUMBER)

        async def asks(key: str) -> ConfirmDialog:
            await scan(pilot, key)
            await settle(pilot)
            assert isinstance(app.screen, ConfirmDialog), (key, app.screen)
            return app.screen

        dialog = await shown_after(pilot, "o", kind=OutcomeDialog)
        dialog.query_one("#o-note").value = "客户要求尽快"
        question = await asks("f2")
        assert "尚未保存" in question.question and "队列" in question.question
        await scan(pilot, "n")
        await settle(pilot)
        assert app.screen is dialog and dialog.query_one("#o-note").value == "客户要求尽快"
        await asks("ctrl+q")
        await scan(pilot, "n")
        await settle(pilot)
        assert app.screen is dialog and app.is_running
        await asks("f2")
        await scan(pilot, "f2")          # F2 again over its own question: the question stays
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog) and dialog in app.screen_stack
        await scan(pilot, "y")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen) and len(app.screen_stack) == 1

        detail = await opened_case(pilot, NUMBER)
        await scan(pilot, "o")           # opened and left as it was: F2 goes straight to the queue
        await settle(pilot)
        assert isinstance(app.screen, OutcomeDialog)
        await scan(pilot, "f2")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen) and len(app.screen_stack) == 1

        detail = await opened_case(pilot, NUMBER)
        await scan(pilot, "i")           # the inspection dialog opens with what was recorded
        await settle(pilot)
        inspect = app.screen
        assert isinstance(inspect, InspectDialog)
        inspect.query_one("#i-appearance").value = "后盖轻微划痕"
        await asks("f2")
        await scan(pilot, "n")
        await settle(pilot)
        assert app.screen is inspect
        await asks("escape")             # Esc asks too, the appearance typed: 继续填写 (N) keeps it
        await scan(pilot, "n")
        await settle(pilot)
        assert app.screen is inspect and inspect.query_one("#i-appearance").value == "后盖轻微划痕"
        inspect.query_one("#i-appearance").value = ""
        await scan(pilot, "escape")      # nothing typed: Esc is the clerk's own "back", no question
        await settle(pilot)
        assert app.screen is detail

        detail.query_one("#note").value = "已电话联系客户"   # the note a follow-up or a move records
        await asks("f2")
        await scan(pilot, "n")
        await settle(pilot)
        assert app.screen is detail and detail.query_one("#note").value == "已电话联系客户"
        await scan(pilot, "f")           # two calls due: which one is asked, the note beneath
        await settle(pilot)
        choice = app.screen
        assert type(choice).__name__ == "ChoiceDialog"
        question = await asks("f2")
        assert question is not choice
        await scan(pilot, "n")
        await settle(pilot)
        assert app.screen is choice and detail.query_one("#note").value == "已电话联系客户"


async def test_what_the_case_screens_say_in_chinese_has_chinese_punctuation(store, save_day5, registry, clock):
    """The decision panel (with its citations), the case and its timeline, the outcome and the
    unit's history, the manager's report and every policy as a clerk reads it: no ASCII colon,
    comma or bracket in their Chinese; the English keeps its own."""
    from pathlib import Path

    import yaml
    from test_chinese_punctuation import ascii_in_chinese

    from aftersales.tui.screens.detail import case_text, timeline_text
    from aftersales.tui.screens.outcome import outcome_text
    from aftersales.tui.screens.policies import policy_text
    from aftersales.tui.screens.report import report_text
    from aftersales.tui.widgets.decision_panel import render_decision

    number = save_day5(store)
    now = clock()
    store.record_intake(number, {"accessories": "充电线、卡针", "appearance": "后盖轻微划痕"}, actor="王芳", now=now)
    store.choose_remedy(number, "paid_repair", actor="店长", now=now, override="老客户")   # not offered
    store.record_outcome(number, "exchange", {"imei": "490154203237518", "serial": "F2LX1234ABCD",
                                              "certificate": "SB-0002"}, actor="王芳", now=now)
    view = store.get(number, now=now)
    for lang in ("zh", "en"):
        said = [render_decision(view["decisions"][-1]["decision"], lang, citations=True).plain,
                case_text(view, lang, "苹果").plain, timeline_text(view, lang).plain, outcome_text(view, lang).plain,
                report_text(store.report(now=now, store="SZ01"), lang).plain]
        said += [policy_text(yaml.safe_load(Path(p.source).read_text(encoding="utf-8")), registry, lang).plain
                 for p in registry.all_policies()]
        text = "\n".join(said)
        if lang == "zh":
            from aftersales.store.reports import render_html

            text += "\n" + render_html(store.report(now=now, store="SZ01"))   # the report's page is Chinese
            assert "适用品牌：" in text and "随机附件：" in text and "（店长特批：老客户）" in text
            assert ascii_in_chinese(text) == [], ascii_in_chinese(text)
        else:
            assert not re.search(r"^\s*[A-Za-z][A-Za-z -]*[：（]|\d[：，（]|\)（", text, re.M), text


async def test_a_return_offered_only_as_the_refund_in_place_of_an_exchange_is_offered_as_that_refund(registry):
    """Day 15, the return past its window, the exchange offered with a refund in its place: the
    outcome drop-down offers that refund as 退款（不换机）, not as a return; on day 5 a return."""
    from datetime import date

    from aftersales.tui.form import FormState
    from aftersales.tui.screens.outcome import remedy_options

    today = date(2026, 6, 15)

    def decided(bought: str) -> dict:
        case = {"brand": "huawei", "device": {"model": "nova 12", "imei": "356938035643809"},
                "purchase": {"date": bought, "channel": "authorized_reseller", "price": 3000},
                "documents": ["invoice", "sanbao_certificate"], "fault": {"confirmed": True}}
        mapping = FormState.from_case(case, today).build("zh")
        return registry.evaluate(registry.parse_case(mapping, today=today)).to_dict()

    day15 = decided("2026-06-01")
    assert [(r["remedy"], r["available"]) for r in day15["remedies"]][:2] == [("return", False), ("exchange", True)]
    assert remedy_options(day15, "zh")[:2] == [("退款（不换机） ✔ 判定可办理", "return"), ("换货 ✔ 判定可办理", "exchange")]
    assert remedy_options(day15, "en")[0] == ("Refund (no exchange) ✔ offered", "return")
    assert remedy_options(decided("2026-06-10"), "zh")[0] == ("退货 ✔ 判定可办理", "return")
    # the dialog opens on what the badge said (换货), not on the refund listed first; on what the
    # customer chose once they chose
    from aftersales.tui.screens.outcome import opening_remedy

    assert day15["entitlement"] == "exchange" and opening_remedy({}, day15) == "exchange"
    assert opening_remedy({"remedy": "return"}, day15) == "return"
    assert opening_remedy({}, decided("2026-06-10")) == "return"


async def test_enter_on_the_outcome_list_moves_on_so_a_scanned_replacement_lands_in_its_fields(make, store, save_day5):
    """The outcome chosen with Enter, then the replacement's IMEI and serial sent at once: the
    focus stayed on the list, the IMEI went nowhere and every value after it landed one field off."""
    save_day5(store)
    app = make()
    async with app.run_test(size=(120, 36)) as pilot:
        await _open_detail(pilot)
        dialog = await shown_after(pilot, "o", kind=OutcomeDialog)
        assert dialog.kind == "return"
        await scan(pilot, "enter", "down", "enter", *"861111222233333", "tab", *"HWNEW0001")
        assert dialog.kind == "exchange"
        assert dialog.query_one("#o-imei").value == "861111222233333"
        assert dialog.query_one("#o-serial").value == "HWNEW0001"


async def test_text_typed_on_the_outcome_list_goes_into_its_first_field_with_the_keys_behind_it(make, store, save_day5):
    """The dialog opens on the list (the remedy chosen already); what is typed at once is the
    first field's (the refund, the repair done), and Tab goes on from there. It was lost."""
    save_day5(store)
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_detail(pilot)
        dialog = await shown_after(pilot, "o", kind=OutcomeDialog)
        assert dialog.kind == "return" and app.focused.id == "o-kind"
        await scan(pilot, *"4999", "tab", *"5499")
        assert dialog.query_one("#o-refund").value == "4999"
        assert dialog.query_one("#o-invoice_price").value == "5499"
        assert dialog.kind == "return"


async def test_a_refund_below_the_invoice_price_asks_for_the_managers_reason_here(make, store, save_day5):
    """A full return refunded in part (扣折旧 within 7 days) was recorded without a word: the store
    refuses it, and the dialog shows the manager's reason's row, focused, and saves with it."""
    save_day5(store)
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_detail(pilot)
        dialog = await shown_after(pilot, "o", kind=OutcomeDialog)
        assert dialog.kind == "return" and not dialog.query_one("#row-override").display
        await scan(pilot, *"1000", "tab", *"2999", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, OutcomeDialog)
        said = dialog.query_one("#o-error").content.text.plain
        assert "退款少于发票金额" in said and "店长特批原因" in said and "--override" not in said, said
        assert dialog.query_one("#row-override").display and app.focused.id == "o-override"
        await scan(pilot, *"赠品未退回，店长同意", "ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, OutcomeDialog)
    saved = store.get(NUMBER)
    assert saved["outcome"]["refund"] == 1000
    assert [e for e in saved["events"] if e["kind"] == "outcome"][-1]["data"]["below_invoice"] == "赠品未退回，店长同意"


async def test_the_remedy_the_customer_chose_is_recorded_on_the_case_screen_and_meets_the_48_hours(
        make, store, save_day5):
    """It was recorded only from the command line: every repair under way was flagged 超时无方案.
    r offers the remedies the decision gives (1, 2...), with the note typed; the solution is met."""
    from aftersales.tui.screens.confirm import ChoiceDialog

    save_day5(store)
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        detail = await _open_detail(pilot)
        detail.query_one("#note").value = "客户要同型号新机"
        choice = await shown_after(pilot, "r", kind=ChoiceDialog)
        assert [value for value, _label in choice.choices] == ["return", "exchange", "repair"]   # day 5
        await settle(pilot)
        # three choices and 取消 (Esc) in the row, at 80 columns (取消 was cut off past the edge)
        row = choice.query_one(".dialog-buttons").content_region
        assert choice.query_one("#choice-cancel").region.right <= row.right
        await scan(pilot, "2")
        await settle(pilot)
        assert app.screen is detail and detail.view["remedy"] == "exchange"
    saved = store.get(NUMBER)
    chosen = [e for e in saved["events"] if e["kind"] == "remedy"]
    assert chosen and chosen[-1]["data"]["remedy"] == "exchange" and chosen[-1]["note"] == "客户要同型号新机"
    assert saved["service_level"]["solved_at"] is not None


async def test_a_spare_phone_lent_is_recorded_on_the_case_screen(make, store, save_day5):
    """b records the spare phone lent, with the note (which phone): the notice that one is owed
    is met, on the case screen and in the report (nothing recorded it)."""
    save_day5(store)
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        detail = await _open_detail(pilot)
        detail.query_one("#note").value = "备用机 iPhone 11 白"
        app.set_focus(None)
        await scan(pilot, "b")
        await settle(pilot)
        assert any(e["kind"] == "spare_phone" for e in detail.view["events"])
        assert detail.query_one("#note").value == ""
    (lent,) = [e for e in store.get(NUMBER)["events"] if e["kind"] == "spare_phone"]
    assert lent["note"] == "备用机 iPhone 11 白"


async def test_esc_on_a_case_with_a_note_typed_asks_before_it_drops_the_note(make, store, save_day5):
    """The case's note goes with a move or a follow-up: Esc back to the list asked nothing and
    the note was gone. Now it asks; no keeps the note, yes goes back."""
    from aftersales.tui.screens.confirm import ConfirmDialog
    from aftersales.tui.screens.queue import QueueScreen

    save_day5(store)
    app = make()
    async with app.run_test(size=(120, 36)) as pilot:
        detail = await opened_case(pilot, NUMBER)
        detail.query_one("#note").value = "客户要求保留数据"
        await scan(pilot, "escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog) and "备注尚未记录" in app.screen.question
        await pilot.pause(ConfirmDialog.GUARD_SECONDS + 0.1)
        await scan(pilot, "n")
        await settle(pilot)
        assert app.screen is detail and detail.query_one("#note").value == "客户要求保留数据"
        await scan(pilot, "escape")
        await settle(pilot)
        await pilot.pause(ConfirmDialog.GUARD_SECONDS + 0.1)
        await scan(pilot, "y")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        detail = await opened_case(pilot, NUMBER)
        await scan(pilot, "escape")        # nothing typed: back at once
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)


async def test_a_replacement_imei_typed_into_the_serial_is_said_and_a_bad_one_checked_as_typed(make, store, save_day5):
    """Enter chooses 换货 and moves on to 新机 IMEI; a clerk's Tab after it put the scanned IMEI
    in the serial's field. The dialog says so as it is typed, and checks an IMEI as the intake
    form does, before Ctrl+S."""
    from textual.widgets import Select

    save_day5(store)
    app = make()
    async with app.run_test(size=(120, 36)) as pilot:
        await opened_case(pilot, NUMBER)
        dialog = await shown_after(pilot, "o", kind=OutcomeDialog)
        dialog.query_one("#o-kind", Select).value = "exchange"
        await settle(pilot)
        await type_into(pilot, "#o-serial", "356938035643817")
        await settle(pilot)
        def said() -> str:
            content = dialog.query_one("#o-error").content
            return content.text.plain if hasattr(content, "text") else str(content)

        assert "356938035643817 像是 IMEI：请填在「新机 IMEI」一栏" in said(), said()
        dialog.query_one("#o-serial").value = ""
        dialog.query_one("#o-imei").focus()
        await scan(pilot, "356938035643808")       # a check digit off by one
        await settle(pilot)
        assert "新机 IMEI：IMEI 校验位不符" in said(), said()
        dialog.query_one("#o-imei").value = ""
        await scan(pilot, "356938035643817")
        await settle(pilot)
        assert said().strip() == ""
