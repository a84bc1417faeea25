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

from aftersales.tui import compat

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")


def _command(name: str) -> str:
    command = shutil.which(name, path=str(Path(sys.executable).parent))
    if command is None:
        pytest.skip(f"the {name} command is not installed beside this Python")
    return command


class Terminal:
    """The program in a tmux pane of ``width`` x ``height``, on a store migrated to head (the
    session's template) or on ``store`` (a file the test has filled), with ``env`` added, started
    in ``tmp_path``."""

    def __init__(self, tmp_path: Path, migrated: Path, width: int, height: int, *, store: Path | None = None,
                 env: dict[str, str] | None = None) -> None:
        command = _command("aftersales")
        path = store or tmp_path / "cases.sqlite3"
        if store is None:
            shutil.copyfile(migrated, path)
            path.chmod(0o600)
        db = f"sqlite:///{path}"
        # the terminal's size is the pane's: not COLUMNS and LINES left in the environment (pytest-xdist
        # workers set 80 x 24, and the program would take them over the pane's 120 x 36)
        inherited = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
        env = {**inherited, "AFTERSALES_DB": db, "AFTERSALES_POLICY_CACHE": str(tmp_path / "cache"),
               "AFTERSALES_NOW": "2026-06-15T10:30:00", "AFTERSALES_STAFF": "王芳", "TERM": "xterm-256color",
               **(env or {})}
        self.name = f"aftersales-{uuid.uuid4().hex[:8]}"
        # a tmux server of its own (its own socket) that reads no configuration file: the program gets
        # this environment (a server started earlier by another run would hand it that run's), and
        # the user's settings stay out of it
        self.tmux = ["tmux", "-L", self.name, "-f", os.devnull]
        exports = " ".join(f"{k}={v!r}" for k, v in env.items() if k.startswith("AFTERSALES_"))
        subprocess.run([*self.tmux, "new-session", "-d", "-x", str(width), "-y", str(height), "-s", self.name,
                        "-c", str(tmp_path), f"env {exports} {command}"], env=env, check=True)
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


#: the folder the tickets are saved to (relative: the toast names it as it is given): a name of
#: Chinese characters with no pause, so that the toast's lines are full, the first one's
#: characters a cell off the next one's (after "受理单已保存到 "); any edge under the toast's text
#: falls inside a character of one of them
TICKETS = "门店档案深圳一店受理单与取机通知单存档目录第二批按月归档二零二六年六月上旬"


def _toast_text(screen: str) -> str:
    """The toast's text on ``screen``: each line's part right of the toast's edge, joined."""
    return "".join(line.rsplit("▌", 1)[1].strip() for line in screen.splitlines() if "▌" in line)


def _starts_at(line: str, column: int) -> str:
    """The character of ``line`` that starts at cell ``column`` ("" when one covers it from the left)."""
    from rich.cells import cell_len

    at = 0
    for char in line:
        if at == column:
            return char
        at += cell_len(char)
    return ""


@pytest.mark.skipif(not compat.ENABLED, reason="drawn by the counter's compositor (tui.compat)")
@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
def test_a_toast_over_a_dialog_keeps_every_chinese_character_in_a_real_terminal(
        tmp_path, migrated_file, store, save_day5, size):
    """The toast saying where the ticket was saved, over the ticket dialog, as the terminal shows
    it: whole as it comes, and while the ticket scrolls under it (frames drawing only what
    changed); "）：" went where it crossed the dialog's edge."""
    from rich.cells import cell_len

    number = save_day5(store)
    (tmp_path / TICKETS).mkdir()
    term = Terminal(tmp_path, migrated_file, *size, store=tmp_path / "cases.sqlite3",
                    env={"AFTERSALES_TICKETS_DIR": TICKETS})
    try:
        term.wait_for(r"Ctrl\+S 保存")
        term.send("F2")
        term.wait_for(number)
        term.send("Enter")
        term.wait_for("受理时间：")                      # the case has loaded
        term.send("p")
        ticket = term.wait_for("手机售后服务受理单")
        term.send("s")
        shown = term.wait_for(r"\.txt")
        term.send("Down", "Down", "Down")                 # the ticket scrolls under the toast
        deadline = time.monotonic() + 10
        while "手机售后服务受理单" in (scrolled := term.screen()):
            assert time.monotonic() < deadline, scrolled
            time.sleep(0.05)
        time.sleep(0.3)
        for screen in (shown, term.screen()):
            assert f"{TICKETS}/{number}.txt" in _toast_text(screen), screen
        # where the dialog's border (its last column, hidden under the toast) and its padding's
        # column leave them, the ticket's scroll area ends between the two cells of a character of
        # the toast: the toast crosses an edge of the dialog
        border = cell_len(next(line for line in ticket.splitlines() if "▀▀▀" in line).rstrip()) - 1
        assert any(cell_len(_starts_at(line, border - 2)) == 2 for line in shown.splitlines() if "▌" in line), shown
    finally:
        term.close()
