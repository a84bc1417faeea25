"""Free text the store keeps (names, notes, the fault description, the mail-in record), made safe
before it is stored and again before it is shown.

* **Identity numbers.** A mainland resident ID number (GB 11643: 18 characters, checked with
  python-stdnum's ``cn.ric``, typed whole or in 6-8-4 groups; in a person's name, one whose check
  digit is wrong but whose birth date is a real date too: a mistyped ID number) is masked to its last four
  characters, ``**************4514``; a passport-like number (one or two capital letters and 7–9
  digits: ``E12345678``, ``EA1234567``, ``H12345678``) is masked the same way. The store promises
  that no identity-document number is kept: papers seen are recorded as ``id_document`` only.
* **Terminal control.** Escape sequences (``ESC ] … BEL``, ``ESC [ … m``) are removed whole and
  any other control character (C0, DEL, C1) is dropped; a newline or a tab in a note stays.
* ``escape_controls`` is the output side: whatever the store commands print is passed through
  it, so a value stored before these checks existed still cannot drive the terminal.

Each cleaning function returns the clean text and the warnings to show the clerk.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from stdnum.cn import ric

#: an escape sequence, removed whole: OSC (``ESC ]`` … BEL or ST), DCS/APC/PM/SOS strings,
#: CSI (``ESC [`` parameters, final byte) and two-character escapes; likewise the C1 forms
_SEQUENCE = re.compile(
    r"(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f]).*?(?:\x07|\x1b\\|\x9c|$)"  # string sequences
    r"|(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"  # CSI
    r"|\x1b[ -/]*[0-~]?",  # other escapes
    re.DOTALL,
)
#: control characters (C0 but newline and tab, DEL, C1), the Unicode ones that reorder text, and
#: lone surrogates (bytes that were not UTF-8 on the command line)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_CONTROL_ALL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")

_RIC = re.compile(r"(?<![0-9A-Za-z])(\d{6})[ -]?(\d{8})[ -]?(\d{3}[0-9Xx])(?![0-9A-Za-z])")
_PASSPORT = re.compile(r"(?<![0-9A-Za-z])([A-Z]{1,2}\d{7,9})(?![0-9A-Za-z])")


def _mask(text: str) -> str:
    return "*" * (len(text) - 4) + text[-4:]


def _ric_like(number: str) -> bool:
    """A resident ID number, or one typed with a wrong check digit: its 8 digits of birth date
    are a real date (python-stdnum reads them), so it is still someone's ID number, mistyped."""
    if ric.is_valid(number):
        return True
    try:
        ric.get_birth_date(number)
    except Exception:  # noqa: BLE001 - not a date: not an ID number
        return False
    return True


def mask_identity_numbers(text: str, mistyped: bool = False) -> tuple[str, list[str]]:
    """``text`` with every ID-card and passport-like number masked; the kinds found.
    ``mistyped``: an ID number whose check digit is wrong is masked too (``_ric_like``): for a
    person's name, which holds no other long number (a note may hold an order number)."""
    found: list[str] = []

    def ric_sub(m: re.Match) -> str:
        number = "".join(m.groups()).upper()
        if not (_ric_like(number) if mistyped else ric.is_valid(number)):
            return m.group(0)
        found.append("id_card")
        return _mask(number)

    def passport_sub(m: re.Match) -> str:
        found.append("passport")
        return _mask(m.group(1))

    text = _RIC.sub(ric_sub, text)
    text = _PASSPORT.sub(passport_sub, text)
    return text, found


def strip_controls(text: str) -> tuple[str, bool]:
    """``text`` without escape sequences and control characters; whether any were there."""
    clean = _CONTROL.sub("", _SEQUENCE.sub("", text))
    return clean, clean != text


#: the fields that hold a person's name (an ID number typed there with a wrong check digit is
#: still masked)
_NAMES = frozenset({"customer", "name", "staff"})

_KIND_WORDS = {"id_card": ("ID-card number", "身份证号码"), "passport": ("passport-like number", "证件号码")}

#: the store's own text fields as a clerk knows them (case fields: the table's labels)
_FIELD_ZH = {"staff": "经办人", "customer": "客户姓名", "note": "备注", "override": "例外理由", "work": "维修内容",
             "certificate": "凭证", "serial": "序列号", "parts": "更换配件", "name": "名称", "reason": "理由",
             "accessories": "附件", "appearance": "外观", "address": "地址", "hotline": "服务电话",
             "opens": "营业时间", "closes": "营业时间", "printer": "打印机", "mail_in": "寄修单"}


def field_zh(field: str) -> str:
    """A field's Chinese name for a warning: the case table's label, the store's own, else the path."""
    from aftersales.core.casefields import FIELDS

    known = FIELDS.get(field)
    if known is not None:
        return known.label("zh")
    head, _, rest = field.partition(".")
    if head in _FIELD_ZH:
        return _FIELD_ZH[head] + (f"（{rest}）" if rest else "")
    return field


def clean_text(value: str | None, field: str) -> tuple[str | None, list[str]]:
    """Free text as the store keeps it, and one warning (``Said``: English with its Chinese) per
    kind of change made."""
    from aftersales.core.plugininfo import Said

    if value is None:
        return None, []
    warnings: list[str] = []
    text, stripped = strip_controls(str(value))
    if stripped:
        warnings.append(Said(f"{field}: control characters removed", f"{field_zh(field)}：已删除控制字符"))
    text, found = mask_identity_numbers(text, mistyped=field in _NAMES)
    for kind in dict.fromkeys(found):
        en, zh = _KIND_WORDS[kind]
        warnings.append(Said(f"{field}: {en} masked, not stored", f"{field_zh(field)}：{zh}已隐去，不予保存"))
    return text, warnings


def clean_mapping(data: Any, field: str, keys: tuple[str, ...] | None = None) -> tuple[Any, list[str]]:
    """A copy of ``data`` with every text value cleaned (only ``keys`` at the top level, if given)."""
    warnings: list[str] = []

    def walk(value: Any, where: str) -> Any:
        if isinstance(value, str):
            text, w = clean_text(value, where)
            warnings.extend(w)
            return text
        if isinstance(value, Mapping):
            return {k: walk(v, f"{where}.{k}") for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, where) for v in value]
        return value

    if keys is None:
        return walk(data, field), warnings
    if not isinstance(data, Mapping):
        return data, warnings
    out = dict(data)
    for key in keys:
        if key in out:
            out[key] = walk(out[key], f"{field}.{key}")
    return out, warnings


def has_controls(text: str) -> bool:
    """Whether ``text`` holds any control character (newline and tab included)."""
    return _CONTROL_ALL.search(text) is not None


def escape_controls(text: str) -> str:
    """``text`` safe to print: every control character but newline and tab shown as ``\\x1b``."""
    return _CONTROL.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), text)


def escape_all_controls(text: str) -> str:
    """Like ``escape_controls``, newlines and tabs included (one value on one line)."""
    return _CONTROL_ALL.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), text)


def mask_stored_text(view: Mapping[str, Any]) -> dict[str, Any]:
    """A case view (``CaseStore.get``, ``list_cases``, ``export``) with ID-card and passport-like
    numbers masked in its free text: the customer's name, the notes, the fault description and
    the mail-in record. Text stored since intake masks them is unchanged; this covers rows
    written before."""
    out = dict(view)

    def masked(text: Any) -> Any:
        return mask_identity_numbers(text)[0] if isinstance(text, str) else text

    def fault_masked(case: Any) -> Any:
        if isinstance(case, Mapping) and isinstance(case.get("fault"), Mapping):
            return {**case, "fault": {**case["fault"], "description": masked(case["fault"].get("description"))}}
        return case

    if isinstance(out.get("customer"), Mapping):
        name = out["customer"].get("name")
        out["customer"] = {**out["customer"],
                           "name": mask_identity_numbers(name, mistyped=True)[0] if isinstance(name, str) else name}
    if "case" in out:
        out["case"] = fault_masked(out["case"])
    if isinstance(out.get("decisions"), list):
        out["decisions"] = [{**d, "case": fault_masked(d.get("case"))} if isinstance(d, Mapping) else d
                            for d in out["decisions"]]
    if isinstance(out.get("events"), list):
        out["events"] = [{**e, "note": masked(e.get("note"))} if isinstance(e, Mapping) else e
                         for e in out["events"]]
    mail = out.get("mail_in_record")
    if isinstance(mail, Mapping):
        out["mail_in_record"] = {k: (v if k == "return_phone" else
                                     [masked(x) for x in v] if isinstance(v, list) else masked(v))
                                 for k, v in mail.items()}
    return out


def mask_name(name: str | None) -> str:
    """``李雷`` → ``李*``; enough to recognise at the counter, not to read over a shoulder (the
    queue, the manager's report on screen, on paper and in the terminal alike)."""
    if not name:
        return ""
    return name[0] + "*" * (len(name) - 1) if len(name) > 1 else name
