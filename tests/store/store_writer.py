"""A counter writing cases as fast as it can (run as a subprocess by the durability tests).

    python store_writer.py URL STORE COUNT

Prints each case number on its own line right after its transaction committed.
"""

from __future__ import annotations

import sys
from datetime import datetime, timedelta, timezone

from aftersales.store.casestore import CaseStore
from aftersales.store.evaluator import RegistryEvaluator

CASE = {
    "brand": "huawei",
    "device": {"model": "Mate 60", "region": "CN"},
    "purchase": {"date": "2026-01-10", "channel": "brand_store_retail"},
    "documents": ["invoice", "sanbao_certificate"],
    "fault": {"component": "host", "description": "屏幕闪烁", "confirmed": True},
}


def main() -> int:
    url, store_code, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    now = datetime(2026, 6, 15, 10, tzinfo=timezone(timedelta(hours=8)))
    with CaseStore.open(url, evaluator=RegistryEvaluator()) as store:
        print("ready", flush=True)
        for i in range(count):
            view = store.create_case(CASE, store=store_code, staff=f"w{store_code}", customer=f"客户{i}",
                                     phone="13800138000", now=now, note=f"burst {i}")
            if i % 3 == 0:
                store.move(view["number"], "diagnosing", actor="w", now=now)
            print(view["number"], flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
