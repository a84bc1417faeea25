"""``aftersales policy ...``: tools for policy editors (validate, test, schema)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from aftersales.cli._common import echo_json

PLUGINS_DIR = click.option("--plugins-dir", type=click.Path(file_okay=False), envvar="AFTERSALES_PLUGINS_DIR",
                           help="Drop-in plugins folder (also AFTERSALES_PLUGINS_DIR).")


@click.group()
def policy() -> None:
    """政策文件工具 / Policy editors' tools: validate, test, schema."""


def _policy_locations(paths: tuple[str, ...]) -> list[Any]:
    out: list[Any] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            out.extend(sorted(x for x in p.glob("*.yaml") if not x.name.endswith(".cases.yaml")))
        else:
            out.append(p)
    return out


def _shipped_locations(plugins_dir: str | None) -> tuple[list[Any], list[Any]]:
    """Every policy file the loaded plugins ship, and the plugins' load issues."""
    from aftersales.authoring.policyload import PolicyIssue
    from aftersales.core.registry import load_plugins

    loaded = load_plugins(plugins_dir=plugins_dir)
    issues = list(loaded.issues)
    out: list[Any] = []
    for impl in loaded.pm.hook.aftersales_policy_files.get_hookimpls():
        name = loaded.pm.get_name(impl.plugin)
        try:
            out.extend(impl.function() or [])
        except Exception as exc:  # noqa: BLE001
            issues.append(PolicyIssue(f"plugin {name}", 1, 1, "$", f"aftersales_policy_files failed: {exc}", code="plugin"))
    return out, issues


def validate_locations(locations: list[Any]) -> tuple[list[dict], list[Any]]:
    """Check every file, then across files (versions) and against the statutory floor."""
    from aftersales.authoring.floorcheck import floor_issues
    from aftersales.authoring.policyload import check_policy_full, read_source, version_issues
    from aftersales.core.errors import PolicyError
    from aftersales.core.rules import CompiledPolicy

    results: list[dict] = []
    issues: list[Any] = []
    valid: list[tuple[dict, Any, str]] = []
    for location in locations:
        try:
            source = read_source(location)
        except PolicyError as exc:
            issues.extend(exc.issues)
            results.append({"file": str(location), "valid": False})
            continue
        data, node, found = check_policy_full(source)
        if data is not None:
            try:
                CompiledPolicy(data, sha256=source.sha256, source=source.name)
            except PolicyError as exc:
                from aftersales.authoring.policyload import PolicyIssue

                found.append(PolicyIssue(source.name, 1, 1, exc.field or "$", exc.message, code="compile"))
                data = None
        if data is not None:
            valid.append((data, node, source.name))
        issues.extend(found)
        results.append({"file": source.name, "id": (data or {}).get("id"), "version": (data or {}).get("version"),
                        "valid": data is not None})
    issues.extend(version_issues(valid))
    statutory = [(d, name) for d, _, name in valid if d.get("kind") == "statutory"]
    if not statutory:
        from aftersales.policies import bundled

        floor = bundled("generic_sanbao.yaml")
        data, _, _ = check_policy_full(read_source(floor))
        if data is not None:
            statutory = [(data, read_source(floor).name)]
    for data, node, name in valid:
        issues.extend(floor_issues(data, node, name, statutory))
    bad_files = {i.file for i in issues if i.severity == "error"}
    for r in results:
        r["valid"] = r["valid"] and r["file"] not in bad_files
        r["warnings"] = sum(1 for i in issues if i.file == r["file"] and i.severity == "warning")
    return results, issues


@policy.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(exists=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--strict", is_flag=True, help="Warnings (floor violations...) fail too (exit 1).")
@PLUGINS_DIR
def validate(paths: tuple[str, ...], fmt: str, strict: bool, plugins_dir: str | None) -> None:
    """校验政策文件 / Validate policy files (default: every policy the loaded plugins ship).

    Reports every problem as ``file:line:column: $.json.path: message``: the schema, duplicate
    keys and rule ids, unknown references, conditions that can never hold, overlapping offers,
    gaps or overlaps between versions of one policy, and (as warnings) floor violations — brand
    terms below the statutory ones for mainland units. Exit 1 on any error (with ``--strict``,
    on any warning too); 0 otherwise.
    """
    plugin_issues: list[Any] = []
    if paths:
        locations = _policy_locations(paths)
        if plugins_dir:
            from aftersales.core.registry import load_plugins

            plugin_issues = list(load_plugins(plugins_dir=plugins_dir).issues)
    else:
        locations, plugin_issues = _shipped_locations(plugins_dir)
    results, issues = validate_locations(locations)
    issues = plugin_issues + issues
    errors = [i for i in issues if i.severity == "error"]
    warnings = [i for i in issues if i.severity == "warning"]
    if fmt == "json":
        echo_json({"files": results, "errors": len(errors), "warnings": len(warnings), "issues": [i.to_dict() for i in issues]})
    else:
        for issue in errors + warnings:
            if issue.severity == "error":
                click.echo(str(issue))
            else:
                click.echo(f"{issue.file}:{issue.line}:{issue.column}: warning: {issue.path}: {issue.message}")
        ok = sum(1 for r in results if r["valid"])
        click.echo(f"{ok}/{len(results)} policy files valid; {len(errors)} errors, {len(warnings)} warnings", err=True)
    if errors or (strict and warnings):
        raise SystemExit(1)


@policy.command("test")
@click.argument("paths", nargs=-1, type=click.Path(exists=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--strict", is_flag=True, help="Rules no case exercises fail too (exit 1).")
@PLUGINS_DIR
def test(paths: tuple[str, ...], fmt: str, strict: bool, plugins_dir: str | None) -> None:
    """运行政策测试 / Run the policy tests (``*.cases.yaml`` beside each policy) and show rule coverage.

    PATHS are policy files, their ``.cases.yaml`` files or folders (default: every policy the
    loaded plugins ship). A policy file given here replaces the installed version with the same
    id, so an edited policy is tested as it would decide. A rule is *exercised* when some case's
    decision names it as the deciding rule of a remedy (granted, refused or blocked), or lists it
    among the exclusions or notices. Exit 1 when a case fails (with ``--strict``, also when a
    rule is not exercised).
    """
    from aftersales.authoring.policytest import run_policy_tests

    reports, load_errors = run_policy_tests(paths, plugins_dir=plugins_dir)
    if load_errors:
        if fmt == "json":
            echo_json({"errors": [i.to_dict() for i in load_errors], "policies": []})
        else:
            for issue in load_errors:
                click.echo(str(issue))
            click.echo("policy tests not run: the policies do not load", err=True)
        raise SystemExit(1)
    failed = sum(len(r.failed) for r in reports)
    uncovered = sum(len(r.uncovered) for r in reports)
    bad = any(not r.ok for r in reports)
    if fmt == "json":
        echo_json({"policies": [r.to_dict() for r in reports], "failed": failed, "uncovered": uncovered})
    else:
        for r in reports:
            passed = sum(1 for c in r.results if c.passed)
            covered = len(r.rules) - len(r.uncovered)
            click.echo(f"{r.policy} {r.version} ({r.policy_file}): {passed}/{len(r.results)} cases pass; "
                       f"rule coverage {covered}/{len(r.rules)}")
            for issue in r.issues:
                prefix = "" if issue.severity == "error" else "warning: "
                click.echo(f"  {prefix}{issue}")
            for c in r.failed:
                click.echo(f"  FAIL {c.file}:{c.line}:{c.column}: {c.name}")
                for problem in c.problems:
                    click.echo(f"    {problem}")
            if r.uncovered:
                click.echo("  not exercised by any case: " + ", ".join(f"{s}/{rid}" for s, rid in r.uncovered))
        total = sum(len(r.results) for r in reports)
        click.echo(f"{total - failed}/{total} cases pass; {uncovered} rules not exercised", err=True)
    if bad or (strict and uncovered):
        raise SystemExit(1)


@policy.command("schema")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write to this file instead of stdout.")
def schema(output: str | None) -> None:
    """打印政策 JSON Schema / Print the policy JSON Schema (draft 2020-12) for editors.

    Save it beside your policies and start each policy file with
    ``# yaml-language-server: $schema=policy.schema.json`` to get completion and checks as you type.
    """
    from aftersales.policies import bundled

    text = bundled("policy.schema.json").read_text(encoding="utf-8")
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        click.echo(text.rstrip("\n"))


def _register_diff() -> None:
    from aftersales.cli.diff import diff

    policy.add_command(diff, "diff")


_register_diff()


# --- policy bundles of a network (publish, bundles, activate, rollback): cli/bundles.py ---

def _register_bundles() -> None:
    from aftersales.cli.bundles import COMMANDS

    for command in COMMANDS:
        policy.add_command(command)


_register_bundles()
