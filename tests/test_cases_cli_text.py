"""What ``cases`` prints for a clerk: fields named by their labels (``--set 购机日期=…``), a
correction said by the label alone in Chinese, the policies by their titles, and tables whose
cut text says it was cut and whose columns stay aligned (a Chinese character takes two cells)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.cells import cell_len

CASE = Path(__file__).resolve().parents[1] / "examples" / "case.yaml"
ZH = {"AFTERSALES_LANG": "zh"}


@pytest.fixture
def store(cli, tmp_path):
    url = f"sqlite:///{tmp_path / 'cases.sqlite3'}"
    assert cli("db", "upgrade", "--db", url)[0] == 0

    def new(name: str, phone: str) -> str:
        code, out, err = cli("cases", "new", str(CASE), "--customer", name, "--phone", phone, "--store", "SZ01",
                             "--backdate", "--db", url)
        assert code == 0, err
        return next(w for w in (out + err).split() if w.startswith("SZ01-"))

    return url, new


def test_set_takes_a_fields_chinese_or_english_label(cli, store):
    url, new = store
    number = new("李雷", "13800138000")
    code, out, err = cli("cases", "edit", number, "--set", "购机日期=2026-06-02", "--db", url, env=ZH)
    assert code == 0, err
    assert "  购机日期：2026-06-05 → 2026-06-02" in out.splitlines()
    code, out, err = cli("cases", "edit", number, "--set", "purchase date=2026-06-03", "--db", url, "--lang", "en")
    assert code == 0, err
    assert "  Purchase date (purchase.date): 2026-06-02 → 2026-06-03" in out.splitlines()
    code, _, err = cli("cases", "edit", number, "--set", "购机日=2026-06-03", "--db", url, env=ZH)
    assert code == 2 and err.strip() == "错误：--set：没有案例字段 '购机日'；您是否想写 '购机日期'？"
    code, _, err = cli("cases", "edit", number, "--set", "purchase.dat=2026-06-03", "--db", url, env=ZH)
    assert code == 2 and "您是否想写 'purchase.date'？" in err


def test_show_names_fields_by_label_and_policies_by_title(cli, store):
    url, new = store
    number = new("李雷", "13800138000")
    assert cli("cases", "edit", number, "--set", "purchase.date=2026-06-02", "--db", url)[0] == 0
    code, out, _ = cli("cases", "show", number, "--db", url, env=ZH)
    assert code == 0
    assert "      购机日期：2026-06-05 → 2026-06-02" in out.splitlines() and "purchase.date" not in out
    assert "[移动电话机商品三包规定（法定底线） 2001.1, Apple 售后服务政策（中国大陆服务） 2026.1]" in out
    code, out, _ = cli("cases", "show", number, "--db", url, "--lang", "en")
    assert "      Purchase date (purchase.date): 2026-06-05 → 2026-06-02" in out.splitlines()
    assert "Apple after-sales terms (service in mainland China) 2026.1]" in out


def test_a_cut_name_is_marked_and_the_columns_stay_aligned(cli, store, monkeypatch):
    url, new = store
    new("李雷", "13800138000")
    new("Yang Mingzhe", "13800138001")
    new("欧阳娜娜娜娜娜", "13800138002")
    code, out, _ = cli("cases", "list", "--db", url, env=ZH)
    lines = out.splitlines()
    assert code == 0 and len(lines) == 3
    assert any("Yang Ming…" in x for x in lines) and not any("Yang Mingz " in x for x in lines)
    assert any("欧阳娜娜… " in x for x in lines)
    assert len({cell_len(x[:x.index("138 ")]) for x in lines}) == 1, out   # the phone column starts alike
    # a brand whose label is long: its column widens (to 16 cells), then cuts
    import aftersales.cli.cases as cases_cli

    real = cases_cli._brand_labeler
    monkeypatch.setattr(cases_cli, "_brand_labeler",
                        lambda lang="zh", registry=None: lambda brand: "苹果电子产品商贸（北京）有限公司")
    for command in (("cases", "list"), ("cases", "search", "13800138000"), ("cases", "search", "13800138001")):
        code, out, _ = cli(*command, "--db", url, env=ZH)
        assert code == 0
        for line in out.splitlines():
            assert "苹果电子产品商…  iPhone 15" in line, line   # 14 cells, "…", a cell to fill 16
            assert cell_len(line[:line.index("iPhone")]) == 20 + 1 + 10 + 1 + 16 + 1, line
    monkeypatch.setattr(cases_cli, "_brand_labeler", real)
