"""The case: what the customer brings to the counter (v1 case file), frozen after validation.

**The typed records.** Every case field is declared once, as its entry in the table of case
fields (``core.casefields``): path, kind, whether it is required and its default, words, form,
vocabulary and bounds. The records below are built from that table as this module is imported
(``records_from``): a section of paths (``device.*``) is a nested record (``Case.device``, a
``Device``), each entry a field in the table's order, of its kind's type with its bounds, for
``msgspec`` to check as it decodes. A new field is its entry in the table, nothing here.

``parse_case(data)`` turns a mapping (from YAML, JSON or the counter form) into a ``Case``;
``decode_case(line)`` does the same straight from JSON bytes. Either raises ``CaseError`` naming
the field and what is allowed (Chinese and English). ``case_to_dict`` gives the v1 mapping back.
Pure: the caller supplies ``today`` when the case has no ``case_date``.
"""

import re
from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias

import msgspec
from msgspec import Meta, Struct, field
from msgspec.structs import force_setattr

from .casefields import FIELDS, FIRST_YEAR, IMEI_DIGITS, LAST_YEAR, CaseField
from .casefile import MAX_CASE_BYTES
from .errors import CaseError, nearest
from .vocab import COVERAGE_PLANS, DOCUMENTS, EXTENDED_DOCUMENTS, document_ids

SCHEMA_VERSION = 1
_FIRST_DAY, _LAST_DAY = date(FIRST_YEAR, 1, 1), date(LAST_YEAR, 12, 31)
#: text fields hold no control characters (C0, DEL, C1) and no lone surrogates
PRINTABLE = r"^[^\x00-\x1f\x7f-\x9f\ud800-\udfff]*$"
#: an id a policy or a plugin may add (coverage plans)
ID_PATTERN = r"^[a-z][a-z0-9_]{0,47}$"
#: an item of an ``ids`` field or a key of a ``claims`` mapping: a document id (the bundled ones,
#: ``vocab.DOCUMENTS``, or one the loaded policies declare, ``vocab.document_ids``) or a plan id,
#: checked against what the policies know after decoding
AnId = Annotated[str, Meta(max_length=48, pattern=ID_PATTERN)]
#: the day a case without ``case_date`` gets until ``parse_case`` fills in ``today``
NO_DATE = date(1, 1, 1)
#: fields the reading fills in when they are absent: never null, a place-holder until filled
_FILLED = {"case_date": NO_DATE}


class _Record(Struct, frozen=True, forbid_unknown_fields=True, omit_defaults=True, gc=False):
    """Every part of a case: immutable, unknown fields refused, defaults left out when encoded."""


# --------------------------------------------------------------------------- the records, from the table

def _bound(f: CaseField, name: str) -> Any:
    """The bound ``name`` of the entry ``f``; an entry of a kind that needs it and lacks it is refused."""
    value = getattr(f, name)
    if value is None:
        raise ValueError(f"the table of case fields gives {f.path} ({f.kind}) no {name}")
    return value


#: ``Literal`` and ``dict`` as plain values: their arguments (a vocabulary's ids, a count's bounds)
#: come from the table as the model is imported, where a type checker wants them written out
_ONE_OF: Any = Literal
_MAPPING: Any = dict


def _number(f: CaseField, kind: type) -> Any:
    return Annotated[kind, Meta(ge=_bound(f, "minimum"), le=_bound(f, "maximum"))]


#: the type of each kind of field, with the bounds its entry gives (``msgspec`` checks them as it decodes)
_TYPES: dict[str, Callable[[CaseField], Any]] = {
    "text": lambda f: Annotated[str, Meta(max_length=_bound(f, "max_length"), pattern=PRINTABLE)],
    "date": lambda f: date,
    "count": lambda f: _number(f, int),
    "amount": lambda f: _number(f, float),
    "flag": lambda f: bool,
    "choice": lambda f: _ONE_OF[f.choices],  # decoding refuses any other id and names the allowed ones
    "ids": lambda f: Annotated[frozenset[AnId], Meta(max_length=_bound(f, "max_length"))],
    "claims": lambda f: Annotated[_MAPPING[AnId, _number(f, int)], Meta(max_length=_bound(f, "max_length"))],
}


def _leaf(f: CaseField, name: str) -> tuple[Any, ...]:
    """The ``defstruct`` field of the entry ``f``: required, filled in by the reading, a mapping
    made fresh (``claims``), absent as null (no default), or its default."""
    kind = _TYPES[f.kind](f)
    if f.required:
        return (name, kind)
    if f.path in _FILLED:
        return (name, kind, _FILLED[f.path])
    if f.kind == "claims":
        return (name, kind, field(default_factory=dict))
    if f.default is None:
        return (name, kind | None, None)
    return (name, kind, f.default)


def _claims(self: Any, plan: str) -> int:
    """Claims already made under ``plan`` in its current term."""
    return self.plan_claims.get(plan, 0)


#: what a section's record does besides holding its fields
_METHODS: dict[str, dict[str, Any]] = {"history": {"claims": _claims}}


def records_from(fields: Iterable[CaseField], *, name: str = "Case", section: str = "") -> type[Struct]:
    """The record of ``fields`` (the table's entries, in its order) and, nested in it, a record
    per section of their paths (``device.model`` -> ``Device.model``), every one a ``_Record``
    (frozen, keyword-only). A section holding a required field is itself required; any other is
    made fresh when absent. The case itself opens with ``schema_version``."""
    entries = list(fields)
    out: list[tuple[Any, ...]] = [("schema_version", Literal[1], 1)] if not section else []
    done = set()
    for f in entries:
        rest = f.path[len(section):]
        head, dot, _ = rest.partition(".")
        if not dot:
            out.append(_leaf(f, head))
        elif head not in done:
            done.add(head)
            part = [g for g in entries if g.path.startswith(f"{section}{head}.")]
            record = records_from(part, name="".join(w.capitalize() for w in head.split("_")),
                                  section=f"{section}{head}.")
            required = any(g.required for g in part)
            out.append((head, record) if required else (head, record, field(default_factory=record)))
    methods = _METHODS.get(section.rstrip("."))
    return msgspec.defstruct(name, out, bases=(_Record,), module=__name__, namespace=methods, frozen=True,
                             kw_only=True)


def _parts(record: Any) -> list[Any]:
    """``record`` and every record nested in it."""
    out = [record]
    for f in msgspec.structs.fields(record):
        if isinstance(f.type, type) and issubclass(f.type, _Record):
            out += _parts(f.type)
    return out


if TYPE_CHECKING:  # to a type checker a case is any object: its fields are the table's, which it does not read
    Case: TypeAlias = Any
else:
    Case = records_from(FIELDS.values())
#: the case's record and its parts' (``Device``, ``Purchase``, ``Fault``, ``Condition``, ``History``,
#: ``Stock``), each also a name of this module (``model.Device``)
RECORDS: tuple[type[Struct], ...] = tuple(_parts(Case))
globals().update({record.__name__: record for record in RECORDS[1:]})


# --------------------------------------------------------------------------- reading a case

_JSON = msgspec.json.Decoder(Case)


def _max_length(name: str) -> int:
    """The ``max_length`` the table declares for the case's field ``name``."""
    bound = FIELDS[name].max_length
    assert bound is not None
    return bound


#: the most different items each list field may hold (its ``max_length`` in the table): an item
#: given twice counts once, as the typed decoder counts a JSON line's set
_LIST_BOUNDS = {name: _max_length(name) for name in ("documents", "coverage_plans")}


def _distinct_lists(data: dict) -> dict:
    """``data`` with a list field longer than its bound given each item once (in order), so that
    a mapping is held to the bound a JSON line is: different items, not repeats."""
    for name, most in _LIST_BOUNDS.items():
        items = data.get(name)
        if type(items) is list and len(items) > most:
            try:
                data = {**data, name: list(dict.fromkeys(items))}
            except TypeError:   # an item that is no id at all: the decoder says what is wrong
                pass
    return data


#: the names of the fields that must be given (null there is "required", not "absent")
_REQUIRED_KEYS = frozenset(f.name for record in RECORDS for f in msgspec.structs.fields(record) if f.required)
#: every two capital letters: a country code as the case should give it (anything else is tidied or refused)
_COUNTRY_CODES = frozenset(a + b for a in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def parse_case(data: Any, *, today: date | None = None, coverage_plans: Collection[str] | None = None) -> Case:
    """Validate a v1 case mapping and freeze it.

    ``today`` fills a missing ``case_date``; ``coverage_plans`` are the plan ids the loaded
    policies know (the bundled ones by default). Any problem is one ``CaseError`` naming the
    field."""
    if type(data) is not dict:
        if not isinstance(data, Mapping):
            raise CaseError(f"a case must be a mapping of fields, not {_kind(data)}",
                            zh=f"案例应为字段映射，而不是{_kind_zh(data)}")
        data = dict(data)
    data = _without_nulls(data)
    given = _distinct_lists(data)
    try:
        case = msgspec.convert(given, Case)
    except msgspec.ValidationError as exc:
        raise _case_error(str(exc), given) from None
    except RecursionError:
        raise CaseError("nesting too deep", zh="嵌套过深") from None
    try:
        return _finish(case, today, COVERAGE_PLANS if coverage_plans is None else coverage_plans)
    except CaseError as exc:
        raise _placed(exc, data) from None


def _placed(exc: CaseError, data: Any) -> CaseError:
    """An unknown document id named with its place in the case's list (``documents[1]``)."""
    value = getattr(exc, "value", None)
    docs = data.get("documents") if isinstance(data, Mapping) else None
    if exc.field == "documents" and value is not None and isinstance(docs, list) and value in docs:
        exc.field = f"documents[{docs.index(value)}]"
    return exc


def _without_nulls(data: dict) -> dict:
    """``data`` with every optional field given as null left out, as if it were absent (a YAML
    section with nothing under it, ``fault.confirmed: null``), in the case and its parts."""
    if None not in data.values() and not any(type(v) is dict and None in v.values() for v in data.values()):
        return data
    out = {}
    for key, value in data.items():
        if value is None and key not in _REQUIRED_KEYS:
            continue
        if type(value) is dict and None in value.values():
            value = {k: v for k, v in value.items() if v is not None or k in _REQUIRED_KEYS}
        out[key] = value
    return out


def decode_case(line: bytes | str, *, today: date | None = None, coverage_plans: Collection[str] | None = None) -> Case:
    """``parse_case`` straight from JSON text (a case file or a line of a JSON Lines file); text
    past ``casefile.MAX_CASE_BYTES`` is refused unread."""
    if len(line) > MAX_CASE_BYTES:
        size = len(line.encode("utf-8", "surrogatepass")) if isinstance(line, str) else len(line)
        if size > MAX_CASE_BYTES:
            raise CaseError(f"too large for a case ({size:,} bytes; at most {MAX_CASE_BYTES:,})",
                            zh=f"案例过大（{size:,} 字节；最多 {MAX_CASE_BYTES:,} 字节）")
    try:
        case = _JSON.decode(line)
    except msgspec.ValidationError as exc:
        # the mapping's reading decides (nulls as absent) and says what is wrong
        data = _loose(line)
        if type(data) is dict:
            return parse_case(data, today=today, coverage_plans=coverage_plans)
        raise _case_error(str(exc), data) from None
    except msgspec.DecodeError as exc:
        raise CaseError(f"not valid JSON: {_clip(str(exc))}", zh=f"不是有效的 JSON：{_clip(str(exc))}") from None
    try:
        return _finish(case, today, COVERAGE_PLANS if coverage_plans is None else coverage_plans)
    except CaseError as exc:
        if exc.field == "documents":
            raise _placed(exc, _loose(line)) from None
        raise


def _finish(case: Case, today: date | None, plans: Collection[str]) -> Case:
    """What the types alone cannot say: text tidied (stripped; empty is absent), the IMEI's
    check digit, the country code, dates in range and in order, plans the policies know.
    Fills ``case_date`` from ``today``."""
    brand = case.brand.strip()
    if brand is not case.brand:
        force_setattr(case, "brand", brand)
    if not brand:
        raise CaseError("required", field="brand", zh="必填")
    day = case.case_date
    if day is NO_DATE:
        if today is None:
            raise CaseError("required (a date, YYYY-MM-DD)", field="case_date", zh="必填（日期，YYYY-MM-DD）")
        day = today
        force_setattr(case, "case_date", day)
    if not _FIRST_DAY <= day <= _LAST_DAY:
        raise _out_of_range("case_date", day)

    d = case.device
    model = d.model.strip()
    if model is not d.model:
        force_setattr(d, "model", model)
    if not model:
        raise CaseError("required", field="device.model", zh="必填")
    if d.part_number is not None or d.model_code is not None or d.serial is not None:
        _tidy(d, ("part_number", "model_code", "serial"))
    imei = d.imei
    if imei is not None:
        # the usual 15 plain digits with a right check digit; anything else through stdnum
        if not (len(imei) == IMEI_DIGITS and imei.isdigit() and imei.isascii() and _luhn_ok(imei)):
            imei = validate_imei(imei.strip()) if imei.strip() else None
            force_setattr(d, "imei", imei)

    p = case.purchase
    if p.country is not None and p.country not in _COUNTRY_CODES:
        country: str | None = p.country.strip().upper()
        if country and (len(country) != 2 or not country.isascii() or not country.isalpha()):
            raise CaseError(f"{_clip(repr(p.country))} is not a two-letter country code (CN, HK, US...)",
                            field="purchase.country",
                            zh=f"{_clip(repr(p.country))} 不是两位字母的国家或地区代码（CN、HK、US…）")
        if country != p.country:
            force_setattr(p, "country", country or None)
    f = case.fault
    if f.description is not None:
        _tidy(f, ("description",))
    claims = case.history.plan_claims
    if claims:
        for plan in claims:
            if plan not in plans:
                raise _unknown_id("history.plan_claims", plan, plans)
    if case.coverage_plans:
        for plan in case.coverage_plans:
            if plan not in plans:
                raise _unknown_id("coverage_plans", plan, plans)
    if case.documents:
        known = DOCUMENTS if not EXTENDED_DOCUMENTS else document_ids()
        for doc in case.documents:
            if doc not in known:
                error = _unknown_id("documents", doc, known)
                error.value = doc  # type: ignore[attr-defined]  # the caller names its place in the list
                raise error

    # dates: in range, none after the case date, and in the order things happen (checked in
    # one expression; the slow path finds which date is wrong)
    bought, received, activated, made = p.date, p.received_date, case.activation_date, d.production_date
    if not ((bought is None or _FIRST_DAY <= bought <= day)
            and (received is None or (_FIRST_DAY <= received <= day and (bought is None or received >= bought)))
            and (activated is None or _FIRST_DAY <= activated <= day)
            and (made is None or (_FIRST_DAY <= made <= day and (bought is None or made <= bought)))):
        _date_error(case)
    return case


def _date_error(case: Case) -> None:
    """Raise the ``CaseError`` for the first date out of range or out of order."""
    day, p, prod = case.case_date, case.purchase, case.device.production_date
    for where, value in (("purchase.date", p.date), ("purchase.received_date", p.received_date),
                         ("activation_date", case.activation_date), ("device.production_date", prod)):
        if value is not None:
            if value > day:
                raise CaseError(f"{value.isoformat()} is after the case date {day.isoformat()}", field=where,
                                zh=f"{value.isoformat()} 晚于受理日期 {day.isoformat()}")
            if value < _FIRST_DAY:
                raise _out_of_range(where, value)
    if p.date and p.received_date and p.received_date < p.date:
        raise CaseError(f"{p.received_date.isoformat()} is before the purchase date {p.date.isoformat()}",
                        field="purchase.received_date",
                        zh=f"{p.received_date.isoformat()} 早于购买日期 {p.date.isoformat()}")
    if prod and p.date and prod > p.date:
        raise CaseError(f"{prod.isoformat()} is after the purchase date {p.date.isoformat()}",
                        field="device.production_date", zh=f"{prod.isoformat()} 晚于购买日期 {p.date.isoformat()}")
    raise AssertionError("no date error found")  # pragma: no cover - the caller saw one


def _tidy(record: Any, names: tuple[str, ...]) -> None:
    """Strip the text fields ``names`` of ``record``; empty text counts as absent."""
    for name in names:
        value = getattr(record, name)
        if value is not None:
            stripped = value.strip()
            if stripped is not value:
                force_setattr(record, name, stripped or None)
            elif not value:
                force_setattr(record, name, None)


#: each digit's byte -> the byte of the digit sum of twice that digit (Luhn's doubled digits)
_DOUBLED = bytes.maketrans(b"0123456789", b"0246813579")


def _luhn_ok(digits: str) -> bool:
    """Whether ASCII digits end in a right Luhn check digit: ``stdnum.luhn``'s answer (a test
    compares them), in a few byte operations instead of a loop per digit."""
    raw = digits.encode("ascii")
    return (sum(raw[-1::-2]) + sum(raw[-2::-2].translate(_DOUBLED)) - 48 * len(raw)) % 10 == 0


def validate_imei(value: str, where: str = "device.imei") -> str:
    """The IMEI in its compact form (spaces and dashes dropped, as ``stdnum.imei.compact``): exactly
    ``IMEI_DIGITS`` digits, the last a right check digit, what the phone shows for *#06# and
    the counter UI asks for. stdnum alone would also take 14 digits (no check digit) and 16
    (an IMEISV, whose last two digits are a software version): neither is the number on the
    customer's papers, and both are refused. Anything else is a ``CaseError`` saying what is wrong."""
    from stdnum import imei as _imei
    from stdnum import luhn

    compact = _imei.compact(value)
    shown = _clip(repr(value))
    if not (compact.isdigit() and compact.isascii()):
        raise CaseError(f"{shown} is not a valid IMEI (digits only)", field=where,
                        zh=f"{shown} 不是有效的 IMEI（只能是数字）")
    if len(compact) != IMEI_DIGITS:
        raise CaseError(f"{shown} is not a valid IMEI (an IMEI has {IMEI_DIGITS} digits; {len(compact)} given)",
                        field=where, zh=f"{shown} 不是有效的 IMEI（IMEI 为 {IMEI_DIGITS} 位数字，已输入 {len(compact)} 位）")
    if not luhn.is_valid(compact):
        raise CaseError(f"{shown} is not a valid IMEI (the check digit, the last one, is wrong)", field=where,
                        zh=f"{shown} 不是有效的 IMEI（最后一位校验位不对）")
    return compact


# --------------------------------------------------------------------------- messages

_AT = re.compile(r"^(?P<what>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.S)
_INDEX = re.compile(r"\[(\d+)\]")


def _case_error(text: str, data: Any) -> CaseError:
    """The project's one-line message for a ``msgspec`` validation error: the field's path, what
    is allowed there (from the table of case fields), and the value given."""
    from .casefields import FIELDS, allowed_text

    m = _AT.match(text)
    assert m is not None
    what, raw = m.group("what"), m.group("path") or ""
    path = raw.lstrip(".")
    unknown = re.match(r"Object contains unknown field `(.*)`$", what)
    if unknown:
        parent = path
        path = f"{parent}.{unknown.group(1)}" if parent else unknown.group(1)
        children = _children(parent)
        allowed = ", ".join(children)
        close = nearest(unknown.group(1), children, 1)
        hint_en, hint_zh = (f"did you mean {close[0]!r}? ", f"您是否想写 {close[0]!r}？") if close else ("", "")
        return CaseError(f"unknown field; {hint_en}allowed here: {allowed}", field=_clip(path, 80),
                         zh=f"未知字段；{hint_zh}此处可用：{allowed}")
    missing = re.match(r"Object missing required field `(.*)`$", what)
    if missing:
        path = f"{path}.{missing.group(1)}" if path else missing.group(1)
        return CaseError("required", field=path, zh="必填")
    value = _value_at(data, raw)
    schema_path = _INDEX.sub("", path)
    spec = FIELDS.get(schema_path) or FIELDS.get(schema_path.rsplit(".", 1)[0] if schema_path.startswith(
        "history.plan_claims.") else schema_path)
    if path == "":
        return CaseError(f"a case must be a mapping of fields, not {_kind(value)}",
                         zh=f"案例应为字段映射，而不是{_kind_zh(value)}")
    if spec is None:
        if schema_path == "schema_version":
            return CaseError(f"unsupported schema_version {_show(value)}; this program reads 1",
                             field="schema_version", zh=f"不支持的 schema_version {_show(value, 'zh')}；本程序读取版本 1")
        part_en, part_zh = ("a mapping of fields", "字段映射")
        return CaseError(f"must be {part_en}, not {_kind(value)}", field=path, zh=f"应为{part_zh}，而不是{_kind_zh(value)}")
    too_many = re.match(r"Expected `(?:array|object)` of length <= (\d+)", what)
    if too_many and isinstance(value, (list, tuple, dict)):
        most = int(too_many.group(1))
        return CaseError(f"at most {most} items, not {len(value):,}", field=path, zh=f"最多 {most} 项，而不是 {len(value):,} 项")
    if what.startswith("Invalid enum value"):
        return _unknown_id(path, value, spec.choices, ordered=True)
    en, zh = allowed_text(spec)
    if value is None and spec.required:
        return CaseError("required", field=path, zh="必填")
    if path != schema_path and spec.kind in ("ids", "claims"):
        en, zh = ("an id" + (f" ({', '.join(spec.choices)})" if spec.choices else ""),
                  "代码" + (f"（{', '.join(spec.choices)}）" if spec.choices else ""))
    if spec.kind == "text" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return CaseError(f"must be text: put the number in quotes (\"{_clip(str(value), 40)}\")", field=path,
                         zh=f"应为文本：请给数字加引号（\"{_clip(str(value), 40)}\"）")
    if "matching regex" in what and isinstance(value, str):
        return CaseError(f"{_show(value)} contains control or invalid characters; must be {en}", field=path,
                         zh=f"{_show(value, 'zh')} 含有控制字符或无效字符；应为{zh}")
    if spec.kind == "date" and isinstance(value, str):
        return CaseError(f"{_show(value)} is not a date ({en})", field=path, zh=f"{_show(value, 'zh')} 不是日期（{zh}）")
    return CaseError(f"must be {en}, not {_show(value)}", field=path, zh=f"应为{_spaced(zh)}，而不是 {_show(value, 'zh')}")


def _spaced(zh: str) -> str:
    """A space before text that opens with a digit or a Latin letter (``应为 0–100 的整数``)."""
    return f" {zh}" if zh[:1].isascii() else zh


def _children(parent: str) -> list[str]:
    from .casefields import FIELDS

    depth = parent.count(".") + 1 if parent else 0
    names = []
    for path in FIELDS:
        parts = path.split(".")
        if len(parts) > depth and ".".join(parts[:depth]) == parent:
            names.append(parts[depth])
    if not parent:
        names.insert(0, "schema_version")
    return list(dict.fromkeys(names))


def _loose(line: bytes | str) -> Any:
    """The JSON value of ``line`` as plain data (only to quote a bad value), or ``None``."""
    try:
        return msgspec.json.decode(line)
    except Exception:  # noqa: BLE001 - a quote aid only
        return None


def _value_at(data: Any, path: str) -> Any:
    """The value at a ``msgspec`` error path (``.device.imei``, ``.documents[2]``) in ``data``."""
    for part in re.findall(r"\.([^.\[]+)|\[(\d+)\]", path):
        key, index = part
        try:
            if key:
                data = data[key]
            else:
                data = list(data)[int(index)]
        except Exception:  # noqa: BLE001 - a quote aid only
            return _UNKNOWN
    return data


_UNKNOWN = object()


def _clip(text: str, limit: int = 60) -> str:
    """``text`` cut to ``limit`` characters, control characters shown escaped."""
    text = text.encode("unicode_escape", "backslashreplace").decode("ascii") if not text.isprintable() else text
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _show(value: Any, lang: str = "en") -> str:
    """A value as a message quotes it: JSON words for literals, a kind for containers, cut short."""
    if value is _UNKNOWN:
        return "that value" if lang == "en" else "该值"
    if value is None or isinstance(value, bool):
        return msgspec.json.encode(value).decode()
    if isinstance(value, (dict, list, tuple, set, frozenset)):
        return _kind(value) if lang == "en" else _kind_zh(value)
    if isinstance(value, int) and abs(value) > 10**30:
        return "a number too large" if lang == "en" else "过大的数字"
    if isinstance(value, date):  # a date and time (a datetime) where a date is wanted: as ISO text
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return "binary data" if lang == "en" else "二进制数据"
    if not isinstance(value, (str, int, float)):
        return f"a {type(value).__name__}" if lang == "en" else f"{type(value).__name__} 对象"
    return _clip(repr(value))


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false", int: "a number",
            float: "a number", type(None): "null"}.get(type(value), type(value).__name__)


def _kind_zh(value: Any) -> str:
    return {dict: "字段映射", list: "列表", str: "文本", bool: "true/false", int: "数字",
            float: "数字", type(None): "空值"}.get(type(value), type(value).__name__)


def _out_of_range(where: str, value: date) -> CaseError:
    return CaseError(f"{value.isoformat()} is outside {FIRST_YEAR}-{LAST_YEAR}", field=where,
                     zh=f"{value.isoformat()} 不在 {FIRST_YEAR}–{LAST_YEAR} 年之间")


def _unknown_id(where: str, value: Any, table: Collection[str], *, ordered: bool = False) -> CaseError:
    """An id the field does not know: the nearest it knows when one is close (a typo:
    ``batery``), then every one (in the table's order when ``ordered``, else sorted)."""
    choices = list(table) if ordered else sorted(table)
    allowed = ", ".join(choices)
    close = nearest(value, choices, 1) if isinstance(value, str) else []
    hint_en, hint_zh = (f"; did you mean {close[0]!r}?", f"；您是否想写 {close[0]!r}？") if close else (";", "；")
    return CaseError(f"unknown id {_show(value)}{hint_en} allowed: {allowed}", field=where,
                     zh=f"未知代码 {_show(value, 'zh')}{hint_zh}可用：{allowed}")


# --------------------------------------------------------------------------- writing a case

def case_to_dict(case: Case) -> dict[str, Any]:
    """The v1 case mapping (JSON-ready: dates as ISO text, empty optional fields left out)."""
    out: dict[str, Any] = msgspec.to_builtins(case)
    out["schema_version"] = case.schema_version
    out.setdefault("purchase", {"channel": "unknown"}).setdefault("channel", "unknown")
    out["documents"] = sorted(case.documents or ())
    out.setdefault("fault", {}).setdefault("confirmed", False)
    out.setdefault("condition", {})
    if not out.get("history"):
        out.pop("history", None)
    if not out.get("stock"):
        out.pop("stock", None)
    if case.coverage_plans:
        out["coverage_plans"] = sorted(case.coverage_plans)
    order = ("schema_version", "case_date", "brand", "device", "purchase", "activation_date", "documents", "fault",
             "condition", "history", "stock", "coverage_plans")
    return {key: out[key] for key in order if key in out}
