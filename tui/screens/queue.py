"""The queue (案例队列): open cases, newest first, overdue follow-ups in red; Enter opens one.

Reading the store runs in a worker (``CasesListed`` comes back); the state and brand filters
ask the store again. The text box narrows what was read as you type, and asks the store too
(``CaseStore.search``: a full phone number, any part of an IMEI or serial, a case number, a
brand by its Chinese or English name; closed cases included), whose answer then replaces the
list. Enter in the text box opens the case when exactly one is found.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual import events, on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Select, Static

from aftersales.core.plugininfo import brand_name
from aftersales.store.privacy import mask_name
from aftersales.store.workflow import FINISHED, state_label

from ..app import key
from ..i18n import error_line, t
from ..messages import CasesFound, CasesListed, StoreActionFailed
from ..widgets.footer import KeysFooter
from ..widgets.text import fit
from ..widgets.titlebar import TitleBar
from .base import CounterScreen, FormInput

#: every state, in the order the filter offers them
ALL_STATES = ("received", "diagnosing", "in_repair", "awaiting_exchange", "ready_for_pickup", "picked_up",
              "returned", "exchanged", "closed", "cancelled")
#: what 全部未结 lists: the cases still being worked on (the unit with us, or waiting to be
#: collected); not those the workflow has finished (nothing is due any more: picked up, returned
#: and refunded, exchanged, closed, cancelled), each found by choosing its state
OPEN_STATES = tuple(s for s in ALL_STATES if s not in FINISHED)
COLUMNS = ("number", "state", "customer", "brand", "model", "intake", "next_due")
#: the columns cut (with "…") when the screen cannot hold every cell whole, the widest first, to
#: no narrower than their heading (the model: 8 cells; the customer: the phone, a character and a star)
_SHRINK = ("state", "customer", "brand", "model")
#: below this width the dates drop their year (06-25)
_SHORT_DATES_BELOW = 100


def column_widths(cells: list[dict[str, str]], headings: dict[str, str], total: int, date: int, late: bool,
                  customer_least: int = 0) -> dict[str, int]:
    """Each column's width in cells for rows of ``cells`` in a table ``total`` cells wide (a
    column of space after each, one for the scroll bar): as wide as its widest cell or heading
    (the follow-up: as a ``date``, with "⚠ " before it when one is ``late``); when that is more
    than the table holds, the widest of ``_SHRINK`` gives a cell at a time; the follow-up takes
    what is left (what a late case has missed, after its date)."""
    widths = {col: max([cell_len(headings[col])] + [cell_len(row[col]) for row in cells]) for col in COLUMNS}
    widths["next_due"] = max(cell_len(headings["next_due"]), date + (2 if late else 0))
    least = {col: cell_len(headings[col]) for col in _SHRINK}
    least["model"] = max(least["model"], 8)
    least["customer"] = max(least["customer"], customer_least)
    room = total - 1 - len(COLUMNS)
    while sum(widths.values()) > room:
        col = max((c for c in _SHRINK if widths[c] > least[c]), key=lambda c: widths[c], default=None)
        if col is None:
            break
        widths[col] -= 1
    widths["next_due"] += max(room - sum(widths.values()), 0)
    return widths


def masked_customer(summary: dict[str, Any], width: int | None = None) -> str:
    """The customer masked (``李* 138 **** 8000``), in ``width`` cells when given: the phone whole,
    the masked name cut to what is left (its first character kept, fewer stars)."""
    customer = summary.get("customer") or {}
    name, phone = mask_name(customer.get("name")), customer.get("phone") or ""
    if width is not None and name:
        room = width - (cell_len(phone) + 1 if phone else 0)
        if cell_len(name) > room:
            name = name[0] + "*" * max(room - cell_len(name[0]), 0)
    text = f"{name} {phone}".strip()
    return text if width is None else fit(text, width)


def customer_least(summary: dict[str, Any]) -> int:
    """The fewest cells the queue shows the customer in (``masked_customer``): the phone whole,
    the name's first character and a star."""
    customer = summary.get("customer") or {}
    name, phone = mask_name(customer.get("name"))[:2], customer.get("phone") or ""
    return cell_len(f"{name} {phone}".strip())


def matches(summary: dict[str, Any], text: str) -> bool:
    if not text:
        return True
    needle = text.strip().lower()
    customer = summary.get("customer") or {}
    device = summary.get("device") or {}
    hay = " ".join(str(x or "") for x in (summary.get("number"), customer.get("name"), customer.get("phone"),
                                          device.get("model"), device.get("serial"), device.get("imei"),
                                          summary.get("brand"), summary.get("state_zh"), summary.get("state")))
    return needle in hay.lower()


class QueueScreen(CounterScreen):
    DEFAULT_CSS = """
    QueueScreen #queue-filters { height: 1; margin: 1 1 0 1; }
    QueueScreen #queue-filters Select { width: 20; margin-right: 1; }
    QueueScreen #queue-filters Input { width: 1fr; }
    QueueScreen #queue-status { height: 1; margin: 0 1; color: $text-muted; }
    QueueScreen #queue-table { height: 1fr; }
    """
    AUTO_FOCUS = "#queue-table"     # Enter opens the case under the cursor from the start
    BINDINGS = [
        key("enter", "open_case", "open", show=True),
        # also in the search box: "/" starts a new search there, it is not typed
        key("slash", "focus_filter", "filter", priority=True),
        Binding("escape", "leave_filter", show=False),   # in the search box: cleared, back to the list
        key("f5", "refresh", "refresh"),
        # the queue's own key out of its footer (the clerk is on the queue): the app's F2 still answers
        key("f2", "app.queue", "queue", show=False, priority=True),
    ]

    def __init__(self) -> None:
        super().__init__(id="queue")
        self.cases: list[dict[str, Any]] = []
        self.shown: list[dict[str, Any]] = []
        self.loaded = False
        #: the store's answer for the text in the box: (text, cases), or None while none
        self.found: tuple[str, list[dict[str, Any]]] | None = None
        self._open_single = False       # Enter was pressed before the answer came
        self._widths: dict[str, int] = {}   # each column's text width (``_columns``)
        self._headings: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        lang = self.app.lang
        yield TitleBar()
        with Horizontal(id="queue-filters"):
            yield Select(self._state_options(lang), prompt=t("queue.all_open", lang), id="q-state", compact=True)
            yield Select(self._brand_options(lang), prompt=t("queue.all_brands", lang), id="q-brand", compact=True)
            yield FormInput(placeholder=t("queue.text", lang), id="q-text", compact=True)
        yield Static(t("queue.loading", lang), id="queue-status")
        table: DataTable = DataTable(id="queue-table", cursor_type="row", zebra_stripes=True, cell_padding=0)
        yield table
        yield KeysFooter()

    def _state_options(self, lang: str) -> list[tuple[str, str]]:
        return [(state_label(s, lang), s) for s in ALL_STATES]

    def _brand_options(self, lang: str) -> list[tuple[str, str]]:
        brands = getattr(self.app.registry, "brands", {}) or {}
        return [(brand_name(brands, bid, lang), bid) for bid in brands]

    def _short_dates(self) -> bool:
        return 0 < self.size.width < _SHORT_DATES_BELOW

    def _columns(self, cells: list[dict[str, str]], late: bool = False) -> None:
        """The table's columns, each as wide as its ``cells`` (``column_widths``) at the screen's
        width; ``late``: a case's follow-up is overdue."""
        short = self._short_dates()
        lang = self.app.lang
        headings = {col: t(f"col.{col}_short" if short and col in ("intake", "next_due") else f"col.{col}", lang)
                    for col in COLUMNS}
        least = max((customer_least(c) for c in self.shown), default=0)
        widths = column_widths(cells, headings, self.size.width or 120, 5 if short else 10, late, least)
        if (widths, headings) != (self._widths, self._headings):
            table = self.query_one(DataTable)
            table.clear(columns=True)
            for col in COLUMNS:
                table.add_column(headings[col], key=col, width=widths[col] + 1)
            self._widths, self._headings = widths, headings
        self._columns_for = self.size.width

    def on_resize(self) -> None:
        if self.is_mounted and getattr(self, "_columns_for", None) != self.size.width:
            if self.loaded:
                self._fill()
            else:
                self._columns([])

    def on_mount(self) -> None:
        self._columns([])
        self.refresh_cases()

    def on_screen_resume(self) -> None:
        if self.loaded:
            self.refresh_cases()
        search = self.query_one("#q-text", FormInput)
        if self.focused is search and search.value:
            # back from a case found by it: the next search is typed over the last one, as a
            # field entered anew is (otherwise "7518" went after "61234567")
            search.select_all()
        elif not isinstance(self.focused, DataTable):
            # left on a filter (a drop-down, a check box): back to the list, so that Enter opens
            # the case under the cursor, not the drop-down, and typing searches
            self.query_one(DataTable).focus()

    # --- app hooks ---------------------------------------------------------------------------

    def cases_changed(self) -> None:
        if self.is_mounted:
            self.refresh_cases()

    store_changed = cases_changed

    def registry_changed(self) -> None:
        if self.is_mounted:
            select = self.query_one("#q-brand", Select)
            value = select.value
            with self.prevent(Select.Changed):
                select.set_options(self._brand_options(self.app.lang))
                if value is not Select.NULL and value in (getattr(self.app.registry, "brands", {}) or {}):
                    select.value = value

    def relabel(self) -> None:
        super().relabel()
        lang = self.app.lang
        for sid, options, prompt in (("#q-state", self._state_options(lang), "queue.all_open"),
                                     ("#q-brand", self._brand_options(lang), "queue.all_brands")):
            select = self.query_one(sid, Select)
            value = select.value
            with self.prevent(Select.Changed):
                select.set_options(options)
                select.prompt = t(prompt, lang)
                if value is not Select.NULL:
                    select.value = value
        self.query_one("#q-text", FormInput).placeholder = t("queue.text", lang)
        self._fill()

    # --- reading -----------------------------------------------------------------------------

    def refresh_cases(self) -> None:
        store = self.app.store
        if store is None:
            self.query_one("#queue-status", Static).update(self.app.store_error or t("save.no_store", self.app.lang))
            return
        state = self.query_one("#q-state", Select).value
        brand = self.query_one("#q-brand", Select).value
        states = ",".join(OPEN_STATES) if state is Select.NULL else state
        self.list_cases(store, states, None if brand is Select.NULL else brand, self.app.today())

    @work(thread=True, exclusive=True, group="queue")
    def list_cases(self, store: Any, states: str, brand: str | None, today: date) -> None:
        try:
            cases = store.list_cases(state=states, brand=brand, today=today, now=self.app.now())
        except Exception as exc:  # noqa: BLE001 - shown on the screen
            self.post_message(StoreActionFailed(error_line(exc, self.app.lang)))
            return
        self.post_message(CasesListed(cases))

    def on_cases_listed(self, message: CasesListed) -> None:
        self.cases = message.cases
        self.loaded = True
        self._fill()
        if self.query_one("#q-text", FormInput).value.strip():
            self._text_changed()        # the store may have changed: ask again

    def on_store_action_failed(self, message: StoreActionFailed) -> None:
        self.query_one("#queue-status", Static).update(Text(message.error, style="bold red"))

    def _fill(self) -> None:
        lang = self.app.lang
        table = self.query_one(DataTable)
        text = self.query_one("#q-text", FormInput).value
        today = self.app.today().isoformat()
        found = self.found if self.found is not None and self.found[0] == text.strip() else None
        if found is not None:
            state = self.query_one("#q-state", Select).value
            brand = self.query_one("#q-brand", Select).value
            self.shown = [c for c in found[1] if (state is Select.NULL or c["state"] == state)
                          and (brand is Select.NULL or c["brand"] == brand)]
        else:
            self.shown = [c for c in self.cases if matches(c, text)]
        cursor = table.cursor_row
        late = 0
        brands = getattr(self.app.registry, "brands", None)
        rows: list[tuple[dict[str, Any], dict[str, str], str]] = []
        for c in self.shown:
            due = c.get("next_follow_up") or ""
            style = ""
            sla = (c.get("service_level") or {}).get("overdue") or []
            if due and due < today:
                style = "bold red"
                late += 1
            elif sla:
                style = "bold red"  # the 24 h answer or the 48 h solution is overdue
            elif due and due == today or c.get("notices"):
                style = "yellow"
            intake = (c.get("intake_at") or c.get("case_date") or "")[:10]
            shown_due = due
            if self._short_dates():
                intake, shown_due = intake[5:], due[5:]
            cells = {"number": c["number"], "state": state_label(c["state"], lang), "customer": masked_customer(c),
                     "brand": brand_name(brands, c["brand"], lang, short=True),
                     "model": (c.get("device") or {}).get("model") or "", "intake": intake,
                     "next_due": ("⚠ " if due and due < today else "") + shown_due + sla_text(sla, lang)}
            rows.append((c, cells, style))
        self._columns([cells for _, cells, _ in rows], late > 0)
        table.clear()
        widths = self._widths
        for c, cells, style in rows:
            cells["customer"] = masked_customer(c, widths["customer"])   # the phone whole, the name cut
            # each cut to its column, so that the space after it stays (the next column readable);
            # the last one is cropped at the table's edge (the date first, what is late after it)
            table.add_row(*(Text(cells[col] if col == COLUMNS[-1] else fit(cells[col], widths[col]), style=style)
                            for col in COLUMNS), key=c["number"])
        if self.shown:
            table.move_cursor(row=min(cursor, len(self.shown) - 1))
        status = self.query_one("#queue-status", Static)
        if not self.shown and found is not None and found[1]:
            # found, all hidden by the state or brand chosen: said, with how to see them
            status.update(t("queue.found_hidden", lang, n=len(found[1]), all=t("queue.all_open", lang)))
        elif not self.cases and found is None and self.query_one("#q-state", Select).value is Select.NULL:
            status.update(t("queue.empty", lang))   # (with a state chosen: none in it, said below)
        elif not self.shown:
            status.update(t("queue.none_match", lang))
        elif found is not None:
            status.update(t("queue.found", lang, n=len(self.shown)))
        else:
            status.update(t("queue.count", lang, n=len(self.shown), late=late))

    # --- filters and actions -----------------------------------------------------------------

    @on(Select.Changed, "#q-state, #q-brand")
    def _filter_changed(self) -> None:
        self.refresh_cases()

    @on(FormInput.Changed, "#q-text")
    def _text_changed(self) -> None:
        text = self.query_one("#q-text", FormInput).value.strip()
        self._open_single = False
        self._fill()
        store = self.app.store
        if text and store is not None:
            brands = {bid: (b.label_zh, b.label_en)
                      for bid, b in (getattr(self.app.registry, "brands", {}) or {}).items()}
            self.search_cases(store, text, brands, self.app.today())

    @work(thread=True, exclusive=True, group="queue-search")
    def search_cases(self, store: Any, text: str, brands: dict[str, tuple[str, str]], today: date) -> None:
        try:
            found = store.search(text, brands=brands, today=today)
        except Exception as exc:  # noqa: BLE001 - shown on the screen
            self.post_message(StoreActionFailed(error_line(exc, self.app.lang)))
            return
        self.post_message(CasesFound(text, found))

    def on_cases_found(self, message: CasesFound) -> None:
        if message.text != self.query_one("#q-text", FormInput).value.strip():
            return                      # an answer to what was typed before
        self.found = (message.text, message.cases)
        self._fill()
        if self._open_single:
            self._open_single = False
            self._open_or_pick()

    @on(FormInput.Submitted, "#q-text")
    def _text_submitted(self) -> None:
        text = self.query_one("#q-text", FormInput).value.strip()
        if text and self.app.store is not None and (self.found is None or self.found[0] != text):
            self._open_single = True    # opened (or the list focused) when the answer comes
            return
        self._open_or_pick()

    def _open_or_pick(self) -> None:
        """One case found: open it; else the list, to pick one."""
        if len(self.shown) == 1:
            self.open_number(self.shown[0]["number"])
        else:
            self.query_one(DataTable).focus()

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        self.open_number(str(event.row_key.value))

    def action_open_case(self) -> None:
        table = self.query_one(DataTable)
        if not self.shown or table.cursor_row < 0:
            return
        self.open_number(self.shown[table.cursor_row]["number"])

    def open_number(self, number: str) -> None:
        from .detail import DetailScreen

        self.app.push_screen(DetailScreen(number))

    def action_focus_filter(self) -> None:
        search = self.query_one("#q-text", FormInput)
        search.focus()
        search.select_all()

    def action_leave_filter(self) -> None:
        """Esc in the search box: the search cleared (the list whole again) and the list focused."""
        search = self.query_one("#q-text", FormInput)
        if self.focused is not search:
            raise SkipAction()
        search.value = ""
        self.query_one(DataTable).focus()

    def on_key(self, event: events.Key) -> None:
        """Typing on the list searches: a phone number, an IMEI or a name typed with the list
        focused goes into the search box (replacing the last search), as "/" then typing would;
        the keys behind it follow it there (``InOrderKeys``)."""
        character = event.character
        if (not isinstance(self.focused, DataTable) or not event.is_printable or not character
                or character.isspace() or character == "/"):
            return
        event.stop()
        event.prevent_default()
        self.query_one("#q-text", FormInput).type_in(character)

    def action_refresh(self) -> None:
        self.refresh_cases()


def sla_text(overdue: list[str], lang: str) -> str:
    """`` ⚠超时未答复`` / `` ⚠超时无方案``: the service levels a case has missed."""
    if not overdue:
        return ""
    return " ⚠" + "/".join(t(f"queue.sla_{which}", lang) for which in overdue)
