"""Recording what happened to the phone (处理结果) from the case detail, and the intake record.

``OutcomeDialog``: pick the outcome (return, exchange, free repair, paid repair; the ones the
decision offered are marked), fill in what it needs (the refund; the replacement's IMEI, serial
and certificate; what was repaired and the parts; the quote, the customer's consent and the
amount), and save. A remedy the decision did not offer needs a manager's reason. The store
checks everything before it writes; its one-line answer is shown in the dialog, which stays
open so the clerk can correct the field.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Select, Static

from aftersales.core.vocab import REMEDY_ORDER
from aftersales.store.localday import shown_moment

from ..app import INTAKE_KEY, key, translate_bindings
from ..i18n import error_line, listed, t, vocab
from ..messages import CaseLoaded, StoreActionFailed
from ..widgets.text import Wrapped
from ..widgets.ticks import CheckBox
from .base import FormInput, HoldsInput, row_label

#: field id -> (the outcomes that use it, zh label, en label)
FIELDS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "refund": (("return",), "退款金额（元）", "Refund (CNY)"),
    "invoice_price": (("return",), "发票金额（元，案例未记录时）", "Invoice price (if not on the case)"),
    "imei": (("exchange",), "新机 IMEI", "Replacement IMEI"),
    "serial": (("exchange",), "新机序列号", "Replacement serial"),
    "date": (("exchange",), "换货日期（默认今天）", "Exchange date (default today)"),
    "certificate": (("exchange",), "新三包凭证编号", "New certificate no."),
    "work": (("repair", "paid_repair"), "所做维修", "Work done"),
    "parts": (("repair", "paid_repair"), "更换零件（逗号分隔）", "Parts replaced (comma-separated)"),
    "days": (("repair",), "修理天数（默认按记录）", "Days taken (default: from the log)"),
    "quote": (("paid_repair",), "报价（元）", "Quote (CNY)"),
    "amount": (("paid_repair",), "实收金额（元）", "Amount charged (CNY)"),
}
NUMBERS = {"refund": float, "invoice_price": float, "quote": float, "amount": float, "days": int}


def field_label(name: str, lang: str) -> str:
    """A field of the dialog by its label (``refund`` → 退款金额（元）)."""
    _kinds, zh, en = FIELDS[name]
    return zh if lang == "zh" else en


def remedy_label(remedy: str, decision: dict[str, Any], lang: str) -> str:
    """A remedy as the outcome dialog offers it: a return the decision offers only as the refund
    in place of an exchange (the return itself past its window) is that refund, not a return."""
    if remedy == "return" and not any(r.get("remedy") == "return" and r.get("available")
                                      for r in decision.get("remedies") or ()):
        from aftersales.store.outcomes import offered

        if "return" in offered(decision):
            return t("outcome.refund_instead", lang)
    return vocab("remedy", remedy, lang)


def remedy_options(decision: dict[str, Any], lang: str) -> list[tuple[str, str]]:
    """The outcome drop-down's options: every remedy, the ones the decision offers marked."""
    from aftersales.store.outcomes import offered

    offers = offered(decision)
    mark = " ✔ 判定可办理" if lang == "zh" else " ✔ offered"
    return [(remedy_label(r, decision, lang) + (mark if r in offers else ""), r) for r in REMEDY_ORDER]


def opening_remedy(view: dict[str, Any], decision: dict[str, Any]) -> str:
    """The outcome the dialog opens on: the remedy the customer chose, else the entitlement the
    badge said (an exchange, not the refund a policy offers in its place), else the first the
    decision offers, else a paid repair."""
    from aftersales.store.outcomes import offered

    offers = offered(decision)
    chosen, entitled = view.get("remedy"), decision.get("entitlement")
    return (chosen if chosen in REMEDY_ORDER else None) or (entitled if entitled in offers else None) or \
        (offers[0] if offers else "paid_repair")


class OutcomeDialog(HoldsInput, ModalScreen[dict | None]):
    """The outcome form of one case; dismisses with the case view once saved."""

    DEFAULT_CSS = """
    OutcomeDialog .dialog { width: 76; height: 90%; }
    OutcomeDialog .o-row { height: auto; }
    OutcomeDialog .o-row Label { width: 26; padding: 0 1 0 0; }
    OutcomeDialog .o-row FormInput { width: 1fr; background: $boost; }
    OutcomeDialog #o-error { color: $error; height: auto; }
    OutcomeDialog #o-kind { width: 1fr; }
    """
    BINDINGS = [key("escape", "cancel", "back"), key("ctrl+s", "save", "save"), INTAKE_KEY]
    #: Enter in the outcome's list chooses and moves on to the first field it asks for, as on the
    #: intake form (``keyorder``): a replacement's IMEI scanned right after lands there
    advance_after_choice = True

    def __init__(self, number: str, view: dict[str, Any]) -> None:
        super().__init__(id="outcome-dialog")
        self.number = number
        self.view = view
        from aftersales.store.outcomes import offered

        decisions = view.get("decisions") or []
        self.decision = (decisions[-1].get("decision") if decisions else None) or {}
        self.offered = offered(self.decision)

    def compose(self) -> ComposeResult:
        lang = self.app.lang
        zh = lang == "zh"
        options = remedy_options(self.decision, lang)
        first = opening_remedy(self.view, self.decision)
        with Vertical(classes="dialog"):
            yield Static(("登记处理结果 " if zh else "Record the outcome ") + self.number, classes="dialog-title")
            with VerticalScroll():
                with Horizontal(classes="o-row"):
                    yield row_label("处理方式" if zh else "Outcome")
                    yield Select(options, value=first, allow_blank=False, id="o-kind", compact=True)
                for name, (_kinds, label_zh, label_en) in FIELDS.items():
                    with Horizontal(classes="o-row", id=f"row-{name}"):
                        yield row_label(label_zh if zh else label_en)
                        yield FormInput(id=f"o-{name}", compact=True)
                with Horizontal(classes="o-row", id="row-consent"):
                    yield row_label("客户同意报价" if zh else "Customer consents")
                    # labelled (an empty label was drawn cut: ▐X…)
                    yield CheckBox("同意" if zh else "yes", value=False, id="o-consent", compact=True)
                with Horizontal(classes="o-row", id="row-override"):
                    yield row_label("店长特批原因" if zh else "Manager's reason")   # shown only when not offered
                    yield FormInput(id="o-override", compact=True)
                with Horizontal(classes="o-row"):
                    yield row_label("备注" if zh else "Note")
                    yield FormInput(id="o-note", compact=True)
                yield Static("", id="o-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(("保存" if zh else "Save") + " (Ctrl+S)", id="o-save", variant="primary", compact=True)
                yield Button(t("key.back", lang) + " (Esc)", id="o-cancel", compact=True)

    def on_mount(self) -> None:
        translate_bindings(self, self.app.lang)
        self._show_fields()
        kind = self.query_one("#o-kind", Select)
        # the fields follow the choice as it is made (a watch runs as the value is set, where the
        # Changed message would come after the focus has moved on from the list: Enter would
        # hand the next keys to the fields of the outcome chosen before)
        self.watch(kind, "value", self._show_fields, init=False)
        kind.focus()
        self.remember_as_opened()

    def on_key(self, event: events.Key) -> None:
        """Text typed on the outcome's list (the remedy chosen already) is what its first field
        asks for (the repair done, the replacement's IMEI): it goes there, with the keys behind
        it, as typing on the queue's list searches. It was lost: the list takes no text."""
        character = event.character
        kind = self.query_one("#o-kind", Select)
        if (self.focused is not kind or kind.expanded or not event.is_printable or not character
                or character.isspace()):
            return
        first = next((self.query_one(f"#o-{name}", FormInput) for name in FIELDS
                      if self.query_one(f"#row-{name}").display), self.query_one("#o-note", FormInput))
        event.stop()
        event.prevent_default()
        first.type_in(character)

    @property
    def kind(self) -> str:
        return str(self.query_one("#o-kind", Select).value)

    def _show_fields(self) -> None:
        kind = self.kind
        for name, (kinds, _zh, _en) in FIELDS.items():
            self.query_one(f"#row-{name}").display = kind in kinds
        self.query_one("#row-consent").display = kind == "paid_repair"
        self.query_one("#row-override").display = kind not in self.offered
        self.query_one("#o-error", Static).update("")

    def fields(self) -> dict[str, Any]:
        """The values typed for the chosen outcome (numbers read as numbers; bad ones raise)."""
        from aftersales.store.errors import StoreError
        from aftersales.store.outcomes import outcome_fields, split_list

        kind = self.kind
        out: dict[str, Any] = {}
        missing = [name for name, required in outcome_fields(kind).items() if required and name in FIELDS
                   and not self.query_one(f"#o-{name}", FormInput).value.strip()]
        if missing:
            raise StoreError(t("outcome.missing", "en", fields=", ".join(field_label(n, "en") for n in missing)),
                             zh=t("outcome.missing", "zh", fields="、".join(field_label(n, "zh") for n in missing)))
        for name, (kinds, _zh, _en) in FIELDS.items():
            if kind not in kinds:
                continue
            text = self.query_one(f"#o-{name}", FormInput).value.strip()
            if not text:
                continue
            if name in NUMBERS:
                try:
                    out[name] = NUMBERS[name](text)
                except ValueError:
                    raise StoreError(f"{text!r} is not a number", field=name, zh=f"{text} 不是数字") from None
            elif name == "parts":
                out[name] = split_list(text)
            else:
                out[name] = text
        if kind == "paid_repair":
            out["consent"] = self.query_one("#o-consent", Checkbox).value
        return out

    @on(Button.Pressed, "#o-save")
    def action_save(self) -> None:
        from aftersales.core.errors import AftersalesError

        store = self.app.store
        if store is None:
            self._error(t("save.no_store", self.app.lang))
            return
        try:
            fields = self.fields()
        except AftersalesError as exc:
            self._error(self.said(exc))
            return
        override = self.query_one("#o-override", FormInput).value.strip() or None
        note = self.query_one("#o-note", FormInput).value.strip() or None
        self.save(store, self.kind, fields, override, note)

    @work(thread=True, exclusive=True, group="outcome")
    def save(self, store: Any, kind: str, fields: dict[str, Any], override: str | None, note: str | None) -> None:
        app = self.app
        try:
            view = store.record_outcome(self.number, kind, fields, actor=app.staff, now=app.now(),
                                        override=override, note=note)
        except Exception as exc:  # noqa: BLE001 - one line on the screen
            if getattr(exc, "field", None) == "override" and not override:
                # a refund below the invoice price on a full return: the manager's reason asked for here
                app.call_from_thread(self._ask_override)
                self.post_message(StoreActionFailed(t("outcome.below_invoice", app.lang)))
                return
            if getattr(exc, "field", None) == "remedy" and not override:
                # not offered: said as this dialog asks for it (the store's words name the CLI's option)
                offered = listed((remedy_label(r, self.decision, app.lang) for r in self.offered), app.lang) or "—"
                self.post_message(StoreActionFailed(t("outcome.needs_override", app.lang, offered=offered)))
                return
            self.post_message(StoreActionFailed(self.said(exc, fields)))
            return
        self.post_message(CaseLoaded(view, "outcome"))

    def said(self, exc: BaseException, given: dict[str, Any] | None = None) -> str:
        """The store's refusal as this dialog says it: the field by its label here, not by its
        id, and never a command-line option (the store's words are the CLI's too). ``given``: the
        fields sent."""
        from aftersales.core.errors import AftersalesError

        lang = self.app.lang
        if not isinstance(exc, AftersalesError):
            return error_line(exc, lang)
        name = exc.field or ""
        if name not in FIELDS:
            return exc.text(lang)
        if name == "invoice_price" and "invoice_price" not in (given or {}):
            # refused for want of it: the case has none, and the store's words say which option gives it
            return t("outcome.no_invoice_price", lang, field=field_label(name, lang))
        return field_label(name, lang) + ("：" if lang == "zh" else ": ") + exc.text(lang)

    def _ask_override(self) -> None:
        """The manager's reason, asked for by the store: its row shown and focused."""
        self.query_one("#row-override").display = True
        self.query_one("#o-override", FormInput).focus()

    def on_store_action_failed(self, message: StoreActionFailed) -> None:
        message.stop()
        self._error(message.error)

    def on_case_loaded(self, message: CaseLoaded) -> None:
        message.stop()
        self.dismiss(message.view)

    def _error(self, text: str) -> None:
        self.query_one("#o-error", Static).update(Wrapped(Text("✘ " + text, style="bold")))   # as Chinese is set

    @on(Button.Pressed, "#o-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    @on(Input.Changed, "#o-imei, #o-serial")
    def _check_unit(self) -> None:
        """The replacement's IMEI checked as it is typed, as on the intake form; a whole IMEI in
        the serial's field while the IMEI's is empty (a Tab too many after the outcome was
        chosen) is said, before it is saved as a serial."""
        from ..form import IMEI_DIGITS, check_imei

        lang = self.app.lang
        imei = self.query_one("#o-imei", FormInput).value.strip()
        serial = self.query_one("#o-serial", FormInput).value.strip().replace(" ", "")
        problem = None
        if imei and len(imei.replace(" ", "").replace("-", "")) >= IMEI_DIGITS:
            said = check_imei(imei, lang)
            problem = f"{field_label('imei', lang)}{'：' if lang == 'zh' else ': '}{said}" if said else None
        elif not imei and serial and check_imei(serial, lang) is None:   # a whole, valid IMEI
            problem = t("outcome.imei_in_serial", lang, serial=serial, imei=field_label("imei", lang))
        if problem:
            self._error(problem)
        else:
            self.query_one("#o-error", Static).update("")


def outcome_text(view: dict[str, Any], lang: str) -> Text:
    """The outcome, the chosen remedy, the service level and the unit's history, for the detail."""
    out = Text()
    zh = lang == "zh"
    outcome = view.get("outcome")
    if outcome:
        out.append(("处理结果：" if zh else "Outcome: "), "bold")
        out.append((outcome.get("summary_zh") if zh else outcome.get("summary_en")) or "", "bold green")
        out.append("\n")
    elif view.get("remedy"):
        out.append(("客户选择：" if zh else "Chosen: ") + vocab("remedy", view["remedy"], lang) + "\n", "bold")
    level = view.get("service_level") or {}
    if level.get("answer_due"):
        late = level.get("met_late") or []

        def when(which: str, due: str | None, met: str | None) -> str:
            mark = (" ✔" + (("（逾时）" if zh else " (late)") if which in late else "")) if met else ""
            return shown_moment(due) + mark

        # a no-break space: each limit's label stays with its time when the line wraps
        out.append(("答复时限\u00a0" if zh else "Answer\u00a0by\u00a0") + when("answer", level["answer_due"], level.get("answered_at"))
                   + "   ", "dim")
        out.append(("方案时限\u00a0" if zh else "Solution\u00a0by\u00a0")
                   + when("solution", level["solution_due"], level.get("solved_at")) + "\n", "dim")
        for n in level.get("notices") or []:
            out.append("⚠ " + (n["message_zh"] if zh else n["message_en"]) + "\n", "bold red")
    for u in view.get("unit_history") or []:
        data = u.get("data") or {}
        if u["kind"] == "replacement":
            restarts = data.get("warranty_after") != "continues"
            out.append((f"本机为 {u.get('case')} 换货所换新机（{u['on']}），"
                        + ("三包有效期自换货之日起重新计算" if restarts else "保修期延续原机")) if zh else
                       (f"Replacement unit of {u.get('case')} ({u['on']}); "
                        + ("its period restarted on the exchange date" if restarts else "the warranty continues")),
                       "cyan")
            out.append("\n")
        elif u["kind"] == "repair":
            out.append((f"本机曾免费修理（{u.get('case')}，{u['on']}，{data.get('days')} 天）" if zh else
                        f"Repaired free before ({u.get('case')}, {u['on']}, {data.get('days')} days)") + "\n", "cyan")
    intake = view.get("intake_record") or {}
    if intake.get("accessories"):
        out.append(("随机附件：" if zh else "Accessories: ") + "、".join(intake["accessories"]) + "\n", "dim")
    if intake.get("appearance"):
        out.append(("外观：" if zh else "Appearance: ") + intake["appearance"] + "\n", "dim")
    return out


class InspectDialog(HoldsInput, ModalScreen[dict | None]):
    """What was received and inspected at intake: accessories, appearance, the data and account
    checklist, the passcode (what the ticket prints). Dismisses with the case view once saved."""

    DEFAULT_CSS = """
    InspectDialog .dialog { width: 76; height: auto; }
    InspectDialog .o-row { height: auto; }
    InspectDialog .o-row Label { width: 18; padding: 0 1 0 0; }
    InspectDialog .o-row FormInput { width: 1fr; background: $boost; }
    InspectDialog #i-error { color: $error; height: auto; }
    InspectDialog #i-passcode { width: 1fr; }
    """
    BINDINGS = [key("escape", "cancel", "back"), key("ctrl+s", "save", "save"), INTAKE_KEY]
    advance_after_choice = True   # Enter in a list chooses and moves on, as on the intake

    def __init__(self, number: str, view: dict[str, Any]) -> None:
        super().__init__(id="inspect-dialog")
        self.number = number
        self.record = view.get("intake_record") or {}

    def compose(self) -> ComposeResult:
        from aftersales.store.outcomestore import CHECKLIST, PASSCODE

        zh = self.app.lang == "zh"
        ticked = set(self.record.get("checklist") or ())
        with Vertical(classes="dialog"):
            yield Static(("附件、外观与数据清单 " if zh else "Accessories, appearance, checklist ") + self.number,
                         classes="dialog-title")
            with Horizontal(classes="o-row"):
                yield row_label("随机附件（逗号分隔）" if zh else "Accessories")
                yield FormInput("、".join(self.record.get("accessories") or []), id="i-accessories", compact=True)
            with Horizontal(classes="o-row"):
                yield row_label("外观（检查所见）" if zh else "Appearance")
                yield FormInput(self.record.get("appearance") or "", id="i-appearance", compact=True)
            for item, (label_zh, label_en) in CHECKLIST.items():
                yield CheckBox(label_zh if zh else label_en, value=item in ticked, id=f"i-{item}", compact=True)
            with Horizontal(classes="o-row"):
                yield row_label("锁屏密码" if zh else "Passcode")
                yield Select([(zh_ if zh else en_, k) for k, (zh_, en_) in PASSCODE.items()],
                             value=self.record.get("passcode") or Select.NULL, id="i-passcode", compact=True,
                             prompt=t("inspect.passcode_none", self.app.lang))
            yield Static("", id="i-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(("保存" if zh else "Save") + " (Ctrl+S)", id="i-save", variant="primary", compact=True)
                yield Button(t("key.back", self.app.lang) + " (Esc)", id="i-cancel", compact=True)

    def on_mount(self) -> None:
        translate_bindings(self, self.app.lang)
        self.query_one("#i-accessories", FormInput).focus()
        self.remember_as_opened()

    def record_values(self) -> dict[str, Any]:
        from aftersales.store.outcomestore import CHECKLIST

        passcode = self.query_one("#i-passcode", Select).value
        return {
            "accessories": self.query_one("#i-accessories", FormInput).value,
            "appearance": self.query_one("#i-appearance", FormInput).value.strip() or None,
            "checklist": [item for item in CHECKLIST if self.query_one(f"#i-{item}", Checkbox).value],
            "passcode": None if passcode is Select.NULL else passcode,
        }

    @on(Button.Pressed, "#i-save")
    def action_save(self) -> None:
        store = self.app.store
        if store is None:
            self.query_one("#i-error", Static).update(t("save.no_store", self.app.lang))
            return
        self.save(store, self.record_values())

    @work(thread=True, exclusive=True, group="inspect")
    def save(self, store: Any, record: dict[str, Any]) -> None:
        app = self.app
        try:
            view = store.record_intake(self.number, record, actor=app.staff, now=app.now())
        except Exception as exc:  # noqa: BLE001 - one line on the screen
            self.post_message(StoreActionFailed(error_line(exc, app.lang)))
            return
        self.post_message(CaseLoaded(view, "inspected"))

    def on_store_action_failed(self, message: StoreActionFailed) -> None:
        message.stop()
        self.query_one("#i-error", Static).update(Wrapped(Text("✘ " + message.error, style="bold")))

    def on_case_loaded(self, message: CaseLoaded) -> None:
        message.stop()
        self.dismiss(message.view)

    @on(Button.Pressed, "#i-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()
