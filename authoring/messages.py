"""The words of the policy editors' tools: Chinese first, English on request.

The language is the command line's one rule (``aftersales.cli.message_lang``: ``--lang``, else
``AFTERSALES_LANG``, else Chinese). Each message is made in both languages where it is made (a ``(zh, en)`` pair); this
module holds what many of them share: the names of JSON types, the labels of the vocabulary's ids,
and the hints for YAML syntax errors.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

#: JSON Schema type -> (zh, en) as an editor would say it
TYPE_NAMES: dict[str, tuple[str, str]] = {
    "string": ("文本", "text"),
    "integer": ("整数", "a whole number"),
    "number": ("数字", "a number"),
    "boolean": ("布尔值 true/false", "true or false"),
    "array": ("列表（[a, b] 或每行 - a）", "a list ([a, b] or one '- a' per line)"),
    "object": ("映射（键: 值）", "a mapping (key: value)"),
    "null": ("空值", "nothing (null)"),
}

#: a kind of value as what was written, where it differs from ``TYPE_NAMES`` (what is expected):
#: "got the boolean true", not "got true or false true"
GOT_NAMES: dict[str, tuple[str, str]] = {"boolean": ("布尔值", "the boolean")}

#: which vocabulary table names the ids of a schema ``$defs`` entry
VOCAB_DEFS: dict[str, str] = {
    "document": "document", "region": "region", "channel": "channel", "component": "component",
    "part": "part", "remedy": "remedy", "basis": "basis",
}


def pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def type_of(value: Any) -> str:
    """The JSON type name of a YAML value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def types_text(types: Iterable[str]) -> tuple[str, str]:
    names = [TYPE_NAMES.get(t, (t, t)) for t in dict.fromkeys(types)]
    return "或".join(n[0] for n in names), " or ".join(n[1] for n in names)


def shown(value: Any) -> str:
    """A value as the editor wrote it (short)."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif value is None:
        text = "null"
    elif isinstance(value, str):
        text = repr(value)
    else:
        import json

        text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def id_label(table: str | None, value: str) -> tuple[str, str] | None:
    if table is None:
        return None
    from aftersales.core.vocab import TABLES

    return TABLES.get(table, {}).get(value)


def with_labels(table: str | None, ids: Iterable[str]) -> tuple[str, str]:
    """``sanbao_certificate（三包凭证）、invoice（购机发票）`` and its English form."""
    zh, en = [], []
    for i in ids:
        lab = id_label(table, str(i))
        zh.append(f"{i}（{lab[0]}）" if lab else str(i))
        en.append(f"{i} ({lab[1]})" if lab else str(i))
    return "、".join(zh), ", ".join(en)


def value_in(value: Any, lang: str = "zh", table: str | None = None, *, with_id: bool = False) -> str:
    """A value as an editor reads it, in ``lang``. In Chinese: an id of ``table`` by its label
    (``deferred`` as 留机待通知; ``deferred（留机待通知）`` ``with_id``), a list joined with 、,
    nothing as 无, True and False as 是 and 否. In English: an id as itself (``deferred (Deferred,
    notified)`` ``with_id``), a list joined with commas, nothing as none, True and False as yes
    and no. What the policy tools say of a decision (``policy test``, ``policy diff``)."""
    zh = lang != "en"
    if value is None or value == "" or value == "none" or (isinstance(value, (list, tuple)) and not value):
        return "无" if zh else "none"
    if isinstance(value, bool):
        return ("是" if value else "否") if zh else ("yes" if value else "no")
    if isinstance(value, (list, tuple)):
        return ("、" if zh else ", ").join(value_in(v, lang, table, with_id=with_id) for v in value)
    if table is None or not isinstance(value, str) or not (zh or with_id):
        return str(value)
    from aftersales.core.vocab import label

    said = label(table, value, "zh" if zh else "en")
    if said == value:          # not an id of the table
        return value
    if zh:
        return f"{value}（{said}）" if with_id else said
    return f"{value} ({said})"


#: what each effect of a decision's trace is called: (zh, en)
TRACE_EFFECTS: dict[str, tuple[str, str]] = {
    "granted": ("给予", "granted"), "chosen": ("选定", "chosen"), "refused": ("拒绝", "refused"),
    "blocked_documents": ("缺单证", "blocked by papers"), "pending_detection": ("待检测确认", "pending detection"),
    "excluded": ("除外", "excluded"), "expired": ("已过期", "expired"), "outside_window": ("不在期限内", "outside its window"),
    "no_start": ("缺少起算日期", "no start date"), "not_applicable": ("条件不符", "not applicable"),
    "not_needed": ("不需要", "not needed"), "region": ("产地", "region"), "exclusion": ("除外情形成立", "exclusion holds"),
    "exchange_rule": ("换货规则", "exchange rule"), "floor": ("法定底线", "statutory floor"),
    "plugin_error": ("插件出错", "plugin error"), "notice": ("提示", "notice"),
}


def effect_text(effect: str, lang: str) -> str:
    """A trace step's effect in ``lang`` (an effect not in the table as it is)."""
    words = TRACE_EFFECTS.get(effect)
    return pick(words, lang) if words else effect


FULL_WIDTH = {"：": ":", "，": ",", "；": ";", "“": '"', "”": '"', "‘": "'", "’": "'", "【": "[", "】": "]",
              "（": "(", "）": ")", "｛": "{", "｝": "}", "［": "[", "］": "]", "　": " "}


#: what each full-width mark is called, in the words of a hint
FULL_WIDTH_NAMES = {"：": ("全角冒号", "full-width colon"), "，": ("全角逗号", "full-width comma"),
                    "；": ("全角分号", "full-width semicolon"), "“": ("中文引号", "Chinese quote"),
                    "”": ("中文引号", "Chinese quote"), "‘": ("中文引号", "Chinese quote"), "’": ("中文引号", "Chinese quote"),
                    "【": ("全角方括号", "full-width bracket"), "】": ("全角方括号", "full-width bracket"),
                    "［": ("全角方括号", "full-width bracket"), "］": ("全角方括号", "full-width bracket"),
                    "｛": ("全角花括号", "full-width brace"), "｝": ("全角花括号", "full-width brace"),
                    "　": ("全角空格", "full-width space")}


def start_note(policies: Iterable[Any], policy_id: str | None, start_rule: str | None, lang: str) -> str:
    """How a coverage's start was found, when it is not simply the purchase date ("按生产日期后
    第 90 日起算"): the clerk sees a start no one typed. ``policies``: the registry's compiled
    policies; ``policy_id`` and ``start_rule``: the coverage's. Empty when the start is the
    purchase date, or its rule is not found."""
    from aftersales.core.casefields import field_of
    from aftersales.core.rules import START_FIELDS

    policy = next((p for p in policies if p.id == policy_id), None)
    spec = policy.starts.get(start_rule) if policy is not None else None
    if not spec or "from" not in spec:
        return ""
    days = int(spec.get("offset_days", 0) or 0)
    if spec["from"] == "purchase_date" and not days:
        return ""
    field = field_of(START_FIELDS.get(spec["from"], ""))
    if field is None:
        return ""
    if lang == "zh":
        return f"按{field.zh}后第 {days} 日起算" if days else f"按{field.zh}起算"
    return f"counted from the {days}th day after the {field.en.lower()}" if days else \
        f"counted from the {field.en.lower()}"


def full_width_hint(value: str) -> tuple[str, str] | None:
    """A hint when a value holds full-width punctuation where YAML wants ASCII (a list written
    ``[invoice，warranty_card]`` becomes one text value): each mark named, and the fix."""
    marks = [c for c in dict.fromkeys(value) if c in FULL_WIDTH and c != "（" and c != "）"]
    if not marks:
        return None
    zh = "、".join(f"'{c}'是{FULL_WIDTH_NAMES[c][0]}" for c in marks)
    en = ", ".join(f"'{c}' is a {FULL_WIDTH_NAMES[c][1]}" for c in marks)
    zh, en = f"值里的{zh}", f"in the value {en}"
    others = [c for c in marks if c != "，"]
    fixes_zh, fixes_en = [], []
    if others:
        fixes_zh.append(f"YAML 的分隔符要用半角 {' '.join(FULL_WIDTH[c] for c in others)}")
        fixes_en.append(f"YAML separators are ASCII {' '.join(FULL_WIDTH[c] for c in others)}")
    if "，" in marks:
        fixes_zh.append("列表的项之间要用半角逗号加空格 ', ' 分开，或写成 [a, b]")
        fixes_en.append("separate a list's items with an ASCII comma and a space ', ', or write [a, b]")
    return f"{zh}：{'；'.join(fixes_zh)}", f"{en}: {'; '.join(fixes_en)}"


def full_width_key_hint(key: str) -> tuple[str, str] | None:
    """A hint for a key YAML read with what follows it because a full-width colon stands after it
    (``period： {months: 24}`` read as the key ``period： {months``): the key and the fix."""
    head, sep, _ = key.partition("：")
    head = head.strip()
    if not sep or not head or " " in head or ":" in head:
        return None
    return (f"键 {head!r} 后面是全角冒号'：'；YAML 的键后要用半角冒号加空格 '{head}: '",
            f"the key {head!r} is followed by a full-width colon '：'; YAML wants an ASCII colon and a space: '{head}: '")


#: the patterns of the schema an editor meets, said in words: (zh, en)
PATTERN_WORDS: dict[str, tuple[str, str]] = {
    r"^\d{4}-\d{2}-\d{2}$": ("日期写成 YYYY-MM-DD，如 \"2026-01-31\"", "dates are YYYY-MM-DD, e.g. \"2026-01-31\""),
    "^[a-z][a-z0-9_]*$": ("标识只能用小写字母、数字和下划线，以字母开头", "lower-case letters, digits and underscores, "
                           "beginning with a letter"),
}

#: JSON Schema formats as an editor names them: (zh, en)
FORMAT_NAMES: dict[str, tuple[str, str]] = {"date": ("日期", "date")}


def date_example(value: object) -> str:
    """An example date for a value meant as one: ``20180101`` as ``2018-01-01``; else 2026-01-31."""
    text = str(value)
    if len(text) == 8 and text.isdigit():
        return f"{text[:4]}-{text[4:6]}-{text[6:]}"
    return "2026-01-31"


def _odd_quote_line(lines: list[str], first: int, last: int) -> int | None:
    """The first line (1-based) in ``first..last`` whose value opens a quote it does not close."""
    for number in range(max(first, 1), min(last, len(lines)) + 1):
        code = lines[number - 1].split(" #", 1)[0]
        if code.replace('\\"', "").count('"') % 2 == 1:
            return number
        value = code.split(": ", 1)[1].strip() if ": " in code else ""
        if value.startswith("'") and value.count("'") % 2 == 1:
            return number
    return None


def _indent_of(text: str) -> int:
    return len(text) - len(text.lstrip(" "))


def _code_line(lines: list[str], number: int) -> bool:
    text = lines[number - 1].strip() if 0 < number <= len(lines) else ""
    return bool(text) and not text.startswith("#")


def _syntax_part(text: str) -> str:
    """What YAML reads as syntax on a line: the key, and a value that opens a flow list or map
    (``[…]``, ``{…}``, written with ASCII or full-width brackets); not a plain text value."""
    code = text.split(" #", 1)[0].lstrip(" -")
    key, sep, value = code.partition(": ")
    if not sep:
        return key
    value = value.strip()
    return key + (value if value[:1] in "[{［｛【" else "")


def _key_indent(text: str) -> int:
    """The column a line's key starts at: past its indentation and a list item's ``- ``."""
    return len(text) - len(text.lstrip(" -"))


def _deeper_hint(lines: list[str], line: int, column: int | None, problem: str) -> tuple[str, str] | None:
    """A hint when the key on ``line`` is indented more than the key before it, which has a value
    of its own (so it cannot hold a nested block): YAML then reads the key as more of that value
    and stops at its colon (``column``, 1-based). A colon further on is one inside the value."""
    if "mapping values are not allowed" not in problem or not (0 < line <= len(lines) and _code_line(lines, line)):
        return None
    text = lines[line - 1]
    here = _indent_of(text)
    key_colon = text.find(": ", here)
    if text.rstrip().endswith(":") and key_colon < 0:
        key_colon = len(text.rstrip()) - 1
    if column is not None and column - 1 != key_colon:
        return None   # the colon YAML stopped at is in the value, not after the key
    before = next((n for n in range(line - 1, 0, -1) if _code_line(lines, n)), None)
    if before is None:
        return None
    prev = lines[before - 1].split(" #", 1)[0].rstrip()
    there = _key_indent(prev)
    if here <= there or prev.endswith(":"):
        return None
    return _indent_words(line, here, before, there, "键", "key")


def _indent_words(line: int, here: int, other: int, there: int, what: str, what_en: str) -> tuple[str, str]:
    """The lines whose indentation disagrees, as the hint names them."""
    return (f"第 {line} 行的{what}缩进了 {here} 个空格，而第 {other} 行是 {there} 个：同一层要对齐",
            f"the {what_en} on line {line} is indented {here} space(s), line {other} {there}: one level lines up")


def _full_width_indent(lines: list[tuple[int, str]]) -> tuple[tuple[str, str], int, int] | None:
    """The first line among ``lines`` indented with a full-width space (U+3000, which YAML does
    not read as indentation), and the column of that space."""
    for n, x in lines:
        lead = x[: len(x) - len(x.lstrip(" \t\u3000"))]
        if "\u3000" in lead:
            col = lead.index("\u3000") + 1
            count = lead.count("\u3000")
            return ((f"第 {n} 行第 {col} 列起用全角空格'　'缩进（{count} 个）：YAML 只认半角空格，请改成半角空格",
                     f"line {n} is indented with {count} full-width space(s) '　' from column {col}: YAML indents "
                     "with ASCII spaces only; use those"), n, col)
    return None


def _misaligned_hint(lines: list[str], line: int, problem: str, context_line: int | None) -> tuple[str, str] | None:
    """A hint when the line at ``line`` is indented unlike the lines it belongs with: a list item
    unlike the list's first item (``context_line``, where YAML began reading the list), a key
    unlike the key on the line before it."""
    if not (context_line and 0 < line <= len(lines) and _code_line(lines, line)):
        return None
    if not ("expected '-' indicator" in problem or "expected <block end>" in problem or "expected key" in problem):
        return None
    here = _indent_of(lines[line - 1])
    if lines[line - 1].lstrip().startswith("- "):
        other, what, what_en = context_line, "列表项", "list item"
    else:
        other = next((n for n in range(line - 1, 0, -1) if _code_line(lines, n)), 0)
        what, what_en = "键", "key"
    if not _code_line(lines, other) or _indent_of(lines[other - 1]) == here:
        return None
    there = _indent_of(lines[other - 1])
    return _indent_words(line, here, other, there, what, what_en)


def yaml_hint(text: str, line: int, problem: str, context_line: int | None = None,
              column: int | None = None) -> tuple[tuple[str, str], int, int | None] | None:
    """A hint for a YAML syntax error at ``line`` and ``column`` (1-based; ``context_line``: where
    the construct the parser was reading began), and the line (and column, when known) the hint
    is about: the usual causes, said plainly."""
    lines = text.splitlines()
    start = min(context_line or line, line - 1) if line > 1 else line
    nearby = [(n, lines[n - 1]) for n in range(max(start, 1), min(line, len(lines)) + 1)]
    for n, x in nearby:
        if "\t" in x[: len(x) - len(x.lstrip(" \t"))]:
            return ("YAML 不能用制表符（Tab）缩进，请改用空格", "tabs cannot indent YAML; use spaces"), n, None
    full_width = _full_width_indent(nearby)
    if full_width is not None:
        return full_width
    for n, x in nearby:
        colon = full_width_key_hint(x.lstrip(" -"))
        if colon is not None:
            return colon, n, None
    deeper = _deeper_hint(lines, line, column, problem)
    if deeper is not None:   # at the key that is indented too far
        return deeper, line, _indent_of(lines[line - 1]) + 1
    if "mapping values are not allowed" in problem:
        return (("这一行的值里有半角冒号加空格 ': '，YAML 把它当成了新的键；请给整个值加引号，"
                 "例如 citation: \"第十二条: ...\"，或改用全角冒号'：'",
                 "the value on this line holds an ASCII colon and a space ': ', which YAML reads as a new key; "
                 "quote the whole value (citation: \"第十二条: ...\") or use a full-width colon '：'"), line, column)
    quote = _odd_quote_line(lines, 1, line)
    if quote is not None and ("quoted scalar" in problem or "end of stream" in problem or "expected key" in problem
                              or "expected <block end>" in problem):
        return ((f"第 {quote} 行的引号没有闭合（中文引号“”不算 YAML 引号）：YAML 一直读到了下一个引号",
                 f"the quote opened on line {quote} is not closed: YAML read on to the next quote"), quote, None)
    misaligned = _misaligned_hint(lines, line, problem, context_line)
    if misaligned is not None:
        return misaligned, line, column
    # full-width punctuation matters where YAML reads it as syntax: in a key, or in a [list] or {map}
    marks = sorted({c for _, x in nearby for c in _syntax_part(x) if c in FULL_WIDTH and c not in "（）“”‘’"})
    if marks:
        return ((f"这里有全角标点 {' '.join(marks)}：YAML 的冒号、逗号、括号要用半角",
                 f"full-width punctuation here ({' '.join(marks)}): YAML's colons, commas and brackets are ASCII"),
                line, column)
    if "could not find expected ':'" in problem:
        return (("缺少键后的冒号，或上一行的缩进不对", "a key lacks its colon, or the line before is indented wrongly"),
                line, column)
    return None
