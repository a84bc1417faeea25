"""``aftersales policy ...``: tools for policy editors (validate, test, schema)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from aftersales.authoring.installed import (
    against_installed,
    installed_scopes,
    installed_starts,
    installed_texts,
    left_uncovered,
    out_of_scope,
    served_brands,
    shipped_locations,
)
from aftersales.cli._common import echo_json

PLUGINS_DIR = click.option("--plugins-dir", type=click.Path(file_okay=False), envvar="AFTERSALES_PLUGINS_DIR",
                           help="插件目录（放入即加载；也可用 AFTERSALES_PLUGINS_DIR） / drop-in plugins folder (also AFTERSALES_PLUGINS_DIR).")


@click.group()
def policy() -> None:
    """政策编辑工具：校验、测试、影响预览、发布、启用与回退 / Policy editors' tools: validate, test, preview a change, publish, activate, roll back."""


def _policy_locations(paths: tuple[str, ...]) -> list[Any]:
    out: list[Any] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            out.extend(sorted(x for x in p.glob("*.yaml") if not x.name.endswith(".cases.yaml")))
        else:
            out.append(p)
    return out


def in_order(issues: list[Any]) -> list[Any]:
    """``issues`` file by file (in the order the files first come), each file's from its top
    line down, as an editor reads them (the schema's errors came in its own order: line 267,
    then 90, then 235)."""
    files: dict[str, int] = {}
    for issue in issues:
        files.setdefault(getattr(issue, "file", ""), len(files))
    return sorted(issues, key=lambda i: (files[getattr(i, "file", "")], getattr(i, "line", 0), getattr(i, "column", 0)))


def bad_input_code(errors: list[Any]) -> int:
    """The exit code of a check that found ``errors``: 2 when a file among them could not be
    read as a policy at all (bad input, ``policyload.UNREADABLE``), else 1."""
    from aftersales.authoring.policyload import unreadable

    return 2 if any(unreadable(e) for e in errors) else 1


def refuse_unreadable(issues: list[Any], lang: str, *, as_report: bool = True) -> None:
    """When all there is to say is that files could not be read (not UTF-8, not YAML, past the
    bounds, a control character), say only that and exit 2, as for every bad input: one located
    line per file, in the report's own form on standard output (``as_report``: ``validate`` and
    ``test``, whose lines tools read), else as an error on standard error. Otherwise nothing:
    the command reports everything it found."""
    from aftersales.authoring.policyload import unreadable
    from aftersales.core.plugininfo import said_in

    shown = [i for i in issues if getattr(i, "severity", "error") != "acknowledged"]
    if shown and all(unreadable(i) for i in shown):
        for issue in shown:
            if as_report:
                click.echo(said_in(issue, lang))
            else:
                click.echo(("错误：" if lang == "zh" else "error: ") + said_in(issue, lang), err=True)
        raise click.exceptions.Exit(2)


def _known_brands(plugins_dir: str | None, loaded: Any = None) -> list[str]:
    """The brand ids the loaded plugins serve (``any`` policies aside); ``loaded``: plugins loaded
    already (``load_plugins``), else they are loaded here."""
    from aftersales.core.registry import load_plugins

    if loaded is None:
        loaded = load_plugins(plugins_dir=plugins_dir)
    return [brand for brands in served_brands(loaded).values() for brand in brands]


def validate_locations(locations: list[Any], plugins_dir: str | None = None,
                       brands: list[str] | None = None,
                       installed: Mapping[tuple[str, str], str] | None = None,
                       scopes: Mapping[str, tuple[str, frozenset[str]]] | None = None,
                       starts: Mapping[str, Any] | None = None) -> tuple[list[dict], list[Any]]:
    """Check every file, then across files (versions), against the statutory floor and the
    regulation, and the brands they name; warnings a policy acknowledges are marked so.
    ``installed``: the policies the installed plugins ship (``installed_texts``), beside which
    each file is checked (``against_installed``); ``scopes``: the brands each of them may speak
    for (``installed_scopes``), which a file replacing one keeps to (``out_of_scope``);
    ``starts``: the day each starts (``installed_starts``), before which a file replacing one
    leaves no version in force (``left_uncovered``): all in ``authoring.installed``."""
    from aftersales.authoring.acknowledge import apply_acknowledgements
    from aftersales.authoring.floorcheck import floor_issues
    from aftersales.authoring.policyload import brand_issues, check_policy_full, read_source, version_issues
    from aftersales.core.errors import PolicyError
    from aftersales.core.rules import CompiledPolicy

    results: list[dict] = []
    issues: list[Any] = []
    valid: list[tuple[dict, Any, str]] = []
    in_package: set[str] = set()   # policies in a plugin package's folder (its plugin serves their brands)
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

                found.append(PolicyIssue(source.name, 1, 1, exc.field or "$", exc.message, code="compile", zh=exc.message_zh))
                data = None
        if data is not None:
            valid.append((data, node, source.name))
            found.extend(against_installed(data, node, source, installed or {}))
            if isinstance(location, Path) and (location.parent / "__init__.py").is_file():
                in_package.add(source.name)
        issues.extend(found)
        results.append({"file": source.name, "id": (data or {}).get("id"), "version": (data or {}).get("version"),
                        "valid": data is not None})
        if data is None:   # an invalid file still names the policy it is meant to be
            from aftersales.authoring.policyload import compose_data, top_level_scalars

            raw = compose_data(node) if node is not None else top_level_scalars(source.text)
            results[-1]["id"], results[-1]["version"] = raw.get("id"), raw.get("version")
    issues.extend(version_issues(valid))
    issues.extend(left_uncovered(valid, starts or {}))
    statutory = [(d, name) for d, _, name in valid if d.get("kind") == "statutory"]
    if not statutory:
        from aftersales.policies import bundled

        floor = bundled("generic_sanbao.yaml")
        data, _, _ = check_policy_full(read_source(floor))
        if data is not None:
            statutory = [(data, read_source(floor).name)]
    known_brands = _known_brands(plugins_dir) if brands is None else brands
    for data, node, name in valid:
        issues.extend(floor_issues(data, node, name, statutory))
        named = brand_issues(data, node, name, known_brands, name in in_package)
        issues.extend(named)
        if not any(i.severity == "error" for i in named):   # a typo'd brand is said once, as a typo
            issues.extend(out_of_scope(data, node, name, scopes or {}))
    issues = apply_acknowledgements(issues, valid)
    bad_files = {i.file for i in issues if i.severity == "error"}
    for r in results:
        r["valid"] = r["valid"] and r["file"] not in bad_files
        r["warnings"] = sum(1 for i in issues if i.file == r["file"] and i.severity == "warning")
        r["acknowledged"] = sum(1 for i in issues if i.file == r["file"] and i.severity == "acknowledged")
    return results, issues


@policy.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))   # a path that is not there: a bad argument, exit 2
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="输出格式 / output format.")
@click.option("--strict", is_flag=True, help="政策未确认的警告也算失败（退出码 1） / warnings not acknowledged by the policy fail too (exit 1).")
@click.option("--show-acknowledged", is_flag=True,
              help="逐条列出政策已确认的警告（默认只显示条数） / list the warnings the policies acknowledge (by default only their count).")
@PLUGINS_DIR
def validate(paths: tuple[str, ...], fmt: str, strict: bool, show_acknowledged: bool, plugins_dir: str | None) -> None:
    """校验政策文件 / Validate policy files (default: every policy the loaded plugins ship).

    每个问题一行：文件:行:列: $.JSON路径: 说明。检查内容：是否符合政策格式（JSON Schema）、
    重复的键和规则编号、引用了不存在的东西、永远不会成立的条件、相互重叠的权益、
    同一政策各版本之间的空档或重叠；以及（作为警告）低于法定底线的条款——
    品牌对国行机的条款不得少于三包规定。政策已确认的警告只显示一行条数
    （--show-acknowledged 逐条列出；--format json 总是列出）。
    有错误时退出码为 1（加 --strict 时，政策未确认的警告也算）；否则为 0。
    文件读不出来（不是 UTF-8、YAML 语法错误、嵌套或别名超出上限、数字过大、控制字符）
    是输入有误：退出码 2，只有指出位置的那一行。

    Reports every problem as "file:line:column: $.json.path: message": the schema, duplicate
    keys and rule ids, unknown references, conditions that can never hold, overlapping offers,
    gaps or overlaps between versions of one policy, and (as warnings) floor violations — brand
    terms below the statutory ones for mainland units. The warnings a policy acknowledges are
    one line with their count (--show-acknowledged lists them; --format json always
    does). Exit 1 on any error (with --strict, on any warning not acknowledged too); 0
    otherwise. A file that cannot be read (not UTF-8, a YAML syntax error, nesting or aliases
    past their bounds, a number too large, a control character) is bad input: exit 2, its
    located line alone.
    """
    from aftersales.core.registry import load_plugins

    loaded = load_plugins(plugins_dir=plugins_dir)   # once: the files they ship, their issues, their brands
    plugin_issues: list[Any] = []
    if paths:
        locations = _policy_locations(paths)
        if plugins_dir:
            plugin_issues = list(loaded.issues)
    else:
        locations, plugin_issues = shipped_locations(plugins_dir, loaded)
    from aftersales.cli import message_lang

    lang = message_lang()
    # files of the editor's: beside the policies the plugins ship (one version, one set of terms)
    installed = installed_texts(plugins_dir, loaded) if paths else None
    scopes = installed_scopes(loaded) if paths else None
    results, issues = validate_locations(locations, plugins_dir, _known_brands(plugins_dir, loaded), installed, scopes,
                                         installed_starts(installed) if installed else None)
    issues = plugin_issues + issues
    errors = [i for i in issues if i.severity == "error"]
    warnings = [i for i in issues if i.severity == "warning"]
    acknowledged = [i for i in issues if i.severity == "acknowledged"]
    if fmt == "json":
        echo_json({"files": results, "errors": len(errors), "warnings": len(warnings), "acknowledged": len(acknowledged),
                   "issues": [i.to_dict() for i in issues]})
    else:
        refuse_unreadable(issues, lang)
        for issue in in_order(errors) + in_order(warnings) + in_order(acknowledged if show_acknowledged else []):
            click.echo(issue.text(lang))
        if acknowledged and not show_acknowledged:   # read once, known: one line, not the editor's every run
            click.echo(f"{_n(len(acknowledged), 'acknowledged warning')} (--show-acknowledged lists "
                       f"{'it' if len(acknowledged) == 1 else 'them'})" if lang == "en"
                       else f"已确认的警告 {len(acknowledged)} 条（--show-acknowledged 显示）")
        floor = sorted({i.ack_id for i in warnings if i.ack_id and i.ack_id.startswith("floor:")})
        if floor:   # what to do about one, said where it is first met (publish refuses it unacknowledged)
            example = floor[0]
            click.echo(f"a warning below the statutory floor: fix the term, or, when the brand's terms really differ, "
                       f"acknowledge it in its policy (acknowledgements: [{{id: {example}, reason: ...}}]); publish "
                       f"refuses one not acknowledged" if lang == "en" else
                       f"低于法定底线的警告：请修正条款；品牌条款确实如此时，在政策中确认它（acknowledgements: "
                       f"[{{id: {example}, reason: 理由}}]）。未确认的警告发布时会被拒绝", err=True)
        ok = sum(1 for r in results if r["valid"])
        if lang == "en":
            click.echo(f"{ok}/{len(results)} policy files valid; {_n(len(errors), 'error')}, "
                       f"{_n(len(warnings), 'warning')}, {len(acknowledged)} acknowledged", err=True)
        else:
            click.echo(f"{len(results)} 个政策文件中 {ok} 个有效；{len(errors)} 个错误，{len(warnings)} 个警告，"
                       f"{len(acknowledged)} 个已确认", err=True)
    if errors:
        raise SystemExit(bad_input_code(errors))
    if strict and warnings:
        raise SystemExit(1)


def _n(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


@policy.command("test")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="输出格式 / output format.")
@click.option("--strict", is_flag=True, help="没有案例覆盖的规则也算失败（退出码 1） / rules no case exercises fail too (exit 1).")
@click.option("-k", "select", metavar="TEXT", help="只运行名称包含 TEXT 的案例（不区分大小写） / only the cases whose name contains TEXT (case-insensitive).")
@PLUGINS_DIR
def test(paths: tuple[str, ...], fmt: str, strict: bool, select: str | None,
         plugins_dir: str | None) -> None:
    """运行政策测试 / Run the policy tests (the *.cases.yaml beside each policy) and show rule coverage.

    PATHS 是政策文件、它们的 .cases.yaml 测试文件或文件夹（不给时：已加载插件附带的全部政策）。
    这里给出的政策文件代替已安装的同编号政策，所以改过的政策按它实际会做的判定来测试。
    expect 可以检查：各项权益及其依据、缺少的单证、决定的规则、起止日期、
    换货方式（exchange_mode、lead_days、warranty_after）、保修期起止和服务地点
    （一个，或按权益分别给出）。一条规则算“有案例覆盖”，是指它决定过某个案例：
    给出了权益的条款，或因自身单证、条件或某条排除而被拒的条款（仅仅不适用的不算）；
    成立过的排除或提示；换货背后的换货规则；已给权益背后的起算规则或部件保修期；
    认出了地区的地区规则。expect 里有不认识的键的案例判为失败。
    有案例失败时退出码为 1（加 --strict 时，有规则没有案例覆盖也是 1）；
    有文件读不出来（同 policy validate）时为 2。

    PATHS are policy files, their .cases.yaml files or folders (default: every policy the
    loaded plugins ship). A policy file given here replaces the installed version with the same
    id, so an edited policy is tested as it would decide. "expect" can check the remedies,
    their basis, papers, deciding rule, start and end, the exchange (exchange_mode,
    lead_days, warranty_after), the coverage dates and the service location (one, or
    per remedy). A rule is exercised when it decided some case: an offer that granted its
    remedy, or whose own papers, condition or an exclusion refused it (not one that merely did not
    apply); an exclusion or notice that held; the exchange rule behind an exchange; a start or a
    component's period behind a granted remedy; a region rule that named the region. A case with
    an unknown "expect" key fails. Exit 1 when a case fails (with --strict, also when a rule
    is not exercised); 2 when a file cannot be read (as for policy validate).
    """
    from aftersales.authoring.policyload import unreadable
    from aftersales.authoring.policytest import run_policy_tests
    from aftersales.cli import message_lang
    from aftersales.core.plugininfo import said_in

    lang = message_lang()
    en = lang == "en"
    reports, load_errors = run_policy_tests(paths, plugins_dir=plugins_dir, select=select)
    if load_errors and paths:
        load_errors = _as_validate_says(load_errors, paths, plugins_dir)
    if load_errors:
        if fmt == "json":
            echo_json({"errors": [i.to_dict() for i in load_errors], "policies": []})
        else:
            refuse_unreadable(load_errors, lang)
            for issue in load_errors:
                click.echo(said_in(issue, lang))
            click.echo("policy tests not run: the policies do not load" if en else "政策测试未运行：政策无法加载", err=True)
        raise SystemExit(bad_input_code(load_errors))
    failed = sum(len(r.failed) for r in reports)
    uncovered = sum(len(r.uncovered) for r in reports)
    bad = any(not r.ok for r in reports)
    if fmt == "json":
        echo_json({"policies": [r.to_dict() for r in reports], "failed": failed, "uncovered": uncovered})
    else:
        for r in reports:
            if select is not None and not r.results and not r.issues:
                continue   # -k: a policy none of whose cases was chosen says nothing
            passed = sum(1 for c in r.results if c.passed)
            covered = len(r.rules) - len(r.uncovered)
            if select is not None:   # a few cases chosen: coverage would only say what they left out
                click.echo(f"{r.policy} {r.version} ({r.policy_file}): {passed}/{len(r.results)} cases pass" if en else
                           f"{r.policy} {r.version}（{r.policy_file}）：{len(r.results)} 个案例中 {passed} 个通过")
            elif en:
                click.echo(f"{r.policy} {r.version} ({r.policy_file}): {passed}/{len(r.results)} cases pass; "
                           f"rule coverage {covered}/{len(r.rules)}")
            else:
                click.echo(f"{r.policy} {r.version}（{r.policy_file}）：{len(r.results)} 个案例中 {passed} 个通过；"
                           f"规则覆盖 {covered}/{len(r.rules)}")
            for issue in r.issues:
                click.echo(f"  {issue.text(lang)}")
            for c in r.failed:
                click.echo(f"  {'FAIL' if en else '未通过'} {c.file}:{c.line}:{c.column}: {c.name}")
                for problem in c.problems:
                    click.echo(f"    {problem.text(lang)}")
            if r.uncovered and select is None and not any(unreadable(i) for i in r.issues):
                # (a tests file that cannot be read: "rule coverage 0/N" above says it all)
                click.echo(("  not exercised by any case: " if en else "  没有案例覆盖：")
                           + ", ".join(f"{s}/{rid}" for s, rid in r.uncovered))
        total = sum(len(r.results) for r in reports)
        # a tests file that cannot be read (or a policy with none) fails the run: the summary says so
        unread = sum(1 for r in reports if any(i.severity == "error" for i in r.issues))
        if select is not None and not total:
            pass    # said below: nothing was run
        elif en:
            click.echo(f"{total - failed}/{total} cases pass; "
                       + (f"tests of {_n(unread, 'policy')} in error (above); " if unread else "")
                       + (f"only the cases named with {select!r} were run (coverage not counted)" if select is not None
                          else f"{_n(uncovered, 'rule')} not exercised"), err=True)
        else:
            click.echo(f"{total} 个案例中 {total - failed} 个通过；"
                       + (f"{unread} 个政策的测试文件有错误（见上）；" if unread else "")
                       + (f"只运行了名称含 {select!r} 的案例（不统计规则覆盖）" if select is not None
                          else f"{uncovered} 条规则没有案例覆盖"), err=True)
    if select is not None and not any(r.results for r in reports):
        # -k with a typo ran nothing: not a pass
        click.echo(f"no case's name contains {select!r}: no policy test was run" if en else
                   f"没有名称含 {select!r} 的案例：没有运行任何政策测试", err=True)
        raise SystemExit(1)
    if bad or (strict and uncovered and select is None):
        raise SystemExit(bad_input_code([i for r in reports for i in r.issues if i.severity == "error"]))


def _as_validate_says(load_errors: list[Any], paths: tuple[str, ...], plugins_dir: str | None) -> list[Any]:
    """The load errors of ``policy test``, where a file named fails ``policy validate``, as
    ``validate`` says them (its errors for that file: the nearest brand for a typo'd one, the
    nearest id for a wrong one) instead of what loading it met first; the others as they are."""
    locations = _policy_locations(paths)
    _results, issues = validate_locations(locations, plugins_dir)
    invalid = {i.file for i in issues if i.severity == "error"}
    kept = [e for e in load_errors if getattr(e, "file", None) not in invalid]
    return [i for i in issues if i.severity == "error"] + kept


@policy.command("schema")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="写入此文件，而不是标准输出 / write to this file instead of stdout.")
def schema(output: str | None) -> None:
    """打印政策 JSON Schema / Print the policy JSON Schema (draft 2020-12) for editors.

    把它存在政策文件旁边，并在每个政策文件第一行写下面这一行，编辑器（如装了 YAML
    插件的 VS Code）就会在输入时补全并检查。

    Save it beside your policies and start each policy file with the line below to get
    completion and checks as you type.

    \b
    # yaml-language-server: $schema=policy.schema.json
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
