"""Read, check and compile policy files, with every problem located at ``file:line:column``.

YAML is read with a safe loader only (the C one when available), dates stay text (the schema
checks them), and a document that nests too deep or expands aliases too far is refused before
anything else looks at it. The JSON Schema (draft 2020-12) ships as ``policy.schema.json`` in
``aftersales.policies``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml

from .errors import PolicyError

MAX_DEPTH = 64
MAX_NODES = 200_000
SCHEMA_RESOURCE = ("aftersales.policies", "policy.schema.json")


@dataclass(frozen=True, slots=True)
class PolicyIssue:
    """One problem found in a policy file."""

    file: str
    line: int
    column: int
    path: str
    message: str
    severity: str = "error"  # error | warning
    code: str = "schema"

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.path}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "column": self.column, "path": self.path,
                "message": self.message, "severity": self.severity, "code": self.code}


def _make_loader() -> type:
    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class PolicyLoader(base):  # type: ignore[misc, valid-type]
        """Safe loader that keeps dates as text (the schema checks them)."""

    PolicyLoader.yaml_implicit_resolvers = {
        key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for key, resolvers in base.yaml_implicit_resolvers.items()
    }
    return PolicyLoader


PolicyLoader = _make_loader()


def json_path(parts: Iterable[Any]) -> str:
    out = "$"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _check_size(node: yaml.Node, name: str) -> None:
    """Refuse deep nesting and alias expansion (a YAML bomb) before constructing anything."""
    count = 0
    stack: list[tuple[yaml.Node, int]] = [(node, 1)]
    while stack:
        current, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            mark = current.start_mark
            raise PolicyError("document too large (aliases expand past the limit of "
                              f"{MAX_NODES} nodes)", issues=[PolicyIssue(name, mark.line + 1, mark.column + 1, "$",
                                                                         "document too large: aliases expand too far", code="yaml")])
        if depth > MAX_DEPTH:
            mark = current.start_mark
            raise PolicyError(f"nesting deeper than {MAX_DEPTH} levels", issues=[
                PolicyIssue(name, mark.line + 1, mark.column + 1, "$", f"nesting deeper than {MAX_DEPTH} levels", code="yaml")])
        if isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                stack.append((key, depth + 1))
                stack.append((value, depth + 1))
        elif isinstance(current, yaml.SequenceNode):
            for item in current.value:
                stack.append((item, depth + 1))


def read_yaml(text: str, name: str) -> tuple[Any, yaml.Node | None]:
    """Parse YAML text safely: (data, node tree). Errors are ``PolicyError`` with a location."""
    loader = PolicyLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        _check_size(node, name)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        if "\t" in (text.splitlines()[line - 1] if 0 < line <= len(text.splitlines()) else ""):
            problem += " (tabs cannot indent YAML; use spaces)"
        issue = PolicyIssue(name, line, col, "$", problem, code="yaml")
        raise PolicyError(str(issue), issues=[issue]) from None
    except yaml.YAMLError as exc:
        issue = PolicyIssue(name, 1, 1, "$", str(exc).splitlines()[0], code="yaml")
        raise PolicyError(str(issue), issues=[issue]) from None
    finally:
        loader.dispose()
    return data, node


def locate(node: yaml.Node | None, parts: Iterable[Any]) -> tuple[int, int]:
    """Line and column (1-based) of the node at ``parts`` (as deep as the path exists)."""
    if node is None:
        return 1, 1
    current = node
    for part in parts:
        nxt = None
        if isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                if key.value == part:
                    nxt = value if not isinstance(value, yaml.ScalarNode) or True else value
                    break
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
    text = resources.files(SCHEMA_RESOURCE[0]).joinpath(SCHEMA_RESOURCE[1]).read_text(encoding="utf-8")
    return json.loads(text)


@lru_cache(maxsize=1)
def _validator() -> Any:
    import jsonschema

    schema = policy_schema()
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def schema_issues(data: Any, node: yaml.Node | None, name: str) -> list[PolicyIssue]:
    """Every schema error, best match first, each located in the file."""
    from jsonschema.exceptions import best_match, relevance

    validator = _validator()
    errors = sorted(validator.iter_errors(data), key=relevance)
    issues: list[PolicyIssue] = []
    for error in errors:
        if error.context and error.validator in ("anyOf", "oneOf"):
            deeper = best_match(error.context)
            if deeper is not None and len(deeper.absolute_path) >= len(error.absolute_path):
                error = deeper
        parts = list(error.absolute_path)
        line, col = locate(node, parts)
        message = error.message
        if len(message) > 200:
            message = message[:197] + "..."
        issues.append(PolicyIssue(name, line, col, json_path(parts), message))
    return issues


def semantic_issues(data: Mapping[str, Any], node: yaml.Node | None, name: str) -> list[PolicyIssue]:
    """What the schema cannot see: duplicate ids, references to unknown start rules."""
    issues: list[PolicyIssue] = []
    starts = data.get("starts", {}) or {}
    seen: dict[str, str] = {}
    for section in ("offers", "exclusions", "notices", "region_rules"):
        for index, item in enumerate(data.get(section, []) or []):
            rid = item.get("id")
            if rid is None:
                continue
            where = f"{section}[{index}]"
            key = f"{section}:{rid}" if section == "region_rules" else rid
            if key in seen:
                line, col = locate(node, [section, index, "id"])
                issues.append(PolicyIssue(name, line, col, json_path([section, index, "id"]),
                                          f"duplicate rule id {rid!r} (first at {seen[key]})", code="duplicate_id"))
            else:
                seen[key] = where
            if section == "offers":
                start = item.get("start")
                if start is not None and start not in starts:
                    line, col = locate(node, [section, index, "start"])
                    known = ", ".join(sorted(starts)) or "none"
                    issues.append(PolicyIssue(name, line, col, json_path([section, index, "start"]),
                                              f"unknown start rule {start!r}; defined under starts: {known}", code="unknown_ref"))
                if (item.get("window") or item.get("period")) and start is None:
                    line, col = locate(node, [section, index])
                    issues.append(PolicyIssue(name, line, col, json_path([section, index]),
                                              "an offer with a window or period needs a `start`", code="unknown_ref"))
                if item.get("period") == "warranty" and not data.get("periods"):
                    line, col = locate(node, [section, index, "period"])
                    issues.append(PolicyIssue(name, line, col, json_path([section, index, "period"]),
                                              "`period: warranty` needs a `periods` table", code="unknown_ref"))
    eff = data.get("effective") or {}
    if eff.get("from") and eff.get("until") and str(eff["until"]) < str(eff["from"]):
        line, col = locate(node, ["effective", "until"])
        issues.append(PolicyIssue(name, line, col, "$.effective.until", "ends before it begins", code="dates"))
    return issues


@dataclass(frozen=True, slots=True)
class PolicySource:
    """A policy file's text and the name errors are reported under."""

    name: str
    text: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def read_source(location: Any) -> PolicySource:
    """Read a policy from a path or an ``importlib.resources`` traversable."""
    if isinstance(location, PolicySource):
        return location
    name = _display_name(location)
    try:
        raw = location.read_bytes()
    except OSError as exc:
        issue = PolicyIssue(name, 1, 1, "$", f"cannot read: {exc.strerror or exc}", code="io")
        raise PolicyError(str(issue), issues=[issue]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        issue = PolicyIssue(name, line, 1, "$", "not UTF-8 text", code="yaml")
        raise PolicyError(str(issue), issues=[issue]) from None
    return PolicySource(name, text)


def _display_name(location: Any) -> str:
    if isinstance(location, Path):
        try:
            return str(location.relative_to(Path.cwd()))
        except ValueError:
            return str(location)
    name = getattr(location, "name", None)
    if name and not isinstance(location, (str, bytes)):
        # a resource inside the installed package: show it as the repository path
        return f"policies/{name}"
    return str(location)


def check_policy(source: PolicySource) -> tuple[dict[str, Any] | None, list[PolicyIssue]]:
    """Parse and validate; returns the data (None when unusable) and every issue found."""
    try:
        data, node = read_yaml(source.text, source.name)
    except PolicyError as exc:
        return None, list(exc.issues)
    if not isinstance(data, Mapping):
        kind = "empty" if data is None else type(data).__name__
        return None, [PolicyIssue(source.name, 1, 1, "$", f"a policy must be a mapping, not {kind}", code="schema")]
    issues = schema_issues(data, node, source.name)
    if not issues:
        issues = semantic_issues(data, node, source.name)
    return (data if not issues else None), issues


def compile_policy(location: Any, plugin: str = "") -> Any:
    """Read, validate and compile one policy; ``PolicyError`` (with every issue) when it fails."""
    from .rules import CompiledPolicy

    source = read_source(location)
    data, issues = check_policy(source)
    errors = [i for i in issues if i.severity == "error"]
    if errors or data is None:
        first = errors[0] if errors else issues[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise PolicyError(f"{first}{more}", issues=issues)
    try:
        return CompiledPolicy(data, sha256=source.sha256, source=source.name, plugin=plugin)
    except PolicyError as exc:
        issue = PolicyIssue(source.name, 1, 1, exc.field or "$", exc.message, code="compile")
        raise PolicyError(str(issue), issues=[issue]) from None
