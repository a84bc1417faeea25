"""Service levels (seed 003 售后服务细则 二.3: answer within 24 hours, a solution within 48 hours)
and the service point's own details. Pure: callers pass the moments.

How a due time is counted: the clock runs in hours from the moment the case is taken in, but
stops on rest days (weekends and statutory holidays as observed, make-up working days counted as
working days: ``aftersales.core.dates``, i.e. the ``chinesecalendar`` data); a due moment that
falls outside the store's working hours moves to the next opening. So a case taken in on Friday
at 17:00 must be answered by Monday 17:00, and one taken in at 20:00 on a Monday by Wednesday at
opening time.

When is it met?

* **answered** (答复): the customer was told the result of the test — the case left 检测
  (``diagnosing``), a remedy or an outcome was recorded, the customer was called (a follow-up),
  or the case was cancelled;
* **solved** (解决方案): the customer agreed on a remedy (``remedy`` / ``outcome`` recorded), the
  unit is ready for pickup, or the case was cancelled.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from .errors import StoreError
from .workflow import CHINA_TZ

ANSWER_HOURS = 24
SOLUTION_HOURS = 48
DEFAULT_OPENS = "09:00"
DEFAULT_CLOSES = "18:00"


@dataclass(frozen=True, slots=True)
class StoreInfo:
    """A service point's details as the ticket, the pickup notice and the due times read them."""

    code: str
    name: str | None = None
    address: str | None = None
    hotline: str | None = None
    opens: str = DEFAULT_OPENS
    closes: str = DEFAULT_CLOSES
    printer: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "address": self.address, "hotline": self.hotline,
                "opens": self.opens, "closes": self.closes, "printer": self.printer}

    @property
    def hours(self) -> tuple[time, time]:
        return parse_hour(self.opens, "opens"), parse_hour(self.closes, "closes")


def parse_hour(text: str, field: str) -> time:
    try:
        value = time.fromisoformat(str(text).strip())
    except ValueError:
        raise StoreError(f"{text!r} is not a time of day (HH:MM)", field=field,
                         zh=f"{text!r} 不是时刻（应为 HH:MM）") from None
    return value.replace(second=0, microsecond=0)


def check_hours(opens: str, closes: str) -> tuple[str, str]:
    o, c = parse_hour(opens, "opens"), parse_hour(closes, "closes")
    if o >= c:
        raise StoreError(f"opening time {o:%H:%M} is not before closing time {c:%H:%M}", field="opens",
                         zh=f"营业开始 {o:%H:%M} 应早于结束 {c:%H:%M}")
    return f"{o:%H:%M}", f"{c:%H:%M}"


def _calendar():
    from aftersales.core.dates import DEFAULT_CALENDAR

    return DEFAULT_CALENDAR


def due_after(start: datetime, hours: int, info: StoreInfo, calendar=None) -> datetime:
    """``hours`` after ``start`` with the clock stopped on rest days, moved into working hours."""
    calendar = calendar or _calendar()
    opens, closes = info.hours
    local = start.astimezone(CHINA_TZ)
    remaining = timedelta(hours=hours)
    moment = local
    # a case taken in on a rest day starts its clock at the next working day's opening
    while calendar.is_rest_day(moment.date()):
        moment = datetime.combine(moment.date() + timedelta(days=1), opens, CHINA_TZ)
    while remaining > timedelta(0):
        midnight = datetime.combine(moment.date() + timedelta(days=1), time(0), CHINA_TZ)
        if calendar.is_rest_day(moment.date()):
            moment = midnight
            continue
        step = min(remaining, midnight - moment)
        moment += step
        remaining -= step
    # into working hours
    while True:
        day = moment.date()
        if calendar.is_rest_day(day) or moment.timetz().replace(tzinfo=None) > closes:
            moment = datetime.combine(day + timedelta(days=1), opens, CHINA_TZ)
            continue
        if moment.timetz().replace(tzinfo=None) < opens:
            moment = datetime.combine(day, opens, CHINA_TZ)
        if calendar.is_rest_day(moment.date()):
            continue
        return moment


def due_times(intake_at: datetime, info: StoreInfo, calendar=None) -> tuple[datetime, datetime]:
    return (due_after(intake_at, ANSWER_HOURS, info, calendar), due_after(intake_at, SOLUTION_HOURS, info, calendar))


def met_at(events: Iterable[Mapping[str, Any]]) -> tuple[datetime | None, datetime | None]:
    """``(answered_at, solved_at)`` from a case's events (``kind``, ``at``, ``from``/``to``, ``data``)."""
    answered = solved = None
    for e in events:
        kind, at = e["kind"], e["at"]
        to, frm = e.get("to"), e.get("from")
        is_answer = (kind in ("remedy", "outcome") or (kind == "move" and frm == "diagnosing")
                     or (kind == "move" and to == "cancelled")
                     or (kind == "follow_up" and "customer" in ((e.get("data") or {}).get("parties") or ())))
        is_solution = (kind in ("remedy", "outcome")
                       or (kind == "move" and to in ("ready_for_pickup", "cancelled")))
        if is_answer and answered is None:
            answered = at
        if is_solution and solved is None:
            solved = at
    return answered, solved


@dataclass(frozen=True, slots=True)
class ServiceLevel:
    answer_due: datetime | None
    solution_due: datetime | None
    answered_at: datetime | None
    solved_at: datetime | None

    def overdue(self, now: datetime) -> list[str]:
        """``answer`` / ``solution`` when past due and not met."""
        out = []
        if self.answer_due and self.answered_at is None and now > self.answer_due:
            out.append("answer")
        if self.solution_due and self.solved_at is None and now > self.solution_due:
            out.append("solution")
        return out

    def to_dict(self, now: datetime) -> dict[str, Any]:
        def iso(v: datetime | None) -> str | None:
            return v.astimezone(CHINA_TZ).isoformat(timespec="minutes") if v else None

        late = [which for which, due, met in (("answer", self.answer_due, self.answered_at),
                                              ("solution", self.solution_due, self.solved_at))
                if due and met and met > due]
        return {"answer_due": iso(self.answer_due), "solution_due": iso(self.solution_due),
                "answered_at": iso(self.answered_at), "solved_at": iso(self.solved_at),
                "overdue": self.overdue(now), "met_late": late}


SLA_NOTICES = {
    "answer": ("未在24小时内答复客户（应于 {due} 前）", "no answer to the customer within 24 hours (due {due})"),
    "solution": ("未在48小时内给出解决方案（应于 {due} 前）", "no solution within 48 hours (due {due})"),
}


def sla_notices(level: ServiceLevel, now: datetime) -> list[dict[str, Any]]:
    out = []
    for which in level.overdue(now):
        due = level.answer_due if which == "answer" else level.solution_due
        assert due is not None
        text = due.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")
        zh, en = SLA_NOTICES[which]
        out.append({"id": f"{which}_overdue", "message_zh": zh.format(due=text), "message_en": en.format(due=text),
                    "due": due.astimezone(CHINA_TZ).date().isoformat()})
    return out

