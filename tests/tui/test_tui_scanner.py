"""Keys sent with no pause between them (a barcode scanner, a fast typist) are handled in order:
a focus move (Tab, Enter, a field that is complete) takes effect before the next key."""

from __future__ import annotations

import pytest
from helpers_tui import note_text, ready_at, scan

pytestmark = pytest.mark.asyncio

DEVICE = ("device.model", "device.part_number", "device.model_code", "device.imei", "device.serial",
          "device.production_date", "device.battery_health")


def values(app, paths=DEVICE) -> dict[str, str]:
    form = app.screen.form.values
    return {p: form[p] for p in paths}


async def test_scanned_values_each_land_in_their_own_field(make):
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready_at(pilot, "#f-device-model")
        # model, part number, model code, (region: a list, passed with Tab), IMEI, serial, dates...
        await scan(pilot, "iPhone 15", "tab", "MTLE3CH/A", "tab", "A3092", "tab", "tab", "356938035643809", "tab",
                   "F2LXK0ABCD", "tab", "2025-08-01", "tab", "95")
        assert values(app) == {"device.model": "iPhone 15", "device.part_number": "MTLE3CH/A",
                               "device.model_code": "A3092", "device.imei": "356938035643809",
                               "device.serial": "F2LXK0ABCD", "device.production_date": "2025-08-01",
                               "device.battery_health": "95"}
        assert app.focused.id == "f-device-battery_health"


async def test_enter_moves_to_the_next_field_and_a_backspace_deletes_the_character_before_it(make):
    """Enter moves to the next field before the next key; a Backspace among fast characters
    deletes the one typed before it (in a field the Enters did not reach)."""
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready_at(pilot, "#f-device-model")
        await scan(pilot, "Mate 60", "enter", "BRA-AL00X", "enter", "BRA-AL00", "enter")
        assert values(app, DEVICE[:3]) == {"device.model": "Mate 60", "device.part_number": "BRA-AL00X",
                                           "device.model_code": "BRA-AL00"}
        assert app.focused.id == "f-device-region"
        await ready_at(pilot, "#f-device-serial")
        await scan(pilot, "F2LX", "backspace", "K0", "backspace", "backspace", "ABC")
        assert app.screen.form.values["device.serial"] == "F2LABC"


async def test_an_intake_typed_with_enter_between_fields_lands_each_value_in_its_field(make):
    """Enter moves on from a drop-down (what was typed on it chosen, the list left closed), a
    check box and a tick list as from a field: typed with Enter between the fields, an intake
    fills each field in turn (the IMEI was typed into the region's list, the date into 生产日期)."""
    from textual.widgets import Select

    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready_at(pilot, "#f-brand")
        await scan(pilot, "h", "u", "enter", "nova 12", "enter", "enter", "BLK-AL00", "enter", "enter",
                   "356938035643809", "enter", "SN123", "enter", "2025-08-01", "enter", "95", "enter",
                   "2026-06-01", "enter", "enter", "CN")
        form = app.screen.form.values
        assert form["brand"] == "huawei" and not app.screen.query_one("#f-brand", Select).expanded
        assert values(app) == {"device.model": "nova 12", "device.part_number": "", "device.model_code": "BLK-AL00",
                               "device.imei": "356938035643809", "device.serial": "SN123",
                               "device.production_date": "2025-08-01", "device.battery_health": "95"}
        assert form["device.region"] == "" and form["purchase.date"] == "2026-06-01"
        assert form["purchase.channel"] == "unknown" and app.focused.id == "f-purchase-country"
        await ready_at(pilot, "#f-fault-description")
        await scan(pilot, "屏幕闪烁", "enter", "enter")      # past the check box, unticked
        assert app.focused.id == "f-fault-part" and form["fault.confirmed"] is False
        await ready_at(pilot, "#docs")
        await scan(pilot, "enter")                           # past the papers, none ticked
        assert app.screen.form.documents == set() and app.focused.id != "docs"


async def test_pilot_press_of_many_keys_in_one_call_fills_each_field(make):
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready_at(pilot, "#f-device-imei")
        await pilot.press(*"356938035643809", "tab", *"SN123", "tab", *"2025-08-01", "enter", "9", "0")
        assert values(app, DEVICE[3:]) == {"device.imei": "356938035643809", "device.serial": "SN123",
                                           "device.production_date": "2025-08-01", "device.battery_health": "90"}


async def test_a_complete_imei_or_date_moves_on_when_auto_advance_is_on(make):
    app = make(auto_advance=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready_at(pilot, "#f-device-imei")
        # the scanner ends each value with Tab or Enter: not a second move after a complete field
        await scan(pilot, "356938035643809", "tab", "SN123", "tab", "20250801", "enter", "88")
        assert values(app, DEVICE[3:]) == {"device.imei": "356938035643809", "device.serial": "SN123",
                                           "device.production_date": "20250801", "device.battery_health": "88"}
        # typed without a suffix: the field moves on by itself
        app.screen.query_one("#f-purchase-date").focus()
        await pilot.pause()
        await scan(pilot, "2026-06-10")
        assert app.focused.id == "f-purchase-channel"


async def test_auto_advance_is_off_by_default_and_ctrl_g_turns_it_on(make):
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready_at(pilot, "#f-device-imei")
        await scan(pilot, "356938035643809")
        assert app.focused.id == "f-device-imei"
        await scan(pilot, "ctrl+g")
        assert app.auto_advance
        app.screen.query_one("#f-device-production_date").focus()
        await pilot.pause()
        await scan(pilot, "2025-08-01")
        assert app.focused.id == "f-device-battery_health"


async def test_keys_right_after_a_section_jump_go_to_that_section(make):
    """F6 (a jump: the focus is set by a callback, on the brand, the first field still empty) then
    Space, Down, Enter and the model at once: the brand list is opened from the brand field, not
    from the field the focus was leaving."""
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready_at(pilot, "#f-customer-phone")
        await scan(pilot, "f6", "space", "down", "enter", "Mate 60")
        assert app.screen.form.values["brand"] in app.registry.brands
        assert app.screen.form.values["device.model"] == "Mate 60"


async def test_the_brand_list_chosen_from_or_typed_on_hands_the_next_keys_to_the_next_field(make, monkeypatch):
    """The brand chosen from its dropdown (Space opens it, move, Enter) and the model typed at once: Enter
    chooses and moves on, as it does in a field; the list closes and the model field has the
    focus before the model's characters are handled. Or the clerk types the brand instead of
    opening the list: its id or either label chooses it (``hu`` Huawei, ``苹`` Apple), the list
    stays closed, and the next key after Tab is the model's."""
    from textual.widgets import Select

    from aftersales.tui.screens import base

    now = [1000.0]       # the list's clock: a pause between two words is a step of it, not a wait
    monkeypatch.setattr(base, "monotonic", lambda: now[0])
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready_at(pilot, "#f-brand")
        select = app.screen.query_one("#f-brand", Select)
        assert len(app.registry.brands) >= 2
        await scan(pilot, "space", "down", "down", "enter", "Mate 60", "tab", "BRA-AL00X")
        brand = app.screen.form.values["brand"]
        assert brand in app.registry.brands
        assert not select.expanded
        assert values(app, DEVICE[:2]) == {"device.model": "Mate 60", "device.part_number": "BRA-AL00X"}
        # opened and closed with Escape, then on at once (the field's text is selected on entry:
        # what is typed replaces it, and is not a search in the list)
        await ready_at(pilot, "#f-brand")
        await scan(pilot, "down", "escape", "tab", "Mate X5")
        assert app.screen.form.values["brand"] == brand
        assert app.screen.form.values["device.model"] == "Mate X5"

        # typed on the closed list
        await ready_at(pilot, "#f-brand")
        now[0] += 1.1
        await scan(pilot, "h", "u")
        assert app.screen.form.values["brand"] == "huawei" and not select.expanded
        now[0] += 1.1            # a new word after a pause
        await scan(pilot, "苹", "tab", "iPhone 15")
        assert app.screen.form.values["brand"] == "apple"
        assert app.screen.form.values["device.model"] == "iPhone 15"
        await ready_at(pilot, "#f-brand")
        now[0] += 1.1
        await scan(pilot, "x", "y", "z")      # nothing begins so: no brand (not the last one kept)
        assert app.screen.form.values["brand"] == ""
        now[0] += 1.1
        await scan(pilot, "h")
        assert app.screen.form.values["brand"] == "huawei"
        now[0] += 1.1
        # ``a`` is Apple's id before it begins generic's English label ("any other maker")
        await scan(pilot, "a")
        assert app.screen.form.values["brand"] == "apple"
        await scan(pilot, "n")                 # "an": only that label
        assert app.screen.form.values["brand"] == "generic"


async def test_a_brand_typed_that_is_not_loaded_leaves_no_brand_and_its_note_names_the_brands(make, monkeypatch):
    """After a brand was chosen (华为); a brand typed that is not loaded ("小" for 小米,
    "xiaomi") does not leave it chosen, to be saved under it without a word: the brand is blank
    (required: Save waits for it) and the field's note says what was typed and which brands there
    are, in the UI's language; choosing one clears the note."""
    from textual.widgets import Select, Static

    from aftersales.tui.screens import base

    now = [1000.0]       # the list's clock: a pause between two words is a step of it, not a wait
    monkeypatch.setattr(base, "monotonic", lambda: now[0])
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready_at(pilot, "#f-brand")
        await scan(pilot, "h", "u")
        screen = app.screen
        assert screen.form.values["brand"] == "huawei"
        await scan(pilot, "ctrl+n")
        assert screen.form.values["brand"] == ""   # cleared: the next customer's phone may be another brand's
        await ready_at(pilot, "#f-brand")
        now[0] += 1.1
        await scan(pilot, "h", "u")
        assert screen.form.values["brand"] == "huawei"
        await ready_at(pilot, "#f-brand")
        now[0] += 1.1
        await scan(pilot, "小")
        select = screen.query_one("#f-brand", Select)
        note = screen.query_one("#e-brand", Static)
        assert screen.form.values["brand"] == "" and select.value is Select.NULL
        brands = app.registry.brands
        said = note_text(note).replace("\n", "")
        assert note.display and said.startswith("必填：没有品牌“小”；可选：")
        assert said.endswith("、".join(b.label_zh for b in brands.values()))
        assert select.has_class("invalid") and screen.blocked() is not None    # Save waits for a brand

        now[0] += 1.1
        await scan(pilot, "xiaomi")
        assert screen.form.values["brand"] == ""
        assert "没有品牌“xiaomi”" in note_text(note).replace("\n", "")
        now[0] += 1.1
        await scan(pilot, "a")               # a brand chosen: nothing more to say
        assert screen.form.values["brand"] == "apple"
        assert "没有品牌" not in note_text(note)

        await scan(pilot, "f4")              # in English, the English names
        await ready_at(pilot, "#f-brand")
        now[0] += 1.1
        await scan(pilot, "Xiaomi")
        said = note_text(screen.query_one("#e-brand", Static)).replace("\n", " ")
        assert screen.form.values["brand"] == ""
        assert "nothing in Brand begins with “Xiaomi”; choose from:" in said
        assert all(b.label_en.split()[0] in said for b in brands.values())


@pytest.mark.parametrize(("typed", "brand"), [("pg", "apple"), ("pingguo", "apple"), ("hw", "huawei"),
                                              ("qita", "generic"), ("苹", "apple")])
async def test_a_brand_is_chosen_by_its_pinyin_or_initials_as_its_plugin_declares_them(make, typed, brand):
    """``Brand.aliases``: a clerk who types pinyin (hw, pingguo, qita) gets the brand, as with
    its id or its Chinese name."""
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready_at(pilot, "#f-brand")
        await scan(pilot, typed)
        assert app.screen.form.values["brand"] == brand


async def test_a_brand_typed_after_the_field_was_left_is_a_word_of_its_own(make, monkeypatch):
    """The last customer's brand (pg), the field left, and the next customer's (hw) within the
    second, as a burst at a counter brings them: hw chooses Huawei, not a brand "pghw" no one
    has (a word typed on a drop-down ends when the field is left)."""
    from aftersales.tui.screens import base

    now = [1000.0]       # the list's clock stands still: both words come within its second
    monkeypatch.setattr(base, "monotonic", lambda: now[0])
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready_at(pilot, "#f-brand")
        await scan(pilot, "pg")
        assert app.screen.form.values["brand"] == "apple"
        await scan(pilot, "tab")
        app.screen.query_one("#f-brand").focus()
        await pilot.pause()
        await scan(pilot, "hw")
        assert app.screen.form.values["brand"] == "huawei"
