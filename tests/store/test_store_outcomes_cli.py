"""``aftersales cases outcome | remedy | inspect`` and ``list --overdue`` through the command line."""

from __future__ import annotations

import json

import pytest
import yaml
from store_helpers import counts
from test_store_outcomes import NEW_IMEI, generic


@pytest.fixture
def casefile(tmp_path):
    def write(purchase: str, imei: str = "356938035643817", **condition) -> str:
        path = tmp_path / f"case-{purchase}-{imei}.yaml"
        path.write_text(yaml.safe_dump(generic(purchase, imei, **condition), allow_unicode=True), encoding="utf-8")
        return str(path)

    return write


def _new(store_cli, db_url, path, *extra, now="2026-06-15T10:00:00"):
    rc, out, err = store_cli("cases", "new", path, "--customer", "李雷", "--phone", "13800138000", "--store", "SZ01",
                             "--staff", "王芳", "--db", db_url, "--json", *extra, now=now)
    assert rc == 0, err
    return json.loads(out)["number"]


@pytest.mark.parametrize("args, text", [
    (["return", "--refund", "3500", "--invoice-price", "3000"], "refund: refund 3500 is more than the invoice price"),
    (["return", "--refund", "100"], "invoice_price: the invoice price is not on the case"),
    (["return", "--refund", "100", "--imei", NEW_IMEI], "imei: --imei is not used for return"),
    (["exchange"], "imei: exchange needs --imei"),
    (["exchange", "--imei", "356938035643818"], "imei: '356938035643818' is not a valid IMEI"),
    (["exchange", "--imei", "356938035643817"], "imei: replacement IMEI 356938035643817 is the original unit's"),
    (["paid_repair", "--quote", "600", "--consent"], "remedy: the decision does not offer paid_repair"),
    (["refund"], "remedy: 'refund': one of return, exchange, repair, paid_repair"),
    (["repair", "--work", "x", "--days", "-1"], "days: Expected `int` >= 0"),
])
def test_bad_outcomes_are_one_line_exit_2_nothing_written(store_cli, db_url, casefile, args, text):
    n = _new(store_cli, db_url, casefile("2026-06-10"))
    before = counts(db_url)
    rc, out, err = store_cli("cases", "outcome", n, *args, "--db", db_url)
    assert rc == 2 and out == ""
    assert err.count("\n") == 1 and text in err, err
    assert counts(db_url) == before


def test_the_five_outcomes_through_the_cli(store_cli, db_url, casefile):
    ret = _new(store_cli, db_url, casefile("2026-06-10"), "--accessories", "充电线", "--checklist", "backed_up")
    rc, out, err = store_cli("cases", "outcome", ret, "退货", "--refund", "2999", "--invoice-price", "2999",
                             "--db", db_url)
    assert rc == 0 and "已退货退款 2999 元" in out, err
    exch = _new(store_cli, db_url, casefile("2026-06-05", "356938035643825"))
    assert store_cli("cases", "remedy", exch, "换货", "--db", db_url)[0] == 0
    rc, out, err = store_cli("cases", "outcome", exch, "exchange", "--imei", NEW_IMEI, "--certificate", "SB-9",
                             "--db", db_url, now="2026-06-18T10:00:00")
    assert rc == 0 and NEW_IMEI in out, err
    later = _new(store_cli, db_url, casefile("2026-06-05", NEW_IMEI), now="2026-06-24T10:00:00")
    rc, out, _ = store_cli("cases", "show", later, "--db", db_url, now="2026-06-24T11:00:00")
    assert f"{exch} 换货所换新机(2026-06-18)" in out and "可享受 退货" in out
    rep = _new(store_cli, db_url, casefile("2026-02-15", "356938035643833"))
    rc, out, err = store_cli("cases", "outcome", rep, "repair", "--work", "更换主板", "--parts", "主板", "--days", "4",
                             "--db", db_url)
    assert rc == 0 and "已免费维修 更换主板 更换:主板" in out, err
    paid = _new(store_cli, db_url, casefile("2026-01-16", "356938035643841", unauthorized_repair=True))
    rc, out, err = store_cli("cases", "outcome", paid, "paid_repair", "--quote", "680", "--no-consent",
                             "--db", db_url)
    assert rc == 0 and "客户未同意报价" in out, err
    cancel = _new(store_cli, db_url, casefile("2026-02-15", "356938035643858"))
    assert store_cli("cases", "move", cancel, "cancelled", "--note", "客户撤回", "--db", db_url)[0] == 0
    rc, out, err = store_cli("cases", "outcome", cancel, "repair", "--work", "x", "--db", db_url)
    assert rc == 2 and "cancelled" in err
    rc, out, _ = store_cli("cases", "list", "--db", db_url, "--json")
    badges = {c["number"]: c["badge"] for c in json.loads(out)}
    assert badges == {ret: "已退货退款", exch: "已换货", later: "退货", rep: "已免费维修", paid: "已付费维修",
                      cancel: "已撤销"}
    rc, out, _ = store_cli("cases", "show", ret, "--db", db_url, "--json")
    shown = json.loads(out)
    assert shown["outcome"]["refund"] == 2999 and shown["intake_record"]["accessories"] == ["充电线"]
    # the return's case is past its 24-hour answer? no: the outcome answered it
    rc, out, _ = store_cli("cases", "list", "--overdue", "--db", db_url, now="2026-06-30T10:00:00")
    assert ret not in out and rep in out and "未在24小时内答复" in out
