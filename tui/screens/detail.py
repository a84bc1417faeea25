"""Case detail: the case, its latest decision, its event timeline, and what can be done next.

The actions offered are exactly the moves the workflow allows from the case's state (one
button each, and ``m`` lists them); a follow-up call and the moves that need a reason take the
note typed in the note field. Every store call runs in a worker and comes back as
``CaseLoaded`` (with what was done) or ``StoreActionFailed``.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from aftersales.store.localday import shown_moment
from aftersales.store.workflow import NOTE_REQUIRED, allowed_moves, event_label, moot_reason, state_label, trigger_label

from ..app import INTAKE_KEY, key, modes_out_of_footer, translate_bindings
from ..i18n import colon, error_line, listed, t, value_text, vocab
from ..messages import CaseLoaded, StoreActionFailed
from ..widgets.decision_panel import DecisionPanel, badge_text
from ..widgets.footer import KeysFooter
from ..widgets.text import Wrapped
from ..widgets.titlebar import TitleBar
from .base import CounterScreen, FormInput


def case_text(view: dict[str, Any], lang: str, brand_label: str) -> Text:
    """The head and the case fields of a stored case, for people."""
    out = Text()
    customer = view.get("customer") or {}
    out.append(f"{view['number']}  ", "bold")
    out.append(f"[{state_label(view['state'], lang)}]", "bold reverse")
    out.append(f"  {brand_label} {(view.get('device') or {}).get('model') or ''}\n")
    from aftersales.store.contact import mask_phone  # masked on screen too (the CLI's --reveal is logged)

    out.append(f"{t('detail.customer', lang)}{colon(lang)}{customer.get('name')} {mask_phone(customer.get('phone')) or ''}   ")
    out.append(f"{t('detail.staff', lang)}{colon(lang)}{view.get('staff')}   {t('detail.intake_at', lang)}{colon(lang)}{shown_moment(view.get('intake_at'))}\n",
               "dim")
    repair = view.get("repair") or {}
    if repair.get("due_by"):
        out.append(f"{t('detail.repair_due', lang)}{colon(lang)}{repair.get('due_from')} – {repair.get('due_by')}   ", "dim")
    out.append(f"{t('detail.state_since', lang)}{colon(lang)}{shown_moment(view.get('state_since'))}\n", "dim")
    if view.get("mail_in"):   # sent in by courier: said here (only the ticket said it), how it goes back
        from aftersales.store.mailin import RETURN_BY

        record = view.get("mail_in_record") or {}
        back = RETURN_BY.get(str(record.get("return_by") or ""))
        parts = [t("detail.mail_in", lang)]
        if record.get("courier"):
            parts.append(f"{t('detail.courier', lang)}{colon(lang)}{record['courier']}")
        if back:
            parts.append(f"{t('detail.return_by', lang)}{colon(lang)}{back[0 if lang == 'zh' else 1]}")
        out.append(("；" if lang == "zh" else "; ").join(parts) + "\n", "bold")
    case = view.get("case") or {}
    out.append(f"\n{t('detail.case', lang)}\n", "bold underline")
    # every field of the case table the case gives, in the table's order (what decided it): the
    # brand and model are in the header, papers, conditions and plans below
    from aftersales.core.casefields import FIELDS

    from ..i18n import field_label

    for path, spec in FIELDS.items():
        if path in ("brand", "device.model") or spec.section in ("documents", "condition", "plans") \
                or spec.kind == "claims":
            continue
        value: Any = case
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if path != "fault.confirmed" and (value is None or value == "" or value is False or value == spec.default):
            continue            # not given, or as a case is unless it says otherwise (0 days in repair)
        out.append(f" {field_label(path, lang)}{colon(lang)}", "dim")
        out.append(f"{value_text(path, value, lang)}\n")
    docs = case.get("documents") or []
    out.append(f" {t('sec.documents', lang)}{colon(lang)}", "dim")
    out.append((listed((vocab("document", d, lang) for d in docs), lang) or "—") + "\n")
    flags = [k for k, v in (case.get("condition") or {}).items() if v]
    if flags:
        out.append(f" {t('sec.condition', lang)}{colon(lang)}", "dim")
        out.append(listed((vocab("condition", c, lang) for c in flags), lang) + "\n")
    if case.get("coverage_plans"):
        out.append(f" {t('sec.plans', lang)}{colon(lang)}", "dim")
        out.append(listed((vocab("coverage_plan", p, lang) for p in case["coverage_plans"]), lang) + "\n")
    return out


def timeline_text(view: dict[str, Any], lang: str, brands: Any = None) -> Text:
    from ..i18n import field_label

    out = Text()
    notices = view.get("notices") or []
    for n in notices:
        out.append("⚠ " + (n["message_zh"] if lang == "zh" else n["message_en"]) + "\n", "bold yellow")
    out.append(f"{t('detail.follow_ups', lang)}\n", "bold underline")
    for f in view.get("follow_ups") or []:
        who = t(f"party.{f['party']}", lang)
        if f.get("done_at") and f.get("called", True):
            out.append(f" ✓ {who} · {t('detail.done', lang)} {shown_moment(f['done_at'])}\n", "dim")
        elif f.get("done_at"):   # made moot by a move or an outcome: no call was made
            out.append(f" – {who} · {moot_reason(f, lang)} {shown_moment(f['done_at'])}\n", "dim")
        else:
            out.append(f" ○ {who} · {t('detail.due', lang)} {f['due']}\n")
    out.append(f"\n{t('detail.decisions', lang)}\n", "bold underline")
    for d in view.get("decisions") or []:
        out.append(f" #{d['seq']} {shown_moment(d['evaluated_at'])} {trigger_label(d['trigger'], lang)} · "
                   f"{badge_text(d.get('entitlement'), lang)} · {d.get('actor')}\n")
    out.append(f"\n{t('detail.timeline', lang)}\n", "bold underline")
    for e in view.get("events") or []:
        kind = event_label(e["kind"], lang)
        line = f" {shown_moment(e['at'])} {e['actor']} · {kind}"
        if e["kind"] == "move" and e.get("to"):
            line += (f" {state_label(e['from'], lang)} → " if e.get("from") else " ") + state_label(e["to"], lang)
        elif e["kind"] in ("outcome", "remedy"):
            line += " " + event_summary(e, lang)
            if e["kind"] == "outcome" and e.get("from") and e.get("to") and e["from"] != e["to"]:
                line += f" · {state_label(e['from'], lang)} → {state_label(e['to'], lang)}"   # it moved the case
        out.append(line + "\n")
        changes = (e.get("data") or {}).get("changes") if e["kind"] in ("edited", "diagnosed") else None
        for path, change in (changes or {}).items():
            out.append(f"     {field_label(path, lang)}{colon(lang)}{value_text(path, change.get('from'), lang, brands=brands)}"
                       f" → {value_text(path, change.get('to'), lang, brands=brands)}\n", "dim")
        if e.get("note"):
            out.append(f"     {e['note']}\n", "italic")
    return out


class MoveDialog(ModalScreen[str | None]):
    """The moves allowed from the case's state; Enter picks one, Esc cancels."""

    DEFAULT_CSS = """
    MoveDialog #move-options { height: auto; max-height: 12; }
    """

    BINDINGS = [key("escape", "cancel", "back"), INTAKE_KEY]

    def __init__(self, number: str, current: str) -> None:
        super().__init__(id="move-dialog")
        self.number = number
        self.current = current

    def compose(self) -> ComposeResult:
        lang = self.app.lang
        with Vertical(classes="dialog"):
            yield Static(t("move.title", lang, number=self.number), classes="dialog-title")
            yield OptionList(*(Option(state_label(target, lang), id=target)
                               for target in allowed_moves(self.current)), id="move-options")

    def on_mount(self) -> None:
        translate_bindings(self, self.app.lang)

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class TicketScreen(ModalScreen[None]):
    """The service ticket (受理单) as it prints; ``s`` saves it to a text file."""

    BINDINGS = [INTAKE_KEY, key("escape", "dismiss_ticket", "close"), key("s", "save_file", "save_file"),
                key("h", "print_html", "print_html")]

    def __init__(self, number: str, text: str, html: Any = None, title_key: str = "ticket.title",
                 file_name: str | None = None, lines: str | None = None) -> None:
        super().__init__(id="ticket")
        self.number = number
        #: the text as it prints and is saved (``s``)
        self.text = text
        #: the same, each line whole (``render_ticket(columns=None)``): shown laid out once at the
        #: dialog's width, as Chinese is set (the printed lines, laid out for 80 columns, were
        #: folded again at 80x24: 凭发 | 货票)
        self.lines = lines if lines is not None else text
        #: the text file ``s`` writes in the tickets folder (the ticket's own by default)
        self.file_name = file_name or f"{number}.txt"
        #: a callable giving the HTML ticket (``h`` prints it)
        self.html = html
        self.title_key = title_key

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static(t(self.title_key, self.app.lang) + f" {self.number}", classes="dialog-title")
            with VerticalScroll():
                yield Static(Wrapped(Text(self.lines)), id="ticket-text")
            yield KeysFooter()

    def on_mount(self) -> None:
        translate_bindings(self, self.app.lang)

    def action_dismiss_ticket(self) -> None:
        self.dismiss(None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """``h`` only where there is a page to print (not on the pickup notice, a text for an SMS:
        its footer offered ``h`` and it did nothing)."""
        return self.html is not None if action == "print_html" else True

    def action_print_html(self) -> None:
        if self.html is None:
            return
        print_html(self.app, self.number, self.html(), None)

    def action_save_file(self) -> None:
        from aftersales.store.printing import save_page

        try:   # the customer's name and phone: 0600, written whole, like the HTML ticket and the draft
            path = save_page(self.file_name, self.text + "\n", self.app.store.tickets_folder)
        except OSError as exc:
            self.app.notify(error_line(exc, self.app.lang), severity="error")
            return
        lang = self.app.lang
        self.app.notify(t("ticket.saved", lang, what=t(self.title_key, lang), path=str(path)))


class DetailScreen(CounterScreen):
    DEFAULT_CSS = """
    DetailScreen #detail-body { height: 1fr; }
    DetailScreen #detail-left { width: 1fr; padding: 0 1; }
    DetailScreen #detail-left Static { height: auto; }
    DetailScreen #detail-actions { height: 1; dock: bottom; margin-bottom: 1; padding: 0 1; }
    DetailScreen #moves { width: auto; height: 1; }
    DetailScreen #moves Button, DetailScreen #detail-actions Button { margin-right: 1; min-width: 6; }
    DetailScreen #note { width: 1fr; min-width: 12; margin-right: 1; }
    """
    BINDINGS = [
        key("escape", "back", "back"),
        key("m", "move", "move"),
        key("f", "follow_up", "follow_up"),
        key("e", "reevaluate", "reevaluate", show=False),  # the 重新判定 button shows it (the footer fits 80 columns)
        key("p", "ticket", "ticket", show=False),  # the 受理单 button shows it (the footer fits 80 columns)
        key("o", "outcome", "outcome", show=False),  # the 处理结果 button shows it (the footer fits 80 columns)
        key("h", "print_ticket", "print_html", show=False),
        key("n", "pickup_notice", "pickup_notice", show=False),
        key("i", "inspect", "inspect", show=False),
        key("r", "choose_remedy", "choose_remedy", show=False),
        key("b", "lend_spare", "lend_spare", show=False),
        key("c", "correct", "correct"),
        *modes_out_of_footer(),         # (the footer is full at 80 columns)
    ]

    def __init__(self, number: str) -> None:
        super().__init__(id="detail")
        self.number = number
        self.view: dict[str, Any] | None = None
        self.busy = False
        self._moves_shown: tuple[str, str, bool] | None = None   # (state, language, one button a move)
        #: what the note field was asked for (``follow_up``, or the state of a move needing a
        #: reason): Enter there then records that, not a plain note; None once it loses focus
        self._note_for: str | None = None

    def compose(self) -> ComposeResult:
        lang = self.app.lang
        yield TitleBar()
        with Horizontal(id="detail-body"):
            with VerticalScroll(id="detail-left"):
                yield Static(t("detail.loading", lang), id="detail-case")
                yield Static("", id="detail-timeline")
            yield DecisionPanel(id="detail-panel")
        with Horizontal(id="detail-actions"):
            yield Horizontal(id="moves")
            yield FormInput(placeholder=t("detail.note", lang), id="note", compact=True)
            yield Button(t("key.follow_up", lang), id="do-follow-up", compact=True)
            yield Button(t("key.reevaluate", lang), id="do-reevaluate", compact=True)
            yield Button(t("key.ticket", lang), id="do-ticket", compact=True)
            yield Button(t("key.outcome", lang), id="do-outcome", compact=True)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.load()

    # --- store work --------------------------------------------------------------------------

    def load(self) -> None:
        self._run("load")

    def _run(self, op: str, **kwargs: Any) -> None:
        store = self.app.store
        if store is None:
            self.app.notify(t("save.no_store", self.app.lang), severity="error")
            return
        self.busy = True
        self.store_op(store, op, kwargs)

    @work(thread=True, exclusive=True, group="detail")
    def store_op(self, store: Any, op: str, kwargs: dict[str, Any]) -> None:
        app = self.app
        try:
            if op == "load":
                view = store.get(self.number, today=app.today())
            elif op == "move":
                store.move(self.number, kwargs["target"], actor=app.staff, now=app.now(), note=kwargs.get("note"))
                view = store.get(self.number, today=app.today())
            elif op == "follow_up":
                store.follow_up(self.number, actor=app.staff, note=kwargs["note"], now=app.now(),
                                party=kwargs["party"])
                view = store.get(self.number, today=app.today())
            elif op == "note":
                store.add_note(self.number, actor=app.staff, note=kwargs["note"], now=app.now())
                view = store.get(self.number, today=app.today())
            elif op == "reevaluate":
                store.reevaluate(self.number, actor=app.staff, now=app.now())
                view = store.get(self.number, today=app.today())
            elif op == "spare":
                store.lend_spare(self.number, actor=app.staff, now=app.now(), note=kwargs.get("note"))
                view = store.get(self.number, today=app.today())
            elif op == "remedy":
                store.choose_remedy(self.number, kwargs["remedy"], actor=app.staff, now=app.now(),
                                    note=kwargs.get("note"))
                view = store.get(self.number, today=app.today())
            else:  # pragma: no cover
                raise ValueError(op)
        except Exception as exc:  # noqa: BLE001 - the store's errors are one clear line
            self.post_message(StoreActionFailed(error_line(exc, app.lang)))
            return
        self.post_message(CaseLoaded(view, None if op == "load" else op))

    async def on_case_loaded(self, message: CaseLoaded) -> None:
        self.busy = False
        self.view = message.view
        lang = self.app.lang
        if message.done == "move":
            self.app.notify(t("detail.moved", lang, number=self.number, state=state_label(self.view["state"], lang)))
            self.query_one("#note", FormInput).value = ""
        elif message.done == "follow_up":
            self.app.notify(t("detail.followed", lang))
            self.query_one("#note", FormInput).value = ""
        elif message.done == "note":
            self.app.notify(t("detail.noted", lang))
            self.query_one("#note", FormInput).value = ""
        elif message.done == "outcome":
            from .outcome import outcome_text

            self.app.notify(outcome_text(self.view, lang).plain.splitlines()[0])
        elif message.done == "reevaluate":
            self.app.notify(t("detail.reevaluated", lang, entitlement=badge_text(self.view.get("entitlement"), lang)))
        elif message.done == "spare":
            self.app.notify(t("detail.spare_lent", lang, number=self.number))
            self.query_one("#note", FormInput).value = ""
        elif message.done == "remedy":
            self.app.notify(t("detail.remedy_chosen", lang, number=self.number,
                              remedy=vocab("remedy", self.view.get("remedy") or "", lang)))
            self.query_one("#note", FormInput).value = ""
        if message.done:
            self.app._broadcast("cases_changed")
        await self._show()

    def on_store_action_failed(self, message: StoreActionFailed) -> None:
        self.busy = False
        self.app.notify(message.error, severity="error", timeout=8)

    # --- showing -----------------------------------------------------------------------------

    def _brand_label(self, brand: str, lang: str | None = None) -> str:
        return brand_name(self.app, brand, lang or self.app.lang)

    def _brand_zh(self, brand: str) -> str:
        """A brand as the papers name it: the ticket, the pickup notice and the agreement are in
        Chinese whatever the counter's language (品牌：Huawei was printed with the UI in English)."""
        return self._brand_label(brand, "zh")

    async def _show(self) -> None:
        view = self.view
        if view is None:
            return
        lang = self.app.lang
        self.sub_title = t("detail.title", lang, number=self.number)
        from .outcome import outcome_text

        head = case_text(view, lang, self._brand_label(view["brand"]))
        head.append_text(outcome_text(view, lang))
        self.query_one("#detail-case", Static).update(Wrapped(head))
        self.query_one("#detail-timeline", Static).update(Wrapped(timeline_text(view, lang, getattr(self.app.registry, "brands", None))))
        decisions = view.get("decisions") or []
        latest = (decisions[-1].get("decision") if decisions else None) or None
        if latest is not None and "entitlement" not in latest:
            latest = {**latest, "entitlement": view.get("entitlement")}
        from aftersales.core.plugininfo import policy_titles

        from ..region import region_note

        values = {f"device.{k}": v for k, v in ((view.get("case") or {}).get("device") or {}).items()}
        values.update({f"purchase.{k}": v for k, v in ((view.get("case") or {}).get("purchase") or {}).items()})
        registry = self.app.registry
        self.query_one("#detail-panel", DecisionPanel).show_decision(
            latest, lang=lang, region_note=region_note(registry, latest, values, lang),
            titles=policy_titles(registry, lang), policies=registry.all_policies() if registry is not None else ())
        self._moves_shown = None
        await self._show_moves()
        self.refresh_bindings()

    def _moves_fit(self, targets: tuple[str, ...], lang: str) -> bool:
        """Whether a button for each move fits the actions' line beside the note (its least
        width) and the other buttons: at 80 columns four moves pushed 处理结果 off the screen."""
        from rich.cells import cell_len

        def width(label: str) -> int:   # a compact button: its label, a cell each side, a cell of margin
            return max(cell_len(label) + 2, 6) + 1

        others = sum(width(str(b.label)) for b in self.query("#detail-actions > Button"))
        needed = sum(width(_move_text(target, lang)) for target in targets) + 12 + 1 + others
        return needed <= self.size.width - 2    # the actions' padding

    async def _show_moves(self) -> None:
        """A button for each move the case's state allows; one 改状态… button (the list of moves,
        as m shows it) when they do not all fit the screen's width."""
        if self.view is None:
            return
        lang = self.app.lang
        targets = tuple(allowed_moves(self.view["state"]))
        shown = (self.view["state"], lang, bool(targets) and self._moves_fit(targets, lang))
        if shown == self._moves_shown:
            return
        self._moves_shown = shown
        moves = self.query_one("#moves", Horizontal)
        await moves.remove_children()
        if not targets:
            await moves.mount(Static(t("detail.no_moves", lang), classes="dim"))
        else:
            # clicked, or reached by m: Tab never lands on a move, so that what a clerk types
            # after a Tab too few, and the Enter after it, cannot move the case (close it, say)
            buttons = [Button(_move_text(target, lang), id=f"move-{target}", compact=True,
                              variant="warning" if target == "cancelled" else "primary") for target in targets] \
                if shown[2] else [Button(t("key.move", lang) + "…", id="moves-pick", compact=True, variant="primary")]
            for button in buttons:
                button.can_focus = False
            await moves.mount_all(buttons)

    async def on_resize(self) -> None:
        await self._show_moves()

    def relabel(self) -> None:
        super().relabel()
        lang = self.app.lang
        self.query_one("#note", FormInput).placeholder = t("detail.note", lang)
        self.query_one("#do-follow-up", Button).label = t("key.follow_up", lang)
        self.query_one("#do-reevaluate", Button).label = t("key.reevaluate", lang)
        self.query_one("#do-ticket", Button).label = t("key.ticket", lang)
        self.query_one("#do-outcome", Button).label = t("key.outcome", lang)
        # laid out again at their new labels' widths (kept at the old ones, "Follow-up" showed as "Foll")
        for button in self.query("#detail-actions > Button"):
            button.refresh(layout=True)
        self.query_one("#detail-panel", DecisionPanel).set_lang(lang)
        self.call_later(self._show)

    def registry_changed(self) -> None:
        pass

    # --- actions -----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "move":
            return True if self.view is not None and allowed_moves(self.view["state"]) else None
        if action in ("follow_up", "reevaluate", "ticket", "print_ticket", "pickup_notice", "inspect"):
            return True if self.view is not None else None
        if action == "outcome":
            from aftersales.store.workflow import OUTCOME_CLOSED

            return True if self.view is not None and self.view["state"] not in OUTCOME_CLOSED else None
        if action == "correct":
            from aftersales.store.workflow import FINISHED

            return True if self.view is not None and self.view["state"] not in FINISHED else None
        return True

    def move_to(self, target: str) -> None:
        if self.view is None or self.busy:
            return
        note = self.query_one("#note", FormInput).value.strip() or None
        if (self.view["state"], target) in NOTE_REQUIRED and not note:
            self.app.notify(t("detail.note_needed", self.app.lang), severity="warning")
            self._ask_note(target)
            return
        self._run("move", target=target, note=note)

    @on(Button.Pressed, "#moves Button")
    def _move_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "moves-pick":
            self.action_move()
            return
        self.move_to((event.button.id or "").removeprefix("move-"))

    def action_move(self) -> None:
        if self.view is None:
            return

        def picked(target: str | None) -> None:
            if target:
                self.move_to(target)

        self.app.push_screen(MoveDialog(self.number, self.view["state"]), picked)

    def _ask_note(self, purpose: str) -> None:
        """Put the cursor in the note field for ``purpose`` (``follow_up`` or a move's state):
        the Enter that ends what is typed there records that."""
        self.query_one("#note", FormInput).focus()
        self._note_for = purpose

    @on(Input.Blurred, "#note")
    def _note_left(self) -> None:
        self._note_for = None

    @on(Input.Submitted, "#note")
    def _note_submitted(self, event: Input.Submitted) -> None:
        """Enter in the note field records what it was asked for (the follow-up call f asked
        about, the reason a move needs), else a note (备注): the state and the calls due stay."""
        event.stop()
        note = event.value.strip()
        if self.view is None or self.busy or not note:
            return
        purpose, self._note_for = self._note_for, None
        if purpose == "follow_up":
            self.action_follow_up()
        elif purpose is not None:
            self.move_to(purpose)
        else:
            self._run("note", note=note)

    @on(Button.Pressed, "#do-follow-up")
    def action_follow_up(self) -> None:
        note = self.query_one("#note", FormInput).value.strip()
        if not note:
            self.app.notify(t("detail.follow_note_needed", self.app.lang), severity="warning")
            self._ask_note("follow_up")
            return
        due = {f["party"] for f in (self.view or {}).get("follow_ups") or [] if not f.get("done_at")}
        if len(due) < 2:            # one party waits for a call (or none): that one, or both
            self._run("follow_up", note=note, party=next(iter(due)) if due else "both")
            return
        from .confirm import ChoiceDialog

        lang = self.app.lang

        def answered(party: str | None) -> None:
            if party is not None:
                self._run("follow_up", note=note, party=party)

        # a call is made to one party: the other's follow-up stays open
        self.app.push_screen(ChoiceDialog(t("detail.follow_who", lang),
                                          [(party, t(f"follow.record_{party}", lang)) for party in ("customer", "repair_station")]),
                             answered)

    def action_lend_spare(self) -> None:
        """A spare phone lent (备用机), with the note field's text (which phone): the notice that one
        is owed is met, on the case screen and in the manager's report (nothing recorded it)."""
        if self.view is not None:
            self._run("spare", note=self.query_one("#note", FormInput).value.strip() or None)

    def action_choose_remedy(self) -> None:
        """The remedy the customer chose, of those the decision offers (1, 2...), with the note
        field's text: the case's solution given (its 48 hours met; a repair under way was flagged
        超时无方案 for want of it, recorded only from the command line). A remedy not offered is
        the outcome dialog's, with a manager's reason."""
        if self.view is None:
            return
        from aftersales.store.outcomes import offered

        from .confirm import ChoiceDialog
        from .outcome import remedy_label

        lang = self.app.lang
        decisions = self.view.get("decisions") or []
        decision = (decisions[-1].get("decision") if decisions else None) or {}
        choices = offered(decision)
        if not choices:
            self.app.notify(t("detail.no_remedy", lang), severity="warning")
            return
        note = self.query_one("#note", FormInput).value.strip() or None

        def answered(remedy: str | None) -> None:
            if remedy is not None:
                self._run("remedy", remedy=remedy, note=note)

        self.app.push_screen(ChoiceDialog(t("detail.remedy_which", lang),
                                          [(r, remedy_label(r, decision, lang)) for r in choices]), answered)

    @on(Button.Pressed, "#do-reevaluate")
    def action_reevaluate(self) -> None:
        self._run("reevaluate")

    @on(Button.Pressed, "#do-ticket")
    def action_ticket(self) -> None:
        if self.view is None:
            return
        from aftersales.store.documents import TICKET_COLUMNS, render_ticket

        def ticket(columns: int | None) -> str:
            return render_ticket(self.view, "text", brand_label=self._brand_zh,
                                 store_info=self._store_info(), policy_titles=self._policy_titles(), columns=columns)

        self.app.push_screen(TicketScreen(self.number, ticket(TICKET_COLUMNS), self._ticket_html, lines=ticket(None)))
        self.log_ticket()

    @work(thread=True, group="access")
    def log_ticket(self) -> None:
        """The ticket shows the customer's phone in full (the repair station calls it): written to
        the access log, who and which case, as the command line's --reveal is (it was not)."""
        app = self.app
        store = app.store
        if store is None:
            return
        from aftersales.store.staff import log_access

        try:
            log_access(store.engine, actor=app.staff, action="ticket", reason=t("detail.ticket_reason", "zh"),
                       cases=[self.number], now=app.now(), store=app.store_code, command="tui")
        except Exception as exc:  # noqa: BLE001 - said: a view that could not be logged
            app.call_from_thread(app.notify, t("detail.ticket_unlogged", app.lang, error=error_line(exc, app.lang)),
                                 severity="warning")

    # --- outcome and printing ----------------------------------------------------------------

    def _store_info(self) -> Any:
        store = self.app.store
        if store is None or self.view is None:
            return None
        try:
            return store.store_info(self.view["store"])
        except Exception:  # noqa: BLE001 - the ticket prints without the shop's details
            return None

    def _ticket_html(self) -> str:
        from aftersales.store.documents import render_ticket

        assert self.view is not None
        return render_ticket(self.view, "html", brand_label=self._brand_zh,
                             store_info=self._store_info(), policy_titles=self._policy_titles())

    def _policy_titles(self) -> dict[str, str]:
        """The policies' Chinese titles: the ticket is the customer's, printed in Chinese."""
        from aftersales.core.plugininfo import policy_titles

        return policy_titles(self.app.registry, "zh")

    def action_print_ticket(self) -> None:
        """The HTML ticket to the store's printer (``lp``), else saved and opened in the browser."""
        if self.view is None:
            return
        print_html(self.app, self.number, self._ticket_html(), self._store_info())

    def action_pickup_notice(self) -> None:
        """The pickup notice to copy into an SMS (the text, in the ticket viewer): once the unit
        is ready for pickup; before (or after) that, a line saying why not."""
        if self.view is None:
            return
        from aftersales.store.documents import render_pickup_notice
        from aftersales.store.errors import StoreError

        try:
            text = render_pickup_notice(self.view, self._store_info(), brand_label=self._brand_zh)
        except StoreError as exc:   # not ready (never repaired), or collected, closed already
            self.app.notify(error_line(exc, self.app.lang), severity="warning")
            return
        self.app.push_screen(TicketScreen(self.number, text, title_key="key.pickup_notice",
                                         file_name=f"{self.number}-pickup.txt"))

    def action_inspect(self) -> None:
        """Record the accessories received, the appearance and the data checklist (for the ticket)."""
        from .outcome import InspectDialog

        if self.view is None or self.busy:
            return

        def saved(view: dict | None) -> None:
            if view is not None:
                self.post_message(CaseLoaded(view, "inspected"))

        self.app.push_screen(InspectDialog(self.number, self.view), saved)

    @on(Button.Pressed, "#do-outcome")
    def action_outcome(self) -> None:
        from aftersales.store.workflow import OUTCOME_CLOSED

        from .outcome import OutcomeDialog

        if self.view is None or self.busy:
            return
        if self.view["state"] in OUTCOME_CLOSED:
            self.app.notify(t("outcome.closed", self.app.lang), severity="warning")
            return

        def saved(view: dict | None) -> None:
            if view is not None:
                self.post_message(CaseLoaded(view, "outcome"))

        self.app.push_screen(OutcomeDialog(self.number, self.view), saved)

    def action_correct(self) -> None:
        """The case into the intake form, to be corrected in place (the number stays)."""
        if self.view is not None:
            view = self.view
            self.app.pop_screen()      # F2 comes back to the queue (this view is out of date after it)
            self.app.correct_case(view)

    def action_back(self) -> None:
        """Back to the list; a note typed and not yet recorded is asked about first, as F2 and
        Ctrl+Q ask (Esc threw it away unsaid)."""
        if not self.holds_input:
            self.app.pop_screen()
            return

        def answered(yes: bool | None) -> None:
            if yes and self.app.screen is self:
                self.app.pop_screen()

        self.app._ask("unsaved.note", "unsaved.leave_yes", answered, no="unsaved.stay")

    @property
    def holds_input(self) -> bool:
        """Whether a note is typed and not yet recorded (F2 and Ctrl+Q ask before they drop it)."""
        return bool(self.query("#note") and self.query_one("#note", FormInput).value.strip())


def brand_name(app: Any, brand: str, lang: str) -> str:
    """A brand as its plugin names it (华为 / Huawei); its id when no plugin serves it."""
    from aftersales.core.plugininfo import brand_name as named

    return named(getattr(app.registry, "brands", None), brand, lang)


def print_html(app: Any, number: str, page: str, info: Any) -> None:
    """Print the HTML ``page`` (the store's ``lp`` printer, else the browser) and say what happened."""
    from aftersales.store.printing import print_page

    from .report import _printed_message

    try:
        printed = print_page(f"{number}.html", page, getattr(info, "printer", None), folder=app.store.tickets_folder)
    except (OSError, ValueError) as exc:
        app.notify(error_line(exc, app.lang), severity="error")
        return
    app.notify(_printed_message(printed, app.lang), timeout=8)


def event_summary(event: dict[str, Any], lang: str) -> str:
    """What an ``outcome`` or ``remedy`` event recorded, in a few words."""
    data = event.get("data") or {}
    if event["kind"] == "outcome":
        from aftersales.store.outcomes import outcome_summary

        return outcome_summary(data.get("outcome"), data, lang)
    text = vocab("remedy", data.get("remedy") or "", lang)
    if data.get("override"):
        text += (f"（店长特批：{data['override']}）" if lang == "zh" else f" (manager override: {data['override']})")
    return text


def _move_text(target: str, lang: str) -> str:
    """A move's button: the state it moves the case to, after an arrow (→ 检测, → 已撤销), so it
    reads as a move, not as the case's state."""
    return f"→ {state_label(target, lang)}"
