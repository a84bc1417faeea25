"""A counter session whose terminal goes away (a remote session lost without a hang-up signal)
ends instead of spinning on the dead terminal."""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aftersales.tui.app import terminal_gone

pty = pytest.importorskip("pty", reason="needs POSIX pseudo-terminals")


def test_terminal_gone_sees_the_other_end_closed():
    master, slave = pty.openpty()
    try:
        assert terminal_gone(slave) is False
        os.close(master)
        assert terminal_gone(slave) is True
    finally:
        os.close(slave)


def test_the_ui_ends_when_its_terminal_goes_away(tmp_path):
    import fcntl
    import struct
    import termios

    command = shutil.which("aftersales", path=str(Path(sys.executable).parent))
    if command is None:
        pytest.skip("the aftersales command is not installed beside this Python")
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = {**os.environ, "AFTERSALES_DB": f"sqlite:///{tmp_path / 'cases.sqlite3'}", "TERM": "xterm-256color",
           "AFTERSALES_POLICY_CACHE": str(tmp_path / "cache")}
    proc = subprocess.Popen([command], stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True,
                            start_new_session=True)
    os.close(slave)
    try:
        seen, deadline = b"", time.monotonic() + 60
        while "受理日期".encode() not in seen:
            assert time.monotonic() < deadline, seen[-400:]
            if select.select([master], [], [], 0.5)[0]:
                seen += os.read(master, 65536)
    finally:
        os.close(master)          # the session is lost: no SIGHUP, the terminal just goes
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        pytest.fail("the UI kept running after its terminal went away")
