"""The customer's copies (受理单, 寄送维修协议书, 取机短信) read as Chinese: full-width punctuation
in Chinese text (：，（）；), the phone as ``phonenumbers`` writes it (masked the same way), and
the service point by something a customer understands when it has no name (门店 SZ01)."""

from __future__ import annotations

import re

from store_helpers import MAIL_IN, NOW

from aftersales.store.contact import mask_phone
from aftersales.store.documents import render_mail_in, render_pickup_notice, render_ticket

#: ASCII punctuation written next to a Chinese character
ASCII_IN_CHINESE = re.compile(r"[\u4e00-\u9fff）][:,;()!]|[:,;(!][\u4e00-\u9fff]")


def test_the_ticket_and_the_agreement_use_chinese_punctuation(store, new_case):
    number = new_case(mail_in=MAIL_IN)["number"]
    store.record_intake(number, {"appearance": "后盖划痕", "passcode": "kept"}, actor="王芳", now=NOW)
    view = store.get(number)
    for fmt in ("text", "html"):
        for text in (render_ticket(view, fmt), render_mail_in(view, fmt)):
            assert not ASCII_IN_CHINESE.search(text), ASCII_IN_CHINESE.findall(text)
    text = render_ticket(view)
    assert "外观（检查所见）：后盖划痕" in text and "售后判定（第 1 次判定，" in text
    assert "锁屏密码：" in text and "服务方式：寄修" in text


def test_the_phone_is_written_as_phonenumbers_writes_it_revealed_and_masked(store, new_case):
    number = new_case(phone="0085291234567", mail_in=MAIL_IN)["number"]
    view = store.get(number)
    assert "联系电话：+852 9123 4567" in render_ticket(view)
    masked = {**view, "customer": {**view["customer"], "phone": mask_phone(view["customer"]["phone"])}}
    assert "联系电话：+852 **** 4567" in render_ticket(masked)
    assert "返回联系电话：139 0013 9000" in render_mail_in(view)
    assert [mask_phone(p) for p in ("13800138000", "0755-87654321", "+85291234567")] == \
        ["138 **** 8000", "0755 **** 4321", "+852 **** 4567"]


def test_a_store_without_a_name_is_said_as_a_store_not_a_bare_code(store, new_case):
    view = store.get(new_case(mail_in=MAIL_IN)["number"])
    assert "服务网点：门店 SZ01\n" in render_ticket(view)
    assert "服务网点：门店 SZ01 " in render_mail_in(view)
    assert render_pickup_notice({**view, "state": "ready_for_pickup"}).startswith("【门店 SZ01】李雷您好")


def test_the_agreement_names_the_product_and_fault_as_people_read_them(store, new_case):
    """What the agreement fills in from the case is in words: 华为 Mate 60 (not huawei), the fault
    component's label when the case has no description (主机, not host)."""
    from store_helpers import CASE

    case = {**CASE, "fault": {"component": "host", "confirmed": True}}
    record = new_case(case=case, mail_in=MAIL_IN)["mail_in_record"]
    assert (record["product"], record["fault"]) == ("华为 Mate 60", "主机")
    text = render_mail_in(store.get(new_case(case=case, mail_in=MAIL_IN, phone="13900139000")["number"]))
    assert "产品名称：华为 Mate 60" in text and "故障现象：主机" in text and "huawei" not in text


def test_the_tickets_head_is_no_wider_than_its_rule_line(store, new_case):
    """The number, the intake time, who took it in, the state and how it is served fit the width
    of the ticket's rule line (60 cells): shown in a dialog at 80x24 the intake time was broken
    after its date (受理时间：2026-12-07 / 14:22)."""
    from rich.cells import cell_len

    number = new_case(mail_in=MAIL_IN)["number"]
    store.record_intake(number, {"appearance": "后盖划痕"}, actor="王芳", now=NOW)
    text = render_ticket(store.get(number))
    head, rule, _rest = text.partition("\n" + "-" * 60 + "\n")
    assert rule and re.search(r"受理时间：\d{4}-\d\d-\d\d \d\d:\d\d", head), head
    assert "服务方式：寄修" in head
    for line in head.splitlines():
        assert cell_len(line) <= 60, line
