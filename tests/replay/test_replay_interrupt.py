"""An interrupted replay cleans up after itself: SIGTERM, SIGHUP and Ctrl-C leave no temporary
file or folder and exit 143, 129 and 130 with one line; what a SIGKILL leaves, the next run removes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aftersales.batch.generate import generate_cases

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="POSIX signals")]


@pytest.fixture(scope="module")
def cases(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("interrupt") / "cases.jsonl"
    with open(path, "w", encoding="utf-8") as fh:
        for case in generate_cases(60_000, seed=3):
            fh.write(json.dumps(case, ensure_ascii=False) + "\n")
    return path


def _start(cases: Path, out: Path, tmp: Path) -> subprocess.Popen:
    env = {**os.environ, "TMPDIR": str(tmp)}
    return subprocess.Popen([sys.executable, "-m", "aftersales", "replay", str(cases), "--out", str(out), "-q",
                             "--workers", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def _running(proc: subprocess.Popen, folder: Path) -> None:
    """Wait until the replay writes its temporary output (the work is under way)."""
    deadline = time.monotonic() + 60
    while not any(p.name.endswith(".part") for p in folder.iterdir()):
        assert proc.poll() is None, proc.stderr.read()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(0.3)


def _litter(out_dir: Path, tmp: Path) -> list[str]:
    return sorted(p.name for p in out_dir.iterdir() if p.name.endswith(".part")) + sorted(
        p.name for p in tmp.iterdir() if p.name.startswith("aftersales-replay-"))


@pytest.mark.parametrize("signum,code", [(signal.SIGTERM, 143), (signal.SIGHUP, 129), (signal.SIGINT, 130)])
def test_an_interrupted_replay_leaves_nothing_behind(tmp_path, cases, signum, code):
    out_dir, tmp = tmp_path / "out", tmp_path / "tmp"
    out_dir.mkdir()
    tmp.mkdir()
    proc = _start(cases, out_dir / "d.jsonl", tmp)
    _running(proc, out_dir)
    if signum == signal.SIGINT:
        os.killpg(proc.pid, signum)      # Ctrl-C reaches the whole foreground group
    else:
        proc.send_signal(signum)
    _, err = proc.communicate(timeout=60)
    text = err.decode("utf-8")
    assert proc.returncode == code, text
    assert "Traceback" not in text and len(text.strip().splitlines()) == 1, text
    assert _litter(out_dir, tmp) == []
    assert not (out_dir / "d.jsonl").exists()


def test_what_a_killed_replay_leaves_the_next_run_removes(tmp_path, cases):
    out_dir, tmp = tmp_path / "out", tmp_path / "tmp"
    out_dir.mkdir()
    tmp.mkdir()
    proc = _start(cases, out_dir / "d.jsonl", tmp)
    _running(proc, out_dir)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)
    assert _litter(out_dir, tmp)         # a kill cannot be cleaned up after...
    small = tmp_path / "small.jsonl"
    small.write_text("".join(cases.read_text(encoding="utf-8").splitlines(keepends=True)[:50]), encoding="utf-8")
    proc = _start(small, out_dir / "d.jsonl", tmp)
    proc.communicate(timeout=60)
    assert proc.returncode == 0
    assert _litter(out_dir, tmp) == []   # ...the next run does it
