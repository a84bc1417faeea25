"""Every date computation of the project, in one small module.

Rules (DOMAIN.md "Counting days"; Civil Code 第二百零一条至第二百零三条):

* The start day is not counted: ``elapsed_days(start, day) = (day - start).days``, so the day
  after the purchase is day 1 and day 1..7 is the return window.
* A period in months ends on the corresponding day of the end month, or on that month's last
  day when it has none: 12 months from 2024-02-29 ends 2025-02-28.
* Days the unit spent in repair push the end later by as many days.
* When a policy asks for it, a last day that is a rest day moves to the next working day. Rest
  days are weekends and statutory holidays as actually observed; the official make-up working
  days (调休) count as working days. Data: the ``chinesecalendar`` package plus dates a policy
  adds. A year outside the data is reported by the caller (``CalendarGap``), never assumed.

Pure functions over ``datetime.date``; no clock, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, NamedTuple

from .memo import remember

_ONE_DAY = timedelta(days=1)
_new = tuple.__new__
_from_ordinal = date.fromordinal
#: years of ``RestDayCalendar.roll_forward`` kept (each ~365 entries)
_ROLL_YEARS = 200
#: period ends kept per calendar and kind of period (``RestDayCalendar.spans``), about 200 bytes each
#: (a replay worker's memory stays flat: a bound of 65,536 grew it by ~14 MiB for no time measured)
SPAN_CACHE_SIZE = 8192


@lru_cache(maxsize=1)
def _package_data() -> tuple[frozenset[date], frozenset[date], tuple[int, int]]:
    """The ``chinesecalendar`` package's holidays and make-up working days, read when first
    needed (loading policies needs none of it)."""
    from chinese_calendar import constants

    holidays = frozenset(constants.holidays)
    return holidays, frozenset(constants.workdays), (min(d.year for d in holidays), max(d.year for d in holidays))


def __getattr__(name: str) -> Any:
    """``DATA_YEARS``: the first and last year the ``chinesecalendar`` data covers (read on first use)."""
    if name == "DATA_YEARS":
        return _package_data()[2]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def elapsed_days(start: date, day: date) -> int:
    """Days from ``start`` to ``day``, the start day not counted (the day after is day 1)."""
    return (day - start).days


#: days in each month of a common year
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def add_months(start: date, months: int) -> date:
    """The corresponding day ``months`` later, or that month's last day when there is none.
    (Not memoized: ``span_end`` keeps the period ends it works out and calls this only for one it
    has not, where a memo of its own was hit about one time in five, a miss costing more than the
    arithmetic, and held up to 11 MiB when full.)

    >>> add_months(date(2024, 2, 29), 12)
    datetime.date(2025, 2, 28)
    >>> add_months(date(2026, 1, 31), 1)
    datetime.date(2026, 2, 28)
    """
    total = start.year * 12 + start.month - 1 + months
    year, month0 = divmod(total, 12)
    day = start.day
    if day > 28:  # only the last days of a month can be past the end month's last
        last = 29 if month0 == 1 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else _MONTH_DAYS[month0]
        if day > last:
            day = last
    return date(year, month0 + 1, day)


class PeriodEnd(NamedTuple):
    """The last day of a period and how it was reached."""

    end: date
    #: the end before rolling over a rest day (equal to ``end`` when nothing moved)
    unrolled: date
    #: years whose rest days the roll-over needed but no data covered (weekends only were used)
    unknown_years: tuple[int, ...] = ()


class RestDayCalendar:
    """Weekends and statutory holidays as observed, with make-up working days as working days.

    ``extra_rest_days`` / ``extra_working_days`` are dates a policy adds (a new year's
    holiday notice before the package has it, a local rule). ``known_years`` are the years the
    data covers: the package's range plus every year a policy gives dates for.
    """

    __slots__ = ("_extra_rest", "_extra_work", "_rest", "_work", "_known_years", "_roll_cache", "spans")

    def __init__(self, extra_rest_days: Iterable[date] = (), extra_working_days: Iterable[date] = ()) -> None:
        self._extra_rest = frozenset(extra_rest_days)
        self._extra_work = frozenset(extra_working_days)
        self._rest: frozenset[date] | None = None  # with the package's data, on first use (``_load``)
        self._work: frozenset[date] = frozenset()
        self._known_years: frozenset[int] = frozenset()
        self._roll_cache: dict[date, PeriodEnd] = {}
        #: the ends ``span_end`` worked out with this calendar, by (start, months, days): without
        #: roll-over, then with it (indexed by the ``rollover`` flag). A compiled offer looks its
        #: period up here first; most cases share their start and period with an earlier one.
        self.spans: tuple[dict[tuple, PeriodEnd], dict[tuple, PeriodEnd]] = ({}, {})

    def _load(self) -> frozenset[date]:
        holidays, workdays, (first, last) = _package_data()
        extra_rest, extra_work = self._extra_rest, self._extra_work
        self._work = (workdays - extra_rest) | extra_work
        years = set(range(first, last + 1))
        years.update(d.year for d in extra_rest | extra_work)
        self._known_years = frozenset(years)
        self._rest = rest = (holidays - extra_work) | extra_rest
        return rest

    def knows(self, year: int) -> bool:
        """Whether holiday data covers ``year``."""
        if self._rest is None:
            self._load()
        return year in self._known_years

    def is_rest_day(self, day: date) -> bool:
        """A weekend day that is not a make-up working day, or a statutory holiday."""
        rest = self._rest
        if rest is None:
            rest = self._load()
        if day in self._work:
            return False
        if day in rest:
            return True
        return day.weekday() >= 5

    def roll_forward(self, day: date) -> PeriodEnd:
        """``day`` itself when it is a working day, else the next working day."""
        hit = self._roll_cache.get(day)
        if hit is None:
            hit = self._roll_year(day.year)[day]
        return hit

    def _roll_year(self, year: int) -> dict[date, PeriodEnd]:
        """``roll_forward`` of every day of ``year``, worked out together and kept: a period's
        last day is a new date for most cases, and a year costs about what a few dozen days
        worked out one by one do. Kept for at most ``_ROLL_YEARS`` years."""
        rest = self._rest if self._rest is not None else self._load()
        work = self._work
        known = self._known_years
        first = date(year, 1, 1)
        # the day after the year, worked out on its own: the days of the year roll onto it
        after = date(year + 1, 1, 1)
        unknown: set[int] = set()
        current = after
        while True:
            if current.year not in known:
                unknown.add(current.year)
            if current in work or (current not in rest and current.weekday() < 5):
                break
            current += _ONE_DAY
        following = PeriodEnd(current, after, tuple(sorted(unknown)))
        gap = () if year in known else (year,)
        days: dict[date, PeriodEnd] = {}
        day = after - _ONE_DAY
        while day >= first:  # from the last day back: a rest day rolls onto the day after's end
            if day in work or (day not in rest and day.weekday() < 5):
                following = PeriodEnd(day, day, gap)
            else:
                later = following.unknown_years
                years = later if not gap or later[:1] == gap else tuple(sorted(set(gap + later)))
                following = PeriodEnd(following.end, day, years)
            days[day] = following
            day -= _ONE_DAY
        if len(self._roll_cache) >= _ROLL_YEARS * 366:
            self._roll_cache.clear()
        self._roll_cache.update(days)
        return days

    def add_working_days(self, start: date, days: int) -> date:
        """The working day ``days`` working days after ``start`` (the start day not counted)."""
        current = start
        left = days
        while left > 0:
            current += _ONE_DAY
            if not self.is_rest_day(current):
                left -= 1
        return current

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 when ``end <= start``)."""
        count = 0
        current = start
        while current < end:
            current += _ONE_DAY
            if not self.is_rest_day(current):
                count += 1
        return count


#: the calendar of the package data alone
DEFAULT_CALENDAR = RestDayCalendar()


def period_end(
    start: date,
    *,
    months: int = 0,
    days: int = 0,
    extension_days: int = 0,
    rollover: bool = False,
    calendar: RestDayCalendar = DEFAULT_CALENDAR,
) -> PeriodEnd:
    """The last day of a period of ``months`` and/or ``days`` beginning after ``start``.

    ``extension_days`` (days in repair) push the end later; with ``rollover`` a last day that is
    a rest day moves to the next working day.
    """
    return span_end(start, months, days + extension_days, rollover, calendar)


def span_end(start: date, months: int, days: int, rollover: bool, calendar: RestDayCalendar) -> PeriodEnd:
    """``period_end`` with its arguments by position, ``days`` counting the extension too: the
    form a compiled offer calls when its period is not yet in ``calendar.spans``, where the end
    is kept (bounded: emptied when full, see ``core.memo``)."""
    spans = calendar.spans[rollover]
    key = (start, months, days)
    found = spans.get(key)
    if found is not None:
        return found
    end = add_months(start, months) if months else start
    if days:
        end = _from_ordinal(end.toordinal() + days)   # (a timedelta made for each call costs more)
    found = calendar.roll_forward(end) if rollover else _new(PeriodEnd, (end, end, ()))
    return remember(spans, key, found, SPAN_CACHE_SIZE)
