"""``aftersales cases``: the case store and the counter workflow.

Every command takes ``--db URL`` (env ``AFTERSALES_DB``; default: the SQLite file in the user
data directory, created on first use). Who is at the counter comes from ``--staff`` (env
``AFTERSALES_STAFF``, else the login name); the store code from ``--store`` (env
``AFTERSALES_STORE``). The clock is the system clock in China Standard Time; ``AFTERSALES_NOW``
(an ISO date-time) fixes it for tests and replays.

Every output masks phone numbers unless ``--reveal``; whatever is printed has its control
characters escaped (``\x1b``), so stored text cannot drive the terminal. Files (``-o``) are
written whole or not at all: a temporary file beside the target, synced, then renamed.

Exit codes: 0 ok; 2 bad input (case file, phone, unknown case, disallowed move, an output file
that cannot be written); 3 a plugin failed; 4 the database cannot be reached or written; 5 the
database schema needs ``aftersales db upgrade``.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from typing import Any

import click

from aftersales.cli._common import echo_json, echo_out, json_text, message_lang, output_file
from aftersales.cli.access import begin_access, note_seen, reveal_option
from aftersales.cli.staff import signed_in
from aftersales.store.localday import counter_now, login_name, shown_moment

DB_OPTION = click.option("--db", "db_url", envvar="AFTERSALES_DB", metavar="URL",
                         help="数据库地址（sqlite:///文件 或 postgresql+psycopg://...；也可用环境变量 AFTERSALES_DB） / database URL (sqlite:///FILE or postgresql+psycopg://...); env AFTERSALES_DB.")
JSON_OPTION = click.option("--json", "as_json", is_flag=True, help="输出 JSON / print JSON.")
#: ``--reveal`` with its ``--reason``: signed in and written to the access log (cli/access.py)
REVEAL_OPTION = reveal_option()
OUTPUT_OPTION = click.option("--output", "-o", type=click.Path(), metavar="FILE",
                             help="写入文件（完整写入或不写）/ write to FILE, whole or not at all.")


# --- what reaches the terminal ------------------------------------------------------------------

def _echo(text: str = "", **kwargs) -> None:
    """``echo_out`` of human text with its control characters escaped (``\x1b``)."""
    from aftersales.store.privacy import escape_controls

    echo_out(escape_controls(text), **kwargs)


def _warn(lines) -> None:
    from aftersales.cli._common import warn

    for line in lines or ():
        warn(line)


def _show_view(view: dict, as_json: bool, reveal: bool) -> dict | None:
    """What a command that changed a case shows: its warnings said, the view masked (unless
    ``reveal``), printed whole with ``--json`` (``None`` returned: nothing more to say), else
    returned for the command's one line."""
    _warn(view.get("warnings"))
    view = _mask_view(view, reveal)
    if as_json:
        echo_json(view)
        return None
    return view


def _mask_view(view: dict, reveal: bool) -> dict:
    """The case view with ID-card and passport-like numbers in its free text masked (always: a
    row stored before intake masked them) and its phone numbers masked unless ``reveal``."""
    from aftersales.store.contact import mask_phone
    from aftersales.store.privacy import mask_stored_text

    view = mask_stored_text(view)
    note_seen(view)  # for the access log of --reveal and exports
    if reveal:
        return view
    if view.get("customer"):
        view["customer"] = {**view["customer"], "phone": mask_phone(view["customer"].get("phone"))}
    mail = view.get("mail_in_record")
    if mail and mail.get("return_phone"):
        view["mail_in_record"] = {**mail, "return_phone": mask_phone(mail["return_phone"])}
    return view


# --- files ----------------------------------------------------------------------------------------

def _staff_option(required: bool = False):
    return click.option("--staff", "--by", "staff", envvar="AFTERSALES_STAFF", metavar="NAME",
                        default=None if required else login_name, show_default=False,
                        required=required,
                        help="经办人（也可用环境变量 AFTERSALES_STAFF；不给时取登录名） / who does this (env AFTERSALES_STAFF; default: login name).")




def _open(db_url: str | None, *, engine: bool = False):
    from aftersales.store.casestore import CaseStore

    store = CaseStore.open(db_url)
    if engine:   # decided with the bundle in force in this store (or the counter's own folder)
        from aftersales.cli._common import make_registry
        from aftersales.store.evaluator import RegistryEvaluator

        try:
            store._evaluator = RegistryEvaluator(make_registry(engine=store.engine))
        except BaseException:
            store.close()
            raise
    _warn(store.warnings)
    begin_access(store)  # --reveal and exports: signed in, logged
    return store


def _load_mapping(path: str, what: str) -> Any:
    """A case file, or another YAML or JSON file (the mail-in record), read by the one loader."""
    from aftersales.core.casefile import load_case_file, load_data_file

    if what == "case":
        return load_case_file(path)
    from aftersales.store.errors import StoreError

    return load_data_file(path, StoreError)


def _state_arg(value: str) -> str:
    from aftersales.store.workflow import STATES

    text = value.strip()
    for key, (zh, en) in STATES.items():
        if text in (key, zh, en) or text.lower() == key:
            return key
    return text.lower()


def _remedy(value: str | None, lang: str = "zh") -> str:
    from aftersales.core.vocab import label

    return label("remedy", value, lang) if value else ("无" if lang == "zh" else "none")


def _phone(phone: str | None) -> str:
    """A (masked) number as people read it (``store.contact.shown_phone``)."""
    from aftersales.store.contact import shown_phone

    return shown_phone(phone) or ""


def _state(view: dict, lang: str) -> str:
    """The case's state as people read it, in ``lang`` (the view's ``state_zh`` is the Chinese)."""
    from aftersales.store.workflow import state_label

    return state_label(view["state"], lang)


def _state_cells(view: dict, lang: str) -> str:
    """The state, padded for a table column as wide as the longest state in ``lang``."""
    from rich.cells import cell_len

    from aftersales.store.workflow import STATES

    return _cells(_state(view, lang), max(cell_len(pair[0 if lang == "zh" else 1]) for pair in STATES.values()))


def _notice(notice: dict, lang: str) -> str:
    return notice["message_zh"] if lang == "zh" else notice["message_en"]


@click.group("cases")
def cases() -> None:
    """案例库与柜台流程 / The case store and counter workflow."""


@cases.command("new")
@click.argument("casefile", type=click.Path(dir_okay=False))
@click.option("--customer", required=True, metavar="NAME", help="客户姓名 / customer's name.")
@click.option("--phone", required=True, metavar="PHONE", help="联系电话：大陆手机，或带区号的固话；其他地区写国家或地区代码（+852 9123 4567） / phone: mainland mobile or landline with area code; "
                                                             "others with their country code (+852 9123 4567).")
@click.option("--store", "store_code", envvar="AFTERSALES_STORE", required=True, metavar="CODE",
              help="服务网点代码，如 SZ01（也可用环境变量 AFTERSALES_STORE） / service point code, e.g. SZ01 (env AFTERSALES_STORE).")
@_staff_option()
@click.option("--mail-in", "mail_in", type=click.Path(dir_okay=False), metavar="FILE",
              help="寄修：寄送维修协议书（YAML/JSON） / mail-in record; makes a mail-in case.")
@click.option("--repair-kind", type=click.Choice(["simple", "complex"]), default="simple", show_default=True,
              help="维修类别，决定工作日时限 / repair kind (3-5 or 7-10 working days).")
@click.option("--note", help="备注 / note in the event log.")
@click.option("--accessories", help="随机附件，逗号分隔 / accessories received, comma-separated.")
@click.option("--appearance", help="外观检查所见 / appearance as inspected.")
@click.option("--checklist", help="已完成的项目（逗号分隔）：backed_up,signed_out,find_my_off / data checklist done.")
@click.option("--passcode", type=click.Choice(["removed", "given", "kept"]), help="锁屏密码 / screen passcode.")
@click.option("--backdate", is_flag=True,
              help="按案例文件的 case_date（早于今日）判定并记入日志 / decide as of the file's earlier "
                   "case_date (recorded as back-dated); without it a case is decided as of the intake day.")
@DB_OPTION
@JSON_OPTION
@REVEAL_OPTION
def new(casefile, customer, phone, store_code, staff, mail_in, repair_kind, note, backdate, db_url, as_json,
        reveal, accessories=None, appearance=None, checklist=None, passcode=None) -> None:
    """受理一个案例 / Take in a case: decide it and store it with its follow-ups.

    案例按今天（受理日）判定。案例文件的 case_date 早于今天时，除非给出 --backdate，
    否则拒绝；自由文本中的身份证号或护照号在保存前打码，并给出提示。

    The case is decided as of today (the intake day). A case file whose case_date is earlier
    is refused unless --backdate is given; free text with an ID-card or passport number is
    masked before it is stored, with a warning.
    """
    mapping = _load_mapping(casefile, "case")
    mail = _load_mapping(mail_in, "mail_in") if mail_in else None
    with _open(db_url, engine=True) as store:
        staff = signed_in(store, staff, store_code)
        view = store.create_case(mapping, store=store_code, staff=staff, customer=customer, phone=phone,
                                 now=counter_now(), mail_in=mail, repair_kind=repair_kind, note=note,
                                 backdate=backdate, intake=_intake(accessories, appearance, checklist, passcode))
        lang = message_lang()
        brand_label = _brand_labeler(lang=lang, registry=getattr(store.evaluator, "registry", None))
    _warn(view.get("warnings"))
    view = _mask_view(view, reveal)
    decided = view["decisions"][0]["decision"] if view.get("decisions") else {}
    if as_json:
        echo_json(view)
    else:
        if decided.get("legal") is False:   # the first line says it
            from aftersales.core.decision import NOT_LEGAL_EN, NOT_LEGAL_ZH

            _echo(f"!! {NOT_LEGAL_ZH if lang == 'zh' else NOT_LEGAL_EN}")
        due = f"{view['repair']['due_from']}~{view['repair']['due_by']}"
        device = f"{brand_label(view['brand'])} {view['device']['model']}"
        if lang == "zh":
            _echo(f"已受理 {view['number']}  {device}  可享受：{_remedy(view['entitlement'])}  "
                  f"回访：{view['next_follow_up']}  预计修复：{due}")
        else:
            _echo(f"taken in {view['number']}  {device}  entitled to: {_remedy(view['entitlement'], lang)}  "
                  f"follow-up: {view['next_follow_up']}  repair due: {due}")
    _plugin_failed(view["number"], decided)


def _plugin_failed(number: str, decision: dict) -> None:
    """A stored decision made without a plugin: exit 3, saying which and what to do next."""
    failures = decision.get("plugin_errors") or []
    if failures:
        from aftersales.core.errors import PluginError

        f = failures[0]
        raise PluginError(
            f"case {number} is stored, but decided without plugin {f['plugin']!r} ({f['hook']}: {f['error']}); "
            f"once it is fixed: aftersales cases reevaluate {number}", plugin=f["plugin"],
            zh=f"案例 {number} 已保存，但判定时插件 {f['plugin']!r} 出错（{f['hook']}：{f['error']}），"
               f"结论缺少该插件；修复后请执行 aftersales cases reevaluate {number}")


@cases.command("list")
@click.option("--state", help="状态，逗号分隔（received、in_repair…） / state(s), comma-separated (received, in_repair...).")
@click.option("--due", is_flag=True, help="只列今日到期或逾期的 / only cases with something due today.")
@click.option("--overdue", is_flag=True,
              help="只列逾期的（答复、方案、维修时限、备用机）/ only overdue cases (answer, solution, repair).")
@click.option("--brand", help="品牌 / brand id.")
@click.option("--store", "store_code", help="服务网点 / store code.")
@click.option("--limit", type=click.IntRange(1), help="最多列出 / at most this many.")
@DB_OPTION
@JSON_OPTION
@REVEAL_OPTION
def list_(state, due, brand, store_code, limit, db_url, as_json, reveal, overdue=False) -> None:
    """列出案例（新的在前） / List cases, newest first."""
    from aftersales.store.workflow import local_date

    state = ",".join(_state_arg(s) for s in state.split(",")) if state else None
    with _open(db_url) as store:
        rows = store.list_cases(state=state, brand=brand, store=store_code, due=due,
                                today=local_date(counter_now()), reveal=reveal, limit=limit, overdue=overdue, now=counter_now())
    rows = [_mask_view(r, reveal) for r in rows]
    if as_json:
        echo_json(rows)
        return
    lang = message_lang()
    if not rows:
        _echo("没有符合条件的案例" if lang == "zh" else "no cases", err=True)
        return
    brand_label = _brand_labeler(lang=lang)
    brand_width = _brand_width(rows, brand_label)
    for r in rows:
        line = (f"{r['number']:<20} {_state_cells(r, lang)} {_cells(brand_label(r['brand']), brand_width)} "
                f"{_cells(r['device']['model'], 18)} "
                f"{_cells(r['customer']['name'], 10)} {_cells(_phone(r['customer']['phone']), 16)} "
                f"{_cells(_badge(r, lang), 12)} "
                f"{'回访' if lang == 'zh' else 'follow-up'} {r['next_follow_up'] or '-':<10}")
        flagged = r["notices"] + ((r.get("service_level") or {}).get("notices") or [])
        if flagged:
            line += "  ⚠ " + ("；" if lang == "zh" else "; ").join(_notice(n, lang) for n in flagged)
        _echo(line.rstrip())


list_.name = "list"


@cases.command("show")
@click.argument("number")
@DB_OPTION
@JSON_OPTION
@REVEAL_OPTION
def show(number, db_url, as_json, reveal) -> None:
    """一个案例的全部信息 / Everything about one case."""
    from aftersales.store.workflow import (
        event_label,
        local_date,
        moot_reason,
        party_label,
        purpose_label,
        state_label,
        trigger_label,
    )

    with _open(db_url) as store:
        view = _mask_view(store.get(number, today=local_date(counter_now()), now=counter_now()), reveal)
    if as_json:
        echo_json(view)
        return
    lang = message_lang()
    zh = lang == "zh"
    brand_label = _brand_labeler(lang=lang)
    c = view["customer"]
    _echo(f"{view['number']}  {_state(view, lang)}  {view['store']}  {'受理人' if zh else 'taken in by'} {view['staff']}")
    _echo(f"{'客户' if zh else 'customer'} {c['name']}  {_phone(c['phone'])}   {brand_label(view['brand'])} {view['device']['model']}"
          + (f"  IMEI {view['device']['imei']}" if view['device']['imei'] else "")
          + (("  寄修" if zh else "  mail-in") if view["mail_in"] else ""))
    rep = view["repair"]
    due = f"{rep['due_from']}~{rep['due_by']}"
    if zh:
        _echo(f"受理 {shown_moment(view['intake_at'])}  "
              + (f"结果 {_badge(view, lang)}  " if view.get("outcome") else f"可享受 {_remedy(view['entitlement'])}  ")
              + f"送修 {rep['days_in_repair']} 天  预计修复 {due}" + ("  缺件" if rep["awaiting_parts"] else ""))
    else:
        _echo(f"taken in {shown_moment(view['intake_at'])}  "
              + (f"outcome {_badge(view, lang)}  " if view.get("outcome")
                 else f"entitled to {_remedy(view['entitlement'], lang)}  ")
              + f"{rep['days_in_repair']} days in repair  repair due {due}"
              + ("  awaiting parts" if rep["awaiting_parts"] else ""))
    for n in view["notices"]:
        _echo(f"  ⚠ {_notice(n, lang)}")
    _show_outcome(view, lang)
    _echo("回访：" if zh else "follow-ups:")
    for f in view["follow_ups"]:
        if not f["done_at"]:
            done = "待办" if zh else "to do"
        else:   # a call made, or made moot by a move or an outcome
            called = ("已完成" if zh else "done") if f.get("called", True) else moot_reason(f, lang)
            done = f"{called} {shown_moment(f['done_at'])}" + (f"（{f['done_by']}）" if zh else f" ({f['done_by']})")
        party = party_label(f["party"], lang)
        purpose = purpose_label(f["purpose"], lang)
        _echo(f"  {f['due']}  {party}  {purpose}  {done}")
    _echo("判定：" if zh else "decisions:")
    titles = _policy_titles(lang)
    for d in view["decisions"]:
        pols = ", ".join(f"{titles.get(p.get('id'), p.get('id'))} {p.get('version')}" for p in d["policies"])
        _echo(f"  #{d['seq']} {shown_moment(d['evaluated_at'])} {trigger_label(d['trigger'], lang)}  "
              f"{_remedy(d['entitlement'], lang)}  [{pols}]")
    _echo("记录：" if zh else "events:")
    for e in view["events"]:
        move = f"{state_label(e['from'], lang)} → {state_label(e['to'], lang)}" if e["from"] and e["from"] != e["to"] \
            else (state_label(e["to"], lang) if e["to"] else "")
        _echo(f"  {shown_moment(e['at'])}  {_cells(e['actor'], 8)} {event_label(e['kind'], lang)}  {move}"
              + (f"  {e['note']}" if e["note"] else ""))
        for path, change in ((e.get("data") or {}).get("changes") or {}).items():   # a correction: what it changed
            _echo(f"      {_change_text(path, change, lang)}")


@cases.command("move")
@click.argument("number")
@click.argument("state")
@click.option("--note", help="备注（撤销或退回维修时必填） / note (required to cancel or to send back to repair).")
@click.option("--repair-kind", type=click.Choice(["simple", "complex"]), help="维修类别 / repair kind.")
@click.option("--awaiting-parts/--parts-arrived", "awaiting_parts", default=None,
              help="维修等待零配件（换货期限按 60 天计） / the repair waits for parts (60-day exchange limit).")
@_staff_option()
@DB_OPTION
@JSON_OPTION
@REVEAL_OPTION
def move(number, state, note, repair_kind, awaiting_parts, staff, db_url, as_json, reveal) -> None:
    """改变案例状态（仅限流程允许的） / Move a case to another state the workflow allows."""
    from aftersales.store.workflow import state_label

    with _open(db_url) as store:
        staff = signed_in(store, staff)
        view = store.move(number, _state_arg(state), actor=staff, now=counter_now(), note=note,
                          repair_kind=repair_kind, awaiting_parts=awaiting_parts)
    view = _show_view(view, as_json, reveal)
    if view is None:
        return
    lang = message_lang()
    last_move = [e for e in view["events"] if e["kind"] == "move"][-1]
    _echo(f"{view['number']}{'：' if lang == 'zh' else ': '}{state_label(last_move['from'], lang)} → {_state(view, lang)}")
    for n in view["notices"]:
        _echo(f"  ⚠ {_notice(n, lang)}")


@cases.command("follow-up")
@click.argument("number")
@click.option("--note", required=True, help="回访内容 / what was said.")
@click.option("--party", type=click.Choice(["both", "repair_station", "customer"]), default="both",
              show_default=True, help="回访对象 / who was called.")
@click.option("--next-in", "next_in", type=click.IntRange(1, 90), metavar="DAYS",
              help="再次回访（天后） / schedule the next call in DAYS days.")
@click.option("--awaiting-parts/--parts-arrived", "awaiting_parts", default=None,
              help="维修站说明是否缺件 / what the repair station said about parts.")
@_staff_option()
@DB_OPTION
@JSON_OPTION
@REVEAL_OPTION
def follow_up(number, note, party, next_in, awaiting_parts, staff, db_url, as_json, reveal) -> None:
    """记录电话回访 / Record a follow-up call (day-10 回访 of repair station and customer)."""
    with _open(db_url) as store:
        staff = signed_in(store, staff)
        view = store.follow_up(number, actor=staff, note=note, now=counter_now(), party=party,
                               next_in_days=next_in, awaiting_parts=awaiting_parts)
    view = _show_view(view, as_json, reveal)
    if view is None:
        return
    if message_lang() == "zh":
        _echo(f"{view['number']}：已记录回访  下次回访：{view['next_follow_up'] or '无'}")
    else:
        _echo(f"{view['number']}: follow-up recorded  next follow-up: {view['next_follow_up'] or 'none'}")


@cases.command("note")
@click.argument("number")
@click.option("--note", required=True, help="备注内容 / what to record.")
@_staff_option()
@DB_OPTION
@JSON_OPTION
@REVEAL_OPTION
def note(number, note, staff, db_url, as_json, reveal) -> None:
    """记录备注（状态不变） / Record a note on a case (its state stays as it is).

    柜台上客户说的话、不算回访的电话，都可记为备注；已结案的案例也可以记。

    What the customer said at the counter, a call that is not a follow-up; a closed case takes
    notes too.
    """
    _record(db_url, staff, as_json, reveal, lambda store, actor: store.add_note(
        number, actor=actor, note=note, now=counter_now()), ("已记录备注", "note recorded"))


def _record(db_url: str | None, staff: str | None, as_json: bool, reveal: bool,
            record: Callable[[Any, str], dict], said: tuple[str, str]) -> None:
    """``record(store, actor)`` (a store method that writes one event and gives the case), the
    staff member signed in first; then the case as every command shows it, and ``said`` (中文,
    English) after its number."""
    with _open(db_url) as store:
        view = record(store, signed_in(store, staff))
    view = _show_view(view, as_json, reveal)
    if view is None:
        return
    _echo(f"{view['number']}：{said[0]}" if message_lang() == "zh" else f"{view['number']}: {said[1]}")


@cases.command("spare")
@click.argument("number")
@click.option("--note", help="哪部备用机等 / which phone, say.")
@_staff_option()
@DB_OPTION
@JSON_OPTION
@REVEAL_OPTION
def spare(number, note, staff, db_url, as_json, reveal) -> None:
    """记录借出备用机 / Record that a spare phone was lent while the unit is in repair.

    送修超过 7 天应提供备用机；记录后不再提示（案例页和店长日报）。

    A unit in repair over 7 days is owed a spare phone; once recorded, the case screen and the
    manager's report no longer say one is owed.
    """
    _record(db_url, staff, as_json, reveal, lambda store, actor: store.lend_spare(
        number, actor=actor, note=note, now=counter_now()), ("已记录借出备用机", "spare phone lent, recorded"))


@cases.command("reevaluate")
@click.argument("number")
@_staff_option()
@DB_OPTION
@JSON_OPTION
@REVEAL_OPTION
def reevaluate(number, staff, db_url, as_json, reveal) -> None:
    """按送修天数重新判定（追加，不覆盖） / Decide again with the days in repair; appends a decision."""
    with _open(db_url, engine=True) as store:
        staff = signed_in(store, staff)
        view = store.reevaluate(number, actor=staff, now=counter_now())
    shown = _show_view(view, as_json, reveal)
    if shown is not None:
        prev = shown["decisions"][-2]["entitlement"] if len(shown["decisions"]) > 1 else None
        days, count = shown["repair"]["days_in_repair"], shown["decision_count"]
        if message_lang() == "zh":
            _echo(f"{shown['number']}：第 {count} 次判定  送修 {days} 天  "
                  f"可享受：{_remedy(shown['entitlement'])}（上次：{_remedy(prev)}）")
        else:
            _echo(f"{shown['number']}: decision {count}  {days} days in repair  "
                  f"entitled to: {_remedy(shown['entitlement'], 'en')} (before: {_remedy(prev, 'en')})")
    _plugin_failed(view["number"], view["decisions"][-1]["decision"] if view.get("decisions") else {})


def _field_named(name: str) -> Any:
    """The case field ``--set`` names: by its path (``purchase.date``) or its label in Chinese
    (``购机日期``) or English (``Purchase date``, any case), as the field table gives them. An
    unknown name is refused with the nearest, named as it was written (a label, or a path)."""
    from aftersales.core.casefields import FIELDS
    from aftersales.store.errors import StoreError

    if name in FIELDS:
        return FIELDS[name]
    by_label = {f.zh: f for f in FIELDS.values()} | {f.en.lower(): f for f in FIELDS.values()}
    field = by_label.get(name) or by_label.get(name.lower())
    if field is not None:
        return field
    from aftersales.core.errors import nearest

    chinese = any(ord(ch) > 0x2e7f for ch in name)
    options = [f.zh for f in FIELDS.values()] if chinese else list(FIELDS) + [f.en for f in FIELDS.values()]
    close = nearest(name, options, 1)
    known_zh = "、".join(f.zh for f in FIELDS.values())
    known_en = ", ".join(FIELDS)
    raise StoreError(f"no case field {name!r}; " + (f"did you mean {close[0]!r}?" if close else f"fields: {known_en}"),
                     field="--set",
                     zh=f"没有案例字段 {name!r}；" + (f"您是否想写 {close[0]!r}？" if close else f"可用字段：{known_zh}"))


def _set_value(case: dict, assignment: str) -> None:
    """``FIELD=VALUE`` into ``case`` (a copy of the stored input): the path is a field of the case
    table, the value read as that field's kind (an empty value removes an optional field; ids
    fields take a comma-separated list). The field may be named by its label (``_field_named``)."""
    from aftersales.store.errors import StoreError

    path, sep, value = assignment.partition("=")
    if not sep:
        raise StoreError(f"{assignment!r}: give FIELD=VALUE, e.g. device.imei=356938035643809 or 购机日期=2026-06-01",
                         field="--set",
                         zh=f"{assignment!r}：请写成 字段=值，例如 购机日期=2026-06-01 或 device.imei=356938035643809")
    field = _field_named(path.strip())
    path = field.path
    value = value.strip()
    parsed: Any = value
    if field.kind == "flag":
        truth = {"true": True, "yes": True, "1": True, "是": True,
                 "false": False, "no": False, "0": False, "否": False}
        if value.lower() not in truth:
            raise StoreError(f"{path}: true or false, not {value!r}", field="--set",
                             zh=f"{field.zh}：应为 true 或 false，而不是 {value!r}")
        parsed = truth[value.lower()]
    elif field.kind == "count" and value:
        if not (value.isascii() and value.isdigit()):
            raise StoreError(f"{path}: a whole number, not {value!r}", field="--set",
                             zh=f"{field.zh}：应为整数，而不是 {value!r}")
        parsed = int(value)
    elif field.kind == "ids":
        parsed = [v.strip() for v in value.split(",") if v.strip()]
    *parents, name = path.split(".")
    node = case
    for key in parents:
        child = node.get(key)
        node[key] = child = dict(child) if isinstance(child, dict) else {}
        node = child
    if value == "" and field.kind != "ids":
        node.pop(name, None)
    else:
        node[name] = parsed


@cases.command("edit")
@click.argument("number")
@click.argument("casefile", required=False, type=click.Path(dir_okay=False))
@click.option("--set", "assignments", multiple=True, metavar="FIELD=VALUE",
              help="改一个字段（字段写中文名、英文名或路径），如 --set 购机日期=2026-06-01 / change one field, named by "
                   "its label or path, e.g. --set device.imei=356938035643809 (repeatable).")
@click.option("--customer", metavar="NAME", help="更正客户姓名 / the customer's name, corrected.")
@click.option("--phone", metavar="PHONE", help="更正联系电话 / the customer's phone, corrected.")
@click.option("--note", help="更正原因 / why (in the event log).")
@_staff_option()
@DB_OPTION
@JSON_OPTION
@REVEAL_OPTION
def edit(number, casefile, assignments, customer, phone, note, staff, db_url, as_json, reveal) -> None:
    """更正已保存的案例（编号不变） / Correct a saved case in place; the number stays.

    CASEFILE 是更正后的完整案例（YAML 或 JSON）；或者用 --set 字段=值
    （字段写中文名或路径）只改已保存案例的个别字段。更正会记入日志
    （改了什么、改前改后），并重新判定（追加一条判定）。

    CASEFILE is the whole corrected case (YAML or JSON), or --set FIELD=VALUE (a field by its
    label or path) changes single fields of the stored one. The change is logged (what changed,
    before and after) and the case is decided again (a decision appended).
    """
    from aftersales.store.errors import StoreError

    if casefile and assignments:
        raise StoreError("give a corrected case file or --set, not both", field="--set",
                         zh="请给出更正后的案例文件或 --set，不要同时给出")
    if not (casefile or assignments or customer is not None or phone is not None):
        raise StoreError("nothing to change: give a corrected case file, --set FIELD=VALUE, --customer or --phone",
                         zh="没有要更正的内容：请给出更正后的案例文件、--set 字段=值、--customer 或 --phone")
    with _open(db_url, engine=True) as store:
        mapping = None
        if casefile:
            mapping = _load_mapping(casefile, "case")
        elif assignments:
            mapping = json.loads(json.dumps(store.get(number)["case"]))
            for assignment in assignments:
                _set_value(mapping, assignment)
        staff = signed_in(store, staff)
        view = store.edit_case(number, actor=staff, case_input=mapping, customer=customer, phone=phone,
                               note=note, now=counter_now())
    _warn(view.get("warnings"))
    changes = view.pop("changes")
    view = _mask_view(view, reveal)
    if as_json:
        echo_json({**view, "changes": changes})
        return
    lang = message_lang()
    if lang == "zh":
        _echo(f"已更正 {view['number']}  第 {view['decision_count']} 次判定  可享受：{_remedy(view['entitlement'])}")
    else:
        _echo(f"corrected {view['number']}  decision {view['decision_count']}  "
              f"entitled to: {_remedy(view['entitlement'], lang)}")
    for path, change in changes.items():
        _echo(f"  {_change_text(path, change, lang)}")


def _change_text(path: str, change: dict[str, Any], lang: str = "zh") -> str:
    """One field a correction changed, by its name, its values as people read them: in Chinese
    the field's label alone (``出示的单证：购机发票、三包凭证 → 购机发票``; ``--set`` takes it), in
    English with the path too (``Papers presented (documents): invoice, … → invoice``)."""
    from aftersales.tui.i18n import field_label, value_text

    sep, empty = ("：", "（空）") if lang == "zh" else (": ", "(empty)")
    name = field_label(path, lang)
    named = name if lang == "zh" or name == path else f"{name} ({path})"
    return (f"{named}{sep}{value_text(path, change.get('from'), lang, empty)} → "
            f"{value_text(path, change.get('to'), lang, empty)}")


@cases.command("search")
@click.argument("text", nargs=-1, required=True)
@click.option("--open", "open_only", is_flag=True, help="只查未结案例 / open cases only.")
@click.option("--limit", type=click.IntRange(1), default=50, show_default=True, help="最多列出 / at most this many.")
@DB_OPTION
@JSON_OPTION
@REVEAL_OPTION
def search(text, open_only, limit, db_url, as_json, reveal) -> None:
    """查找案例 / Find cases: a full phone number, part of an IMEI or serial, a case number,
    a name, a model, or a brand in Chinese or English. Words typed apart are one text (a phone
    number said in groups: 138 0013 8000)."""
    from aftersales.cli._common import make_registry
    from aftersales.store.workflow import local_date

    text = " ".join(text)
    registry = make_registry()
    brands = {bid: (b.label_zh, b.label_en) for bid, b in registry.brands.items()}
    with _open(db_url) as store:
        rows = store.search(text, brands=brands, today=local_date(counter_now()), reveal=reveal, limit=limit,
                            open_only=open_only)
    rows = [_mask_view(r, reveal) for r in rows]
    if as_json:
        echo_json(rows)
        return
    lang = message_lang()
    if not rows:
        _echo("没有找到" if lang == "zh" else "nothing found", err=True)
        return
    brand_label = _brand_labeler(lang=lang, registry=registry)
    brand_width = _brand_width(rows, brand_label)
    for r in rows:
        _echo(f"{r['number']:<20} {_state_cells(r, lang)} {_cells(brand_label(r['brand']), brand_width)} "
              f"{_cells(r['device']['model'], 18)} {_cells(r['device']['imei'] or r['device']['serial'] or '-', 16)} "
              f"{_cells(r['customer']['name'], 10)} {_cells(_phone(r['customer']['phone']), 16)} "
              f"{(r['case_date'] or '')}".rstrip())


CSV_COLUMNS = ("number", "store", "staff", "customer_name", "customer_phone", "brand", "model", "imei", "serial",
               "state", "state_zh", "case_date", "intake_at", "entitlement", "decision_count", "mail_in",
               "repair_kind", "repair_due_by", "days_in_repair", "awaiting_parts", "next_follow_up",
               "notices", "policies", "closed_at")


def _csv_row(case: dict) -> dict:
    latest = case["decisions"][-1] if case["decisions"] else {}
    return {
        "number": case["number"], "store": case["store"], "staff": case["staff"],
        "customer_name": case["customer"]["name"], "customer_phone": case["customer"]["phone"],
        "brand": case["brand"], "model": case["device"]["model"], "imei": case["device"]["imei"] or "",
        "serial": case["device"]["serial"] or "", "state": case["state"], "state_zh": case["state_zh"],
        "case_date": case["case_date"], "intake_at": case["intake_at"], "entitlement": case["entitlement"] or "",
        "decision_count": case["decision_count"], "mail_in": "yes" if case["mail_in"] else "no",
        "repair_kind": case["repair"]["kind"], "repair_due_by": case["repair"]["due_by"] or "",
        "days_in_repair": case["repair"]["days_in_repair"],
        "awaiting_parts": "yes" if case["repair"]["awaiting_parts"] else "no",
        "next_follow_up": case["next_follow_up"] or "",
        "notices": ";".join(n["id"] for n in case["notices"]),
        "policies": ";".join(f"{p.get('id')}@{p.get('version')}" for p in latest.get("policies") or []),
        "closed_at": case["closed_at"] or "",
    }


@cases.command("export")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True,
              help="jsonl：每个案例的全部内容（判定、事件）；csv：每个案例一行摘要 / jsonl: every case in full (decisions, events); csv: one summary row per case.")
@OUTPUT_OPTION
@click.option("--state", help="只导出此状态 / only this state.")
@click.option("--brand", help="只导出此品牌 / only this brand.")
@DB_OPTION
@reveal_option(export=True)
def export(fmt, output, state, brand, db_url, reveal) -> None:
    """导出全部案例 / Export the cases (phones masked unless --reveal).

    用 -o FILE 时，文件要么完整出现，要么根本不出现（先写到旁边的临时文件，
    写完最后一个案例后落盘并改名）。

    With -o FILE the file appears complete or not at all (a temporary file beside it,
    synced and renamed when the last case is written).
    """
    from aftersales.store.privacy import escape_all_controls
    from aftersales.store.workflow import local_date

    with output_file(output, private=True) as out, _open(db_url) as store:
        rows = (_mask_view(r, reveal) for r in store.export(
            reveal=reveal, today=local_date(counter_now()), state=_state_arg(state) if state else None, brand=brand))
        if fmt == "csv":
            writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
            writer.writeheader()
            for case in rows:
                writer.writerow({k: escape_all_controls(v) if isinstance(v, str) else v
                                 for k, v in _csv_row(case).items()})
        else:
            for case in rows:
                out.write(json_text(case) + "\n")


@cases.command("ticket")
@click.argument("number")
@click.option("--html", "as_html", is_flag=True, help="可打印的 HTML / printable HTML.")
@click.option("--agreement", is_flag=True, help="寄送维修协议书（寄修案例）/ the mail-in agreement.")
@click.option("--sms", is_flag=True, help="取机通知短信文本 / the pickup notice, to copy into an SMS.")
@OUTPUT_OPTION
@DB_OPTION
@reveal_option("打印完整电话号码（交给客户的单据；须 --reason，记入访问日志）/ print full phone numbers "
               "(the customer's own copy; needs --reason, logged).")
def ticket(number, as_html, agreement, output, db_url, reveal, sms=False) -> None:
    """打印受理单 / Print the service ticket (受理单) or the mail-in agreement.

    电话号码打码显示，除非给出 --reveal（交给顾客的那一份）。

    Phone numbers are masked unless --reveal (the copy handed to the customer).
    """
    from aftersales.store.documents import render_mail_in, render_ticket
    from aftersales.store.errors import StoreError
    from aftersales.store.privacy import escape_controls
    from aftersales.store.workflow import local_date

    with output_file(output, private=True) as out:
        with _open(db_url) as store:
            view = _mask_view(store.get(number, today=local_date(counter_now()), now=counter_now()), reveal)
            info = store.store_info(view["store"])
            # the labels of the policies in force (brands, policy titles; documents a network declares)
            registry = None if agreement else _registry_or_none(store.engine)
            labeler = None if agreement else _brand_labeler(registry=registry)
        fmt = "html" if as_html else "text"
        if sms:
            from aftersales.store.documents import render_pickup_notice

            text = render_pickup_notice(view, info, brand_label=labeler)
        elif agreement:
            if not view.get("mail_in_record"):
                raise StoreError(f"case {view['number']} is not a mail-in case: no mail-in agreement",
                                 zh=f"案例 {view['number']} 不是寄修案例，没有寄送维修协议书")
            text = render_mail_in(view, fmt, store_info=info)
        else:
            from aftersales.core.plugininfo import policy_titles

            text = render_ticket(view, fmt, brand_label=labeler, store_info=info,
                                 policy_titles=policy_titles(registry, "zh"))
        text = escape_controls(text)
        out.write(text if text.endswith("\n") else text + "\n")
    if output and output != "-":
        _echo(output)


def _registry_or_none(engine=None) -> Any:
    """The registry the CLI loads, for labels (brands, policy titles); None when it does not load:
    a ticket and a listing always print. Loading it also puts in force the document labels its
    policies declare."""
    try:
        from aftersales.cli._common import make_registry

        return make_registry(engine=engine)
    except Exception:  # noqa: BLE001 - labels are a nicety
        return None


def _policy_titles(lang: str, registry=None) -> dict[str, str]:
    """Policy id -> its title in ``lang`` (``法定三包…``, ``Apple 售后服务政策…``) for the policies
    the CLI loads; empty when they do not load (the ids are shown then)."""
    if registry is None:
        registry = _registry_or_none()
    if registry is None:
        return {}
    from aftersales.core.plugininfo import policy_titles

    return policy_titles(registry, lang)


def _brand_labeler(lang: str = "zh", registry=None) -> Callable[[str], str]:
    """A brand's name as its plugin gives it (华为; Huawei in English) from ``registry``, else from
    the registry the CLI loads (``_registry_or_none``); the brand id when it does not load or the
    plugin is gone."""
    if registry is None:
        registry = _registry_or_none()
    from functools import partial

    from aftersales.core.plugininfo import brand_name

    return partial(brand_name, getattr(registry, "brands", None), lang=lang)


def _cells(text: str, width: int) -> str:
    """``text`` in exactly ``width`` terminal cells (a Chinese character takes two), cut with "…"
    when longer (``pad_cells``): a table's columns stay aligned, and a cut name reads as cut."""
    from aftersales.cli._common import pad_cells

    return pad_cells(text or "", width)


#: a table's brand column: as wide as its widest label, within these bounds (cells)
BRAND_CELLS = (8, 16)


def _brand_width(rows: list[dict], brand_label: Callable[[str], str]) -> int:
    """The brand column's width for ``rows``: the widest label shown, at least 8 and at most 16
    cells (a longer one is cut with "…")."""
    from rich.cells import cell_len

    widest = max((cell_len(brand_label(r["brand"])) for r in rows), default=0)
    return min(max(widest, BRAND_CELLS[0]), BRAND_CELLS[1])


def _register_generate() -> None:
    from aftersales.cli.generate import generate

    cases.add_command(generate, "generate")


_register_generate()


# --- outcomes, intake record, service levels (see cli/outcome.py) -------------------------------

def _badge(view: dict, lang: str = "zh") -> str:
    """What a list shows for a case, in ``lang`` (``store.outcomes.badge``)."""
    from aftersales.store.outcomes import badge

    return badge((view.get("outcome") or {}).get("kind"), view.get("state"), view.get("entitlement"), lang)


def _intake(accessories, appearance, checklist, passcode) -> dict | None:
    record = {"accessories": accessories, "appearance": appearance, "checklist": checklist, "passcode": passcode}
    return record if any(v is not None for v in record.values()) else None


def _show_outcome(view: dict, lang: str = "zh") -> None:
    """The lines of ``cases show`` for the remedy, the outcome, the service level and the unit."""
    from aftersales.core.vocab import label

    zh = lang == "zh"
    out = view.get("outcome")
    if out:
        _echo(f"处理结果 {out['summary_zh']}" if zh else f"outcome {out['summary_en']}")
    elif view.get("remedy"):
        _echo(f"客户选择 {label('remedy', view['remedy'])}（待办理）" if zh else
              f"chosen {label('remedy', view['remedy'], lang)} (to be done)")
    level = view.get("service_level")
    if level:
        late = level.get("met_late") or []

        def mark(which, due, met):
            return shown_moment(due) + ((" ✔" + (("（逾时）" if zh else " (late)") if which in late else "")) if met else "")

        _echo(f"服务时限 答复 {mark('answer', level['answer_due'], level['answered_at'])}  "
              f"方案 {mark('solution', level['solution_due'], level['solved_at'])}" if zh else
              f"service level  answer by {mark('answer', level['answer_due'], level['answered_at'])}  "
              f"solution by {mark('solution', level['solution_due'], level['solved_at'])}")
        for n in level.get("notices") or []:
            _echo(f"  ⚠ {_notice(n, lang)}")
    for u in view.get("unit_history") or []:
        data = u.get("data") or {}
        if u["kind"] == "replacement":
            restarts = data.get("warranty_after") != "continues"
            _echo(f"本机来历 {u.get('case')} 换货所换新机（{u['on']}），"
                  f"{'三包有效期自换货之日起重新计算' if restarts else '保修期延续原机'}" if zh else
                  f"this unit: the replacement given in {u.get('case')} ({u['on']}); "
                  + ("its period restarted on the exchange date" if restarts else "the warranty continues"))
        elif u["kind"] == "repair":
            _echo(f"本机来历 {u.get('case')} 免费修理 {data.get('days')} 天（{u['on']}）：{data.get('work')}" if zh else
                  f"this unit: repaired free in {u.get('case')}, {data.get('days')} days ({u['on']}): {data.get('work')}")


def _register_outcome() -> None:
    from aftersales.cli import outcome  # noqa: F401 - registers remedy, outcome, inspect


_register_outcome()
