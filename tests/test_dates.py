"""The date module: Civil Code counting, month ends, rest-day roll-over, days in repair."""

from __future__ import annotations

from datetime import date

from aftersales.core.dates import DATA_YEARS, RestDayCalendar, add_months, elapsed_days, period_end


def test_start_day_is_not_counted():
    assert elapsed_days(date(2026, 6, 10), date(2026, 6, 11)) == 1
    assert elapsed_days(date(2026, 6, 10), date(2026, 6, 17)) == 7


def test_twelve_months_from_leap_day_ends_on_the_last_day_of_february():
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)


def test_leap_day_to_leap_year_keeps_the_29th():
    assert add_months(date(2024, 2, 29), 48) == date(2028, 2, 29)


def test_month_end_without_corresponding_day_ends_on_month_last_day():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 8, 31), 1) == date(2026, 9, 30)
    assert add_months(date(2025, 12, 31), 6) == date(2026, 6, 30)


def test_months_cross_year_boundary():
    assert add_months(date(2025, 11, 27), 6) == date(2026, 5, 27)
    assert add_months(date(2026, 6, 5), 12) == date(2027, 6, 5)


def test_sunday_end_rolls_to_monday():
    # 2025-06-15 is a Sunday; 12 months from 2024-06-15
    end = period_end(date(2024, 6, 15), months=12, rollover=True)
    assert date(2025, 6, 15).weekday() == 6
    assert end.unrolled == date(2025, 6, 15)
    assert end.end == date(2025, 6, 16)


def test_without_rollover_a_sunday_end_stays():
    assert period_end(date(2024, 6, 15), months=12).end == date(2025, 6, 15)


def test_2026_national_day_end_runs_to_the_first_working_day():
    # 12 months from 2025-10-01 ends 2026-10-01, inside the National Day holiday
    end = period_end(date(2025, 10, 1), months=12, rollover=True)
    assert end.end == date(2026, 10, 8)
    assert end.unknown_years == ()


def test_make_up_working_day_counts_as_working():
    cal = RestDayCalendar()
    # 2026-09-20 is a Sunday worked in lieu of the National Day holiday
    sundays = [d for d in (date(2026, 9, 20), date(2026, 10, 10)) if not cal.is_rest_day(d)]
    assert sundays, "at least one 2026 make-up working day falls on a weekend"
    for day in sundays:
        assert period_end(day, rollover=True).end == day


def test_days_in_repair_push_the_end_later():
    plain = period_end(date(2025, 3, 3), months=12)
    pushed = period_end(date(2025, 3, 3), months=12, extension_days=20)
    assert (pushed.end - plain.end).days == 20


def test_days_in_repair_then_rollover():
    # 2026-03-03 + 4 days = Saturday 2026-03-07 -> Monday 2026-03-09
    end = period_end(date(2025, 3, 3), months=12, extension_days=4, rollover=True)
    assert end.unrolled == date(2026, 3, 7)
    assert end.end == date(2026, 3, 9)


def test_year_outside_holiday_data_is_reported_not_assumed():
    year = DATA_YEARS[1] + 1
    end = period_end(date(year - 1, 5, 1), months=12, rollover=True)
    assert year in end.unknown_years


def test_policy_added_holiday_data_covers_a_new_year():
    year = DATA_YEARS[1] + 1
    cal = RestDayCalendar(extra_rest_days=[date(year, 5, 3)])
    assert cal.knows(year)
    end = period_end(date(year - 1, 5, 3), months=12, rollover=True, calendar=cal)
    assert end.end == date(year, 5, 4) if date(year, 5, 4).weekday() < 5 else end.end > date(year, 5, 4)
    assert end.unknown_years == ()


def test_working_days():
    cal = RestDayCalendar()
    # Friday 2026-06-12 + 3 working days = Wednesday 2026-06-17
    assert cal.add_working_days(date(2026, 6, 12), 3) == date(2026, 6, 17)
    assert cal.working_days_between(date(2026, 6, 12), date(2026, 6, 17)) == 3


def _roll_one_by_one(cal: RestDayCalendar, day: date) -> tuple:
    """The roll-over as the rule says it, day by day (the oracle for the calendar's year tables)."""
    unknown = set()
    current = day
    while True:
        if not cal.knows(current.year):
            unknown.add(current.year)
        if not cal.is_rest_day(current):
            return current, day, tuple(sorted(unknown))
        current = date.fromordinal(current.toordinal() + 1)


def test_every_day_rolls_over_as_worked_out_one_by_one_across_known_and_unknown_years():
    last = DATA_YEARS[1]
    # a policy's own dates: a rest day on the data's last New Year's Eve (rolling into a year
    # without data) and a make-up working day on a Sunday
    cal = RestDayCalendar(extra_rest_days=[date(last, 12, 31)], extra_working_days=[date(last, 6, 7)])
    # and a year without data whose last day is a weekend's: it rolls into the next, also without
    weekend_end = next(year for year in range(last + 1, last + 30) if date(year, 12, 31).weekday() >= 5)
    for year in (2020, 2024, last, last + 1, weekend_end):
        day = date(year, 1, 1)
        while day.year == year:
            assert tuple(cal.roll_forward(day)) == _roll_one_by_one(cal, day), day
            day = date.fromordinal(day.toordinal() + 1)


def test_month_ends_match_the_civil_code_rule_for_every_day_of_a_leap_and_a_common_year():
    from calendar import monthrange

    for start_year in (2023, 2024):
        day = date(start_year, 1, 1)
        while day.year == start_year:
            for months in (1, 3, 6, 12, 13, 24, 1200):
                total = day.year * 12 + day.month - 1 + months
                year, month = total // 12, total % 12 + 1
                assert add_months(day, months) == date(year, month, min(day.day, monthrange(year, month)[1]))
            day = date.fromordinal(day.toordinal() + 1)


def test_the_table_of_period_ends_is_bounded_and_keeps_each_calendar_and_roll_over_apart(monkeypatch):
    """``span_end`` keeps what it works out in the calendar's ``spans`` (a compiled offer looks
    there first): never more than ``SPAN_CACHE_SIZE`` ends, each the same as worked out afresh,
    with and without roll-over and with a policy's own rest day apart from the package's."""
    from aftersales.core import dates

    monkeypatch.setattr(dates, "SPAN_CACHE_SIZE", 50)
    own = RestDayCalendar(extra_rest_days=[date(2026, 6, 15)])   # a Monday made a rest day
    plain = RestDayCalendar()
    for calendar in (own, plain):
        day = date(2025, 6, 1)
        for _ in range(400):
            for months, days, rollover in ((12, 0, True), (12, 0, False), (0, 15, True), (6, 3, True)):
                kept = dates.span_end(day, months, days, rollover, calendar)
                assert kept == dates.span_end(day, months, days, rollover, RestDayCalendar(
                    extra_rest_days=calendar._extra_rest)), (day, months, days, rollover)
                assert dates.span_end(day, months, days, rollover, calendar) is kept or \
                    len(calendar.spans[rollover]) == 1   # found again, unless the table was just emptied
            day = date.fromordinal(day.toordinal() + 1)
        assert all(0 < len(table) <= 50 for table in calendar.spans)
    # 2025-06-14 + 12 months is Sunday 2026-06-14, rolled past the policy's rest day on the Monday
    assert dates.span_end(date(2025, 6, 14), 12, 0, True, own).end == date(2026, 6, 16)
    assert dates.span_end(date(2025, 6, 14), 12, 0, True, plain).end == date(2026, 6, 15)
    assert dates.span_end(date(2025, 6, 14), 12, 0, False, own).end == date(2026, 6, 14)
