"""Intake: the decision panel follows every change; bad input is shown, kept, and blocks Save."""

from __future__ import annotations

import re

import pytest
from helpers_tui import (
    choose,
    fill_day5_case,
    load_day5_case,
    note_text,
    ready,
    ready_at,
    scan,
    settle,
    shown_lines,
    tick,
    tick_item,
    type_into,
)
from textual.widgets import Button, Static

from aftersales.tui.widgets.decision_panel import DecisionPanel

pytestmark = pytest.mark.asyncio


def panel(app) -> DecisionPanel:
    return app.screen.query_one(DecisionPanel)


def available(app) -> list[str]:
    return [r["remedy"] for r in panel(app).decision["remedies"] if r["available"]]


async def test_the_panel_follows_the_conditions_the_papers_and_the_citations(make):
    """Day 5, fault confirmed, papers complete: a return. Liquid damage makes it a paid repair
    (and unticked, a return again); the invoice unticked is the missing paper; the fault not
    confirmed either, the papers are asked for first; the citations shown on demand; the
    invoice price and the stock give the refund line. (One form, each change undone before the
    next, or made in the order that gives the state it needs.)"""
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await load_day5_case(pilot, customer=False)
        assert panel(app).entitlement == "return"
        assert available(app) == ["return", "exchange", "repair"]
        text = panel(app).body_text()
        assert "退货" in text and "缺少" not in text and "第十一条" not in text

        # the citations on demand (Ctrl+O), and off again
        await scan(pilot, "ctrl+o")
        text = panel(app).body_text()
        assert "[退货] 《移动电话机商品修理更换退货责任规定》第十一条" in text
        assert "依据 移动电话机商品三包规定\n" in text and "generic_sanbao" not in text
        assert "政策版本：移动电话机商品三包规定（法定底线） 2001.1" in text
        await scan(pilot, "ctrl+o")
        assert "第十一条" not in panel(app).body_text()

        # liquid damage: a paid repair only; unticked, a return again
        await tick_item(pilot, "#conds", "liquid_damage")
        assert panel(app).entitlement == "paid_repair"
        assert available(app) == ["paid_repair"]
        assert "付费维修" in panel(app).body_text()
        await tick_item(pilot, "#conds", "liquid_damage", False)
        assert panel(app).entitlement == "return"

        # the invoice unticked: the return is not available, the invoice is the missing paper
        await tick_item(pilot, "#docs", "invoice", False)
        ret = next(r for r in panel(app).decision["remedies"] if r["remedy"] == "return")
        assert not ret["available"]
        assert "invoice" in ret["missing_documents"]
        text = panel(app).body_text()
        assert "缺少" in text and "购机发票" in text

        # and the fault not confirmed: the papers are asked for before the fault is confirmed
        await tick(pilot, "#f-fault-confirmed", False)
        await settle(pilot)
        text = panel(app).body_text()
        assert "检测确认后可换货" in text and "还需" in text and "购机发票" in text

        # both put back: bought 9 days before, the invoice price and the stock give the refund line
        await tick(pilot, "#f-fault-confirmed")
        await tick_item(pilot, "#docs", "invoice")
        assert available(app) == ["return", "exchange", "repair"]
        date = app.screen.query_one("#f-purchase-date")
        date.value = ""
        await type_into(pilot, "#f-purchase-date", "2026-06-06")
        await type_into(pilot, "#f-purchase-price", "3000")
        await choose(pilot, "#f-stock-same_model", "true")
        await settle(pilot)
        exchange = next(r for r in panel(app).decision["remedies"] if r["remedy"] == "exchange")
        assert exchange["refund_instead"]["amount"] == 2865.0
        assert "不换机可退款 ¥2,865.00（按每日 0.5% 折旧）" in panel(app).body_text()
        await choose(pilot, "#f-stock-same_model", "false")
        await settle(pilot)
        assert "不换机可退款 ¥3,000.00（无同型号同规格机器，全额退款）" in panel(app).body_text()


async def test_what_was_typed_is_checked_beside_each_field_in_chinese_first_and_kept_in_english(make):
    """One form, each field put back before the next is edited: a note line stays while its
    field is edited; F4 switches to English keeping what was typed; an IMEI is checked as typed
    and blocks Save until valid; a date after the case date is said beside the field."""
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await load_day5_case(pilot)
        screen = app.screen

        # the note line stays while the field is edited (blank, still there: no jump)
        note = screen.query_one("#e-purchase-date", Static)
        await type_into(pilot, "#f-purchase-date", "x")
        await pilot.pause()
        assert note.display and note_text(note)
        await scan(pilot, "backspace")
        await pilot.pause()
        assert note.display and not note_text(note).strip()
        screen.query_one("#f-customer-name").focus()
        await pilot.pause()
        assert not note.display
        screen.query_one("#f-purchase-date").value = "2026-06-10"     # put back
        await pilot.pause()
        assert panel(app).entitlement == "return" and not screen.query_one("#save", Button).disabled

        # English by key keeps what was typed; F4 again, Chinese again
        await scan(pilot, "f4")
        await pilot.pause()
        assert app.lang == "en"
        assert "RETURN" in panel(app).body_text()
        assert screen.query_one("#f-device-model").value == "Redmi Note 13"
        footer_keys = {b.binding.description for b in screen.active_bindings.values()}
        from aftersales.tui import compat

        # the keys' labels follow the language where Textual's bindings can be relabelled
        assert ("Save" if compat.ENABLED else "保存") in footer_keys
        await scan(pilot, "f4")
        await pilot.pause()
        assert app.lang == "zh"

        # the IMEI is checked as typed and blocks Save until valid
        imei = screen.query_one("#f-device-imei")
        imei.value = ""
        await type_into(pilot, "#f-device-imei", "35693803564380")
        await pilot.pause()
        error = screen.query_one("#e-device-imei", Static)
        assert "14" in note_text(error)
        assert screen.query_one("#save", Button).disabled
        await scan(pilot, "9")
        await pilot.pause()
        assert "✓" in note_text(error)
        assert not screen.query_one("#save", Button).disabled
        # a wrong check digit: message beside the field, what was typed stays
        await scan(pilot, "backspace", "1")
        await pilot.pause()
        assert imei.value == "356938035643801"
        assert "校验位" in note_text(error)
        assert screen.query_one("#save", Button).disabled
        # the decision still forms from the other fields
        assert panel(app).entitlement == "return"
        imei.value = "356938035643809"                                   # put back
        await pilot.pause()
        assert not screen.query_one("#save", Button).disabled

        # a date after the case date is shown beside the field, Chinese first
        screen.query_one("#f-purchase-date").value = ""
        await type_into(pilot, "#f-purchase-date", "2026-07-01")
        await pilot.pause()
        note = screen.query_one("#e-purchase-date", Static)
        assert "2026-07-01 晚于受理日期 2026-06-15" in note_text(note)
        assert screen.query_one("#save", Button).disabled
        assert screen.query_one("#f-purchase-date").value == "2026-07-01"
        await scan(pilot, "f4")
        await pilot.pause()
        assert "2026-07-01 is after the case date 2026-06-15" in note_text(screen.query_one("#e-purchase-date", Static))


async def test_region_is_derived_from_the_part_number_and_can_be_overridden(make):
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await choose(pilot, "#f-brand", "apple")
        await type_into(pilot, "#f-device-model", "iPhone 15")
        await type_into(pilot, "#f-device-part_number", "MTLE3ZA/A")
        await pilot.pause()
        assert panel(app).decision["region"] == "HK"
        assert "港版" in note_text(app.screen.query_one("#e-device-region", Static))
        await choose(pilot, "#f-device-region", "CN")
        assert panel(app).decision["region"] == "CN"


async def test_lang_en_option(make):
    app = make(lang="en")
    async with app.run_test(size=(120, 40)) as pilot:
        await load_day5_case(pilot, customer=False)
        assert "RETURN" in panel(app).body_text()


async def test_a_plugin_error_shows_in_the_panel_not_as_a_traceback(make, tmp_path):
    from aftersales.core.hookspecs import hookimpl
    from aftersales.core.plugininfo import failure_line
    from aftersales.core.registry import load_registry

    class Broken:
        @hookimpl
        def aftersales_identify_device(self, case):
            raise RuntimeError("boom in identify")

    registry = load_registry(extra=[("broken", Broken())])
    app = make(registry=registry)
    async with app.run_test(size=(120, 40)) as pilot:
        await load_day5_case(pilot, customer=False)
        text = panel(app).body_text()
        # said in Chinese (what the plugin was asked, what the decision did), no English exception text
        assert "插件 broken 在识别机器的销售地区时出错，本判定没有采用它的这一答复" in text
        assert "boom" not in text and "aftersales_identify_device" not in text
        assert panel(app).decision is not None
        failure = panel(app).decision["plugin_errors"][0]
        assert failure["error"] == "RuntimeError: boom in identify"   # kept for the network's IT, and in English:
        assert failure_line(failure["plugin"], failure["hook"], failure["error"], "en") == \
            "plugin broken failed in aftersales_identify_device: RuntimeError: boom in identify"


async def test_usable_at_80x24(make):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await fill_day5_case(pilot)
        assert panel(app).entitlement == "return"
        await scan(pilot, "ctrl+s")
        await settle(pilot)
        assert app.screen.saved_number


async def test_a_used_service_plan_claim_ends_its_free_repair(make):
    """Huawei screen cover repairs a broken screen once: with one claim used, the repair is paid."""
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await load_day5_case(pilot, customer=False)
        await choose(pilot, "#f-brand", "huawei")
        await type_into(pilot, "#f-device-model_code", "BRA-AL00")
        await choose(pilot, "#f-fault-part", "screen")
        await tick_item(pilot, "#conds", "physical_damage")
        await tick_item(pilot, "#plans", "huawei_screen_cover")
        repair = next(r for r in panel(app).decision["remedies"] if r["remedy"] == "repair")
        assert repair["available"] and repair["basis"] == "extended"

        await type_into(pilot, "#f-history-plan_claims-huawei_screen_cover", "1")
        assert available(app) == ["paid_repair"]
        assert app.screen.form.build()["history"]["plan_claims"] == {"huawei_screen_cover": 1}


async def test_a_note_row_is_as_tall_as_its_note_whatever_was_shown_before(make):
    """A note spans the label and field columns; its row must be the note's height at that width,
    even after a longer note was shown and a layout pass ran (no blank line left under it)."""
    app = make()
    async with app.run_test(size=(100, 32)) as pilot:   # the field column narrower than the long note
        await load_day5_case(pilot)
        screen = app.screen
        imei = screen.query_one("#f-device-imei")
        imei.value = ""
        await type_into(pilot, "#f-device-imei", "35693803564380")   # the longer note: "… 已输入 14 位"
        screen.refresh(layout=True)
        await pilot.pause()
        await scan(pilot, "9")                                          # "✓ IMEI 校验通过"
        await pilot.pause()
        note = screen.query_one("#e-device-imei", Static)
        assert "✓" in note_text(note)
        for _ in range(2):
            assert note.region.height == 1
            assert screen.query_one("#f-device-serial").region.y == note.region.y + 1
            screen.refresh(layout=True)                                 # and after any later layout
            await pilot.pause()


async def test_at_80x24_a_notice_is_one_toast_above_the_save_line_its_words_and_numbers_whole(make):
    """A new notice replaces the one shown (three stacked covered the panel at 80x24); it stands
    above the save line, not over it; its text breaks where Chinese breaks, never inside a case
    number or between two characters of a word; an error stays, and the notices after it join
    it for its time; the labels of the repair history break between words (同一故障已保修 | 次数)."""
    from rich.cells import cell_len
    from textual.widgets import Static as Label

    from aftersales.tui.i18n import t

    app = make()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)

        async def toasts() -> list[str]:
            for _ in range(50):
                await pilot.pause()
                shown = list(app.screen.query("Toast"))
                if shown and all(toast.region.height for toast in shown):
                    break
            return [str(toast.render()) for toast in app.screen.query("Toast")]

        app.notify("已保存，案例编号 SZ01-20260615-0001")
        app.notify("SZ01-20260615-0001 → 检测")
        app.notify("送修超过7日未修好，应免费提供备用机；已记录回访，客户和维修站都已联系，案例编号 SZ01-20260615-0001")
        shown = await toasts()
        assert len(shown) == 1, shown
        lines = shown[0].split("\n")
        assert "SZ01-20260615-0001" in lines, lines                 # the number on a line whole
        assert lines[0].endswith("；") or lines[0].endswith("，") or cell_len(lines[0]) <= 29, lines
        toast = app.screen.query_one("Toast")
        assert toast.region.bottom <= app.screen.query_one("#save-bar").region.y
        # each line as wrapped for the toast's own width, at 80 and at 120 columns (wrapped one
        # cell too wide, Textual folded it again: 重新计 | 算, （1 | 处改动）)
        corrected = "已更正 SZ01-20260615-0001（1 处改动），已重新判定"
        replacement = ("请注意：\n设备：本机为 SZ01-20260615-0001 换货所换新机（2026-06-15），"
                       "三包有效期自换货之日起重新计算（第二十一条）")
        for size in ((80, 24), (120, 36)):
            await pilot.resize_terminal(*size)
            await pilot.pause()
            for message in (corrected, replacement):
                app.notify(message)
                lines = (await toasts())[-1].split("\n")
                toast = app.screen.query("Toast").last()
                assert all(cell_len(line) <= toast.content_size.width for line in lines), (size, lines)
                drawn = [line.replace(" ", "") for line in lines]
                assert "".join(drawn) == message.replace("\n", "").replace(" ", ""), (size, drawn)   # none folded again
                assert not [line for line in drawn[1:] if cell_len(line) <= 2], (size, drawn)
                assert message != corrected or any("（1处改动）" in line for line in drawn), (size, drawn)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        app.notify("保存失败：数据库不可用", severity="error", timeout=30)
        app.notify("界面语言：中文")
        assert len(await toasts()) == 2
        # the repair history's labels, at 80 columns
        await scan(pilot, "f11")
        await settle(pilot)
        for path, lines in (("history.warranty_repairs_for_fault", ["同一故障已保修", "次数"]),
                            ("history.current_repair_days", ["本次修理已用", "天数"]),
                            ("history.plan_claims.huawei_extended_warranty", ["华为延长服务宝", "已用次数"])):
            field = app.screen.query_one(f"#f-{path.replace('.', '-')}")
            grid = field.parent                 # the section draws its fields' labels (FormGrid)
            drawn = [line.plain.rstrip() for line in grid.labels[field.id]]
            assert drawn == lines, (path, drawn)
            # on screen, beside the field and on the line under it
            rows = [app.screen.get_widget_at(1, field.region.y + n)[0] for n in range(2)]
            assert all(row is grid for row in rows), rows
        # a question too: broken after "，", not inside 恢复
        from aftersales.tui.screens.confirm import ConfirmDialog

        app.push_screen(ConfirmDialog(t("unsaved.quit", "zh"), t("unsaved.quit_yes", "zh")))
        await settle(pilot)
        question = app.screen.query_one(".dialog-title", Label)
        drawn = [line.text.rstrip() for line in question.render_lines(question.region.reset_offset)]
        assert drawn[:2] == ["本次受理尚未保存。仍要退出吗？（草稿会保留，", "下次启动时可恢复）"], drawn


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
async def test_a_note_line_never_begins_with_a_closing_mark(make, monkeypatch, size):
    """A field's note is broken as Chinese is set (``wrap_line``, as the panel, the toasts and the
    dialogs are): no line of it begins with "、", "，", "）" and the like. The region field's list
    of what there is to choose, after a word that begins none of it, began a line with "、" at 120
    columns."""
    from aftersales.tui.screens import base

    now = [1000.0]       # the list's clock: a pause between two words is a step of it, not a wait
    monkeypatch.setattr(base, "monotonic", lambda: now[0])
    app = make()
    async with app.run_test(size=size) as pilot:
        screen = app.screen
        note = None
        for typed in ("d", "dd", "ddd", "dddd", "ddddd", "dddddd"):      # the list a cell further each time
            await ready_at(pilot, "#f-device-region")
            now[0] += 1.1
            await scan(pilot, typed)
            note = screen.query_one("#e-device-region", Static)
            assert f"“{typed}”" in note_text(note)
            lines = [line.strip() for line in shown_lines(note) if line.strip()]
            assert len(lines) > 1, lines                                   # (the note is broken)
            assert not [line for line in lines if line[0] in "、，。：；）」』】！？"], lines
            assert "".join(lines) == note_text(note).replace(" ", "")      # every character kept


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_at_80x24_every_paper_condition_and_check_box_label_is_whole(make, lang):
    """At 80x24 a tick's label longer than the list is wide goes on under it, broken as Chinese is
    set, not cut (电子三包凭证（电子保 …; Fault confirmed by tes): every label of the papers, the
    conditions, the plans and the check boxes is drawn whole."""
    from aftersales.tui import compat
    from aftersales.tui.form import BY_WIDGET
    from aftersales.tui.i18n import field_label, vocab
    from aftersales.tui.screens.intake import TICK_LISTS
    from aftersales.tui.widgets.ticks import TickBox

    app = make(lang=lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        screen = app.screen
        wrapped = 0
        # (the tick lists wrap with Textual's internals: ``compat.WrappedTicks``)
        for list_id, kind, _ in TICK_LISTS.values() if compat.ENABLED else ():
            ticks = screen.query_one(f"#{list_id}")
            lines = [line.strip() for line in shown_lines(ticks) if line.strip()]
            assert not [line for line in lines if "…" in line], lines
            shown = "".join(re.sub("▐.▌", "", line) for line in lines).replace(" ", "")   # the box, ticked or not
            for index in range(ticks.option_count):
                value = ticks.get_option_at_index(index).value
                assert vocab(kind, value, lang).replace(" ", "") in shown, (value, lines)
            wrapped += len(lines) > ticks.option_count
        assert wrapped or not compat.ENABLED                # (a label took two lines)
        for box in screen.query(TickBox):
            label = field_label(BY_WIDGET[box.id].path, lang)
            text = re.sub("▐.▌", "", " ".join(line.strip() for line in shown_lines(box))).split()
            assert " ".join(text) == label, (text, label)
            assert box.region.right <= box.parent.content_region.right, (label, box.region)   # in the form


async def test_the_same_error_said_twice_while_shown_is_one_toast(make):
    """A quarantined plugin is said as the plugins' policies load and again as the store's bundle
    comes: two identical toasts were stacked. A different error still joins it."""
    app = make()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await ready(pilot)
        app.notify("插件 'xiaomi' 已隔离", severity="error", timeout=30)
        app.notify("插件 'xiaomi' 已隔离", severity="error", timeout=30)
        await pilot.pause()
        shown = [str(t.render()) for t in app.screen.query("Toast")]
        assert sum("已隔离" in s for s in shown) == 1, shown
        app.notify("保存失败", severity="error", timeout=30)
        await pilot.pause()
        assert len(app.screen.query("Toast")) == 2


@pytest.mark.parametrize("typed, zh, en", [
    ("2025-02-30", "2025 年 2 月没有 30 日", "2025-02 has no day 30"),
    ("2023-02-29", "2023 年 2 月没有 29 日", "2023-02 has no day 29"),
    ("2025-13-01", "没有 13 月这个月份", "there is no month 13"),
    ("2025-0230", "日期格式应为 YYYY-MM-DD", "a date is YYYY-MM-DD"),
])
async def test_a_date_written_right_that_is_no_day_is_said_so_not_called_a_format_error(typed, zh, en):
    from aftersales.tui.form import BY_PATH, check_field

    f = BY_PATH["purchase.date"]
    assert check_field(f, typed, "zh") == zh and check_field(f, typed, "en") == en
    assert check_field(f, "2024-02-29", "zh") is None and check_field(f, "2024年2月29日", "zh") is None


async def test_tab_into_the_fault_description_keeps_what_is_written(make):
    """A key typed as Tab reaches the description (a stray Space from a list of ticks above)
    goes after its text: the description is prose, not a number selected for the next scan."""
    from helpers_tui import ready_at, scan, settle, type_into

    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready_at(pilot, "#f-device-imei")
        await type_into(pilot, "#f-fault-description", "无法充电")
        await type_into(pilot, "#f-device-imei", "356938035643809")   # a number field: the next scan replaces it
        app.screen.query_one("#f-fault-description").focus()
        await settle(pilot)
        await scan(pilot, " ", "x")
        await settle(pilot)
        assert app.screen.query_one("#f-fault-description").value == "无法充电 x"
        app.screen.query_one("#f-device-imei").focus()
        await settle(pilot)
        await scan(pilot, "490154203237518")
        await settle(pilot)
        assert app.screen.query_one("#f-device-imei").value == "490154203237518"


async def test_another_brands_service_plan_ticked_is_said_in_the_panel(make):
    """AppleCare+ ticked for a Huawei phone: no Huawei term reads it, and it would print on the
    customer's ticket. The panel says so (a Huawei plan for it is not)."""
    from helpers_tui import DAY5_CASE, ready, settle

    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        intake = app.screen
        huawei = {**DAY5_CASE, "brand": "huawei", "device": {"model": "Mate 60", "model_code": "ALN-AL00"}}
        intake.fill({**huawei, "coverage_plans": ["applecare_plus", "huawei_extended_warranty"]}, name="李雷")
        await settle(pilot)
        text = intake.query_one("#panel").body_text()
        assert "AppleCare+不是华为的服务计划：判定不计，请取消勾选" in text and "华为延长服务宝不是" not in text
        intake.fill({**huawei, "coverage_plans": ["huawei_extended_warranty"]}, name="李雷")
        await settle(pilot)
        assert "服务计划：判定不计" not in intake.query_one("#panel").body_text()
