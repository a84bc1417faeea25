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

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aftersales.core.errors import AftersalesError, PolicyError
from aftersales.core.vocab import FREE_REMEDIES

from .policyload import PolicyIssue, display_name, locate, read_source, read_yaml

FREE = FREE_REMEDIES
EXPECT_KEYS = frozenset({
    "available", "available_includes", "available_excludes", "unavailable", "free_remedy", "basis", "missing",
    "exchange_mode", "warranty_after", "region", "service_location", "coverage_start", "coverage_end", "exclusions",
    "error", "error_mentions", "granted_by", "notices", "exclusions_exclude", "paths",
})
CASE_KEYS = frozenset({"name", "source", "case", "expect"})


def check_expect(decision: Mapping[str, Any], expect: Mapping[str, Any]) -> list[str]:
    """Every way ``decision`` (the v1 decision JSON) differs from ``expect``: 'expected X, got Y'."""
    problems: list[str] = []
    remedies = {r["remedy"]: r for r in decision["remedies"]}
    available = {name for name, r in remedies.items() if r["available"]}
    if "available" in expect and available != set(expect["available"]):
        problems.append(f"available: expected {sorted(expect['available'])}, got {sorted(available)}")
    for name in expect.get("available_includes", ()):
        if name not in available:
            problems.append(f"available_includes: expected {name} available, got {sorted(available)}")
    for name in list(expect.get("available_excludes", ())) + list(expect.get("unavailable", ())):
        if name in available:
            problems.append(f"expected {name} not available, got {sorted(available)}")
    if "free_remedy" in expect and bool(available & set(FREE)) != expect["free_remedy"]:
        problems.append(f"free_remedy: expected {expect['free_remedy']}, got {sorted(available)}")
    for name, basis in (expect.get("basis") or {}).items():
        got = remedies.get(name, {}).get("basis")
        if got != basis:
            problems.append(f"basis of {name}: expected {basis}, got {got}")
    for name, docs in (expect.get("missing") or {}).items():
        got = remedies.get(name, {}).get("missing_documents")
        if got is None:
            problems.append(f"missing of {name}: expected {docs}, got no such remedy")
        elif docs == [] and got:
            problems.append(f"missing of {name}: expected none, got {got}")
        elif any(d not in got for d in docs):
            problems.append(f"missing of {name}: expected {docs} among them, got {got}")
    for name, rule in (expect.get("granted_by") or {}).items():
        by = remedies.get(name, {}).get("granted_by") or {}
        got = f"{by.get('policy')}/{by.get('rule')}"
        if got != rule and by.get("rule") != rule:
            problems.append(f"granted_by of {name}: expected {rule}, got {got}")
    ex = decision.get("exchange") or {}
    if "exchange_mode" in expect and ex.get("mode") != expect["exchange_mode"]:
        problems.append(f"exchange_mode: expected {expect['exchange_mode']}, got {ex.get('mode')}")
    if "warranty_after" in expect and ex.get("warranty_after") != expect["warranty_after"]:
        problems.append(f"warranty_after: expected {expect['warranty_after']}, got {ex.get('warranty_after')}")
    for key in ("region", "service_location"):
        if key in expect and decision.get(key) != expect[key]:
            problems.append(f"{key}: expected {expect[key]}, got {decision.get(key)}")
    cov = decision.get("coverage") or {}
    for key in ("coverage_start", "coverage_end"):
        if key in expect and cov.get(key.split("_")[1]) != str(expect[key]):
            problems.append(f"{key}: expected {expect[key]}, got {cov.get(key.split('_')[1])}")
    ids = sorted({e["id"] for e in decision.get("exclusions", ())})
    for ex_id in expect.get("exclusions", ()):
        if ex_id not in ids:
            problems.append(f"exclusions: expected {ex_id} among them, got {ids}")
    for ex_id in expect.get("exclusions_exclude", ()):
        if ex_id in ids:
            problems.append(f"exclusions: expected no {ex_id}, got {ids}")
    notices = sorted({n["id"] for n in decision.get("notices", ())})
    for n_id in expect.get("notices", ()):
        if n_id not in notices:
            problems.append(f"notices: expected {n_id} among them, got {notices}")
    for path, want in (expect.get("paths") or {}).items():
        got = value_at(decision, path)
        if got != want or isinstance(got, bool) != isinstance(want, bool):  # True is not 1
            problems.append(f"{path}: expected {want!r}, got {got!r}")
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


def exercised_rules(decision: Mapping[str, Any]) -> set[tuple[str, str]]:
    """(policy, rule) pairs a decision exercised (see the module docstring)."""
    out: set[tuple[str, str]] = set()
    for r in decision.get("remedies", ()):
        by = r.get("granted_by") or {}
        if by.get("policy") and by.get("rule"):
            out.add((by["policy"], by["rule"]))
    for e in decision.get("exclusions", ()):
        for policy in e.get("policies") or [e["policy"]]:  # one id once, naming every policy that applied it
            out.add((policy, e["id"]))
    for n in decision.get("notices", ()):
        out.add((n["policy"], n["id"]))
    return out


def policy_rules(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(section, rule id) of every rule coverage counts, in file order."""
    return [(section, item["id"]) for section in ("offers", "exclusions", "notices") for item in data.get(section) or ()]


@dataclass
class CaseResult:
    name: str
    file: str
    line: int
    column: int
    problems: list[str]
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
            "failures": [{"name": r.name, "file": r.file, "line": r.line, "column": r.column, "problems": r.problems}
                         for r in self.failed],
            "coverage": {"rules": len(self.rules), "exercised": len(self.rules) - len(self.uncovered),
                         "uncovered": [f"{section}/{rid}" for section, rid in self.uncovered]},
            "issues": [i.to_dict() for i in self.issues],
        }


def cases_file_for(policy_file: Path) -> Path:
    """``foo.yaml`` -> ``foo.cases.yaml``."""
    return policy_file.with_name(policy_file.name[: -len(".yaml")] + ".cases.yaml")


def load_cases(path: Path) -> tuple[list[tuple[Mapping[str, Any], int, int]], list[PolicyIssue]]:
    """The cases of a ``*.cases.yaml`` with their line and column, and every format problem."""
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
        return [], [PolicyIssue(name, line, col, "$", "a policy test file is a list of cases (name, case, expect)", code="cases")]
    out, issues = [], []
    for index, item in enumerate(data):
        line, col = locate(node, node_path + [index])
        where = f"$[{index}]"
        if not isinstance(item, Mapping) or "case" not in item or "expect" not in item:
            issues.append(PolicyIssue(name, line, col, where, "each case needs `case` and `expect`", code="cases"))
            continue
        unknown = [k for k in item if k not in CASE_KEYS]
        unknown_expect = [k for k in (item.get("expect") or {}) if k not in EXPECT_KEYS]
        if unknown or unknown_expect or not isinstance(item.get("expect"), Mapping):
            what = ", ".join(map(repr, unknown + unknown_expect)) or "expect must be a mapping"
            issues.append(PolicyIssue(name, line, col, where, f"unknown key {what}; expect takes: {', '.join(sorted(EXPECT_KEYS))}",
                                      code="cases"))
            continue
        out.append((item, line, col))
    return out, issues


def run_cases(registry: Any, policy: Any, cases_path: Path | None) -> PolicyTestReport:
    """Run the cases of ``cases_path`` with ``registry``; coverage is counted for ``policy``."""
    report = PolicyTestReport(policy.id, policy.version, policy.source, str(cases_path) if cases_path else None)
    report.rules = policy_rules(policy.data)
    exercised: set[str] = set()
    if cases_path is None or not cases_path.exists():
        report.issues.append(PolicyIssue(policy.source, 1, 1, "$", f"no policy tests: write {cases_path.name if cases_path else 'a .cases.yaml'} "
                                         "beside the policy", severity="warning", code="cases"))
        report.uncovered = list(report.rules)
        return report
    cases, issues = load_cases(cases_path)
    report.issues.extend(issues)
    for item, line, col in cases:
        name = str(item.get("name") or f"case at line {line}")
        expect = item["expect"]
        try:
            case = registry.parse_case(_plain(item["case"]))
            decision = registry.evaluate(case).to_dict()
        except AftersalesError as exc:
            if expect.get("error"):
                missing = [w for w in expect.get("error_mentions", ()) if w not in str(exc)]
                problems = [f"error: expected a message mentioning {missing}, got {exc}"] if missing else []
            else:
                problems = [f"expected a decision, got error: {exc}"]
            report.results.append(CaseResult(name, report.cases_file or "", line, col, problems))
            continue
        if expect.get("error"):
            report.results.append(CaseResult(name, report.cases_file or "", line, col,
                                             [f"expected an error, got a decision ({decision.get('entitlement')})"], decision))
            continue
        problems = check_expect(decision, expect)
        report.results.append(CaseResult(name, report.cases_file or "", line, col, problems, decision))
        for pid, rid in exercised_rules(decision):
            if pid == policy.id and any(p.get("id") == policy.id and p.get("version") == policy.version
                                        for p in decision.get("policies", ())):
                exercised.add(rid)
    report.uncovered = [(section, rid) for section, rid in report.rules if rid not in exercised]
    return report


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
                     env: Mapping[str, str] | None = None) -> tuple[list[PolicyTestReport], list[PolicyIssue]]:
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
        reports.append(run_cases(registry, policy, _cases_path(policy.source)))
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
