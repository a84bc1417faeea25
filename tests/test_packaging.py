"""A built wheel works in a fresh virtual environment, under the one namespace ``aftersales``."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_installs_and_evaluates_in_a_fresh_venv(tmp_path):
    dist = tmp_path / "dist"
    build = subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(ROOT)],
                           capture_output=True, text=True)
    assert build.returncode == 0, build.stderr[-2000:]
    wheel = next(dist.glob("aftersales-*.whl"))

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

    installed = sorted(p.name for p in Path(site).iterdir())
    for bare in ("core", "plugins", "policies", "tui", "cli", "store"):
        assert bare not in installed, f"top-level {bare!r} landed in site-packages"
    assert (Path(site) / "aftersales" / "policies" / "apple.yaml").exists()
    assert (Path(site) / "aftersales" / "policies" / "policy.schema.json").exists()
    assert (Path(site) / "aftersales" / "store" / "templates" / "ticket.html").exists()
    assert (Path(site) / "aftersales" / "store" / "alembic.ini").exists()
    assert list((Path(site) / "aftersales" / "store" / "migrations" / "versions").glob("0001_*.py"))

    run = subprocess.run([str(env_dir / "bin" / "aftersales"), "evaluate",
                          str(ROOT / "tests" / "scenarios" / "apple-cn-day10-deferred.yaml"), "--json"],
                         capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert '"mode": "deferred"' in run.stdout
    where = subprocess.run([str(python), "-c", "import aftersales.core, sys; print(aftersales.core.__file__)"],
                           capture_output=True, text=True, cwd=tmp_path)
    assert str(env_dir) in where.stdout
