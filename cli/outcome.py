"""``aftersales cases outcome | remedy | inspect``: what happened to the phone, and what was
received and inspected at intake.

    aftersales cases remedy  ID exchange [--override REASON]
    aftersales cases outcome ID return      --refund 2865 [--invoice-price 3000]
    aftersales cases outcome ID exchange    --imei 356938035643809 [--serial S] [--date D] [--certificate N]
    aftersales cases outcome ID repair      --work "更换主板" [--parts 主板] [--days N]
    aftersales cases outcome ID paid_repair --quote 680 --consent --amount 680
    aftersales cases inspect ID --accessories 充电线,卡针 --appearance "后盖轻微划痕" --checklist backed_up,signed_out

A remedy the latest decision did not offer is refused with what was offered, unless a manager
records it anyway with ``--override REASON``. Bad input is one line, exit 2, nothing written.
"""

from __future__ import annotations

import click

from aftersales.cli.cases import (
    DB_OPTION,
    JSON_OPTION,
    REVEAL_OPTION,
    _echo,
    _open,
    _show_view,
    _staff_option,
    cases,
)
from aftersales.cli.staff import signed_in
from aftersales.store.localday import counter_now


def _kind(value: str) -> str:
    from aftersales.core.vocab import REMEDY_ORDER, label

    text = value.strip()
    for r in REMEDY_ORDER:
        if text in (r, label("remedy", r), label("remedy", r, "en")) or text.lower() == r:
            return r
    aliases = {"退货": "return", "换货": "exchange", "换机": "exchange", "维修": "repair", "免费维修": "repair",
               "付费维修": "paid_repair", "paid-repair": "paid_repair"}
    if text in aliases:
        return aliases[text]
    from aftersales.store.errors import StoreError

    raise StoreError(f"{value!r}: one of {', '.join(REMEDY_ORDER)}", field="remedy",
                     zh=f"{value!r}：应为 退货、换货、免费维修、付费维修 之一")


def _print(view: dict, as_json: bool, reveal: bool, head: tuple[str, str]) -> None:
    """The one line of a command that recorded something: ``head`` (Chinese, English) and the state."""
    from aftersales.cli import message_lang
    from aftersales.cli.cases import _state

    shown = _show_view(view, as_json, reveal)
    if shown is not None:
        lang = message_lang()
        _echo(f"{shown['number']}：{head[0]}  状态：{_state(shown, lang)}" if lang == "zh" else
              f"{shown['number']}: {head[1]}  state: {_state(shown, lang)}")


@cases.command("remedy")
@click.argument("number")
@click.argument("remedy")
@click.option("--override", metavar="REASON",
              help="店长同意办理判定未给出的方式，写明原因 / a manager records a remedy the decision did not offer.")
@click.option("--note", help="备注 / note in the event log.")
@_staff_option()
@DB_OPTION
@JSON_OPTION
@REVEAL_OPTION
def remedy(number, remedy, override, note, staff, db_url, as_json, reveal) -> None:
    """登记客户选择的处理方式 / Record the remedy the customer chose."""
    from aftersales.core.vocab import label

    kind = _kind(remedy)
    with _open(db_url) as store:
        staff = signed_in(store, staff)
        view = store.choose_remedy(number, kind, actor=staff, now=counter_now(), override=override, note=note)
    _print(view, as_json, reveal, (f"客户选择：{label('remedy', kind)}" + (f"（店长特批：{override}）" if override else ""),
                                   f"chosen: {label('remedy', kind, 'en')}" + (f" (manager's override: {override})"
                                                                                if override else "")))


@cases.command("outcome")
@click.argument("number")
@click.argument("kind", metavar="KIND")
@click.option("--refund", type=float, help="退货：退款金额（元）/ return: amount refunded.")
@click.option("--invoice-price", "invoice_price", type=float,
              help="退货：发票金额（案例未记录时）/ return: the invoice price, when the case has none.")
@click.option("--imei", help="换货：新机 IMEI / exchange: the replacement's IMEI.")
@click.option("--serial", help="换货：新机序列号 / exchange: the replacement's serial.")
@click.option("--date", "date_", metavar="YYYY-MM-DD", help="换货日期（默认今天）/ exchange date (default today).")
@click.option("--certificate", help="换货：新三包凭证编号 / exchange: the new certificate's number.")
@click.option("--work", help="维修：所做维修 / repair: what was done.")
@click.option("--parts", help="维修：更换的零件，逗号分隔 / repair: parts replaced, comma-separated.")
@click.option("--days", type=int, help="免费维修：修理天数（默认按记录计算）/ free repair: days taken (default: from the log).")
@click.option("--quote", type=float, help="付费维修：报价（元）/ paid repair: the quote.")
@click.option("--consent/--no-consent", default=None, help="付费维修：客户是否同意报价 / paid repair: the customer's consent.")
@click.option("--amount", type=float, help="付费维修：实收金额（元）/ paid repair: amount charged.")
@click.option("--override", metavar="REASON",
              help="店长同意办理判定未给出的方式，写明原因 / a manager records a remedy the decision did not offer.")
@click.option("--note", help="备注 / note in the event log.")
@_staff_option()
@DB_OPTION
@JSON_OPTION
@REVEAL_OPTION
def outcome(number, kind, refund, invoice_price, imei, serial, date_, certificate, work, parts, days, quote,
            consent, amount, override, note, staff, db_url, as_json, reveal) -> None:
    """登记处理结果：退货、换货、免费维修、付费维修 / Record the outcome: return, exchange, free or paid repair.

    退货、换货使案例进入“已退货退款”或“已换货”（之后结案）；
    维修（免费或付费）登记时机器仍在网点的，案例进入“待取机”
    （同改状态：进度回访结清，取机通知到期）。
    免费维修的天数计入同一台机器的下次判定；换货关联新机，
    新机此后的案例自换货之日起重新计算期限（第二十一条）。

    Return and exchange move the case to 已退货退款 / 已换货 (then 结案); a repair, free or paid,
    recorded while the unit is with the service point makes it ready for pickup (待取机), as moving
    it there does; a free repair's days feed the next decision on the same unit; an exchange links
    the replacement unit, whose later cases restart their period on the exchange date (第二十一条).
    """
    from aftersales.store.errors import StoreError
    from aftersales.store.outcomes import outcome_fields, split_list

    kind = _kind(kind)
    given = {"refund": refund, "invoice_price": invoice_price, "imei": imei, "serial": serial, "date": date_,
             "certificate": certificate, "work": work, "days": days, "quote": quote, "consent": consent,
             "amount": amount, "parts": split_list(parts) if parts else None}
    takes = outcome_fields(kind)    # the outcome's record says which options apply and which must be given
    for name, value in given.items():
        if value is not None and name not in takes:
            raise StoreError(f"--{name.replace('_', '-')} is not used for {kind}", field=name,
                             zh=f"--{name.replace('_', '-')} 不适用于 {kind}")
    for name in (n for n, required in takes.items() if required):
        if given.get(name) is None or (isinstance(given[name], str) and not given[name].strip()):
            flag = "--consent or --no-consent" if name == "consent" else f"--{name.replace('_', '-')}"
            raise StoreError(f"{kind} needs {flag}", field=name, zh=f"{kind} 需要 {flag}")
    fields = {k: v for k, v in given.items() if v is not None}
    with _open(db_url) as store:
        staff = signed_in(store, staff)
        view = store.record_outcome(number, kind, fields, actor=staff, now=counter_now(), override=override, note=note)
    out = view.get("outcome") or {}
    _print(view, as_json, reveal, (out.get("summary_zh", ""), out.get("summary_en", "")))


@cases.command("inspect")
@click.argument("number")
@click.option("--accessories", help="随机附件，逗号分隔 / accessories received, comma-separated.")
@click.option("--appearance", help="外观检查所见 / appearance as inspected.")
@click.option("--checklist", help="已完成的数据与账户事项 / done: backed_up,signed_out,find_my_off.")
@click.option("--passcode", type=click.Choice(["removed", "given", "kept"]),
              help="锁屏密码：removed 已解除、given 已交维修员、kept 客户保留 / screen passcode: removed, given to the technician, kept.")
@_staff_option()
@DB_OPTION
@JSON_OPTION
@REVEAL_OPTION
def inspect(number, accessories, appearance, checklist, passcode, staff, db_url, as_json, reveal) -> None:
    """登记收到的附件、外观与数据清单 / Record accessories, appearance and the data checklist."""
    record = {"accessories": accessories, "appearance": appearance, "checklist": checklist, "passcode": passcode}
    with _open(db_url) as store:
        staff = signed_in(store, staff)
        view = store.record_intake(number, record, actor=staff, now=counter_now())
    _print(view, as_json, reveal, ("已登记附件与外观", "accessories and appearance recorded"))
