"""Who sees customers' data in full, and why: ``--reveal`` and exports are signed and logged.

``reveal_option()`` replaces a command's plain ``--reveal`` flag: it adds ``--reason TEXT``
(required with ``--reveal``), signs the staff member in before any work when the store has
staff (code from ``--staff`` or ``AFTERSALES_STAFF``, PIN from ``AFTERSALES_PIN`` or asked),
and when the command ends appends one line to the access log (``store/staff.py``) naming who,
why and every case shown in full. ``export=True`` does the same for every export (masked or
not), which only a manager may run once staff or database roles exist.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

import click

from aftersales.store.localday import counter_now, login_name

_SEEN = "aftersales_seen_cases"
_ACTOR = "aftersales_actor"


def note_seen(view: dict) -> None:
    """Record that the case of ``view`` was shown (called for every case view a command prints)."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None and _SEEN in ctx.meta and view.get("number"):
        ctx.meta[_SEEN].add(view["number"])


_PENDING = "aftersales_pending_access"


def begin_access(store) -> None:
    """Sign in and check the right to see or export, once the command has opened ``store`` (a
    ``CaseStore``; ``cases._open`` calls this), so an output file is checked before it."""
    ctx = click.get_current_context(silent=True)
    pending = ctx.meta.pop(_PENDING, None) if ctx is not None else None
    if pending is not None:
        pending(store)


def _begin(store, kwargs: dict[str, Any], reason: str | None, *, action: str, export: bool) -> None:
    from aftersales.cli.staff import signed_in
    from aftersales.store import db as store_db
    from aftersales.store import roles as store_roles
    from aftersales.store import staff as store_staff
    from aftersales.store.errors import AccessDenied

    ctx = click.get_current_context()
    engine = store.engine
    with store_db.read_connection(engine) as conn:
        role = store_roles.current_role(conn)
    store_code = role[1] if role is not None and role[0] == "store" else None
    if export:
        if role is not None and role[0] == "store":
            raise AccessDenied("exports are a manager's: this database role is a store's",
                               zh="导出须由经理办理：当前数据库角色属于门店")
    staff = kwargs.get("staff") or os.environ.get("AFTERSALES_STAFF")
    if store_staff.sign_in_required(engine):
        actor = signed_in(store, staff, kwargs.get("store_code"))
        member = ctx.meta["aftersales_member"]
        store_code = store_code or member.store
        if export:
            if member.role != "manager":
                raise AccessDenied(f"{member.code} is a clerk: exports are a manager's",
                                   zh=f"{member.code} 不是店长，不能导出")
    else:
        actor = staff or login_name()
    ctx.meta[_ACTOR] = actor
    ctx.meta[_SEEN] = set()
    command = ctx.command_path.split(" ", 1)[-1] if ctx.command_path else None
    url = store.engine.url

    def _log() -> None:
        seen = ctx.meta.get(_SEEN) or set()
        if not seen and not export:
            return
        engine = store_db.make_engine(url.render_as_string(hide_password=False))
        try:
            store_staff.log_access(engine, actor=actor, action=action, reason=reason, cases=seen, now=counter_now(),
                                   command=command, store=store_code)
        finally:
            engine.dispose()

    ctx.call_on_close(_log)


def reveal_option(help_text: str = "显示完整电话号码（须 --reason，记入访问日志）/ show full phone numbers "
                                   "(needs --reason; logged).", *, export: bool = False) -> Callable:
    def decorate(f: Callable) -> Callable:
        @functools.wraps(f)
        def wrapper(*args, **kwargs):
            reason = kwargs.pop("reveal_reason", None)
            if kwargs.get("reveal") or export:
                from aftersales.store.errors import StoreError
                from aftersales.store.privacy import clean_text

                if kwargs.get("reveal"):
                    reason, _ = clean_text(reason, "reason")
                    if not reason or not reason.strip():
                        raise StoreError("--reveal needs --reason TEXT: why the full numbers are needed (it is "
                                         "logged)", field="reason", zh="--reveal 须以 --reason 说明用途（将记入访问日志）")
                action = ("export_revealed" if kwargs.get("reveal") else "export") if export else "reveal"
                click.get_current_context().meta[_PENDING] = functools.partial(
                    _begin, kwargs=kwargs, reason=reason, action=action, export=export)
            return f(*args, **kwargs)

        wrapper = click.option("--reason", "reveal_reason", metavar="TEXT",
                               help="查看完整号码的原因（记入访问日志）/ why full numbers are shown (logged).")(wrapper)
        return click.option("--reveal", is_flag=True, help=help_text)(wrapper)

    return decorate
