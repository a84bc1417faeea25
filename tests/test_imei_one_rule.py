"""One IMEI rule for the case file, the command line and the counter UI: 15 digits (spaces and
dashes dropped), the last a right check digit (README's case-field table: "15 digits, the last a
check digit (dial *#06#)"). stdnum alone takes 14 digits (no check digit) and 16 (an IMEISV);
a case did, and the UI refused the same number."""

from __future__ import annotations

import pytest

from aftersales.core.casefields import FIELDS
from aftersales.core.errors import CaseError
from aftersales.core.model import IMEI_DIGITS, validate_imei

VALUES = ["356938035643809", "35693803564380", "3569380356438091", "356938035643808", "35693803-5643809",
          " 356 938 035 643 809 ", "35693803564380x", "3569380356438", "490154203237518", "0" * 15, "1" * 15]


def test_the_field_table_names_the_length_the_check_uses():
    assert FIELDS["device.imei"].length == IMEI_DIGITS == 15


@pytest.mark.parametrize("value", VALUES)
def test_the_case_and_the_counter_ui_take_the_same_imeis(value):
    from aftersales.tui.form import check_imei

    try:
        validate_imei(value)
        core_ok = True
    except CaseError:
        core_ok = False
    assert core_ok == (check_imei(value, "zh") is None), value


def test_the_ui_and_the_case_say_a_short_imei_alike():
    from aftersales.tui.form import check_imei

    with pytest.raises(CaseError) as info:
        validate_imei("35693803564380")
    ui = check_imei("35693803564380", "zh")
    assert ui is not None and ui in info.value.message_zh   # "IMEI 为 15 位数字，已输入 14 位"


def _store_case(cli, tmp_path):
    from pathlib import Path

    url = f"sqlite:///{tmp_path / 'cases.sqlite3'}"
    assert cli("db", "upgrade", "--db", url)[0] == 0
    case = Path(__file__).resolve().parents[1] / "examples" / "case.yaml"
    code, out, err = cli("cases", "new", str(case), "--customer", "李雷", "--phone", "13800138000", "--store", "SZ01",
                         "--backdate", "--db", url)
    assert code == 0, err
    number = next(w for w in (out + err).split() if w.startswith("SZ01-"))
    return url, number


def test_cases_edit_refuses_a_14_digit_imei_as_the_ui_does(cli, tmp_path):
    url, number = _store_case(cli, tmp_path)
    code, _, err = cli("cases", "edit", number, "--set", "device.imei=35693803564380", "--db", url,
                       env={"AFTERSALES_LANG": "zh"})
    assert code == 2
    assert err.strip() == "错误：device.imei：'35693803564380' 不是有效的 IMEI（IMEI 为 15 位数字，已输入 14 位）"
    code, out, _ = cli("cases", "show", number, "--json", "--db", url)
    assert code == 0 and "35693803564380\"" not in out


def test_an_exchange_refuses_an_imeisv_as_the_replacement(cli, tmp_path):
    url, number = _store_case(cli, tmp_path)
    code, _, err = cli("cases", "outcome", number, "exchange", "--imei", "4901542032375181", "--db", url)
    assert code == 2 and "an IMEI has 15 digits; 16 given" in err, err
