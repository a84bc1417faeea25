"""A built wheel works in a fresh virtual environment, under the one namespace ``aftersales``, with
its engine compiled by mypyc from the same source (setup.py), deciding as the source does."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import sysconfig
import tomllib
import venv
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = Path(__file__).parent / "scenarios"


def _no_store() -> dict:
    """This environment without a case store or a path that would stand before the installed package."""
    return {k: v for k, v in os.environ.items() if k not in ("AFTERSALES_DB", "PYTHONPATH")}


def _build(dist: Path, **env: str) -> subprocess.CompletedProcess:
    """``python -m build --wheel`` of this checkout into ``dist``, with ``env`` added."""
    environ = {k: v for k, v in os.environ.items() if k not in ("AFTERSALES_COMPILE", "CC")}
    return subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(ROOT)],
                          capture_output=True, text=True, env={**environ, **env})


def _installed(tmp_path: Path, wheel: Path) -> tuple[Path, Path, Path]:
    """A fresh venv under ``tmp_path`` with ``wheel`` installed, dependencies from the test
    environment: (venv dir, its python, its site-packages)."""
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    install = subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)],
                             capture_output=True, text=True)
    assert install.returncode == 0, install.stderr
    # dependencies come from the test environment's site-packages, without its .pth files (no editable finder)
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True).stdout.strip()
    (Path(site) / "zz_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    return env_dir, python, Path(site)


@pytest.fixture(scope="module")
def wheel_env(tmp_path_factory):
    """A fresh venv with the wheel of this checkout installed (built as ``pip install .`` builds
    it: the engine compiled). (venv dir, its python, its site-packages)."""
    tmp_path = tmp_path_factory.mktemp("wheel")
    # a module an earlier build compiled and this one does not (renamed, or no longer in COMPILED),
    # where setuptools lays out a compiled build by default: it must not land in the wheel
    stale = (ROOT / "build" / f"lib.{sysconfig.get_platform()}-{sys.implementation.cache_tag}" / "aftersales" / "core"
             / f"stale{EXTENSION_SUFFIXES[0]}")
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_bytes(b"")
    try:
        build = _build(tmp_path / "dist")
    finally:
        stale.unlink(missing_ok=True)
    assert build.returncode == 0, (build.stdout + build.stderr)[-3000:]
    return _installed(tmp_path, next((tmp_path / "dist").glob("aftersales-*.whl")))


@pytest.mark.slow
def test_wheel_installs_and_evaluates_in_a_fresh_venv(wheel_env, tmp_path):
    env_dir, python, site = wheel_env
    installed = sorted(p.name for p in site.iterdir())
    for bare in ("core", "plugins", "policies", "tui", "cli", "store"):
        assert bare not in installed, f"top-level {bare!r} landed in site-packages"
    assert (site / "aftersales" / "policies" / "apple.yaml").exists()
    assert (site / "aftersales" / "policies" / "policy.schema.json").exists()
    assert (site / "aftersales" / "store" / "templates" / "ticket.html").exists()
    assert (site / "aftersales" / "store" / "alembic.ini").exists()
    assert list((site / "aftersales" / "store" / "migrations" / "versions").glob("0001_*.py"))

    run = subprocess.run([str(env_dir / "bin" / "aftersales"), "evaluate",
                          str(SCENARIOS / "apple-cn-day10-deferred.yaml"), "--json"],
                         capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert '"mode": "deferred"' in run.stdout
    where = subprocess.run([str(python), "-c", "import aftersales.core, sys; print(aftersales.core.__file__)"],
                           capture_output=True, text=True, cwd=tmp_path)
    assert str(env_dir) in where.stdout


@pytest.mark.slow
def test_the_wheel_carries_the_engine_compiled_from_this_source(wheel_env, tmp_path):
    _env_dir, python, site = wheel_env
    where = subprocess.run([str(python), "-c", "import aftersales.core.engine as e; print(e.__file__)"],
                           capture_output=True, text=True, cwd=tmp_path)
    assert where.returncode == 0, where.stderr
    assert where.stdout.strip().endswith(tuple(EXTENSION_SUFFIXES)), where.stdout
    listed = subprocess.run([str(_env_dir / "bin" / "aftersales"), "plugins", "list", "--lang", "zh"],
                            capture_output=True, text=True, cwd=tmp_path, env=_no_store())
    assert listed.returncode == 0 and "\n引擎：已编译（wheel 安装）\n" in listed.stdout, listed.stdout + listed.stderr
    # the source each compiled module was compiled from is this checkout's, shipped beside it
    dirs = {package: ROOT / folder for package, folder in _package_dirs().items()}
    for module in _compiled_modules():
        package, name = module.rsplit(".", 1)
        shipped = site.joinpath(*package.split("."), f"{name}.py")
        assert shipped.read_bytes() == (dirs[package] / f"{name}.py").read_bytes(), module
    # the modules setup.py compiles, and no other
    shipped = {".".join(p.relative_to(site).parts[:-1] + (p.name.split(".")[0],))
               for suffix in EXTENSION_SUFFIXES for p in (site / "aftersales").rglob(f"*{suffix}")}
    assert shipped == set(_compiled_modules())


def _compiled_modules() -> list[str]:
    """setup.py's ``COMPILED``, read without running setup.py."""
    tree = ast.parse((ROOT / "setup.py").read_text(encoding="utf-8"))
    value = next(node.value for node in tree.body if isinstance(node, ast.Assign)
                 and any(isinstance(t, ast.Name) and t.id == "COMPILED" for t in node.targets))
    return ast.literal_eval(value)


def _package_dirs() -> dict[str, str]:
    """pyproject's ``package-dir``: each installed package's folder in the checkout."""
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["tool"]["setuptools"]["package-dir"]


def test_an_editable_install_runs_the_source():
    """No compiled module in the source folders: one would stand in for the file beside it, and an
    edit of that file would change nothing (an editable install never compiles, see
    build_backend/aftersales_build.py)."""
    folders = _package_dirs().values()
    compiled = [str(p.relative_to(ROOT)) for folder in folders
                for suffix in EXTENSION_SUFFIXES for p in (ROOT / folder).rglob(f"*{suffix}")]
    assert compiled == []


@pytest.mark.slow
def test_the_compiled_engine_decides_every_case_as_the_source_does(wheel_env, tmp_path):
    """20,000 generated cases and every scenario's case, replayed with the trace by the wheel's
    compiled engine and by this checkout's source: the same bytes (and the same line refused)."""
    env_dir, _python, _site = wheel_env
    cases = tmp_path / "cases.jsonl"
    here = Path(sys.executable).with_name("aftersales")
    env = _no_store()
    made = subprocess.run([str(here), "cases", "generate", "20000", "--seed", "5", "--out", str(cases)],
                          capture_output=True, text=True, cwd=tmp_path, env=env)
    assert made.returncode == 0, made.stderr
    with cases.open("a", encoding="utf-8") as out:
        for path in sorted(SCENARIOS.glob("*.yaml")):
            case = yaml.safe_load(path.read_text(encoding="utf-8"))["case"]
            out.write(json.dumps(case, ensure_ascii=False, default=str) + "\n")
    outputs = []
    for aftersales in (env_dir / "bin" / "aftersales", here):
        out = tmp_path / f"{aftersales.parent.parent.name}.jsonl"
        run = subprocess.run([str(aftersales), "replay", str(cases), "--trace", "--workers", "1", "--quiet",
                              "--out", str(out)], capture_output=True, text=True, cwd=tmp_path, env=env)
        assert run.returncode in (0, 1), run.stderr   # 1: a line was refused (bad-component's case)
        outputs.append((run.returncode, out.read_bytes()))
    compiled, source = outputs
    assert compiled[1].count(b"\n") == 20000 + len(list(SCENARIOS.glob("*.yaml")))
    assert compiled == source


@pytest.mark.slow
def test_a_wheel_built_without_compiling_runs_the_source_and_says_so(tmp_path):
    # a module an earlier build laid out and the checkout no longer has (renamed or deleted),
    # where setuptools lays out a wheel of the source by default: it must not land in the wheel
    stale = ROOT / "build" / "lib" / "aftersales" / "core" / "stale_module.py"
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_text("", encoding="utf-8")
    try:
        build = _build(tmp_path / "dist", AFTERSALES_COMPILE="0")
    finally:
        stale.unlink(missing_ok=True)
    assert build.returncode == 0, (build.stdout + build.stderr)[-3000:]
    wheel = next((tmp_path / "dist").glob("aftersales-*.whl"))
    assert wheel.name.endswith("-py3-none-any.whl")   # any Python 3.11+ installs it
    env_dir, _python, site = _installed(tmp_path, wheel)
    assert not list((site / "aftersales").rglob("*.so"))
    assert not (site / "aftersales" / "core" / "stale_module.py").exists()
    listed = subprocess.run([str(env_dir / "bin" / "aftersales"), "plugins", "list", "--json"],
                            capture_output=True, text=True, cwd=tmp_path, env=_no_store())
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout)["engine"] == "wheel"
    listed = subprocess.run([str(env_dir / "bin" / "aftersales"), "plugins", "list", "--lang", "zh"],
                            capture_output=True, text=True, cwd=tmp_path, env=_no_store())
    assert "\n引擎：未编译（所装的 wheel 是按 AFTERSALES_COMPILE=0 构建的" in listed.stdout


@pytest.mark.slow
def test_a_machine_that_cannot_compile_is_told_what_to_do_in_one_line(tmp_path):
    """A compiler that fails (here one that cannot find Python's headers): the build stops with one
    line saying what compiling needs and how to install the source uncompiled instead."""
    cc = tmp_path / "cc"
    cc.write_text("#!/bin/sh\necho 'fatal error: Python.h: No such file or directory' >&2\nexit 1\n", encoding="utf-8")
    cc.chmod(0o755)
    build = _build(tmp_path / "dist", CC=str(cc))
    assert build.returncode != 0
    said = [line for line in (build.stdout + build.stderr).splitlines() if line.startswith("compiling the engine failed")]
    assert len(said) == 1 and len(said[0]) < 400, said
    assert "C compiler and Python's headers" in said[0] and "AFTERSALES_COMPILE=0 pip install" in said[0]
    assert not list((tmp_path / "dist").glob("*.whl"))


def test_a_wheel_that_compiles_asks_for_the_compiler_and_one_that_does_not_asks_for_nothing(monkeypatch):
    """README, "Building": pip fetches mypy (mypyc) and msgspec for an isolated build on its own,
    because the backend asks for them; not for a wheel of the source alone."""
    monkeypatch.syspath_prepend(str(ROOT / "build_backend"))
    import aftersales_build

    monkeypatch.setattr(aftersales_build._setuptools, "get_requires_for_build_wheel", lambda config_settings=None: [])
    monkeypatch.delenv("AFTERSALES_COMPILE", raising=False)
    asked = aftersales_build.get_requires_for_build_wheel()
    assert any(r.startswith("mypy") for r in asked) and any(r.startswith("msgspec") for r in asked)
    monkeypatch.setenv("AFTERSALES_COMPILE", "0")
    assert aftersales_build.get_requires_for_build_wheel() == []
