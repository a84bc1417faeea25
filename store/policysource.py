"""Where a counter's policies come from: one setting shared by every command.

In order:

1. a folder given to the command (``--policies DIR``);
2. the counter's own folder: ``AFTERSALES_POLICIES``, else ``policies = "DIR"`` in the config
   file (``config.toml`` in the platform's config folder, e.g. ``~/.config/aftersales/`` on
   Linux; ``AFTERSALES_CONFIG`` names another file);
3. the policy bundle in force in the case store (``aftersales policy activate``), when the
   command uses the store;
4. the policies the plugins ship.

``registry_for`` loads the registry from the first that applies and says which
(``PolicySource.describe``); every decision names the bundle it was made with.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from aftersales.core.errors import AftersalesError

POLICIES_ENV = "AFTERSALES_POLICIES"
CONFIG_ENV = "AFTERSALES_CONFIG"


class ConfigError(AftersalesError):
    """The config file cannot be read (bad TOML, a setting of the wrong type): exit 2."""

    exit_code = 2


def config_path(env: Mapping[str, str] | None = None) -> Path:
    """The config file: ``AFTERSALES_CONFIG``, else ``config.toml`` in the platform's config folder."""
    env = os.environ if env is None else env
    given = env.get(CONFIG_ENV)
    if given:
        return Path(given)
    import platformdirs

    return Path(platformdirs.user_config_dir("aftersales", appauthor=False)) / "config.toml"


def read_config(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The config file's settings ({} when there is none)."""
    path = config_path(env)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        from aftersales.core.errors import os_reason

        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}", zh=f"{path}：无法读取：{os_reason(exc)}") from None
    import tomllib  # only when there is a file to read

    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}", zh=f"{path}：配置文件格式错误：{exc}") from None
    return data


def configured_folder(env: Mapping[str, str] | None = None) -> tuple[str, str] | None:
    """(folder, where the setting is) of the counter's own policies folder, or None."""
    env = os.environ if env is None else env
    if env.get(POLICIES_ENV):
        return env[POLICIES_ENV], POLICIES_ENV
    value = read_config(env).get("policies")
    if value is None:
        return None
    path = config_path(env)
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{path}: policies: a folder name (text), not {value!r}",
                          zh=f"{path}：policies 应为文件夹路径（文本），而不是 {value!r}")
    folder = Path(value).expanduser()
    if not folder.is_absolute():   # relative to the config file
        folder = path.parent / folder
    return str(folder), str(path)


class PolicySource(NamedTuple):
    kind: str                       # folder | bundle | plugins
    folder: str | None = None
    setting: str | None = None      # where the folder was set (option, env, config file)
    bundle: Any = None              # store.bundles.ActiveBundle

    def describe(self, lang: str = "en") -> str:
        if self.kind == "folder":
            return (f"政策文件夹 {self.folder}（{self.setting}）" if lang == "zh"
                    else f"policies folder {self.folder} ({self.setting})")
        if self.kind == "bundle":
            return (f"政策包 {self.bundle.id}（sha256 {self.bundle.sha256[:12]}）" if lang == "zh"
                    else f"policy bundle {self.bundle.id} (sha256 {self.bundle.sha256[:12]})")
        return "插件自带的政策" if lang == "zh" else "the plugins' own policies"


def policy_source(policies_dir: str | None = None, engine: Any = None,
                  env: Mapping[str, str] | None = None) -> PolicySource:
    """Where the policies come from, in the order of this module's docstring."""
    if policies_dir:
        return PolicySource("folder", policies_dir, "--policies")
    found = configured_folder(env)
    if found is not None:
        return PolicySource("folder", found[0], found[1])
    if engine is not None:
        from .bundles import active_bundle

        active = active_bundle(engine)
        if active is not None:
            return PolicySource("bundle", bundle=active)
    return PolicySource("plugins")


def refuse_broken(source: PolicySource) -> None:
    """Raise ``PolicyError`` when ``source`` is a bundle whose manifest does not match its SHA-256
    (the whole bundle is refused: no case is decided with it)."""
    if source.kind == "bundle" and source.bundle.problem:
        from aftersales.core.errors import PolicyError

        problem, problem_zh = source.bundle.problem
        raise PolicyError(f"{problem}: refused; activate another bundle (aftersales policy bundles)",
                          zh=f"{problem_zh}：已拒用；请启用另一个政策包（aftersales policy bundles）")


def registry_for(source: PolicySource, *, plugins_dir: str | None = None, env: Mapping[str, str] | None = None) -> Any:
    """The registry of ``source`` (plugins as ``load_registry`` finds them); a refused bundle
    raises (``refuse_broken``)."""
    from aftersales.core.registry import load_registry

    refuse_broken(source)
    if source.kind == "bundle":
        bundle = source.bundle
        return load_registry(plugins_dir=plugins_dir, env=env, policy_files=bundle.files, bundle=bundle.ref)
    if source.kind == "folder":
        return load_registry(plugins_dir=plugins_dir, env=env, policies_dir=source.folder)
    return load_registry(plugins_dir=plugins_dir, env=env)

