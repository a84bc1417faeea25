"""Read, check and compile policy files, with every problem located at ``file:line:column``.

YAML is read with a safe loader only (the C one when available), dates stay text (the schema
checks them), and a document that nests too deep or expands aliases too far is refused before
anything else looks at it. The JSON Schema (draft 2020-12) ships as ``policy.schema.json`` in
``aftersales.policies``.

A policy found valid before comes from the validated-policy cache (``policycache``): then
neither yaml nor jsonschema is imported, and its YAML node tree is a :class:`LazyNode`, composed
only if a location in it is asked for (a cross-file or floor issue).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from aftersales.core import policycache
from aftersales.core.errors import PolicyError, nearest
from aftersales.core.policycache import LazyNode, display_name

# LazyNode and display_name live in policycache (the registry's cache-first path uses them
# without importing this module); they are part of this module's API all the same.

if TYPE_CHECKING:
    import yaml




#: the codes of a file no policy check gets to: not readable, not UTF-8, not YAML (a syntax error,
#: nesting or aliases past their bounds, a number too large) or holding a control character. Such
#: a file is bad input (exit 2, as a bad case file is); a readable policy's own errors are exit 1
UNREADABLE = frozenset({"io", "yaml", "control"})


def unreadable(issue: Any) -> bool:
    """Whether ``issue`` (a ``PolicyIssue``, or a problem of another kind: never) is an error of a
    file no policy check got to (``UNREADABLE``)."""
    return getattr(issue, "severity", "error") == "error" and getattr(issue, "code", None) in UNREADABLE


@dataclass(frozen=True, slots=True)
class PolicyIssue:
    """One problem found in a policy file."""

    file: str
    line: int
    column: int
    path: str
    message: str
    severity: str = "error"  # error | warning | acknowledged (a warning the policy acknowledges)
    code: str = "schema"
    #: extra facts for tools, as (key, value) pairs: the floor check names both rules and citations here
    detail: tuple[tuple[str, Any], ...] = ()
    #: the message in Chinese (``message`` is the English one); empty: only English was written
    zh: str = ""

    def __str__(self) -> str:
        if self.code == "plugin":
            return self.text("en")
        return f"{self.file}:{self.line}:{self.column}: {self.path}: {self.message}"

    def message_in(self, lang: str) -> str:
        return self.message if lang == "en" or not self.zh else self.zh

    def text(self, lang: str = "zh") -> str:
        """``file:line:col: [warning [id]: ]$.path: message`` in ``lang``. A plugin's or a
        folder's problem (``code`` "plugin") has no place inside a policy to name, and its file
        no position where none is known (line 0): ``file[:line:col]: message``, the file being
        the plugin itself (``plugin NAME``, ``插件 NAME``) where it has none."""
        if self.code == "plugin":
            from aftersales.core.plugininfo import located

            where = self.file
            if lang != "en" and where.startswith("plugin "):
                where = "插件 " + where.removeprefix("plugin ")
            return f"{located(where, self.line, self.column)}: {self.message_in(lang)}"
        head = f"{self.file}:{self.line}:{self.column}: "
        if self.severity == "warning":
            head += ("warning" if lang == "en" else "警告") + f" [{self.ack_id}]: "
        elif self.severity == "acknowledged":
            head += ("acknowledged" if lang == "en" else "已确认") + f" [{self.ack_id}]: "
        return f"{head}{self.path}: {self.message_in(lang)}"

    @property
    def ack_id(self) -> str:
        """The id a policy acknowledges this warning by (``acknowledgements: [{id, reason}]``)."""
        detail = dict(self.detail)
        if "ack" in detail:
            return str(detail["ack"])
        return f"{self.code}:{self.path.removeprefix('$.')}"

    def to_dict(self) -> dict[str, Any]:
        out = {"file": self.file, "line": self.line, "column": self.column, "path": self.path,
               "message": self.message, "message_zh": self.zh or self.message, "severity": self.severity,
               "code": self.code}
        if self.severity != "error":
            out["id"] = self.ack_id
        if self.detail:
            out["detail"] = dict(self.detail)
        return out


@lru_cache(maxsize=1)
def policy_loader() -> type:
    """The YAML loader class for policies (built on first use: importing yaml takes a while)."""
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class PolicyLoader(base):  # type: ignore[misc, valid-type]
        """Safe loader that keeps dates as text (the schema checks them) and names the node of
        a value it cannot make (``BadValue``): an integer past 64 bits, ``!!int abc``."""

        def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
            try:
                return base.construct_object(self, node, deep)
            except (ValueError, OverflowError) as exc:   # Python refuses thousands of digits
                raise BadValue(node, str(exc), "integer string conversion" in str(exc)) from None

        def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
            value = base.construct_yaml_int(self, node)
            if value.bit_length() > MAX_INT_BITS:   # 0x… forms Python reads, and would not write back
                raise BadValue(node, f"more than {MAX_INT_BITS} bits", too_large=True)
            return value

    PolicyLoader.add_constructor("tag:yaml.org,2002:int", PolicyLoader.construct_yaml_int)
    PolicyLoader.yaml_implicit_resolvers = {
        key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for key, resolvers in base.yaml_implicit_resolvers.items()
    }
    return PolicyLoader


#: an integer of a policy fits in 64 bits (a signed one): anything larger is refused as too large
MAX_INT_BITS = 63


class BadValue(Exception):
    """A scalar the loader cannot make a value of: ``node``, where it is written; ``too_large``:
    an integer past ``MAX_INT_BITS`` (or Python's digit limit)."""

    def __init__(self, node: Any, problem: str, too_large: bool = False) -> None:
        super().__init__(problem)
        self.node = node
        self.too_large = too_large


def __getattr__(name: str) -> Any:
    if name == "PolicyLoader":
        return policy_loader()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def compose(text: str) -> Any:
    """The node tree of a text that was read, size-checked and validated before (else None)."""
    loader = policy_loader()(text)
    try:
        return loader.get_single_node()
    except Exception:  # noqa: BLE001 - a location aid only
        return None
    finally:
        loader.dispose()


def compose_data(node: Any) -> dict[str, Any]:
    """The top-level scalar keys of a node tree (id, version) of a file that did not validate."""
    import yaml

    node = _resolve(node)
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {k.value: v.value for k, v in node.value if isinstance(k, yaml.ScalarNode) and isinstance(v, yaml.ScalarNode)}


def top_level_scalars(text: str) -> dict[str, str]:
    """``id`` and ``version`` read line by line from a file YAML cannot parse."""
    import re

    out: dict[str, str] = {}
    for key in ("id", "version"):
        found = re.search(rf"^{key}:[ \t]*[\"']?([^\"'#\s]+)", text, re.MULTILINE)
        if found:
            out[key] = found.group(1)
    return out


def _resolve(node: Any) -> Any:
    return node.resolve() if isinstance(node, LazyNode) else node


def json_path(parts: Iterable[Any]) -> str:
    out = "$"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _check_size(node: yaml.Node, name: str) -> None:
    """Refuse deep nesting and alias expansion (a YAML bomb) before constructing anything."""
    from aftersales.core.casefile import yaml_size_problem

    problem = yaml_size_problem(node)
    if problem is not None:
        mark, message, zh = problem
        issue = PolicyIssue(name, mark.line + 1, mark.column + 1, "$", message, code="yaml", zh=zh)
        raise PolicyError(message, issues=[issue], zh=zh)


def _nodes(node: yaml.Node) -> Iterator[tuple[yaml.Node, list[Any]]]:
    """Every node of a tree (keys too) with the path to it, in document order; a node an alias
    repeats is given once. A key's path ends with the key itself."""
    import yaml

    seen: set[int] = set()
    stack: list[tuple[Any, list[Any]]] = [(node, [])]
    while stack:
        current, parts = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current, parts
        if isinstance(current, yaml.MappingNode):
            for key, value in reversed(current.value):
                kv = getattr(key, "value", None)
                kv = kv if isinstance(kv, str) else "?"
                stack.append((value, [*parts, kv]))
                stack.append((key, [*parts, kv]))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend((item, [*parts, index]) for index, item in reversed(list(enumerate(current.value))))


@lru_cache(maxsize=1)
def _printable() -> Any:
    """Text with no control character: C0, DEL, C1, a lone surrogate (``model.PRINTABLE``, what
    a case's text refuses)."""
    import re

    from aftersales.core.model import PRINTABLE

    return re.compile(PRINTABLE)


def _shown(text: str, limit: int = 60) -> str:
    """Text as a message quotes it, cut to ``limit`` characters, every control or invalid
    character escaped (``\\x1b``)."""
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    printable = _printable()
    if printable.match(text):
        return text
    return "".join(c if printable.match(c) else c.encode("unicode_escape", "backslashreplace").decode("ascii")
                   for c in text)


def _shown_path(parts: list[Any]) -> str:
    return json_path(_shown(p) if isinstance(p, str) else p for p in parts)


def _check_text(node: yaml.Node, name: str) -> None:
    """Refuse every string (value or key) holding a control character but newline and tab (see
    ``_printable``). YAML refuses them raw, but its escapes (``"\\e]0;…\\a"``) would reach a
    terminal through every decision citing the policy."""
    import yaml

    match = _printable().match
    scalar, mapping = yaml.ScalarNode, yaml.MappingNode
    bad = []
    stack = [node]
    while stack:   # the tree is within bounds (_check_size); paths are made for a bad string only
        current = stack.pop()
        if type(current) is scalar:
            value = current.value
            if not match(value) and not match(value.replace("\n", "").replace("\t", "")):
                bad.append(current)
        elif type(current) is mapping:
            for key, value in current.value:
                stack.append(key)
                stack.append(value)
        else:
            stack.extend(getattr(current, "value", ()))
    if not bad:
        return
    issues = []
    for current, parts in _nodes(node):
        if not any(current is b for b in bad):
            continue
        value = current.value
        at = next(i for i, c in enumerate(value) if c not in "\n\t" and not match(c))
        char = f"U+{ord(value[at]):04X}"
        mark = current.start_mark
        issues.append(PolicyIssue(
            name, mark.line + 1, mark.column + 1, _shown_path(parts),
            f"\"{_shown(value)}\" contains a control or invalid character ({char}, character {at + 1}); "
            "remove it (a newline or a tab may stay)", code="control",
            zh=f"“{_shown(value)}”含有控制字符或无效字符（第 {at + 1} 个字符 {char}）；请删除（换行、制表符可以保留）"))
    if issues:
        first = issues[0]
        more, more_zh = (f" (and {len(issues) - 1} more)", f"（另有 {len(issues) - 1} 处）") if len(issues) > 1 else ("", "")
        raise PolicyError(f"{first}{more}", issues=issues, zh=f"{first.text('zh')}{more_zh}")


def _bad_value(root: yaml.Node | None, bad: BadValue, name: str) -> PolicyError:
    """The error for a scalar the loader could not make a value of, at its place: an integer
    too large (the words case files use), or a value its tag cannot be (``!!int abc``)."""
    mark = bad.node.start_mark
    parts = next((p for n, p in _nodes(root) if n is bad.node), []) if root is not None else []
    if bad.too_large:
        message, zh = "a number is too large", "数字过大"
    else:
        first = _shown((str(bad).splitlines() or ["?"])[0], 80)
        message, zh = f"cannot read this value: {first}", f"无法读取这个值：{first}"
    issue = PolicyIssue(name, mark.line + 1, mark.column + 1, _shown_path(parts), message, code="yaml", zh=zh)
    return PolicyError(str(issue), issues=[issue], zh=issue.text("zh"))


def read_yaml(text: str, name: str) -> tuple[Any, yaml.Node | None]:
    """Parse YAML text safely: (data, node tree). Errors are ``PolicyError`` with a location:
    a syntax error, nesting too deep or aliases expanding too far, a control character in a
    string, a number too large."""
    import yaml

    loader = None
    node = None
    try:
        loader = policy_loader()(text)   # (the Python reader checks the characters here)
        node = loader.get_single_node()
        if node is None:
            return None, None
        _check_size(node, name)
        _check_text(node, name)
        data = loader.construct_document(node)
    except BadValue as exc:
        raise _bad_value(node, exc, name) from None
    except yaml.MarkedYAMLError as exc:
        from aftersales.core.casefile import (
            MAX_DEPTH,
            TOO_DEEP,
            YAML_UNKNOWN_ZH,
            too_deep_at,
            unclosed_at,
            yaml_error_at,
            yaml_problem,
            yaml_problem_zh,
        )

        from .messages import yaml_hint

        line, col = yaml_error_at(exc, text) or (1, 1)
        problem = yaml_problem(exc)
        if problem.startswith(TOO_DEEP):   # the reader's own bound, beyond ours: said as ours, where ours is passed
            line, col = too_deep_at(text) or (line, col)
            issue = PolicyIssue(name, line, col, "$", f"nesting deeper than {MAX_DEPTH} levels", code="yaml",
                                zh=f"嵌套超过 {MAX_DEPTH} 层")
            raise PolicyError(str(issue), issues=[issue], zh=issue.text("zh")) from None
        said_zh = yaml_problem_zh(problem)
        if exc.problem and exc.context and exc.context_mark is not None:
            problem += f" ({exc.context} started at line {exc.context_mark.line + 1})"
        context_line = exc.context_mark.line + 1 if exc.context_mark is not None else None
        found = unclosed_at(exc, text) or yaml_hint(text, line, problem, context_line,
                                                     col if exc.problem_mark or exc.context_mark else None)
        # Chinese: the project's own diagnosis, else PyYAML's problem in Chinese (``YAML_ZH``);
        # the parser's words only in English (and the JSON)
        zh = (f"YAML 语法错误：{said_zh}" if said_zh != YAML_UNKNOWN_ZH else
              f"YAML 语法错误：第 {line} 行附近无法按 YAML 读取；请检查这一行和上一行的缩进、冒号、引号和括号")
        if found is not None:
            (hint_zh, hint_en), hint_line, hint_col = found
            if hint_line != line or hint_col is not None:   # the cause is elsewhere: point there
                line, col = hint_line, hint_col or 1
            # the diagnosis first; the reader's own words after it, for whoever knows YAML
            zh, problem = f"YAML 语法错误：{hint_zh}", f"YAML syntax error: {hint_en} (the YAML reader says: {problem})"
        else:
            problem = f"YAML syntax error: {problem}"
        issue = PolicyIssue(name, line, col, "$", problem, code="yaml", zh=zh)
        raise PolicyError(str(issue), issues=[issue], zh=issue.text("zh")) from None
    except yaml.YAMLError as exc:   # a character the reader cannot accept: at its place
        from aftersales.core.casefile import yaml_error_at, yaml_problem, yaml_problem_zh

        line, col = yaml_error_at(exc, text) or (1, 1)
        problem = yaml_problem(exc)
        issue = PolicyIssue(name, line, col, "$", f"YAML cannot read this file: {problem}", code="yaml",
                            zh=f"YAML 读取错误：{yaml_problem_zh(problem)}")
        raise PolicyError(str(issue), issues=[issue], zh=issue.text("zh")) from None
    finally:
        if loader is not None:
            loader.dispose()
    return data, node


def locate(node: yaml.Node | None, parts: Iterable[Any]) -> tuple[int, int]:
    """Line and column (1-based) of the node at ``parts`` (as deep as the path exists)."""
    node = _resolve(node)
    if node is None:
        return 1, 1
    import yaml

    current = node
    for part in parts:
        nxt = None
        if isinstance(current, yaml.MappingNode):
            nxt = _value_of(current, part)
        elif isinstance(current, yaml.SequenceNode) and isinstance(part, int) and part < len(current.value):
            nxt = current.value[part]
        if nxt is None:
            break
        current = nxt
    mark = current.start_mark
    return mark.line + 1, mark.column + 1


@lru_cache(maxsize=1)
def policy_schema() -> dict[str, Any]:
    """The policy JSON Schema shipped with the package."""
    import json

    from aftersales.policies import bundled

    text = bundled("policy.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


@lru_cache(maxsize=16)
def _validator(declared: tuple[str, ...] = ()) -> Any:
    """The schema's validator; ``declared``: the document and checklist ids a policy declares
    (``vocabulary``), accepted beside the bundled ones where a document id is expected."""
    import jsonschema

    schema = policy_schema()
    if declared:
        import copy

        schema = copy.deepcopy(schema)
        document = schema["$defs"]["document"]
        document["enum"] = list(document["enum"]) + [d for d in declared if d not in document["enum"]]
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _declared_ids(data: Any) -> tuple[str, ...]:
    """The ids a policy declares under ``vocabulary`` (documents and checklist items), sorted."""
    vocabulary = data.get("vocabulary") if isinstance(data, Mapping) else None
    if not isinstance(vocabulary, Mapping):
        return ()
    ids = {k for section in ("documents", "checklist") if isinstance(vocabulary.get(section), Mapping)
           for k in vocabulary[section] if isinstance(k, str)}
    return tuple(sorted(ids))


def _pair_of(mapping: yaml.MappingNode, key: Any) -> tuple[Any, Any] | None:
    """The (key, value) nodes of ``key`` in a mapping: the last one written, the one YAML keeps
    (a key the mapping writes itself comes after those a ``<<: *anchor`` merges in)."""
    return next((pair for pair in reversed(mapping.value) if getattr(pair[0], "value", None) == key), None)


def _value_of(mapping: yaml.MappingNode, key: Any) -> Any:
    pair = _pair_of(mapping, key)
    return pair[1] if pair else None


def locate_key(node: yaml.Node | None, parts: Iterable[Any], key: str) -> tuple[int, int]:
    """Line and column of the *key* ``key`` in the mapping at ``parts`` (else of the mapping)."""
    import yaml

    node = _resolve(node)
    current = _node_at(node, parts)
    if isinstance(current, yaml.MappingNode):
        pair = _pair_of(current, key)
        if pair is not None:
            return pair[0].start_mark.line + 1, pair[0].start_mark.column + 1
    return locate(node, parts)


def _node_at(node: yaml.Node | None, parts: Iterable[Any]) -> yaml.Node | None:
    import yaml

    current = _resolve(node)
    for part in parts:
        if isinstance(current, yaml.MappingNode):
            current = _value_of(current, part)
        elif isinstance(current, yaml.SequenceNode) and isinstance(part, int) and part < len(current.value):
            current = current.value[part]
        else:
            return None
    return current


def duplicate_key_issues(node: yaml.Node | None, name: str) -> list[PolicyIssue]:
    """A key given twice in one mapping (YAML would silently keep the last)."""
    from aftersales.core.casefile import duplicate_keys

    node = _resolve(node)
    if node is None:
        return []
    issues = [PolicyIssue(name, key.start_mark.line + 1, key.start_mark.column + 1, json_path([*parts, kv]),
                          f"key {kv!r} given twice in one mapping (first on line {first}); YAML keeps only the later "
                          "one: delete one of them", code="duplicate_key",
                          zh=f"键 {kv!r} 在同一个映射里写了两次（第一次在第 {first} 行）；YAML 只会保留后一个：请删去其中一个")
              for key, kv, first, parts in duplicate_keys(node)]
    return sorted(issues, key=lambda i: (i.line, i.column))


def schema_issues(data: Any, node: yaml.Node | None, name: str) -> list[PolicyIssue]:
    """Every schema error, best match first, each located in the file and said in both languages:
    the wrong value, what is expected instead (the nearest valid ids, the expected type), where
    the full list is; an error in a list item points at the item."""
    from jsonschema.exceptions import relevance

    validator = _validator(_declared_ids(data))
    errors = sorted(validator.iter_errors(data), key=relevance)
    # a date that fails both its pattern and its format is one mistake, said once (as a date)
    dated = {tuple(e.absolute_path) for e in errors if e.validator == "format"}
    errors = [e for e in errors if not (e.validator == "pattern" and tuple(e.absolute_path) in dated)]
    issues: list[PolicyIssue] = []
    seen: set[tuple[str, str]] = set()
    for error in errors:
        for found in _error_issues(_best_leaf(error), node, name):
            if (found.path, found.message) not in seen:
                seen.add((found.path, found.message))
                issues.append(found)
    return issues


def _is_shape_error(error: Any) -> bool:
    """An error that only says the value is not of this branch's kind (another branch may fit)."""
    from .messages import type_of

    if error.validator == "type":
        return True
    if error.validator == "const":
        return type_of(error.instance) != type_of(error.validator_value)
    if error.validator == "enum":
        return type_of(error.instance) not in {type_of(v) for v in error.validator_value}
    return False


def _leaves(error: Any) -> list[Any]:
    if error.validator in ("anyOf", "oneOf") and error.context:
        return [leaf for sub in error.context for leaf in _leaves(sub)]
    return [error]


def _best_leaf(error: Any) -> Any:
    """The error an editor can act on, for a value that fits no branch of an ``anyOf``: the
    deepest error of a branch of the value's own kind (``documents: [invoce]`` -> the enum of
    documents, not "is not of type 'array'"); when no branch is of its kind, the ``anyOf``
    itself (its message then names every expected kind)."""
    if error.validator not in ("anyOf", "oneOf") or not error.context:
        return error
    depth = len(error.absolute_path)
    leaves = _leaves(error)
    deeper = [e for e in leaves if len(e.absolute_path) > depth]
    if deeper:
        best = max(deeper, key=lambda e: (len(e.absolute_path), not _is_shape_error(e)))
        return best
    fitting = [e for e in leaves if not _is_shape_error(e)]
    if fitting:
        return fitting[0]
    return error


def _expected_types(error: Any) -> list[str]:
    out: list[str] = []

    def walk(schema: Any) -> None:
        if not isinstance(schema, Mapping):
            return
        if "$ref" in schema:
            ref = schema["$ref"].rsplit("/", 1)[-1]
            walk(policy_schema()["$defs"].get(ref))
        if "type" in schema:
            t = schema["type"]
            out.extend(t if isinstance(t, list) else [t])
        if "const" in schema:
            out.append(f"const:{schema['const']}")
        for key in ("anyOf", "oneOf"):
            for sub in schema.get(key, ()):
                walk(sub)

    walk(error.schema)
    return list(dict.fromkeys(out))


def _vocab_of(error: Any) -> tuple[str | None, str | None]:
    """(vocabulary table, ``$defs`` name) of the enum an error is about."""
    from .messages import VOCAB_DEFS

    ref = None
    for part in reversed(list(error.schema_path)):
        if isinstance(part, str) and part.startswith("#/$defs/"):
            ref = part.rsplit("/", 1)[-1]
            break
    if ref is None:
        values = list(error.validator_value)
        for def_name, d in policy_schema()["$defs"].items():
            if d.get("enum") == values:
                ref = def_name
                break
    if ref is None:  # an id list written in place: its table is named by the key it is under
        from aftersales.core.vocab import TABLES

        key = next((part for part in reversed(list(error.absolute_path)) if isinstance(part, str)), "")
        table = _KEY_TABLES.get(key, key)
        return (table if table in TABLES else None), None
    return (VOCAB_DEFS.get(ref) if ref else None), ref


#: keys whose id list is a vocabulary table of another name
_KEY_TABLES = {"mode": "exchange_mode"}


def _error_issues(error: Any, node: Any, name: str) -> list[PolicyIssue]:
    """The issue(s) for one schema error, in both languages."""
    from .messages import (
        FORMAT_NAMES,
        GOT_NAMES,
        PATTERN_WORDS,
        TYPE_NAMES,
        date_example,
        full_width_hint,
        full_width_key_hint,
        shown,
        type_of,
        types_text,
    )

    parts = list(error.absolute_path)
    line, col = locate(node, parts)
    path = json_path(parts)
    value = error.instance
    v = error.validator

    def issue(zh: str, en: str, at: tuple[int, int] | None = None, where: str | None = None) -> PolicyIssue:
        ln, cl = at or (line, col)
        return PolicyIssue(name, ln, cl, where or path, en, zh=zh)

    if v == "additionalProperties" and isinstance(value, Mapping):
        import re

        allowed = set((error.schema or {}).get("properties", {}))
        patterns = list((error.schema or {}).get("patternProperties", {}))
        extra = [k for k in value if k not in allowed and not any(re.search(p, str(k)) for p in patterns)]
        out = []
        for key in extra:
            at = locate_key(node, parts, key)
            hint = next(iter(nearest(str(key), sorted(allowed), 1)), None)
            listed = ", ".join(sorted(allowed))
            colon = full_width_key_hint(str(key))
            if colon is not None:   # ``period： {months: 24}``: the colon after the key, not a new key
                out.append(issue(*colon, at, json_path(parts + [str(key).partition("：")[0].strip()])))
                continue
            if hint:
                zh, en = f"未知的键 {key!r}；您是否想写 {hint!r}？", f"unknown key {key!r}; did you mean {hint!r}?"
            else:
                zh, en = f"未知的键 {key!r}；这里可用的键：{listed}", f"unknown key {key!r}; allowed here: {listed}"
            fw = full_width_hint(str(key))
            if fw:
                zh, en = f"{zh}（{fw[0]}）", f"{en} ({fw[1]})"
            out.append(issue(zh, en, at, json_path(parts + [key])))
        if out:
            return out
    if "propertyNames" in error.schema_path and v == "enum" and not isinstance(value, Mapping):
        # a key of a map (periods: {batery: ...}) is wrong: point at the key itself
        key = str(value)
        at = locate_key(node, parts, key)
        return [_enum_issue(error, key, name, at, json_path(parts + [key]), key_word=True)]
    if v == "enum" or (v == "const" and type_of(value) == type_of(error.validator_value)):
        if v == "const":
            expected = shown(error.validator_value)
            parent = error.parent
            if (isinstance(value, str) and parent is not None and parent.validator in ("anyOf", "oneOf")
                    and not nearest(value, [str(error.validator_value)], 1)
                    and any(isinstance(alt, Mapping) and alt.get("type") == "array" for alt in parent.validator_value)):
                # ``brands: apple``: the list's brackets left out, not a wish for the one word allowed
                listed = f"[{value}]" if value.isidentifier() else "[...]"
                return [issue(f"值 {shown(value)} 不对；这里应写 {expected}，或写成列表 {listed}（列表要加方括号）",
                              f"{shown(value)} is not accepted here; write {expected}, or a list: {listed} "
                              f"(a list takes square brackets)")]
            return [issue(f"值 {shown(value)} 不对；这里应写 {expected}", f"{shown(value)} is not accepted here; write {expected}")]
        return [_enum_issue(error, value, name, (line, col), path)]
    if v in ("type", "anyOf", "oneOf", "const"):
        types = _expected_types(error) if v != "type" else (
            error.validator_value if isinstance(error.validator_value, list) else [error.validator_value])
        plain = [t for t in types if not t.startswith("const:")]
        consts = [t.split(":", 1)[1] for t in types if t.startswith("const:")]
        zh_t, en_t = types_text(plain)
        if consts:
            zh_t = "或".join([f"'{c}'" for c in consts] + ([zh_t] if zh_t else []))
            en_t = " or ".join([f"'{c}'" for c in consts] + ([en_t] if en_t else []))
        got = GOT_NAMES.get(type_of(value)) or TYPE_NAMES.get(type_of(value), ("?", "?"))
        if value is None:   # ``citation:`` and nothing after it: said so, not "got nothing (null) null"
            zh, en = f"这里应为{zh_t}，但冒号后什么也没写", f"expected {en_t} here, but nothing is written after the colon"
        else:
            zh = f"这里应为{zh_t}，写的是{got[0]} {shown(value)}"
            en = f"expected {en_t} here, got {got[1]} {shown(value)}"
        is_date = isinstance(error.schema, Mapping) and error.schema.get("format") == "date"
        if is_date:
            example = date_example(value)
            zh += f"；日期写成 YYYY-MM-DD，如 \"{example}\""
            en += f"; dates are YYYY-MM-DD, e.g. \"{example}\""
        if isinstance(value, str):
            fw = full_width_hint(value)
            if fw:
                zh, en = f"{zh}（{fw[0]}）", f"{en} ({fw[1]})"
            elif ": " in value and "object" in plain:
                zh += "（值里的 ': ' 被读成了文本的一部分；键和值要分行或写成 {键: 值}）"
                en += " (the ': ' inside it was read as part of a text; put the key and value on their own line)"
            elif _number_text(value, plain):   # "7" where 7 is meant
                zh += f"（数字不加引号：写成 {value.strip()}）"
                en += f" (a number takes no quotes: write {value.strip()})"
        elif type_of(value) in ("integer", "number") and "string" in plain and not is_date:
            zh += f"（文本要加引号：写成 \"{value}\"）"
            en += f" (a text takes quotes: write \"{value}\")"
        return [issue(zh, en)]
    if v == "required":
        missing = [k for k in error.validator_value if isinstance(value, Mapping) and k not in value]
        titles = [_title_of(error.schema, k) for k in missing]   # each key with its own label
        keys_zh = "、".join(k + (f"（{t[0]}）" if t[0] else "") for k, t in zip(missing, titles, strict=True))
        keys_en = ", ".join(k + (f" ({t[1]})" if t[1] else "") for k, t in zip(missing, titles, strict=True))
        return [issue(f"缺少必填的键 {keys_zh}",
                      f"missing required key{'s' if len(missing) > 1 else ''} {keys_en}")]
    if v == "pattern":
        title = _schema_title(error.schema)
        words = PATTERN_WORDS.get(str(error.validator_value))
        if words is not None:   # the pattern said in words
            zh, en = f"{shown(value)} 格式不对：{words[0]}", f"{shown(value)} is not in the expected form: {words[1]}"
        else:
            zh = f"{shown(value)} 格式不对" + (f"：{title[0]}" if title[0] else f"（应匹配 {error.validator_value}）")
            en = f"{shown(value)} is not in the expected form" + (f": {title[1]}" if title[1] else
                                                                   f" ({error.validator_value})")
        fw = full_width_hint(value) if isinstance(value, str) else None
        if fw:
            zh, en = f"{zh}；{fw[0]}", f"{en}; {fw[1]}"
        elif str(error.validator_value).startswith("^[a-z]") and isinstance(value, str) and value.lower() != value:
            zh += f"；请改为小写 {value.lower()!r}"
            en += f"; write it in lower case: {value.lower()!r}"
        return [issue(zh, en)]
    if v in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        word = {"minimum": ("不能小于", "at least"), "exclusiveMinimum": ("必须大于", "more than"),
                "maximum": ("不能大于", "at most"), "exclusiveMaximum": ("必须小于", "less than")}[v]
        return [issue(f"{shown(value)} 超出范围：{word[0]} {error.validator_value}",
                      f"{shown(value)} is out of range: must be {word[1]} {error.validator_value}")]
    if v in ("minItems", "minProperties", "minLength"):
        n = error.validator_value
        if v == "minLength" and error.path and error.path[-1] == "citation":   # as a blank one is said
            return [issue("出处不能为空：请写公开来源（法规名称与条款、品牌公布的条款）",
                          "a citation must not be empty: name a public source (the regulation and its article, "
                          "the brand's published terms)")]
        if v == "minLength":   # a text: characters, not items
            return [issue("不能为空" if n == 1 else f"太短：至少 {n} 个字符",
                          "must not be empty" if n == 1 else f"too short: at least {n} characters")]
        return [issue(f"不能为空（至少 {n} 项）", f"must not be empty (at least {n})")]
    from aftersales.core.rules import OPERATORS, range_problem

    if "dependentSchemas" in error.schema_path and isinstance(value, Mapping):   # two comparisons, not a range
        problem = range_problem(value)
        if problem is not None:
            return [issue(*problem)]
    if v == "maxProperties" and isinstance(value, Mapping) and value and set(value) <= OPERATORS:
        n = len(value)
        if error.validator_value == 1:   # a condition on a field that is no count or amount
            return [issue(f"这里只能写一种比较，写了 {n} 项（范围如 {{gte: 20, lt: 80}} 只用于次数和金额）",
                          f"one comparison only here, {n} given (a range such as {{gte: 20, lt: 80}} is for counts "
                          f"and amounts)")]
        return [issue(f"最多写一个下限（gt 或 gte）和一个上限（lt 或 lte），如 {{gte: 20, lt: 80}}；写了 {n} 项",
                      f"at most a lower bound (gt or gte) and an upper bound (lt or lte), as {{gte: 20, lt: 80}}; "
                      f"{n} given")]
    if v in ("maxProperties", "maxItems"):
        limit = error.validator_value
        return [issue(f"最多只能写 {limit} 项，写了 {len(value)} 项",
                      f"at most {limit} {'entry' if limit == 1 else 'entries'}, {len(value)} given")]
    if v == "format":
        kind = FORMAT_NAMES.get(str(error.validator_value), (str(error.validator_value),) * 2)
        return [issue(f"{shown(value)} 不是有效的{kind[0]}（日期写成 YYYY-MM-DD，如 \"2026-01-31\"）",
                      f"{shown(value)} is not a valid {kind[1]} (dates are YYYY-MM-DD, e.g. \"2026-01-31\")")]
    if v == "uniqueItems":
        return [issue("列表里有重复的项", "the list holds the same item twice")]
    message = error.message if len(error.message) <= 200 else error.message[:197] + "..."
    return [issue(f"不符合格式要求：{message}", message)]


def _number_text(value: str, expected: list[str]) -> bool:
    """Whether ``value``, a text, is a number written in quotes where a number was ``expected``."""
    text = value.strip()
    if "integer" in expected:
        return text.lstrip("-").isdigit()
    if "number" in expected:
        try:
            float(text)
        except ValueError:
            return False
        return text.lower() not in ("nan", "inf", "-inf", "infinity", "-infinity")
    return False


def _schema_title(schema: Any) -> tuple[str, str]:
    title = (schema or {}).get("title", "") if isinstance(schema, Mapping) else ""
    if " / " in title:
        zh, en = title.split(" / ", 1)
        return zh, en
    return "", ""


def _title_of(schema: Any, key: str) -> tuple[str, str]:
    prop = ((schema or {}).get("properties") or {}).get(key)
    return _schema_title(prop)


def _enum_issue(error: Any, value: Any, name: str, at: tuple[int, int], path: str, key_word: bool = False) -> PolicyIssue:
    """A value outside an id list: which value, the nearest valid ids with their labels, where the full list is."""
    from .messages import full_width_hint, shown, with_labels

    table, def_name = _vocab_of(error)
    allowed = list(error.validator_value)
    close = nearest(str(value), [str(a) for a in allowed])
    what = ("键", "key") if key_word else ("值", "value")
    zh = f"{what[0]} {shown(value)} 不是可用的 id"
    en = f"{what[1]} {shown(value)} is not an accepted id"
    if close:
        zh_list, en_list = with_labels(table, close)
        zh += f"；您是否想写 {'、'.join(repr(c) for c in close)}？（{zh_list}）"
        en += f"; did you mean {' or '.join(repr(c) for c in close)}? ({en_list})"
    fw = full_width_hint(str(value)) if isinstance(value, str) else None
    if fw:
        zh, en = f"{zh}；{fw[0]}", f"{en}; {fw[1]}"
    where = f"policy.schema.json#/$defs/{def_name}" if def_name else "policy.schema.json"
    if len(allowed) <= 12:
        zh_all, en_all = with_labels(table, [str(a) for a in allowed])
        zh += f"。全部可用值（见 {where}）：{zh_all}"
        en += f". All accepted values (in {where}): {en_all}"
    else:
        zh += f"。完整列表见 {where}（aftersales policy schema）"
        en += f". The full list is in {where} (aftersales policy schema)"
    return PolicyIssue(name, at[0], at[1], path, en, zh=zh)


# --------------------------------------------------------------------------- conditions as data
# Reasoning about the `when` matchers without a case: conditions that can never hold, rules that
# overlap, and (floor check) a brand's conditions against the statutory ones. Whether a value
# satisfies a matcher is answered by the expression the compiler in rules.py generates for the
# engine (``rules.compile_matcher``): conditions are compiled one way.



_OTHER = "\x00other"


def matches(matcher: Any, value: Any) -> bool:
    """Whether ``value`` satisfies ``matcher``, by the compiled condition's own expression."""
    return _matcher(_matcher_key(matcher))(value)


def _matcher_key(matcher: Any) -> str:
    import json

    return json.dumps(matcher, ensure_ascii=False)


@lru_cache(maxsize=4096)
def _matcher(key: str) -> Any:
    import json

    from aftersales.core.rules import compile_matcher

    try:
        return compile_matcher("value", json.loads(key))
    except PolicyError:   # a matcher the grammar does not know (the schema refuses it first)
        return lambda value: False


def _constants(matcher: Any) -> list[Any]:
    if isinstance(matcher, Mapping):
        return [c for v in matcher.values() for c in _constants(v)]
    if isinstance(matcher, list):
        return [c for v in matcher for c in _constants(v)]
    return [matcher]


def candidates(path: str, matchers: Iterable[Any]) -> list[Any]:
    """Values of the case field ``path`` worth trying against ``matchers``."""
    from aftersales.core.casefields import domain as field_domain
    from aftersales.core.casefields import field_of

    matchers = list(matchers)
    consts = [c for m in matchers for c in _constants(m)]
    domain = field_domain(path)
    if domain is not None:
        return domain
    spec = field_of(path)
    if spec is not None and spec.kind in ("count", "claims", "amount"):
        # the bounds the case table allows, and each constant with its neighbours inside them
        low = spec.minimum if spec.minimum is not None else 0
        high = spec.maximum
        numbers: set[float] = {low} if high is None else {low, high}
        step = 1 if spec.kind != "amount" else 0.01
        for c in consts:
            if isinstance(c, (int, float)) and not isinstance(c, bool):
                numbers.update(x for x in (c - step, c, c + step) if x >= low and (high is None or x <= high))
        absent = [None] if spec.kind != "claims" and spec.default is None else []  # an optional value
        return sorted(numbers) + absent
    if spec is not None and spec.kind == "ids":
        ids = [c for c in consts if isinstance(c, str)]
        return [frozenset(), frozenset(ids)] + [frozenset([c]) for c in ids]
    return [None, _OTHER] + [c for c in consts if isinstance(c, str)]


def _whole(path: str) -> bool:
    """Whether the case field ``path`` holds whole numbers (a count, a plan's claims)."""
    from aftersales.core.casefields import field_of

    spec = field_of(path)
    return spec is not None and spec.kind in ("count", "claims")


def satisfiable(*whens: Mapping[str, Any] | None, extra: Mapping[str, list[Any]] | None = None) -> str | None:
    """None when one case can meet every ``when`` at once; else the field path that cannot hold.

    ``extra`` adds matchers per path (e.g. the regions a policy applies to).
    """
    by_path: dict[str, list[Any]] = {}
    for when in whens:
        for path, matcher in (when or {}).items():
            by_path.setdefault(path, []).append(matcher)
    for path, more in (extra or {}).items():
        if path in by_path:
            by_path[path].extend(more)
    for path, ms in by_path.items():
        if not any(all(matches(m, value) for m in ms) for value in candidates(path, ms)):
            return path
    return None


#: how an editors' reference looks where a public source belongs: a section sign, a seed file,
#: the research or domain notes
_INTERNAL_SOURCE = re.compile(r"§|\bseeds?\b|RESEARCH|DOMAIN\.md", re.IGNORECASE)


def _citations(node: Any, parts: list[Any]) -> Iterator[tuple[list[Any], str]]:
    """Every ``citation`` of a policy, with the path to it."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key == "citation" and isinstance(value, str):
                yield parts + [key], value
            else:
                yield from _citations(value, parts + [key])
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _citations(value, parts + [index])


def semantic_issues(data: Mapping[str, Any], node: yaml.Node | None, name: str) -> list[PolicyIssue]:
    """What the schema cannot see: duplicate ids, unknown references, conditions that can never
    hold, offers that overlap (same remedy, basis and start, conditions that can hold at once),
    ranges given upside down (``lead_days``, windows), a policy none of whose offers can apply."""
    issues: list[PolicyIssue] = []

    def add(parts: list[Any], message: tuple[str, str], code: str, severity: str = "error", key: str | None = None) -> None:
        line, col = locate_key(node, parts, key) if key else locate(node, parts)
        issues.append(PolicyIssue(name, line, col, json_path(parts + ([key] if key else [])), message[1], severity, code,
                                  zh=message[0]))

    # the statutory policy gives at least what the regulation gives (附录, 第十一条, 第十二条, 第二十一条)
    from .floorcheck import statute_issues

    issues.extend(statute_issues(data, node, name))

    # a pattern runs on RE2 (linear time): one it cannot run is refused here, located
    from aftersales.core.casefields import allowed_text, field_of
    from aftersales.core.errors import PolicyError
    from aftersales.core.rules import compile_pattern, range_problem

    for index, rule in enumerate(data.get("region_rules", []) or []):
        if isinstance(rule, Mapping) and isinstance(rule.get("pattern"), str):
            try:
                compile_pattern(rule["pattern"], field=f"$.region_rules[{index}].pattern")
            except PolicyError as refused:
                add(["region_rules", index, "pattern"], (refused.message_zh, refused.message), "pattern")

    version = data.get("version")
    if isinstance(version, str) and any(q in version for q in "“”‘’"):
        # ``version: “2026.1”``: Chinese quotes are no YAML quotes, they became part of the version
        bare = version.strip("“”‘’ ")
        add(["version"], (f"版本号 {version} 用了中文引号“”，YAML 不把它们当引号，它们成了版本号的一部分；"
                          f"请改用半角引号：version: \"{bare}\"",
                          f"the version {version} is written in Chinese curly quotes “”, which YAML does not read as "
                          f"quotes: they became part of the version; use ASCII quotes: version: \"{bare}\""), "version")
    # a citation is what a clerk and a customer read as the source: a public one (the regulation
    # and its article, the brand's published terms); an editors' reference goes in ``ref``
    for parts, cited in _citations(data, []):
        if not cited.strip():
            add(parts, ("出处不能为空：请写公开来源（法规名称与条款、品牌公布的条款）",
                        "a citation must not be blank: name a public source (the regulation and its article, "
                        "the brand's published terms)"), "citation")
        elif _INTERNAL_SOURCE.search(cited):
            add(parts, (f"出处 {cited!r} 引用了内部资料（§ 章节、seed 文件、研究或领域笔记）：柜台和顾客会读到它；"
                        "请写公开来源，内部出处放在 ref",
                        f"the citation {cited!r} names an internal reference (a § section, a seed file, the research "
                        "or domain notes): clerks and customers read it; cite a public source and keep the internal "
                        "one in `ref`"), "citation")
    starts = data.get("starts", {}) or {}
    periods = data.get("periods", {}) or {}
    exclusion_ids = {e.get("id") for e in data.get("exclusions", []) or []}
    seen: dict[str, list[Any]] = {}   # rule id -> where it is first given
    used_starts: set[str] = set()
    applies = data.get("applies_to", {}) or {}
    extra: dict[str, list[Any]] = {}
    if "regions" in applies:
        extra["region"] = [list(applies["regions"])]
    if isinstance(applies.get("brands"), list):
        extra["brand"] = [list(applies["brands"])]
    never: list[str] = []
    for section in ("offers", "exclusions", "notices", "region_rules"):
        for index, item in enumerate(data.get(section, []) or []):
            rid = item.get("id")
            if rid is None:
                continue
            key = f"{section}:{rid}" if section == "region_rules" else rid
            if key in seen:   # the first one named by its line, as a duplicated key is
                first = locate(node, seen[key])[0]
                add([section, index, "id"], (f"规则 id {rid!r} 重复（第一次在第 {first} 行）；请改用另一个 id",
                                             f"duplicate rule id {rid!r} (first on line {first}); give this one another id"),
                    "duplicate_id")
            else:
                seen[key] = [section, index, "id"]
            when = item.get("when")
            plan = when.get("coverage_plans") if isinstance(when, Mapping) else None
            if isinstance(plan, Mapping) and isinstance(plan.get("includes"), str):
                unknown_plan = _unknown_plan(plan["includes"])
                if unknown_plan is not None:
                    add([section, index, "when", "coverage_plans", "includes"], unknown_plan, "unknown_plan",
                        severity="warning")
            misread = [(path, problem) for path, matcher in (when.items() if isinstance(when, Mapping) else ())
                       if (problem := range_problem(matcher, _whole(path))) is not None]
            for path, problem in misread:
                add([section, index, "when", path], problem, "range")
            if when is not None and section != "region_rules" and not misread:
                bad = satisfiable(when, extra=extra)
                if bad is not None:
                    reason = ("", "")
                    spec = field_of(bad)
                    if spec is not None and spec.kind in ("count", "claims", "amount") and spec.maximum is not None:
                        allowed_en, allowed_zh = allowed_text(spec)
                        reason = (f"（该字段只能是 {allowed_zh}）", f" (the field can only be {allowed_en})")
                    if bad in extra:
                        reason = (f"（在本政策的适用范围内，applies_to: {extra[bad][0]}）",
                                  f" within what the policy applies to (applies_to: {extra[bad][0]})")
                    if section == "offers":
                        never.append(str(rid))
                    add([section, index, "when"], (f"规则 {rid!r} 永远不会适用：{bad!r} 上的条件不可能成立{reason[0]}",
                                                   f"rule {rid!r} can never apply: the condition on {bad!r} cannot hold{reason[1]}"),
                        "contradiction", key=bad)
            if section != "offers":
                continue
            start = item.get("start")
            if start is not None:
                used_starts.add(start)
                if start not in starts:
                    known = ", ".join(sorted(starts)) or "none"
                    close = nearest(str(start), sorted(starts))
                    defined = (f"starts 下定义的有：{known}", f"under starts: {known}")
                    add([section, index, "start"], (
                        f"未知的起算规则 {start!r}；" + (f"您是否想写 {close[0]!r}？" if close else "") + defined[0],
                        f"unknown start rule {start!r}; " + (f"did you mean {close[0]!r}? Defined " if close else "defined ")
                        + defined[1]), "unknown_ref")
            if (item.get("window") or item.get("period")) and start is None:
                add([section, index], ("有时限（window）或期限（period）的规则需要写 `start`（起算规则）",
                                       "an offer with a window or period needs a `start`"), "unknown_ref")
            if item.get("period") == "warranty":
                if not periods:
                    add([section, index, "period"], ("`period: warranty` 需要 `periods`（各部件保修期）表",
                                                     "`period: warranty` needs a `periods` table"), "unknown_ref")
                else:
                    comp = (when or {}).get("fault.component")
                    comps = [c for c in candidates("fault.component", []) if comp is None or matches(comp, c)]
                    if comps and not any(c in periods for c in comps):
                        never.append(str(rid))
                        add([section, index, "period"], (f"规则 {rid!r} 永远不会适用：`periods` 里没有 {', '.join(comps)} 的期限",
                                                         f"rule {rid!r} can never apply: `periods` has no period for "
                                                         f"{', '.join(comps)}"), "contradiction")
            window = item.get("window") or {}
            if window.get("from_day", 0) > window.get("days", 0):
                never.append(str(rid))
                add([section, index, "window"], (f"时限从第 {window['from_day']} 日到第 {window['days']} 日，是空的（起止写反了？）",
                                                 f"window from day {window['from_day']} to day {window['days']} is empty "
                                                 "(the ends given the wrong way round?)"), "range")
            for c_index, cid in enumerate(item.get("covers", []) or []):
                if cid not in exclusion_ids and cid not in _known_exclusions():
                    mine = ', '.join(sorted(str(e) for e in exclusion_ids)) or 'none'
                    close = nearest(str(cid), sorted({str(e) for e in exclusion_ids} | _known_exclusions()))
                    add([section, index, "covers", c_index], (
                        f"covers 了未知的排除项 {cid!r}；" + (f"您是否想写 {close[0]!r}？" if close else "") + f"本政策的排除项：{mine}",
                        f"covers unknown exclusion {cid!r}; " + (f"did you mean {close[0]!r}? This" if close else "this")
                        + f" policy's exclusions: {mine}"), "unknown_ref")
            if item.get("basis") != "out_of_warranty":
                for exc in data.get("exclusions", []) or []:
                    ew = exc.get("when")
                    if not ew or exc.get("id") in (item.get("covers") or ()):
                        continue
                    # the exclusion holds for every case the offer admits: the offer is never granted
                    if all(path in (when or {}) and all(matches(m, v) for v in candidates(path, [when[path], m])
                                                       if matches(when[path], v))
                           for path, m in ew.items()):
                        never.append(str(rid))
                        add([section, index, "when"], (
                            f"规则 {rid!r} 永远不会给出：排除项 {exc.get('id')!r} 拒绝它接受的每一个案例"
                            "（如果本规则本来就要覆盖这种情况，请把它写进 `covers`）",
                            f"offer {rid!r} can never be granted: exclusion {exc.get('id')!r} "
                            f"refuses every case it admits (list it under `covers` if the offer is meant to cover it)"),
                            "contradiction")
    for s_name in starts:
        if s_name not in used_starts:
            add(["starts", s_name], (f"起算规则 {s_name!r} 没有被任何规则使用", f"start rule {s_name!r} is not used by any offer"),
                "unused", severity="warning")
    lead = (data.get("exchange") or {}).get("lead_days") or {}
    if isinstance(lead.get("min"), int) and isinstance(lead.get("max"), int) and lead["min"] > lead["max"]:
        add(["exchange", "lead_days"], (f"等待天数 min {lead['min']} 大于 max {lead['max']}（柜台会显示“约 {lead['min']}–"
                                        f"{lead['max']} 天”）；请对调两个数",
                                        f"lead_days min {lead['min']} is more than max {lead['max']} (the counter would show "
                                        f"\"about {lead['min']}–{lead['max']} days\"); swap them"), "range", key="min")
    workflow = data.get("workflow") or {}
    for key, (zh_name, en_name) in (("simple_repair_working_days", ("简单维修工作日", "simple repair working days")),
                                    ("complex_repair_working_days", ("复杂维修工作日", "complex repair working days"))):
        pair = workflow.get(key)
        if isinstance(pair, list) and len(pair) == 2 and all(isinstance(n, int) for n in pair) and pair[0] > pair[1]:
            low, high = pair
            add(["workflow", key], (f"{zh_name} [{low}, {high}] 的最少 {low} 大于最多 {high}（柜台会显示预计修复"
                                    f"“{low}~{high} 个工作日”）；请对调两个数",
                                    f"{en_name} [{low}, {high}]: the least, {low}, is more than the most, {high} (the counter "
                                    f"would estimate \"{low}~{high} working days\"); swap them"), "range")

    offers = data.get("offers", []) or []
    if offers and set(never) >= {str(o.get("id")) for o in offers}:
        add(["offers"], ("这份政策永远不会适用：它的每一条规则都不可能成立（见上面各条）",
                         "this policy can never apply: none of its offers can ever hold (see above)"), "never_applies")
    for i, a in enumerate(offers):
        for j in range(i + 1, len(offers)):
            b = offers[j]
            if (a.get("remedy"), a.get("basis"), a.get("start")) != (b.get("remedy"), b.get("basis"), b.get("start")):
                continue
            if set(a.get("when") or {}) != set(b.get("when") or {}):
                continue  # rules about different things (another plan, another fault) may both apply
            if satisfiable(a.get("when"), b.get("when"), extra=extra) is None:
                add(["offers", j, "id"], (
                    f"规则 {a.get('id')!r} 与 {b.get('id')!r} 重叠：都从起算规则 {a.get('start')!r} 给出 "
                    f"{a.get('remedy')}/{a.get('basis')}，且同一个案例可以同时满足两者的条件；请让条件互斥或合并两条规则",
                    f"offers {a.get('id')!r} and {b.get('id')!r} overlap: both give "
                    f"{a.get('remedy')}/{a.get('basis')} from start {a.get('start')!r} and one case can meet both "
                    "conditions; make the conditions exclusive or merge the rules"), "overlap")
    for section in ("exclusions", "notices"):
        items = data.get(section, []) or []
        for i, a in enumerate(items):
            for j in range(i + 1, len(items)):
                if a.get("when") and a.get("when") == items[j].get("when"):
                    add([section, j, "when"], (f"{items[j].get('id')!r} 的条件与 {a.get('id')!r} 完全相同",
                                               f"{section[:-1]} {items[j].get('id')!r} has the same conditions as "
                                               f"{a.get('id')!r}"), "overlap", severity="warning")
    # papers that prove the same thing: one row per document, never the document itself
    rows: dict[str, int] = {}
    for index, row in enumerate(data.get("equivalent_documents", []) or []):
        doc = row.get("document")
        if doc in rows:
            add(["equivalent_documents", index, "document"],
                (f"{doc!r} 列了两次（第一次在 equivalent_documents[{rows[doc]}]）：它的等效单证请写在同一行",
                 f"{doc!r} is listed twice (first at equivalent_documents[{rows[doc]}]): give all its equivalents in "
                 "one row"), "duplicate_id")
        rows.setdefault(doc, index)
        if doc in (row.get("given_by") or ()):
            add(["equivalent_documents", index, "given_by"],
                (f"{doc!r} 不能由它自己等效", f"{doc!r} cannot be given by itself"), "contradiction")
    # a refund instead of an exchange needs an exchange it can follow
    refund = data.get("refund_instead")
    if refund:
        refunded = sorted(refund.get("components") or ())
        skipped = set(refund.get("except_bases") or ())
        if not any(o.get("remedy") == "exchange" and o.get("basis") not in skipped
                   and any(matches((o.get("when") or {}).get("fault.component", refunded), c) for c in refunded)
                   for o in offers):
            add(["refund_instead"], ("refund_instead 没有可跟随的换货规则（其部件、except_bases 之外）：退款只能代替应给的换货",
                                     "refund_instead follows no exchange offer of this policy (for its components, "
                                     "outside except_bases): a refund is offered only instead of an exchange that is due"),
                "unused", severity="warning")
    eff = data.get("effective") or {}
    if eff.get("from") and eff.get("until") and str(eff["until"]) < str(eff["from"]):
        add(["effective", "until"], (f"失效日 {eff['until']} 早于生效日 {eff['from']}：这个版本永远不会生效",
                                     f"ends ({eff['until']}) before it begins ({eff['from']}): this version is never in force"),
            "dates")
    from aftersales.authoring.vocabcheck import vocabulary_issues  # ids the policy declares and uses

    vocabulary_issues(data, add)
    return issues


def _unknown_plan(plan: str) -> tuple[str, str] | None:
    """The message for a coverage plan id that is not one the project knows but is close to one
    (a typo: the offer would wait for a plan no case ever names, as the policy's own id declares
    it). A plan far from every known one is a brand's new plan, and fine."""
    from aftersales.core.vocab import COVERAGE_PLANS

    if plan in COVERAGE_PLANS:
        return None
    close = nearest(plan, COVERAGE_PLANS)
    if not close:
        return None
    known_zh = "、".join(f"{p}（{COVERAGE_PLANS[p][0]}）" for p in COVERAGE_PLANS)
    return (f"服务计划 {plan!r} 不是已知的计划；您是否想写 {close[0]!r}？已知的计划：{known_zh}"
            "（如果这是一个新的服务计划，请在 acknowledgements 中确认本警告）",
            f"coverage plan {plan!r} is not a known plan; did you mean {close[0]!r}? Known plans: "
            f"{', '.join(COVERAGE_PLANS)} (if this is a new plan, acknowledge this warning)")


def brand_issues(data: Mapping[str, Any], node: Any, name: str, known: Iterable[str],
                 in_package: bool = False) -> list[PolicyIssue]:
    """``applies_to.brands`` naming a brand no loaded plugin serves: close to one that is, an
    error (a typo: the policy would silently never apply to the brand meant); far from every
    one, a warning (no case of that brand is decided until a plugin serving it is installed),
    but not for a policy inside a plugin package (``in_package``: its folder is one, as the
    scaffold writes it), whose own plugin serves its new brand once installed."""

    brands = (data.get("applies_to") or {}).get("brands")
    known = sorted(set(known))
    if not isinstance(brands, list) or not known:
        return []
    issues = []
    unknown = [b for b in brands if b not in known]
    for index, brand in enumerate(brands):
        if brand in known:
            continue
        close = nearest(str(brand), known)
        never = len(unknown) == len(brands)
        line, col = locate(node, ["applies_to", "brands", index])
        if not close:
            if in_package:
                continue
            tail = ("；这份政策因此不会用于任何案例" if never else "", "; as it stands this policy applies to no case" if never else "")
            issues.append(PolicyIssue(
                name, line, col, f"$.applies_to.brands[{index}]",
                f"no loaded plugin serves brand {brand!r}: its cases are not decided until a plugin serving it is "
                f"installed (brands served: {', '.join(known)}){tail[1]}", severity="warning", code="unknown_brand",
                zh=f"没有已加载的插件服务品牌 {brand!r}：安装服务它的插件之前，这个品牌的案例不会按本政策判定"
                   f"（已安装的品牌：{', '.join(known)}）{tail[0]}"))
            continue
        tail = ("；这份政策因此永远不会适用" if never else "", "; as written this policy can never apply" if never else "")
        issues.append(PolicyIssue(
            name, line, col, f"$.applies_to.brands[{index}]",
            f"unknown brand {brand!r}; did you mean {close[0]!r}? Brands served: {', '.join(known)}{tail[1]}",
            code="unknown_brand", zh=f"未知的品牌 {brand!r}；您是否想写 {close[0]!r}？已安装的品牌：{', '.join(known)}{tail[0]}"))
    return issues


@lru_cache(maxsize=1)
def _known_exclusions() -> frozenset[str]:
    from aftersales.core.vocab import CONDITIONS

    return frozenset(CONDITIONS) | {"expired"}


def version_issues(entries: Iterable[tuple[Mapping[str, Any], Any, str]]) -> list[PolicyIssue]:
    """Across files: versions of one policy id must not repeat, overlap or leave gaps.

    ``entries`` are (data, node, file name) of valid policies. Versions are ordered by
    ``effective.from``; each but the last needs ``until``, and the next one starts the day after.
    """
    from datetime import date, timedelta

    issues: list[PolicyIssue] = []
    by_id: dict[str, list[tuple[date, date | None, Mapping[str, Any], Any, str]]] = {}
    for data, node, name in entries:
        eff = data.get("effective") or {}
        try:
            start = date.fromisoformat(str(eff["from"]))
            until = date.fromisoformat(str(eff["until"])) if eff.get("until") else None
        except (KeyError, ValueError):
            continue
        by_id.setdefault(str(data.get("id")), []).append((start, until, data, node, name))
    for pid, versions in by_id.items():
        versions.sort(key=lambda v: v[0])
        seen_versions: dict[str, str] = {}
        for _start, _until, data, node, name in versions:
            ver = str(data.get("version"))
            if ver in seen_versions:
                line, col = locate(node, ["version"])
                issues.append(PolicyIssue(name, line, col, "$.version",
                                          f"version {ver!r} of policy {pid!r} is also in {seen_versions[ver]}", code="versions",
                                          zh=f"政策 {pid!r} 的版本 {ver!r} 在 {seen_versions[ver]} 里也有"))
            seen_versions.setdefault(ver, name)
        for (_s1, u1, d1, n1, f1), (s2, _u2, d2, n2, f2) in pairwise(versions):
            v1, v2 = d1.get("version"), d2.get("version")
            if u1 is None:
                line, col = locate(n1, ["effective"])
                issues.append(PolicyIssue(f1, line, col, "$.effective.until",
                                          f"version {v1!r} of {pid!r} has no `until` but version {v2!r} ({f2}) starts "
                                          f"{s2.isoformat()}; end it on {(s2 - timedelta(days=1)).isoformat()}", code="versions",
                                          zh=f"{pid!r} 的版本 {v1!r} 没有 `until`，但版本 {v2!r}（{f2}）从 {s2.isoformat()} 起生效；"
                                             f"请写 until: \"{(s2 - timedelta(days=1)).isoformat()}\""))
            elif u1 >= s2:
                line, col = locate(n2, ["effective", "from"])
                issues.append(PolicyIssue(f2, line, col, "$.effective.from",
                                          f"version {v2!r} of {pid!r} starts {s2.isoformat()}, while version {v1!r} ({f1}) "
                                          f"is in force until {u1.isoformat()}: versions overlap", code="versions",
                                          zh=f"{pid!r} 的版本 {v2!r} 从 {s2.isoformat()} 起生效，而版本 {v1!r}（{f1}）"
                                             f"到 {u1.isoformat()} 才失效：两个版本重叠"))
            elif (s2 - u1).days > 1:
                line, col = locate(n2, ["effective", "from"])
                issues.append(PolicyIssue(f2, line, col, "$.effective.from",
                                          f"gap in effective dates of {pid!r}: version {v1!r} ({f1}) ends {u1.isoformat()}, "
                                          f"version {v2!r} starts {s2.isoformat()}; no version is in force from "
                                          f"{(u1 + timedelta(days=1)).isoformat()} to {(s2 - timedelta(days=1)).isoformat()}",
                                          code="versions",
                                          zh=f"{pid!r} 的生效期有空档：版本 {v1!r}（{f1}）{u1.isoformat()} 失效，版本 {v2!r} "
                                             f"{s2.isoformat()} 才生效；{(u1 + timedelta(days=1)).isoformat()} 至 "
                                             f"{(s2 - timedelta(days=1)).isoformat()} 没有任何版本生效"))
            by1 = (d1.get("effective") or {}).get("by", "purchase_date")
            by2 = (d2.get("effective") or {}).get("by", "purchase_date")
            if by1 != by2:
                line, col = locate(n2, ["effective"])
                issues.append(PolicyIssue(f2, line, col, "$.effective.by",
                                          f"version {v2!r} of {pid!r} picks versions by {by2} but {v1!r} by {by1}; "
                                          "a case could fall between them", severity="warning", code="versions",
                                          zh=f"{pid!r} 的版本 {v2!r} 按 {by2} 选版本，而 {v1!r} 按 {by1}；有的案例可能两个版本都落不上"))
    return issues


@dataclass(frozen=True, slots=True)
class PolicySource:
    """A policy file's text and the name errors are reported under."""

    name: str
    text: str

    @property
    def sha256(self) -> str:
        return policycache.sha256_hex(self.text.encode("utf-8"))


def read_source(location: Any) -> PolicySource:
    """Read a policy from a path or an ``importlib.resources`` traversable."""
    if isinstance(location, PolicySource):
        return location
    name = display_name(location)
    try:
        raw = location.read_bytes()
    except OSError as exc:
        from aftersales.core.errors import os_reason

        issue = PolicyIssue(name, 1, 1, "$", f"cannot read: {exc.strerror or exc}", code="io",
                            zh=f"无法读取：{getattr(exc, 'message_zh', None) or os_reason(exc)}")
        raise PolicyError(str(issue), issues=[issue], zh=issue.text("zh")) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        from aftersales.core.errors import not_utf8

        line, column, en, zh = not_utf8(raw, exc)
        issue = PolicyIssue(name, line, column, "$", en, code="yaml", zh=zh)
        raise PolicyError(str(issue), issues=[issue], zh=issue.text("zh")) from None
    return PolicySource(name, text)


def check_policy_full(source: PolicySource) -> tuple[dict[str, Any] | None, Any, list[PolicyIssue]]:
    """Parse and validate: (data or None when unusable, YAML node tree, every issue found).

    A policy found valid with no issue before comes from the validated-policy cache: its node
    tree is then a :class:`LazyNode` (composed only if a location is asked for)."""
    sha256 = source.sha256
    cached = policycache.get(sha256)
    if cached is not None:
        return cached, LazyNode(source.text), []
    try:
        data, node = read_yaml(source.text, source.name)
    except PolicyError as exc:
        return None, None, list(exc.issues)
    if not isinstance(data, Mapping):
        kind = "an empty document" if data is None else f"a {_kind(data)}"
        line, col = locate(node, [])
        kind_zh = {"an empty document": "空文档", "a list": "列表"}.get(kind, "单个值")
        return None, node, [PolicyIssue(source.name, line, col, "$",
                                        f"a policy must be a mapping of keys (id, version, offers...), not {kind}", code="schema",
                                        zh=f"政策文件必须是键值映射（id、version、offers……），而不是{kind_zh}")]
    issues = duplicate_key_issues(node, source.name)
    issues += schema_issues(data, node, source.name)
    if not any(i.severity == "error" for i in issues):
        issues += semantic_issues(data, node, source.name)
    usable = not any(i.severity == "error" for i in issues)
    if not issues:
        policycache.put(sha256, data)   # remember a policy with no issue at all
    return (dict(data) if usable else None), node, issues


def compile_checked(data: Mapping[str, Any], source: PolicySource, issues: list[PolicyIssue], plugin: str = "") -> Any:
    """``CompiledPolicy`` of a policy ``check_policy_full`` found usable (``PolicyError`` if it
    cannot be compiled). For a policy with no issue at all, the generated functions' code
    objects come from (and go to) the policy cache."""
    from aftersales.core.rules import CompiledPolicy

    sha256 = source.sha256
    if issues:
        return CompiledPolicy(data, sha256=sha256, source=source.name, plugin=plugin)
    with policycache.compiling(sha256):
        return CompiledPolicy(data, sha256=sha256, source=source.name, plugin=plugin)


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, str):
        return "text scalar"
    if isinstance(value, bool):
        return "boolean scalar"
    if isinstance(value, (int, float)):
        return "number scalar"
    return type(value).__name__


def check_policy(source: PolicySource) -> tuple[dict[str, Any] | None, list[PolicyIssue]]:
    """Parse and validate; returns the data (None when unusable) and every issue found."""
    data, _, issues = check_policy_full(source)
    return data, issues


def compile_policy(location: Any, plugin: str = "") -> Any:
    """Read, validate and compile one policy; ``PolicyError`` (with every issue) when it fails."""
    source = read_source(location)
    data, issues = check_policy(source)
    errors = [i for i in issues if i.severity == "error"]
    if errors or data is None:
        first = errors[0] if errors else issues[0]
        more, more_zh = (f" (and {len(errors) - 1} more)", f"（另有 {len(errors) - 1} 处）") if len(errors) > 1 else ("", "")
        raise PolicyError(f"{first}{more}", issues=issues, zh=f"{first.text('zh')}{more_zh}")
    try:
        return compile_checked(data, source, issues, plugin)
    except PolicyError as exc:
        issue = PolicyIssue(source.name, 1, 1, exc.field or "$", exc.message, code="compile", zh=exc.message_zh)
        raise PolicyError(str(issue), issues=[issue], zh=issue.text("zh")) from None
