"""The table of case fields: the one declaration of every case field.

Each leaf field of the v1 case as a ``CaseField``: its path, kind, whether it is required and its
default, labels and help (Chinese first), form widget and section, vocabulary, bounds and an
example. Plain data (no ``msgspec``, no case model): the counter UI's first screen reads it before
the model is imported. The case's typed records (``core.model``) are built from it: a section of
paths (``device.*``) a nested record, each entry a field of its kind's type with its bounds, in
the table's order. What else is derived from the table lives here too: the words for what a field
allows (messages), the ``when`` properties of the policy schema, the values the policy checker
tries for a field, and the README's case-file reference. A new field is its entry here. Nothing
here decides a case.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from . import vocab

#: every date of a case lies in these years (a typo such as 2062 or 1926 is refused, not decided)
FIRST_YEAR, LAST_YEAR = 1990, 2100
#: the digits of an IMEI as the unit shows it (*#06#) and its papers print it: 14 and a check digit
IMEI_DIGITS = 15


class CaseField:
    """One leaf field of the case (a plain class: the counter UI defines it as it starts)."""

    __slots__ = ("path", "kind", "zh", "en", "help_zh", "help_en", "widget", "section", "vocab", "required",
                 "default", "minimum", "maximum", "max_length", "example", "condition", "length")

    def __init__(self, path: str, kind: str, zh: str, en: str, help_zh: str = "", help_en: str = "", *,
                 widget: str, section: str, vocab: str | None = None, required: bool = False,
                 default: Any = None, minimum: int | None = None, maximum: int | None = None,
                 max_length: int | None = None, example: Any = None, condition: bool = True,
                 length: int | None = None) -> None:
        self.path = path                #: ``device.imei``
        self.kind = kind                #: text, date, count, amount, flag, choice, ids, claims
        self.zh, self.en = zh, en
        self.help_zh, self.help_en = help_zh or zh, help_en or en
        self.widget = widget            #: text, date, count, amount, select, check, ticks
        self.section = section          #: device, purchase, documents, fault, condition, history, plans
        self.vocab = vocab              #: the vocabulary kind of an id field (``core.vocab.TABLES``), or ``brand``
        self.required = required        #: must be given (and not null)
        self.default = default          #: the value when absent (``None``: none, null allowed; ``claims``: an empty
        #: mapping made fresh; ``case_date``: today, filled in as the case is read)
        self.minimum, self.maximum = minimum, maximum  #: a number's bounds (a plan claims count's)
        self.max_length = max_length    #: characters of text, items of a list or mapping
        self.example = example          #: for the docs
        self.condition = condition      #: a policy's ``when`` may test it
        self.length = length            #: the characters of a complete value, written compactly (IMEI: 15)

    def __repr__(self) -> str:
        return f"CaseField({self.path!r}, {self.kind!r})"

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


def _text(path: str, zh: str, en: str, help_zh: str = "", help_en: str = "", *, max_length: int,
          section: str, example: Any = None, length: int | None = None, required: bool = False) -> CaseField:
    """A text field: at most ``max_length`` characters, no control characters; ``length``: the
    number of characters a complete value has, written compactly (the IMEI's 15 digits)."""
    return CaseField(path, "text", zh, en, help_zh, help_en, widget="text", section=section, required=required,
                     max_length=max_length, example=example, length=length)


def _day(path: str, zh: str, en: str, help_zh: str = "", help_en: str = "", *, section: str,
         example: Any = None, condition: bool = True) -> CaseField:
    """A date field (``YYYY-MM-DD``, FIRST_YEAR to LAST_YEAR)."""
    return CaseField(path, "date", zh, en, help_zh, help_en, widget="date", section=section, example=example,
                     condition=condition)


def _count(path: str, zh: str, en: str, help_zh: str = "", help_en: str = "", *, le: int,
           section: str = "history", example: Any = None, default: int | None = 0) -> CaseField:
    """A whole number from 0 to ``le``."""
    return CaseField(path, "count", zh, en, help_zh, help_en, widget="count", section=section, default=default,
                     minimum=0, maximum=le, example=example)


def _flag(path: str, zh: str, en: str, help_zh: str = "", help_en: str = "", *, section: str) -> CaseField:
    """A yes/no field (false when absent)."""
    return CaseField(path, "flag", zh, en, help_zh, help_en, widget="check", section=section, default=False)


def _choice(path: str, kind: str, zh: str, en: str, help_zh: str = "", help_en: str = "", *, section: str,
            example: Any = None, required: bool = False, default: str | None = None) -> CaseField:
    """One id of the vocabulary ``kind`` (``core.vocab``)."""
    return CaseField(path, "choice", zh, en, help_zh, help_en, widget="select", section=section, vocab=kind,
                     required=required, default=default, example=example)


def _condition(id_: str) -> CaseField:
    zh, en = vocab.CONDITIONS[id_]
    return _flag(f"condition.{id_}", zh, en, section="condition")


#: every leaf field of the case, by path; the case's records (``core.model``) are built from it in this
#: order (a section's fields together)
FIELDS: dict[str, CaseField] = {f.path: f for f in (
    _day("case_date", "受理日期", "Case date", "顾客送修之日；不填为今天",
         "The day the customer presents the unit; today when absent", section="device", example="2026-06-15",
         condition=False),
    CaseField("brand", "text", "品牌", "Brand", "插件的品牌代码：apple、huawei、generic…",
              "A plugin's brand id: apple, huawei, generic...", widget="select", section="device", vocab="brand",
              required=True, max_length=40, example="apple"),
    # the device
    _text("device.model", "机型", "Model", "商品型号，如 iPhone 15、Mate 60", "The model name, e.g. iPhone 15, Mate 60",
          max_length=100, section="device", example="iPhone 15", required=True),
    _text("device.part_number", "部件号", "Part number", "包装或设置中的部件号（Apple 的 MTLE3CH/A：CH 为国行）",
          "The part number on the box or in settings (Apple's MTLE3CH/A: CH is mainland China)",
          max_length=32, section="device", example="MTLE3CH/A"),
    _text("device.model_code", "型号代码", "Model code", "如华为的 BRA-AL00", "e.g. Huawei's BRA-AL00",
          max_length=32, section="device", example="BRA-AL00"),
    _choice("device.region", "region", "机器版本", "Made for", "机器的销售地区；不填时由部件号、型号代码等识别",
            "The region the unit was made for; identified from the part number or model code when absent",
            section="device", example="CN"),
    _text("device.imei", "IMEI", "IMEI", "15 位，最后一位为校验位（拨 *#06# 可见）",
          "15 digits, the last a check digit (dial *#06#)", max_length=32, section="device",
          example="356938035643809", length=IMEI_DIGITS),
    _text("device.serial", "序列号", "Serial", "机身或包装上的序列号", "The serial number on the unit or the box",
          max_length=64, section="device"),
    _day("device.production_date", "生产日期", "Production date", "铭牌或 SN 标签上的生产日期",
         "The production date on the SN label", section="device"),
    _count("device.battery_health", "电池健康", "Battery health %", "手机报告的电池最大容量，0–100（设置 › 电池 › 电池健康）",
           "The battery's maximum capacity as the phone reports it, 0-100 (Settings › Battery)",
           le=100, section="device", example=76, default=None),
    # the purchase
    _day("purchase.date", "购机日期", "Purchase date", "发票或购买凭证上的日期", "The date on the invoice or receipt",
         section="purchase", example="2026-06-05"),
    _choice("purchase.channel", "channel", "购买渠道", "Channel", section="purchase", example="authorized_reseller",
            default="unknown"),
    _text("purchase.country", "购买国家/地区", "Country", "两位字母代码：CN、HK、US…", "Two-letter code: CN, HK, US...",
          max_length=8, section="purchase", example="CN"),
    #: when an online order reached the customer (no-reason returns count from it)
    _day("purchase.received_date", "收货日期", "Received", "网购商品送达的日期（无理由退货自此起算）",
         "The day an online order reached the customer (no-reason returns count from it)", section="purchase"),
    #: the price on the invoice, in yuan (a refund instead of an exchange is counted from it)
    CaseField("purchase.price", "amount", "发票金额", "Invoice price", "购机发票上的价格（元），退货退款按此计算",
              "The price on the invoice in yuan (refunds count from it)", widget="amount", section="purchase",
              minimum=0, maximum=1_000_000, example=4999),
    _day("activation_date", "激活日期", "Activation", "首次激活日期", "First activation", section="purchase"),
    CaseField("documents", "ids", "出示的单证", "Papers presented", widget="ticks", section="documents",
              vocab="document", default=frozenset(), max_length=32, example=["invoice", "sanbao_certificate"]),
    # the fault
    _choice("fault.component", "component", "故障部件", "Component", section="fault", example="host", required=True),
    _text("fault.description", "故障描述", "Description", "顾客所述或检测所见", "What the customer says or testing found",
          max_length=500, section="fault", example="无法开机"),
    _flag("fault.confirmed", "已检测确认性能故障", "Fault confirmed by test", "维修者检测确认属于性能故障",
          "Testing confirmed a performance fault", section="fault"),
    #: which part is damaged or faulty, for plans priced by part (screen / back_cover / other)
    _choice("fault.part", "part", "损坏部位", "Damaged part", "按部位计价的服务计划用（屏幕、后盖、其他）",
            "For plans priced by part (screen, back cover, other)", section="fault"),
    # what the unit shows
    *(_condition(id_) for id_ in ("liquid_damage", "physical_damage", "unauthorized_repair", "jailbroken",
                                  "certificate_altered", "identity_mismatch", "label_damaged", "cosmetic_wear",
                                  "accessories_complete", "packaging_complete", "force_majeure", "frame_bent")),
    # its history
    #: warranty repairs already made for this fault
    _count("history.warranty_repairs_for_fault", "同一故障已保修次数", "Repairs for this fault", "此前同一性能故障的保修次数",
           "Warranty repairs already made for this fault", le=99),
    #: days the unit spent in repair or waiting for parts (they push the warranty end later)
    _count("history.days_in_repair", "累计修理天数", "Days in repair", "在修及等待配件的天数（顺延保修期）",
           "Days in repair or waiting for parts (they extend the warranty)", le=3650),
    #: times the faulty accessory was already exchanged
    _count("history.accessory_exchanges", "附件已换次数", "Accessory exchanges", le=99),
    #: days the current repair has lasted so far
    _count("history.current_repair_days", "本次修理已用天数", "Current repair days", le=3650),
    #: the current repair waits for parts the producer has not supplied
    _flag("history.awaiting_parts", "等待厂家配件", "Waiting for parts", section="history"),
    #: claims already made under each coverage plan in its current term, e.g. {"applecare_plus": 1}
    CaseField("history.plan_claims", "claims", "服务计划已用次数", "Plan claims used", "本期内各服务计划已使用的次数",
              "Claims already made under each plan", widget="count", section="history", vocab="coverage_plan",
              minimum=0, maximum=99, max_length=16),
    #: whether the seller has a unit of the same model and specification to exchange (absent: unknown)
    CaseField("stock.same_model", "flag", "同型号有货", "Same model in stock", "销售者是否有同型号同规格的机器可换（不填为未知）",
              "Whether the seller has a unit of the same model and spec to exchange (unknown when absent)",
              widget="select", section="purchase", vocab="yes_no", condition=False),
    CaseField("coverage_plans", "ids", "服务计划", "Coverage plans", "AppleCare+、华为延长服务宝…",
              "AppleCare+, Huawei extended warranty...", widget="ticks", section="plans", vocab="coverage_plan",
              default=frozenset(), max_length=16),
)}


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
        return (f"a date YYYY-MM-DD, {FIRST_YEAR}-{LAST_YEAR}",
                f"日期 YYYY-MM-DD，{FIRST_YEAR}–{LAST_YEAR} 年")
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
