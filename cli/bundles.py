"""``aftersales policy publish / bundles / activate / rollback``: a network's policy bundles.

A bundle is a folder of policies (and their policy tests), validated and tested, stored in the
case store with a SHA-256 manifest (``store.bundles``); the one in force is what every counter
using that store decides with. These commands are registered on the ``policy`` group.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

import click

from aftersales.cli import message_lang
from aftersales.cli._common import echo_json
from aftersales.store.localday import counter_now, login_name

_DB = click.option("--db", "db_url", envvar="AFTERSALES_DB", metavar="URL",
                   help="数据库地址（sqlite:///文件 或 postgresql+psycopg://...；也可用环境变量 AFTERSALES_DB） / case store URL (sqlite:///FILE or postgresql+psycopg://...); env AFTERSALES_DB.")
_BY = click.option("--by", "actor", envvar="AFTERSALES_STAFF", metavar="NAME", default=None,
                   help="操作人（也可用环境变量 AFTERSALES_STAFF；不给时取登录名） / who does this (env AFTERSALES_STAFF; default: login name).")
_JSON = click.option("--json", "as_json", is_flag=True, help="输出 JSON / print JSON.")


def _actor(engine, actor: str | None) -> str:
    """Who publishes, activates or rolls back: once staff are registered a signed-in manager
    (a bundle changes every counter's decisions), before that the ``--by`` name or login name."""
    from aftersales.cli.staff import signed_in_manager

    return (signed_in_manager(engine, actor, does=("publishes, activates or rolls back policy bundles",
                                                   "发布、启用或回退政策包"))
            or actor or login_name())


def _engine(db_url: str | None):
    from aftersales.store import db as _db

    return _db.open_engine(db_url)


@click.command("publish")
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--note", help="说明：改了什么（随政策包保存） / what changed (kept with the bundle).")
@click.option("--activate", "then_activate", is_flag=True, help="发布后立即生效 / put it in force at once.")
@click.option("--plugins-dir", type=click.Path(file_okay=False), envvar="AFTERSALES_PLUGINS_DIR", help="插件目录（放入即加载） / drop-in plugins folder.")
@_BY
@_DB
@_JSON
def publish(folder: str, note: str | None, then_activate: bool, plugins_dir: str | None,
            actor: str | None, db_url: str | None, as_json: bool) -> None:
    """发布政策包 / Validate FOLDER, run its policy tests, and store it as a bundle.

    有任何校验错误、政策未确认的警告（同 policy validate --strict）
    或失败的政策测试时拒绝发布（退出码 1，什么都不保存；有文件读不出来时为 2）。政策包保存 FOLDER 中的
    每个 *.yaml、SHA-256 清单、发布人、备注和发布时间；用
    aftersales policy activate 编号（或发布时加 --activate）使它生效。

    Refused (exit 1, nothing stored; 2 when a file cannot be read) on any validation error, any
    warning its policy does not acknowledge (as policy validate --strict) or failing policy test. The bundle
    keeps every *.yaml of FOLDER, a SHA-256 manifest, who published it, the note and when;
    it is put in force with "aftersales policy activate ID" (or --activate).
    """
    lang = message_lang()
    en = lang == "en"
    engine = _engine(db_url)
    try:
        who = _actor(engine, actor)  # signed in before the checks, which take a while
        record, tested = _checked_publish(engine, folder, who, note, then_activate, plugins_dir, lang)
    finally:
        engine.dispose()
    if as_json:
        echo_json({**record, "policy_tests": tested})
        return
    if record.get("already"):   # the very files of a bundle published before: not stored twice
        state = ("in force" if en else "已生效") if record["active"] else (
            f"put it in force: aftersales policy activate {record['id']}" if en else
            f"使其生效：aftersales policy activate {record['id']}")
        click.echo(f"policy bundle {record['id']} already holds these files (sha256 {record['sha256']}): not published "
                   f"again; {state}" if en else
                   f"政策包 {record['id']} 已是这些文件（sha256 {record['sha256']}），未重复发布；{state}")
        return
    if en:
        click.echo(f"published policy bundle {record['id']} (sha256 {record['sha256']}, {len(record['files'])} files, "
                   f"{tested} policy tests pass) by {record['author']}"
                   + (" — in force" if record["active"] else f"; put it in force: aftersales policy activate {record['id']}"))
    else:
        click.echo(f"已发布政策包 {record['id']}（sha256 {record['sha256']}，{len(record['files'])} 个文件，"
                   f"{tested} 个政策测试通过），发布人 {record['author']}"
                   + ("，已生效" if record["active"] else f"；使其生效：aftersales policy activate {record['id']}"))


def _checked_publish(engine, folder: str, who: str, note: str | None, then_activate: bool, plugins_dir: str | None,
                     lang: str) -> tuple[dict, int]:
    """FOLDER validated and its policy tests run, then published (and put in force): the record
    and the number of policy tests that passed. Exit 1, nothing stored, on any error."""
    from aftersales.authoring.installed import installed_starts, installed_texts
    from aftersales.authoring.policytest import run_policy_tests
    from aftersales.cli.policy import (
        _n,
        _policy_locations,
        bad_input_code,
        in_order,
        refuse_unreadable,
        validate_locations,
    )
    from aftersales.core.plugininfo import said_in
    from aftersales.store import bundles

    en = lang == "en"
    files = bundles.read_folder(folder)
    installed = installed_texts(plugins_dir)   # once: the starts of each policy, and the versions taken
    _results, issues = validate_locations(_policy_locations((folder,)), starts=installed_starts(installed))
    errors = [i for i in issues if i.severity == "error"]
    # a bundle reaches every counter: a warning (a term below the regulation's, say) goes with it
    # only when its policy acknowledges it, with the reason (``acknowledgements``), as
    # ``policy validate --strict`` asks
    warnings = [i for i in issues if i.severity == "warning"]
    if not errors:
        reports, errors = run_policy_tests((folder,), plugins_dir=plugins_dir)
        # a tests file that cannot be read, or a case without its expectation, checks nothing:
        # refused as a failing test is (``policy test`` fails on it too)
        errors = errors + [i for r in reports for i in r.issues if i.severity == "error"]
    else:
        reports = []
    failed = [c for r in reports for c in r.failed]
    refuse_unreadable(errors + warnings, lang, as_report=False)
    if errors or failed or warnings:
        for issue in in_order(errors) + in_order(warnings):
            click.echo(said_in(issue, lang), err=True)
        for c in failed:
            problems = ("; " if en else "；").join(p.text(lang) for p in c.problems)
            click.echo(f"{c.file}:{c.line}:{c.column}: " + (f"policy test failed: {c.name}: {problems}" if en else
                                                             f"政策测试未通过：{c.name}：{problems}"), err=True)
        unsaid = (f", {len(warnings)} warnings no policy acknowledges (fix each, or acknowledge it in its policy: "
                  f"acknowledgements: [{{id, reason}}])" if en else
                  f"，{len(warnings)} 个警告未经政策确认（请修正，或在政策的 acknowledgements 中写明 id 和理由）"
                  ) if warnings else ""
        click.echo(f"not published: {_n(len(errors), 'error')}, {_n(len(failed), 'failing policy test')}{unsaid}" if en else
                   f"未发布：{len(errors)} 个错误，{len(failed)} 个政策测试未通过{unsaid}", err=True)
        raise click.exceptions.Exit(bad_input_code(errors) if errors else 1)
    tested = sum(len(r.results) for r in reports)
    untested = sorted({r.policy_file for r in reports if not r.results})
    if untested:   # published, but said: nothing checks how these decide
        names = ", ".join(untested)
        click.echo(f"warning: no policy tests for {names} (a .cases.yaml beside each policy checks how it decides)"
                   if en else f"警告：{names} 没有政策测试（每份政策旁的 .cases.yaml 检查它如何判定）", err=True)
    clashes = bundles.version_clashes(engine, files, list(installed.values()))
    if clashes:   # one version, two sets of terms: the decisions' readers could not tell them apart
        for policy, version, where, name, alike in clashes:
            earlier = (f"policy bundle {where}" if en else f"政策包 {where} ") if where is not None else (
                "the installed policies" if en else "软件自带的政策")
            path = os.path.join(folder, name)
            at = f"{path}:{bundles.version_line(files[name])}:1"
            suggest = bundles.next_version(version)
            if alike:   # a comment or the layout changed: the terms did not, but the text (and its hash) did
                click.echo(f"{at}: {policy} {version}: already published in {earlier} with the same terms but other "
                           f"text (comments or layout); one version has one text: undo the change, or raise its "
                           f"version (e.g. \"{suggest}\")" if en else
                           f"{at}: {policy} {version}：{earlier}中已有这个版本，条款相同，但文字不同（注释或格式）；"
                           f"一个版本只能有一份文本：请撤回这处改动，或提高 version（例如 \"{suggest}\"）", err=True)
                continue
            click.echo(f"{at}: {policy} {version}: already published in {earlier} with other terms; raise its "
                       f"version (e.g. \"{suggest}\") after changing a policy, so that counters "
                       f"and decisions tell the two apart" if en else
                       f"{at}: {policy} {version}：{earlier}中已有这个版本，条款不同；修改政策后请提高 version"
                       f"（例如 \"{suggest}\"），柜台和判定记录才能分辨两者", err=True)
        click.echo(f"not published: {len(clashes)} {'policy' if len(clashes) == 1 else 'policies'} changed without "
                   f"a new version" if en else
                   f"未发布：{len(clashes)} 份政策改了内容但没有改版本号", err=True)
        raise click.exceptions.Exit(1)
    record = bundles.publish(engine, files, author=who, note=note, now=counter_now())
    if then_activate and not record["active"]:
        record = {**bundles.activate(engine, record["id"], actor=who, now=counter_now()),
                  **({"already": True} if record.get("already") else {})}
    return record, tested


@click.command("bundles")
@_DB
@_JSON
def list_bundles(db_url: str | None, as_json: bool) -> None:
    """政策包列表 / List the published policy bundles, newest first; * marks the one in force."""
    from rich.cells import cell_len

    from aftersales.cli._common import pad_cells
    from aftersales.store import bundles
    from aftersales.store.localday import shown_moment

    engine = _engine(db_url)
    try:
        rows = bundles.bundles(engine)
    finally:
        engine.dispose()
    if as_json:
        echo_json(rows)
        return
    if not rows:
        click.echo("no policy bundle published (aftersales policy publish DIR)" if message_lang() == "en" else
                   "还没有发布任何政策包（aftersales policy publish 文件夹）", err=True)
        return
    en = message_lang() == "en"
    files = "{n} files" if en else "{n} 个文件"
    table = [("*" if r["active"] else "", str(r["id"]), shown_moment(r["created_at"]),  # the network's local time
              r["sha256"][:12], r["author"], files.format(n=len(r["files"])), r["note"] or "") for r in rows]
    head = (("in force", "bundle", "published", "sha256", "by", "files", "note") if en else
            ("生效", "编号", "发布时间", "sha256", "发布人", "文件", "备注"))
    widths = [max(cell_len(row[i]) for row in [head, *table]) for i in range(len(head) - 1)]
    for row in [head, *table]:
        click.echo(("  ".join(pad_cells(cell, width) for cell, width in zip(row, widths, strict=False))
                    + "  " + row[-1]).rstrip())


@click.command("activate")
@click.argument("bundle_id", type=int)
@_BY
@_DB
def activate(bundle_id: int, actor: str | None, db_url: str | None) -> None:
    """启用政策包 / Put bundle BUNDLE_ID in force; every counter on this store picks it up."""
    from aftersales.store import bundles

    engine = _engine(db_url)
    try:
        before = _policy_versions(engine)
        record = bundles.activate(engine, bundle_id, actor=_actor(engine, actor), now=counter_now())
        after = _policy_versions(engine, record["id"])
    finally:
        engine.dispose()
    click.echo(f"policy bundle {record['id']} (sha256 {record['sha256'][:12]}) is in force" if message_lang() == "en" else
               f"政策包 {record['id']}（sha256 {record['sha256'][:12]}）已生效")
    _say_changes(before, after)


@click.command("rollback")
@_BY
@_DB
def rollback(actor: str | None, db_url: str | None) -> None:
    """回退政策包 / Put back the bundle that was in force before the current one."""
    from aftersales.store import bundles

    engine = _engine(db_url)
    try:
        before = _policy_versions(engine)
        record = bundles.rollback(engine, actor=_actor(engine, actor), now=counter_now())
        after = _policy_versions(engine, record["id"])
    finally:
        engine.dispose()
    click.echo(f"rolled back: policy bundle {record['id']} (sha256 {record['sha256'][:12]}) is in force" if message_lang() == "en" else
               f"已回退：政策包 {record['id']}（sha256 {record['sha256'][:12]}）已生效")
    _say_changes(before, after)


def _policy_versions(engine: Any, bundle_id: int | None = None) -> dict[str, str]:
    """Each policy's version in force with the bundle in force (or bundle ``bundle_id``): the
    bundle's, and the installed policies' for the ids it does not hold (they decide then)."""
    from aftersales.store import bundles

    versions = dict(_installed_versions())
    bundle = bundles.active_bundle(engine, bundle_id)
    if bundle is not None:
        versions.update(key for key in (bundles.id_version(f.text) for f in bundle.files) if key is not None)
    return versions


@lru_cache(maxsize=1)
def _installed_versions() -> tuple[tuple[str, str], ...]:
    """(id, version) of each policy the installed plugins ship: loaded once per command (an
    activation compares before and after with them)."""
    from aftersales.core.registry import load_registry

    return tuple((p.id, p.version) for p in load_registry().all_policies())


def _say_changes(before: dict[str, str], after: dict[str, str]) -> None:
    """What putting a bundle in force changed, policy by policy (``_policy_versions``): a version
    moved (back to an earlier one is said: an editor activating an old bundle by mistake sees
    it), a policy the bundle adds, one no longer in force (an earlier bundle's own)."""
    en = message_lang() == "en"
    for policy in sorted(set(before) | set(after)):
        old, new = before.get(policy), after.get(policy)
        if old == new:
            continue
        if old and new:
            back = _earlier(new, old)
            click.echo(f"  {policy} {old} → {new}" + ((" (an earlier version)" if en else "（回到较早的版本）") if back else ""))
        elif new:
            click.echo(f"  {policy} {new} (added)" if en else f"  {policy} {new}（新增）")
        else:
            click.echo(f"  {policy} {old}: no longer in force (neither the bundle nor the installed policies hold it)"
                       if en else f"  {policy} {old}：不再生效（此政策包和软件自带的政策都没有它）")


def _earlier(version: str, than: str) -> bool:
    """Whether ``version`` comes before ``than`` (dotted numbers, as 2026.1 before 2026.2)."""
    try:
        return tuple(int(x) for x in version.split(".")) < tuple(int(x) for x in than.split("."))
    except ValueError:
        return False


#: the policy schema an exported folder gets beside its files (``policy export``)
SCHEMA = "policy.schema.json"


@click.command("export")
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--bundle", "bundle_id", type=int, default=None, metavar="ID",
              help="政策包编号（默认：现行的） / the bundle to export (default: the one in force).")
@click.option("--shipped", is_flag=True,
              help="导出已安装插件自带的政策及其测试（没有政策包时判定所用的），作为第一个政策包的起点 / "
                   "the policies the installed plugins ship, with their tests (what decides when no bundle "
                   "is in force): where a network's first bundle starts.")
@_DB
def export(folder: str, bundle_id: int | None, shipped: bool, db_url: str | None) -> None:
    """导出政策包 / Write a published bundle's files (policies and their tests) into FOLDER.

    FOLDER 必须不存在或为空；要么全部写出，要么什么都不写。每个文件先按政策包的清单核对；
    旁边另写一份 policy.schema.json（政策文件第一行指向它，供编辑器使用，不属于政策包）。
    之后可以把生效的政策与改动比较
    （aftersales policy diff --old FOLDER --new 我的文件夹），修改后再发布。
    --shipped 改为写出已安装插件附带的政策及其测试：服务网络的第一个政策包从这里开始。

    FOLDER must not exist or be empty; it is written whole or not at all. Each file is checked
    against the bundle's manifest first; beside them goes policy.schema.json, which the
    policies' first line names, for the editor (it is no file of the bundle). What is in force
    can then be compared with a change ("aftersales policy diff --old FOLDER --new MY_FOLDER"),
    edited and published again. --shipped writes the policies the installed plugins ship
    instead, with their tests: where a network's first bundle starts.
    """
    from pathlib import Path

    from aftersales.cli.usage import Usage
    from aftersales.core.errors import OutputError, PolicyError
    from aftersales.store import bundles

    en = message_lang() == "en"
    target = Path(folder)
    if shipped and bundle_id is not None:
        raise Usage("give --shipped or --bundle, not both", zh="--shipped 和 --bundle 只能给一个")
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise OutputError(f"{folder}: exists and is not empty; give a new folder",
                          zh=f"{folder}：已存在且不为空；请给一个新的文件夹")
    if shipped:
        texts = _shipped_files()
        _write_folder(target, texts)
        click.echo(f"the policies the installed plugins ship: {len(texts)} files written to {folder}{_AID[en]}" if en else
                   f"已安装插件自带的政策：{len(texts)} 个文件已写入 {folder}{_AID[en]}")
        return
    engine = _engine(db_url)
    try:
        bundle = bundles.active_bundle(engine, bundle_id, with_tests=True)
    finally:
        engine.dispose()
    if bundle is None:
        raise PolicyError("no policy bundle is in force (aftersales policy bundles; the installed plugins' own "
                          "policies: policy export --shipped)",
                          zh="没有现行的政策包（aftersales policy bundles；插件自带的政策：policy export --shipped）")
    if bundle.problem:
        raise PolicyError(bundle.problem[0], zh=bundle.problem[1])
    try:
        texts = {Path(item.name).name: item.read_bytes() for item in bundle.files}
    except bundles.ManifestMismatch as exc:
        raise PolicyError(f"policy bundle {bundle.id}: {exc}", zh=f"政策包 {bundle.id}：{exc.message_zh}") from None
    _write_folder(target, texts)
    click.echo(f"policy bundle {bundle.id} (sha256 {bundle.sha256[:12]}): {len(texts)} files written to {folder}{_AID[en]}"
               if en else f"政策包 {bundle.id}（sha256 {bundle.sha256[:12]}）：{len(texts)} 个文件已写入 {folder}{_AID[en]}")


#: what an exported folder gets beside its files, said after their count (by ``en``)
_AID = {True: f" (and {SCHEMA}, for the editor)", False: f"（另附 {SCHEMA}，供编辑器补全和检查）"}


def _shipped_files() -> dict[str, bytes]:
    """Each policy file the installed plugins ship, and the policy tests beside it, by file name."""
    from aftersales.authoring.installed import shipped_locations
    from aftersales.core.errors import PolicyError

    out: dict[str, bytes] = {}
    locations, _issues = shipped_locations(None)
    for location in locations:
        tests = location.parent / (location.name.removesuffix(".yaml") + ".cases.yaml")
        for path in (location, tests):
            if path is not location and not path.is_file():
                continue
            raw = path.read_bytes()
            if out.get(path.name, raw) != raw:
                raise PolicyError(f"two plugins ship a file named {path.name}; export each plugin's folder on its own",
                                  zh=f"两个插件都带有名为 {path.name} 的文件；请分别导出各插件的文件夹")
            out[path.name] = raw
    if not out:
        raise PolicyError("the installed plugins ship no policy", zh="已安装的插件没有自带政策")
    return out


def _write_folder(target, texts: dict[str, bytes]) -> None:
    """``texts`` (file name -> bytes) and beside them the policy schema their first line names
    (``$schema=policy.schema.json``, so an editor completes and checks them as it does the
    shipped policies; it is no file of a bundle) written into the new folder ``target``, whole
    or not at all."""
    import os
    import shutil
    import tempfile
    from pathlib import Path

    from aftersales.core.errors import OutputError
    from aftersales.policies import bundled

    files = {**texts, SCHEMA: bundled(SCHEMA).read_bytes()} if SCHEMA not in texts else texts
    parent = target.resolve().parent
    try:
        scratch = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=parent))
        try:
            for name, raw in files.items():
                (scratch / name).write_bytes(raw)
            if target.exists():
                target.rmdir()   # empty: checked before
            os.replace(scratch, target)
        except BaseException:
            shutil.rmtree(scratch, ignore_errors=True)
            raise
    except OSError as exc:
        from aftersales.core.errors import os_reason

        raise OutputError(f"{target}: cannot write: {os_reason(exc, 'en')}",
                          zh=f"{target}：无法写入：{os_reason(exc)}") from None


COMMANDS = (publish, list_bundles, activate, rollback, export)
