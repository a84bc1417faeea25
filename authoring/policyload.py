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

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from aftersales.core import policycache
from aftersales.core.errors import PolicyError
from aftersales.core.policycache import LazyNode, display_name

# LazyNode and display_name live in policycache (the registry's cache-first path uses them
# without importing this module); they are part of this module's API all the same.

if TYPE_CHECKING:
    import yaml




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
    #: extra facts for tools, as (key, value) pairs: the floor check names both rules and citations here
    detail: tuple[tuple[str, Any], ...] = ()

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.path}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        out = {"file": self.file, "line": self.line, "column": self.column, "path": self.path,
               "message": self.message, "severity": self.severity, "code": self.code}
        if self.detail:
            out["detail"] = dict(self.detail)
        return out


@lru_cache(maxsize=1)
def policy_loader() -> type:
    """The YAML loader class for policies (built on first use: importing yaml takes a while)."""
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class PolicyLoader(base):  # type: ignore[misc, valid-type]
        """Safe loader that keeps dates as text (the schema checks them)."""

    PolicyLoader.yaml_implicit_resolvers = {
        key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for key, resolvers in base.yaml_implicit_resolvers.items()
    }
    return PolicyLoader


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
        mark, message, _zh = problem
        raise PolicyError(message, issues=[PolicyIssue(name, mark.line + 1, mark.column + 1, "$", message, code="yaml")])


def read_yaml(text: str, name: str) -> tuple[Any, yaml.Node | None]:
    """Parse YAML text safely: (data, node tree). Errors are ``PolicyError`` with a location."""
    import yaml

    loader = policy_loader()(text)
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
        if exc.problem and exc.context and exc.context_mark is not None:
            problem += f" ({exc.context} started at line {exc.context_mark.line + 1})"
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
    node = _resolve(node)
    if node is None:
        return 1, 1
    import yaml

    current = node
    for part in parts:
        nxt = None
        if isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                if key.value == part:
                    nxt = value
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
    import json

    from aftersales.policies import bundled

    text = bundled("policy.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


@lru_cache(maxsize=1)
def _validator() -> Any:
    import jsonschema

    schema = policy_schema()
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def locate_key(node: yaml.Node | None, parts: Iterable[Any], key: str) -> tuple[int, int]:
    """Line and column of the *key* ``key`` in the mapping at ``parts`` (else of the mapping)."""
    import yaml

    node = _resolve(node)
    current = _node_at(node, parts)
    if isinstance(current, yaml.MappingNode):
        for k, _ in current.value:
            if getattr(k, "value", None) == key:
                return k.start_mark.line + 1, k.start_mark.column + 1
    return locate(node, parts)


def _node_at(node: yaml.Node | None, parts: Iterable[Any]) -> yaml.Node | None:
    import yaml

    current = _resolve(node)
    for part in parts:
        if isinstance(current, yaml.MappingNode):
            current = next((v for k, v in current.value if getattr(k, "value", None) == part), None)
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
                          f"key {kv!r} given twice in one mapping (first on line {first})", code="duplicate_key")
              for key, kv, first, parts in duplicate_keys(node)]
    return sorted(issues, key=lambda i: (i.line, i.column))


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
        if error.validator == "additionalProperties" and isinstance(error.instance, Mapping):
            allowed = set((error.schema or {}).get("properties", {}))
            patterns = list((error.schema or {}).get("patternProperties", {}))
            import re

            extra = [k for k in error.instance if k not in allowed and not any(re.search(p, str(k)) for p in patterns)]
            for key in extra:
                kline, kcol = locate_key(node, parts, key)
                hint = _close_match(str(key), allowed)
                msg = f"unknown key {key!r}" + (f"; did you mean {hint!r}?" if hint else
                                                f"; allowed here: {', '.join(sorted(allowed))}" if len(allowed) <= 12 else "")
                issues.append(PolicyIssue(name, kline, kcol, json_path(parts + [key]), msg))
            if extra:
                continue
        if len(message) > 200:
            message = message[:197] + "..."
        issues.append(PolicyIssue(name, line, col, json_path(parts), message))
    return issues


def _close_match(word: str, options: Iterable[str]) -> str | None:
    import difflib

    found = difflib.get_close_matches(word, list(options), n=1, cutoff=0.75)
    return found[0] if found else None


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
    if spec is not None and spec.kind in ("count", "claims"):
        numbers = {0}
        for c in consts:
            if isinstance(c, (int, float)) and not isinstance(c, bool):
                numbers.update(x for x in (int(c) - 1, int(c), int(c) + 1) if x >= 0)
        absent = [None] if spec.kind == "count" and spec.default is None else []  # an optional count
        return sorted(numbers) + absent
    if spec is not None and spec.kind == "ids":
        ids = [c for c in consts if isinstance(c, str)]
        return [frozenset(), frozenset(ids)] + [frozenset([c]) for c in ids]
    return [None, _OTHER] + [c for c in consts if isinstance(c, str)]


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


def semantic_issues(data: Mapping[str, Any], node: yaml.Node | None, name: str) -> list[PolicyIssue]:
    """What the schema cannot see: duplicate ids, unknown references, conditions that can never
    hold, offers that overlap (same remedy, basis and start, conditions that can hold at once)."""
    issues: list[PolicyIssue] = []

    def add(parts: list[Any], message: str, code: str, severity: str = "error", key: str | None = None) -> None:
        line, col = locate_key(node, parts, key) if key else locate(node, parts)
        issues.append(PolicyIssue(name, line, col, json_path(parts + ([key] if key else [])), message, severity, code))

    # a pattern runs on RE2 (linear time): one it cannot run is refused here, located
    from aftersales.core.errors import PolicyError
    from aftersales.core.rules import compile_pattern

    for index, rule in enumerate(data.get("region_rules", []) or []):
        if isinstance(rule, Mapping) and isinstance(rule.get("pattern"), str):
            try:
                compile_pattern(rule["pattern"], field=f"$.region_rules[{index}].pattern")
            except PolicyError as refused:
                add(["region_rules", index, "pattern"], refused.message, "pattern")

    starts = data.get("starts", {}) or {}
    periods = data.get("periods", {}) or {}
    exclusion_ids = {e.get("id") for e in data.get("exclusions", []) or []}
    seen: dict[str, str] = {}
    used_starts: set[str] = set()
    applies = data.get("applies_to", {}) or {}
    extra: dict[str, list[Any]] = {}
    if "regions" in applies:
        extra["region"] = [list(applies["regions"])]
    if isinstance(applies.get("brands"), list):
        extra["brand"] = [list(applies["brands"])]
    for section in ("offers", "exclusions", "notices", "region_rules"):
        for index, item in enumerate(data.get(section, []) or []):
            rid = item.get("id")
            if rid is None:
                continue
            where = f"{section}[{index}]"
            key = f"{section}:{rid}" if section == "region_rules" else rid
            if key in seen:
                add([section, index, "id"], f"duplicate rule id {rid!r} (first at {seen[key]})", "duplicate_id")
            else:
                seen[key] = where
            when = item.get("when")
            if when is not None and section != "region_rules":
                bad = satisfiable(when, extra=extra)
                if bad is not None:
                    reason = ""
                    if bad in extra:
                        reason = f" within what the policy applies to (applies_to: {extra[bad][0]})"
                    add([section, index, "when"], f"rule {rid!r} can never apply: the condition on {bad!r} cannot hold{reason}",
                        "contradiction", key=bad)
            if section != "offers":
                continue
            start = item.get("start")
            if start is not None:
                used_starts.add(start)
                if start not in starts:
                    known = ", ".join(sorted(starts)) or "none"
                    add([section, index, "start"], f"unknown start rule {start!r}; defined under starts: {known}", "unknown_ref")
            if (item.get("window") or item.get("period")) and start is None:
                add([section, index], "an offer with a window or period needs a `start`", "unknown_ref")
            if item.get("period") == "warranty":
                if not periods:
                    add([section, index, "period"], "`period: warranty` needs a `periods` table", "unknown_ref")
                else:
                    comp = (when or {}).get("fault.component")
                    comps = [c for c in candidates("fault.component", []) if comp is None or matches(comp, c)]
                    if comps and not any(c in periods for c in comps):
                        add([section, index, "period"], f"rule {rid!r} can never apply: `periods` has no period for "
                            f"{', '.join(comps)}", "contradiction")
            window = item.get("window") or {}
            if window.get("from_day", 0) > window.get("days", 0):
                add([section, index, "window"], f"window from day {window['from_day']} to day {window['days']} is empty",
                    "contradiction")
            for c_index, cid in enumerate(item.get("covers", []) or []):
                if cid not in exclusion_ids and cid not in _known_exclusions():
                    add([section, index, "covers", c_index], f"covers unknown exclusion {cid!r}; this policy's exclusions: "
                        f"{', '.join(sorted(exclusion_ids)) or 'none'}", "unknown_ref")
            if item.get("basis") != "out_of_warranty":
                for exc in data.get("exclusions", []) or []:
                    ew = exc.get("when")
                    if not ew or exc.get("id") in (item.get("covers") or ()):
                        continue
                    # the exclusion holds for every case the offer admits: the offer is never granted
                    if all(path in (when or {}) and all(matches(m, v) for v in candidates(path, [when[path], m])
                                                       if matches(when[path], v))
                           for path, m in ew.items()):
                        add([section, index, "when"], f"offer {rid!r} can never be granted: exclusion {exc.get('id')!r} "
                            f"refuses every case it admits (list it under `covers` if the offer is meant to cover it)",
                            "contradiction")
    for s_name in starts:
        if s_name not in used_starts:
            add(["starts", s_name], f"start rule {s_name!r} is not used by any offer", "unused", severity="warning")

    offers = data.get("offers", []) or []
    for i, a in enumerate(offers):
        for j in range(i + 1, len(offers)):
            b = offers[j]
            if (a.get("remedy"), a.get("basis"), a.get("start")) != (b.get("remedy"), b.get("basis"), b.get("start")):
                continue
            if set(a.get("when") or {}) != set(b.get("when") or {}):
                continue  # rules about different things (another plan, another fault) may both apply
            if satisfiable(a.get("when"), b.get("when"), extra=extra) is None:
                add(["offers", j, "id"], f"offers {a.get('id')!r} and {b.get('id')!r} overlap: both give "
                    f"{a.get('remedy')}/{a.get('basis')} from start {a.get('start')!r} and one case can meet both "
                    "conditions; make the conditions exclusive or merge the rules", "overlap")
    for section in ("exclusions", "notices"):
        items = data.get(section, []) or []
        for i, a in enumerate(items):
            for j in range(i + 1, len(items)):
                if a.get("when") and a.get("when") == items[j].get("when"):
                    add([section, j, "when"], f"{section[:-1]} {items[j].get('id')!r} has the same conditions as "
                        f"{a.get('id')!r}", "overlap", severity="warning")
    eff = data.get("effective") or {}
    if eff.get("from") and eff.get("until") and str(eff["until"]) < str(eff["from"]):
        add(["effective", "until"], "ends before it begins", "dates")
    from aftersales.authoring.vocabcheck import vocabulary_issues  # ids the policy declares and uses

    vocabulary_issues(data, add)
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
                                          f"version {ver!r} of policy {pid!r} is also in {seen_versions[ver]}", code="versions"))
            seen_versions.setdefault(ver, name)
        for (_s1, u1, d1, n1, f1), (s2, _u2, d2, n2, f2) in pairwise(versions):
            v1, v2 = d1.get("version"), d2.get("version")
            if u1 is None:
                line, col = locate(n1, ["effective"])
                issues.append(PolicyIssue(f1, line, col, "$.effective.until",
                                          f"version {v1!r} of {pid!r} has no `until` but version {v2!r} ({f2}) starts "
                                          f"{s2.isoformat()}; end it on {(s2 - timedelta(days=1)).isoformat()}", code="versions"))
            elif u1 >= s2:
                line, col = locate(n2, ["effective", "from"])
                issues.append(PolicyIssue(f2, line, col, "$.effective.from",
                                          f"version {v2!r} of {pid!r} starts {s2.isoformat()}, while version {v1!r} ({f1}) "
                                          f"is in force until {u1.isoformat()}: versions overlap", code="versions"))
            elif (s2 - u1).days > 1:
                line, col = locate(n2, ["effective", "from"])
                issues.append(PolicyIssue(f2, line, col, "$.effective.from",
                                          f"gap in effective dates of {pid!r}: version {v1!r} ({f1}) ends {u1.isoformat()}, "
                                          f"version {v2!r} starts {s2.isoformat()}; no version is in force from "
                                          f"{(u1 + timedelta(days=1)).isoformat()} to {(s2 - timedelta(days=1)).isoformat()}",
                                          code="versions"))
            by1 = (d1.get("effective") or {}).get("by", "purchase_date")
            by2 = (d2.get("effective") or {}).get("by", "purchase_date")
            if by1 != by2:
                line, col = locate(n2, ["effective"])
                issues.append(PolicyIssue(f2, line, col, "$.effective.by",
                                          f"version {v2!r} of {pid!r} picks versions by {by2} but {v1!r} by {by1}; "
                                          "a case could fall between them", severity="warning", code="versions"))
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
        issue = PolicyIssue(name, 1, 1, "$", f"cannot read: {exc.strerror or exc}", code="io")
        raise PolicyError(str(issue), issues=[issue]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        issue = PolicyIssue(name, line, 1, "$", "not UTF-8 text", code="yaml")
        raise PolicyError(str(issue), issues=[issue]) from None
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
        return None, node, [PolicyIssue(source.name, line, col, "$",
                                        f"a policy must be a mapping of keys (id, version, offers...), not {kind}", code="schema")]
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
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise PolicyError(f"{first}{more}", issues=issues)
    try:
        return compile_checked(data, source, issues, plugin)
    except PolicyError as exc:
        issue = PolicyIssue(source.name, 1, 1, exc.field or "$", exc.message, code="compile")
        raise PolicyError(str(issue), issues=[issue]) from None
