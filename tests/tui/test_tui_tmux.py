"""The real program in a real terminal (tmux), typed into the way a barcode scanner types: every
key written at once, no pause between them. Pilot hands keys to the app one at a time and waits
for it to be idle after each, so it cannot see keys overtaking each other; this can."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")


def _command(name: str) -> str:
    command = shutil.which(name, path=str(Path(sys.executable).parent))
    if command is None:
        pytest.skip(f"the {name} command is not installed beside this Python")
    return command


class Terminal:
    def __init__(self, tmp_path: Path, migrated: Path, width: int, height: int) -> None:
        command = _command("aftersales")
        path = tmp_path / "cases.sqlite3"
        shutil.copyfile(migrated, path)      # a store migrated to head (the session's template)
        path.chmod(0o600)
        db = f"sqlite:///{path}"
        # the terminal's size is the pane's: not COLUMNS and LINES left in the environment (pytest-xdist
        # workers set 80 x 24, and the program would take them over the pane's 120 x 36)
        inherited = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
        env = {**inherited, "AFTERSALES_DB": db, "AFTERSALES_POLICY_CACHE": str(tmp_path / "cache"),
               "AFTERSALES_NOW": "2026-06-15T10:30:00", "AFTERSALES_STAFF": "王芳", "TERM": "xterm-256color"}
        self.name = f"aftersales-{uuid.uuid4().hex[:8]}"
        # a tmux server of its own (its own socket) that reads no configuration file: the program gets
        # this environment (a server started earlier by another run would hand it that run's), and
        # the user's settings stay out of it
        self.tmux = ["tmux", "-L", self.name, "-f", os.devnull]
        exports = " ".join(f"{k}={v!r}" for k, v in env.items() if k.startswith("AFTERSALES_"))
        subprocess.run([*self.tmux, "new-session", "-d", "-x", str(width), "-y", str(height), "-s", self.name,
                        f"env {exports} {command}"], env=env, check=True)
        self.socket = subprocess.run([*self.tmux, "display-message", "-p", "#{socket_path}"],
                                     capture_output=True, text=True).stdout.strip()

    def screen(self) -> str:
        out = subprocess.run([*self.tmux, "capture-pane", "-t", self.name, "-p"], capture_output=True, text=True)
        return out.stdout

    def wait_for(self, pattern: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while True:
            text = self.screen()
            if re.search(pattern, text):
                return text
            assert time.monotonic() < deadline, text
            time.sleep(0.05)

    def send(self, *keys: str) -> None:
        subprocess.run([*self.tmux, "send-keys", "-t", self.name, *keys], check=True)

    def close(self) -> None:
        subprocess.run([*self.tmux, "kill-server"], capture_output=True)
        if self.socket:
            Path(self.socket).unlink(missing_ok=True)     # tmux leaves the socket file behind


def test_scanned_values_each_land_in_their_own_field_in_a_real_terminal(tmp_path, migrated_file):
    term = Terminal(tmp_path, migrated_file, 120, 36)
    try:
        term.wait_for("受理日期")
        term.wait_for("出示的单证")          # the lower sections follow the first decision
        # the first field is focused with the first decision, before the Footer is mounted: once the
        # Footer shows its keys, typing lands in the first field (Textual draws the caret itself;
        # the terminal's own cursor stays hidden, wherever it is)
        term.wait_for(r"Ctrl\+S 保存")
        # one write, from the first field: name, phone, (case date, brand list), model, part number,
        # model code, (the region list), IMEI, serial, date, battery
        term.send("李雷", "Tab", "13800138000", "Tab", "Tab", "Tab", "iPhone 15", "Tab", "MTLE3CH/A", "Tab", "A3092",
                  "Tab", "Tab", "356938035643809", "Enter", "F2LXK0ABCD", "Tab", "2025-08-01", "Tab", "95", "BSpace", "7")
        expected = {"客户姓名": "李雷", "联系电话": "13800138000", "机型": "iPhone 15", "部件号": "MTLE3CH/A", "型号代码": "A3092", "IMEI": "356938035643809",
                    "序列号": "F2LXK0ABCD", "生产日期": "2025-08-01", "电池健康": "97"}
        text = term.wait_for(r"电池健康\s+97\b", timeout=20)
        for label, value in expected.items():
            assert re.search(rf"^\s*{re.escape(label)}\s+{re.escape(value)}\s", text, re.M), (label, text)
        assert re.search(r"受理日期\s+2026-06-15", text), text
    finally:
        term.close()
