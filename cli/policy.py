"""``aftersales policy ...``: tools for policy editors."""

from __future__ import annotations

import click

from aftersales.cli._common import echo_json


@click.group()
def policy() -> None:
    """政策文件工具 / Policy editors' tools."""


@policy.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(exists=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def validate(paths: tuple[str, ...], fmt: str) -> None:
    """校验政策文件 / Validate policy files (default: the bundled ones).

    Reports every problem as file:line:column: $.json.path: message. Exit 1 on any error.
    """
    from pathlib import Path

    from aftersales.core.policyload import check_policy, read_source
    from aftersales.core.errors import PolicyError

    locations: list = []
    if paths:
        for raw in paths:
            p = Path(raw)
            if p.is_dir():
                locations.extend(sorted(x for x in p.glob("*.yaml") if not x.name.endswith(".cases.yaml")))
            else:
                locations.append(p)
    else:
        from importlib import resources

        folder = resources.files("aftersales.policies")
        locations = sorted((f for f in folder.iterdir() if f.name.endswith(".yaml") and not f.name.endswith(".cases.yaml")),
                           key=lambda f: f.name)
    all_issues = []
    results = []
    for location in locations:
        try:
            source = read_source(location)
        except PolicyError as exc:
            all_issues.extend(exc.issues)
            results.append({"file": str(location), "valid": False})
            continue
        _, issues = check_policy(source)
        if not issues:
            from aftersales.core.policyload import compile_policy

            try:
                compile_policy(source)
            except PolicyError as exc:
                issues = list(exc.issues)
        all_issues.extend(issues)
        results.append({"file": source.name, "valid": not any(i.severity == "error" for i in issues)})
    errors = [i for i in all_issues if i.severity == "error"]
    if fmt == "json":
        echo_json({"files": results, "issues": [i.to_dict() for i in all_issues]})
    else:
        for issue in all_issues:
            click.echo(f"{issue.severity}: {issue}" if issue.severity != "error" else str(issue))
        ok = sum(1 for r in results if r["valid"])
        click.echo(f"{ok}/{len(results)} policy files valid", err=True)
    if errors:
        raise SystemExit(1)
