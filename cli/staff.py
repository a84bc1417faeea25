"""``aftersales staff``: who may sign in at a counter, and the access log.

A staff member has a code (``S001``), a name, a store (a manager may have none: every store),
a role (``clerk`` or ``manager``) and a PIN of 6 to 12 digits, kept only as a salted Argon2id
hash. The first one registered must be a manager; after that only a signed-in manager adds,
disables or resets others. Once any staff member exists, every write at a counter
(``cases new``, ``edit``, ``move``, ``follow-up``, ``note``, ``reevaluate``, ``remedy``, ``outcome``,
``inspect``, ``stores set``) signs in: ``--staff CODE`` (env ``AFTERSALES_STAFF``) and the PIN,
asked for on a terminal or read from ``AFTERSALES_PIN``; policy bundles are published, activated
and rolled back by a signed-in manager only.
"""

from __future__ import annotations

import os
import sys

import click

from aftersales.cli._common import echo_json, message_lang

DB_OPTION = click.option("--db", "db_url", envvar="AFTERSALES_DB", metavar="URL",
                         help="数据库地址（sqlite:///文件 或 postgresql+psycopg://...；也可用环境变量 AFTERSALES_DB） / database URL (sqlite:///FILE or postgresql+psycopg://...); env AFTERSALES_DB.")
BY_OPTION = click.option("--by", "by", envvar="AFTERSALES_STAFF", metavar="CODE",
                         help="经办店长工号（也可用环境变量 AFTERSALES_STAFF；PIN 取 AFTERSALES_PIN，否则询问） / the signed-in manager's code (env AFTERSALES_STAFF); PIN from "
                              "AFTERSALES_PIN or asked.")
PIN_ENV = "AFTERSALES_PIN"
NEW_PIN_ENV = "AFTERSALES_NEW_PIN"


def read_pin(prompt: str = "PIN", env: str = PIN_ENV, *, confirm: bool = False) -> str | None:
    """The PIN from ``env``, else asked on a terminal (hidden), else ``None``."""
    value = os.environ.get(env)
    if value:
        return value.strip()
    if sys.stdin is not None and sys.stdin.isatty():
        return click.prompt(prompt, hide_input=True, confirmation_prompt=confirm, err=True)
    return None


def signed_in(store, staff: str | None, store_code: str | None = None) -> str:
    """The actor the event log records for this command at ``store`` (a ``CaseStore``).

    With staff registered: the code and PIN must sign in (``AccessDenied``, exit 7, otherwise) and
    the result is ``"CODE 姓名"``. Without: the ``--staff`` name as given.
    """
    from aftersales.store import staff as store_staff
    from aftersales.store.errors import AccessDenied

    if not store_staff.sign_in_required(store.engine):
        return staff or ""
    ctx = click.get_current_context(silent=True)
    meta = ctx.meta if ctx is not None else {}
    pin = meta.get("aftersales_pin") or read_pin()  # asked once per command
    if not pin:
        raise AccessDenied(f"sign in: give --staff CODE and the PIN (env {PIN_ENV}, or type it at a terminal)",
                           zh=f"请登录：--staff 工号，PIN 由 {PIN_ENV} 提供或在终端输入")
    member = meta.get("aftersales_member")
    if member is None or member.code != str(staff or "").strip().upper() or (
            store_code and member.store and member.store != store_code.strip().upper()):
        member = store_staff.sign_in(store.engine, staff, pin, store=store_code)
    meta["aftersales_pin"] = pin
    meta["aftersales_member"] = member
    return member.actor


def _engine(db_url):
    from aftersales.store import db as store_db

    return store_db.open_engine(db_url)


def signed_in_manager(engine, by: str | None, *, does: tuple[str, str] = ("changes the staff list", "修改员工名单")
                      ) -> str | None:
    """The signed-in manager (``"CODE 姓名"``) for a command only a manager may run once staff are
    registered (``AccessDenied``, exit 7, otherwise); ``None`` while no staff member exists.
    ``does``: what the command does, in English and Chinese, for the refusal."""
    from aftersales.store import staff as store_staff
    from aftersales.store.errors import AccessDenied

    if not store_staff.sign_in_required(engine):
        return None
    en, zh = does
    pin = read_pin()
    if not by or not pin:
        raise AccessDenied(f"only a signed-in manager {en}: give --by CODE (env AFTERSALES_STAFF) "
                           f"and the PIN ({PIN_ENV}, or type it at a terminal)",
                           zh=f"须由店长登录后{zh}：--by 工号，PIN 由 {PIN_ENV} 提供或在终端输入")
    member = store_staff.sign_in(engine, by, pin)
    if member.role != "manager":
        raise AccessDenied(f"{member.code} is a clerk: only a manager {en}",
                           zh=f"{member.code} 不是店长，不能{zh}")
    return member.actor


def _manager(engine, by: str | None) -> str:
    """The signed-in manager who changes the staff list; ``"(first manager)"`` while there is none."""
    return signed_in_manager(engine, by) or "(first manager)"


@click.group("staff")
def staff() -> None:
    """员工工号与 PIN / Staff who sign in at a counter, and the access log."""


@staff.command("add")
@click.argument("code")
@click.option("--name", required=True, help="姓名 / name.")
@click.option("--store", "store_code", metavar="CODE", help="门店（店长可不填：所有门店） / store (a manager may have none: every store).")
@click.option("--manager", "is_manager", is_flag=True, help="店长（可导出，可看所有门店的案例） / a manager (exports, every store's cases).")
@BY_OPTION
@DB_OPTION
def add(code, name, store_code, is_manager, by, db_url) -> None:
    """登记员工 / Register a staff member; the new PIN is asked twice (or AFTERSALES_NEW_PIN)."""
    from aftersales.store import staff as store_staff
    from aftersales.store.errors import StoreError
    from aftersales.store.localday import counter_now

    engine = _engine(db_url)
    try:
        first = not store_staff.sign_in_required(engine)
        if first and not is_manager:
            raise StoreError("the first staff member must be a manager (--manager): only a manager adds others",
                             field="staff", zh="第一位员工须为店长（--manager），之后由店长登记其他员工")
        _manager(engine, by)
        pin = read_pin("新 PIN / new PIN", NEW_PIN_ENV, confirm=True)
        if not pin:
            raise StoreError(f"give the new PIN at a terminal or in {NEW_PIN_ENV}", field="pin",
                             zh=f"请在终端输入新 PIN，或由环境变量 {NEW_PIN_ENV} 提供")
        member = store_staff.add_staff(engine, code, name, pin=pin, store=store_code,
                                       role="manager" if is_manager else "clerk", now=counter_now())
    finally:
        engine.dispose()
    zh = message_lang(None) == "zh"
    click.echo(f"{member.code} {member.name}  {_role(member.role, zh)}  {member.store or ('全部门店' if zh else 'every store')}")


def _role(role: str, zh: bool) -> str:
    return {"manager": "店长", "clerk": "店员"}.get(role, role) if zh else role


@staff.command("list")
@click.option("--store", "store_code", metavar="CODE", help="只列此门店 / only this store.")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON / print JSON.")
@DB_OPTION
def list_(store_code, as_json, db_url) -> None:
    """员工名单（不含 PIN） / The staff list (never a PIN or its hash)."""
    from aftersales.store import staff as store_staff

    engine = _engine(db_url)
    try:
        rows = store_staff.list_staff(engine, store=store_code)
    finally:
        engine.dispose()
    if as_json:
        echo_json(rows)
        return
    zh = message_lang(None) == "zh"
    for r in rows:
        state = "" if r["active"] else ("  （已停用）" if zh else "  (disabled)")
        click.echo(f"{r['code']:<8} {r['name']}  {_role(r['role'], zh)}  {r['store'] or '*'}{state}")


@staff.command("pin")
@click.argument("code")
@BY_OPTION
@DB_OPTION
def pin(code, by, db_url) -> None:
    """重设 PIN / Set a staff member's PIN (a manager; new PIN asked twice or AFTERSALES_NEW_PIN)."""
    from aftersales.store import staff as store_staff
    from aftersales.store.errors import StoreError
    from aftersales.store.localday import counter_now

    engine = _engine(db_url)
    try:
        _manager(engine, by)
        new = read_pin("新 PIN / new PIN", NEW_PIN_ENV, confirm=True)
        if not new:
            raise StoreError(f"give the new PIN at a terminal or in {NEW_PIN_ENV}", field="pin",
                             zh=f"请在终端输入新 PIN，或由环境变量 {NEW_PIN_ENV} 提供")
        store_staff.set_pin(engine, code, new, now=counter_now())
    finally:
        engine.dispose()
    click.echo(f"{code.upper()}: PIN 已更新 / PIN set")


@staff.command("disable")
@click.argument("code")
@click.option("--enable", is_flag=True, help="恢复 / enable again.")
@BY_OPTION
@DB_OPTION
def disable(code, enable, by, db_url) -> None:
    """停用员工（记录保留） / Disable a staff member (their records stay)."""
    from aftersales.store import staff as store_staff
    from aftersales.store.localday import counter_now

    engine = _engine(db_url)
    try:
        _manager(engine, by)
        store_staff.set_active(engine, code, enable, now=counter_now())
    finally:
        engine.dispose()
    said = ("：已启用", ": enabled") if enable else ("：已停用", ": disabled")
    click.echo(f"{code.upper()}{said[0] if message_lang(None) == 'zh' else said[1]}")


@staff.command("log")
@click.option("--limit", type=click.IntRange(1), default=50, show_default=True, help="条数 / lines.")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON / print JSON.")
@DB_OPTION
def log(limit, as_json, db_url) -> None:
    """查看访问日志（--reveal 与导出） / The access log: who saw full phone numbers or exported, and why."""
    from aftersales.store import staff as store_staff

    engine = _engine(db_url)
    try:
        rows = store_staff.read_access_log(engine, limit=limit)
    finally:
        engine.dispose()
    if as_json:
        echo_json(rows)
        return
    from aftersales.store.privacy import escape_all_controls

    for r in rows:
        click.echo(escape_all_controls(f"{r['at']}  {r['actor']}  {r['action']}  {r['command'] or ''}  "
                                       f"{r['case_count']} 件  {r['reason'] or ''}"))
