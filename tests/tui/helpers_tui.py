"""Shared steps for the TUI tests (imported by the test modules; not a test file)."""

from __future__ import annotations

from textual.widgets import Checkbox, Select, SelectionList


async def ready(pilot) -> None:
    """Wait until the intake form has all its sections (the lower ones are mounted right after
    the first paint) and the app has started loading what it loads in the background."""
    app = pilot.app
    for _ in range(200):
        intake = next((s for s in app.screen_stack if type(s).__name__ == "IntakeScreen"), None)
        if app._background_started and (intake is None or intake.complete):
            await pilot.pause()     # and laid out: the focus order follows where the fields are
            return
        await pilot.pause(0.01)
    raise AssertionError("the intake screen did not finish mounting")


async def ready_at(pilot, selector: str) -> None:
    """The intake ready, with the focus on the field ``selector`` (as a clerk would click it)."""
    await ready(pilot)
    pilot.app.screen.query_one(selector).focus()
    await pilot.pause()


async def settle(pilot) -> None:
    """Let workers finish and their messages land: until a pause (which lasts until the app has
    been idle for a moment) ends with no worker left to finish."""
    app = pilot.app
    await ready(pilot)
    for _ in range(50):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if all(worker.is_finished for worker in app.workers):
            return
    raise AssertionError("the app kept starting workers")


async def choose(pilot, selector: str, value: str) -> None:
    pilot.app.screen.query_one(selector, Select).value = value
    await pilot.pause()


async def type_into(pilot, selector: str, text: str) -> None:
    """Focus the field and type ``text`` into it. (Not by ``pilot.click``: Pilot pauses between
    the button's press and release, and leaving a field above may hide its blank note line in
    between, so the release lands on the field below; a real click is handled in one go, and
    the screen keeps such a line until the button is released.)"""
    pilot.app.screen.query_one(selector).focus()
    # the keys sent at once, handled in order (no idle wait per key); the focus is set by a
    # callback the app runs before it takes the first of them
    await scan(pilot, text)


async def tick(pilot, selector: str, on: bool = True) -> None:
    """Tick (or untick) a checkbox by clicking it."""
    box = pilot.app.screen.query_one(selector, Checkbox)
    if box.value != on:
        box.scroll_visible(animate=False)
        await pilot.pause()
        await pilot.click(selector)
        await pilot.pause()
    assert box.value == on


async def tick_item(pilot, selector: str, value: str, on: bool = True) -> None:
    """Tick (or untick) one item of a tick list (papers, conditions, plans) from the keyboard:
    focus the list, move to the item, press space."""
    ticks = pilot.app.screen.query_one(selector, SelectionList)
    values = [ticks.get_option_at_index(i).value for i in range(ticks.option_count)]
    if (value in ticks.selected) != on:
        ticks.focus()
        ticks.scroll_visible(animate=False)
        await pilot.pause()
        ticks.highlighted = values.index(value)
        await pilot.press("space")
    assert (value in ticks.selected) == on


async def fill_day5_case(pilot, *, customer: bool = True) -> None:
    """A generic-brand handset bought 5 days before the case date, fault confirmed, papers complete."""
    await ready(pilot)
    await choose(pilot, "#f-brand", "generic")
    await type_into(pilot, "#f-device-model", "Redmi Note 13")
    await type_into(pilot, "#f-device-imei", "356938035643809")
    await type_into(pilot, "#f-purchase-date", "2026-06-10")
    await choose(pilot, "#f-purchase-channel", "authorized_reseller")
    await tick_item(pilot, "#docs", "invoice")
    await tick_item(pilot, "#docs", "sanbao_certificate")
    await tick(pilot, "#f-fault-confirmed")
    if customer:
        await type_into(pilot, "#f-customer-name", "李雷")
        await type_into(pilot, "#f-customer-phone", "13800138000")
    await pilot.pause()


#: the case ``fill_day5_case`` types in, as a v1 case mapping (the case date is the day of the form)
DAY5_CASE = {"brand": "generic", "device": {"model": "Redmi Note 13", "imei": "356938035643809"},
             "purchase": {"date": "2026-06-10", "channel": "authorized_reseller"},
             "documents": ["invoice", "sanbao_certificate"], "fault": {"confirmed": True}}
DAY5_CUSTOMER = ("李雷", "13800138000")


async def load_day5_case(pilot, *, customer: bool = True) -> None:
    """The form as ``fill_day5_case`` leaves it, for about a quarter of the work: the case put
    into the form at once (``IntakeScreen.fill``), then the last field entered as
    ``fill_day5_case`` enters it (the phone typed; without a customer, the fault box ticked by a
    click), so that the values, the decision, the focus and the note lines are the same (without
    a customer the form may be scrolled a little less far). For the tests of what follows a filled
    form; that ``fill_day5_case``, key by key, gives this form is checked in
    ``test_save_stores_the_case_and_shows_its_number``."""
    await ready(pilot)
    screen = pilot.app.screen
    name, phone = DAY5_CUSTOMER
    if customer:
        screen.fill(DAY5_CASE, name=name)
        await type_into(pilot, "#f-customer-phone", phone)
    else:
        screen.fill({**DAY5_CASE, "fault": {"confirmed": False}})
        await pilot.pause()         # the notes the values brought laid out before the box is found to click
        await tick(pilot, "#f-fault-confirmed")


def _key_event(key: str):
    """The key event a terminal sends for ``key``: a character, or a key name (``tab``)."""
    import unicodedata

    from textual import events
    from textual.keys import KEY_NAME_REPLACEMENTS

    if len(key) > 1:
        return events.Key(key, {"tab": "\t", "enter": "\r", "space": " "}.get(key))
    name = key if key.isalnum() else unicodedata.name(key).lower().replace("-", "_").replace(" ", "_")
    return events.Key(KEY_NAME_REPLACEMENTS.get(name, name), key)   # "/" is "slash", as Textual names it


#: key names ``scan`` sends as one key (anything else is text, sent character by character)
KEY_NAMES = frozenset({"tab", "shift+tab", "enter", "backspace", "space", "escape", "down", "up",
                       *(f"f{n}" for n in range(1, 13)),
                       *(f"ctrl+{c}" for c in "gnopqrst")})


async def scan(pilot, *keys: str) -> None:
    """Send keys the way a barcode scanner does: all of them at once, with no pause between them
    (``pilot.press`` waits for the app to be idle after each key). Each argument is a key name
    (``tab``, ``enter``, ``backspace``) or text, sent character by character."""
    app = pilot.app
    for key in keys:
        for k in ([key] if key in KEY_NAMES else list(key)):
            app.post_message(_key_event(k))
    for _ in range(400):
        await pilot.pause()     # ends once the app has been idle for a moment
        if not app.keys_pending:
            return
    raise AssertionError("keys left unhandled")


async def shown_after(pilot, *keys: str, kind: type):
    """Press ``keys`` (as ``scan`` sends them), let the app settle, and return the screen they
    brought up, checked to be a ``kind`` (a dialog, the queue, the report...)."""
    await scan(pilot, *keys)
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, kind), (keys, screen)
    return screen


def toasts(app) -> list[str]:
    """The text of every notification the app shows from now on (its ``notify`` wrapped)."""
    told: list[str] = []
    notify = app.notify

    def spy(message, *args, **kwargs):
        told.append(str(message))
        return notify(message, *args, **kwargs)

    app.notify = spy
    return told


async def opened_case(pilot, number: str):
    """The case screen of ``number``, opened as the queue opens it, once it has loaded."""
    from aftersales.tui.screens.detail import DetailScreen

    await settle(pilot)
    pilot.app.open_case(number)
    await settle(pilot)
    await settle(pilot)
    assert isinstance(pilot.app.screen, DetailScreen)
    return pilot.app.screen


async def opened_queue(pilot):
    """The queue, as F2 shows it, once its cases have come."""
    from aftersales.tui.screens.queue import QueueScreen

    await scan(pilot, "f2")
    await settle(pilot)
    assert isinstance(pilot.app.screen, QueueScreen)
    return pilot.app.screen


def screen_lines(app) -> list[str]:
    """The screen as the terminal shows it, one string a line, every character in its column (a
    wide one taking two): read from the app's screenshot (Textual's SVG, a run of text at a time)."""
    import html
    import re

    from rich.cells import cell_len

    runs = []
    for attrs, raw in re.findall(r"<text ([^>]*clip-path[^>]*)>([^<]*)</text>", app.export_screenshot()):
        x, y, length = (float(re.search(rf'\b{name}="([\d.]+)"', attrs).group(1)) for name in ("x", "y", "textLength"))
        runs.append((x, y, length, html.unescape(raw).replace("\xa0", " ")))
    cell = next(length / len(text) for _, _, length, text in runs if text)    # (Rich: a character a cell)
    rows: dict[float, dict[int, str]] = {}
    for x, y, _, text in runs:
        column = round(x / cell)
        row = rows.setdefault(y, {})
        for char in text:
            row[column] = char
            column += cell_len(char)
    lines = []
    for _, row in sorted(rows.items()):
        line, at = "", 0
        for column, char in sorted(row.items()):
            line += " " * (column - at) + char
            at = column + cell_len(char)
        lines.append(line)
    return lines


def note_text(note) -> str:
    """What a field's note line says (its text as set: the notes are wrapped as Chinese is set
    when drawn, ``Wrapped``; a blank line holds "")."""
    content = note.content
    return content.text.plain if hasattr(content, "text") else str(content)


def shown_lines(widget) -> list[str]:
    """The lines ``widget`` draws at its size, as the terminal shows them."""
    from textual.geometry import Region

    return [strip.text for strip in widget.render_lines(Region(0, 0, *widget.region.size))]
