"""The mail-in agreement (寄送维修协议书) and the repair kind of the case being taken in.

Opened from the intake form (Ctrl+T): the clerk ticks 寄修 when the unit came by courier, fills
what the agreement asks (checked by ``store.mailin.parse_mail_in``, the CLI's own check) and
chooses the repair kind (一般 / 复杂: 3–5 or 7–10 working days). Dismisses with
``{"mail_in": record or None, "repair_kind": kind}``; the case is stored with them on Ctrl+S.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Select, Static

from ..app import INTAKE_KEY, key, translate_bindings
from ..i18n import t
from ..widgets.text import Wrapped
from ..widgets.ticks import CheckBox
from .base import FormInput, HoldsInput, row_label

#: repair kind -> (Chinese, English)
REPAIR_KINDS = {"simple": ("一般维修（3–5 个工作日）", "simple repair (3–5 working days)"),
                "complex": ("复杂维修（7–10 个工作日）", "complex repair (7–10 working days)")}

#: text fields of the agreement on the dialog: (field, Chinese label, English label)
_TEXTS = (
    ("courier", "发货快递商", "Courier"),
    ("carrier", "寄回运输公司", "Return carrier"),
    ("return_address", "返回地址", "Return address"),
    ("return_postcode", "返回邮政编码", "Return postcode"),
    ("return_phone", "返回联系电话", "Return phone"),
    ("accessories", "随机附件", "Accessories"),
)
_FLAGS = (
    ("original_packaging", "使用原包装寄送", "Sent in its original packaging"),
    ("data_backup_acknowledged", "客户已知维修可能清除数据并已备份（协议书第1条）",
     "The customer knows repair may erase the data and has backed it up (clause 1)"),
    ("express", "加急", "Express"),
)


class MailInDialog(HoldsInput, ModalScreen[dict | None]):
    DEFAULT_CSS = """
    MailInDialog .dialog { width: 80; height: 90%; }
    MailInDialog .o-row { height: auto; }
    MailInDialog .o-row Label { width: 20; padding: 0 1 0 0; }
    MailInDialog .o-row FormInput { width: 1fr; background: $boost; }
    MailInDialog .o-row Select { width: 1fr; }
    MailInDialog #m-error { color: $error; height: auto; }
    """
    BINDINGS = [key("escape", "cancel", "back"), key("ctrl+s", "save", "save"), INTAKE_KEY]
    advance_after_choice = True   # Enter in a list chooses and moves on, as on the intake

    def __init__(self, mail_in: dict[str, Any] | None, repair_kind: str, case: dict[str, Any]) -> None:
        super().__init__(id="mail-in-dialog")
        self.record = dict(mail_in or {})
        self.mail_in = mail_in is not None
        self.repair_kind = repair_kind
        self.case = case

    def compose(self) -> ComposeResult:
        from aftersales.store.mailin import RETURN_BY, TRANSPORT

        zh = self.app.lang == "zh"
        record = self.record
        with VerticalScroll(classes="dialog"):
            yield Static("寄修协议与维修类别" if zh else "Mail-in agreement and repair kind", classes="dialog-title")
            with Horizontal(classes="o-row"):
                yield row_label("维修类别" if zh else "Repair kind")
                yield Select([(z if zh else e, k) for k, (z, e) in REPAIR_KINDS.items()], value=self.repair_kind,
                             allow_blank=False, id="m-repair_kind", compact=True)
            yield CheckBox("寄修（快递送修，填写寄送维修协议书）" if zh else "Mail-in (sent by courier: the agreement below)",
                           value=self.mail_in, id="m-mail_in", compact=True)
            for name, label_zh, label_en in _TEXTS[:1]:
                yield from self._text_row(name, label_zh if zh else label_en)
            with Horizontal(classes="o-row"):
                yield row_label("取回方式" if zh else "Return by")
                yield Select([(z if zh else e, k) for k, (z, e) in RETURN_BY.items()],
                             value=record.get("return_by") or "post", allow_blank=False, id="m-return_by", compact=True)
            with Horizontal(classes="o-row"):
                yield row_label("运输方式" if zh else "Transport")
                yield Select([(z if zh else e, k) for k, (z, e) in TRANSPORT.items()],
                             value=record.get("transport") or "road", allow_blank=False, id="m-transport", compact=True)
            for name, label_zh, label_en in _TEXTS[1:]:
                yield from self._text_row(name, label_zh if zh else label_en)
            for name, label_zh, label_en in _FLAGS:
                yield CheckBox(label_zh if zh else label_en, value=bool(record.get(name)), id=f"m-{name}", compact=True)
            yield Static("", id="m-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(("确定" if zh else "OK") + " (Ctrl+S)", id="m-save", variant="primary", compact=True)
                yield Button(t("key.back", self.app.lang) + " (Esc)", id="m-cancel", compact=True)

    def _text_row(self, name: str, label: str) -> ComposeResult:
        value = self.record.get(name)
        if isinstance(value, list):
            value = "、".join(value)
        with Horizontal(classes="o-row"):
            yield row_label(label)
            yield FormInput(str(value or ""), id=f"m-{name}", compact=True)

    def on_mount(self) -> None:
        translate_bindings(self, self.app.lang)
        self.query_one("#m-repair_kind", Select).focus()
        self.remember_as_opened()

    def values(self) -> dict[str, Any]:
        """What the dialog holds: the agreement as entered (``None``: not a mail-in case)."""
        kind = self.query_one("#m-repair_kind", Select).value
        if not self.query_one("#m-mail_in", Checkbox).value:
            return {"mail_in": None, "repair_kind": kind}
        record: dict[str, Any] = {}
        for name, _zh, _en in _TEXTS:
            text = self.query_one(f"#m-{name}", FormInput).value.strip()
            if text:
                record[name] = text
        for name in ("return_by", "transport"):
            record[name] = self.query_one(f"#m-{name}", Select).value
        for name, _zh, _en in _FLAGS:
            record[name] = self.query_one(f"#m-{name}", Checkbox).value
        if record["return_by"] == "pickup":
            record.pop("transport", None)
        return {"mail_in": record, "repair_kind": kind}

    @on(Button.Pressed, "#m-save")
    def action_save(self) -> None:
        from aftersales.core.errors import AftersalesError
        from aftersales.store.mailin import parse_mail_in

        chosen = self.values()
        if chosen["mail_in"] is not None:
            try:
                parse_mail_in(chosen["mail_in"], self.case)   # the check `cases new --mail-in` makes
            except AftersalesError as exc:
                self.query_one("#m-error", Static).update(Wrapped(Text("✘ " + self._line(exc), style="bold")))
                return
        self.dismiss(chosen)

    def _line(self, exc: Any) -> str:
        """The refusal, naming the field as the dialog labels it."""
        zh = self.app.lang == "zh"
        name = (exc.field or "").removeprefix("mail_in.")
        labels = {n: (lz if zh else le) for n, lz, le in _TEXTS + _FLAGS}
        labels.update({"return_by": "取回方式" if zh else "Return by", "transport": "运输方式" if zh else "Transport"})
        if name not in labels:
            return exc.line(self.app.lang)
        return f"{labels[name]}：{exc.message_zh}" if zh else f"{labels[name]}: {exc.message}"

    @on(Button.Pressed, "#m-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()
