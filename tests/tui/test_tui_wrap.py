"""The decision panel's lines wrapped as Chinese text is set: phrases kept whole, a run of Chinese
cut where it may be, never a lone mark or a lone character left behind."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.text import Text

from aftersales.tui.widgets.text import wrap_line


def lines(text: str, width: int = 33) -> list[str]:
    return [part.plain for part in wrap_line(Text(text), width)]


@pytest.mark.parametrize(("text", "expected"), [
    # a line holding nothing but its indent and mark is not left behind: the run is cut after "，"
    ("  ⚠ 请输入型号代码，以核实机器版本", ["  ⚠ 请输入型号代码，", "    以核实机器版本"]),
    # a phrase that does not fit goes to the next line whole, under the text after the mark
    (" ✗ 退货 · 7日内性能故障 · 条件不符", [" ✗ 退货 · 7日内性能故障 ·", "   条件不符"]),
    # a run longer than a line is cut, at a pause in the second half of the line
    ("提示：故障未经检测确认，三包退换修须先检测确认性能故障", ["提示：故障未经检测确认，", "三包退换修须先检测确认性能故障"]),
    # no pause: cut by characters, one character never alone on the last line
    ("一二三四五六七八九十一二三四五六七", ["一二三四五六七八九十一二三四五", "六七"]),
    # a Latin word longer than a line: cut by cells
    ("a" * 40, ["a" * 33, "a" * 7]),
    ("短句", ["短句"]),
    # a time stays whole, a number with its unit and with the word that leads it (at 80x24 the
    # panel cut "（第 10" from "天）", "约 10–15" from "天", "起7" from "日内")
    ("权益期限：2026-06-05 至 2026-06-20（第 10 天）", ["权益期限：2026-06-05", "至 2026-06-20（第 10 天）"]),
    ("换货方式：留机待通知 · 约 10–15 天 · 换货后保修期重新计算",
     ["换货方式：留机待通知 ·", "约 10–15 天 ·", "换货后保修期重新计算"]),
    ("    不换机可退款：发票金额扣除 8 天 × 每日 0.5% 折旧", ["    不换机可退款：发票金额扣除", "    8 天 × 每日 0.5% 折旧"]),
])
def test_wrapped_as_chinese_text_is_set(text, expected):
    assert lines(text) == expected


@pytest.mark.parametrize(("text", "width", "expected"), [
    ("答复时限 2026-06-16 10:30   方案时限 2026-06-17 10:30", 48,
     ["答复时限 2026-06-16 10:30   方案时限", "2026-06-17 10:30"]),
    ("SZ01-20261207-0002  [检测]  苹果 iPhone 15", 40, ["SZ01-20261207-0002  [检测]  苹果", "iPhone 15"]),
    ("客户：韩梅梅 139****9000   经办人：王芳   受理时间：2026-12-07 00:35", 64,
     ["客户：韩梅梅 139****9000   经办人：王芳", "受理时间：2026-12-07 00:35"]),
    (" 《移动电话机商品修理更换退货责任规定》第十一条 自售出之日起7日内，主机出现性能故障", 31,
     [" 《移动电话机商品修理更换退货责", " 任规定》第十一条 自售出之日起", " 7日内，主机出现性能故障"]),
    # a bracket in the second half of the line starts the next one, with what it holds (a tick's
    # label at 80 columns was cut 电子三包凭证（电子 | 保卡）)
    ("电子三包凭证（电子保卡）", 22, ["电子三包凭证", "（电子保卡）"]),
])
def test_a_time_or_a_number_and_its_unit_are_not_cut(text, width, expected):
    assert lines(text, width) == expected


def test_every_character_kept_and_every_line_fits():
    text = " ✓ 换货 · 15日内性能故障 · 检测确认后可换货，不换机可退款：发票金额扣除 8 天 × 每日 0.5% 折旧"
    for width in range(12, 60):
        parts = lines(text, width)
        assert all(cell_len(part) <= width for part in parts), (width, parts)
        assert "".join(part.strip() for part in parts).replace(" ", "") == text.replace(" ", ""), width


def test_styles_stay_on_their_characters():
    line = Text.assemble(("  ⚠ ", "yellow"), ("请输入型号代码，", "bold"), ("以核实机器版本", "red"))
    first, second = wrap_line(line, 20)
    assert first.plain == "  ⚠ 请输入型号代码，"
    assert second.plain == "    以核实机器版本"
    assert [(second.plain[s.start:s.end], str(s.style)) for s in second.spans] == [("以核实机器版本", "red")]


@given(text=st.text(alphabet="一二三四五六，。：ab12 ✓⚠·()天至", max_size=80), width=st.integers(min_value=6, max_value=60))
def test_any_line_fits_and_keeps_its_characters(text, width):
    parts = lines(text, width)
    assert all(cell_len(part) <= width for part in parts), parts
    assert "".join(parts).replace(" ", "") == text.replace(" ", "")


def test_the_case_screen_wraps_as_the_panel_does():
    """The case screen's text (``Wrapped``): a time limit's label, date and time stay on one line
    (Textual's own wrapping cut 方案时限 2026-06-17 | 10:30), and a line never starts with "，"."""
    from rich.console import Console

    from aftersales.tui.screens.outcome import outcome_text
    from aftersales.tui.widgets.text import Wrapped

    view = {"service_level": {"answer_due": "2026-06-16T10:30:00+08:00", "solution_due": "2026-06-17T10:30:00+08:00"},
            "unit_history": []}
    text = outcome_text(view, "zh")
    text.append("⚠ 提示：故障未经检测确认，三包退换修须先检测确认性能故障，检测后再定\n")
    for width in range(26, 60):      # (a time limit takes 25 cells)
        console = Console(width=width, record=True, color_system=None, legacy_windows=False)
        rendered = ["".join(s.text for s in line).replace("\u00a0", " ")
                    for line in console.render_lines(Wrapped(text), pad=False)]
        assert any("答复时限 2026-06-16 10:30" in line for line in rendered), (width, rendered)
        assert any("方案时限 2026-06-17 10:30" in line for line in rendered), (width, rendered)
        assert not any(line.lstrip()[:1] in "，。）" for line in rendered if line.strip()), (width, rendered)
        assert all(cell_len(line) <= width for line in rendered)


def test_one_function_cuts_a_text_to_a_width_in_cells_whatever_the_text_is():
    """``fit``: the queue's columns (str), the panel's badge (Rich ``Text``) and the title line
    (Textual ``Content``) are cut by one function: to the cells given, "…" where cut, a Chinese
    character never halved, the styles kept."""
    from rich.cells import cell_len
    from rich.text import Text
    from textual.content import Content

    from aftersales.tui.widgets.text import fit

    assert fit("iPhone 15 Pro Max", 10) == "iPhone 15…"
    assert fit("王芳李雷韩梅梅", 6) == "王芳…" and cell_len(fit("王芳李雷韩梅梅", 7)) == 7
    assert fit("李雷", 4) == "李雷" and fit("李雷", 0) == ""
    badge = fit(Text("权益  免费维修", style="bold"), 9)
    assert badge.plain == "权益  免…" and badge.style == "bold"
    title = fit(Content.assemble("售后柜台", (" — SZ01 · 王芳", "dim")), 12)
    assert title.plain == "售后柜台 — …" and title.cell_length == 12 and title.spans
