"""The case store: cases, their decisions, the event log and the follow-up calls.

Every write is one transaction (``db.write_transaction``): a case is stored with its first
decision, its ``created`` event and its follow-ups, or not at all. Input is validated and the
case decided *before* the transaction starts, so bad input writes nothing.

The clock is a parameter: every method that needs the time takes ``now`` (an aware datetime;
a naive one is read as China Standard Time). The CLI reads the clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any, NamedTuple

import msgspec
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from aftersales.core.plugininfo import Said

from . import db as _db
from .contact import mask_phone, normalize_name, normalize_phone, normalize_staff, normalize_store, phone_keys
from .errors import StoreError, choices_zh
from .evaluator import Evaluator, default_evaluator
from .localday import local_iso
from .mailin import parse_mail_in
from .outcomestore import OutcomeMixin, parse_intake, unit_of
from .privacy import clean_mapping, clean_text, escape_all_controls, has_controls
from .schema import case_counters, cases, decisions, events, follow_ups, unit_records
from .workflow import (
    CHINA_TZ,
    DIAGNOSIS_FIELDS,
    FINISHED,
    REPAIR_KINDS,
    STATES,
    WITH_US,
    check_move,
    local_date,
    notices,
    repair_days,
    repair_window,
    settings_dict,
    settings_from,
    state_label,
)

SYSTEM_ACTOR = "system"

# Statements built once (SQLAlchemy caches their compiled form per dialect).
_INSERT_CASE = cases.insert().returning(cases.c.id)
_INSERT_DECISION = decisions.insert()
_INSERT_EVENT = events.insert()
_INSERT_FOLLOW_UP = follow_ups.insert()
_UPSERTS: dict[str, Any] = {}


def aware(now: datetime | None) -> datetime:
    """``now`` as an aware datetime (naive means China Standard Time); ``None`` reads the clock."""
    if now is None:
        return datetime.now(CHINA_TZ)
    if now.tzinfo is None:
        return now.replace(tzinfo=CHINA_TZ)
    return now


def _upsert(dialect: str):
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def _next_number(conn: sa.Connection, store: str, day: date) -> str:
    """Allocate the next case number of ``store`` on ``day`` inside the caller's transaction.

    One atomic upsert (``INSERT .. ON CONFLICT DO UPDATE .. RETURNING``) on both backends: the
    counter row is locked until commit, so concurrent counters never get the same number.
    """
    key = day.strftime("%Y%m%d")
    stmt = _UPSERTS.get(conn.dialect.name)
    if stmt is None:
        insert = _upsert(conn.dialect.name)
        stmt = _UPSERTS[conn.dialect.name] = (
            insert(case_counters)
            .values(store_code=sa.bindparam("store"), day=sa.bindparam("day"), last_seq=1)
            .on_conflict_do_update(
                index_elements=[case_counters.c.store_code, case_counters.c.day],
                set_={"last_seq": case_counters.c.last_seq + 1},
            )
            .returning(case_counters.c.last_seq)
        )
    seq = conn.execute(stmt, {"store": store, "day": key}).scalar_one()
    return f"{store}-{key}-{seq:04d}"


def normalize_number(number: str) -> str:
    text = str(number or "").strip().upper()
    if not text:
        raise StoreError("give a case number, e.g. SZ01-20260615-0007", zh="请给出案例编号，如 SZ01-20260615-0007")
    if has_controls(text):
        raise StoreError(f"{escape_all_controls(text)!r} is not a case number (control characters)",
                         zh=f"{escape_all_controls(text)!r} 不是案例编号（含控制字符）")
    return text


def moved_follow_ups(conn: sa.Connection, row: Any, target: str, *, event_id: int, actor: str,
                     now: datetime) -> None:
    """The follow-up calls a case (``row``, as it was) moved to ``target`` settles or makes, by a
    move or by an outcome that moves it (``event_id``: the event that moved it): ready for pickup,
    the progress calls are settled and the customer's pickup call is due today; finished, every
    call is; back in repair from pickup, the calls start again."""
    today = local_date(now)
    if target == "ready_for_pickup" or target in FINISHED:
        purposes = ["progress"] if target == "ready_for_pickup" else ["progress", "pickup"]
        conn.execute(
            follow_ups.update()
            .where(follow_ups.c.case_id == row.id, follow_ups.c.done_at.is_(None),
                   follow_ups.c.purpose.in_(purposes))
            .values(done_at=now, done_by=actor, done_event_id=event_id)
        )
    if target == "ready_for_pickup":
        conn.execute(follow_ups.insert(), {"case_id": row.id, "party": "customer",
                                           "purpose": "pickup", "due_date": today})
    if row.state == "ready_for_pickup" and target == "in_repair":
        conn.execute(
            follow_ups.update()
            .where(follow_ups.c.case_id == row.id, follow_ups.c.done_at.is_(None))
            .values(done_at=now, done_by=actor, done_event_id=event_id)
        )
        due = today + timedelta(days=settings_from(row.workflow).follow_up_days)
        conn.execute(follow_ups.insert(), [
            {"case_id": row.id, "party": p, "purpose": "progress", "due_date": due}
            for p in ("repair_station", "customer")
        ])


class CaseStore(OutcomeMixin):
    """Cases in one database (SQLite file or PostgreSQL), through SQLAlchemy Core."""

    def __init__(self, engine: Engine, evaluator: Evaluator | None = None) -> None:
        self.engine = engine
        self._evaluator = evaluator
        #: lines for the person at the counter found on opening (a database file others can read)
        self.warnings: list[str] = _db.permission_warnings(engine)

    # --- opening -----------------------------------------------------------------------------

    @classmethod
    def open(cls, url: str | None = None, *, evaluator: Evaluator | None = None,
             auto_upgrade: bool | None = None) -> CaseStore:
        """Open the store at ``url`` (else ``AFTERSALES_DB``, else the default file), schema checked."""
        return cls(_db.open_engine(url, auto_upgrade=auto_upgrade), evaluator)

    def close(self) -> None:
        self.engine.dispose()

    @property
    def tickets_folder(self) -> Path:
        """Where this store's printed pages (tickets, pickup notices, the manager's report) are
        saved: beside its database (``printing.tickets_folder``), never another store's."""
        from .printing import tickets_folder

        return tickets_folder(self.engine.url)

    def __enter__(self) -> CaseStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def evaluator(self) -> Evaluator:
        if self._evaluator is None:
            self._evaluator = default_evaluator()
        return self._evaluator

    # --- writes ------------------------------------------------------------------------------

    def create_case(
        self,
        case_input: Mapping[str, Any],
        *,
        store: str,
        staff: str,
        customer: str,
        phone: str,
        now: datetime | None = None,
        mail_in: Mapping[str, Any] | None = None,
        repair_kind: str = "simple",
        note: str | None = None,
        backdate: bool = False,
        intake: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Take in a case: validate, decide, store with its follow-ups. Returns the summary.

        The case is decided as of the intake day (``now`` in China Standard Time). An earlier
        ``case_date`` is refused unless ``backdate=True`` (the CLI's ``--backdate``): the case is
        then decided as of that day and the ``created`` event records it (``data.backdated``).
        A later one is always refused. Free text (the name, the note, the fault description, the
        mail-in record) is cleaned first (``privacy.clean_text``); the summary's ``warnings``
        say what was changed.
        """
        now = aware(now)
        warnings: list[str] = []
        store = normalize_store(store)
        staff = normalize_staff(_clean(staff, "staff", warnings))
        customer = normalize_name(_clean(customer, "customer", warnings))
        note = _clean(note, "note", warnings)
        phone = normalize_phone(phone)
        if repair_kind not in REPAIR_KINDS:
            raise StoreError(f"{repair_kind!r}: one of {', '.join(REPAIR_KINDS)}", field="repair_kind",
                             zh=f"{repair_kind!r}：应为 {choices_zh(REPAIR_KINDS)} 之一")
        today = local_date(now)
        from aftersales.core.model import case_to_dict

        if isinstance(case_input, Mapping) and isinstance(case_input.get("fault"), Mapping):
            fault, found = clean_mapping(case_input["fault"], "fault", ("description",))
            warnings.extend(found)
            case_input = {**case_input, "fault": fault}
        if mail_in is not None:
            mail_in, found = clean_mapping(mail_in, "mail_in")
            warnings.extend(found)
        # what the store knows about this unit: a replacement's restarted period, earlier repairs
        case_input, unit, unit_warnings = self.unit_history(case_input)
        warnings.extend(unit_warnings)
        intake_record = parse_intake(intake)
        case = self.evaluator.parse(case_input, today)
        backdated = None
        if case.case_date > today:
            raise StoreError(f"case_date {case.case_date.isoformat()} is after the intake day {today.isoformat()}",
                             field="case_date", zh=f"case_date {case.case_date.isoformat()} 晚于受理日 {today.isoformat()}")
        if case.case_date < today:
            if backdate is False:
                raise StoreError(
                    f"case_date {case.case_date.isoformat()} is before the intake day {today.isoformat()}: "
                    "the case would be decided as of that day; give --backdate to do so, or remove case_date",
                    field="case_date",
                    zh=f"案例日期（case_date）{case.case_date.isoformat()} 早于受理日 {today.isoformat()}："
                       "将按该日判定；确需如此请加 --backdate，否则删去 case_date")
            backdated = case.case_date.isoformat()
            warnings.append(Said(f"case_date: decided as of {backdated} (back-dated, recorded in the event log)",
                                 f"受理日期：按 {backdated} 判定（补登，已记入日志）"))
        decision, entitlement = self.evaluator.evaluate(case)
        decision = _marked(decision, warnings)
        settings = self.evaluator.workflow(case)
        stored_input = case_to_dict(case)
        same_unit = [c["number"] for c in self.open_cases_with_device(imei=case.device.imei,
                                                                      serial=case.device.serial, today=today)]
        if same_unit:
            warnings.append(Said(f"device: the IMEI or serial number is that of open case {', '.join(same_unit)}",
                                 f"设备：IMEI 或序列号与未结案例 {'、'.join(same_unit)} 相同"))
        mail_record = (parse_mail_in(mail_in, stored_input, self.evaluator.brand_label(case.brand))
                       if mail_in is not None else None)
        due_from, due_by = repair_window(today, repair_kind, settings)
        follow_up_day = today + timedelta(days=settings.follow_up_days)

        row = {
            "store_code": store, "staff": staff, "customer_name": customer, "customer_phone": phone,
            "brand": case.brand, "device_model": case.device.model, "device_serial": case.device.serial,
            "device_imei": case.device.imei, "case_date": case.case_date, "intake_at": now,
            "state": "received", "state_since": now, "mail_in": mail_record is not None,
            "mail_in_record": mail_record, "case_input": stored_input, "repair_kind": repair_kind,
            "repair_due_from": due_from, "repair_due_by": due_by, "awaiting_parts": False,
            "workflow": settings_dict(settings), "entitlement": entitlement, "decision_count": 1,
            "updated_at": now, "closed_at": None,
            "remedy": None, "outcome": None, "outcome_data": None, "intake_record": intake_record,
            "answer_due_at": None, "solution_due_at": None, "answered_at": None, "solved_at": None,
        }
        first = {"seq": 1, "evaluated_at": now, "trigger": "intake", "actor": staff,
                 "entitlement": entitlement, "policies": decision.get("policies", []),
                 "case_input": stored_input, "decision": decision}
        created = {"at": now, "actor": staff, "kind": "created", "from_state": None, "to_state": "received",
                   "note": note, "data": {"mail_in": mail_record is not None, "entitlement": entitlement,
                                          **({"backdated": backdated, "intake_day": today.isoformat()}
                                             if backdated else {}),
                                          **({"unit": unit} if unit else {})}}
        calls = [{"party": party, "purpose": "progress", "due_date": follow_up_day}
                 for party in ("repair_station", "customer")]
        with _db.write_transaction(self.engine) as conn:
            row["number"] = _next_number(conn, store, today)
            row["answer_due_at"], row["solution_due_at"] = self.service_due(store, now, conn)
            case_id = conn.execute(_INSERT_CASE, row).scalar_one()
            conn.execute(_INSERT_DECISION, {"case_id": case_id, **first})
            conn.execute(_INSERT_EVENT, {"case_id": case_id, **created})
            conn.execute(_INSERT_FOLLOW_UP, [{"case_id": case_id, **c} for c in calls])
        # The view of what was just committed, built from the same values (no second read).
        ns = SimpleNamespace
        view = _summary(ns(**row), [(now, "received")],
                        [ns(done_at=None, done_by=None, **c) for c in calls], today, reveal=True, now=now)
        view["case"] = stored_input
        view["mail_in_record"] = mail_record
        view["workflow"] = row["workflow"]
        view["decisions"] = [_decision_dict(ns(**first))]
        view["events"] = [_event_dict(ns(**created))]
        view["intake_record"] = intake_record
        view["unit_history"] = [{"kind": "replacement" if unit.get("replacement_of") else "repair",
                                 "case": unit.get("replacement_of"), "data": unit}] if unit else []
        view["warnings"] = warnings
        view["same_unit"] = same_unit
        return view

    def move(self, number: str, target: str, *, actor: str, now: datetime | None = None,
             note: str | None = None, repair_kind: str | None = None,
             awaiting_parts: bool | None = None) -> dict[str, Any]:
        """Move a case to ``target`` if the workflow allows it; one event, one transaction."""
        now, actor, number, note, _, warnings = change(number, actor, now, note)
        target = str(target).strip().lower()
        if repair_kind is not None and repair_kind not in REPAIR_KINDS:
            raise StoreError(f"{repair_kind!r}: one of {', '.join(REPAIR_KINDS)}", field="repair_kind",
                             zh=f"{repair_kind!r}：应为 {choices_zh(REPAIR_KINDS)} 之一")
        today = local_date(now)
        with _db.write_transaction(self.engine) as conn:
            row = self._lock(conn, number)
            check_move(row.state, target, note)
            settings = settings_from(row.workflow)
            values: dict[str, Any] = {"state": target, "state_since": now, "updated_at": now}
            data: dict[str, Any] = {}
            if repair_kind is not None and repair_kind != row.repair_kind:
                intake = local_date(row.intake_at)
                values["repair_kind"] = repair_kind
                values["repair_due_from"], values["repair_due_by"] = repair_window(intake, repair_kind, settings)
                data["repair_kind"] = repair_kind
            if awaiting_parts is not None and awaiting_parts != row.awaiting_parts:
                values["awaiting_parts"] = awaiting_parts
                data["awaiting_parts"] = awaiting_parts
            if target in ("closed", "cancelled"):
                values["closed_at"] = now
            conn.execute(cases.update().where(cases.c.id == row.id), values)
            event_id = conn.execute(events.insert().returning(events.c.id), {
                "case_id": row.id, "at": now, "actor": actor, "kind": "move", "from_state": row.state,
                "to_state": target, "note": note, "data": data or None,
            }).scalar_one()
            moved_follow_ups(conn, row, target, event_id=event_id, actor=actor, now=now)
        return {**self.get(number, today=today), "warnings": warnings}

    def follow_up(self, number: str, *, actor: str, note: str, now: datetime | None = None,
                  party: str = "both", next_in_days: int | None = None,
                  awaiting_parts: bool | None = None) -> dict[str, Any]:
        """Record a follow-up call (回访) to the repair station, the customer or both.

        Open follow-ups of the party are marked done. ``next_in_days`` schedules the next call
        (the chart's 再次电话回访); ``awaiting_parts`` records what the repair station said.
        """
        now, actor, number, note, _, warnings = change(number, actor, now, note)
        if not note or not note.strip():
            raise StoreError("a follow-up needs --note: what was said", field="note", zh="跟进需要填写备注：对方说了什么")
        parties = {"both": ("repair_station", "customer"), "repair_station": ("repair_station",),
                   "station": ("repair_station",), "customer": ("customer",)}.get(party)
        if parties is None:
            raise StoreError(f"{party!r}: one of repair_station, customer, both", field="party",
                             zh=f"{party!r}：应为 repair_station（维修站）、customer（客户）或 both（两者）")
        if next_in_days is not None and not (1 <= next_in_days <= 90):
            raise StoreError("must be between 1 and 90 days", field="next_in_days", zh="应为 1 至 90 天")
        today = local_date(now)
        with _db.write_transaction(self.engine) as conn:
            row = self._lock(conn, number)
            if row.state in ("closed", "cancelled"):
                raise StoreError(f"case {number} is {row.state} ({state_label(row.state)}); nothing to follow up",
                                 zh=f"案例 {number} 已「{state_label(row.state)}」，无需跟进")
            data: dict[str, Any] = {"parties": list(parties)}
            values: dict[str, Any] = {"updated_at": now}
            if awaiting_parts is not None and awaiting_parts != row.awaiting_parts:
                values["awaiting_parts"] = awaiting_parts
                data["awaiting_parts"] = awaiting_parts
            if next_in_days:
                data["next_due"] = (today + timedelta(days=next_in_days)).isoformat()
            event_id = conn.execute(events.insert().returning(events.c.id), {
                "case_id": row.id, "at": now, "actor": actor, "kind": "follow_up", "from_state": row.state,
                "to_state": row.state, "note": note.strip(), "data": data,
            }).scalar_one()
            conn.execute(
                follow_ups.update()
                .where(follow_ups.c.case_id == row.id, follow_ups.c.done_at.is_(None),
                       follow_ups.c.party.in_(parties))
                .values(done_at=now, done_by=actor, done_event_id=event_id)
            )
            if next_in_days:
                purpose = "pickup" if row.state == "ready_for_pickup" else "progress"
                conn.execute(follow_ups.insert(), [
                    {"case_id": row.id, "party": p, "purpose": purpose,
                     "due_date": today + timedelta(days=next_in_days)}
                    for p in parties
                ])
            conn.execute(cases.update().where(cases.c.id == row.id), values)
        return {**self.get(number, today=today), "warnings": warnings}

    def add_note(self, number: str, *, actor: str, note: str, now: datetime | None = None) -> dict[str, Any]:
        """Record a note (备注) on a case: what the customer said at the counter, a call that is
        not a follow-up. The state and the follow-ups due stay as they are; a closed case takes
        notes too (the customer came back to say the repair held)."""
        now, actor, number, note, _, warnings = change(number, actor, now, note)
        if not note or not note.strip():
            raise StoreError("a note needs --note: what to record", field="note", zh="备注为空：请写下要记录的内容")
        with _db.write_transaction(self.engine) as conn:
            row = self._lock(conn, number)
            conn.execute(events.insert(), {
                "case_id": row.id, "at": now, "actor": actor, "kind": "note", "from_state": row.state,
                "to_state": row.state, "note": note.strip(), "data": {},
            })
            conn.execute(cases.update().where(cases.c.id == row.id), {"updated_at": now})
        return {**self.get(number, today=local_date(now)), "warnings": warnings}

    def lend_spare(self, number: str, *, actor: str, note: str | None = None,
                   now: datetime | None = None) -> dict[str, Any]:
        """Record that a spare phone (备用机) was lent while the unit is being repaired: the
        notice that one is owed (送修超过7天) is met, and the case's log says so (with the note:
        which phone, say). Once per case; not for a case no longer with the service point."""
        now, actor, number, note, _, warnings = change(number, actor, now, note)
        with _db.write_transaction(self.engine) as conn:
            row = self._lock(conn, number)
            if row.state not in WITH_US:
                raise StoreError(f"{number} is {row.state}: a spare phone is lent while the unit is with the service "
                                 f"point", field="state",
                                 zh=f"{number} 处于「{state_label(row.state)}」：备用机在机器留在网点维修时借出")
            if self._spare_lent(conn, [row.id]):
                raise StoreError(f"{number}: a spare phone is recorded as lent already", field="spare_phone",
                                 zh=f"{number}：已记录借出备用机")
            conn.execute(events.insert(), {
                "case_id": row.id, "at": now, "actor": actor, "kind": "spare_phone", "from_state": row.state,
                "to_state": row.state, "note": note.strip() if note else None, "data": {},
            })
            conn.execute(cases.update().where(cases.c.id == row.id), {"updated_at": now})
        return {**self.get(number, today=local_date(now)), "warnings": warnings}

    @staticmethod
    def _spare_lent(conn: sa.Connection, ids: list[int]) -> set[int]:
        """The cases of ``ids`` with a spare phone recorded as lent."""
        out: set[int] = set()
        for chunk in _chunks(ids, 500):
            out.update(conn.execute(sa.select(events.c.case_id).where(
                events.c.case_id.in_(chunk), events.c.kind == "spare_phone")).scalars())
        return out

    def reevaluate(self, number: str, *, actor: str, now: datetime | None = None) -> dict[str, Any]:
        """Decide the case again with its days in repair from the event log; appends a decision."""
        now, actor, number, _, _, warnings = change(number, actor, now)
        today = local_date(now)
        from aftersales.core.model import case_to_dict

        with _db.write_transaction(self.engine) as conn:
            row = self._lock(conn, number)
            base = self.evaluator.parse(row.case_input, row.case_date)
            case, current = self._in_repair(conn, row, base, today)
            decision, entitlement = self.evaluator.evaluate(case)
            decision = _marked(decision, warnings)
            settings = self.evaluator.workflow(case)
            seq = row.decision_count + 1
            conn.execute(decisions.insert(), {
                "case_id": row.id, "seq": seq, "evaluated_at": now, "trigger": "reevaluate", "actor": actor,
                "entitlement": entitlement, "policies": decision.get("policies", []),
                "case_input": case_to_dict(case), "decision": decision,
            })
            conn.execute(cases.update().where(cases.c.id == row.id), {
                "entitlement": entitlement, "decision_count": seq, "updated_at": now,
                "workflow": settings_dict(settings),
            })
            conn.execute(events.insert(), {
                "case_id": row.id, "at": now, "actor": actor, "kind": "reevaluated", "from_state": row.state,
                "to_state": row.state, "note": None,
                "data": {"decision": seq, "entitlement": entitlement, "previous": row.entitlement,
                         "current_repair_days": current},
            })
        return {**self.get(number, today=today), "warnings": warnings}

    def _in_repair(self, conn: sa.Connection, row: Any, base: Any, today: date) -> tuple[Any, int]:
        """``base`` with the days the case has spent in repair so far (from its event log)."""
        changes = self._state_changes(conn, [row.id]).get(row.id, [])
        current = repair_days(changes, today)
        history = msgspec.structs.replace(
            base.history,
            current_repair_days=current,
            days_in_repair=base.history.days_in_repair + current,
            awaiting_parts=bool(row.awaiting_parts or base.history.awaiting_parts),
        )
        return msgspec.structs.replace(base, history=history), current

    def edit_case(self, number: str, *, actor: str, case_input: Mapping[str, Any] | None = None,
                  customer: str | None = None, phone: str | None = None, note: str | None = None,
                  now: datetime | None = None) -> dict[str, Any]:
        """Correct a saved case in place: the number stays, the change is an ``edited`` event
        that says what changed (field: before, after; a phone number masked), and the case is
        decided again (a decision appended, ``trigger`` ``edit``). A change of the fault alone
        that confirms it (``DIAGNOSIS_FIELDS``) is the test's result, not a clerk's mistake put
        right: a ``diagnosed`` event and ``trigger`` ``diagnosis``. ``case_input`` is the whole
        corrected case (as for ``create_case``); ``customer`` and ``phone``, when given, replace
        the customer's. A finished case (picked up, closed, cancelled) is not changed; nor is
        anything when nothing differs."""
        now, actor, number, note, _, warnings = change(number, actor, now, note)
        if customer is not None:
            customer = normalize_name(_clean(customer, "customer", warnings))
        if phone is not None:
            phone = normalize_phone(phone)
        if isinstance(case_input, Mapping) and isinstance(case_input.get("fault"), Mapping):
            fault, found = clean_mapping(case_input["fault"], "fault", ("description",))
            warnings.extend(found)
            case_input = {**case_input, "fault": fault}
        today = local_date(now)
        from aftersales.core.model import case_to_dict

        # what the store knows about the unit the corrected case names (a replacement's restarted
        # period, earlier repairs), as for a new case; used only when the correction changes the
        # unit (its own outcomes are on the unit it had), read before the write lock is taken
        unit_input, unit_said = case_input, []
        if isinstance(case_input, Mapping):
            unit_input, _unit, unit_said = self.unit_history(case_input)

        with _db.write_transaction(self.engine) as conn:
            row = self._lock(conn, number)
            if unit_said and unit_of(case_input) != unit_of(row.case_input):
                case_input = unit_input
                warnings.extend(unit_said)
            if row.state in FINISHED:
                raise StoreError(f"case {number} is {row.state} ({state_label(row.state)}); it can no longer be "
                                 "corrected", zh=f"案例 {number} 已「{state_label(row.state)}」，不能再更正")
            intake_day = local_date(row.intake_at)
            base = self.evaluator.parse(case_input if case_input is not None else row.case_input, intake_day)
            if base.case_date > intake_day:
                raise StoreError(f"case_date {base.case_date.isoformat()} is after the intake day "
                                 f"{intake_day.isoformat()}", field="case_date",
                                 zh=f"case_date {base.case_date.isoformat()} 晚于受理日 {intake_day.isoformat()}")
            stored_input = case_to_dict(base)
            changes = case_changes(row.case_input, stored_input)
            if customer is not None and customer != row.customer_name:
                changes["customer.name"] = {"from": row.customer_name, "to": customer}
            if phone is not None and phone != row.customer_phone:
                changes["customer.phone"] = {"from": mask_phone(row.customer_phone), "to": mask_phone(phone)}
            if not changes:
                raise StoreError(f"nothing to change in case {number}: the values given are those stored",
                                 zh=f"案例 {number} 无更改：所给内容与已存的相同")
            case, _current = self._in_repair(conn, row, base, today)
            decision, entitlement = self.evaluator.evaluate(case)
            settings = self.evaluator.workflow(case)
            seq = row.decision_count + 1
            diagnosed = set(changes) <= DIAGNOSIS_FIELDS and (changes.get("fault.confirmed") or {}).get("to") is True
            conn.execute(decisions.insert(), {
                "case_id": row.id, "seq": seq, "evaluated_at": now, "trigger": "diagnosis" if diagnosed else "edit",
                "actor": actor,
                "entitlement": entitlement, "policies": decision.get("policies", []),
                "case_input": case_to_dict(case), "decision": decision,
            })
            conn.execute(cases.update().where(cases.c.id == row.id), {
                "customer_name": customer if customer is not None else row.customer_name,
                "customer_phone": phone if phone is not None else row.customer_phone,
                "brand": base.brand, "device_model": base.device.model, "device_serial": base.device.serial,
                "device_imei": base.device.imei, "case_date": base.case_date, "case_input": stored_input,
                "entitlement": entitlement, "decision_count": seq, "updated_at": now,
                "workflow": settings_dict(settings),
            })
            conn.execute(events.insert(), {
                "case_id": row.id, "at": now, "actor": actor, "kind": "diagnosed" if diagnosed else "edited",
                "from_state": row.state,
                "to_state": row.state, "note": note,
                "data": {"changes": changes, "decision": seq, "entitlement": entitlement,
                         "previous": row.entitlement},
            })
        return {**self.get(number, today=today), "warnings": warnings, "changes": changes}

    # --- finding -----------------------------------------------------------------------------

    def open_cases_with_device(self, *, imei: str | None = None, serial: str | None = None,
                               exclude: str | None = None, today: date | None = None) -> list[dict[str, Any]]:
        """Open cases (not picked up, closed or cancelled) of the unit with this IMEI or serial
        number: before a second case is taken in for it. Summaries masked, newest first."""
        today = today or local_date(aware(None))
        same = []
        if imei and imei.strip():
            same.append(cases.c.device_imei == imei.strip())
        if serial and serial.strip():
            same.append(sa.func.upper(cases.c.device_serial) == serial.strip().upper())
        if not same:
            return []
        query = (sa.select(cases).where(sa.or_(*same), cases.c.state.not_in(sorted(FINISHED)))
                 .order_by(cases.c.id.desc()))
        if exclude:
            query = query.where(cases.c.number != normalize_number(exclude))
        with _db.read_connection(self.engine) as conn:
            return self._summaries(conn, conn.execute(query).all(), today, reveal=False)

    def search(self, text: str, *, brands: Mapping[str, Iterable[str]] | None = None,
               today: date | None = None, reveal: bool = False, limit: int | None = 200,
               open_only: bool = False) -> list[dict[str, Any]]:
        """Cases matching ``text``, newest first: a full phone number in any form it can be
        written (``138 0013 8000``, ``+86 13800138000``, ``+852 9123 4567``, a Hong Kong, Macao or
        Taiwan number without its code: compared in its stored form, shown masked) or its last
        four digits, any part of an IMEI, serial number (the case's unit, or the one handed over
        in its exchange), case number, customer name or model, or a brand: ``brands`` maps brand ids to the names it is known by (``{"huawei": ["华为",
        "Huawei"]}``), matched in part, in any case."""
        text = " ".join(str(text or "").split())
        if has_controls(text):
            raise StoreError(f"{escape_all_controls(text)!r}: control characters", field="search",
                             zh=f"{escape_all_controls(text)!r}：含控制字符")
        if not text:
            raise StoreError("give something to search for: a phone number, part of an IMEI or serial number, "
                             "a case number, a name, a model or a brand", field="search",
                             zh="请输入要查找的内容：电话号码、IMEI 或序列号的一部分、案例编号、姓名、型号或品牌")
        today = today or local_date(aware(None))
        folded = text.casefold()
        compact = text.replace(" ", "").replace("-", "")
        found = [
            cases.c.number.icontains(text, autoescape=True),
            cases.c.customer_name.icontains(text, autoescape=True),
            cases.c.device_model.icontains(text, autoescape=True),
            cases.c.device_serial.icontains(compact, autoescape=True),
            cases.c.device_imei.icontains(compact, autoescape=True),
            # a unit the store has a record of (the replacement handed over in an exchange, a unit
            # repaired): a customer back with it finds the case
            cases.c.id.in_(sa.select(unit_records.c.case_id).where(sa.or_(
                unit_records.c.imei.icontains(compact, autoescape=True),
                unit_records.c.serial.icontains(compact, autoescape=True)))),
        ]
        keys = phone_keys(text)
        if keys:
            found.append(cases.c.customer_phone.in_(keys))
        if compact.isascii() and compact.isdigit() and len(compact) == 4:
            found.append(cases.c.customer_phone.endswith(compact))   # the digits the mask shows
        ids = [bid for bid, names in (brands or {}).items()
               if folded in bid.casefold() or any(folded in str(n).casefold() for n in names)]
        if ids:
            found.append(cases.c.brand.in_(ids))
        query = sa.select(cases).where(sa.or_(*found)).order_by(cases.c.id.desc())
        if open_only:
            query = query.where(cases.c.state.not_in(sorted(FINISHED)))
        if limit:
            query = query.limit(limit)
        with _db.read_connection(self.engine) as conn:
            return self._summaries(conn, conn.execute(query).all(), today, reveal=reveal)

    # --- reads -------------------------------------------------------------------------------

    def _lock(self, conn: sa.Connection, number: str):
        row = conn.execute(sa.select(cases).where(cases.c.number == number).with_for_update()).first()
        if row is None:
            raise StoreError(f"no case numbered {number}", zh=f"没有编号为 {number} 的案例")
        return row

    @staticmethod
    def _state_changes(conn: sa.Connection, ids: list[int]) -> dict[int, list[tuple[datetime, str]]]:
        out: dict[int, list[tuple[datetime, str]]] = {i: [] for i in ids}
        for chunk in _chunks(ids, 500):
            rows = conn.execute(
                sa.select(events.c.case_id, events.c.at, events.c.to_state)
                # (an outcome may move the case: its event says where to)
                .where(events.c.case_id.in_(chunk), events.c.kind.in_(("created", "move", "outcome")))
                .order_by(events.c.case_id, events.c.id)
            )
            for case_id, at, to_state in rows:
                out[case_id].append((at, to_state))
        return out

    @staticmethod
    def _open_follow_ups(conn: sa.Connection, ids: list[int]) -> dict[int, list]:
        out: dict[int, list] = {i: [] for i in ids}
        for chunk in _chunks(ids, 500):
            # with the kind of event that settled each (a call, or a move that made it moot)
            rows = conn.execute(
                sa.select(follow_ups, events.c.kind.label("settled_by"), events.c.to_state.label("settled_to"))
                .select_from(follow_ups.outerjoin(events, events.c.id == follow_ups.c.done_event_id))
                .where(follow_ups.c.case_id.in_(chunk)).order_by(follow_ups.c.id)
            )
            for r in rows:
                out[r.case_id].append(r)
        return out

    def _summaries(self, conn, rows, today: date, *, reveal: bool,
                   now: datetime | None = None) -> list[dict[str, Any]]:
        ids = [r.id for r in rows]
        changes = self._state_changes(conn, ids)
        fups = self._open_follow_ups(conn, ids)
        met = _sla_events(conn, [r.id for r in rows if getattr(r, "answer_due_at", None)])
        lent = self._spare_lent(conn, ids)
        return [_summary(r, changes[r.id], fups[r.id], today, reveal=reveal, now=now, met=met.get(r.id),
                         spare_lent=r.id in lent)
                for r in rows]

    def get(self, number: str, *, today: date | None = None, reveal: bool = True,
            now: datetime | None = None) -> dict[str, Any]:
        """Everything about one case: summary, decisions, events, follow-ups, notices."""
        number = normalize_number(number)
        today = today or local_date(aware(None))
        with _db.read_connection(self.engine) as conn:
            row = conn.execute(sa.select(cases).where(cases.c.number == number)).first()
            if row is None:
                raise StoreError(f"no case numbered {number}", zh=f"没有编号为 {number} 的案例")
            out = self._summaries(conn, [row], today, reveal=reveal, now=now)[0]
            out["intake_record"] = row.intake_record
            out["unit_history"] = self._unit_view(conn, row)
            out["case"] = row.case_input
            out["mail_in_record"] = row.mail_in_record
            out["workflow"] = row.workflow
            out["decisions"] = [_decision_dict(d) for d in conn.execute(
                sa.select(decisions).where(decisions.c.case_id == row.id).order_by(decisions.c.seq))]
            out["events"] = [_event_dict(e) for e in conn.execute(
                sa.select(events).where(events.c.case_id == row.id).order_by(events.c.id))]
        return out

    def list_cases(self, *, state: str | None = None, brand: str | None = None, store: str | None = None,
                   due: bool = False, today: date | None = None, reveal: bool = False,
                   limit: int | None = None, overdue: bool = False, now: datetime | None = None,
                   open_only: bool = False) -> list[dict[str, Any]]:
        """Case summaries, newest first. ``due``: only cases with a notice on ``today``;
        ``overdue``: only open cases past a due time (answer, solution, repair, exchange);
        ``open_only``: only open cases (the workflow has not finished them: not picked up,
        returned, exchanged, closed or cancelled)."""
        due = due or overdue
        today = today or local_date(aware(None))
        query = sa.select(cases).order_by(cases.c.id.desc())
        if state:
            states = [s.strip() for s in state.split(",") if s.strip()]
            for s in states:
                if s not in STATES:
                    raise StoreError(f"unknown state {s!r}; states: {', '.join(STATES)}", field="state",
                                     zh=f"未知状态 {s!r}；可用状态：{choices_zh(STATES)}")
            query = query.where(cases.c.state.in_(states))
        if brand:
            query = query.where(cases.c.brand == brand)
        if store:
            query = query.where(cases.c.store_code == normalize_store(store))
        if due or open_only:
            query = query.where(cases.c.state.not_in(sorted(FINISHED)))
        if limit and not due:
            query = query.limit(limit)
        with _db.read_connection(self.engine) as conn:
            rows = conn.execute(query).all()
            out = self._summaries(conn, rows, today, reveal=reveal, now=now)
        if overdue:
            day = today.isoformat()
            out = [s for s in out if any(n["id"] in OVERDUE_NOTICES
                                         or (n["id"].startswith("follow_up_") and (n.get("due") or day) < day)
                                         for n in s["notices"])
                   or (s.get("service_level") or {}).get("overdue")]
        elif due:
            out = [s for s in out if s["notices"]]
            if limit:
                out = out[:limit]
        return out

    def export(self, *, reveal: bool = False, today: date | None = None,
               state: str | None = None, brand: str | None = None) -> Iterator[dict[str, Any]]:
        """Every case in full (decisions, events, follow-ups), oldest first, in batches."""
        today = today or local_date(aware(None))
        last = 0
        while True:
            query = sa.select(cases).where(cases.c.id > last).order_by(cases.c.id).limit(200)
            if state:
                query = query.where(cases.c.state == state)
            if brand:
                query = query.where(cases.c.brand == brand)
            with _db.read_connection(self.engine) as conn:
                rows = conn.execute(query).all()
                if not rows:
                    return
                ids = [r.id for r in rows]
                summaries = self._summaries(conn, rows, today, reveal=reveal)
                decs: dict[int, list] = {i: [] for i in ids}
                evs: dict[int, list] = {i: [] for i in ids}
                for d in conn.execute(sa.select(decisions).where(decisions.c.case_id.in_(ids))
                                      .order_by(decisions.c.case_id, decisions.c.seq)):
                    decs[d.case_id].append(_decision_dict(d))
                for e in conn.execute(sa.select(events).where(events.c.case_id.in_(ids))
                                      .order_by(events.c.case_id, events.c.id)):
                    evs[e.case_id].append(_event_dict(e))
            for row, summary in zip(rows, summaries, strict=True):
                mail = row.mail_in_record
                if mail and not reveal and mail.get("return_phone"):
                    mail = {**mail, "return_phone": mask_phone(mail["return_phone"])}
                yield {**summary, "case": row.case_input, "mail_in_record": mail, "decisions": decs[row.id],
                       "events": evs[row.id]}
            last = rows[-1].id

    def count(self) -> int:
        with _db.read_connection(self.engine) as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(cases)).scalar_one()


def _clean(value: str | None, field: str, warnings: list[str]) -> str | None:
    text, found = clean_text(value, field)
    warnings.extend(found)
    return text


class Change(NamedTuple):
    """What every change to a stored case starts from: the time it is made, who makes it, the
    case's number, the note and a manager's override (free text cleaned, ``privacy.clean_text``),
    and the warnings the cleaning gave (said with the result)."""

    now: datetime
    actor: str
    number: str
    note: str | None
    override: str | None
    warnings: list[str]


def change(number: str, actor: str | None, now: datetime | None, note: str | None = None,
           override: str | None = None) -> Change:
    """The ``Change`` for ``number`` by ``actor`` at ``now`` (None: the counter's clock)."""
    warnings: list[str] = []
    actor = normalize_staff(_clean(actor, "staff", warnings))
    note = _clean(note, "note", warnings)
    override = _clean(override, "override", warnings)
    return Change(aware(now), actor, normalize_number(number), note, override, warnings)


def _marked(decision: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
    """A decision made without a failed plugin is stored as made, marked ``incomplete``, and said."""
    if not decision.get("plugin_errors"):
        return decision
    plugins = sorted({f["plugin"] for f in decision["plugin_errors"]})
    warnings.append(Said(f"decision: decided without a failed plugin: {', '.join(plugins)}",
                         f"判定：插件 {'、'.join(plugins)} 出错，本判定缺少该插件的结论"))
    return {**decision, "incomplete": True}


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """``{"device": {"imei": x}}`` -> ``{"device.imei": x}`` (lists kept whole)."""
    if not isinstance(value, Mapping):
        return {prefix: value}
    out: dict[str, Any] = {}
    for k, v in value.items():
        out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    return out


def case_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """What differs between two stored case inputs: ``{path: {"from": old, "to": new}}``."""
    old, new = _flatten(before), _flatten(after)
    return {path: {"from": old.get(path), "to": new.get(path)}
            for path in [*new, *(p for p in old if p not in new)]
            if old.get(path) != new.get(path)}


def _decision_dict(d) -> dict[str, Any]:
    return {"seq": d.seq, "evaluated_at": local_iso(d.evaluated_at), "trigger": d.trigger, "actor": d.actor,
            "entitlement": d.entitlement, "policies": d.policies, "case": d.case_input, "decision": d.decision}


def _event_dict(e) -> dict[str, Any]:
    return {"at": local_iso(e.at), "actor": e.actor, "kind": e.kind, "from": e.from_state, "to": e.to_state,
            "note": e.note, "data": e.data}


def _chunks(items: list, size: int) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _summary(row, changes, fups, today: date, *, reveal: bool, now: datetime | None = None,
             met: list | None = None, spare_lent: bool = False) -> dict[str, Any]:
    settings = settings_from(row.workflow)
    days = repair_days(changes, today) if changes else 0
    open_fups = [(f.party, f.purpose, f.due_date) for f in fups if f.done_at is None]
    notes = notices(state=row.state, days=days, awaiting_parts=bool(row.awaiting_parts),
                    repair_due_by=row.repair_due_by, open_follow_ups=open_fups, today=today,
                    settings=settings, paid="paid_repair" in (row.remedy, row.entitlement), spare_lent=spare_lent)
    next_due = min((f[2] for f in open_fups), default=None)
    extra = _outcome_part(row, today, now, met)
    return {
        "number": row.number,
        "store": row.store_code,
        "staff": row.staff,
        "customer": {"name": row.customer_name,
                     "phone": row.customer_phone if reveal else mask_phone(row.customer_phone)},
        "brand": row.brand,
        "device": {"model": row.device_model, "serial": row.device_serial, "imei": row.device_imei},
        "case_date": local_iso(row.case_date),
        "intake_at": local_iso(row.intake_at),
        "state": row.state,
        "state_zh": state_label(row.state),
        "state_since": local_iso(row.state_since),
        "entitlement": row.entitlement,
        "decision_count": row.decision_count,
        "mail_in": bool(row.mail_in),
        "repair": {"kind": row.repair_kind, "due_from": local_iso(row.repair_due_from),
                   "due_by": local_iso(row.repair_due_by), "awaiting_parts": bool(row.awaiting_parts),
                   "days_in_repair": days},
        "next_follow_up": local_iso(next_due),
        "follow_ups": [
            {"party": f.party, "purpose": f.purpose, "due": local_iso(f.due_date), "done_at": local_iso(f.done_at),
             "done_by": f.done_by,
             # settled by a call (``follow_up``), or made moot by a move or an outcome: no call was made
             "called": getattr(f, "settled_by", None) == "follow_up",
             # made moot: the state the case was moved to (what made the call needless)
             "moot_by": getattr(f, "settled_to", None) if f.done_at and getattr(f, "settled_by", None) != "follow_up"
             else None}
            for f in fups
        ],
        "notices": [n.to_dict() for n in notes],
        "closed_at": local_iso(row.closed_at),
        **extra,
    }


# --- outcomes and service levels (migration 0004) ----------------------------------------------

#: the notices that make a case overdue (``cases list --overdue``)
OVERDUE_NOTICES = frozenset({"repair_overdue_sla", "repair_overdue_exchange", "spare_phone"})


def _sla_events(conn: sa.Connection, ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The events that answer the customer or settle a solution, per case (``servicelevels.met_at``)."""
    out: dict[int, list[dict[str, Any]]] = {}
    for chunk in _chunks(ids, 500):
        rows = conn.execute(
            sa.select(events.c.case_id, events.c.at, events.c.kind, events.c.from_state, events.c.to_state,
                      events.c.data)
            .where(events.c.case_id.in_(chunk), events.c.kind.in_(("move", "follow_up", "remedy", "outcome")))
            .order_by(events.c.case_id, events.c.id)
        )
        for case_id, at, kind, frm, to, data in rows:
            out.setdefault(case_id, []).append({"at": at, "kind": kind, "from": frm, "to": to, "data": data})
    return out


def _outcome_part(row, today: date, now: datetime | None, met: list | None) -> dict[str, Any]:
    """The summary's outcome, chosen remedy, service level and the badge people see."""
    from .outcomes import badge, outcome_label, outcome_summary
    from .servicelevels import ServiceLevel, met_at, sla_notices

    outcome = getattr(row, "outcome", None)
    data = getattr(row, "outcome_data", None)
    part: dict[str, Any] = {
        "remedy": getattr(row, "remedy", None),
        "outcome": {"kind": outcome, "label_zh": outcome_label(outcome), "label_en": outcome_label(outcome, "en"),
                    "summary_zh": outcome_summary(outcome, data), "summary_en": outcome_summary(outcome, data, "en"),
                    **(data or {})} if outcome else None,
    }
    # the badge: what happened once there is an outcome, else what the customer is entitled to
    part["badge"] = badge(outcome, row.state, row.entitlement)
    answer_due = getattr(row, "answer_due_at", None)
    if answer_due is None:
        part["service_level"] = None
        return part
    if now is not None:
        moment = aware(now)
    else:  # a day in the past is looked at as of its end; today as of now
        moment = aware(None)
        if today < local_date(moment):
            moment = datetime.combine(today, datetime.max.time(), CHINA_TZ)
    answered, solved = met_at(met or ())
    if row.state in ("closed", "cancelled", "returned", "exchanged"):
        answered = answered or row.updated_at
        solved = solved or row.updated_at
    level = ServiceLevel(answer_due, row.solution_due_at, answered, solved)
    part["service_level"] = {**level.to_dict(moment), "notices": sla_notices(level, moment)}
    return part
