"""Staff sign-in and the access log.

Who did what at a counter is the staff member signed in with a staff code and a PIN, not the
operating-system user. The PIN is kept only as a salted Argon2id hash (argon2-cffi's
``PasswordHasher``: its own random salt per hash, parameters stored with the hash and raised
on the next sign-in when this program's defaults grow).

Once a store has any active staff member, every write names one: ``sign_in`` checks the code
and PIN and gives the name the event log records (``"S001 王芳"``). A database with no staff
members (a single counter that never set any up) keeps the free ``--staff`` name.

``log_access`` appends to ``access_log`` (append-only, like the event log): every full view of
customers' data (``--reveal``) and every export, with who, when, why and which cases.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from . import db as _db
from .contact import normalize_store
from .errors import AccessDenied, StoreError
from .privacy import clean_text
from .schema import access_log, staff

ROLES = ("clerk", "manager")
_CODE = re.compile(r"^[A-Z0-9]{2,16}$")
_PIN = re.compile(r"^[0-9]{6,12}$")


@dataclass(frozen=True)
class StaffMember:
    code: str
    name: str
    store: str | None
    role: str

    @property
    def actor(self) -> str:
        """What the event log records: code and name."""
        return f"{self.code} {self.name}"[:64]


def _hasher():
    from argon2 import PasswordHasher

    return PasswordHasher()


def normalize_code(raw: str | None) -> str:
    code = str(raw or "").strip().upper()
    if not _CODE.match(code):
        raise StoreError(f"{raw!r} is not a staff code: 2-16 letters or digits, e.g. S001", field="staff",
                         zh=f"{raw!r} 不是工号：应为 2 至 16 位字母或数字，如 S001")
    return code


def check_pin(pin: str | None) -> str:
    if not pin or not _PIN.match(pin):
        raise StoreError("a PIN is 6 to 12 digits", field="pin", zh="PIN 须为 6 至 12 位数字")
    return pin


def add_staff(engine: Engine, code: str, name: str, *, pin: str, store: str | None, role: str = "clerk",
              now: datetime) -> StaffMember:
    """Register a staff member (a manager may have no store: the whole network)."""
    code = normalize_code(code)
    cleaned, found = clean_text(name, "name")
    name = (cleaned or "").strip()
    if found or not name or len(name) > 40:
        raise StoreError("a name of 1 to 40 characters, without control characters or ID numbers", field="name",
                         zh="姓名应为 1 至 40 个字符，不含控制字符或身份证号码")
    if role not in ROLES:
        raise StoreError(f"{role!r}: one of {', '.join(ROLES)}", field="role",
                         zh=f"{role!r}：应为 clerk（店员）或 manager（店长）")
    store_code = normalize_store(store) if store else None
    if store_code is None and role != "manager":
        raise StoreError("a clerk belongs to a store: give --store", field="store",
                         zh="店员须属于一个门店：请用 --store 给出门店代码")
    pin_hash = _hasher().hash(check_pin(pin))
    with _db.write_transaction(engine) as conn:
        if conn.execute(sa.select(staff.c.code).where(staff.c.code == code)).first() is not None:
            raise StoreError(f"staff code {code} is taken", field="staff", zh=f"工号 {code} 已存在")
        conn.execute(staff.insert(), {"code": code, "name": name, "store_code": store_code, "role": role,
                                      "pin_hash": pin_hash, "active": True, "created_at": now, "updated_at": now})
    return StaffMember(code, name, store_code, role)


def set_pin(engine: Engine, code: str, pin: str, *, now: datetime) -> None:
    code = normalize_code(code)
    pin_hash = _hasher().hash(check_pin(pin))
    with _db.write_transaction(engine) as conn:
        done = conn.execute(staff.update().where(staff.c.code == code),
                            {"pin_hash": pin_hash, "updated_at": now}).rowcount
    if not done:
        raise StoreError(f"no staff member {code}", field="staff", zh=f"没有工号 {code}")


def set_active(engine: Engine, code: str, active: bool, *, now: datetime) -> None:
    code = normalize_code(code)
    with _db.write_transaction(engine) as conn:
        done = conn.execute(staff.update().where(staff.c.code == code),
                            {"active": active, "updated_at": now}).rowcount
    if not done:
        raise StoreError(f"no staff member {code}", field="staff", zh=f"没有工号 {code}")


def list_staff(engine: Engine, *, store: str | None = None) -> list[dict[str, Any]]:
    query = sa.select(staff.c.code, staff.c.name, staff.c.store_code, staff.c.role, staff.c.active,
                      staff.c.created_at).order_by(staff.c.code)
    if store:
        query = query.where(staff.c.store_code == normalize_store(store))
    with _db.read_connection(engine) as conn:
        rows = conn.execute(query).all()
    from .workflow import CHINA_TZ

    return [{"code": r.code, "name": r.name, "store": r.store_code, "role": r.role, "active": bool(r.active),
             "created_at": r.created_at.astimezone(CHINA_TZ).isoformat(timespec="seconds")} for r in rows]


def sign_in_required(engine: Engine) -> bool:
    """True once any active staff member is registered."""
    with _db.read_connection(engine) as conn:
        return conn.execute(sa.select(staff.c.code).where(staff.c.active.is_(True)).limit(1)).first() is not None


def sign_in(engine: Engine, code: str | None, pin: str | None, *, store: str | None = None) -> StaffMember:
    """The staff member with this code and PIN (active, and of ``store`` unless a manager).

    A wrong code and a wrong PIN give the same answer, so the one does not reveal the other.
    """
    wrong = AccessDenied("staff code or PIN is wrong, or the staff member is disabled",
                         zh="工号或 PIN 错误，或该员工已停用")
    try:
        code = normalize_code(code)
    except StoreError:
        raise wrong from None
    with _db.read_connection(engine) as conn:
        row = conn.execute(sa.select(staff).where(staff.c.code == code)).first()
    from argon2.exceptions import VerificationError

    hasher = _hasher()
    if row is None or not row.active or not pin:
        hasher.hash("000000")  # the same work for an unknown code as for a wrong PIN
        raise wrong
    try:
        hasher.verify(row.pin_hash, pin)
    except VerificationError:
        raise wrong from None
    except Exception:  # noqa: BLE001 - a damaged hash is a refusal too
        raise wrong from None
    member = StaffMember(row.code, row.name, row.store_code, row.role)
    if store and member.store and member.store != normalize_store(store):
        raise AccessDenied(f"{member.code} works at {member.store}, not {normalize_store(store)}",
                           zh=f"{member.code} 属于门店 {member.store}，不能办理 {normalize_store(store)} 的业务")
    if hasher.check_needs_rehash(row.pin_hash):
        with _db.write_transaction(engine) as conn:
            conn.execute(staff.update().where(staff.c.code == code), {"pin_hash": hasher.hash(pin)})
    return member


def log_access(engine: Engine, *, actor: str, action: str, reason: str | None, cases: Iterable[str],
               now: datetime, store: str | None = None, command: str | None = None) -> None:
    """Append one line to the access log (who saw or exported which cases, and why)."""
    numbers = sorted(set(cases))
    with _db.write_transaction(engine) as conn:
        conn.execute(access_log.insert(), {"at": now, "actor": actor[:64], "store_code": store, "action": action,
                                           "reason": reason, "command": command, "case_count": len(numbers),
                                           "cases": numbers})


def read_access_log(engine: Engine, *, limit: int | None = None) -> list[dict[str, Any]]:
    query = sa.select(access_log).order_by(access_log.c.id.desc())
    if limit:
        query = query.limit(limit)
    with _db.read_connection(engine) as conn:
        rows = conn.execute(query).all()
    from .workflow import CHINA_TZ

    return [{"at": r.at.astimezone(CHINA_TZ).isoformat(timespec="seconds"), "actor": r.actor, "store": r.store_code,
             "action": r.action, "reason": r.reason, "command": r.command, "case_count": r.case_count,
             "cases": r.cases} for r in rows]
