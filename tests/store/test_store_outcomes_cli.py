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
    (["repair", "--work", " "], "work: repair needs --work"),
    (["exchange", "--imei", NEW_IMEI, "--date", "2026-13-01"], "date: Invalid RFC3339 encoded date"),
])
def test_bad_outcomes_are_one_line_exit_2_nothing_written(store_cli, db_url, casefile, args, text):
    n = _new(store_cli, db_url, casefile("2026-06-10"))
    before = counts(db_url)
    rc, out, err = store_cli("cases", "outcome", n, *args, "--db", db_url)
    assert rc == 2 and out == ""
    assert err.count("\n") == 1 and text in err, err
    assert counts(db_url) == before


def test_the_five_outcomes_through_the_cli(store_cli, db_url, casefile):
    zh = {"AFTERSALES_LANG": "zh"}
    ret = _new(store_cli, db_url, casefile("2026-06-10"), "--accessories", "充电线", "--checklist", "backed_up")
    rc, out, err = store_cli("cases", "outcome", ret, "退货", "--refund", "2999", "--invoice-price", "2999",
                             "--db", db_url, env=zh)
    assert rc == 0 and "已退货退款 2999 元" in out, err
    exch = _new(store_cli, db_url, casefile("2026-06-05", "356938035643825"))
    assert store_cli("cases", "remedy", exch, "换货", "--db", db_url)[0] == 0
    rc, out, err = store_cli("cases", "outcome", exch, "exchange", "--imei", NEW_IMEI, "--certificate", "SB-9",
                             "--db", db_url, now="2026-06-18T10:00:00")
    assert rc == 0 and NEW_IMEI in out, err
    later = _new(store_cli, db_url, casefile("2026-06-05", NEW_IMEI), now="2026-06-24T10:00:00")
    rc, out, _ = store_cli("cases", "show", later, "--db", db_url, now="2026-06-24T11:00:00", env=zh)
    assert f"{exch} 换货所换新机（2026-06-18）" in out and "可享受 退货" in out
    rep = _new(store_cli, db_url, casefile("2026-02-15", "356938035643833"))
    rc, out, err = store_cli("cases", "outcome", rep, "repair", "--work", "更换主板", "--parts", "主板", "--days", "4",
                             "--db", db_url, env=zh)
    assert rc == 0 and "已免费维修 更换主板 更换：主板" in out, err
    paid = _new(store_cli, db_url, casefile("2026-01-16", "356938035643841", unauthorized_repair=True))
    rc, out, err = store_cli("cases", "outcome", paid, "paid_repair", "--quote", "680", "--no-consent",
                             "--db", db_url, env=zh)
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
    rc, out, _ = store_cli("cases", "list", "--overdue", "--db", db_url, now="2026-06-30T10:00:00", env=zh)
    assert ret not in out and rep in out and "未在24小时内答复" in out


def test_the_ticket_prints_what_was_recorded_for_the_customer(store_cli, db_url, casefile):
    from rich.cells import cell_len

    from aftersales.store.casestore import CaseStore

    with CaseStore.open(db_url) as store:
        store.set_store_info("SZ01", actor="店长", name="华强北旗舰店", address="深圳市福田区华强北路1002号",
                             hotline="075583001234")
    bare = _new(store_cli, db_url, casefile("2026-06-10"))
    rc, out, _ = store_cli("cases", "ticket", bare, "--db", db_url)
    assert rc == 0
    assert "未见异常" not in out and "外观（检查所见）" not in out  # nothing was inspected
    assert "交机前请备份数据" in out and "取机前请备份" not in out
    assert "华强北旗舰店（SZ01）" in out and "服务热线：0755 8300 1234" in out
    assert "seed" not in out and "§" not in out and "第十一条" in out
    assert "☐ 已备份数据" in out and "客户确认以上事项" in out
    assert max(cell_len(line) for line in out.splitlines()) <= 80
    done = _new(store_cli, db_url, casefile("2026-06-10", "356938035643825"), "--accessories", "充电线,卡针",
                "--appearance", "后盖轻微划痕", "--checklist", "backed_up,find_my_off", "--passcode", "given")
    assert store_cli("cases", "outcome", done, "return", "--refund", "2999", "--invoice-price", "2999",
                     "--db", db_url)[0] == 0
    rc, out, _ = store_cli("cases", "ticket", done, "--db", db_url)
    assert "外观（检查所见）：后盖轻微划痕" in out and "随机附件：充电线、卡针" in out
    assert "☑ 已备份数据" in out and "☐ 已退出手机帐号" in out and "☑客户已告知维修人员" in out
    assert "处理结果：已退货退款 2999 元" in out and "预计修复" not in out and "维修类别" not in out
    rc, out, _ = store_cli("cases", "ticket", done, "--html", "--db", db_url)
    assert "<strong>华强北旗舰店（SZ01）</strong>" in out and "seed" not in out and "§" not in out
    rc, out, err = store_cli("cases", "ticket", done, "--sms", "--db", db_url)   # returned: no pickup
    assert rc == 2 and out == "" and err.strip() == "error: no pickup notice: the case is already “returned and refunded”"
    for target in ("diagnosing", "ready_for_pickup"):
        assert store_cli("cases", "move", bare, target, "--db", db_url)[0] == 0
    rc, out, _ = store_cli("cases", "ticket", bare, "--sms", "--db", db_url)
    assert rc == 0
    assert out.startswith("【华强北旗舰店】李雷您好") and "13800138000" not in out and "咨询电话 0755 8300 1234。" in out


@pytest.mark.parametrize("text, public", [
    ("7日内性能故障可退货（第十一条）；购买记录可查（seed 001 E/G/H）", "7日内性能故障可退货（第十一条）；购买记录可查"),
    ("三包有效期自开具发货票之日起计算（§1.3）", "三包有效期自开具发货票之日起计算"),
    ("自收到商品之日起计算（《消费者权益保护法》第二十五条）", "自收到商品之日起计算（《消费者权益保护法》第二十五条）"),
    ("维修时效（seed 003）；回访（§3.1、§3.4）", "维修时效；回访"),
])
def test_public_citations_drop_internal_references(text, public):
    from aftersales.store.documents import public_citation

    assert public_citation(text) == public


def test_the_report_and_the_store_settings_through_the_cli(store_cli, db_url, casefile, tmp_path):
    rc, _, err = store_cli("stores", "set", "SZ01", "--hotline", "call us", "--db", db_url)
    assert rc == 2 and err.count("\n") == 1 and "hotline" in err
    rc, _, err = store_cli("stores", "set", "SZ01", "--hotline", "99999", "--db", db_url, env={"AFTERSALES_LANG": "zh"})
    assert rc == 2 and err == ("错误：hotline：99999 不是有效的电话号码（内地手机或带区号的座机；港澳台及境外号码请加国家或"
                               "地区代码，如 +852 9123 4567；或内地服务号码，如 95588）\n"), err
    assert store_cli("stores", "set", "SZ01", "--hotline", "+852 2345 6789", "--db", db_url)[0] == 0
    rc, out, _ = store_cli("stores", "show", "SZ01", "--db", db_url, env={"AFTERSALES_LANG": "zh"})
    assert "服务热线：+852 2345 6789" in out
    assert json.loads(store_cli("stores", "show", "SZ01", "--json", "--db", db_url)[1])["hotline"] == "+85223456789"
    rc, _, err = store_cli("stores", "set", "SZ01", "--opens", "25:00", "--db", db_url)
    assert rc == 2 and "opens" in err
    assert store_cli("stores", "set", "SZ01", "--name", "华强北旗舰店", "--db", db_url)[0] == 0
    rc, out, _ = store_cli("stores", "show", "SZ01", "--json", "--db", db_url)
    assert json.loads(out)["name"] == "华强北旗舰店" and json.loads(out)["opens"] == "09:00"
    english = store_cli("stores", "show", "SZ01", "--db", db_url)[1]     # in the language asked for
    assert "hours: 09:00-18:00" in english and "营业时间" not in english
    assert "营业时间：09:00-18:00" in store_cli("stores", "show", "SZ01", "--db", db_url, env={"AFTERSALES_LANG": "zh"})[1]
    waiting = _new(store_cli, db_url, casefile("2026-06-05"))
    store_cli("cases", "move", waiting, "diagnosing", "--db", db_url)
    store_cli("cases", "remedy", waiting, "exchange", "--db", db_url)
    repair = _new(store_cli, db_url, casefile("2026-02-15", "356938035643825"))
    store_cli("cases", "move", repair, "diagnosing", "--db", db_url)
    store_cli("cases", "move", repair, "in_repair", "--db", db_url)
    paid = _new(store_cli, db_url, casefile("2026-01-16", "356938035643833", unauthorized_repair=True))
    rc, out, _ = store_cli("report", "--store", "SZ01", "--db", db_url, now="2026-06-25T10:00:00",
                           env={"AFTERSALES_LANG": "zh"})
    assert rc == 0
    section = out.split("应提供备用机")[1].split("待换货")[0]
    assert repair in section and paid not in section  # no spare phone is owed for a paid repair
    assert waiting in out.split("待换货（等货）")[1]
    assert "近7日受理" in out
    rc, out, _ = store_cli("report", "--json", "--db", db_url, now="2026-06-16T10:00:00")
    data = json.loads(out)
    assert data["week_intake"][-2] == {"date": "2026-06-15", "count": 3}
    target = tmp_path / "report.html"
    rc, out, _ = store_cli("report", "--html", "-o", str(target), "--db", db_url, now="2026-06-25T10:00:00")
    page = target.read_text(encoding="utf-8")
    assert rc == 0 and page.startswith("<!DOCTYPE html>") and "<svg" in page and repair in page


def test_a_battery_waiting_for_its_exchange_is_not_said_to_wait_for_a_phone(store_cli, db_url, tmp_path):
    """The state a case waits in for the replacement is 待换货: what is exchanged may be the battery
    (附件: 什么有故障就换什么), so neither the case, the list nor the report calls it 换机."""
    from test_store_outcomes import generic

    case = generic("2026-03-01")
    case["fault"] = {"component": "battery", "description": "电池鼓包", "confirmed": True}
    path = tmp_path / "battery.yaml"
    path.write_text(yaml.safe_dump(case, allow_unicode=True), encoding="utf-8")
    n = _new(store_cli, db_url, str(path))
    store_cli("cases", "move", n, "diagnosing", "--db", db_url)
    rc, out, err = store_cli("cases", "remedy", n, "exchange", "--db", db_url)
    assert rc == 0, err
    zh = {"AFTERSALES_LANG": "zh"}
    rc, out, _ = store_cli("cases", "show", n, "--db", db_url, env=zh)
    assert rc == 0 and out.startswith(f"{n}  待换货  ")
    assert "检测 → 待换货" in out
    listed = store_cli("cases", "list", "--db", db_url, env=zh)[1]
    report = store_cli("report", "--db", db_url, env=zh)[1]
    assert "待换货" in listed and "待换货（等货）：1" in report
    for text in (out, listed, report):
        assert "换机" not in text
