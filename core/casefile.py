"""Reading case files (YAML or JSON) from disk or standard input: the shell around ``parse_case``.

Whatever a stranger's file holds, the answer is the data or one ``CaseError`` located at
``file:line:column`` (and naming the field when the trouble is in one): a file larger than
``MAX_CASE_BYTES`` (refused before it is parsed), invalid UTF-8, a syntax error, a key given
twice, nesting deeper than ``MAX_DEPTH``, more than ``MAX_NODES`` nodes or aliases expanding past
it (a YAML bomb), numbers of thousands of digits, a YAML tag (``!!binary``, ``!!python/…``).
YAML 1.1's readings no case means are left as written, so a message can quote them: ``1:30`` (a
sexagesimal number to YAML 1.1) and ``2026-06-15T10:00:00`` (a date and time) stay text, and the
case's date fields say they are not dates. Nothing here decides anything.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .errors import AftersalesError, CaseError, not_utf8

if TYPE_CHECKING:  # pragma: no cover - pathlib is imported where a file is read (the case model imports this module)
    from pathlib import Path

#: a case nests four levels; policies a few more: past this a document is refused unread
MAX_DEPTH = 64
#: nodes a document may hold, aliases counted each time they are used
MAX_NODES = 200_000
#: bytes a case file (or a case on standard input, or one JSON Lines case) may hold: the scenario
#: files are 700-750 bytes, and a case with every field filled and every text at its longest in
#: Chinese about 3,600 (YAML or JSON), so this leaves room for any comments while a file past
#: it is refused before it is parsed (a 64 KB file of 32,000 one-letter keys, about the most
#: nodes it can hold, is read and refused in 0.3 s)
MAX_CASE_BYTES = 64 * 1024


def too_big(name: str, size: int | None, error: type[AftersalesError] = CaseError) -> AftersalesError:
    """The error for case text past ``MAX_CASE_BYTES`` (``size``: its bytes, when known)."""
    if size is None:
        return error(f"{name}: too large for a case file (more than {MAX_CASE_BYTES:,} bytes)",
                     zh=f"{name}：案例文件过大（超过 {MAX_CASE_BYTES:,} 字节）")
    return error(f"{name}: too large for a case file ({size:,} bytes; at most {MAX_CASE_BYTES:,})",
                 zh=f"{name}：案例文件过大（{size:,} 字节；最多 {MAX_CASE_BYTES:,} 字节）")


def load_case_bytes(raw: bytes, name: str) -> Any:
    """Parse case text given as bytes (standard input): JSON when it looks like JSON, else safe
    YAML; text that is not UTF-8 or past ``MAX_CASE_BYTES`` is refused. A scenario (a mapping
    with ``case:`` and ``expect:``) gives its case."""
    if len(raw) > MAX_CASE_BYTES:
        raise too_big(name, len(raw))
    return _case_of(_parse(_utf8(raw, name, CaseError), name, case=True))


def load_case_stream(stream: Any, name: str) -> Any:
    """``load_case_bytes`` of a binary stream (standard input), read no further than one byte
    past ``MAX_CASE_BYTES``."""
    raw = stream.read(MAX_CASE_BYTES + 1)
    if len(raw) > MAX_CASE_BYTES:
        raise too_big(name, None)
    return load_case_bytes(raw, name)


def _case_of(data: Any) -> Any:
    if isinstance(data, dict) and "case" in data and "expect" in data and isinstance(data["case"], dict):
        return data["case"]
    return data


def _utf8(raw: bytes, name: str, error: type[AftersalesError]) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, column, en, zh = not_utf8(raw, exc)
        raise error(f"{name}:{line}:{column}: {en}", zh=f"{name}:{line}:{column}：{zh}") from None


def _parse(text: str, name: str, error: type[AftersalesError] = CaseError, *, case: bool = False) -> Any:
    if text.lstrip()[:1] in ("{", "["):
        return _parse_json(text, name, error)
    return load_yaml(text, name, error, case_loader() if case else None)


#: what Python's JSON reader says of a text, in Chinese (its English kept for anything else)
JSON_ZH = {"Expecting value": "这里应当是一个值", "Extra data": "对象后面有多余的内容",
           "Expecting property name enclosed in double quotes": "字段名要用双引号",
           "Expecting ',' delimiter": "缺少逗号", "Expecting ':' delimiter": "缺少冒号",
           "Unterminated string starting at": "字符串没有结束", "Invalid control character at": "有控制字符",
           "Invalid \\escape": "无效的转义"}


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Duplicate(key)
        out[key] = value
    return out


class _Duplicate(Exception):
    pass


def _parse_json(text: str, name: str, error: type[AftersalesError]) -> Any:
    import json  # here: a YAML case file (the usual) does without it

    try:
        return json.loads(text, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as exc:
        raise error(f"{name}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}",
                    zh=f"{name}:{exc.lineno}:{exc.colno}：不是有效的 JSON：{JSON_ZH.get(exc.msg, exc.msg)}") from None
    except _Duplicate as exc:
        found = next(_json_places(text, duplicate=True), None)
        key = _short(exc.args[0])
        if found is None:  # pragma: no cover - the scan finds what the reader found
            raise error(f"{name}: key {key!r} given twice in one object",
                        zh=f"{name}：同一对象中键 {key!r} 出现了两次") from None
        (line, column), parts, (first_line, first_column) = found
        key = _short(str(parts[-1]))
        raise error(f"key {key!r} given twice in one object (first at {first_line}:{first_column})",
                    where=f"{name}:{line}:{column}", field=_field_path(parts) or None,
                    zh=f"同一对象中键 {key!r} 出现了两次（第一次在第 {first_line} 行第 {first_column} 列）") from None
    except RecursionError:
        raise _too_deep(error, name, text) from None
    except ValueError:  # an integer past Python's digit limit
        found = next(_json_places(text, duplicate=False), None)
        if found is None:  # pragma: no cover - the scan finds what the reader found
            raise error(f"{name}: a number is too large", zh=f"{name}：数字过大") from None
        (line, column), parts, digits = found
        raise _number_too_large(error, f"{name}:{line}:{column}", parts, digits) from None


def too_deep_at(text: str) -> tuple[int, int] | None:
    """Where the text's brackets first nest deeper than ``MAX_DEPTH`` (line, column), or None
    (block nesting: no bracket says where). For a reader that ran out of stack (Python's JSON
    reader, PyYAML's Python one) far past the bound: a case and a policy say it where ours is
    crossed."""
    import re

    depth = 0
    for m in re.finditer(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', text):
        token = m.group(0)
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return _line_column(text, m.start())
        elif token in "]}":
            depth -= 1
    return None


def _too_deep(error: type[AftersalesError], name: str, text: str) -> AftersalesError:
    """A reader ran out of stack: where the nesting passed ``MAX_DEPTH`` (``too_deep_at``), said
    as a YAML case's would be."""
    at = too_deep_at(text)
    if at is None:
        return error(f"{name}: nesting too deep", zh=f"{name}：嵌套过深")
    return error(f"nesting deeper than {MAX_DEPTH} levels", where=f"{name}:{at[0]}:{at[1]}",
                 zh=f"嵌套超过 {MAX_DEPTH} 层")


def _number_too_large(error: type[AftersalesError], where: str, parts: list[Any], digits: int) -> AftersalesError:
    return error(f"a number is too large ({digits:,} digits)", where=where, field=_field_path(parts) or None,
                 zh=f"数字过大（{digits:,} 位）")


def _field_path(parts: list[Any]) -> str:
    """``history.days_in_repair``, ``documents[2]``: a case's field as messages name it."""
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{_short(part)}" if out else _short(part))
    return out


def _json_places(text: str, *, duplicate: bool) -> Iterator[tuple[tuple[int, int], list[Any], Any]]:
    """Where, in JSON text, a key repeats its object's earlier key (``duplicate``: yields the
    place, the path to the key and where it was first) or an integer has more digits than Python
    reads (yields the place, the path to it and its digits). A scan of the tokens that keeps the
    path; only run when the reader has refused the text, to say where."""
    import re
    import sys

    limit = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else 0
    # each container: [is an object, path part (key or index) of the current item, keys seen]
    stack: list[list[Any]] = []
    for m in re.finditer(r'"(?:[^"\\]|\\.)*"|[{}\[\],:]|[^\s{}\[\],:"]+', text):
        token = m.group(0)
        top = stack[-1] if stack else None
        if token in ("{", "["):
            stack.append([token == "{", 0 if token == "[" else None, {}])
        elif token in ("}", "]"):
            if stack:
                stack.pop()
        elif token == ",":
            if top is not None and not top[0]:
                top[1] += 1
        elif token == ":":
            continue
        elif top is not None and top[0] and _is_key(text, m.end()):
            import json

            try:
                key = json.loads(token)
            except ValueError:
                key = token
            top[1] = key
            if duplicate:
                if key in top[2]:
                    yield _line_column(text, m.start()), [s[1] for s in stack], top[2][key]
                    return
                top[2][key] = _line_column(text, m.start())
        elif not duplicate and limit and token.lstrip("-").isdigit() and len(token.lstrip("-")) > limit:
            yield _line_column(text, m.start()), [s[1] for s in stack], len(token.lstrip("-"))
            return


def _is_key(text: str, end: int) -> bool:
    import re

    return re.compile(r"\s*:").match(text, end) is not None


def _line_column(text: str, index: int) -> tuple[int, int]:
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


#: the YAML tags a case may hold: what plain YAML writes (text, numbers, dates, true/false, null,
#: lists, mappings, the merge key ``<<``); any other (``!!binary``, ``!!set``, ``!!python/…``,
#: ``!local``) is refused before anything is constructed
PLAIN_TAGS = frozenset(f"tag:yaml.org,2002:{t}" for t in
                       ("str", "int", "float", "bool", "null", "map", "seq", "timestamp", "merge"))

#: what PyYAML says of a text it cannot read (its C reader's words and its Python reader's), in
#: Chinese, by the words it starts with; the one table for case and policy files. English keeps
#: PyYAML's own words. A problem not here is said plainly (``YAML_UNKNOWN_ZH``), never in English.
YAML_ZH = (
    ("found invalid Unicode character escape code", "无效的 Unicode 转义（如单独的代理码 \\ud800，它不是字符）"),
    ("found unknown escape character", "未知的转义字符（双引号里的反斜杠 \\ 要写成 \\\\，或改用单引号）"),
    ("expected escape sequence of", "无效的 Unicode 转义（\\x、\\u、\\U 后面的十六进制位数不够）"),
    ("did not find expected hexdecimal number", "无效的 Unicode 转义（\\x、\\u、\\U 后面的十六进制位数不够）"),
    ("found a tab character", "用了制表符；YAML 只能用空格缩进"),
    ("found character that cannot start any token", "这里有不能开始一个值的字符（常见：用制表符缩进，或以 @、` 开头的值没有加引号）"),
    ("found character", "这里有不能开始一个值的字符（常见：用制表符缩进，或以 @、` 开头的值没有加引号）"),
    ("found unexpected end of stream", "文件意外结束（引号或括号没有闭合？）"),
    ("mapping values are not allowed", "这里不能有“键: 值”（值里有半角冒号加空格时，请给整个值加引号）"),
    ("mapping keys are not allowed", "这里不能有键（缩进不对？）"),
    ("block sequence entries are not allowed", "这里不能有列表项“- ”（缩进不对？）"),
    ("could not find expected ':'", "找不到应有的冒号"),
    ("but found another document", "文件中有多个 YAML 文档（---）；只能有一个"),
    ("expected a single document", "文件中有多个 YAML 文档（---）；只能有一个"),
    ("found unexpected document indicator", "这里不能有文档分隔符（--- 或 ...）"),
    ("found unexpected document separator", "这里不能有文档分隔符（--- 或 ...）"),
    ("found undefined alias", "用了未定义的别名（*名称 之前没有 &名称）"),
    ("found duplicate anchor", "锚点重复（&名称 用了两次）"),
    ("expected <block end>", "缩进不对"),
    ("did not find expected key", "缩进不对，或缺少键"),
    ("did not find expected '-' indicator", "缩进不对：列表中的一项没有以“- ”开头"),
    ("invalid indentation or unclosed", "缩进不对，或 [ { 没有闭合"),
    ("did not find expected node content", "这里缺少值"),
    ("expected the node content", "这里缺少值"),
    ("did not find expected ',' or ']'", "列表缺少逗号或右方括号"),
    ("did not find expected ',' or '}'", "映射缺少逗号或右花括号"),
    ("expected ',' or ']'", "列表缺少逗号或右方括号"),
    ("expected ',' or '}'", "映射缺少逗号或右花括号"),
    ("found unexpected ':'", "这里有多余的冒号"),
    ("exceeded maximum nesting depth", "嵌套过深"),
    ("did not find expected comment or line break", "这里应当换行（或是 # 注释）"),
    ("expected a comment or a line break", "这里应当换行（或是 # 注释）"),
    ("did not find expected whitespace", "这里缺少空格"),
    ("expected ' '", "这里缺少空格"),
    ("did not find expected alphabetic or numeric character", "别名或锚点（*名称、&名称）的名称只能用字母或数字"),
    ("expected alphabetic or numeric character", "别名或锚点（*名称、&名称）的名称只能用字母或数字"),
    ("found an indentation indicator equal to 0", "块文本（| 或 >）的缩进标记不能是 0"),
    ("expected indentation indicator", "块文本（| 或 >）的缩进标记只能是 1–9"),
    ("expected chomping or indentation indicators", "块文本（| 或 >）后面的标记不对"),
    ("found undefined tag handle", "无法识别的标签（! 开头）"),
    ("did not find expected tag URI", "无法识别的标签（! 开头）"),
    ("did not find expected '!'", "无法识别的标签（! 开头）"),
    ("expected '!'", "无法识别的标签（! 开头）"),
    ("expected URI", "无法识别的标签（! 开头）"),
    ("found non-specific tag", "无法识别的标签（! 开头）"),
    ("found unknown directive name", "不支持的 YAML 指令（% 开头的行）"),
    ("could not find expected directive name", "不支持的 YAML 指令（% 开头的行）"),
    ("found duplicate", "YAML 指令（% 开头的行）重复"),
    ("found incompatible YAML document", "不支持的 YAML 版本"),
    ("did not find expected <document start>", "这里应当是文档开始（---）"),
    ("expected '<document start>'", "这里应当是文档开始（---）"),
    ("control characters are not allowed", "含有控制字符"),
    ("special characters are not allowed", "含有控制字符"),
    ("input is too long", "文件过大"),
)
#: the C reader's words for a document nesting deeper than it reads (1,000 levels, beyond ``MAX_DEPTH``)
TOO_DEEP = "exceeded maximum nesting depth"
#: a problem ``YAML_ZH`` does not know, in Chinese
YAML_UNKNOWN_ZH = "无法按 YAML 读取"


def yaml_problem_zh(problem: str) -> str:
    """PyYAML's ``problem`` in Chinese (``YAML_ZH``; an unacceptable character named by its code
    point), else ``YAML_UNKNOWN_ZH``: its English never reaches a Chinese message."""
    import re

    character = re.match(r"unacceptable character #x([0-9a-fA-F]+)", problem)
    if character is not None:
        return f"含有不允许的控制字符 U+{int(character.group(1), 16):04X}"
    return next((zh for start, zh in YAML_ZH if problem.startswith(start)), YAML_UNKNOWN_ZH)


def yaml_problem(exc: Any) -> str:
    """What PyYAML says went wrong, in its words, on one line: a syntax error's problem (else its
    context), an unacceptable character with its code point, else the first line it gives."""
    problem, context = getattr(exc, "problem", None), getattr(exc, "context", None)
    if problem and context and yaml_problem_zh(problem) == YAML_UNKNOWN_ZH != yaml_problem_zh(context):
        return str(context)   # "found duplicate anchor 'x'; first occurrence" … "second occurrence"
    if problem or context:
        return str(problem or context)
    character, reason = getattr(exc, "character", None), getattr(exc, "reason", None)
    if isinstance(character, int) and reason:
        return f"unacceptable character #x{character:04x}: {reason}"
    return (str(exc).splitlines() or [type(exc).__name__])[0]


def yaml_error_at(exc: Any, text: str) -> tuple[int, int] | None:
    """Line and column (1-based) in ``text`` where PyYAML found the problem ``exc``: its mark, or
    for a character it cannot accept its position (a character's index for the Python reader, a
    byte offset in UTF-8 for the C one); None when it gives neither."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        return mark.line + 1, mark.column + 1
    position = getattr(exc, "position", None)
    if not isinstance(position, int) or position < 0:
        return None
    character = getattr(exc, "character", None)
    index = position
    if not (index < len(text) and isinstance(character, int) and ord(text[index]) == character):
        index = len(text.encode("utf-8")[:position].decode("utf-8", "ignore"))
    return _line_column(text, min(index, len(text)))


def unclosed_at(exc: Any, text: str) -> tuple[tuple[str, str], int, int] | None:
    """``((中文, English), line, column)`` of a ``[list]`` or ``{map}`` opened on an earlier line
    and not closed, as PyYAML's ``exc`` says it (the parser stops on a line that is itself right:
    the bracket is the place to look); None for any other problem."""
    problem, context = getattr(exc, "problem", None) or "", getattr(exc, "context_mark", None)
    at = getattr(exc, "problem_mark", None)
    for close, what_zh, what_en in (("]", "列表", "list"), ("}", "映射", "mapping")):
        if f"expected ',' or '{close}'" in problem and context is not None and at is not None and context.line < at.line:
            opening = "[" if close == "]" else "{"
            line = context.line + 1
            lines = text.splitlines()
            column = (lines[line - 1].rfind(opening) + 1 if line <= len(lines) else 0) or context.column + 1
            return ((f"第 {line} 行的 {opening} 没有闭合：这个{what_zh}缺少 {close}（或两项之间缺少逗号）",
                     f"the {opening} opened on line {line} is not closed: the {what_en} lacks its '{close}' "
                     f"(or a ',' between two items)"), line, column)
    return None


@lru_cache(maxsize=1)
def case_loader() -> type:
    """The YAML loader class for case files (built on first use: importing yaml takes a while)."""
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class CaseLoader(base):  # type: ignore[misc, valid-type]
        """Safe loader that keeps as written what YAML 1.1 reads in a way no case means: ``1:30``
        (a sexagesimal number), a date with a time, an impossible date (``2026-02-30``); the
        case's fields then quote them. A value it cannot make (thousands of digits) is raised
        as ``BadValue`` with its node."""

        def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
            try:
                return base.construct_object(self, node, deep)
            except (ValueError, OverflowError) as exc:   # Python refuses thousands of digits
                raise BadValue(node, str(exc)) from None

        def construct_yaml_int(self, node: yaml.ScalarNode) -> Any:
            return node.value if ":" in node.value else base.construct_yaml_int(self, node)

        def construct_yaml_float(self, node: yaml.ScalarNode) -> Any:
            return node.value if ":" in node.value else base.construct_yaml_float(self, node)

        def construct_yaml_timestamp(self, node: yaml.ScalarNode, values: Any = None) -> Any:
            from datetime import datetime

            try:
                value = base.construct_yaml_timestamp(self, node)
            except ValueError:
                return node.value
            return node.value if isinstance(value, datetime) else value

    CaseLoader.add_constructor("tag:yaml.org,2002:int", CaseLoader.construct_yaml_int)
    CaseLoader.add_constructor("tag:yaml.org,2002:float", CaseLoader.construct_yaml_float)
    CaseLoader.add_constructor("tag:yaml.org,2002:timestamp", CaseLoader.construct_yaml_timestamp)
    return CaseLoader


class BadValue(Exception):
    """A scalar the loader cannot make a value of (``node``: where it is written)."""

    def __init__(self, node: Any, problem: str) -> None:
        super().__init__(problem)
        self.node = node


def load_yaml(text: str, name: str, error: type[AftersalesError] = CaseError, loader: Any = None) -> Any:
    """Safe YAML with bounds: the document's node tree is checked (depth, size and alias
    expansion, tags, duplicate keys) before anything is constructed. ``loader``: a safe loader
    class (the C one by default; ``case_loader()`` for case files)."""
    import yaml

    if loader is None:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    reader = None
    node = None
    try:
        reader = loader(text)   # (the Python reader checks the characters here)
        node = reader.get_single_node()
        if node is None:
            return None
        _check(node, name, error)
        return reader.construct_document(node)
    except BadValue as exc:
        raise _bad_value(node, exc, name, error) from None
    except yaml.YAMLError as exc:   # a syntax error (marked), a character it cannot accept
        at = yaml_error_at(exc, text)
        problem = yaml_problem(exc)
        if problem.startswith(TOO_DEEP):   # the reader's own bound, beyond ours: said as ours, where ours is passed
            at = too_deep_at(text) or at
            raise error(f"nesting deeper than {MAX_DEPTH} levels", where=f"{name}:{at[0]}:{at[1]}" if at else name,
                        zh=f"嵌套超过 {MAX_DEPTH} 层") from None
        unclosed = unclosed_at(exc, text)
        if unclosed is not None:
            (said_zh, said_en), line, column = unclosed
            raise error(f"not valid YAML: {said_en}", where=f"{name}:{line}:{column}", zh=f"不是有效的 YAML：{said_zh}") from None
        raise error(f"not valid YAML: {problem}", where=f"{name}:{at[0]}:{at[1]}" if at else name,
                    zh=f"不是有效的 YAML：{yaml_problem_zh(problem)}") from None
    except RecursionError:
        raise _too_deep(error, name, text) from None
    finally:
        if reader is not None:
            reader.dispose()


def _bad_value(root: Any, bad: BadValue, name: str, error: type[AftersalesError]) -> AftersalesError:
    mark = bad.node.start_mark
    where = f"{name}:{mark.line + 1}:{mark.column + 1}"
    parts = _path_to(root, bad.node)
    text = bad.node.value if isinstance(bad.node.value, str) else ""
    if "integer string conversion" in str(bad):
        return _number_too_large(error, where, parts, len(text.lstrip("+-")))
    shown = _short(repr(text), 60)
    return error(f"cannot read {shown} as a {bad.node.tag.rsplit(':', 1)[-1]}", where=where,
                 field=_field_path(parts) or None, zh=f"无法读取 {shown}")


def _path_to(root: Any, target: Any) -> list[Any]:
    """The path (keys and indexes) from ``root`` to the node ``target`` (``[]`` if not found)."""
    import yaml

    stack: list[tuple[Any, list[Any]]] = [(root, [])]
    seen: set[int] = set()
    while stack:
        current, parts = stack.pop()
        if current is target:
            return parts
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                kv = getattr(key, "value", None)
                part = kv if isinstance(kv, str) else "?"
                stack.append((key, [*parts, part]))
                stack.append((value, [*parts, part]))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend((item, [*parts, index]) for index, item in enumerate(current.value))
    return []


def _tagged(root: Any) -> Any:
    """The first node (in document order) whose tag a case may not hold (``PLAIN_TAGS``), or None."""
    import yaml

    stack = [root]
    seen: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if current.tag not in PLAIN_TAGS:
            return current
        if isinstance(current, yaml.MappingNode):
            for key, value in reversed(current.value):
                stack.append(value)
                stack.append(key)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(reversed(current.value))
    return None


def _tag_name(tag: str) -> str:
    return _short("!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org,2002:") else tag, 60)


def yaml_size_problem(node: Any) -> tuple[Any, str, str] | None:
    """``(mark, English, Chinese)`` when a node tree nests deeper than ``MAX_DEPTH``, holds more
    than ``MAX_NODES`` nodes (naming its biggest list or mapping) or its aliases expand past
    that (a YAML bomb); ``None`` when it is within bounds. Walks the tree without recursion and
    without constructing anything."""
    import yaml

    count = 0
    repeats = 0                 # nodes met again through an alias
    seen: set[int] = set()
    biggest: tuple[int, Any, Any] = (0, None, None)   # (children, node, the key it is under)
    stack: list[tuple[Any, int, Any]] = [(node, 1, None)]
    while stack:
        current, depth, under = stack.pop()
        count += 1
        ident = id(current)
        if ident in seen:
            repeats += 1
        else:
            seen.add(ident)
        if depth > MAX_DEPTH:
            return current.start_mark, f"nesting deeper than {MAX_DEPTH} levels", f"嵌套超过 {MAX_DEPTH} 层"
        if count > MAX_NODES:
            if repeats:
                return (current.start_mark, f"document too large (aliases expand past {MAX_NODES:,} nodes)",
                        f"文档过大（别名展开超过 {MAX_NODES:,} 个节点）")
            size, big, key = biggest
            if big is None:  # pragma: no cover - so many nodes are in some list or mapping
                return current.start_mark, f"document too large (more than {MAX_NODES:,} nodes)", \
                    f"文档过大（超过 {MAX_NODES:,} 个节点）"
            mapping = isinstance(big, yaml.MappingNode)
            what_en = (f"{_short(key)!r} has" if isinstance(key, str) else f"a {'mapping' if mapping else 'list'} has") \
                + f" {size:,} {'keys' if mapping else 'items'}"
            what_zh = (f"{_short(key)!r} 有" if isinstance(key, str) else f"一个{'映射' if mapping else '列表'}有") \
                + f" {size:,} {'个键' if mapping else '项'}"
            return (big.start_mark, f"document too large: more than {MAX_NODES:,} nodes ({what_en})",
                    f"文档过大：超过 {MAX_NODES:,} 个节点（{what_zh}）")
        if isinstance(current, yaml.MappingNode):
            if len(current.value) > biggest[0]:
                biggest = (len(current.value), current, under)
            for key, value in current.value:
                stack.append((key, depth + 1, None))
                stack.append((value, depth + 1, getattr(key, "value", None)))
        elif isinstance(current, yaml.SequenceNode):
            if len(current.value) > biggest[0]:
                biggest = (len(current.value), current, under)
            for item in current.value:
                stack.append((item, depth + 1, None))
    return None


def duplicate_keys(node: Any) -> Iterator[tuple[Any, str, int, list[Any]]]:
    """Every key given twice in one mapping (YAML would silently keep the last), in document
    order of the mappings met: ``(key node, key, line of the first, path to the mapping)``."""
    import yaml

    stack: list[tuple[Any, list[Any]]] = [(node, [])]
    seen: set[int] = set()
    while stack:
        current, parts = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, yaml.MappingNode):
            first: dict[Any, int] = {}
            for key, value in current.value:
                kv = getattr(key, "value", None)
                if isinstance(kv, str):
                    if kv in first:
                        yield key, kv, first[kv], parts
                    else:
                        first[kv] = key.start_mark.line + 1
                stack.append((value, [*parts, kv]))
        elif isinstance(current, yaml.SequenceNode):
            for index, item in enumerate(current.value):
                stack.append((item, [*parts, index]))


def _check(node: Any, name: str, error: type[AftersalesError]) -> None:
    problem = yaml_size_problem(node)
    if problem is not None:
        mark, en, zh = problem
        raise error(en, where=f"{name}:{mark.line + 1}:{mark.column + 1}", zh=zh)
    tagged = _tagged(node)
    if tagged is not None:
        mark, tag = tagged.start_mark, _tag_name(tagged.tag)
        raise error(f"YAML tag {tag} is not allowed; a case holds only text, numbers, dates, true/false, lists "
                    "and mappings", where=f"{name}:{mark.line + 1}:{mark.column + 1}",
                    field=_field_path(_path_to(node, tagged)) or None,
                    zh=f"不能使用 YAML 标签 {tag}；案例只写文本、数字、日期、true/false、列表和映射")
    for key, kv, first, parts in duplicate_keys(node):
        mark = key.start_mark
        raise error(f"key {_short(kv)!r} given twice in one mapping (first on line {first})",
                    where=f"{name}:{mark.line + 1}:{mark.column + 1}", field=_field_path([*parts, kv]),
                    zh=f"同一映射中键 {_short(kv)!r} 出现了两次（第一次在第 {first} 行）")


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def load_data_file(path: str | Path, error: type[AftersalesError] = CaseError) -> Any:
    """A YAML or JSON file's content; unreadable or malformed files raise ``error``, located."""
    from pathlib import Path

    p = Path(path)
    return _parse(_utf8(_read(p, error), str(p), error), str(p), error)


def _read(p: Path, error: type[AftersalesError], limit: int | None = None) -> bytes:
    """The bytes of ``p``; past ``limit`` bytes it is refused without reading the rest."""
    from .errors import os_reason

    try:
        with p.open("rb") as fh:
            raw = fh.read() if limit is None else fh.read(limit + 1)
            if limit is not None and len(raw) > limit:
                size = None
                try:
                    import os

                    size = os.fstat(fh.fileno()).st_size or None
                except OSError:  # pragma: no cover - a descriptor just read from
                    pass
                raise too_big(str(p), size if size and size > limit else None, error)
            return raw
    except OSError as exc:
        raise error(f"cannot read: {exc.strerror or exc}", where=str(p), zh=f"无法读取：{os_reason(exc)}") from None


def load_case_file(path: str | Path) -> Any:
    """The mapping in a case file (see ``load_case_bytes``); a file past ``MAX_CASE_BYTES`` is
    refused before it is read whole."""
    from pathlib import Path

    p = Path(path)
    name = str(p)
    return _case_of(_parse(_utf8(_read(p, CaseError, MAX_CASE_BYTES), name, CaseError), name, CaseError, case=True))
