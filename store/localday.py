"""The service network's time zone and calendar day (no imports beyond the standard library:
the counter UI asks for today's date before its first screen)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

#: China Standard Time (no daylight saving): the service network's local day
CHINA_TZ = timezone(timedelta(hours=8), "CST")


def local_date(moment: datetime) -> date:
    """The service network's calendar day of an aware moment."""
    return moment.astimezone(CHINA_TZ).date()
