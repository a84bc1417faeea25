"""The mail-in agreement and the repair kind on the counter UI (Ctrl+T): checked as the CLI's
``cases new --mail-in`` checks it, stored with the case."""

from __future__ import annotations

import pytest
from helpers_tui import load_day5_case, scan, settle, shown_after
from textual.widgets import Checkbox, Select

from aftersales.tui.screens.base import FormInput
from aftersales.tui.screens.mailin import MailInDialog

pytestmark = pytest.mark.asyncio

NUMBER = "SZ01-20260615-0001"


def _type(dialog: MailInDialog, name: str, text: str) -> None:
    dialog.query_one(f"#m-{name}", FormInput).value = text


async def test_a_mail_in_case_with_a_complex_repair_is_stored_with_its_agreement(make, store):
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await load_day5_case(pilot)
        dialog = await shown_after(pilot, "ctrl+t", kind=MailInDialog)
        dialog.query_one("#m-repair_kind", Select).value = "complex"
        dialog.query_one("#m-mail_in", Checkbox).value = True
        _type(dialog, "courier", "顺丰速运")
        _type(dialog, "carrier", "顺丰速运")
        _type(dialog, "return_address", "深圳市南山区科技园 1 号")
        _type(dialog, "return_postcode", "51800")          # five digits: refused, the dialog stays
        dialog.query_one("#m-original_packaging", Checkbox).value = True
        dialog.query_one("#m-data_backup_acknowledged", Checkbox).value = True
        await scan(pilot, "ctrl+s")
        await settle(pilot)
        assert app.screen is dialog
        assert "返回邮政编码：'51800' 不是邮政编码" in dialog.query_one("#m-error").content.text.plain
        _type(dialog, "return_postcode", "518000")
        await scan(pilot, "ctrl+s")
        await settle(pilot)
        assert app.screen is dialog
        assert "返回联系电话" in dialog.query_one("#m-error").content.text.plain
        _type(dialog, "return_phone", "13800138000")
        await scan(pilot, "ctrl+s")
        await settle(pilot)
        assert app.screen is not dialog
        await scan(pilot, "ctrl+s")
        await settle(pilot)
        assert app.screen.saved_number == NUMBER
    view = store.get(NUMBER)
    assert view["mail_in"] and view["repair"]["kind"] == "complex"
    assert view["mail_in_record"]["courier"] == "顺丰速运"
    assert view["mail_in_record"]["return_postcode"] == "518000"
    # the case screen says it is a mail-in case, and how the unit goes back (only the ticket said it)
    from aftersales.tui.screens.detail import case_text

    head = case_text(view, "zh", "华为").plain
    assert "服务方式：寄修；寄来快递：顺丰速运；送还：邮寄寄回" in head, head
    assert "服务方式" not in case_text({**view, "mail_in": False}, "zh", "华为").plain


async def test_a_counter_case_keeps_no_agreement_and_ctrl_n_forgets_the_choice(make, store):
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await load_day5_case(pilot)
        await scan(pilot, "ctrl+t")
        await settle(pilot)
        app.screen.query_one("#m-repair_kind", Select).value = "complex"
        await scan(pilot, "ctrl+s")
        await settle(pilot)
        intake = app.screen
        assert (intake.mail_in, intake.repair_kind) == (None, "complex")
        await scan(pilot, "ctrl+s")
        await settle(pilot)
        await scan(pilot, "ctrl+n")
        await settle(pilot)
        assert (intake.mail_in, intake.repair_kind) == (None, "simple")
    view = store.get(NUMBER)
    assert not view["mail_in"] and view["repair"]["kind"] == "complex"
