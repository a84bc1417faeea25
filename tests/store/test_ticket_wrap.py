"""The printed ticket's long lines (citations) wrap like Chinese text: full lines, broken between
characters, never before a closing mark, never inside a Latin word, within 80 cells."""

from __future__ import annotations

from rich.cells import cell_len

from aftersales.store.documents import TICKET_COLUMNS, fit_columns

CITATION = ("  ✔ 免费维修(保修期内) 〔Apple 中国一年有限保修：通过第三方授权经销商购买的国行 iPhone，维修需携带三包凭证和"
            "购机发票；整机及附件 1 年保修〕")
CLOSING = "，。、；：）〕」』！？"


def test_a_long_citation_fills_each_line_and_keeps_words_and_marks_whole():
    lines = fit_columns(CITATION).split("\n")
    assert len(lines) == 2
    assert all(cell_len(line) <= TICKET_COLUMNS for line in lines)
    # the first line is full: the Chinese run is broken inside, not pushed whole to the next line
    assert cell_len(lines[0]) >= TICKET_COLUMNS - 6, lines
    assert lines[1].startswith("    ") and lines[1].strip()[0] not in CLOSING
    assert "".join(line.strip() for line in lines).replace(" ", "") == CITATION.replace(" ", "")
    assert "iPhone" in fit_columns(CITATION) and "Apple" in lines[0]


def test_no_line_starts_with_a_closing_mark_at_any_width():
    text = "依据：" + "三包有效期内出现性能故障，免费更换同品牌同型号同规格的附件。" * 4
    for width in range(30, 81):
        for line in fit_columns(text, width).split("\n"):
            assert cell_len(line) <= width
            assert line.strip()[0] not in CLOSING, (width, line)


def test_short_lines_are_left_as_they_are():
    assert fit_columns("客户信息\n  姓名:王小明") == "客户信息\n  姓名:王小明"
    assert fit_columns("") == ""
