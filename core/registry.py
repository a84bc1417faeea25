"""The registry: plugins found and registered, their policies loaded, checked and compiled.

Plugins come from the entry-point group ``aftersales.plugins`` (the bundled generic_sanbao,
apple and huawei plugins are entry points of this very package, registered exactly like a
third-party one) and from a drop-in folder (``plugins_dir`` / ``AFTERSALES_PLUGINS_DIR``).
``AFTERSALES_LOAD_PLUGINS=a,b`` loads only the named plugins, the way out of a broken one; the
statutory plugin (``generic_sanbao``) is always kept, unless ``AFTERSALES_WITHOUT_STATUTORY=1``
says so explicitly, and then every decision says it is not a legal decision.
``AFTERSALES_TRACE_PLUGINS=1`` prints every hook call on stderr.

A plugin that fails to import, register, or whose policies fail to validate is quarantined
(``Registry.quarantined``): its brands answer with one line naming it, where it failed and what
to do (``QuarantineError``, exit 3); every other brand decides as before. A drop-in folder that
gives no plugin, a plugin found both installed and in the folder, or a folder or file that others
may write to: a warning (``Registry.warnings``) or a refusal, never silence.

The load-time hooks (``hookspecs.LOAD_TIME_HOOKS``) are called here, once per snapshot, each
plugin on its own through pluggy; what a plugin returns is checked inside that containment. A
plugin that fails there is named (``_State.failures``) in the decisions of its brands (of every
brand, for a plugin that serves none), and the other plugins load as usual.

Loading reads files; deciding (``Registry.evaluate``) does not.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from time import perf_counter
from typing import TYPE_CHECKING, Any

import pluggy

from . import hookspecs, policycache
from .errors import PluginError, PolicyError, QuarantineError, nearest, unknown_brand
from .outcomes import PluginFailure, Predicate
from .plugininfo import ORIGINS, REGISTER_HOOK, Brand, PluginInfo, Quarantine, Said, describe, show_value
from .policycache import bundle_file_of, display_name

if TYPE_CHECKING:
    from aftersales.authoring.policyload import PolicyIssue


def _issue(*args: Any, **kwargs: Any) -> PolicyIssue:
    """A ``PolicyIssue``: the checker module is imported only when something is wrong (or a
    policy is not in the cache), not to load policies found valid before."""
    from aftersales.authoring.policyload import PolicyIssue

    return PolicyIssue(*args, **kwargs)


def __getattr__(name: str) -> Any:
    if name == "PolicyIssue":
        from aftersales.authoring.policyload import PolicyIssue

        return PolicyIssue
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

ENTRY_POINT_GROUP = "aftersales.plugins"
OWN_DISTRIBUTION = "aftersales"
#: the plugin of the statutory floor: kept by ``AFTERSALES_LOAD_PLUGINS`` unless left out explicitly
STATUTORY_PLUGIN = "generic_sanbao"
WITHOUT_STATUTORY_ENV = "AFTERSALES_WITHOUT_STATUTORY"

_HINT_IMPORT = ("fix the plugin's code, or move it out of the plugins folder",
                "请修正插件代码，或将其移出插件文件夹")
_HINT_ENTRY = ("fix or uninstall the package, or leave it out with AFTERSALES_LOAD_PLUGINS",
               "请修正或卸载该插件包，或用 AFTERSALES_LOAD_PLUGINS 不加载它")
_HINT_POLICY = ("fix the file (aftersales policy validate checks it)", "请修正该文件（可用 aftersales policy validate 检查）")
#: the advice for a published bundle's file (changed in the store, or refused): the bundle is made again
_HINT_BUNDLE = ("publish the policies again (aftersales policy publish FOLDER)",
                "请重新发布政策（aftersales policy publish 政策文件夹）")
_HINT_WRITABLE = ("chmod go-w it (or move the plugin to a folder only its owner writes)",
                  "请执行 chmod go-w，或将插件移到仅属主可写的文件夹")


def make_plugin_manager() -> pluggy.PluginManager:
    """A plugin manager with the hook specs and nothing registered (no import-time effects)."""
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    return pm


class LoadedPlugins:
    """A plugin manager with the plugins registered, and what went wrong registering them."""

    __slots__ = ("pm", "infos", "errors", "issues", "trace", "failures", "quarantined", "warnings",
                 "without_statutory")

    def __init__(self, pm: pluggy.PluginManager) -> None:
        self.pm = pm
        self.infos: dict[str, PluginInfo] = {}
        self.errors: list[PluginError] = []
        #: plugins refused at registration (a wrapper hook), named in every decision
        self.failures: list[PluginFailure] = []
        #: the same failures as located issues (file:line:column), for ``policy validate`` and ``reload()``
        self.issues: list[PolicyIssue] = []
        #: each hook call is printed (``AFTERSALES_TRACE_PLUGINS``)
        self.trace = False
        #: plugins that failed to import or register: their brands answer with one line, exit 3
        self.quarantined: dict[str, Quarantine] = {}
        #: what was found but not used, said once (folders with no plugin, two versions of one)
        self.warnings: list[str] = []
        #: the statutory plugin was left out on purpose (``AFTERSALES_WITHOUT_STATUTORY``)
        self.without_statutory = False

    def quarantine(self, name: str, file: str, line: int, column: int, reason: str, hint: tuple[str, str],
                   reason_zh: str = "") -> None:
        if name not in self.quarantined:
            self.quarantined[name] = Quarantine(name, file, line, column, reason, hint[0], hint[1], reason_zh=reason_zh)


class PluginLoadError(PluginError):
    """A plugin that could not be imported or registered (exit 2: bad input, like a bad policy)."""

    exit_code = 2

    def __init__(self, message: str, *, plugin: str | None = None, issues: list | None = None,
                 zh: str | None = None) -> None:
        super().__init__(message, plugin=plugin, zh=zh)
        self.issues = list(issues or [])


def _wanted(env: Mapping[str, str]) -> set[str] | None:
    """The plugins ``AFTERSALES_LOAD_PLUGINS`` names (None: all), the statutory one always among
    them unless ``AFTERSALES_WITHOUT_STATUTORY`` leaves it out explicitly."""
    raw = env.get("AFTERSALES_LOAD_PLUGINS")
    if raw is None:
        return None
    names = {name.strip() for name in raw.split(",") if name.strip()}
    if not without_statutory(env):
        names.add(STATUTORY_PLUGIN)
    return names


def without_statutory(env: Mapping[str, str]) -> bool:
    """``AFTERSALES_WITHOUT_STATUTORY`` is set to a true value: the statutory plugin is left out."""
    return env.get(WITHOUT_STATUTORY_ENV, "").strip().lower() in ("1", "yes", "true", "on")


def _plugin_version(obj: Any, dist: str | None) -> str:
    version = getattr(obj, "version", None) or getattr(obj, "__version__", None)
    if version:
        return str(version)
    if dist:
        import importlib.metadata

        try:
            return importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            pass
    return "0"


def load_plugins(*, plugins_dir: str | os.PathLike | None = None, env: Mapping[str, str] | None = None,
                 extra: Iterable[tuple[str, Any]] = ()) -> LoadedPlugins:
    """Register entry-point plugins, drop-in folder plugins and ``extra`` (name, object) pairs."""
    with plugins_print_to_stderr():
        return _load_plugins(plugins_dir, os.environ if env is None else env, extra)


def _load_plugins(plugins_dir: str | os.PathLike | None, env: Mapping[str, str],
                  extra: Iterable[tuple[str, Any]]) -> LoadedPlugins:
    pm = make_plugin_manager()
    loaded = LoadedPlugins(pm)
    wanted = _wanted(env)
    loaded.without_statutory = without_statutory(env)

    for ep in sorted(policycache.entry_points(ENTRY_POINT_GROUP), key=lambda e: e.name):
        if wanted is not None and ep.name not in wanted:
            continue
        if ep.name == STATUTORY_PLUGIN and loaded.without_statutory:
            continue
        if pm.get_plugin(ep.name) is not None:
            continue
        dist = ep.dist
        origin = "bundled" if dist == OWN_DISTRIBUTION else "entry point"
        began = perf_counter()
        try:
            obj = ep.load()
            _timed(loaded, ep.name, began)
        except Exception as exc:  # noqa: BLE001 - report, keep the other plugins
            message = f"plugin {ep.name!r} ({ep.value}) failed to load: {type(exc).__name__}: {_one_line(exc)}"
            zh = f"插件 {ep.name!r}（{ep.value}）加载失败：{type(exc).__name__}: {_one_line(exc)}"
            loaded.errors.append(PluginError(message, plugin=ep.name, zh=zh))
            file, line, col = _exc_location(exc, None)
            loaded.issues.append(_issue(file or f"entry point {ep.name}", line, col, "$", message, code="plugin", zh=zh))
            loaded.infos[ep.name] = PluginInfo(ep.name, "?", origin, error=f"{type(exc).__name__}: {_one_line(exc)}",
                                               error_zh=f"加载失败：{describe(exc)}")
            loaded.quarantine(ep.name, file or f"entry point {ep.name}", line, col,
                              f"failed to load: {describe(exc)}", _HINT_ENTRY, f"加载失败：{describe(exc)}")
            continue
        _register(loaded, ep.name, obj, origin, _plugin_version(obj, dist))

    folder = plugins_dir if plugins_dir is not None else env.get("AFTERSALES_PLUGINS_DIR")
    if folder:
        found = _folder_plugins(Path(folder), loaded)
        for name, obj in found:
            if wanted is not None and name not in wanted:
                continue
            version = _plugin_version(obj, None)
            if _installed_already(loaded, name, version, folder):
                continue
            _register(loaded, name, obj, "folder", version)

    for name, obj in extra:
        _register(loaded, name, obj, "registered", _plugin_version(obj, None))

    pm.check_pending()
    loaded.trace = bool(env.get("AFTERSALES_TRACE_PLUGINS"))
    if loaded.trace:
        def before(hook_name: str, impls: Sequence[Any], kwargs: Mapping[str, Any]) -> None:
            print(f"[aftersales] {hook_name} -> {[i.plugin_name for i in impls]}", file=sys.stderr)

        def after(outcome: Any, hook_name: str, impls: Sequence[Any], kwargs: Mapping[str, Any]) -> None:
            print(f"[aftersales] {hook_name} <- {outcome.get_result()!r:.200}", file=sys.stderr)

        pm.add_hookcall_monitoring(before, after)
    return loaded


def _installed_already(loaded: LoadedPlugins, name: str, version: str | None, folder: Any) -> bool:
    """Whether a plugin of ``name`` was installed (not from the plugins ``folder``): then the
    folder's plugin of that name is not used, and a warning says so (it is not imported either,
    when its file bears the name: a broken copy never takes the installed plugin out)."""
    installed = loaded.infos.get(name)
    if installed is None or installed.origin == "folder":
        return False
    mine = f"{name!r} {version}" if version else repr(name)
    loaded.warnings.append(Said(
        f"plugin {mine} in the plugins folder {folder} is not used: {name!r} {installed.version} "
        f"is installed ({installed.origin}); uninstall one of them",
        f"插件文件夹 {folder} 中的插件 {mine} 未被使用：已安装 {name!r} {installed.version}"
        f"（{ORIGINS.get(installed.origin, (installed.origin,))[0]}）；请卸载其中一个"))
    return True


def _defined_at(function: Any, unknown: str) -> tuple[str, int]:
    """Where a plugin's hook is written: its ``def`` (file, shown as an import failure's is, and
    first line), for the line that quarantines the plugin; ``(unknown, 1)`` when the function's code cannot say. A hook a
    ``PolicyPlugin`` answers from the plugin's own attributes (its ``brands``...) is the plugin's
    class, where they are written, not the helper's code."""
    from .policyplugin import PolicyPlugin

    owner = getattr(function, "__self__", None)
    if isinstance(owner, PolicyPlugin) and getattr(function, "__func__", None) is \
            getattr(PolicyPlugin, getattr(function, "__name__", ""), None):
        import inspect

        try:
            source = inspect.getsourcefile(type(owner))
            return _show_path(source) if source else unknown, inspect.getsourcelines(type(owner))[1]
        except (OSError, TypeError):
            return unknown, 1
    code = getattr(function, "__code__", None)
    return (_show_path(code.co_filename), code.co_firstlineno) if code is not None else (unknown, 1)


def _register(loaded: LoadedPlugins, name: str, obj: Any, origin: str, version: str) -> None:
    pm = loaded.pm
    if pm.get_plugin(name) is not None:
        return
    try:
        pm.register(obj, name=name)
    except (ValueError, pluggy.PluginValidationError) as exc:
        message = f"plugin {name!r} cannot be registered: {_one_line(exc)}"
        zh = f"插件 {name!r} 无法注册：{_one_line(exc)}"
        loaded.errors.append(PluginError(message, plugin=name, zh=zh))
        loaded.issues.append(_issue(f"plugin {name}", 0, 0, "$", message, code="plugin", zh=zh))
        loaded.infos[name] = PluginInfo(name, version, origin, error=str(exc), error_zh=f"无法注册：{_one_line(exc)}")
        loaded.quarantine(name, "", 0, 0, f"cannot be registered: {_one_line(exc)}",
                          _HINT_IMPORT if origin == "folder" else _HINT_ENTRY, f"无法注册：{_one_line(exc)}")
        return
    callers = pm.get_hookcallers(obj) or []
    wrappers = [(caller.name, impl.function) for caller in callers for impl in caller.get_hookimpls()
                if impl.plugin is obj and (impl.wrapper or impl.hookwrapper)]
    hooks = sorted(caller.name for caller in callers)
    if wrappers:
        # a wrapper sees (and may change or swallow) every other plugin's answers: refused
        pm.unregister(obj)
        hook, function = wrappers[0]
        error = (f"refused: {hook} is a wrapper (wrapper=True or hookwrapper=True); "
                 f"aftersales hooks take plain implementations only")
        error_zh = f"被拒用：{hook} 是包装器（wrapper=True 或 hookwrapper=True）；aftersales 的钩子只接受普通实现"
        loaded.errors.append(PluginError(f"plugin {name!r} {error}", plugin=name, zh=f"插件 {name!r} {error_zh}"))
        loaded.infos[name] = PluginInfo(name, version, origin, error=error, error_zh=error_zh)
        if "aftersales_brands" in hooks:
            # a brand's plugin: its brands answer with the quarantine, no other brand's decision names it
            file, line = _defined_at(function, "")
            loaded.quarantine(name, file, line, 1, error, _HINT_IMPORT if origin == "folder" else _HINT_ENTRY, error_zh)
        else:   # a network's plugin (it serves no brand): every decision says it was refused
            loaded.failures.append(PluginFailure(plugin=name, hook=REGISTER_HOOK, error=error, error_zh=error_zh))
        return
    if not hooks and origin == "folder":
        loaded.warnings.append(Said(f"plugins folder: {name!r} implements no aftersales hook (nothing marked "
                                    f"@aftersales.hookimpl, and no `plugin` object): it adds nothing",
                                    f"插件文件夹：{name!r} 没有实现任何 aftersales 钩子（没有 @aftersales.hookimpl，"
                                    f"也没有 plugin 对象），不起作用"))
    loaded.infos[name] = PluginInfo(name, version, origin, hooks=hooks)


def _writable_by_others(path: Path) -> str | None:
    """``group`` or ``others`` when someone besides the owner may write to ``path`` (None on
    systems without POSIX modes, or when the mode cannot be read)."""
    import stat

    if os.name != "posix":
        return None
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if mode & stat.S_IWOTH:
        return "others"
    if mode & stat.S_IWGRP:
        return "group"
    return None


def _candidates(folder: Path, warnings: list) -> list[tuple[str, Path, list[str] | None]]:
    """(name, file to import, package search path) for each plugin a drop-in folder holds: a
    ``*.py`` file, a package (``__init__.py``), or the folder ``aftersales plugin new`` writes
    (``aftersales-BRAND/`` with its package inside). Anything else there is named in ``warnings``."""
    out: list[tuple[str, Path, list[str] | None]] = []
    if (folder / "__init__.py").exists() and not any(folder.glob("*/__init__.py")):
        warnings.append(Said(f"plugins folder {folder} is itself a package: point the plugins folder at the "
                                    f"folder holding it ({folder.parent})",
                                    f"插件文件夹 {folder} 本身是一个包：请把插件文件夹指向它的上一级（{folder.parent}）"))
    # the folder ``aftersales plugin new`` wrote, pointed at itself: its tests and docs folders are its own
    project = (folder / "pyproject.toml").exists()
    for path in sorted(folder.iterdir()):
        if path.name.startswith((".", "_")):
            continue
        if path.is_dir() and (path / "__init__.py").exists():
            out.append((_package_plugin(path.name), path / "__init__.py", [str(path)]))
        elif path.suffix == ".py" and path.is_file():
            out.append((path.stem, path, None))
        elif path.is_dir():
            inner = [p for p in sorted(path.iterdir()) if p.is_dir() and (p / "__init__.py").exists()
                     and not p.name.startswith((".", "_"))]
            if (path / "pyproject.toml").exists() and inner:
                out.extend((_package_plugin(p.name), p / "__init__.py", [str(p)]) for p in inner)
            elif not project:
                warnings.append(Said(f"plugins folder: {path} is not a plugin (no __init__.py); left out",
                                            f"插件文件夹：{path} 不是插件（没有 __init__.py），未加载"))
    return out


def _package_plugin(package: str) -> str:
    """The plugin a package of a drop-in folder is taken for before it is imported (what a
    failure to import it is named by, its brand's cases answer with): its name, but for the
    ``aftersales_`` that ``aftersales plugin new`` writes before the brand (``aftersales_xiaomi``
    is the plugin ``xiaomi``, as its entry point names it)."""
    return package.removeprefix("aftersales_") or package


def _folder_plugins(folder: Path, loaded: LoadedPlugins) -> list[tuple[str, Any]]:
    """Import every plugin of a drop-in folder (see ``_candidates``); each gives one plugin.

    A folder others may write to is refused whole (anyone could plant code in it); a plugin file
    others may write to is refused (quarantined); a plugin that fails to import is quarantined."""
    out: list[tuple[str, Any]] = []
    if not folder.is_dir():
        loaded.errors.append(PluginError(f"{folder}: plugins folder does not exist", zh=f"{folder}：插件文件夹不存在"))
        loaded.issues.append(_issue(str(folder), 0, 0, "$", "plugins folder does not exist", code="plugin",
                                    zh="插件文件夹不存在"))
        return out
    who = _writable_by_others(folder)
    if who is not None:
        message = (f"plugins folder {folder} is writable by {who}: none of its plugins is loaded; "
                   f"chmod go-w {folder}")
        zh = (f"插件文件夹 {folder} {'其他用户' if who == 'others' else '同组用户'}可写入：其中的插件一个也不加载；"
              f"请执行 chmod go-w {folder}")
        loaded.errors.append(PluginError(message, zh=zh))
        loaded.issues.append(_issue(str(folder), 0, 0, "$", message, code="plugin", zh=zh))
        # its plugins' brands answer with the folder's problem, not as brands no one knows
        said_zh = f"所在插件文件夹{'其他用户' if who == 'others' else '同组用户'}可写入，未加载"
        for name, _init, _search in _candidates(folder, []):
            if name not in loaded.infos:
                loaded.infos[name] = PluginInfo(name, "?", "folder", error=f"its folder is writable by {who}: not loaded",
                                                error_zh=said_zh)
                loaded.quarantine(name, str(folder), 0, 0, f"its folder is writable by {who}, not loaded",
                                  _HINT_WRITABLE, said_zh)
        return out
    candidates = _candidates(folder, loaded.warnings)
    if not candidates:
        loaded.warnings.append(Said(f"plugins folder {folder} holds no plugin (a *.py file or a package with "
                                    f"__init__.py giving aftersales hooks)",
                                    f"插件文件夹 {folder} 中没有插件（应为提供 aftersales 钩子的 *.py 文件或含 __init__.py 的包）"))
    for name, init, search in candidates:
        if _installed_already(loaded, name, None, folder):
            continue
        who = next((w for w in (_writable_by_others(init), _writable_by_others(init.parent) if search else None) if w), None)
        if who is not None:
            shown, said_zh = _show_path(str(init)), f"{'其他用户' if who == 'others' else '同组用户'}可写入，未加载"
            message = f"plugin {name!r} ({shown}) is writable by {who}: not loaded"
            zh = f"插件 {name!r}（{shown}）{said_zh}"
            loaded.errors.append(PluginError(message, plugin=name, zh=zh))
            loaded.issues.append(_issue(shown, 0, 0, "$", message, code="plugin", zh=zh))
            loaded.infos[name] = PluginInfo(name, "?", "folder", error=f"writable by {who}: not loaded", error_zh=said_zh)
            loaded.quarantine(name, shown, 0, 0, f"writable by {who}, not loaded", _HINT_WRITABLE, said_zh)
            continue
        module_name = f"aftersales_dropin_{name}"
        try:
            import importlib.util

            spec = importlib.util.spec_from_file_location(module_name, init, submodule_search_locations=search)
            if spec is None or spec.loader is None:
                raise ImportError("not a Python module")
            module = importlib.util.module_from_spec(spec)
            sys.modules[module_name] = module
            began = perf_counter()
            spec.loader.exec_module(module)
            _timed(loaded, name, began)
        except BaseException as exc:  # noqa: BLE001 - even SystemExit from a plugin must not end the program
            if isinstance(exc, KeyboardInterrupt):
                raise
            sys.modules.pop(module_name, None)
            file, line, col = _exc_location(exc, init)
            message = f"plugin {name!r} failed to import: {type(exc).__name__}: {_one_line(exc)}"
            zh = f"插件 {name!r} 导入失败：{type(exc).__name__}: {_one_line(exc)}"
            loaded.errors.append(PluginError(f"{file}:{line}:{col}: {message}", plugin=name, zh=f"{file}:{line}:{col}: {zh}"))
            loaded.issues.append(_issue(file, line, col, "$", message, code="plugin", zh=zh))
            loaded.infos[name] = PluginInfo(name, "?", "folder", error=f"{type(exc).__name__}: {_one_line(exc)}",
                                            error_zh=f"导入失败：{describe(exc)}")
            loaded.quarantine(name, file, line, col, f"failed to import: {describe(exc)}", _HINT_IMPORT,
                              f"导入失败：{describe(exc)}")
            continue
        obj = getattr(module, "plugin", module)
        # a PolicyPlugin answers for the policies of its own ``name``: register it under that name
        own = getattr(obj, "name", None)
        out.append((own if isinstance(own, str) and own else name, obj))
    return out


#: seconds a plugin may take to import before every command says so (each one waits for it)
SLOW_IMPORT = 1.0


def _timed(loaded: LoadedPlugins, name: str, began: float) -> None:
    """A warning when plugin ``name``, imported since ``began``, took longer than ``SLOW_IMPORT``:
    every command and every brand's decision waits for it, and nothing else would say why."""
    took = perf_counter() - began
    if took > SLOW_IMPORT:
        loaded.warnings.append(Said(
            f"plugin {name!r} took {took:.1f} s to import: every command waits for it (see what it does "
            f"when imported: a network call, a large file)",
            f"插件 {name!r} 导入用了 {took:.1f} 秒：每条命令都要等它（请检查它导入时做了什么：联网、读大文件）"))


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else ""


def _exc_location(exc: BaseException, default: Path | None) -> tuple[str, int, int]:
    """(file, line, column) where a plugin's import failed: the plugin's own frame, not ours."""
    if isinstance(exc, SyntaxError) and exc.filename:
        return _show_path(exc.filename), exc.lineno or 1, exc.offset or 1
    tb = exc.__traceback__
    last = None
    first_foreign = None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if default is not None and str(default.parent) in filename:
            last = tb
        elif first_foreign is None and not filename.startswith("<") and "importlib" not in filename \
                and not filename.endswith("registry.py"):
            first_foreign = tb
        tb = tb.tb_next
    pick = last or (first_foreign if default is None else None)
    if pick is not None:
        return _show_path(pick.tb_frame.f_code.co_filename), pick.tb_lineno, 1
    if default is not None:
        return _show_path(str(default)), 1, 1
    return "", 1, 1


def _show_path(filename: str) -> str:
    try:
        return str(Path(filename).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return filename


def out_of_scope_text(plugin: str, served: Collection[str], brands: Sequence[str] | None) -> tuple[str, str]:
    """What to say (English, Chinese) of a policy of the brand plugin ``plugin``, which serves
    ``served``, naming ``brands`` (None: any brand) beyond them: the loader's refusal and
    ``policy validate``'s error alike."""
    named = "any" if brands is None else ", ".join(brands)
    # a typo'd brand (appel): the brand the plugin serves that it was probably meant to be
    meant = [m for brand in brands or () if brand not in served for m in nearest(brand, served)[:1]]
    hint_en = f"; did you mean {', '.join(map(repr, meant))}?" if meant else ""
    hint_zh = f"；您是否想写 {'、'.join(map(repr, meant))}？" if meant else ""
    return (f"plugin {plugin!r} serves {', '.join(sorted(served)) or 'no brand it claimed'}; its policy "
            f"may not apply to {named}{hint_en}",
            (f"插件 {plugin!r} 只提供品牌 {'、'.join(sorted(served))}" if served else
             f"插件 {plugin!r} 声明的品牌都已由其他插件提供，它不提供任何品牌")
            + f"；它的政策不能适用于{'任何品牌' if brands is None else ' ' + named}{hint_zh}"
            + ("" if served else "：请在插件的 brands 中写它自己的品牌（不能与已安装的插件重复）"))


def each_plugin(pm: pluggy.PluginManager, hook_name: str) -> list[tuple[str, Any]]:
    """(plugin name, a hook caller for that plugin alone) for each plugin implementing
    ``hook_name``, in pluggy's call order: a plugin is consulted through pluggy (monitoring,
    argument checks and all) yet on its own, so that its failure is contained."""
    impls = list(reversed(getattr(pm.hook, hook_name).get_hookimpls()))
    out = []
    for impl in impls:
        others = [other.plugin for other in impls if other is not impl]
        out.append((pm.get_name(impl.plugin) or impl.plugin_name, pm.subset_hook_caller(hook_name, others)))
    return out


class _State:
    """One consistent snapshot of plugins, brands and compiled policies.

    The registry holds exactly one; ``Registry.reload()`` builds a new one and swaps it in with a
    single assignment, so a decision never sees half of an old set and half of a new one (the
    engine is part of the snapshot and reads only from it).
    """

    def __init__(self, loaded: LoadedPlugins) -> None:
        self.pm = loaded.pm
        self.plugins: dict[str, PluginInfo] = loaded.infos
        self.load_errors: list[Any] = list(loaded.errors)
        self.plugin_issues: list[PolicyIssue] = list(loaded.issues)
        self.brands: dict[str, Brand] = {}
        #: the plugins that answered ``aftersales_brands`` with brands, granted or not: each speaks
        #: for the brands it was granted only (a plugin refused a brand another serves does not
        #: become one serving none, a network's, which may speak for any)
        self.brand_plugins: set[str] = set()
        self.policies: dict[str, list[Any]] = {}   # id -> versions, sorted by effective.from
        self.owners: dict[str, str] = {}           # policy id -> plugin name
        self.policy_issues: list[PolicyIssue] = []
        self.nodes: dict[tuple[str, str], tuple[Any, Any]] = {}   # (id, version) -> (data, YAML node)
        self.failed: dict[str, list[dict]] = {}    # plugin -> policy files that failed
        #: load-time hooks that failed or answered what they may not (and wrappers refused)
        self.failures: list[PluginFailure] = list(loaded.failures)
        #: the named predicates the plugins offer (``aftersales_predicates``)
        self.predicates: dict[str, Predicate] = {}
        #: registered plugins in pluggy's call order (the last registered first): the order
        #: in which their policies are read
        self.plugin_order: tuple[str, ...] = tuple(
            name for name in reversed(list(loaded.infos)) if loaded.pm.get_plugin(name) is not None)
        self.by_plugin: dict[str, list[list[Any]]] = {}
        #: plugins left out (import, registration, load or validation failed), by name
        self.quarantined: dict[str, Quarantine] = dict(loaded.quarantined)
        #: brand -> the quarantine its cases answer with (every brand, when the statutory plugin is)
        self.quarantine_by_brand: dict[str, Quarantine] = {}
        #: policy errors that belong to a quarantined plugin (contained: they stop only its brands)
        self.contained: set[int] = set()
        self.warnings: list[str] = list(loaded.warnings)
        self.without_statutory = loaded.without_statutory
        #: a statutory policy is loaded: decisions are legal ones (see ``Decision.legal``)
        self.statutory_loaded = True
        #: the published bundle the policies come from: (id, sha256), or None
        self.bundle: tuple[str, str] | None = None
        #: the document and checklist ids the loaded policies declare: id -> (zh, en, kind, gates)
        self.vocabulary: dict[str, tuple[str, str, str, tuple[str, ...]]] = {}
        self._engine: Any = None
        self._coverage_plans: frozenset[str] | None = None

    @property
    def coverage_plans(self) -> frozenset[str]:
        # read for every parsed case: worked out once per snapshot
        if self._coverage_plans is None:
            from .vocab import COVERAGE_PLANS

            plans = set(COVERAGE_PLANS)
            for versions in self.policies.values():
                for policy in versions:
                    for offer in policy.data.get("offers", ()):
                        matcher = (offer.get("when") or {}).get("coverage_plans")
                        if isinstance(matcher, Mapping) and "includes" in matcher:
                            plans.add(matcher["includes"])
            self._coverage_plans = frozenset(plans)
        return self._coverage_plans

    @property
    def errors(self) -> list[PolicyIssue]:
        return [i for i in self.plugin_issues + self.policy_issues if i.severity == "error"]

    def policies_in_force(self, plugin: str, case: Any) -> list[Any]:
        out = []
        for versions in self.by_plugin.get(plugin, ()):
            chosen = None
            for policy in versions:
                if policy.in_force(case):
                    chosen = policy
            if chosen is not None:
                out.append(chosen)
        return out

    @property
    def engine(self) -> Any:
        if self._engine is None:
            from .engine import Engine

            self._engine = Engine(self)
        return self._engine


def _not_statutory_plugin(source: str, node: Any, plugin: str) -> PolicyIssue:
    """The issue of a ``kind: statutory`` policy given by ``plugin``, not the statutory plugin."""
    line, col = _locate_field(node, "$.kind")
    return _issue(source, line, col, "$.kind",
                  f"only the statutory plugin ({STATUTORY_PLUGIN}) gives the statutory policy; plugin "
                  f"{plugin!r} may not give one (kind: statutory): use kind: brand or network",
                  code="scope", zh=f"法定政策只由法定插件（{STATUTORY_PLUGIN}）提供；插件 {plugin!r} 不能提供"
                                   f"（kind: statutory）：请改为 kind: brand 或 network")


def _compile_checked(location: Any, plugin: str, predicates: Any = None) -> tuple[Any, Any, list[PolicyIssue]]:
    """(compiled policy or None, YAML node, issues) for one policy file.

    A file found valid before (same text, same checks) comes straight from the policy cache:
    no YAML, no validation, its node tree composed only if a location is asked for."""
    found = policycache.read_text(location)
    if found is not None:
        name, text, sha256 = found
        data = policycache.get(sha256)
        if data is not None:
            return _compile(data, name, sha256, policycache.LazyNode(text), [], plugin, predicates)
    from aftersales.authoring.policyload import PolicySource, check_policy_full, read_source

    if found is None:
        try:
            source = read_source(location)   # says why, located
        except PolicyError as exc:
            return None, None, list(exc.issues)
    else:
        source = PolicySource(found[0], found[1])
    data, node, issues = check_policy_full(source)
    if data is None:
        if plugin and plugin != STATUTORY_PLUGIN and node is not None and any(i.severity == "error" for i in issues):
            from aftersales.authoring.policyload import compose_data

            if compose_data(node).get("kind") == "statutory":
                # what it may not give at all comes first: not how far below the regulation it is
                issues = [_not_statutory_plugin(source.name, node, plugin), *issues]
        return None, node, issues
    return _compile(data, source.name, source.sha256, node, issues, plugin, predicates)


def _compile(data: Mapping[str, Any], name: str, sha256: str, node: Any, issues: list[PolicyIssue],
             plugin: str, predicates: Any = None) -> tuple[Any, Any, list[PolicyIssue]]:
    """Compile a usable policy; the generated code objects of one with no issue are cached."""
    from .rules import CompiledPolicy

    try:
        if issues:
            policy = CompiledPolicy(data, sha256=sha256, source=name, plugin=plugin, predicates=predicates)
        else:
            with policycache.compiling(sha256):
                policy = CompiledPolicy(data, sha256=sha256, source=name, plugin=plugin, predicates=predicates)
    except PolicyError as exc:
        line, column = _locate_field(node, exc.field)
        issues.append(_issue(name, line, column, exc.field or "$", exc.message, code="compile", zh=exc.message_zh))
        return None, node, issues
    return policy, node, issues


def _locate_field(node: Any, field: str | None) -> tuple[int, int]:
    """Line and column of a JSON path such as ``$.region_rules[0].pattern`` (1:1 when it is not
    one, or the policy has no node tree)."""
    import re

    if node is None or not field or not field.startswith("$"):
        return 1, 1
    parts: list[Any] = [int(p) if p.isdigit() else p for p in re.findall(r"[^.\[\]$]+", field)]
    from aftersales.authoring.policyload import locate

    try:
        return locate(node, parts)
    except Exception:  # noqa: BLE001 - a location is a help, never a second failure
        return 1, 1


class _Builder:
    """Loads brands and policies into a fresh ``_State``, collecting every issue."""

    def __init__(self, loaded: LoadedPlugins, bundle: tuple[str, str] | None = None) -> None:
        self.state = _State(loaded)
        self.state.bundle = bundle
        #: policy ids an override replaced (or tried to: a broken one quarantines its plugin)
        self._replaced: set[str] = set()

    def build(self, policies_dir: str | os.PathLike | None, policy_files: Iterable[Any]) -> _State:
        self._load_brands()
        self._load_predicates()
        self._load_policies()
        overrides: list[Any] = []
        if policies_dir is not None:
            folder = Path(policies_dir)
            if not folder.is_dir():
                self.state.policy_issues.append(_issue(str(folder), 1, 1, "$", "policies folder does not exist", code="io"))
            else:
                overrides.extend(p for p in sorted(folder.glob("*.yaml")) if not p.name.endswith(".cases.yaml"))
        overrides.extend(policy_files)
        if overrides or policies_dir is not None:
            self._override(overrides)
            where = f"policies folder {policies_dir}" if policies_dir is not None else "the policies given"
            where_zh = f"政策文件夹 {policies_dir}" if policies_dir is not None else "给出的政策"
            if self.state.bundle is not None:
                where, where_zh = f"policy bundle {self.state.bundle[0]}", f"政策包 {self.state.bundle[0]}"
            missing = sorted(pid for pid in self.state.owners if pid not in self._replaced)
            for pid in missing:   # a deleted override falls back to the plugin's own policy: said
                owner = self.state.owners[pid]
                self.state.warnings.append(Said(
                    f"{where} has no policy {pid!r} ({pid}.yaml): {pid!r} decides with the policy plugin {owner!r} ships",
                    f"{where_zh} 中没有政策 {pid!r}（{pid}.yaml）：{pid!r} 按插件 {owner!r} 自带的政策判定"))
        self._check_versions()
        self._contain()
        self._finish()
        return self.state

    def _quarantine(self, plugin: str, issue: Any, hint: tuple[str, str] = _HINT_POLICY) -> None:
        """Leave ``plugin`` out for the policy problem ``issue`` (the first one is named)."""
        st = self.state
        if issue is not None:
            st.contained.add(id(issue))
            if hint is _HINT_POLICY and bundle_file_of(str(issue.file)) is not None:
                hint = _HINT_BUNDLE   # one piece of advice, the one that fits where the policy came from
        failed = next((f for f in st.failures if f.plugin == plugin), None) if plugin else None
        if failed is not None and plugin not in st.quarantined:
            # its own load-time hook failed first (predicates it could not give, say): that is the
            # cause to fix, not the policy that then named what is missing
            self._leave_out(failed)
            return
        if plugin and plugin not in st.quarantined:
            if issue is None:
                st.quarantined[plugin] = Quarantine(plugin, "", 0, 0, "a policy is invalid", *hint)
            else:
                zh = getattr(issue, "zh", "") or issue.message
                at = f"{issue.path}: " if getattr(issue, "path", "$") not in ("", "$") else ""
                st.quarantined[plugin] = Quarantine(plugin, issue.file, issue.line, issue.column, at + issue.message,
                                                    *hint, reason_zh=at + zh)

    def _contain(self) -> None:
        """Every policy error is laid at the door of the plugin whose policy it is; those plugins'
        policies are taken out whole (a brand is never decided by half its terms), their brands
        answer with the quarantine. A policy error nobody owns stays an error of the whole set."""
        st = self.state
        source_owner = {p.source: p.plugin for versions in st.policies.values() for p in versions}
        for plugin, failed in st.failed.items():
            for entry in failed:
                source_owner.setdefault(entry.get("source", ""), plugin)
        for issue in st.policy_issues:
            if issue.severity != "error" or id(issue) in st.contained:
                continue
            owner = source_owner.get(issue.file)
            if owner:
                self._quarantine(owner, issue)
        for name in st.quarantined:
            for pid in [pid for pid, owner in st.owners.items() if owner == name]:
                for old in st.policies.pop(pid, ()):
                    st.nodes.pop((old.id, old.version), None)
                del st.owners[pid]
        st.statutory_loaded = any(p.statutory for versions in st.policies.values() for p in versions)
        for name, q in list(st.quarantined.items()):
            brands = tuple(b.id for b in st.brands.values() if b.plugin == name)
            st.quarantined[name] = q._replace(brands=brands)
            for brand in brands:
                st.quarantine_by_brand[brand] = st.quarantined[name]
        statutory = st.quarantined.get(STATUTORY_PLUGIN)
        if statutory is not None:   # the floor is never dropped silently: no brand decides without it
            for brand in st.brands:
                st.quarantine_by_brand.setdefault(brand, statutory)

    def _fail(self, plugin: str, hook: str, error: str, issue: Any = None, zh: str | None = None) -> None:
        """A load-time hook of ``plugin`` that raised or answered what it may not (``zh``: what
        is wrong in Chinese, when it is not an exception's own text)."""
        st = self.state
        st.failures.append(PluginFailure(plugin=plugin, hook=hook, error=error, error_zh=zh or ""))
        zh = zh or error
        st.load_errors.append(PluginError(f"plugin {plugin!r}: {hook} failed: {error}", plugin=plugin,
                                          zh=f"插件 {plugin!r}：{hook} 出错：{zh}"))
        st.plugin_issues.append(issue or _issue(f"plugin {plugin}", 0, 0, "$", f"{hook} failed: {error}", code="plugin",
                                                zh=f"{hook} 出错：{zh}"))

    def _answers(self, hook: str) -> Iterable[tuple[str, Any]]:
        """(plugin, answer) of each plugin implementing the load-time ``hook``, each called on
        its own; a plugin that raises is recorded and skipped."""
        for name, call in each_plugin(self.state.pm, hook):
            try:
                answer = call()
            except Exception as exc:  # noqa: BLE001 - contained: named, the other plugins load
                self._fail(name, hook, describe(exc))
                continue
            yield name, answer[0] if answer else None

    def _listed(self, hook: str, what: str, what_zh: str) -> Iterable[tuple[str, list]]:
        """(plugin, its answer as a list) of each plugin answering the load-time ``hook`` with a
        list (``what``: what the hook answers, in English and Chinese); one that answers something
        else (a string, a mapping, a number) is recorded and skipped, one answering None is skipped."""
        for name, answer in self._answers(hook):
            if answer is None:
                continue
            if isinstance(answer, (str, bytes, Mapping)) or not isinstance(answer, Iterable):
                self._fail(name, hook, f"returned {show_value(answer)}, not {what}", zh=f"返回了 {show_value(answer)}，不是{what_zh}")
                continue
            yield name, list(answer)

    def _load_brands(self) -> None:
        """The brands each plugin serves. Read in the order the plugins were installed (the bundled
        ones, then other installed ones, a plugins folder's, those registered in code), so a brand
        two plugins claim stays with the one installed first: a drop-in cannot take a brand over."""
        st = self.state
        installed = {name: (info.origin != "bundled", index) for index, (name, info) in enumerate(st.plugins.items())}
        last = (True, len(installed))
        failed_before = len(st.failures)
        answers = sorted(self._answers("aftersales_brands"), key=lambda pair: installed.get(pair[0], last))
        for name, brands in answers:
            if brands is None:
                continue
            if isinstance(brands, (str, bytes, Mapping)) or not isinstance(brands, Iterable) \
                    or not all(isinstance(b, Brand) and isinstance(b.id, str) and isinstance(b.aliases, (tuple, list))
                               and all(isinstance(a, str) for a in b.aliases) for b in brands):
                self._fail(name, "aftersales_brands", f"returned {show_value(brands)}, not a list of Brand (aliases: "
                           f"a tuple of texts)", zh=f"返回了 {show_value(brands)}，不是 Brand 的列表（aliases 应为文本的元组）")
                continue
            if brands:
                st.brand_plugins.add(name)
            for brand in brands:
                if brand.id in st.brands:
                    first = st.brands[brand.id].plugin
                    st.load_errors.append(PluginError(
                        f"brand {brand.id!r} is served by both {first!r} and {name!r}; {first!r} (installed first) "
                        f"keeps it: {name!r} decides nothing of its units", plugin=name,
                        zh=f"品牌 {brand.id!r} 同时由插件 {first!r} 和 {name!r} 提供；由先安装的 {first!r} 提供，"
                           f"{name!r} 不参与该品牌的判定"))
                    continue
                st.brands[brand.id] = Brand(brand.id, brand.label_zh, brand.label_en, plugin=name,
                                            aliases=tuple(brand.aliases))
                st.plugins[name].brands.append(brand.id)
        # a plugin that cannot say which brands it serves is left out whole: taken for a network's
        # plugin (one serving no brand), it would be asked about every brand's units
        for failure in st.failures[failed_before:]:
            self._leave_out(failure)

    def _leave_out(self, failure: PluginFailure) -> None:
        """Quarantine the plugin of ``failure`` (a load-time hook of its own that raised or answered
        wrongly) and take it out of the plugin manager: none of its hooks is called again, and no
        other brand's decision names it. Its brands answer with the quarantine; when they are not
        known, a case of the brand bearing its name does (``parse_case``)."""
        st = self.state
        name = failure.plugin
        plugin = st.pm.get_plugin(name)
        function = next((impl.function for impl in getattr(st.pm.hook, failure.hook).get_hookimpls()
                         if impl.plugin is plugin), None)
        file, line = _defined_at(function, f"plugin {name}")
        st.quarantined.setdefault(name, Quarantine(
            name, file, line, 1, f"{failure.hook} failed: {failure.error}", *_HINT_IMPORT,
            reason_zh=f"{failure.hook} 出错：{failure.error_zh or failure.error}"))
        if plugin is not None:
            st.pm.unregister(plugin=plugin, name=name)


    def _load_predicates(self) -> None:
        from .rules import PREDICATE_NAME

        st = self.state
        for name, offered in self._answers("aftersales_predicates"):
            if offered is None:
                continue
            if not isinstance(offered, Mapping):
                self._fail(name, "aftersales_predicates", f"returned {show_value(offered)}, not a mapping of names to functions",
                           zh=f"返回了 {show_value(offered)}，不是“名称 → 函数”的映射")
                continue
            for key, function in offered.items():
                if not isinstance(key, str) or not PREDICATE_NAME.match(key) or not callable(function):
                    self._fail(name, "aftersales_predicates",
                               f"{key!r}: {show_value(function)} (a name of lower-case letters, digits and _, and a function)",
                               zh=f"{key!r}：{show_value(function)}（名称只能用小写字母、数字和 _，值须是函数）")
                    continue
                if key in st.predicates:
                    self._fail(name, "aftersales_predicates",
                               f"predicate {key!r} is already offered by plugin {st.predicates[key].plugin!r}",
                               zh=f"谓词 {key!r} 已由插件 {st.predicates[key].plugin!r} 提供")
                    continue
                st.predicates[key] = Predicate(name=key, plugin=name, function=function)

    def _load_policies(self) -> None:
        st = self.state
        for name, files in self._listed("aftersales_policy_files", "a list of files", "文件列表"):
            for location in files:
                if isinstance(location, (str, os.PathLike)):
                    location = Path(location)
                elif not callable(getattr(location, "read_bytes", None)):
                    self._fail(name, "aftersales_policy_files", f"{show_value(location)} is not a path or a resource",
                               zh=f"{show_value(location)} 不是路径或资源")
                    continue
                try:
                    policy, node, issues = _compile_checked(location, name, st.predicates)
                except Exception as exc:  # noqa: BLE001 - a resource that fails to read in its own way
                    self._fail(name, "aftersales_policy_files", f"{display_name(location)}: {describe(exc)}")
                    continue
                st.policy_issues.extend(issues)
                if policy is None:
                    first = next((i for i in issues if i.severity == "error"), None)
                    st.failed.setdefault(name, []).append({"source": first.file if first else str(location), "valid": False,
                                                           "error": str(first) if first else "invalid",
                                                           "error_zh": first.text("zh") if first else "无效"})
                    self._quarantine(name, first)
                    for issue in issues:
                        st.contained.add(id(issue))
                    continue
                self._add(policy, node, name)
        for name, mappings in self._listed("aftersales_policies", "a list of policy mappings", "政策映射的列表"):
            for index, data in enumerate(mappings):
                where = f"{name}:aftersales_policies[{index}]"
                text = _policy_text(data)
                if text is None:
                    self._fail(name, "aftersales_policies", f"[{index}] is {show_value(data)}, not a policy mapping of "
                                                            "JSON values (text, numbers, booleans, lists, mappings)",
                               zh=f"第 {index} 项是 {show_value(data)}，不是由 JSON 值（文本、数字、布尔值、列表、映射）"
                                  f"组成的政策映射")
                    continue
                from aftersales.authoring.policyload import PolicySource

                policy, node, issues = _compile_checked(PolicySource(where, text), name, st.predicates)
                if policy is None:
                    first = next((i for i in issues if i.severity == "error"), issues[0] if issues else None)
                    self._fail(name, "aftersales_policies", str(first) if first else f"{where}: invalid", first,
                               zh=first.text("zh") if first else f"{where}：无效")
                    self._quarantine(name, first)
                    continue
                st.policy_issues.extend(issues)   # warnings only
                self._add(policy, node, name)

    def _add(self, policy: Any, node: Any, plugin: str) -> None:
        st = self.state
        owner = st.owners.get(policy.id)
        if owner is not None and owner != plugin:
            # two plugins ship one policy id: the one it belongs to keeps it (the plugin of that
            # name, or serving its brands), whichever loaded first; the other is quarantined
            if self._rightful(policy, plugin) and not self._rightful(st.policies[policy.id][0], owner):
                old = st.policies.pop(policy.id)
                for version in old:
                    st.nodes.pop((version.id, version.version), None)
                issue = _issue(old[0].source, 1, 1, "$.id", f"policy id {policy.id!r} belongs to plugin {plugin!r} "
                               f"(it ships {policy.source}); plugin {owner!r} may not ship it", code="duplicate_id")
                st.policy_issues.append(issue)
                self._quarantine(owner, issue)
            else:
                issue = _issue(policy.source, 1, 1, "$.id", f"policy id {policy.id!r} is already shipped by plugin "
                               f"{owner!r}; plugin {plugin!r} may not ship it", code="duplicate_id")
                st.policy_issues.append(issue)
                self._quarantine(plugin, issue)
                return
        refused = self._out_of_scope(policy, node, plugin)
        if refused is not None:
            st.policy_issues.append(refused)
            self._quarantine(plugin, refused)
            return
        st.owners[policy.id] = plugin
        versions = st.policies.setdefault(policy.id, [])
        for other in versions:
            if other.version == policy.version:
                issue = _issue(policy.source, 1, 1, "$.version",
                               f"version {policy.version!r} of {policy.id!r} is loaded twice ({other.source})", code="versions")
                st.policy_issues.append(issue)
                self._quarantine(plugin, issue)
                return
        versions.append(policy)
        versions.sort(key=lambda p: p.effective_from)
        st.nodes[(policy.id, policy.version)] = (policy.data, node)

    def _out_of_scope(self, policy: Any, node: Any, plugin: str) -> PolicyIssue | None:
        """The issue of a policy ``plugin`` may not give, else None: a statutory one from any
        plugin but the statutory plugin (the floor is the regulation's, given once: a drop-in's
        "statutory" exclusion would refuse every brand's units), or one for brands the plugin does
        not serve (a brand's plugin speaks for its own brands; a plugin serving none, a network's,
        may speak for any)."""
        if not plugin or plugin == STATUTORY_PLUGIN:
            return None
        if policy.statutory:
            return _not_statutory_plugin(policy.source, node, plugin)
        served = self._served_by(plugin)
        if plugin in self.state.brand_plugins and (policy.brands is None or not set(policy.brands) <= served):
            line, col = _locate_field(node, "$.applies_to.brands")
            en, zh = out_of_scope_text(plugin, served, policy.brands)
            return _issue(policy.source, line, col, "$.applies_to.brands", en, code="scope", zh=zh)
        return None

    def _rightful(self, policy: Any, plugin: str) -> bool:
        """``plugin`` is the one ``policy`` belongs to: it bears the policy's id, or serves every
        brand the policy names."""
        if policy.id == plugin:
            return True
        served = self._served_by(plugin)
        return bool(policy.brands) and bool(served) and set(policy.brands) <= served

    def _served_by(self, plugin: str) -> set[str]:
        """The brands ``plugin`` serves (loaded before its policies)."""
        return {b for b, brand in self.state.brands.items() if brand.plugin == plugin}

    def _override(self, locations: list[Any]) -> None:
        """Policies given explicitly replace, by id, every version the plugins ship."""
        st = self.state
        replaced: set[str] = set()
        for location in locations:
            # compiled as its owner's (the plugin is written into the trace records made as it
            # compiles), the owner found by the id the file gives; again if the id read was not it
            guess = st.owners.get(_policy_id(location), "")
            policy, node, issues = _compile_checked(location, guess, st.predicates)
            if policy is not None and st.owners.get(policy.id, guess) != guess:
                policy, node, issues = _compile_checked(location, st.owners[policy.id], st.predicates)
            st.policy_issues.extend(issues)
            if policy is None:
                # the file's own policy id, when it can be read; else its name (apple.yaml: apple)
                first = next((i for i in issues if i.severity == "error"), None)
                owner = st.owners.get(_policy_id(location))
                self._replaced.add(_policy_id(location))
                if owner is not None:
                    self._quarantine(owner, first)
                    for issue in issues:
                        st.contained.add(id(issue))
                continue
            owner = st.owners.get(policy.id)
            if owner is None and policy.brands and not set(policy.brands) & set(st.brands):
                # a new brand's policy (a network's bundle reaches every counter) where no plugin
                # serves its brands: no case here could use it. Left out and said, never a stop
                # of every other brand (a policy naming a brand served here stays an error below:
                # its id mistyped, terms meant for that brand would be lost)
                brands = ", ".join(policy.brands)
                st.warnings.append(Said(
                    f"{policy.source}: no loaded plugin ships a policy {policy.id!r} or serves its brands ({brands}): "
                    f"left out here; install the plugin that serves them to decide their cases",
                    f"{policy.source}：没有已加载的插件带有政策 {policy.id!r}，也没有插件服务它的品牌（{brands}）："
                    f"本机不使用这份政策；安装服务这些品牌的插件后才能判定它们的案例"))
                continue
            if owner is None:
                from .errors import nearest

                known = sorted(st.owners)
                close = nearest(policy.id, known, 1)
                hint = (f"; did you mean {close[0]!r}?", f"；您是否想写 {close[0]!r}？") if close else (";", "；")
                from aftersales.authoring.policyload import locate

                line, col = locate(node, ["id"]) if node is not None else (1, 1)
                st.policy_issues.append(_issue(policy.source, line, col, "$.id",
                                               f"no loaded plugin ships a policy {policy.id!r}{hint[0]} known: "
                                               f"{', '.join(known) or 'none'}", code="unknown_ref",
                                               zh=f"没有已加载的插件带有政策 {policy.id!r}{hint[1]}已知的政策："
                                                  f"{'、'.join(known) or '无'}"))
                continue
            self._replaced.add(policy.id)
            if policy.id not in replaced:
                for old in st.policies.get(policy.id, ()):
                    st.nodes.pop((old.id, old.version), None)
                st.policies[policy.id] = []
                replaced.add(policy.id)
            policy.plugin = owner
            self._add(policy, node, owner)

    def _check_versions(self) -> None:
        st = self.state
        if all(len(versions) < 2 for versions in st.policies.values()):
            return   # one version of each policy: nothing to compare
        from aftersales.authoring.policyload import version_issues

        entries = [(p.data, st.nodes.get((p.id, p.version), (None, None))[1], p.source)
                   for versions in st.policies.values() for p in versions]
        st.policy_issues.extend(version_issues(entries))

    def _vocabulary(self) -> None:
        """The ids the loaded policies declare (first declaration wins; a different one is said)."""
        st = self.state
        for versions in st.policies.values():
            for policy in versions:
                if not policy.data.get("vocabulary"):
                    continue
                from aftersales.authoring.vocabcheck import declared  # only for a policy that declares ids

                for id_, entry in declared(policy.data).items():
                    known = st.vocabulary.get(id_)
                    if known is None:
                        st.vocabulary[id_] = entry
                    elif known[:3] != entry[:3]:
                        st.warnings.append(Said(
                            f"{policy.source}: {id_!r} is declared again with other labels "
                            f"({entry[0]}/{entry[1]}); keeping {known[0]}/{known[1]}",
                            f"{policy.source}：{id_!r} 以不同的名称再次声明（{entry[0]}/{entry[1]}），"
                            f"沿用 {known[0]}/{known[1]}"))

    def _finish(self) -> None:
        st = self.state
        self._vocabulary()
        by_source: dict[str, list[PolicyIssue]] = {}
        for issue in st.policy_issues:
            by_source.setdefault(issue.file, []).append(issue)
        for plugin_name, info in st.plugins.items():
            ids = sorted(pid for pid, owner in st.owners.items() if owner == plugin_name)
            st.by_plugin[plugin_name] = [st.policies[pid] for pid in ids]
            info.policies = [
                {"id": p.id, "version": p.version, "sha256": p.sha256, "source": p.source,
                 "effective": {"from": p.effective_from.isoformat(), "until": p.effective_until.isoformat() if p.effective_until else None,
                               "by": p.effective_by},
                 "valid": not any(i.severity == "error" for i in by_source.get(p.source, ())),
                 "warnings": sum(1 for i in by_source.get(p.source, ()) if i.severity == "warning")}
                for pid in ids for p in st.policies[pid]
            ] + [dict(f) for f in st.failed.get(plugin_name, ())]


def _policy_id(location: Any) -> str:
    """The ``id`` a policy file gives (read leniently), else its name without ``.yaml``."""
    import re

    given = getattr(location, "policy_id", None)
    if isinstance(given, str):
        return given
    name = getattr(location, "name", str(location))
    stem = str(name).rsplit("/", 1)[-1].removesuffix(".yaml").removesuffix(".yml")
    try:
        text = location.read_text(encoding="utf-8") if callable(getattr(location, "read_text", None)) \
            else Path(location).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError, TypeError, ValueError):
        return stem
    found = re.search(r"^id:\s*['\"]?([a-z][a-z0-9_]*)", text, re.MULTILINE)
    return found.group(1) if found else stem


def _policy_text(data: Any) -> str | None:
    """A policy mapping given from Python as policy text (JSON, which YAML reads as is), so that
    it is read, validated, hashed and compiled exactly as a file; None when it is not JSON data."""
    import json

    if not isinstance(data, Mapping):
        return None
    try:
        return json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        return None


def _build_state(loaded: LoadedPlugins, policies_dir: str | os.PathLike | None, policy_files: Iterable[Any],
                 bundle: tuple[str, str] | None = None) -> _State:
    with plugins_print_to_stderr():   # the load-time hooks run here
        return _Builder(loaded, bundle).build(policies_dir, policy_files)


def plugins_print_to_stderr() -> Any:
    """While plugin code runs (imports and load-time hooks as plugins load; per-case hooks and
    predicates while a program decides), what it prints goes to standard error: standard output
    carries the program's own answer (``evaluate --json``, ``cases new --json``, a replay's
    decisions), which a plugin's ``print`` must not break. The engine itself touches no stream:
    the program around it wraps its calls in this."""
    from contextlib import redirect_stdout

    return redirect_stdout(sys.stderr)


def _adopt_vocabulary(state: _State) -> None:
    """The declared ids of the snapshot in force become the vocabulary's (labels, case check,
    tick lists): done when a snapshot is swapped in, never on the decision path."""
    from . import vocab

    vocab.extend_documents(state.vocabulary)


def _raise_for(issues: list[PolicyIssue]) -> None:
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        more, more_zh = (f" (and {len(errors) - 1} more)", f"（另有 {len(errors) - 1} 处）") if len(errors) > 1 else ("", "")
        raise PolicyError(f"{errors[0]}{more}", issues=errors, zh=f"{errors[0].text('zh')}{more_zh}")


class Registry:
    """Plugins, brands and compiled policies: everything ``evaluate`` needs, loaded up front.

    Everything lives in one snapshot (``_State``); :meth:`reload` validates a complete new
    snapshot and swaps it in with one assignment, or keeps the old one and returns the errors.
    """

    def __init__(self, loaded: LoadedPlugins, *, policies_dir: str | os.PathLike | None = None,
                 policy_files: Iterable[Any] = (), strict: bool = True,
                 _config: dict[str, Any] | None = None, bundle: tuple[str, str] | None = None) -> None:
        policy_files = list(policy_files)
        state = _build_state(loaded, policies_dir, policy_files, bundle)
        if strict:   # an error a quarantined plugin owns stops only its brands
            _raise_for([i for i in state.policy_issues if id(i) not in state.contained])
        self._state = state
        _adopt_vocabulary(state)
        self._config = dict(_config or {}, policies_dir=policies_dir, policy_files=policy_files, bundle=bundle)

    # ------------------------------------------------------------------ the current snapshot

    pm = property(lambda self: self._state.pm)
    plugins = property(lambda self: self._state.plugins)
    load_errors = property(lambda self: self._state.load_errors)
    brands = property(lambda self: self._state.brands)
    policies = property(lambda self: self._state.policies)
    owners = property(lambda self: self._state.owners)
    policy_issues = property(lambda self: self._state.policy_issues)
    failures = property(lambda self: self._state.failures)
    predicates = property(lambda self: self._state.predicates)
    plugin_order = property(lambda self: self._state.plugin_order)
    #: plugins left out, by name (``Quarantine``: where, why, what to do, the brands it serves)
    quarantined = property(lambda self: self._state.quarantined)
    #: what was found but not used (drop-in folder problems), one line each
    warnings = property(lambda self: self._state.warnings)
    #: a statutory policy is loaded (else every decision says it is not a legal one)
    statutory_loaded = property(lambda self: self._state.statutory_loaded)
    #: the published policy bundle in force: (id, sha256), or None (named in every decision)
    bundle = property(lambda self: self._state.bundle)
    #: the document and checklist ids the loaded policies declare: id -> (zh, en, kind, gates)
    vocabulary = property(lambda self: self._state.vocabulary)
    without_statutory = property(lambda self: self._state.without_statutory)

    @property
    def plugin_issues(self) -> list[PolicyIssue]:
        """Plugins that failed to import or register, as located issues."""
        return self._state.plugin_issues

    @property
    def errors(self) -> list[PolicyIssue]:
        """Every error of the loaded set (plugins that failed, invalid policies): empty when all is well."""
        return self._state.errors

    # ------------------------------------------------------------------ reload

    def reload(self) -> list[PolicyIssue]:
        """Load every plugin and policy again, validate the whole set, then swap it in at once.

        Returns the errors as data (``PolicyIssue``: file, line, column, message), empty on
        success. On any error, plugin or policy, nothing changes: the policies in force stay.
        Warnings (floor check) do not block a reload; see :meth:`floor_issues`.
        """
        cfg = self._config
        try:
            loaded = load_plugins(plugins_dir=cfg.get("plugins_dir"), env=cfg.get("env"), extra=cfg.get("extra", ()))
            state = _build_state(loaded, cfg.get("policies_dir"), cfg.get("policy_files", ()), cfg.get("bundle"))
        except Exception as exc:  # noqa: BLE001 - a reload never takes the program down
            return [_issue("<plugins>", 0, 0, "$", f"{type(exc).__name__}: {_one_line(exc)}", code="plugin")]
        errors = state.errors
        if errors:
            return errors
        self._state = state
        _adopt_vocabulary(state)
        return []

    # ------------------------------------------------------------------ queries

    def policies_in_force(self, plugin: str, case: Any) -> list[Any]:
        """For each policy ``plugin`` ships, the version in force for ``case`` (if any)."""
        return self._state.policies_in_force(plugin, case)

    def all_policies(self) -> list[Any]:
        return [p for versions in self.policies.values() for p in versions]

    def floor_issues(self) -> list[PolicyIssue]:
        """Floor-check warnings for every loaded brand policy against the loaded statutory ones
        (those a policy acknowledges marked ``acknowledged``)."""
        from aftersales.authoring.acknowledge import apply_acknowledgements
        from aftersales.authoring.floorcheck import floor_issues

        st = self._state
        policies = self.all_policies()
        statutory = [(p.data, p.source) for p in policies if p.statutory]
        out: list[PolicyIssue] = []
        for p in policies:
            if not p.statutory:
                out.extend(floor_issues(p.data, st.nodes.get((p.id, p.version), (None, None))[1], p.source, statutory))
        return apply_acknowledgements(out, [(p.data, None, p.source) for p in policies], report_unused=False)

    @property
    def coverage_plans(self) -> frozenset[str]:
        """Plan ids a case may name: the vocabulary's and every plan a loaded policy tests for."""
        return self._state.coverage_plans

    def parse_case(self, data: Any, *, today: date | None = None) -> Any:
        """Validate a case mapping against the vocabulary and the plans the policies know."""
        from .model import parse_case  # not at module level: loading policies needs no case model (nor stdnum)

        case = parse_case(data, today=today, coverage_plans=self.coverage_plans)
        if case.brand not in self.brands:
            named = next((q for q in self.quarantined.values() if not q.brands and q.plugin == case.brand), None)
            if named is not None:   # the brand of a plugin that could not even be imported
                raise QuarantineError(named)
            raise unknown_brand(case.brand, self.brands, (q.plugin for q in self.quarantined.values() if not q.brands))
        return case

    @property
    def engine(self) -> Any:
        return self._state.engine

    def evaluate(self, case: Any) -> Any:
        """Decide one case (pure: no I/O)."""
        return self._state.engine.evaluate(case)

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
                  env: Mapping[str, str] | None = None, extra: Iterable[tuple[str, Any]] = (),
                  policy_files: Iterable[Any] = (), strict_plugins: bool = False,
                  bundle: tuple[str, str] | None = None) -> Registry:
    """Find plugins, load and check their policies. Raises ``PolicyError`` for a broken policy.

    ``policy_files`` replace, by policy id, what the plugins ship (like ``policies_dir``).
    ``strict_plugins``: a plugin that fails to import raises ``PluginLoadError`` (located,
    exit 2) instead of being left out and listed in ``load_errors``.
    """
    extra = list(extra)
    loaded = load_plugins(plugins_dir=plugins_dir, env=env, extra=extra)
    if strict_plugins and loaded.issues:
        first = loaded.issues[0]
        count = len(loaded.issues) - 1
        more, more_zh = (f" (and {count} more)", f"（另有 {count} 处）") if count else ("", "")
        where = f"{first.file}:{first.line}:{first.column}: "
        raise PluginLoadError(f"{where}{first.message}{more}", issues=loaded.issues,
                              zh=f"{where}{first.message_in('zh')}{more_zh}")
    return Registry(loaded, policies_dir=policies_dir, policy_files=policy_files, bundle=bundle,
                    _config={"plugins_dir": plugins_dir, "env": env, "extra": extra})


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
