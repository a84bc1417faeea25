"""Policy tests: example cases beside a policy, with the outcome each must get, and rule coverage.

A policy ``foo.yaml`` has its tests in ``foo.cases.yaml`` next to it: a YAML list of cases in
the format of the scenarios (``tests/scenarios/README.md``)::

    - name: 国行 day 10, papers complete — exchange
      source: 第十二条
      case: {case_date: 2026-06-15, brand: generic, ...}     # a v1 case (case_date required)
      expect: {available: [exchange, repair], warranty_after: restarts}

``expect`` takes every key of the scenarios plus ``granted_by`` (``{remedy: rule}``: the rule
that decided that remedy, ``rule`` or ``policy/rule``), ``notices`` (ids among the notices) and
``error`` / ``error_mentions`` (the case must be refused).

**Rule coverage.** A rule of the policy under test is *exercised* by a case when, in that case's
decision, the offer is the deciding rule of a remedy (``remedies[].granted_by`` — whether the
remedy was granted, refused, blocked by papers or not needed), or the exclusion is among
``exclusions`` (including the policy's ``on_expiry`` exclusion), or the notice is among
``notices``. Offers, exclusions and notices are counted; region rules, starts and the exchange
rule are not. Every rule no case exercises is listed.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aftersales.core.errors import AftersalesError, PolicyError, nearest
from aftersales.core.vocab import FREE_REMEDIES, REMEDY_ORDER, label

from .messages import value_in
from .policyload import PolicyIssue, display_name, locate, locate_key, read_source, read_yaml

FREE = FREE_REMEDIES
EXPECT_KEYS = frozenset({
    "available", "available_includes", "available_excludes", "unavailable", "free_remedy", "basis", "missing",
    "exchange_mode", "warranty_after", "lead_days", "region", "service_location", "coverage_start", "coverage_end",
    "exclusions", "error", "error_mentions", "granted_by", "notices", "exclusions_exclude", "start", "end", "paths",
})
CASE_KEYS = frozenset({"name", "source", "case", "expect"})
#: the keys of ``expect`` that take a list (of remedies, exclusions or notices), and those that
#: take a table by remedy (or by path)
LIST_KEYS = ("available", "available_includes", "available_excludes", "unavailable", "exclusions",
             "exclusions_exclude", "notices", "error_mentions")
MAP_KEYS = ("basis", "missing", "granted_by", "start", "end", "paths")


class Problem(str):
    """One way a decision differs from what a case expects: the English text, with ``zh`` beside
    it, and ``at``: the key it is about, as the path to it from the case item (``("expect",
    "basis")``), where a failing case is pointed at; empty: the case as a whole."""

    zh: str
    at: tuple[str, ...]

    def __new__(cls, en: str, zh: str = "", key: str = "", at: tuple[str, ...] = ()) -> Problem:
        obj = super().__new__(cls, en)
        obj.zh = zh or en
        obj.at = at or (("expect", key) if key else ())
        return obj

    def text(self, lang: str) -> str:
        return str(self) if lang == "en" else self.zh


def _zh(value: Any, table: str | None) -> str:
    """An expected or decided value in a Chinese message: ids with their labels
    (``exchange（换货）``); a range of days as written (``[10, 15]``)."""
    if table is None and isinstance(value, (list, tuple)) and value and all(
            isinstance(v, int) and not isinstance(v, bool) for v in value):
        return str(list(value))
    return value_in(value, "zh", table, with_id=True)


def _rolled(problem: Problem, expected: Any, got: Any) -> Problem:
    """``problem`` with why an end differs when the expected day is a rest day and the end was
    moved to the next working day (a policy's ``rollover_periods``): the test's day was right
    but for the roll-over."""
    from datetime import date

    from aftersales.core.dates import DEFAULT_CALENDAR

    try:
        day = expected if isinstance(expected, date) else date.fromisoformat(str(expected))
        moved = DEFAULT_CALENDAR.roll_forward(day).end
    except (TypeError, ValueError):
        return problem
    if moved == day or str(moved) != str(got):
        return problem
    return Problem(f"{problem} ({day} is a rest day: the end moves to the next working day, {moved})",
                   f"{problem.zh}（{day} 是休息日，到期日顺延至下一个工作日 {moved}）", at=problem.at)


def _differs(what: str, what_zh: str, expected: Any, got: Any, among: bool = False, table: str | None = None,
             key: str = "") -> Problem:
    want, have = _zh(expected, table), _zh(got, table)
    key = key or what
    if among:
        return Problem(f"{what}: expected {expected} among them, got {got}", f"{what_zh}：期望包含 {want}，实际为 {have}", key)
    return Problem(f"{what}: expected {expected}, got {got}", f"{what_zh}：期望 {want}，实际为 {have}", key)


def _no_such_rule(remedy: str, rule: str, got: str, rules: Collection[str]) -> Problem:
    """``granted_by`` names a rule no loaded policy has (a typo): said so, with the nearest id
    written the same way (``rule`` or ``policy/rule``)."""
    same_form = [r for r in rules if ("/" in r) == ("/" in rule)]
    close = nearest(rule, same_form, 1)
    hint_en, hint_zh = (f"; did you mean {close[0]!r}?", f"；您是否想写 {close[0]!r}？") if close else ("", "")
    return Problem(f"granted_by of {remedy}: no rule {rule!r} in the policies loaded{hint_en} (the decision's: {got})",
                   f"{_remedy_zh(remedy)}的决定规则：已加载的政策中没有规则 {rule!r}{hint_zh}（实际为 {got}）", "granted_by")


def known_rules(policies: Iterable[Any]) -> frozenset[str]:
    """Every rule id of ``policies`` (compiled, with ``id`` and ``data``), as ``rule`` and as
    ``policy/rule``: what a case's ``granted_by`` may name."""
    out: set[str] = set()
    for policy in policies:
        for _section, rid in policy_rules(policy.data):
            out.update((rid, f"{policy.id}/{rid}"))
    return frozenset(out)


def _remedy_zh(name: str) -> str:
    """A remedy named in a Chinese message: 换货（exchange）."""
    said = label("remedy", name)
    return f"{said}（{name}）" if said != name else name


def _lead(value: Any) -> Any:
    if isinstance(value, Mapping):
        return [value.get("min"), value.get("max")]
    return list(value) if isinstance(value, (list, tuple)) else value


def check_expect(decision: Mapping[str, Any], expect: Mapping[str, Any], rules: Collection[str] | None = None) -> list[Problem]:
    """Every way ``decision`` (the v1 decision JSON) differs from ``expect``: 'expected X, got Y'
    (each a :class:`Problem`, its Chinese text in ``zh``). ``rules``: every rule id of the loaded
    policies (``rule`` and ``policy/rule``, ``known_rules``): a ``granted_by`` naming none of them
    is said to name no rule, with the nearest."""
    problems: list[Problem] = []
    remedies = {r["remedy"]: r for r in decision["remedies"]}
    available = {name for name, r in remedies.items() if r["available"]}
    got_av = sorted(available)
    if "available" in expect and available != set(expect["available"]):
        problems.append(_differs("available", "可用的处理方式", sorted(expect["available"]), got_av, table="remedy"))
    for name in expect.get("available_includes", ()):
        if name not in available:
            problems.append(Problem(f"available_includes: expected {name} available, got {got_av}",
                                    f"可用的处理方式：期望 {_remedy_zh(name)} 可用，实际为 {_zh(got_av, 'remedy')}", "available_includes"))
    for key in ("available_excludes", "unavailable"):
        for name in expect.get(key, ()):
            if name in available:
                problems.append(Problem(f"expected {name} not available, got {got_av}",
                                        f"期望 {_remedy_zh(name)} 不可用，实际可用的为 {_zh(got_av, 'remedy')}", key))
    if "free_remedy" in expect and bool(available & set(FREE)) != expect["free_remedy"]:
        problems.append(Problem(f"free_remedy: expected {expect['free_remedy']}, got {got_av}",
                                f"免费处理：期望{'有' if expect['free_remedy'] else '没有'}，实际可用的为 {_zh(got_av, 'remedy')}",
                                "free_remedy"))
    for name, basis in (expect.get("basis") or {}).items():
        got = remedies.get(name, {}).get("basis")
        if got != basis:
            problems.append(_differs(f"basis of {name}", f"{_remedy_zh(name)}的依据", basis, got, table="basis", key="basis"))
    for name, docs in (expect.get("missing") or {}).items():
        got = remedies.get(name, {}).get("missing_documents")
        if got is None:
            problems.append(Problem(f"missing of {name}: expected {docs}, got no such remedy",
                                    f"{_remedy_zh(name)}缺少的单证：期望 {_zh(docs, 'document')}，但判定中没有这个处理方式",
                                    "missing"))
        elif docs == [] and got:
            problems.append(_differs(f"missing of {name}", f"{_remedy_zh(name)}缺少的单证", "none", got, table="document",
                                     key="missing"))
        elif any(d not in got for d in docs):
            problems.append(_differs(f"missing of {name}", f"{_remedy_zh(name)}缺少的单证", docs, got, among=True,
                                     table="document", key="missing"))
    for name, rule in (expect.get("granted_by") or {}).items():
        by = remedies.get(name, {}).get("granted_by") or {}
        got = f"{by.get('policy')}/{by.get('rule')}"
        if got != rule and by.get("rule") != rule:
            if rules is not None and str(rule) not in rules:
                problems.append(_no_such_rule(name, str(rule), got, rules))
            else:
                problems.append(_differs(f"granted_by of {name}", f"{_remedy_zh(name)}的决定规则", rule, got,
                                         key="granted_by"))
    for key, zh in (("start", "起算日"), ("end", "到期日")):
        for name, day in (expect.get(key) or {}).items():
            got = remedies.get(name, {}).get(key)
            if got != (str(day) if day is not None else None):
                found = _differs(f"{key} of {name}", f"{_remedy_zh(name)}的{zh}", day, got, key=key)
                problems.append(_rolled(found, day, got) if key == "end" else found)
    ex = decision.get("exchange") or {}
    if "exchange_mode" in expect and ex.get("mode") != expect["exchange_mode"]:
        problems.append(_differs("exchange_mode", "换货方式", expect["exchange_mode"], ex.get("mode"), table="exchange_mode"))
    if "warranty_after" in expect and ex.get("warranty_after") != expect["warranty_after"]:
        problems.append(_differs("warranty_after", "换货后保修", expect["warranty_after"], ex.get("warranty_after"),
                                 table="warranty_after"))
    if "lead_days" in expect and _lead(ex.get("lead_days")) != _lead(expect["lead_days"]):
        problems.append(_differs("lead_days", "换货等待天数", _lead(expect["lead_days"]), _lead(ex.get("lead_days"))))
    if "region" in expect and decision.get("region") != expect["region"]:
        problems.append(_differs("region", "产地", expect["region"], decision.get("region"), table="region"))
    where = expect.get("service_location")
    if isinstance(where, Mapping):   # per remedy: {repair: any_authorized, exchange: seller}
        for name, location in where.items():
            got = remedies.get(name, {}).get("service_location")
            if got != location:
                problems.append(_differs(f"service_location of {name}", f"{_remedy_zh(name)}的办理地点", location, got,
                                         table="service_location", key="service_location"))
    elif "service_location" in expect and decision.get("service_location") != where:
        problems.append(_differs("service_location", "办理地点", where, decision.get("service_location"),
                                 table="service_location"))
    cov = decision.get("coverage") or {}
    for key, zh in (("coverage_start", "保修起算日"), ("coverage_end", "保修到期日")):
        got = cov.get(key.split("_")[1])
        if key in expect and got != str(expect[key]):
            found = _differs(key, zh, expect[key], got)
            problems.append(_rolled(found, expect[key], got) if key == "coverage_end" else found)
    ids = sorted({e["id"] for e in decision.get("exclusions", ())})
    for ex_id in expect.get("exclusions", ()):
        if ex_id not in ids:
            problems.append(_differs("exclusions", "排除项", ex_id, ids, among=True))
    for ex_id in expect.get("exclusions_exclude", ()):
        if ex_id in ids:
            problems.append(Problem(f"exclusions: expected no {ex_id}, got {ids}", f"排除项：期望没有 {ex_id}，实际为 {_zh(ids, None)}",
                                    "exclusions_exclude"))
    notices = sorted({n["id"] for n in decision.get("notices", ())})
    for n_id in expect.get("notices", ()):
        if n_id not in notices:
            problems.append(_differs("notices", "提示", n_id, notices, among=True))
    for path, want in (expect.get("paths") or {}).items():
        got = value_at(decision, path)
        if got != want or isinstance(got, bool) != isinstance(want, bool):  # True is not 1
            problems.append(Problem(f"{path}: expected {want!r}, got {got!r}", f"{path}：期望 {want!r}，实际为 {got!r}", "paths"))
    return problems


def value_at(decision: Mapping[str, Any], path: str) -> Any:
    """The value at ``path`` in a decision: dotted keys, and ``remedies[exchange]`` for the remedy
    of that name (``remedies[exchange].refund_instead.amount``); ``None`` where nothing is."""
    node: Any = decision
    for part in path.split("."):
        name, _, key = part.partition("[")
        node = node.get(name) if isinstance(node, Mapping) else None
        if key:
            key = key.rstrip("]")
            node = next((item for item in node or () if isinstance(item, Mapping)
                         and (item.get("remedy") == key or item.get("id") == key)), None)
        if node is None:
            return None
    return node


#: trace statuses of an offer whose conditions held but whose own terms refused the case
_REFUSED_BY_ITS_TERMS = frozenset({"blocked_documents", "excluded"})


def _own_condition(detail: Any) -> bool:
    """A failed condition that is the rule's own requirement (the case's state or history), not
    its scope (brand, region, channel, component, plan)."""
    return isinstance(detail, str) and (detail.startswith(("condition.", "history.")) or detail == "fault.confirmed")


def exercised_rules(decision: Mapping[str, Any], case: Mapping[str, Any] | None = None,
                    policy: Mapping[str, Any] | None = None, policy_id: str | None = None) -> set[tuple[str, str]]:
    """(policy, rule) pairs a decision exercised: see the module docstring. With ``policy`` (its
    data) and ``policy_id``, also its exchange rule, starts, region rules and periods."""
    out: set[tuple[str, str]] = set()
    status = {(t.get("policy"), t.get("rule")): (t.get("effect"), t.get("detail")) for t in decision.get("trace", ())
              if t.get("effect") not in ("chosen", "refused")}
    for r in decision.get("remedies", ()):
        by = r.get("granted_by") or {}
        key = (by.get("policy"), by.get("rule"))
        if not (key[0] and key[1]):
            continue
        # an offer decided the case when it granted the remedy, or its conditions held and its own
        # papers or an exclusion it does not cover refused it; not when it was merely the best of
        # the offers that did not apply (its conditions failed, or the case was outside its window)
        effect, detail = status.get(key, (None, None))
        if r.get("available") or effect in _REFUSED_BY_ITS_TERMS or (effect == "not_applicable" and _own_condition(detail)):
            out.add((str(key[0]), str(key[1])))
    for e in decision.get("exclusions", ()):
        for applied_by in e.get("policies") or [e["policy"]]:  # one id once, naming every policy that applied it
            out.add((applied_by, e["id"]))
    for n in decision.get("notices", ()):
        out.add((n["policy"], n["id"]))
    if policy is None or policy_id is None:
        return out
    for t in decision.get("trace", ()):
        if t.get("effect") == "region" and t.get("policy") == policy_id:
            out.add((policy_id, f"region_rules/{t.get('rule')}"))
    ex = decision.get("exchange") or {}
    by = ex.get("granted_by") or {}
    exchange_given = any(r["remedy"] == "exchange" and r.get("available") for r in decision.get("remedies", ()))
    if by.get("policy") == policy_id and exchange_given:
        out.add((policy_id, "exchange/exchange"))
    offers = {o.get("id"): o for o in policy.get("offers") or ()}
    component = ((case or {}).get("fault") or {}).get("component")
    for r in decision.get("remedies", ()):
        by = r.get("granted_by") or {}
        if by.get("policy") != policy_id or not r.get("available"):
            continue
        offer = offers.get(by.get("rule")) or {}
        if offer.get("start"):
            out.add((policy_id, f"starts/{offer['start']}"))
        if offer.get("period") == "warranty" and component in (policy.get("periods") or {}):
            out.add((policy_id, f"periods/{component}"))
    return out


def policy_rules(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(section, rule id) of every rule coverage counts, in file order: offers, exclusions,
    notices, the exchange rule, starts, region rules and the warranty period of each component."""
    out = [(section, item["id"]) for section in ("offers", "exclusions", "notices") for item in data.get(section) or ()]
    if data.get("exchange"):
        out.append(("exchange", "exchange"))
    out += [("starts", name) for name in data.get("starts") or {}]
    out += [("region_rules", item["id"]) for item in data.get("region_rules") or ()]
    out += [("periods", comp) for comp in data.get("periods") or {}]
    return out


def _coverage_key(section: str, rid: str) -> str:
    return rid if section in ("offers", "exclusions", "notices") else f"{section}/{rid}"


@dataclass
class CaseResult:
    name: str
    file: str
    line: int
    column: int
    problems: list[Problem]
    actual: dict[str, Any] | None = None

    @property
    def passed(self) -> bool:
        return not self.problems


@dataclass
class PolicyTestReport:
    """The outcome of one policy's tests."""

    policy: str
    version: str
    policy_file: str
    cases_file: str | None
    results: list[CaseResult] = field(default_factory=list)
    rules: list[tuple[str, str]] = field(default_factory=list)
    uncovered: list[tuple[str, str]] = field(default_factory=list)
    issues: list[PolicyIssue] = field(default_factory=list)

    @property
    def failed(self) -> list[CaseResult]:
        return [r for r in self.results if not r.passed]

    @property
    def ok(self) -> bool:
        return not self.failed and not any(i.severity == "error" for i in self.issues)

    def to_dict(self) -> dict[str, Any]:
        return {
            "policy": self.policy, "version": self.version, "policy_file": self.policy_file, "cases_file": self.cases_file,
            "passed": sum(1 for r in self.results if r.passed), "failed": len(self.failed),
            "failures": [{"name": r.name, "file": r.file, "line": r.line, "column": r.column,
                          "problems": [str(p) for p in r.problems],
                          "problems_zh": [getattr(p, "zh", p) for p in r.problems]}
                         for r in self.failed],
            "coverage": {"rules": len(self.rules), "exercised": len(self.rules) - len(self.uncovered),
                         "uncovered": [f"{section}/{rid}" for section, rid in self.uncovered]},
            "issues": [i.to_dict() for i in self.issues],
        }


def cases_file_for(policy_file: Path) -> Path:
    """``foo.yaml`` -> ``foo.cases.yaml``."""
    return policy_file.with_name(policy_file.name[: -len(".yaml")] + ".cases.yaml")


def load_cases(path: Path) -> tuple[list[tuple[Mapping[str, Any], int, int, Callable[..., tuple[int, int]]]],
                                     list[PolicyIssue]]:
    """The cases of a ``*.cases.yaml`` with their line and column and a function giving the line
    and column of a value under the case (``where(["case", "fault", "component"])``: as deep as
    the file writes it; ``where(["key", "expect", "basis"])``: of the key itself), and every
    format problem."""
    name = str(path)
    try:
        source = read_source(path)
        data, node = read_yaml(source.text, source.name)
        name = source.name
    except PolicyError as exc:
        return [], list(exc.issues)
    if isinstance(data, Mapping) and "cases" in data:
        data, node_path = data["cases"], ["cases"]
    else:
        node_path = []
    if not isinstance(data, list):
        line, col = locate(node, node_path)
        return [], [PolicyIssue(name, line, col, "$", "a policy test file is a list of cases (name, case, expect)", code="cases",
                                zh="政策测试文件是案例的列表（每项有 name、case、expect）")]
    out, issues = [], []
    for index, item in enumerate(data):
        line, col = locate(node, node_path + [index])
        where = f"$[{index}]"
        if not isinstance(item, Mapping):
            issues.append(PolicyIssue(name, line, col, where, "each case needs `case` and `expect`", code="cases",
                                      zh="每个案例都要有 `case` 和 `expect`"))
            continue
        missing = [key for key in ("case", "expect") if key not in item]
        for key in missing:   # a typo'd key is named where it is written, with the key it stands for
            close = nearest(key, [str(k) for k in item if k not in CASE_KEYS], 1)
            if close:
                at_line, at_col = locate_key(node, node_path + [index], close[0])
                issues.append(PolicyIssue(name, at_line, at_col, f"{where}.{close[0]}",
                                          f"unknown key {close[0]!r}; did you mean {key!r}? (each case needs "
                                          f"`case` and `expect`)", code="cases",
                                          zh=f"未知的键 {close[0]!r}；您是否想写 {key!r}？（每个案例都要有 `case` 和 `expect`）"))
            else:
                issues.append(PolicyIssue(name, line, col, where, f"this case has no `{key}` (each case needs `case` "
                                          f"and `expect`)", code="cases",
                                          zh=f"这个案例缺少 `{key}`（每个案例都要有 `case` 和 `expect`）"))
        if missing:
            continue
        out.append((item, line, col, lambda parts, base=node_path + [index]: locate(node, base + list(parts))
                    if not parts or parts[0] != "key" else locate_key(node, base + list(parts[1:-1]), parts[-1])))
    return out, issues


def expect_problems(item: Mapping[str, Any]) -> list[Problem]:
    """What is wrong with a case's own keys (an unknown key under the case or ``expect``): the
    case then fails, and is counted among the cases."""
    expect = item.get("expect")
    if not isinstance(expect, Mapping):
        return [Problem("expect must be a mapping of keys (available, basis, lead_days...)",
                        "expect 必须是键值映射（available、basis、lead_days……）")]
    problems: list[Problem] = []
    for key, known in [(k, CASE_KEYS) for k in item if k not in CASE_KEYS] + [(k, EXPECT_KEYS) for k in expect
                                                                               if k not in EXPECT_KEYS]:
        close = nearest(str(key), known)
        hint_en = f"; did you mean {close[0]!r}?" if close else f"; expect takes: {', '.join(sorted(known))}"
        hint_zh = f"；您是否想写 {close[0]!r}？" if close else f"；可用的键：{', '.join(sorted(known))}"
        at = (str(key),) if known is CASE_KEYS else ("expect", str(key))
        problems.append(Problem(f"unknown key {key!r}{hint_en}", f"未知的键 {key!r}{hint_zh}", at=at))
    # a list written as one word ("unavailable: repair") would be read letter by letter, and a
    # table as something else: said as the wrong shape, with how to write it
    for key in LIST_KEYS:
        if key in expect and not isinstance(expect[key], list):
            value = expect[key]
            example = f"[{value}]" if isinstance(value, str) and value else "[repair]"
            problems.append(Problem(f"{key}: expected a list, such as {key}: {example}; got {value!r}",
                                    f"{key}：应为列表，例如 {key}: {example}；写的是 {value!r}", key))
    for key in MAP_KEYS:
        if key in expect and not isinstance(expect[key], Mapping):
            problems.append(Problem(f"{key}: expected a table of remedies, such as {key}: {{repair: ...}}; "
                                    f"got {expect[key]!r}",
                                    f"{key}：应为按处理方式写的映射，例如 {key}: {{repair: …}}；写的是 {expect[key]!r}",
                                    key))
    # a remedy named where the decision has none by that id (a typo: 'repiar') would only show
    # as "expected ['repiar'], got ['repair']"; said here as the wrong id, with the nearest
    named = [(key, name) for key in ("available", "available_includes", "available_excludes", "unavailable")
             if isinstance(expect.get(key), list) for name in expect[key]]
    named += [(key, name) for key in ("basis", "missing", "granted_by", "start", "end", "service_location")
              if isinstance(expect.get(key), Mapping) for name in expect[key]]
    for key, name in named:
        if name not in REMEDY_ORDER:
            close = nearest(str(name), REMEDY_ORDER)
            hint_en, hint_zh = (f"; did you mean {close[0]!r}?", f"；您是否想写 {close[0]!r}？") if close else ("", "")
            problems.append(Problem(f"{key}: {name!r} is not a remedy{hint_en} (remedies: {', '.join(REMEDY_ORDER)})",
                                    f"{key}：{name!r} 不是处理方式代码{hint_zh}（可用：{'、'.join(REMEDY_ORDER)}）", key))
    return problems


def run_cases(registry: Any, policy: Any, cases_path: Path | None, select: str | None = None) -> PolicyTestReport:
    """Run the cases of ``cases_path`` with ``registry``; coverage is counted for ``policy``.
    ``select``: only the cases whose name contains it (case-insensitive), as ``pytest -k``."""
    report = PolicyTestReport(policy.id, policy.version, policy.source, str(cases_path) if cases_path else None)
    report.rules = policy_rules(policy.data)
    exercised: set[str] = set()
    if cases_path is None or not cases_path.exists():
        wanted = cases_path.name if cases_path else "a .cases.yaml"
        report.issues.append(PolicyIssue(policy.source, 1, 1, "$", f"no policy tests: write {wanted} beside the policy",
                                         severity="warning", code="cases", zh=f"没有政策测试：请在政策文件旁写 {wanted}"))
        report.uncovered = list(report.rules)
        return report
    cases, issues = load_cases(cases_path)
    report.issues.extend(issues)
    rules = known_rules(registry.all_policies())
    for item, line, col, where in cases:
        name = str(item.get("name") or f"case at line {line}")
        if select and select.lower() not in name.lower():
            continue
        bad_keys = expect_problems(item)
        if bad_keys:
            report.results.append(CaseResult(name, report.cases_file or "", *_at(where, bad_keys, line, col), bad_keys))
            continue
        expect = item["expect"]
        # ``error_mentions`` alone says an error is expected, as ``error: true`` does
        wants_error = bool(expect.get("error") or expect.get("error_mentions"))
        try:
            case = registry.parse_case(_plain(item["case"]))
            decision = registry.evaluate(case).to_dict()
        except AftersalesError as exc:
            if wants_error:
                missing = [w for w in expect.get("error_mentions", ()) if w not in str(exc)]
                problems: list[Problem] = [Problem(f"error: expected a message mentioning {missing}, got {exc}",
                                    f"错误：期望信息提到 {missing}，实际为 {exc}")] if missing else []
            else:
                problems = [Problem(f"expected a decision, got error: {exc}", f"期望得到判定，实际出错：{exc.line('zh')}")]
                bad = getattr(exc, "field", None)
                if bad:   # at the field the case gets wrong (``documents[2]``: the list's third item)
                    parts = [int(p) if p.isdigit() else p for p in bad.replace("]", "").replace("[", ".").split(".")]
                    line, col = where(["case", *parts])
            report.results.append(CaseResult(name, report.cases_file or "", line, col, problems))
            continue
        if wants_error:
            report.results.append(CaseResult(name, report.cases_file or "", line, col,
                                             [Problem(f"expected an error, got a decision ({decision.get('entitlement')})",
                                                      f"期望出错，实际得到判定（{decision.get('entitlement')}）")], decision))
            continue
        problems = check_expect(decision, expect, rules)
        report.results.append(CaseResult(name, report.cases_file or "", *_at(where, problems, line, col), problems,
                                         decision))
        for pid, rid in exercised_rules(decision, item["case"], policy.data, policy.id):
            if pid == policy.id and any(p.get("id") == policy.id and p.get("version") == policy.version
                                        for p in decision.get("policies", ())):
                exercised.add(rid)
    report.uncovered = [(section, rid) for section, rid in report.rules if _coverage_key(section, rid) not in exercised]
    return report


def _at(where: Callable[..., tuple[int, int]], problems: list[Problem], line: int, col: int) -> tuple[int, int]:
    """Where a failing case is pointed at: the key of its first problem (the ``expect`` key that
    failed), else the case itself."""
    first = next((p.at for p in problems if p.at), None)
    return where(["key", *first]) if first else (line, col)


def _plain(value: Any) -> Any:
    """Dates in a YAML case may be text already (the safe loader here keeps them as text)."""
    return value


def test_targets(paths: Iterable[str | Path]) -> list[Path]:
    """Policy files named by ``paths`` (files or folders; ``*.cases.yaml`` name their policy)."""
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            out.extend(x for x in sorted(p.glob("*.yaml")) if not x.name.endswith(".cases.yaml"))
        elif p.name.endswith(".cases.yaml"):
            out.append(p.with_name(p.name[: -len(".cases.yaml")] + ".yaml"))
        else:
            out.append(p)
    return list(dict.fromkeys(out))


def registry_for(policy_files: list[Path], *, plugins_dir: str | None = None, env: Mapping[str, str] | None = None) -> Any:
    """A registry with the installed plugins where ``policy_files`` replace, by id, the shipped versions.

    A policy no loaded plugin ships (a new brand's file before its plugin is installed) gets a
    stand-in ``PolicyPlugin`` serving the brands it names, so its tests run all the same.
    """
    from aftersales.core.plugininfo import Brand
    from aftersales.core.policyplugin import PolicyPlugin
    from aftersales.core.registry import each_plugin, load_plugins

    from .policyload import check_policy

    probe = load_plugins(plugins_dir=plugins_dir, env=env)
    shipped: set[str] = set()
    served: set[str] = set()
    for _name, call in each_plugin(probe.pm, "aftersales_policy_files"):
        try:   # a plugin that fails here is reported by the registry built below
            locations = list((call() or [None])[0] or ())
        except Exception:  # noqa: BLE001
            continue
        for location in locations:
            data, _ = check_policy(read_source(location)) if _readable(location) else (None, [])
            if data:
                shipped.add(data["id"])
    for _name, call in each_plugin(probe.pm, "aftersales_policies"):
        try:
            given = list((call() or [None])[0] or ())
        except Exception:  # noqa: BLE001
            continue
        shipped.update(d["id"] for d in given if isinstance(d, Mapping) and isinstance(d.get("id"), str))
    for _name, call in each_plugin(probe.pm, "aftersales_brands"):
        try:
            served.update(b.id for b in (call() or [None])[0] or ())
        except Exception:  # noqa: BLE001
            continue
    extra: list[tuple[str, Any]] = []
    overrides: list[Path] = []
    standins: dict[str, list[Path]] = {}
    first_data: dict[str, Mapping[str, Any]] = {}
    for path in policy_files:
        data, _ = check_policy(read_source(path)) if path.exists() else (None, [])
        if data is None:
            overrides.append(path)   # reported by the registry with its location
            continue
        if data["id"] in shipped:
            overrides.append(path)
        else:
            standins.setdefault(data["id"], []).append(path)
            first_data.setdefault(data["id"], data)
    for pid, files in standins.items():
        first = first_data[pid]
        brands = first["applies_to"]["brands"]
        new_brands = [Brand(b, b, b) for b in (brands if isinstance(brands, list) else []) if b not in served]

        class StandIn(PolicyPlugin):
            name = f"{pid}"
            version = str(first["version"])
            brands = new_brands

            def policy_files(self, _files=tuple(files)) -> list[Any]:
                return list(_files)

        extra.append((pid, StandIn()))
    from aftersales.core.registry import Registry

    loaded = load_plugins(plugins_dir=plugins_dir, env=env, extra=extra)
    return Registry(loaded, policy_files=overrides, strict=False)


def _readable(location: Any) -> bool:
    try:
        return bool(location.is_file())
    except (OSError, AttributeError):
        return True


def run_policy_tests(paths: Iterable[str | Path] = (), *, plugins_dir: str | None = None,
                     env: Mapping[str, str] | None = None,
                     select: str | None = None) -> tuple[list[PolicyTestReport], list[PolicyIssue]]:
    """Run the tests of the policies at ``paths`` (default: every policy the plugins ship).

    Returns one report per policy version and the load errors (plugins or policies that failed:
    then no test runs, so nothing is judged against a half-loaded set).
    """
    from aftersales.core.registry import load_registry

    files = test_targets(paths)
    if files:
        registry = registry_for(files, plugins_dir=plugins_dir, env=env)
    else:
        registry = load_registry(plugins_dir=plugins_dir, env=env)
    errors = registry.errors
    if errors:
        return [], errors
    wanted = {display_name(p) for p in files} if files else None
    reports = []
    for policy in registry.all_policies():
        if wanted is not None and policy.source not in wanted:
            continue
        reports.append(run_cases(registry, policy, _cases_path(policy.source), select))
    return reports, []


def _cases_path(source: str) -> Path | None:
    path = Path(source)
    if not path.exists():
        from aftersales.policies import bundled

        candidate = bundled(Path(source).name)
        if isinstance(candidate, Path) and candidate.exists():
            path = candidate
        else:
            return None
    return cases_file_for(path)
