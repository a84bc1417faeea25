"""What editors' files are checked against: the policies the installed plugins ship.

A policy file an editor gives replaces, by its id, the one a plugin ships. So ``policy validate``
(and ``policy publish``) check it beside that one: the same version with other text
(``against_installed``), brands beyond the plugin's (``out_of_scope``), an earliest version
that starts later, leaving the years before it to the statute (``left_uncovered``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def _policy_files(loaded: Any, issues: list[Any]) -> list[tuple[str, list[Any]]]:
    """(plugin, the policy files it ships) for each loaded plugin giving files; a plugin whose
    ``aftersales_policy_files`` fails is named in ``issues`` (the registry quarantines it)."""
    from aftersales.authoring.policyload import PolicyIssue

    out: list[tuple[str, list[Any]]] = []
    for impl in loaded.pm.hook.aftersales_policy_files.get_hookimpls():
        name = loaded.pm.get_name(impl.plugin)
        try:
            out.append((name, list(impl.function() or [])))
        except Exception as exc:  # noqa: BLE001
            issues.append(PolicyIssue(f"plugin {name}", 1, 1, "$", f"aftersales_policy_files failed: {exc}", code="plugin",
                                      zh=f"插件的 aftersales_policy_files 出错：{exc}"))
    return out


def shipped_locations(plugins_dir: str | None, loaded: Any = None) -> tuple[list[Any], list[Any]]:
    """Every policy file the loaded plugins ship, and the plugins' load issues."""
    from aftersales.core.registry import load_plugins

    if loaded is None:
        loaded = load_plugins(plugins_dir=plugins_dir)
    issues = list(loaded.issues)
    return [location for _name, files in _policy_files(loaded, issues) for location in files], issues


def served_brands(loaded: Any) -> dict[str, list[str]]:
    """Per loaded plugin: the brand ids it says it serves (``aftersales_brands``; one that fails
    says none here: the registry reports it)."""
    from aftersales.core.registry import each_plugin

    served: dict[str, list[str]] = {}
    for name, call in each_plugin(loaded.pm, "aftersales_brands"):
        try:
            served.setdefault(name, []).extend(b.id for b in (call() or [None])[0] or ())
        except Exception:  # noqa: BLE001 - the plugin's failure is reported by the registry
            continue
    return served


def installed_texts(plugins_dir: str | None, loaded: Any = None) -> dict[tuple[str, str], str]:
    """The text of each policy the installed plugins ship (those of ``plugins_dir`` too), by its
    (id, version); ``loaded``: plugins loaded already, else they are loaded here."""
    from aftersales.store.bundles import id_version

    locations, _issues = shipped_locations(plugins_dir, loaded)
    texts = [location.read_bytes().decode("utf-8") for location in locations]
    return {key: text for text in texts if (key := id_version(text)) is not None}


def installed_starts(installed: Mapping[tuple[str, str], str]) -> dict[str, Any]:
    """Per id of a policy the installed plugins ship (``installed_texts``): the day its earliest
    version starts (``effective.from``)."""
    from datetime import date

    import yaml

    out: dict[str, date] = {}
    for (pid, _version), text in installed.items():
        try:
            start = date.fromisoformat(str(((yaml.safe_load(text) or {}).get("effective") or {}).get("from")))
        except (ValueError, yaml.YAMLError, AttributeError):
            continue
        out[pid] = min(start, out.get(pid, start))
    return out


def left_uncovered(valid: list[tuple[dict, Any, str]], starts: Mapping[str, Any]) -> list[Any]:
    """A warning at the earliest version's ``effective.from`` of a policy (by id) that starts
    later than the installed one it replaces: units bought (or cases taken in) before it would be
    decided without the brand's terms, by the statute alone (the older version deleted, thought to
    be replaced by the new one: nothing said so)."""
    from datetime import date

    from aftersales.authoring.policyload import PolicyIssue, locate

    earliest: dict[str, tuple[date, Any, str]] = {}
    for data, node, name in valid:
        try:
            start = date.fromisoformat(str((data.get("effective") or {}).get("from")))
        except ValueError:
            continue
        pid = str(data.get("id"))
        if pid not in earliest or start < earliest[pid][0]:
            earliest[pid] = (start, node, name)
    out = []
    for pid, (start, node, name) in earliest.items():
        before = starts.get(pid)
        if before is None or start <= before:
            continue
        line, col = locate(node, ["effective", "from"])
        out.append(PolicyIssue(
            name, line, col, "$.effective.from",
            f"the earliest version of {pid!r} here starts {start.isoformat()}, the installed one {before.isoformat()}: "
            f"before {start.isoformat()} no version of it is in force, and the statute alone decides; keep the "
            f"older version (its `until` the day before), or acknowledge this", "warning", "uncovered_before",
            zh=f"这里 {pid!r} 最早的版本从 {start.isoformat()} 起生效，软件自带的从 {before.isoformat()} 起："
               f"{start.isoformat()} 之前没有任何版本生效，只按三包规定判定；请保留旧版本（until 写到前一天），"
               f"或确认这样做"))
    return out


def installed_scopes(loaded: Any) -> dict[str, tuple[str, frozenset[str]]]:
    """Per id of a policy a brand's plugin ships: that plugin and the brands it serves. A file
    given with the id replaces the policy, and may speak for those brands only (as loading it
    says, ``registry.out_of_scope_text``); the statutory plugin's and a network's (serving no
    brand) may speak for any."""
    from aftersales.core.registry import STATUTORY_PLUGIN
    from aftersales.store.bundles import id_version

    served = served_brands(loaded)
    out: dict[str, tuple[str, frozenset[str]]] = {}
    for name, files in _policy_files(loaded, []):
        if name == STATUTORY_PLUGIN or not served.get(name):
            continue
        for location in files:
            key = id_version(location.read_bytes().decode("utf-8"))
            if key is not None:
                out.setdefault(key[0], (name, frozenset(served[name])))
    return out


def out_of_scope(data: dict, node: Any, name: str, scopes: Mapping[str, tuple[str, frozenset[str]]]) -> list[Any]:
    """An error at ``applies_to.brands`` when the file replaces a brand plugin's policy and names
    brands beyond the plugin's: loading it refuses it (``policy test`` and ``publish`` did, while
    ``validate`` found the file valid)."""
    from aftersales.authoring.policyload import PolicyIssue, locate
    from aftersales.core.registry import out_of_scope_text

    scope = scopes.get(str(data.get("id")))
    if scope is None:
        return []
    plugin, served = scope
    brands = (data.get("applies_to") or {}).get("brands")
    named = None if brands == "any" else list(brands or ())
    if named is not None and set(named) <= served:
        return []
    line, col = locate(node, ["applies_to", "brands"])
    en, zh = out_of_scope_text(plugin, served, named)
    return [PolicyIssue(name, line, col, "$.applies_to.brands", en, code="scope", zh=zh)]


def against_installed(data: dict, node: Any, source: Any, installed: Mapping[tuple[str, str], str]) -> list[Any]:
    """A warning at ``version`` when an installed policy has the file's id and version with other
    text: one version, two sets of terms (``policy publish`` refuses it, see ``version_clashes``);
    at ``id`` when no installed policy has the id and one is near it (``aple``: a policies folder
    replaces a plugin's policy by its id, and evaluate refuses one no plugin ships)."""
    from aftersales.authoring.policyload import PolicyIssue, locate
    from aftersales.core.errors import nearest
    from aftersales.store.bundles import next_version, same_terms

    policy, version = key = (str(data.get("id")), str(data.get("version")))
    shipped = sorted({i for i, _v in installed})
    if shipped and policy not in shipped:
        close = nearest(str(policy), shipped, 1)
        if not close:   # a new policy's id is far from every installed one: only a near miss is said
            return []
        line, col = locate(node, ["id"])
        return [PolicyIssue(source.name, line, col, "$.id",
                            f"no installed plugin ships a policy {policy!r}; did you mean {close[0]!r}? (a "
                            f"policies folder or bundle replaces a plugin's policy by its id)", "warning",
                            "unknown_policy_id",
                            zh=f"没有已安装的插件带有政策 {policy!r}；您是否想写 {close[0]!r}？（政策文件夹或政策包按 id "
                               f"替换插件自带的政策）")]
    if installed.get(key, source.text) == source.text:
        return []
    line, col = locate(node, ["version"])
    suggest = next_version(version)
    if same_terms(installed[key], source.text):   # only comments or the layout changed
        return [PolicyIssue(source.name, line, col, "$.version",
                            f"{policy} {version}: the installed policies have this version with the same terms but "
                            f"other text (comments or layout); one version has one text: undo the change, or raise "
                            f"its version (e.g. \"{suggest}\"), or publishing refuses it", "warning", "version_reused",
                            zh=f"{policy} {version}：软件自带的政策中已有这个版本，条款相同，但文字不同（注释或格式）；"
                               f"一个版本只能有一份文本：请撤回这处改动，或提高 version（例如 \"{suggest}\"），"
                               f"否则发布时会被拒绝")]
    return [PolicyIssue(source.name, line, col, "$.version",
                        f"{policy} {version}: the installed policies already have this version with other terms; "
                        f"raise its version after changing a policy (e.g. \"{suggest}\"), or publishing refuses it",
                        "warning", "version_reused",
                        zh=f"{policy} {version}：软件自带的政策中已有这个版本，条款不同；修改政策后请提高 version"
                           f"（例如 \"{suggest}\"），否则发布时会被拒绝")]
