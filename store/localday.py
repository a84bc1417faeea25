"""The service network's time zone, calendar day and clock, and the login name a counter falls
back to (no imports beyond the standard library: the counter UI asks for them before its first
screen)."""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta, timezone

#: China Standard Time (no daylight saving): the service network's local day
CHINA_TZ = timezone(timedelta(hours=8), "CST")


def local_iso(value: datetime | date | None) -> str | None:
    """A stored moment as ISO text in the network's local time (2026-12-07T00:36:14+08:00); a
    day as itself; None as None."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(CHINA_TZ).isoformat(timespec="seconds")
    return value.isoformat()


def shown_moment(iso: str | None) -> str:
    """A stored moment (ISO text, the network's local time) as people read it: 2026-12-07 00:36."""
    return iso[:16].replace("T", " ") if iso else ""


def local_date(moment: datetime) -> date:
    """The service network's calendar day of an aware moment."""
    return moment.astimezone(CHINA_TZ).date()


def counter_now() -> datetime:
    """Now, in China Standard Time: the clock of every command that writes and of the counter UI.
    ``AFTERSALES_NOW`` (an ISO date-time, China Standard Time unless it says otherwise) fixes it,
    for demonstrations and tests; a value that is not one is a ``StoreError``."""
    fixed = os.environ.get("AFTERSALES_NOW")
    if not fixed:
        return datetime.now(CHINA_TZ)
    try:
        value = datetime.fromisoformat(fixed)
    except ValueError:
        from .errors import StoreError

        raise StoreError(f"AFTERSALES_NOW={fixed!r} is not an ISO date-time",
                         zh=f"AFTERSALES_NOW={fixed!r} 不是 ISO 日期时间") from None
    return value if value.tzinfo else value.replace(tzinfo=CHINA_TZ)


def login_name() -> str:
    """The operating-system login name, a staff name's last default (``staff`` where there is none,
    as in some containers)."""
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - getpass raises whatever the platform's lookup raises
        return "staff"
