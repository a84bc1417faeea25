"""Reading case files (YAML or JSON) from disk or standard input: the shell around ``parse_case``.

Whatever a stranger's file holds, the answer is the data or one ``CaseError`` located at
``file:line:column``: invalid UTF-8, a syntax error, a key given twice, nesting deeper than
``MAX_DEPTH`` or aliases expanding past ``MAX_NODES`` (a YAML bomb), numbers of thousands of
digits. Nothing here decides anything.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .errors import AftersalesError, CaseError

#: a case nests four levels; policies a few more: past this a document is refused unread
MAX_DEPTH = 64
#: nodes a document may expand to (aliases counted each time they are used)
MAX_NODES = 200_000


def load_case_bytes(raw: bytes, name: str) -> Any:
    """Parse case text given as bytes (standard input): JSON when it looks like JSON, else safe
    YAML; text that is not UTF-8 is refused. A scenario (a mapping with ``case:`` and
    ``expect:``) gives its case."""
    return _case_of(_parse(_utf8(raw, name, CaseError), name))


def _case_of(data: Any) -> Any:
    if isinstance(data, dict) and "case" in data and "expect" in data and isinstance(data["case"], dict):
        return data["case"]
    return data


def _utf8(raw: bytes, name: str, error: type[AftersalesError]) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise error(f"{name}:{line}:{column}: not UTF-8 text (byte 0x{raw[exc.start]:02x})",
                    zh=f"{name}:{line}:{column}：不是 UTF-8 文本（字节 0x{raw[exc.start]:02x}）") from None


def _parse(text: str, name: str, error: type[AftersalesError] = CaseError) -> Any:
    if text.lstrip()[:1] in ("{", "["):
        return _parse_json(text, name, error)
    return load_yaml(text, name, error)


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
        key = _short(exc.args[0])
        raise error(f"{name}: key {key!r} given twice in one object",
                    zh=f"{name}：同一对象中键 {key!r} 出现了两次") from None
    except RecursionError:
        raise error(f"{name}: nesting too deep", zh=f"{name}：嵌套过深") from None
    except ValueError:  # an integer past Python's digit limit
        raise error(f"{name}: a number is too large", zh=f"{name}：数字过大") from None


def load_yaml(text: str, name: str, error: type[AftersalesError] = CaseError, loader: Any = None) -> Any:
    """Safe YAML with bounds: the document's node tree is checked (depth, alias expansion,
    duplicate keys) before anything is constructed. ``loader``: a safe loader class (the C one
    by default)."""
    import yaml

    if loader is None:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    reader = loader(text)
    try:
        node = reader.get_single_node()
        if node is None:
            return None
        _check(node, name, error)
        return reader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{name}:{mark.line + 1}:{mark.column + 1}" if mark else name
        problem = exc.problem or exc.context
        raise error(f"{where}: not valid YAML: {problem}", zh=f"{where}：不是有效的 YAML：{problem}") from None
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise error(f"{name}: not valid YAML: {first}", zh=f"{name}：不是有效的 YAML：{first}") from None
    except RecursionError:
        raise error(f"{name}: nesting too deep", zh=f"{name}：嵌套过深") from None
    except ValueError as exc:  # an integer past Python's digit limit, an impossible date
        if "integer string conversion" in str(exc):
            raise error(f"{name}: a number is too large", zh=f"{name}：数字过大") from None
        raise error(f"{name}: {_short(str(exc), 80)}", zh=f"{name}：{_short(str(exc), 80)}") from None
    finally:
        reader.dispose()


def yaml_size_problem(node: Any) -> tuple[Any, str, str] | None:
    """``(mark, English, Chinese)`` when a node tree nests deeper than ``MAX_DEPTH`` or its
    aliases expand past ``MAX_NODES`` (a YAML bomb); ``None`` when it is within bounds. Walks
    the tree without recursion and without constructing anything."""
    import yaml

    count = 0
    stack: list[tuple[Any, int]] = [(node, 1)]
    while stack:
        current, depth = stack.pop()
        count += 1
        if depth > MAX_DEPTH:
            return current.start_mark, f"nesting deeper than {MAX_DEPTH} levels", f"嵌套超过 {MAX_DEPTH} 层"
        if count > MAX_NODES:
            return (current.start_mark, f"document too large (aliases expand past {MAX_NODES} nodes)",
                    f"文档过大（别名展开超过 {MAX_NODES} 个节点）")
        if isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                stack.append((key, depth + 1))
                stack.append((value, depth + 1))
        elif isinstance(current, yaml.SequenceNode):
            for item in current.value:
                stack.append((item, depth + 1))
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
        where = f"{name}:{mark.line + 1}:{mark.column + 1}"
        raise error(f"{where}: {en}", zh=f"{where}：{zh}")
    for key, kv, first, _parts in duplicate_keys(node):
        mark = key.start_mark
        where = f"{name}:{mark.line + 1}:{mark.column + 1}"
        raise error(f"{where}: key {_short(kv)!r} given twice in one mapping (first on line {first})",
                    zh=f"{where}：同一映射中键 {_short(kv)!r} 出现了两次（第一次在第 {first} 行）")


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def load_data_file(path: str | Path, error: type[AftersalesError] = CaseError) -> Any:
    """A YAML or JSON file's content; unreadable or malformed files raise ``error``, located."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise error(f"{p}: cannot read: {exc.strerror or exc}", zh=f"{p}：无法读取：{exc.strerror or exc}") from None
    return _parse(_utf8(raw, str(p), error), str(p), error)


def load_case_file(path: str | Path) -> Any:
    """The mapping in a case file (see ``load_case_bytes``)."""
    return _case_of(load_data_file(path))
