"""What the first screen leaves out, and still gets right: Textual's version read without
``importlib.metadata``, the intake form built without the case model and msgspec, a widget styled
once (when it mounts), the Save button after the first frame in the place kept for it."""

from __future__ import annotations

import subprocess
import sys

import pytest
from helpers_tui import ready, scan, settle
from textual.widgets import Button

from aftersales.tui import compat

pytestmark = pytest.mark.asyncio


async def test_textual_version_without_importlib_metadata():
    import importlib.metadata

    code = ("import sys; from aftersales.tui import compat; "
            "print(compat.textual_version(), 'importlib.metadata' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == [importlib.metadata.version("textual"), "False"]


async def test_the_intake_form_is_built_from_the_table_without_the_case_model():
    """The first screen reads the table of case fields (plain data); the case model and msgspec
    come with the policies' worker, and the form's fields are the same entries the model reads."""
    code = ("import sys; from aftersales.tui.screens import intake; from aftersales.tui.form import FormState; "
            "import datetime; FormState.blank(datetime.date(2026, 6, 15)).build('zh'); "
            "print(sorted(m for m in ('aftersales.core.model', 'msgspec') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["[]"]


async def test_the_save_button_follows_the_first_frame_in_its_place_and_a_widget_is_styled_when_it_mounts(make):
    from aftersales.tui.screens.base import FormInput

    app = make()
    frames: list[tuple[bool, int]] = []
    display = app._display

    def logged(screen, renderable):
        if renderable is not None and screen.query("#save-status"):
            frames.append((bool(screen.query("#save")), screen.query_one("#save-status").region.x))
        return display(screen, renderable)

    app._display = logged
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        save = app.screen.query_one("#save", Button)
        assert save.region.right <= app.screen.query_one("#save-status").region.x

        # a widget made with a class set in its constructor is styled when it mounts, not before
        applied: list[object] = []
        apply = app.stylesheet.apply

        def counted(node, **kwargs):
            applied.append(node)
            return apply(node, **kwargs)

        app.stylesheet.apply = counted
        field = FormInput("x", id="f-extra", compact=True)   # compact: a class set in the constructor
        field.add_class("invalid")
        assert field not in applied                           # not in the DOM: not styled yet
        await app.screen.query_one("#form").mount(field)
        await pilot.pause()
        assert field in applied
        # styled with the classes it has: compact (one line, no border) and the form's invalid rule
        assert field.outer_size.height == 1
        assert field.styles.background != app.screen.query_one("#f-customer-name").styles.background
    shown = [f for f in frames if f[1]]
    if compat.ENABLED:     # the first frame written comes before the rest of the form
        assert shown[0][0] is False
    assert shown[-1][0] is True
    assert len({x for _, x in shown}) == 1, frames     # the status line never moves


def _cells(svg: str) -> tuple[dict, dict]:
    """A screenshot cell by cell: the characters drawn (with their colours) and the background
    of every cell, however Textual grouped them into runs."""
    import html
    import re

    from rich.cells import cell_len

    styles = dict(re.findall(r"\.(terminal-[\w-]+-r\d+)\s*\{([^}]*)\}", svg))
    chars = {}
    for cls, x, line, text in re.findall(r'<text class="([^"]+)" x="([\d.]+)" y="[\d.]+" textLength="[\d.]+" '
                                         r'clip-path="url\(#[\w-]+-line-(\d+)\)">([^<]*)</text>', svg):
        column = round(float(x) / 12.2)
        for char in html.unescape(text).replace("\xa0", " "):
            if char.strip():
                chars[int(line), column] = (char, styles[cls])
            column += cell_len(char)
    backgrounds = {}
    for fill, x, y, width in re.findall(r'<rect fill="(#[0-9a-f]+)" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" '
                                        r'height="[\d.]+" shape-rendering="crispEdges"/>', svg):
        for column in range(round(float(x) / 12.2), round((float(x) + float(width)) / 12.2)):
            backgrounds[round(float(y) / 24.4), column] = fill
    return chars, backgrounds


@pytest.mark.parametrize("width", [39, 14])
async def test_a_dropdowns_current_value_is_one_widget_drawn_as_textuals_four(width):
    """The drop-down's current value is one widget (``compat.one_line_current``) where Textual's
    is four, and draws the same cells: chosen or blank, focused or not, open or closed, a
    label that wraps."""
    if not compat.ENABLED:   # Textual's own four widgets on both sides: nothing to compare
        pytest.skip("the one-widget line is one of Textual's internals (tui/compat.py), off here")
    from textual.app import App
    from textual.widgets import Select

    from aftersales.tui.screens.base import TypedSelect

    options = [("其他品牌（仅三包规定）", "x"), ("y", "y")]

    class Form(App):
        CSS = f"Select {{ width: {width}; }}"

        def __init__(self, typed: bool, value) -> None:
            super().__init__()
            self.typed, self.value = typed, value

        def compose(self):
            if self.typed:
                yield TypedSelect(options, names={"x": ("x",), "y": ("y",)}, value=self.value, compact=True,
                                  id="a", prompt="（无）")
            else:
                yield Select(options, value=self.value, compact=True, id="a", prompt="（无）")
            yield Select(options, compact=True, id="b")

    async def screenshot(typed: bool, value, focused: bool, expanded: bool) -> tuple[dict, dict]:
        app = Form(typed, value)
        async with app.run_test(size=(60, 8)) as pilot:
            await pilot.pause()
            if typed and compat.ENABLED:
                assert len(app.query_one("#a").children[0].children) == 0
            if not focused:
                app.query_one("#b").focus()
            app.query_one("#a").expanded = expanded
            await pilot.pause()
            return _cells(app.export_screenshot())

    for value in ("x", Select.NULL):
        for focused in (True, False):
            for expanded in (False, True):
                assert await screenshot(True, value, focused, expanded) == await screenshot(False, value, focused, expanded)


def labels_on_their_fields_rows(app, language: str) -> None:
    """Each field's label drawn on its field's first rows (wrapped in its column), each section's
    title on its first line: what the screen shows, cell by cell."""
    from aftersales.tui.form import FIELDS
    from aftersales.tui.i18n import field_label
    from aftersales.tui.screens.base import LABEL_WIDTH, FormGrid

    screen = app.screen
    chars = _cells(app.export_screenshot())[0]
    checked = 0
    for f in FIELDS:
        field = screen.query_one(f"#{f.widget_id}")
        if f.kind == "check" or not isinstance(field.parent, FormGrid) or not field.region.height:
            continue
        checked += 1
        grid = field.parent
        lines = [line.plain for line in grid.labels[f.widget_id]]
        assert " ".join(lines).replace(" ", "") == field_label(f.path, language).replace(" ", "")
        for i, line in enumerate(lines):
            row = field.region.y + i
            if row >= screen.query_one("#form").region.bottom:
                break
            x = grid.content_region.x
            drawn = "".join(chars.get((row, column), (" ",))[0] for column in range(x, x + LABEL_WIDTH))
            assert drawn.replace(" ", "") == line.replace(" ", ""), (f.path, drawn, line)
        assert field.styles.margin.bottom == len(lines) - 1
    assert checked >= 10, checked              # the fields on screen are in sections' grids
    for grid in screen.query(FormGrid):     # its title on its first line
        if grid.region.height and grid.region.y < screen.query_one("#form").region.bottom:
            row = "".join(chars.get((grid.region.y, column), (" ",))[0]
                          for column in range(grid.region.x, grid.region.right))
            assert row.replace(" ", "") == grid.section_title.plain.replace(" ", "")


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_the_sections_draw_their_labels_on_their_fields_rows(make, lang):
    """A field's label (and a section's title) is drawn by its section (``FormGrid``), not a
    widget of its own: the label on the
    field's first row, as Textual's label widget in a label | field grid was, wrapped in its
    column (the row as tall as the label), and still on its row when a note under a field above
    appears or goes, and after the language changes."""
    from textual.widgets import Static

    app = make(lang=lang)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        screen = app.screen
        assert not [w for w in screen.query(Static) if "field-label" in w.classes]
        assert not [w for w in screen.query(Static) if "section-title" in w.classes
                    and w.id not in ("s-documents", "s-condition", "s-plans")]   # the tick lists' own

        labels_on_their_fields_rows(app, lang)
        await pilot.click("#f-device-imei")
        await pilot.press(*"12345")                 # a note under the IMEI: the rows below move
        await pilot.pause()
        assert screen.query_one("#e-device-imei").display
        labels_on_their_fields_rows(app, lang)
        await pilot.press("f4")                     # the other language: labels rewrapped
        await pilot.pause()
        labels_on_their_fields_rows(app, "en" if lang == "zh" else "zh")


async def test_labels_stay_on_their_fields_rows_when_a_draft_is_restored(make, draft_file):
    """A draft restored under its question: the notes it hides (the brand's 必填) and shows (the
    IMEI's check, the region found from the model code) move the fields, and the labels move
    with them (drawn a row below, typing on the row labelled 机型 filled the part number)."""
    from aftersales.tui import draft
    from aftersales.tui.form import FormState

    form = FormState.blank(make().today())
    form.values.update({"brand": "huawei", "device.model": "nova 12", "device.model_code": "BLK-AL00",
                        "device.imei": "356938035643809"})
    draft.write(draft_file, form, make().now())
    app = make()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert type(app.screen).__name__ == "ConfirmDialog"
        await scan(pilot, "enter")       # restore
        await settle(pilot)
        assert app.screen.form.values["device.model_code"] == "BLK-AL00"
        labels_on_their_fields_rows(app, "zh")


async def test_the_form_looks_the_same_once_textuals_own_field_and_drop_down_stylesheets_are_in(make):
    """A form field and a drop-down's line are styled by stylesheets of their own
    (``compat.OwnStylesheet``, ``compat.one_line_current``), not by ``Input``'s and
    ``SelectCurrent``'s; a screen with Textual's own field and drop-down brings those in later:
    the form looks the same, the focused field, a field marked invalid and a chosen option too."""
    from textual.screen import ModalScreen
    from textual.widgets import Input, Select

    class Plain(ModalScreen):
        def compose(self):
            yield Input("plain")
            yield Select([("a", "a")], value="a")

    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        intake = app.screen
        intake.query_one("#f-brand", Select).value = "huawei"
        intake.query_one("#f-device-imei").focus()
        await pilot.press(*"12345")                 # too short: marked invalid, a note under it
        await pilot.pause()
        before = _cells(app.export_screenshot())
        await app.push_screen(Plain())
        await pilot.pause()
        app.pop_screen()
        await pilot.pause()
        app.stylesheet.update_nodes(intake.walk_children(with_self=True), animate=False)
        await pilot.pause()
        assert "Input.DEFAULT_CSS" in {location for _, location in app.stylesheet.source}
        assert _cells(app.export_screenshot()) == before


@pytest.mark.skipif(not compat.ENABLED, reason="Textual's own Input makes every field's blink timer as it mounts")
async def test_a_fields_cursor_blinks_once_it_has_the_focus_and_no_timer_waits_before(make):
    from aftersales.tui.screens.base import FormInput

    app = make(cursor_blink=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        first = app.focused
        assert isinstance(first, FormInput) and first._blink_timer._active.is_set()     # blinking
        assert [f for f in app.screen.query(FormInput) if f._blink_timer is not None] == [first]
        phone = app.screen.query_one("#f-customer-phone", FormInput)
        phone.focus()
        await pilot.pause()
        timer = phone._blink_timer
        assert timer is not None and timer._active.is_set()        # made as it took the focus, running
        assert not first._blink_timer._active.is_set()              # paused as it lost it
        first.focus()
        await pilot.pause()
        phone.focus()
        await pilot.pause()
        assert phone._blink_timer is timer and timer._active.is_set()   # the same timer again
