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
    ("提示: 故障未经检测确认，三包退换修须先检测确认性能故障", ["提示: 故障未经检测确认，", "三包退换修须先检测确认性能故障"]),
    # no pause: cut by characters, one character never alone on the last line
    ("一二三四五六七八九十一二三四五六七", ["一二三四五六七八九十一二三四五", "六七"]),
    # a Latin word longer than a line: cut by cells
    ("a" * 40, ["a" * 33, "a" * 7]),
    ("短句", ["短句"]),
])
def test_wrapped_as_chinese_text_is_set(text, expected):
    assert lines(text) == expected


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


@given(text=st.text(alphabet="一二三四五六，。：ab12 ✓⚠·()", max_size=80), width=st.integers(min_value=6, max_value=60))
def test_any_line_fits_and_keeps_its_characters(text, width):
    parts = lines(text, width)
    assert all(cell_len(part) <= width for part in parts), parts
    assert "".join(parts).replace(" ", "") == text.replace(" ", "")
