"""The table of case fields, read from the typed case records (``core.model``).

Each leaf field of the v1 case, in the order the records declare them, as a ``CaseField``: its
path, kind, labels and help (Chinese first), form widget and section, vocabulary, bounds and an
example. What is derived from it lives here too: the words for what a field allows (messages),
the ``when`` properties of the policy schema, the values the policy checker tries for a field,
and the README's case-file reference. Nothing here decides a case.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import msgspec
from msgspec import inspect as mi

from . import model, vocab


class CaseField(msgspec.Struct, frozen=True):
    # (a Struct, not a dataclass: defining it costs a tenth, and the counter UI imports it as
    # it starts)
    path: str            #: ``device.imei``
    kind: str            #: text, date, count, amount, flag, choice, ids, claims
    zh: str
    en: str
    help_zh: str
    help_en: str
    widget: str          #: text, date, count, amount, select, check, ticks
    section: str         #: device, purchase, documents, fault, condition, history, plans
    vocab: str | None    #: the vocabulary kind of an id field (``core.vocab.TABLES``), or ``brand``
    required: bool
    default: Any
    minimum: int | None = None
    maximum: int | None = None
    max_length: int | None = None
    example: Any = None
    condition: bool = True   #: a policy's ``when`` may test it
    length: int | None = None  #: the characters of a complete value, written compactly (IMEI: 15)

    @property
    def choices(self) -> tuple[str, ...]:
        """The ids this field may hold (bundled vocabulary; plans and brands are also the loaded policies')."""
        if self.vocab is None or self.vocab == "brand":
            return ()
        return tuple(vocab.TABLES[self.vocab])

    def label(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en

    def help(self, lang: str = "zh") -> str:
        return self.help_zh if lang == "zh" else self.help_en


def _unwrap(t: mi.Type) -> tuple[mi.Type, dict[str, Any], bool]:
    """(the type, its table entry, whether null is allowed)."""
    nullable = False
    if isinstance(t, mi.UnionType):
        types = [x for x in t.types if not isinstance(x, mi.NoneType)]
        nullable = len(types) < len(t.types)
        t = types[0]
    extra: dict[str, Any] = {}
    if isinstance(t, mi.Metadata):
        extra = dict(t.extra or {})
        t = t.type
    return t, extra, nullable


#: the kind of field each decoded type makes
_KINDS: dict[type, str] = {mi.StrType: "text", mi.DateType: "date", mi.BoolType: "flag", mi.IntType: "count", mi.FloatType: "amount",
                           mi.LiteralType: "choice", mi.FrozenSetType: "ids", mi.DictType: "claims"}


def _walk(struct: mi.StructType, prefix: str) -> list[CaseField]:
    out: list[CaseField] = []
    for f in struct.fields:
        t, extra, nullable = _unwrap(f.type)
        path = f"{prefix}{f.name}"
        if isinstance(t, mi.StructType):
            out += _walk(t, f"{path}.")
            continue
        if not extra:
            continue  # schema_version: not a field people fill in
        kind = _KINDS[type(t)]
        bounds = t.value_type if isinstance(t, mi.DictType) else t  # plan claims: the count's bounds
        if isinstance(bounds, mi.Metadata):
            bounds = bounds.type
        default = None if f.default is msgspec.NODEFAULT else f.default
        if default is model.NO_DATE:
            default = None
        out.append(CaseField(
            path=path, kind=kind, zh=extra["zh"], en=extra["en"], help_zh=extra["help_zh"], help_en=extra["help_en"],
            widget=extra["widget"], section=extra["section"], vocab=extra.get("vocab"),
            required=f.required and not nullable, default=default,
            minimum=getattr(bounds, "ge", None), maximum=getattr(bounds, "le", None),
            max_length=getattr(t, "max_length", None), example=extra.get("example"),
            condition=extra.get("condition", True), length=extra.get("length")))
    return out


def _table() -> dict[str, CaseField]:
    info = mi.type_info(model.Case)
    assert isinstance(info, mi.StructType)
    return {f.path: f for f in _walk(info, "")}


#: every leaf field of the case, by path, in declared order
FIELDS: dict[str, CaseField] = _table()

#: ``when`` keys that are not case fields: what the engine works out before the conditions
DERIVED = {
    "region": ("产地", "region the unit was made for"),
}


def field_of(path: str) -> CaseField | None:
    """The field at ``path``; ``history.plan_claims.<plan>`` is the plan-claims field."""
    if path.startswith("history.plan_claims."):
        return FIELDS["history.plan_claims"]
    return FIELDS.get(path)


def path_label(path: str, lang: str = "zh") -> str:
    """What people call the field a condition reads (``purchase.channel`` -> 购买渠道), the
    derived ``region`` included; a predicate's or an unknown path stays as written."""
    field = field_of(path)
    if field is not None:
        return field.label(lang)
    derived = DERIVED.get(path)
    if derived is not None:
        return derived[0] if lang == "zh" else derived[1]
    return path


# --------------------------------------------------------------------------- what a field allows

def allowed_text(spec: CaseField) -> tuple[str, str]:
    """(English, Chinese) words for what ``spec`` allows, for messages and the docs."""
    kind = spec.kind
    if spec.vocab == "brand":
        return ("the brand id of a loaded plugin (apple, huawei, generic...)", "已加载插件的品牌代码（apple、huawei、generic…）")
    if kind == "text":
        return (f"text of at most {spec.max_length} characters", f"不超过 {spec.max_length} 个字符的文本")
    if kind == "date":
        return (f"a date YYYY-MM-DD, {model.FIRST_YEAR}-{model.LAST_YEAR}",
                f"日期 YYYY-MM-DD，{model.FIRST_YEAR}–{model.LAST_YEAR} 年")
    if kind == "flag":
        return ("true or false", "true 或 false")
    if kind == "amount":
        low, high = f"{spec.minimum:,.0f}", f"{spec.maximum:,.0f}"
        return (f"an amount in yuan from {low} to {high}", f"{low}–{high} 元的金额")
    if kind == "count":
        return (f"a whole number from {spec.minimum} to {spec.maximum}", f"{spec.minimum}–{spec.maximum} 的整数")
    if kind == "choice":
        ids = ", ".join(spec.choices)
        return (f"one of: {ids}", f"以下之一：{ids}")
    if kind == "ids":
        ids = ", ".join(spec.choices)
        return (f"a list of at most {spec.max_length} different ids ({ids})",
                f"最多 {spec.max_length} 个不同代码的列表（{ids}）")
    if kind == "claims":
        ids = ", ".join(spec.choices)
        return (f"a mapping of at most {spec.max_length} plan ids ({ids}) to a whole number {spec.minimum} to "
                f"{spec.maximum}", f"最多 {spec.max_length} 个服务计划代码（{ids}）到 {spec.minimum}–{spec.maximum} 整数的映射")
    raise AssertionError(kind)


# --------------------------------------------------------------------------- the policy schema

_MATCHER = {"text": "match_text", "date": "match_date", "flag": "match_flag", "count": "match_count",
            "amount": "match_amount"}
_ID_MATCHER = {"region": "match_region", "channel": "match_channel", "component": "match_component",
               "part": "match_part", "document": "match_documents", "coverage_plan": "match_plans",
               "brand": "match_text"}


def _described(ref: str, zh: str, en: str, help_zh: str = "", help_en: str = "") -> dict[str, Any]:
    """A ``when`` property: its matcher, and the field's words (Chinese first) for editors."""
    title_zh = zh if any("\u4e00" <= ch <= "\u9fff" for ch in zh) else (help_zh or zh)
    return {"$ref": f"#/$defs/{ref}", "title": f"{title_zh} / {en}",
            "description": f"{help_zh or zh}。{help_en or en}"}


def when_properties() -> dict[str, Any]:
    """The ``when`` properties of the policy schema: one per case field a condition can read."""
    props: dict[str, Any] = {}
    for path, (zh, en) in DERIVED.items():
        props[path] = _described("match_region", zh, en)
    for spec in FIELDS.values():
        if spec.kind == "claims" or not spec.condition:
            continue  # history.plan_claims.<plan>: a pattern property
        ref = _ID_MATCHER[spec.vocab] if spec.vocab else _MATCHER[spec.kind]
        props[spec.path] = _described(ref, spec.zh, spec.en, spec.help_zh, spec.help_en)
    return props


def when_pattern_properties() -> dict[str, Any]:
    """``when`` keys by pattern: a plan's claims (``history.plan_claims.<plan>``) and a plugin's
    named predicate (``predicate.<name>``, see ``aftersales_predicates``)."""
    return {
        r"^history\.plan_claims\.[a-z][a-z0-9_]*$": {"$ref": "#/$defs/match_count"},
        r"^predicate\.[a-z][a-z0-9_]*$": {
            "$ref": "#/$defs/match_flag",
            "title": "插件条件 / A named predicate a plugin offers (aftersales_predicates): true when it holds for the case",
            "description": "插件条件。A named predicate a plugin offers (aftersales_predicates): true when its Python "
                           "function returns True for the case",
        },
    }


# --------------------------------------------------------------------------- the policy checker

def domain(path: str) -> list[Any] | None:
    """Every value a case field can hold, when there are few (ids, flags; dates as present or
    not); ``None`` for fields whose values the checker takes from the conditions themselves."""
    if path in DERIVED:
        return list(vocab.REGIONS)
    if path.startswith("predicate."):
        return [True, False]
    spec = field_of(path)
    if spec is None:
        return None
    optional = [None] if not spec.required and spec.default is None else []
    if spec.kind == "choice":
        return list(spec.choices) + optional
    if spec.kind == "flag":
        return [True, False]
    if spec.kind == "date":
        return optional + ["a date"]
    return None


# --------------------------------------------------------------------------- the README

def reference_markdown() -> str:
    """The README's case-file reference: one row per field."""
    rows = ["| field | type | 中文 | meaning |", "| --- | --- | --- | --- |"]
    for spec in FIELDS.values():
        en, _zh = allowed_text(spec)
        need = "required" if spec.required else ("default " + _show(spec.default) if spec.default not in (None, "") else "optional")
        rows.append(f"| `{spec.path}` | {en}; {need} | {spec.zh} | {spec.help_en} |")
    return "\n".join(rows)


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "false" if not value else "true"
    if isinstance(value, (frozenset, dict)) and not value:
        return "empty"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
