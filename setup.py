"""What ``pyproject.toml`` cannot say: the modules of the decision path a wheel compiles.

mypyc compiles them from the same source an editable install runs (one implementation; see
``build_backend/aftersales_build.py`` for when it compiles, docs/performance.md for what it
gives). ``AFTERSALES_COMPILE=0`` builds a wheel of the source alone.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import tomllib
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent
#: the modules compiled, by their installed name: the engine (its per-case path) and the compiled
#: offer it reads for every case (``OfferRule``); whatever they call stays interpreted (the
#: policies' compiled conditions are Python made at load time)
COMPILED = ["aftersales.core.engine", "aftersales.core.offers"]


def package_dirs() -> dict[str, str]:
    """Each installed package's folder (``pyproject.toml``'s ``package-dir``: ``aftersales.core``
    is ``core/``...)."""
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["tool"]["setuptools"]["package-dir"]


def _staged(work: Path) -> Path:
    """The packages' Python files laid out under their installed names, as ``package-dir`` maps
    them, in ``work``, where mypyc reads them: it names a module by its folders."""
    stage = work / "src"
    for package, folder in package_dirs().items():
        shutil.copytree(ROOT / folder, stage / package.replace(".", "/"), dirs_exist_ok=True,
                        ignore=lambda _dir, names: [n for n in names if n == "__pycache__" or n.endswith((
                            ".so", ".yaml", ".json", ".html"))])
    return stage


def ext_modules(work: Path | None) -> list:
    if work is None or os.environ.get("AFTERSALES_WHEEL") != "compiled":
        return []   # see build_backend/aftersales_build.py: only a wheel compiles, unless AFTERSALES_COMPILE=0
    try:
        from mypyc.build import mypycify
    except ImportError:
        raise SystemExit("compiling the engine needs mypyc, which comes with mypy: pip install mypy, or build "
                         "with isolation (pip asks for it itself); or AFTERSALES_COMPILE=0 pip install ... installs "
                         "the source uncompiled") from None

    stage = _staged(work)
    paths = [str((stage / name.replace(".", "/")).with_suffix(".py").relative_to(ROOT)) for name in COMPILED]
    # checked as mypy checks them in CI; what they import is read, its errors not reported here, and
    # a library the build has not installed is taken as untyped (only msgspec's types are needed)
    return mypycify(["--config-file", str(ROOT / "pyproject.toml"), "--follow-imports=silent",
                     "--ignore-missing-imports", *paths], opt_level="3", target_dir=str((work / "c").relative_to(ROOT)))


def build_folder() -> Path | None:
    """A folder of this wheel build's own under ``build/`` (None when no wheel is built): what it
    stages, compiles and lays out for the wheel is there, so that no file an earlier build left (a
    module since renamed, deleted, or dropped from ``COMPILED``) lands in this wheel, and two builds
    at once do not write over each other. Removed when the build ends."""
    if not os.environ.get("AFTERSALES_WHEEL"):   # set by the backend (build_backend/aftersales_build.py)
        return None
    (ROOT / "build").mkdir(exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="wheel-", dir=ROOT / "build"))


#: what a failed compile says: what to do (the compiler's own words are printed just before it)
CANNOT_COMPILE = (
    "compiling the engine failed ({error}; the compiler's words are above): it needs a C compiler and Python's "
    "headers (Debian: apt install gcc python3-dev; Windows: Microsoft C++ Build Tools). Or install the source "
    "uncompiled, which decides the same, more slowly: AFTERSALES_COMPILE=0 pip install ... (Windows cmd: "
    "set AFTERSALES_COMPILE=0, then pip install ...); README, \"Building\"")


class _BuildExt(build_ext):
    """setuptools' ``build_ext``, saying in one line what compiling needs when it fails. (It
    compiles every time: each build has a folder of its own, ``build_folder``, with no object file
    an earlier build left, so whether this machine can compile is asked afresh.)"""

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:  # noqa: BLE001 - named by its kind: its text is the whole compiler command
            raise SystemExit(CANNOT_COMPILE.format(error=type(exc).__name__)) from exc


WORK = build_folder()
try:
    setup(ext_modules=ext_modules(WORK), cmdclass={"build_ext": _BuildExt},
          options={"build": {"build_base": str(WORK.relative_to(ROOT))}} if WORK else {})
finally:
    if WORK is not None:
        shutil.rmtree(WORK, ignore_errors=True)
