"""Shared data and checks of the store suite (imported by conftest and the tests)."""

from __future__ import annotations

from datetime import datetime

from aftersales.store.workflow import CHINA_TZ

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=CHINA_TZ)

CASE = {
    "schema_version": 1,
    "brand": "huawei",
    "device": {"model": "Mate 60", "region": "CN"},
    "purchase": {"date": "2026-01-10", "channel": "brand_store_retail"},
    "documents": ["invoice", "sanbao_certificate", "id_document"],
    "fault": {"component": "host", "description": "屏幕闪烁", "confirmed": True},
}

MAIL_IN = {
    "courier": "顺丰速运",
    "accessories": ["充电线"],
    "original_packaging": True,
    "return_by": "post",
    "transport": "road",
    "carrier": "顺丰",
    "insurance": True,
    "insurance_amount": 5000,
    "return_address": "广东省深圳市南山区科技园1号",
    "return_postcode": "518057",
    "return_phone": "13900139000",
    "data_backup_acknowledged": True,
}



def counts(url: str) -> dict[str, int]:
    """Rows per table, read straight from the database."""
    import sqlalchemy as sa

    from aftersales.store import db

    engine = db.make_engine(url)
    try:
        with engine.connect() as conn:
            return {t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one()
                    for t in ("cases", "decisions", "events", "follow_ups")}
    finally:
        engine.dispose()


def assert_complete(url: str) -> int:
    """Every case has its first decision, its created event and its two follow-ups; returns the case count."""
    import sqlalchemy as sa

    from aftersales.store import db

    engine = db.make_engine(url)
    try:
        with engine.connect() as conn:
            n = conn.execute(sa.text("SELECT count(*) FROM cases")).scalar_one()
            broken = conn.execute(sa.text("""
                SELECT c.number FROM cases c
                WHERE NOT EXISTS (SELECT 1 FROM decisions d WHERE d.case_id = c.id AND d.seq = 1)
                   OR NOT EXISTS (SELECT 1 FROM events e WHERE e.case_id = c.id AND e.kind = 'created')
                   OR (SELECT count(*) FROM follow_ups f WHERE f.case_id = c.id) < 2
                   OR c.decision_count <> (SELECT count(*) FROM decisions d WHERE d.case_id = c.id)
            """)).scalars().all()
            orphans = conn.execute(sa.text("""
                SELECT (SELECT count(*) FROM decisions WHERE case_id NOT IN (SELECT id FROM cases))
                     + (SELECT count(*) FROM events WHERE case_id NOT IN (SELECT id FROM cases))
                     + (SELECT count(*) FROM follow_ups WHERE case_id NOT IN (SELECT id FROM cases))
            """)).scalar_one()
    finally:
        engine.dispose()
    assert broken == [], f"half-written cases: {broken}"
    assert orphans == 0
    return n
