"""The counter workflow (seed 002 终端售后服务流程; DESIGN.md "Cases and the store"). Pure: no
clock, no database; callers pass ``now`` / ``today``.

States and the moves allowed between them::

    received 受理 -> diagnosing 检测 -> in_repair 维修中 | awaiting_exchange 待换货
        -> ready_for_pickup 待取机 -> picked_up 已取机签字 -> closed 结案

    diagnosing -> ready_for_pickup       fixed at the counter, no fault found, or the customer
                                         declines a paid repair: the unit goes back, signed for
    in_repair -> awaiting_exchange       the repair overran or failed: exchange instead
    ready_for_pickup -> in_repair        the customer tests the unit at pickup and it still fails
    received | diagnosing -> cancelled   已撤销: taken in by mistake or withdrawn before any work

Days in repair (修理占用天数) come from the event log: the calendar days the unit spent with the
service point, in the states ``received`` .. ``awaiting_exchange``, from the day it was handed
in (送修之日, not counted) to the day it became ready for pickup (or today). They feed the
engine on re-evaluation (``history.current_repair_days``, ``history.days_in_repair``) and the
notices: a spare phone is due after 7 days, an exchange after 30 (60 when parts are missing).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from aftersales.core.rules import Workflow

# re-exported: the store and the commands take the local day from here (store.localday
# holds it without this module's imports, for the counter UI's first screen)
from .localday import CHINA_TZ as CHINA_TZ
from .localday import local_date as local_date

STATES: dict[str, tuple[str, str]] = {
    "received": ("受理", "received"),
    "diagnosing": ("检测", "diagnosing"),
    "in_repair": ("维修中", "in repair"),
    # 换货, not 换机: what is exchanged may be the battery or another accessory, not the phone
    "awaiting_exchange": ("待换货", "awaiting exchange"),
    "ready_for_pickup": ("待取机", "ready for pickup"),
    "picked_up": ("已取机签字", "picked up and signed"),
    "closed": ("结案", "closed"),
    "cancelled": ("已撤销", "cancelled"),
}

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "received": ("diagnosing", "cancelled"),
    "diagnosing": ("in_repair", "awaiting_exchange", "ready_for_pickup", "cancelled"),
    "in_repair": ("ready_for_pickup", "awaiting_exchange"),
    "awaiting_exchange": ("ready_for_pickup",),
    "ready_for_pickup": ("picked_up", "in_repair"),
    "picked_up": ("closed",),
    "closed": (),
    "cancelled": (),
}

#: the unit is with the service point in these states (the repair clock runs)
WITH_US = frozenset({"received", "diagnosing", "in_repair", "awaiting_exchange"})
#: states after which nothing is due any more
FINISHED = frozenset({"picked_up", "closed", "cancelled"})
#: the unit is ready for the customer to collect: the pickup notice is sent in these states
PICKUP_READY = frozenset({"ready_for_pickup"})
#: moves that need a note (why)
NOTE_REQUIRED = frozenset({("ready_for_pickup", "in_repair"), ("received", "cancelled"), ("diagnosing", "cancelled")})

PARTIES: dict[str, tuple[str, str]] = {
    "repair_station": ("维修站", "repair station"),
    "customer": ("客户", "customer"),
}
PURPOSES: dict[str, tuple[str, str]] = {
    "progress": ("回访维修进度", "follow-up on progress"),
    "pickup": ("通知取机", "call to pick up"),
}
REPAIR_KINDS: dict[str, tuple[str, str]] = {
    "simple": ("一般维修", "simple repair"),
    "complex": ("复杂维修", "complex repair"),
}


#: the counter's time limits, taken from the policies (``registry.workflow(case)``): the policy's
#: workflow record, whose defaults are declared once, in ``core.rules.Workflow``
WorkflowSettings = Workflow


def settings_from(obj: Any) -> WorkflowSettings:
    """Settings from a policy's record, a stored mapping or ``None``; what is missing keeps its default."""
    if obj is None:
        return DEFAULT_SETTINGS
    if isinstance(obj, Workflow):
        return obj
    values: dict[str, Any] = {}
    for name in _STORED:
        value = obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)
        if value is not None:
            values[name] = tuple(value) if name.endswith("working_days") else int(value)
    return Workflow(**values)


def settings_dict(settings: WorkflowSettings) -> dict[str, Any]:
    """The settings as the store keeps them with a case (JSON-ready; the citation stays with the policy)."""
    return {name: list(v) if isinstance(v, tuple) else v for name in _STORED for v in [getattr(settings, name)]}


#: the settings the store keeps with a case
_STORED = tuple(name for name in Workflow._fields if name != "citation")
DEFAULT_SETTINGS = WorkflowSettings()


#: what a case's event log records (``events.kind``)
EVENTS: dict[str, tuple[str, str]] = {
    "created": ("受理", "taken in"),
    "move": ("状态变更", "moved"),
    "follow_up": ("回访", "follow-up"),
    "note": ("备注", "note"),
    "reevaluated": ("重新判定", "re-evaluated"),
    "edited": ("更正", "corrected"),
    "diagnosed": ("检测结果", "test result"),
    "remedy": ("客户选择", "remedy chosen"),
    "outcome": ("处理结果", "outcome"),
    "inspected": ("登记附件外观", "inspected"),
    "spare_phone": ("借出备用机", "spare phone lent"),
}

#: why a decision was taken (``decisions.trigger``)
TRIGGERS: dict[str, tuple[str, str]] = {
    "intake": ("受理时判定", "at intake"),
    "reevaluate": ("重新判定", "re-evaluated"),
    "edit": ("更正后判定", "after a correction"),
    "diagnosis": ("检测后判定", "after the test"),
}

#: the fields of a case the service point's test settles: a change of these alone (the fault
#: confirmed, its component, its description) is the test's result, not a correction of the intake
DIAGNOSIS_FIELDS = frozenset({"fault.confirmed", "fault.component", "fault.description"})


def _label(table: dict[str, tuple[str, str]], id_: str, lang: str) -> str:
    zh, en = table.get(id_, (id_, id_))
    return zh if lang == "zh" else en


def state_label(state: str, lang: str = "zh") -> str:
    return _label(STATES, state, lang)


def party_label(party: str, lang: str = "zh") -> str:
    """Who a follow-up call is for (客户, 维修站), in ``lang``."""
    return _label(PARTIES, party, lang)


def purpose_label(purpose: str, lang: str = "zh") -> str:
    """What a follow-up call is about, in ``lang``."""
    return _label(PURPOSES, purpose, lang)


def moot_reason(follow_up: dict, lang: str = "zh") -> str:
    """Why a follow-up settled with no call needed none (无需回访): the state the case was moved
    to, and whether that was before the day of the call."""
    state = follow_up.get("moot_by")
    if not state:
        return "无需回访" if lang == "zh" else "no call needed"
    label = state_label(state, lang)
    early = (follow_up.get("done_at") or "")[:10] < (follow_up.get("due") or "")
    if lang == "zh":
        return f"无需回访：案例{'在回访日前' if early else ''}已转为“{label}”"
    return f"no call needed: the case moved to “{label}”" + (" before the follow-up day" if early else "")


def event_label(kind: str, lang: str = "zh") -> str:
    """An event of the log as people read it (受理, 更正…)."""
    return _label(EVENTS, kind, lang)


def trigger_label(trigger: str, lang: str = "zh") -> str:
    """Why a decision was taken, as people read it (受理时判定…)."""
    return _label(TRIGGERS, trigger, lang)


def allowed_moves(state: str) -> tuple[str, ...]:
    return TRANSITIONS.get(state, ())


def check_move(current: str, target: str, note: str | None) -> None:
    """Raise ``StoreError`` unless the workflow allows ``current -> target``."""
    from .errors import StoreError

    if target not in STATES:
        raise StoreError(f"unknown state {target!r}; states: {', '.join(STATES)}",
                         zh=f"未知状态 {target!r}；可用状态：{'、'.join(STATES)}")
    if target in OUTCOME_STATES and target != current:
        raise StoreError(f"a case becomes {target} ({state_label(target)}) when its outcome is recorded: "
                         f"aftersales cases outcome NUMBER {OUTCOME_STATES[target]} ...",
                         zh=f"「{state_label(target)}」须登记处理结果：aftersales cases outcome 单号 "
                            f"{OUTCOME_STATES[target]} …")
    if target == current:
        raise StoreError(f"the case is already {target} ({state_label(target)})", zh=f"案例已是「{state_label(target)}」")
    allowed = allowed_moves(current)
    if target not in allowed:
        options = ", ".join(f"{s} ({state_label(s)})" for s in allowed) or "none (the case is finished)"
        options_zh = "、".join(f"「{state_label(s)}」" for s in allowed) or "无（案例已结束）"
        raise StoreError(f"cannot move a case from {current} ({state_label(current)}) to {target} "
                         f"({state_label(target)}); allowed: {options}",
                         zh=f"案例不能从「{state_label(current)}」转为「{state_label(target)}」；可转为：{options_zh}")
    if (current, target) in NOTE_REQUIRED and not (note and note.strip()):
        raise StoreError(f"moving from {current} to {target} needs --note saying why",
                         zh=f"从「{state_label(current)}」转为「{state_label(target)}」需要在备注里写明原因")


def repair_window(intake: date, kind: str, settings: WorkflowSettings = DEFAULT_SETTINGS,
                  calendar=None) -> tuple[date, date]:
    """The repair due window in working days after intake (seed 003: simple 3–5, complex 7–10)."""
    if calendar is None:
        from aftersales.core.dates import DEFAULT_CALENDAR as calendar
    low, high = settings.complex_repair_working_days if kind == "complex" else settings.simple_repair_working_days
    return calendar.add_working_days(intake, low), calendar.add_working_days(intake, high)


def repair_days(state_changes: Sequence[tuple[datetime, str]], today: date) -> int:
    """Calendar days the unit was with the service point, from ``(moment, new_state)`` changes.

    The first change is the intake. Each stretch in a ``WITH_US`` state counts its end day minus
    its start day (the hand-in day not counted); an open stretch runs to ``today``.
    """
    total = 0
    start: date | None = None
    for moment, state in state_changes:
        day = local_date(moment)
        if state in WITH_US:
            if start is None:
                start = day
        elif start is not None:
            total += max(0, (day - start).days)
            start = None
    if start is not None:
        total += max(0, (today - start).days)
    return total


@dataclass(frozen=True, slots=True)
class Notice:
    """Something staff must act on. ``id`` is stable for programs; the texts are for people."""

    id: str
    message_zh: str
    message_en: str
    due: date | None = None

    def to_dict(self) -> dict:
        return {"id": self.id, "message_zh": self.message_zh, "message_en": self.message_en,
                "due": self.due.isoformat() if self.due else None}


def notices(*, state: str, days: int, awaiting_parts: bool, repair_due_by: date | None,
            open_follow_ups: Iterable[tuple[str, str, date]], today: date,
            settings: WorkflowSettings = DEFAULT_SETTINGS, paid: bool = False,
            spare_lent: bool = False) -> list[Notice]:
    """What is due on ``today`` for a case (``open_follow_ups``: ``(party, purpose, due_date)``).
    ``paid``: a paid repair (its entitlement or the remedy chosen), for which no spare phone is
    owed: that is owed for a repair under the three guarantees. ``spare_lent``: one was lent
    (``lend_spare``): owed no longer."""
    out: list[Notice] = []
    for party, purpose, due in sorted(open_follow_ups, key=lambda f: f[2]):
        if due <= today:
            late = (today - due).days
            when_zh = "今日" if late == 0 else f"已逾期{late}天"
            when_en = "today" if late == 0 else f"{late} days overdue"
            out.append(Notice(
                f"follow_up_{purpose}_{party}",
                f"{PURPOSES[purpose][0]}：致电{PARTIES[party][0]}（{when_zh}，应于 {due.isoformat()}）",
                f"{PURPOSES[purpose][1]}: call the {PARTIES[party][1]} ({when_en}, due {due.isoformat()})",
                due,
            ))
    if state not in WITH_US:
        return out
    if state == "in_repair" and repair_due_by is not None and today > repair_due_by:
        out.append(Notice("repair_overdue_sla", f"维修超出承诺时限（应于 {repair_due_by.isoformat()} 前修复）",
                          f"repair is past its working-day target ({repair_due_by.isoformat()})", repair_due_by))
    if days > settings.spare_phone_after_days and not paid and not spare_lent:
        out.append(Notice("spare_phone", f"送修已{days}天，超过{settings.spare_phone_after_days}天：应提供备用机",
                          f"in repair for {days} days (over {settings.spare_phone_after_days}): lend a spare phone"))
    limit = settings.overdue_parts_days if awaiting_parts else settings.overdue_exchange_days
    if days > limit:
        why_zh = "（缺少零配件）" if awaiting_parts else ""
        why_en = " (waiting for parts)" if awaiting_parts else ""
        out.append(Notice("repair_overdue_exchange",
                          f"修理已{days}天，超过{limit}天{why_zh}：消费者可要求免费换货，请重新判定",
                          f"in repair for {days} days, over {limit}{why_en}: the customer may claim an exchange; "
                          f"re-evaluate the case"))
    return out


# --- outcomes (migration 0004) ---------------------------------------------------------------
# Recording what was done moves the case on (``OUTCOME_MOVES``, the one table of it). Return and
# exchange have their own path: the case goes to ``returned`` (the unit stays with the seller, the
# money goes back) or ``exchanged`` (the customer leaves with the replacement, handed over at
# pickup), from any state before pickup; either is then closed. Only ``cases outcome`` moves a
# case into them. A repair, free or paid (or a paid one declined: the unit goes back as it came),
# makes a unit still with the service point ready for pickup (待取机), as moving it there does:
# the progress calls are settled, the customer's pickup call is due. Recorded once the unit is
# ready or picked up, it leaves the state as it is.

STATES.update({
    "returned": ("已退货退款", "returned and refunded"),
    "exchanged": ("已换货", "exchanged"),
})
TRANSITIONS.update({
    "returned": ("closed",),
    "exchanged": ("closed",),
})
#: states an outcome that moves the case to its own state (return, exchange) may start from
OUTCOME_FROM = frozenset({"received", "diagnosing", "in_repair", "awaiting_exchange", "ready_for_pickup"})
#: outcome -> (the state recording it moves a case to, the states it moves a case from)
OUTCOME_MOVES: dict[str, tuple[str, frozenset[str]]] = {
    "return": ("returned", OUTCOME_FROM),
    "exchange": ("exchanged", OUTCOME_FROM),
    "repair": ("ready_for_pickup", WITH_US),
    "paid_repair": ("ready_for_pickup", WITH_US),
}
#: the states only an outcome reaches (no move leads there) -> that outcome
OUTCOME_STATES = {state: kind for kind, (state, _) in OUTCOME_MOVES.items()
                  if not any(state in targets for targets in TRANSITIONS.values())}
#: states in which no outcome may be recorded
OUTCOME_CLOSED = frozenset({"closed", "cancelled", *OUTCOME_STATES})
FINISHED = FINISHED | frozenset(OUTCOME_STATES)


def outcome_move(kind: str, state: str, number: str = "") -> str | None:
    """The state recording outcome ``kind`` moves case ``number``, in ``state``, to; ``None`` when
    it stays where it is (a repair recorded once the unit is ready or picked up). A return or an
    exchange recorded after pickup is refused (``StoreError``)."""
    target, sources = OUTCOME_MOVES.get(kind, (None, frozenset()))
    if target is None:
        return None                     # (not an outcome: refused where it is checked)
    if state in sources:
        return target
    if target in OUTCOME_STATES:
        from aftersales.core.vocab import label

        from .errors import StoreError

        raise StoreError(f"case {number} is {state} ({state_label(state)}): a {kind} is recorded before pickup",
                         zh=f"案例 {number} 已「{state_label(state)}」，{label('remedy', kind)}应在取机前登记")
    return None
