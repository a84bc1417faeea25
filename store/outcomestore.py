"""The store's writes and reads for what happened to the phone (``CaseStore`` inherits them).

* ``choose_remedy`` — the remedy the customer chose (refused if the decision did not offer it,
  unless a manager overrides with a reason); choosing an exchange in 检测 moves the case to
  待换货 (waiting for the replacement).
* ``record_outcome`` — return (refund), exchange (the replacement unit), free repair, paid
  repair, moving the case as ``workflow.OUTCOME_MOVES`` says: return and exchange to
  ``returned`` / ``exchanged``, a repair to ``ready_for_pickup`` while the unit is with the
  service point; an exchange and a free repair leave a ``unit_records`` row that a later case on
  the unit reads (``unit_history``).
* ``record_intake`` — accessories received, appearance as inspected, the data and account
  checklist (what the ticket prints).
* ``store_info`` / ``set_store_info`` — the service point's name, address, hotline, working hours.
* ``report`` — the manager's view of the day.

Everything recorded is an event (append-only); the case row keeps the latest values for lists.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from aftersales.core.plugininfo import Said

from . import db as _db
from .errors import StoreError, choices_zh
from .outcomes import check_remedy, parse_outcome, split_list, unit_adjustments
from .servicelevels import StoreInfo, check_hours, due_times
from .workflow import FINISHED, OUTCOME_CLOSED, STATES, local_date, outcome_move, repair_days, state_label

#: the data and account checklist before a unit leaves the customer (seed 001 D)
CHECKLIST: dict[str, tuple[str, str]] = {
    "backed_up": ("已备份数据", "data backed up"),
    "signed_out": ("已退出手机帐号（如 Apple ID、华为帐号）", "signed out of the phone's account (Apple ID, HUAWEI ID...)"),
    "find_my_off": ("已关闭手机查找功能（如“查找”“查找设备”）", "the phone's find-my-device turned off (Find My, 查找设备...)"),
}
PASSCODE: dict[str, tuple[str, str]] = {
    "removed": ("已取消", "removed"),
    "given": ("客户已告知维修人员", "given to the technician"),
    "kept": ("客户保留（检测可能受限）", "kept by the customer (testing may be limited)"),
}


def parse_intake(record: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The intake record, checked: ``accessories`` (list), ``appearance`` (text, or None when
    nothing was inspected), ``checklist`` (the ``CHECKLIST`` ids ticked), ``passcode`` (a
    ``PASSCODE`` id: removed, given to the technician, kept)."""
    if record is None:
        return None
    from .privacy import clean_text

    out: dict[str, Any] = {}
    accessories = record.get("accessories") or []
    if isinstance(accessories, str):
        accessories = split_list(accessories)
    out["accessories"] = [clean_text(a, "accessories")[0].strip() for a in accessories
                          if a and str(a).strip()]
    appearance = record.get("appearance")
    out["appearance"] = clean_text(str(appearance), "appearance")[0].strip() if appearance else None
    ticked = record.get("checklist") or []
    if isinstance(ticked, str):
        ticked = [t for t in ticked.split(",") if t.strip()]
    for item in ticked:
        if item.strip() not in CHECKLIST:
            raise StoreError(f"{item!r}: one of {', '.join(CHECKLIST)}", field="checklist",
                             zh=f"{item!r}：应为 {'、'.join(CHECKLIST)} 之一")
    out["checklist"] = [t.strip() for t in ticked]
    passcode = record.get("passcode")
    if passcode is not None and passcode not in PASSCODE:
        raise StoreError(f"{passcode!r}: one of {', '.join(PASSCODE)}", field="passcode",
                         zh=f"{passcode!r}：应为 {choices_zh(PASSCODE)} 之一")
    out["passcode"] = passcode
    return out


class OutcomeMixin:
    """Methods ``CaseStore`` gets for outcomes, units, the store's details and the report."""

    engine: Any

    # --- the unit's history -------------------------------------------------------------------

    def _unit_rows(self, conn: sa.Connection, imei: str | None, serial: str | None) -> list:
        from .schema import unit_records

        conds = []
        if imei:
            conds.append(unit_records.c.imei == imei)
        if serial:
            conds.append(unit_records.c.serial == serial)
        if not conds:
            return []
        return list(conn.execute(sa.select(unit_records).where(sa.or_(*conds)).order_by(unit_records.c.id)))

    def unit_history(self, case_input: Mapping[str, Any]) -> tuple[Mapping[str, Any], dict[str, Any], list[str]]:
        """``(case_input, unit, warnings)``: a new case's input as what the store knows about
        the unit requires (``outcomes.unit_adjustments``), what was applied, and lines for the clerk."""
        imei, serial = unit_of(case_input)
        if imei is None and serial is None:
            return case_input, {}, []
        with _db.read_connection(self.engine) as conn:
            rows = self._unit_rows(conn, imei, serial)
        if not rows:
            return case_input, {}, []
        adjusted, unit = unit_adjustments(rows, case_input)
        warnings = []
        if unit.get("replacement_of"):
            if unit["warranty_after"] == "restarts":
                warnings.append(Said(
                    f"device: the replacement unit of {unit['replacement_of']}; its period restarts on the exchange date",
                    f"设备：本机为 {unit['replacement_of']} 换货所换新机（{unit['exchanged_on']}），"
                    f"三包有效期自换货之日起重新计算（第二十一条）"))
            else:
                warnings.append(Said(
                    f"device: the replacement unit of {unit['replacement_of']}; the original warranty continues",
                    f"设备：本机为 {unit['replacement_of']} 换货所换新机（{unit['exchanged_on']}），保修期延续原机"))
        if unit.get("repairs"):
            repairs, days = len(unit["repairs"]), unit.get("days_in_repair", 0)
            warnings.append(Said(f"history: {repairs} earlier free repair(s), {days} days, counted",
                                 f"维修记录：本机已免费修理 {repairs} 次，共 {days} 天，已计入"))
        return adjusted, unit, warnings

    def _unit_view(self, conn: sa.Connection, row) -> list[dict[str, Any]]:
        """The unit's history as the case view shows it: other cases that left a record on it."""
        out = []
        for r in self._unit_rows(conn, row.device_imei, (row.device_serial or "").upper() or None):
            if r.case_id == row.id:
                continue
            out.append({"kind": r.kind, "case": r.data.get("case"), "on": r.on_date.isoformat(), "data": r.data})
        return out

    # --- remedy and outcome ---------------------------------------------------------------------

    def _latest_decision(self, conn: sa.Connection, case_id: int) -> dict:
        from .schema import decisions

        return conn.execute(sa.select(decisions.c.decision).where(decisions.c.case_id == case_id)
                            .order_by(decisions.c.seq.desc()).limit(1)).scalar_one()

    def choose_remedy(self, number: str, remedy: str, *, actor: str, now: datetime | None = None,
                      override: str | None = None, note: str | None = None) -> dict[str, Any]:
        """Record the remedy the customer chose. An exchange chosen in 检测 moves the case to 待换货."""
        from .casestore import change
        from .schema import cases, events

        now, actor, number, note, override, warnings = change(number, actor, now, note, override)
        with _db.write_transaction(self.engine) as conn:
            row = self._lock(conn, number)  # type: ignore[attr-defined]
            _refuse_closed(row)
            data = check_remedy(self._latest_decision(conn, row.id), remedy, override)
            values: dict[str, Any] = {"remedy": remedy, "updated_at": now}
            to_state = row.state
            if remedy == "exchange" and row.state == "diagnosing":
                to_state = values["state"] = "awaiting_exchange"
                values["state_since"] = now
            conn.execute(cases.update().where(cases.c.id == row.id), values)
            if to_state != row.state:
                conn.execute(events.insert(), {"case_id": row.id, "at": now, "actor": actor, "kind": "move",
                                               "from_state": row.state, "to_state": to_state, "note": None,
                                               "data": {"remedy": remedy}})
            conn.execute(events.insert(), {"case_id": row.id, "at": now, "actor": actor, "kind": "remedy",
                                           "from_state": to_state, "to_state": to_state, "note": note,
                                           "data": data})
        return {**self.get(number, today=local_date(now), now=now), "warnings": warnings}  # type: ignore[attr-defined]

    def record_outcome(self, number: str, kind: str, fields: Mapping[str, Any], *, actor: str,
                       now: datetime | None = None, override: str | None = None,
                       note: str | None = None) -> dict[str, Any]:
        """Record what was done. Checked before anything is written (one transaction)."""
        from .casestore import _clean, change, moved_follow_ups
        from .schema import cases, events, unit_records

        now, actor, number, note, override, warnings = change(number, actor, now, note, override)
        today = local_date(now)
        fields = dict(fields)
        for key in ("work", "certificate", "serial"):
            if isinstance(fields.get(key), str):
                fields[key] = _clean(fields[key], key, warnings)
        if isinstance(fields.get("parts"), list):
            fields["parts"] = [_clean(p, "parts", warnings) for p in fields["parts"]]
        with _db.write_transaction(self.engine) as conn:
            row = self._lock(conn, number)  # type: ignore[attr-defined]
            _refuse_closed(row)
            target = outcome_move(kind, row.state, number)     # where it moves the case, if anywhere
            choice = check_remedy(self._latest_decision(conn, row.id), kind, override)
            # what ``FILLED_BY_STORE`` says the store fills
            if kind == "repair" and "days" not in fields:
                changes = self._state_changes(conn, [row.id]).get(row.id, [])  # type: ignore[attr-defined]
                fields["days"] = repair_days(changes, today)
            if kind == "exchange" and not fields.get("date"):
                fields["date"] = today.isoformat()
            taken = False
            if kind == "exchange" and fields.get("imei"):
                imei = str(fields["imei"]).strip()[:15]
                taken = conn.execute(sa.select(sa.func.count()).select_from(unit_records).where(
                    unit_records.c.kind == "replacement", unit_records.c.imei == imei)).scalar_one() > 0
            decision = self._latest_decision(conn, row.id)
            data = parse_outcome(kind, fields, case_input=row.case_input, replacement_taken=taken)
            if kind == "return":
                full = _offers_return(decision)   # a return of its own: the invoice price in full
                # a refund the decision offered in place of an exchange (depreciated where the law allows)
                instead = next((r.get("refund_instead") for r in decision.get("remedies") or ()
                                if r.get("refund_instead")), None)
                if instead:
                    data["refund_instead"] = instead
                    floor = instead.get("amount") if isinstance(instead, Mapping) else None
                    if not full and isinstance(floor, int | float) and data["refund"] < floor:
                        raise StoreError(
                            f"refund {data['refund']:g} is less than the {floor:g} the decision offers in place "
                            f"of the exchange (the invoice price less depreciation)", field="refund",
                            zh=f"退款 {data['refund']:g} 元少于判定给出的退款 {floor:g} 元（发票价扣除折旧）")
                if full and data["refund"] < data["invoice_price"]:
                    # the return the decision offers (within 7 days, a brand's own) refunds the
                    # invoice price in full: less only with a manager's reason, recorded
                    reason = (override or "").strip()
                    if not reason:
                        raise StoreError(
                            f"refund {data['refund']:g} is less than the invoice price {data['invoice_price']:g}: the "
                            f"return the decision offers refunds the invoice price in full; a manager may record "
                            f"a lower refund with --override REASON", field="override",
                            zh=f"退款 {data['refund']:g} 元少于发票金额 {data['invoice_price']:g} 元：判定给出的退货"
                               f"应按发票金额全额退款；如经店长同意少退，请用 --override 写明原因")
                    data["below_invoice"] = reason
            if kind == "exchange" and date.fromisoformat(data["date"]) > today:
                raise StoreError(f"exchange date {data['date']} is after today {today.isoformat()}", field="date",
                                 zh=f"换货日期 {data['date']} 晚于今天 {today.isoformat()}")
            if kind == "exchange" and date.fromisoformat(data["date"]) < row.case_date:
                raise StoreError(f"exchange date {data['date']} is before the case date {row.case_date.isoformat()}",
                                 field="date", zh=f"换货日期 {data['date']} 早于受理日 {row.case_date.isoformat()}")
            values: dict[str, Any] = {"remedy": kind, "outcome": kind, "outcome_data": data, "updated_at": now}
            if target:
                values["state"] = target
                values["state_since"] = now
            conn.execute(cases.update().where(cases.c.id == row.id), values)
            if choice.get("override") or row.remedy != kind:
                conn.execute(events.insert(), {"case_id": row.id, "at": now, "actor": actor, "kind": "remedy",
                                               "from_state": row.state, "to_state": row.state, "note": None,
                                               "data": choice})
            event_id = conn.execute(events.insert().returning(events.c.id), {
                "case_id": row.id, "at": now, "actor": actor, "kind": "outcome", "from_state": row.state,
                "to_state": target or row.state, "note": note, "data": {"outcome": kind, **data},
            }).scalar_one()
            if target:
                moved_follow_ups(conn, row, target, event_id=event_id, actor=actor, now=now)
            case_input = row.case_input or {}
            device = case_input.get("device") or {}
            if kind == "exchange":
                conn.execute(unit_records.insert(), {
                    "case_id": row.id, "kind": "replacement", "imei": data["imei"], "serial": data.get("serial"),
                    "on_date": date.fromisoformat(data["date"]), "at": now,
                    "data": {"case": row.number, "original_imei": device.get("imei"),
                             "original_serial": device.get("serial"), "certificate": data.get("certificate"),
                             "warranty_after": _warranty_after(decision),
                             "purchase": case_input.get("purchase") or {},
                             "activation_date": case_input.get("activation_date"),
                             "days_in_repair": int((case_input.get("history") or {}).get("days_in_repair") or 0),
                             "brand": row.brand, "model": row.device_model},
                })
            elif kind == "repair" and (row.device_imei or row.device_serial):
                conn.execute(unit_records.insert(), {
                    "case_id": row.id, "kind": "repair", "imei": row.device_imei,
                    "serial": (row.device_serial or "").upper() or None, "on_date": today, "at": now,
                    "data": {"case": row.number, "days": data["days"], "work": data["work"], "parts": data["parts"],
                             "component": (case_input.get("fault") or {}).get("component")},
                })
        return {**self.get(number, today=today, now=now), "warnings": warnings}  # type: ignore[attr-defined]

    def record_intake(self, number: str, record: Mapping[str, Any], *, actor: str,
                      now: datetime | None = None) -> dict[str, Any]:
        """Record (again) what was received and inspected; the latest record is the ticket's."""
        from .casestore import change
        from .schema import cases, events

        now, actor, number, _, _, warnings = change(number, actor, now)
        given = {k: v for k, v in record.items() if v is not None}
        if not given:
            raise StoreError("nothing to record: give the accessories, the appearance, the checklist or the passcode",
                             zh="没有要登记的内容：请给出附件、外观、数据清单或锁屏密码")
        parse_intake(given)  # bad input fails before the transaction
        with _db.write_transaction(self.engine) as conn:
            row = self._lock(conn, number)  # type: ignore[attr-defined]
            if row.state in ("closed", "cancelled"):
                raise StoreError(f"case {number} is {row.state} ({state_label(row.state)})",
                                 zh=f"案例 {number} 已「{state_label(row.state)}」")
            data = parse_intake({**(row.intake_record or {}), **given})
            conn.execute(cases.update().where(cases.c.id == row.id), {"intake_record": data, "updated_at": now})
            conn.execute(events.insert(), {"case_id": row.id, "at": now, "actor": actor, "kind": "inspected",
                                           "from_state": row.state, "to_state": row.state, "note": None,
                                           "data": data})
        return {**self.get(number, today=local_date(now), now=now), "warnings": warnings}  # type: ignore[attr-defined]

    # --- the service point --------------------------------------------------------------------

    def store_info(self, code: str) -> StoreInfo:
        from .contact import normalize_store

        code = normalize_store(code)
        with _db.read_connection(self.engine) as conn:
            return self._store_info_on(conn, code)

    @staticmethod
    def _store_info_on(conn: sa.Connection, code: str) -> StoreInfo:
        """The store's details read on ``conn`` (inside the caller's transaction)."""
        from .schema import store_settings

        row = conn.execute(sa.select(store_settings).where(store_settings.c.store_code == code)).first()
        if row is None:
            return StoreInfo(code)
        return StoreInfo(code, row.name, row.address, row.hotline, row.opens, row.closes, row.printer)

    def set_store_info(self, code: str, *, actor: str, now: datetime | None = None,
                       **values: str | None) -> StoreInfo:
        """Set a service point's details; values left ``None`` keep what was set before."""
        from .casestore import _clean, aware
        from .contact import normalize_hotline, normalize_staff, normalize_store
        from .schema import store_settings

        now = aware(now)
        warnings: list[str] = []
        actor = normalize_staff(_clean(actor, "staff", warnings))
        code = normalize_store(code)
        current = self.store_info(code)
        merged = current.to_dict()
        for key, value in values.items():
            if key not in ("name", "address", "hotline", "opens", "closes", "printer"):
                raise StoreError(f"unknown store setting {key!r}", field=key, zh=f"未知的网点设置项 {key!r}")
            if value is not None:
                text = _clean(value, key, warnings)
                merged[key] = text.strip() if text and text.strip() else None
        merged["opens"], merged["closes"] = check_hours(merged["opens"] or "09:00", merged["closes"] or "18:00")
        if values.get("hotline") is not None and merged.get("hotline"):
            # checked and stored as a customer's phone is (store.contact); one set before these
            # checks is kept as it is when other details change
            merged["hotline"] = normalize_hotline(merged["hotline"])
        row = {k: merged[k] for k in ("name", "address", "hotline", "opens", "closes", "printer")}
        with _db.write_transaction(self.engine) as conn:
            exists = conn.execute(sa.select(store_settings.c.store_code)
                                  .where(store_settings.c.store_code == code)).first()
            if exists:
                conn.execute(store_settings.update().where(store_settings.c.store_code == code),
                             {**row, "updated_at": now, "updated_by": actor})
            else:
                conn.execute(store_settings.insert(), {"store_code": code, **row, "updated_at": now,
                                                       "updated_by": actor})
        return StoreInfo(code, **row)

    def service_due(self, store: str, intake_at: datetime, conn: sa.Connection | None = None) -> tuple[datetime, datetime]:
        """The 24 h answer and 48 h solution due times of a case taken in at ``intake_at``."""
        from .contact import normalize_store

        info = self._store_info_on(conn, normalize_store(store)) if conn is not None else self.store_info(store)
        return due_times(intake_at, info)

    # --- the manager's view -------------------------------------------------------------------

    def report(self, *, now: datetime | None = None, store: str | None = None) -> dict[str, Any]:
        """The day at a glance: follow-ups due today, overdue repairs and answers, spare phones
        owed, exchanges waiting for stock, cases by state and by brand, the week's intake."""
        from .casestore import aware
        from .contact import normalize_store
        from .schema import cases

        now = aware(now)
        today = local_date(now)
        open_cases = self.list_cases(store=store, today=today, now=now, open_only=True)  # type: ignore[attr-defined]

        def brief(c: dict, why: tuple[str, str] = ("", "")) -> dict[str, Any]:
            return {"number": c["number"], "state": c["state"], "state_zh": c["state_zh"], "brand": c["brand"],
                    "model": c["device"]["model"], "customer": c["customer"]["name"],
                    "days_in_repair": c["repair"]["days_in_repair"], "why": why[0], "why_en": why[1]}

        def with_notice(prefix: tuple[str, ...]) -> list[dict[str, Any]]:
            out = []
            for c in open_cases:
                found = c["notices"] + ((c.get("service_level") or {}).get("notices") or [])
                hits = [n for n in found if n["id"].startswith(prefix)]
                if hits:
                    out.append(brief(c, ("；".join(n["message_zh"] for n in hits),
                                         "; ".join(n["message_en"] for n in hits))))
            return out

        exchanges = [brief(c, ("待换货（已选换货）", "awaiting exchange (exchange chosen)") if c.get("remedy") == "exchange"
                           else ("待换货", "awaiting exchange"))
                     for c in open_cases if c["state"] == "awaiting_exchange"]
        with _db.read_connection(self.engine) as conn:
            base = sa.select(cases.c.state, cases.c.brand, cases.c.intake_at, cases.c.outcome)
            if store:
                base = base.where(cases.c.store_code == normalize_store(store))
            by_state: dict[str, int] = {}
            by_brand: dict[str, int] = {}
            week_start = today - timedelta(days=6)
            intake = {week_start + timedelta(days=i): 0 for i in range(7)}
            outcomes: dict[str, int] = {}
            for state, brand, intake_at, outcome in conn.execute(base):
                by_state[state] = by_state.get(state, 0) + 1
                if state not in FINISHED:
                    by_brand[brand] = by_brand.get(brand, 0) + 1
                day = local_date(intake_at)
                if day in intake:
                    intake[day] += 1
                if outcome:
                    outcomes[outcome] = outcomes.get(outcome, 0) + 1
        return {
            "date": today.isoformat(),
            "at": now.isoformat(timespec="minutes"),
            "store": normalize_store(store) if store else None,
            "follow_ups_today": with_notice(("follow_up_",)),
            "overdue_repairs": with_notice(("repair_overdue",)),
            "overdue_answers": with_notice(("answer_overdue", "solution_overdue")),
            "spare_phones": with_notice(("spare_phone",)),
            "exchanges_waiting": exchanges,
            "by_state": [{"state": s, "state_zh": STATES[s][0], "count": by_state[s]}
                         for s in STATES if by_state.get(s)],
            "by_brand_open": [{"brand": b, "count": n} for b, n in sorted(by_brand.items(), key=lambda x: -x[1])],
            "outcomes": outcomes,
            "week_intake": [{"date": d.isoformat(), "count": n} for d, n in intake.items()],
        }


def _refuse_closed(row) -> None:
    if row.state in OUTCOME_CLOSED:
        raise StoreError(f"case {row.number} is {row.state} ({state_label(row.state)}); nothing more can be recorded",
                         zh=f"案例 {row.number} 已「{state_label(row.state)}」，不能再登记处理结果")


def _warranty_after(decision: Mapping[str, Any]) -> str:
    return ((decision.get("exchange") or {}).get("warranty_after")) or "restarts"


def _offers_return(decision: Mapping[str, Any]) -> bool:
    """Whether the decision offers a return of its own (a full refund), not only in place of an exchange."""
    return any(r.get("remedy") == "return" and r.get("available") for r in decision.get("remedies") or ())


def unit_of(case_input: Any) -> tuple[str | None, str | None]:
    """The unit a case input names, as the store matches units: its IMEI (the first 15
    characters) and its serial (upper case); None for what it does not give."""
    device = case_input.get("device") if isinstance(case_input, Mapping) else None
    if not isinstance(device, Mapping):
        return None, None
    imei = str(device.get("imei") or "").strip()[:15] or None
    return imei, str(device.get("serial") or "").strip().upper() or None
