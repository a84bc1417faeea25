"""The registry: plugins found and registered, their policies loaded, checked and compiled.

Plugins come from the entry-point group ``aftersales.plugins`` (the bundled generic_sanbao,
apple and huawei plugins are entry points of this very package, registered exactly like a
third-party one) and from a drop-in folder (``plugins_dir`` / ``AFTERSALES_PLUGINS_DIR``).
``AFTERSALES_LOAD_PLUGINS=a,b`` loads only the named plugins (empty: none), the way out of a
broken one. ``AFTERSALES_TRACE_PLUGINS=1`` prints every hook call on stderr.

Loading reads files; deciding (``Registry.evaluate``) does not.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import os
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Iterable, Mapping

import pluggy

from . import hookspecs
from .errors import PluginError, PolicyError
from .plugininfo import Brand, PluginInfo
from .policyload import PolicyIssue, compile_policy

ENTRY_POINT_GROUP = "aftersales.plugins"
OWN_DISTRIBUTION = "aftersales"


def make_plugin_manager() -> pluggy.PluginManager:
    """A plugin manager with the hook specs and nothing registered (no import-time effects)."""
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    return pm


@dataclass
class LoadedPlugins:
    pm: pluggy.PluginManager
    infos: dict[str, PluginInfo] = field(default_factory=dict)
    errors: list[PluginError] = field(default_factory=list)
    trace: bool = False


def _wanted(env: Mapping[str, str]) -> set[str] | None:
    raw = env.get("AFTERSALES_LOAD_PLUGINS")
    if raw is None:
        return None
    return {name.strip() for name in raw.split(",") if name.strip()}


def _plugin_version(obj: Any, dist: str | None) -> str:
    version = getattr(obj, "version", None) or getattr(obj, "__version__", None)
    if version:
        return str(version)
    if dist:
        try:
            return importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            pass
    return "0"


def load_plugins(*, plugins_dir: str | os.PathLike | None = None, env: Mapping[str, str] | None = None,
                 extra: Iterable[tuple[str, Any]] = ()) -> LoadedPlugins:
    """Register entry-point plugins, drop-in folder plugins and ``extra`` (name, object) pairs."""
    env = os.environ if env is None else env
    pm = make_plugin_manager()
    loaded = LoadedPlugins(pm)
    wanted = _wanted(env)

    for ep in sorted(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        if wanted is not None and ep.name not in wanted:
            continue
        if pm.get_plugin(ep.name) is not None:
            continue
        dist = ep.dist.name if ep.dist else None
        origin = "bundled" if dist == OWN_DISTRIBUTION else "entry point"
        try:
            obj = ep.load()
        except Exception as exc:  # noqa: BLE001 - report, keep the other plugins
            loaded.errors.append(PluginError(f"plugin {ep.name!r} ({ep.value}) failed to load: {type(exc).__name__}: {exc}", plugin=ep.name))
            loaded.infos[ep.name] = PluginInfo(ep.name, "?", origin, error=f"{type(exc).__name__}: {exc}")
            continue
        _register(loaded, ep.name, obj, origin, _plugin_version(obj, dist))

    folder = plugins_dir if plugins_dir is not None else env.get("AFTERSALES_PLUGINS_DIR")
    if folder:
        for name, obj in _folder_plugins(Path(folder), loaded):
            if wanted is not None and name not in wanted:
                continue
            _register(loaded, name, obj, "folder", _plugin_version(obj, None))

    for name, obj in extra:
        _register(loaded, name, obj, "registered", _plugin_version(obj, None))

    pm.check_pending()
    loaded.trace = bool(env.get("AFTERSALES_TRACE_PLUGINS"))
    if loaded.trace:
        def before(hook_name: str, impls: list, kwargs: dict) -> None:
            print(f"[aftersales] {hook_name} -> {[i.plugin_name for i in impls]}", file=sys.stderr)

        def after(outcome: Any, hook_name: str, impls: list, kwargs: dict) -> None:
            print(f"[aftersales] {hook_name} <- {outcome.get_result()!r:.200}", file=sys.stderr)

        pm.add_hookcall_monitoring(before, after)
    return loaded


def _register(loaded: LoadedPlugins, name: str, obj: Any, origin: str, version: str) -> None:
    pm = loaded.pm
    if pm.get_plugin(name) is not None:
        return
    try:
        pm.register(obj, name=name)
    except (ValueError, pluggy.PluginValidationError) as exc:
        loaded.errors.append(PluginError(f"plugin {name!r} cannot be registered: {exc}", plugin=name))
        loaded.infos[name] = PluginInfo(name, version, origin, error=str(exc))
        return
    hooks = sorted(caller.name for caller in pm.get_hookcallers(obj) or [])
    loaded.infos[name] = PluginInfo(name, version, origin, hooks=hooks)


def _folder_plugins(folder: Path, loaded: LoadedPlugins) -> list[tuple[str, Any]]:
    """Import every ``*.py`` file and package in a drop-in folder; each gives one plugin."""
    out: list[tuple[str, Any]] = []
    if not folder.is_dir():
        loaded.errors.append(PluginError(f"{folder}: plugins folder does not exist"))
        return out
    for path in sorted(folder.iterdir()):
        if path.name.startswith((".", "_")):
            continue
        if path.is_dir() and (path / "__init__.py").exists():
            init = path / "__init__.py"
            name = path.name
            search = [str(path)]
        elif path.suffix == ".py":
            init = path
            name = path.stem
            search = None
        else:
            continue
        module_name = f"aftersales_dropin_{name}"
        try:
            spec = importlib.util.spec_from_file_location(module_name, init, submodule_search_locations=search)
            if spec is None or spec.loader is None:
                raise ImportError("not a Python module")
            module = importlib.util.module_from_spec(spec)
            sys.modules[module_name] = module
            spec.loader.exec_module(module)
        except Exception as exc:  # noqa: BLE001
            sys.modules.pop(module_name, None)
            where = _exc_location(exc, init)
            loaded.errors.append(PluginError(f"{where}: plugin {name!r} failed to import: {type(exc).__name__}: {exc}", plugin=name))
            loaded.infos[name] = PluginInfo(name, "?", "folder", error=f"{type(exc).__name__}: {exc}")
            continue
        out.append((name, getattr(module, "plugin", module)))
    return out


def _exc_location(exc: BaseException, default: Path) -> str:
    if isinstance(exc, SyntaxError) and exc.filename:
        return f"{exc.filename}:{exc.lineno or 1}:{exc.offset or 1}"
    tb = exc.__traceback__
    last = None
    while tb is not None:
        if str(default.parent) in tb.tb_frame.f_code.co_filename:
            last = tb
        tb = tb.tb_next
    if last is not None:
        return f"{last.tb_frame.f_code.co_filename}:{last.tb_lineno}:1"
    return f"{default}:1:1"


class Registry:
    """Plugins, brands and compiled policies: everything ``evaluate`` needs, loaded up front."""

    def __init__(self, loaded: LoadedPlugins, *, policies_dir: str | os.PathLike | None = None) -> None:
        self.pm = loaded.pm
        self.plugins: dict[str, PluginInfo] = loaded.infos
        self.load_errors: list[Any] = list(loaded.errors)
        #: set by AFTERSALES_TRACE_PLUGINS: every hook call the engine makes is printed on stderr
        self.hook_monitor = (lambda line: print(f"[aftersales] {line}", file=sys.stderr)) if loaded.trace else None
        self.brands: dict[str, Brand] = {}
        self.policies: dict[str, list[Any]] = {}   # id -> versions, sorted by effective.from
        self.owners: dict[str, str] = {}           # policy id -> plugin name
        self.policy_issues: list[PolicyIssue] = []
        self._by_plugin: dict[str, list[list[Any]]] = {}
        self._engine = None
        self._load_brands()
        self._load_policies(policies_dir)

    # ------------------------------------------------------------------ loading

    def _load_brands(self) -> None:
        for impl in self.pm.hook.aftersales_brands.get_hookimpls():
            name = self.pm.get_name(impl.plugin)
            try:
                brands = impl.function() or []
            except Exception as exc:  # noqa: BLE001
                self.load_errors.append(PluginError(f"plugin {name!r}: aftersales_brands failed: {exc}", plugin=name))
                continue
            for brand in brands:
                if brand.id in self.brands:
                    self.load_errors.append(PluginError(
                        f"brand {brand.id!r} is served by both {self.brands[brand.id].plugin!r} and {name!r}; keeping the first", plugin=name))
                    continue
                self.brands[brand.id] = Brand(brand.id, brand.label_zh, brand.label_en, plugin=name)
                self.plugins[name].brands.append(brand.id)

    def _load_policies(self, policies_dir: str | os.PathLike | None) -> None:
        errors: list[PolicyError] = []
        for impl in self.pm.hook.aftersales_policy_files.get_hookimpls():
            name = self.pm.get_name(impl.plugin)
            try:
                files = list(impl.function() or [])
            except Exception as exc:  # noqa: BLE001
                self.load_errors.append(PluginError(f"plugin {name!r}: aftersales_policy_files failed: {exc}", plugin=name))
                continue
            for location in files:
                try:
                    policy = compile_policy(location, plugin=name)
                except PolicyError as exc:
                    errors.append(exc)
                    self.policy_issues.extend(exc.issues)
                    continue
                self._add(policy, name, errors)
        if policies_dir is not None:
            self._override_from(Path(policies_dir), errors)
        if errors:
            raise PolicyError(str(errors[0]), issues=[i for e in errors for i in e.issues])
        for plugin_name, info in self.plugins.items():
            ids = sorted(pid for pid, owner in self.owners.items() if owner == plugin_name)
            self._by_plugin[plugin_name] = [self.policies[pid] for pid in ids]
            info.policies = [
                {"id": p.id, "version": p.version, "sha256": p.sha256, "source": p.source,
                 "effective": {"from": p.effective_from.isoformat(), "until": p.effective_until.isoformat() if p.effective_until else None},
                 "valid": True}
                for pid in ids for p in self.policies[pid]
            ]

    def _add(self, policy: Any, plugin: str, errors: list[PolicyError]) -> None:
        owner = self.owners.get(policy.id)
        if owner is not None and owner != plugin:
            issue = PolicyIssue(policy.source, 1, 1, "$.id", f"policy id {policy.id!r} is already shipped by plugin {owner!r}")
            errors.append(PolicyError(str(issue), issues=[issue]))
            return
        self.owners[policy.id] = plugin
        versions = self.policies.setdefault(policy.id, [])
        for other in versions:
            if other.version == policy.version:
                issue = PolicyIssue(policy.source, 1, 1, "$.version", f"version {policy.version!r} of {policy.id!r} is loaded twice ({other.source})")
                errors.append(PolicyError(str(issue), issues=[issue]))
                return
        versions.append(policy)
        versions.sort(key=lambda p: p.effective_from)

    def _override_from(self, folder: Path, errors: list[PolicyError]) -> None:
        """Policies in ``folder`` replace, by id, the ones the plugins ship."""
        if not folder.is_dir():
            raise PolicyError(f"{folder}: policies folder does not exist")
        replaced: set[str] = set()
        for path in sorted(folder.glob("*.yaml")):
            if path.name.endswith(".cases.yaml"):
                continue
            try:
                policy = compile_policy(path)
            except PolicyError as exc:
                errors.append(exc)
                self.policy_issues.extend(exc.issues)
                continue
            owner = self.owners.get(policy.id)
            if owner is None:
                issue = PolicyIssue(policy.source, 1, 1, "$.id", f"no loaded plugin ships a policy {policy.id!r}; known: {', '.join(sorted(self.owners))}")
                errors.append(PolicyError(str(issue), issues=[issue]))
                continue
            if policy.id not in replaced:
                self.policies[policy.id] = []
                replaced.add(policy.id)
            policy.plugin = owner
            for rule in policy.offers:
                pass
            self._add(policy, owner, errors)

    # ------------------------------------------------------------------ queries

    def policies_in_force(self, plugin: str, case: Any) -> list[Any]:
        """For each policy ``plugin`` ships, the version in force for ``case`` (if any)."""
        out = []
        for versions in self._by_plugin.get(plugin, ()):
            chosen = None
            for policy in versions:
                if policy.in_force(case):
                    chosen = policy
            if chosen is not None:
                out.append(chosen)
        return out

    def all_policies(self) -> list[Any]:
        return [p for versions in self.policies.values() for p in versions]

    @property
    def coverage_plans(self) -> frozenset[str]:
        from .vocab import COVERAGE_PLANS

        plans = set(COVERAGE_PLANS)
        for policy in self.all_policies():
            for offer in policy.data.get("offers", ()):
                for path, matcher in (offer.get("when") or {}).items():
                    if path == "coverage_plans" and isinstance(matcher, Mapping) and "includes" in matcher:
                        plans.add(matcher["includes"])
        return frozenset(plans)

    def parse_case(self, data: Any, *, today: date | None = None) -> Any:
        """Validate a case mapping against the vocabulary and the plans the policies know."""
        from .errors import CaseError
        from .model import parse_case

        case = parse_case(data, today=today, coverage_plans=self.coverage_plans)
        if case.brand not in self.brands:
            raise CaseError(f"unknown brand {case.brand!r}; known brands: {', '.join(sorted(self.brands)) or 'none (no plugin loaded)'}",
                            field="brand")
        return case

    @property
    def engine(self) -> Any:
        if self._engine is None:
            from .engine import Engine

            self._engine = Engine(self)
        return self._engine

    def evaluate(self, case: Any) -> Any:
        """Decide one case (pure: no I/O)."""
        return self.engine.evaluate(case)

    def workflow(self, case: Any) -> Any:
        """Counter-process settings for ``case``: the brand's policy first, then the statutory one."""
        from .rules import Workflow

        found = None
        for versions in self.policies.values():
            for policy in versions:
                if policy.workflow is None or not policy.in_force(case):
                    continue
                if policy.brands is not None and case.brand in policy.brands:
                    return policy.workflow
                if found is None:
                    found = policy.workflow
        return found or Workflow()


def load_registry(*, plugins_dir: str | os.PathLike | None = None, policies_dir: str | os.PathLike | None = None,
                  env: Mapping[str, str] | None = None, extra: Iterable[tuple[str, Any]] = ()) -> Registry:
    """Find plugins, load and check their policies. Raises ``PolicyError`` for a broken policy."""
    loaded = load_plugins(plugins_dir=plugins_dir, env=env, extra=extra)
    return Registry(loaded, policies_dir=policies_dir)


_DEFAULT: Registry | None = None


def default_registry() -> Registry:
    """The registry of the installed plugins, loaded once per process."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = load_registry()
    return _DEFAULT


def evaluate(case: Any, registry: Registry | None = None) -> Any:
    """``evaluate(case) -> Decision`` with the installed plugins (the stable Python API)."""
    return (registry or default_registry()).evaluate(case)
