"""Documents for people, in Chinese: the service ticket (受理单) and, for mail-in cases, the
mail-in agreement (寄送维修协议书, seed 000). Plain text for a receipt printer or the terminal,
HTML for an A4 printer. Rendered with ``string.Template`` from ``templates/`` (package data);
every value is HTML-escaped in the HTML forms.

Input is ``CaseStore.get(number)``: the case with its latest decision.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Mapping
from importlib import resources
from string import Template
from typing import Any

from aftersales.core import vocab
from aftersales.core.refund import refund_text

from .contact import shown_phone
from .errors import StoreError
from .localday import shown_moment
from .mailin import RETURN_BY, TRANSPORT, product_words
from .workflow import PICKUP_READY, REPAIR_KINDS, WITH_US, moot_reason, party_label, purpose_label, state_label

FORMATS = ("text", "html")


def _template(name: str) -> Template:
    return Template((resources.files("aftersales.store") / "templates" / name).read_text("utf-8"))


def _yes(flag: bool) -> str:
    return "是 ☑  否 ☐" if flag else "是 ☐  否 ☑"



class _Rows:
    """Label/value rows rendered as aligned text or HTML table rows."""

    def __init__(self, fmt: str) -> None:
        self.fmt = fmt
        self.rows: list[tuple[str, str]] = []

    def add(self, label: str, value: Any) -> None:
        if value is None or value == "":
            return
        self.rows.append((label, str(value)))

    def render(self, indent: str = "  ", empty: str = "无") -> str:
        rows = self.rows or [("", empty)]
        if self.fmt == "html":
            return "".join(
                f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" if k
                else f"<tr><td colspan=\"2\">{html.escape(v)}</td></tr>"
                for k, v in rows
            )
        return "\n".join(f"{indent}{k}：{v}" if k else f"{indent}{v}" for k, v in rows)


def _labels(kind: str, ids: Iterable[str]) -> str:
    return "、".join(vocab.label(kind, i) for i in ids)


def _latest(view: Mapping[str, Any]) -> tuple[int, str, dict]:
    decs = view.get("decisions") or []
    if not decs:
        return 0, "", {}
    last = decs[-1]
    return last.get("seq", len(decs)), shown_moment(last.get("evaluated_at")), last.get("decision") or {}


def _notice_text(item: Any) -> str:
    if isinstance(item, Mapping):
        return str(item.get("message_zh") or item.get("message") or item.get("id") or "")
    return str(item)


#: a parenthesised reference to the project's own research notes or source documents ("（seed 001 E/F）",
#: "（§1.10）"): the customer reads the regulation's article or the brand's published terms, not these
_INTERNAL_GROUP = re.compile(r"\s*[（(][^（）()]*?(?:seeds?\s*\d|§)[^（）()]*[）)]", re.IGNORECASE)
_INTERNAL_BARE = re.compile(r"\s*(?:\bseeds?\s*\d{3}(?:[ /][A-Z](?:/[A-Z])*)?\b|§\d+(?:\.\d+)*)", re.IGNORECASE)


def public_citation(text: str | None) -> str:
    """A citation as the customer reads it: the internal references removed."""
    if not text:
        return ""
    out = _INTERNAL_GROUP.sub("", str(text))
    out = _INTERNAL_BARE.sub("", out)
    out = re.sub(r"[（(]\s*[、,，;；]?\s*[）)]", "", out)
    return re.sub(r"\s{2,}", " ", out).strip(" ;；,，")


#: the width of an 80-column receipt printer, in terminal cells (a Chinese character takes two)
TICKET_COLUMNS = 80


def fit_columns(text: str, width: int = TICKET_COLUMNS) -> str:
    """Every line of ``text`` wrapped to ``width`` cells (Chinese characters count two), broken
    where Unicode's line-breaking rules allow (UAX #14, by ``uniseg``): between two Chinese
    characters, never before a closing mark such as ，。）〕, never inside a Latin word."""
    from rich.cells import cell_len
    from uniseg.wrap import tt_wrap

    lines: list[str] = []
    for line in text.split("\n"):
        if cell_len(line) <= width:
            lines.append(line)
            continue
        hang = min(len(line) - len(line.lstrip(" ")) + 2, 8)
        for i, part in enumerate(tt_wrap(line, width - hang)):
            piece = part.rstrip()
            lines.append(piece if i == 0 else " " * hang + piece.lstrip())
    return "\n".join(lines)


def render_ticket(view: Mapping[str, Any], fmt: str = "text", brand_label: Callable[[str], str] | None = None,
                  store_info: Any = None, policy_titles: Mapping[str, str] | None = None,
                  columns: int | None = TICKET_COLUMNS) -> str:
    """The service ticket (受理单) of a case. ``store_info``: the service point's name, address,
    hotline (``servicelevels.StoreInfo``); without a name the store is printed as 门店 SZ01.
    ``policy_titles``: each policy's Chinese title by its id (the customer reads 华为手机售后服务政策,
    not ``huawei``); a policy without one is named by its id. The text is laid out for a
    printer of ``columns`` cells; None: each line whole, for a screen that lays it out itself."""
    esc = html.escape if fmt == "html" else (lambda s: s)
    case = view.get("case") or {}
    device = case.get("device") or {}
    purchase = case.get("purchase") or {}
    fault = case.get("fault") or {}
    brand = view.get("brand", "")
    brand_name = brand_label(brand) if brand_label else brand

    dev = _Rows(fmt)
    dev.add("品牌", brand_name)
    dev.add("型号", device.get("model"))
    dev.add("部件号", device.get("part_number"))
    dev.add("型号代码", device.get("model_code"))
    dev.add("序列号", device.get("serial"))
    dev.add("IMEI", device.get("imei"))
    if device.get("region"):
        dev.add("版本", vocab.label("region", device["region"]))
    dev.add("购买日期", purchase.get("date"))
    if purchase.get("price") is not None:
        dev.add("发票金额", vocab.money(purchase["price"]))
    if purchase.get("channel"):
        dev.add("购买渠道", vocab.label("channel", purchase["channel"]))
    dev.add("激活日期", case.get("activation_date"))
    if case.get("coverage_plans"):
        dev.add("服务计划", _labels("coverage_plan", case["coverage_plans"]))

    flt = _Rows(fmt)
    if fault.get("component"):
        flt.add("故障部件", vocab.label("component", fault["component"]))
    flt.add("故障现象", fault.get("description"))
    flt.add("故障已确认", "是" if fault.get("confirmed") else "否（待检测）")
    intake = view.get("intake_record") or {}
    if intake.get("appearance"):
        flt.add("外观（检查所见）", intake["appearance"])
    flags = [k for k, v in (case.get("condition") or {}).items()
             if v and k not in ("accessories_complete", "packaging_complete")]
    if flags:
        flt.add("检测所见状况", _labels("condition", flags))
    flt.add("随机附件", "、".join(intake.get("accessories") or []) or ("未收附件" if intake else None))

    docs = _Rows(fmt)
    shown = case.get("documents") or []
    for d in shown:
        if d == "id_document":
            docs.add(vocab.label("document", d), "已查验（不登记证件号码）")
        else:
            docs.add(vocab.label("document", d), "已出示")
    seq, decided_at, decision = _latest(view)

    remedies = decision.get("remedies") or []
    if fmt == "html":
        remedy_rows = "".join(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>".format(
                esc(vocab.label("remedy", r.get("remedy", ""))),
                esc(vocab.label("basis", r.get("basis") or ""))
                + (f"<br>{esc(refund_text(r['refund_instead']))}" if r.get("refund_instead") else ""),
                "✔ 可办理" if r.get("available") else '<span class="no">✘ 不可</span>',
                esc(_labels("document", r.get("missing_documents") or [])),
                esc(public_citation((r.get("granted_by") or {}).get("citation"))),
            )
            for r in remedies
        ) or '<tr><td colspan="5">无</td></tr>'
    else:
        lines = []
        for r in remedies:
            line = "  {} {}（{}）".format("✔" if r.get("available") else "✘",
                                       vocab.label("remedy", r.get("remedy", "")),
                                       vocab.label("basis", r.get("basis") or ""))
            if r.get("missing_documents"):
                line += "，缺少：" + _labels("document", r["missing_documents"])
            citation = public_citation((r.get("granted_by") or {}).get("citation"))
            if citation:
                line += f" 〔{citation}〕"
            lines.append(line)
            if r.get("refund_instead"):
                lines.append("    " + refund_text(r["refund_instead"]))
        remedy_rows = "\n".join(lines) or "  无"

    dec = _Rows(fmt)
    best = view.get("entitlement")
    dec.add("可享受", vocab.label("remedy", best) if best else "无")
    coverage = decision.get("coverage") or {}
    if coverage.get("end"):
        dec.add("适用期限", f"{coverage.get('start', '')} 至 {coverage['end']}")
    for ex in decision.get("exclusions") or []:
        dec.add("不予免费", public_citation(ex.get("message_zh") or ex.get("id")))
    exchange = decision.get("exchange") or {}
    # how an exchange is done, only when one is open (as the counter's panel says it): the
    # customer's copy suggested an exchange they could not have
    exchange_open = any(r.get("remedy") == "exchange" and r.get("available") for r in decision.get("remedies") or ())
    if exchange.get("mode") and exchange_open:
        text = vocab.label("exchange_mode", exchange["mode"])
        lead = exchange.get("lead_days")
        if isinstance(lead, Mapping) and (lead.get("min") or lead.get("max")):
            low, high = lead.get("min"), lead.get("max")
            text += f"（约{low}~{high}天）" if low and high and low != high else f"（约{low or high}天）"
        elif lead:
            text += f"（约{lead}天）"
        if exchange.get("warranty_after"):
            text += "；" + vocab.label("warranty_after", exchange["warranty_after"])
        dec.add("换货方式", text)
    if decision.get("service_location"):
        dec.add("服务地点", vocab.label("service_location", decision["service_location"]))
    for n in decision.get("notices") or []:
        dec.add("提示", public_citation(_notice_text(n)))
    titles = policy_titles or {}
    policies = "、".join(f"{titles.get(str(p.get('id')), p.get('id'))} v{p.get('version')}"
                        for p in decision.get("policies") or []) or "无"

    svc = _Rows(fmt)
    repair = view.get("repair") or {}
    outcome = view.get("outcome") or {}
    chosen = outcome.get("kind") or view.get("remedy")
    level = view.get("service_level") or {}
    if level.get("answer_due"):
        svc.add("答复时限", shown_moment(level["answer_due"]) + (" 已答复" if level.get("answered_at") else ""))
        svc.add("方案时限", shown_moment(level["solution_due"]) + (" 已给出" if level.get("solved_at") else ""))
    if chosen not in ("return", "exchange"):  # a return or an exchange is not repaired
        svc.add("维修类别", REPAIR_KINDS.get(repair.get("kind"), (repair.get("kind"),))[0])
        if repair.get("due_from"):
            svc.add("预计修复", f"{repair['due_from']} 至 {repair.get('due_by')}（工作日计）")
    for f in view.get("follow_ups") or []:
        if not f.get("done_at"):
            status = "待办"
        else:   # a call made, or made moot by a move or an outcome
            status = f"{'已完成' if f.get('called', True) else moot_reason(f)} {shown_moment(f.get('done_at'))}"
        svc.add(f"{purpose_label(f['purpose'])}·{party_label(f['party'])}",
                f"{f.get('due')}（{status}）")
    for n in view.get("notices") or []:
        svc.add("待办提醒", n.get("message_zh"))

    mail_in = view.get("mail_in")
    result = _Rows(fmt)
    if outcome.get("kind"):
        result.add("处理结果", outcome.get("summary_zh"))
        if outcome.get("kind") == "exchange":
            result.add("新机 IMEI", outcome.get("imei"))
            result.add("新机序列号", outcome.get("serial"))
            result.add("新三包凭证", outcome.get("certificate"))
            result.add("说明", "换货后三包有效期自换货之日起重新计算，请保管好新的三包凭证与发票（第二十一条）")
        if outcome.get("kind") == "paid_repair":
            result.add("报价", f"{outcome.get('quote', 0):g} 元")
    elif view.get("remedy"):
        result.add("客户选择", vocab.label("remedy", view["remedy"]))
    store_name, store_lines = _store_lines(view, store_info)
    values = {
        "title": "手机售后服务受理单",
        "number": esc(view.get("number", "")),
        "store": esc(store_name),
        "store_lines": esc(store_lines) if fmt == "text" else esc(store_lines).replace("\n", "<br>"),
        "result_rows": result.render(empty="尚未办理"),
        "checklist_rows": _checklist(intake, fmt),
        "staff": esc(view.get("staff", "")),
        "intake_at": esc(shown_moment(view.get("intake_at"))),
        "state": esc(state_label(view.get("state", ""))),
        "mail_in_line": "    服务方式：寄修" if mail_in else "    服务方式：到店送修",
        "mail_in_html": "<span>服务方式：寄修</span>" if mail_in else "<span>服务方式：到店送修</span>",
        "customer_name": esc((view.get("customer") or {}).get("name", "")),
        "customer_phone": esc(shown_phone((view.get("customer") or {}).get("phone")) or ""),
        "device_rows": dev.render(),
        "fault_rows": flt.render(),
        "document_rows": docs.render(empty="未出示凭证"),
        "decision_seq": str(seq),
        "decided_at": esc(decided_at),
        "remedy_rows": remedy_rows,
        "decision_rows": dec.render(),
        "policies": esc(policies),
        "service_rows": svc.render(),
    }
    name = "ticket.html" if fmt == "html" else "ticket.txt"
    text = _template(name).substitute(values)
    return fit_columns(text, columns) if fmt == "text" and columns else text


def store_name(code: str, info: Any = None) -> str:
    """The service point as a customer reads it: its name, else 门店 and its code (``门店 SZ01``:
    a bare code reads as nothing to a customer)."""
    name = getattr(info, "name", None) if info is not None else None
    return name or (f"门店 {code}" if code else "")


def _store_lines(view: Mapping[str, Any], info: Any) -> tuple[str, str]:
    """The service point (its name with its code beside, else ``门店 SZ01``), and its address
    and hotline line (empty when no name is set)."""
    code = view.get("store", "")
    if info is None or not getattr(info, "name", None):
        return store_name(code), ""
    parts = []
    if info.address:
        parts.append(f"地址：{info.address}")
    if info.hotline:
        parts.append(f"服务热线：{shown_phone(info.hotline)}")
    parts.append(f"营业时间：{info.opens}-{info.closes}")
    return f"{info.name}（{code}）", "  ".join(parts)


def _checklist(intake: Mapping[str, Any], fmt: str) -> str:
    """The data and account checklist: ☑ done, ☐ not done (seed 001 D)."""
    from .outcomestore import CHECKLIST, PASSCODE

    done = set(intake.get("checklist") or ())
    items = [f"{'☑' if key in done else '☐'} {label}" for key, (label, _en) in CHECKLIST.items()]
    passcode = intake.get("passcode")
    items.append("锁屏密码：" + "  ".join(f"{'☑' if key == passcode else '☐'}{label}"
                                        for key, (label, _en) in PASSCODE.items()))
    if fmt == "html":
        return "".join(f"<li>{html.escape(i)}</li>" for i in items)
    return "\n".join(f"  {i}" for i in items)


def render_pickup_notice(view: Mapping[str, Any], store_info: Any = None,
                         brand_label: Callable[[str], str] | None = None) -> str:
    """A pickup notice the clerk can copy into an SMS (one paragraph, no phone numbers): only
    while the unit waits for its owner (``PICKUP_READY``); before (never repaired) or after that
    (collected, returned, closed) a ``StoreError`` says why not."""
    state = str(view.get("state") or "")
    if state not in PICKUP_READY:
        zh, en = state_label(state, "zh"), state_label(state, "en")
        if state in WITH_US:
            raise StoreError(f"no pickup notice before the repair is done: the case is “{en}”",
                             zh=f"维修完成后才能发取机通知：现为「{zh}」")
        raise StoreError(f"no pickup notice: the case is already “{en}”", zh=f"本案例现为「{zh}」，不再发取机通知")
    name = (view.get("customer") or {}).get("name", "")
    store = store_name(view.get("store", ""), store_info)
    brand = view.get("brand", "")
    model = (view.get("device") or {}).get("model", "")
    device = product_words(brand, model, brand_label(brand) if brand_label else None)
    outcome = view.get("outcome") or {}
    what = {"exchange": "换货新机已到店", "repair": "已维修完毕", "paid_repair": "已维修完毕",
            "return": "退货退款已办理"}.get(outcome.get("kind") or "", "已可取机")
    # Chinese text, Chinese punctuation (full-width ，（）：): it is read on a phone as an SMS
    text = f"【{store}】{name}您好，您送修的{device}（单号 {view.get('number', '')}）{what}，"
    if outcome.get("kind") == "paid_repair" and outcome.get("consent"):
        text += f"维修费用 {outcome.get('amount', 0):g} 元，"
    text += "请携带受理单"
    if outcome.get("kind") == "exchange":
        text += "和原购机发票"
    text += "到店取机"
    if store_info is not None and getattr(store_info, "address", None):
        text += f"（地址：{store_info.address}）"
    if store_info is not None:
        text += f"，营业时间 {store_info.opens}-{store_info.closes}"
    text += "。"
    if store_info is not None and getattr(store_info, "hotline", None):
        text += f"咨询电话 {shown_phone(store_info.hotline)}。"
    return text


def render_mail_in(view: Mapping[str, Any], fmt: str = "text", store_info: Any = None) -> str:
    """The mail-in agreement (寄送维修协议书) of a mail-in case, filled in. ``store_info``: the
    service point, named as on the ticket (门店 SZ01 when it has no name)."""
    esc = html.escape if fmt == "html" else (lambda s: s)
    record = view.get("mail_in_record") or {}
    prod = _Rows(fmt)
    prod.add("发货快递商名称", record.get("courier"))
    prod.add("产品名称", record.get("product"))
    prod.add("产品型号/配置", record.get("model_config"))
    prod.add("机器序列号", record.get("serial"))
    prod.add("随机附件", "、".join(record.get("accessories") or []) or "无")
    prod.add("故障现象", record.get("fault"))
    prod.add("是否使用原包装", _yes(bool(record.get("original_packaging"))))

    ret = _Rows(fmt)
    by_post = record.get("return_by") == "post"
    ret.add("以邮寄方式送还", _yes(by_post))
    if not by_post:
        ret.add("其它取回方式", record.get("pickup_note") or RETURN_BY["pickup"][0])
    else:
        ret.add("运输方式", "  ".join(f"{'☑' if record.get('transport') == k else '☐'}{v[0]}"
                                   for k, v in TRANSPORT.items()))
        ret.add("运输公司名称", record.get("carrier"))
        ins = _yes(bool(record.get("insurance")))
        if record.get("insurance"):
            ins += f"，保险金额：{record.get('insurance_amount')} 元"
        ret.add("是否需要购买保险", ins)
        ret.add("是否加急", _yes(bool(record.get("express"))))
        ret.add("返回地址", record.get("return_address"))
        ret.add("返回邮政编码", record.get("return_postcode"))
        ret.add("返回联系电话", shown_phone(record.get("return_phone")))
    values = {
        "number": esc(view.get("number", "")),
        "store": esc(_store_lines(view, store_info)[0]),
        "date": esc((view.get("intake_at") or "")[:10]),
        "backup_ack": "是 ☑" if record.get("data_backup_acknowledged") else "否 ☐",
        "product_rows": prod.render(indent="   "),
        "return_rows": ret.render(indent="   "),
        "customer_name": esc((view.get("customer") or {}).get("name", "")),
        "customer_phone": esc(shown_phone((view.get("customer") or {}).get("phone")) or ""),
    }
    name = "mail_in.html" if fmt == "html" else "mail_in.txt"
    return _template(name).substitute(values)
