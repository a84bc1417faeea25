"""Files the counter writes that hold customers' details (tickets, the intake draft): written
whole (a temporary file renamed over the old one), readable and writable by their owner alone."""

from __future__ import annotations

import os
from pathlib import Path

#: a file with customers' names and phone numbers: its owner alone reads it
PRIVATE_FILE_MODE = 0o600
#: a folder made for such files: its owner alone lists it
PRIVATE_FOLDER_MODE = 0o700


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` (mode 0600, whatever an earlier copy had), replacing it whole;
    its folder is made when missing (0700: the names of the files are case numbers too)."""
    path.parent.mkdir(mode=PRIVATE_FOLDER_MODE, parents=True, exist_ok=True)
    part = path.with_name(f".{path.name}.part")
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
    try:
        os.fchmod(fd, PRIVATE_FILE_MODE)   # a part left by a killed run keeps its own mode otherwise
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fd = -1
            fh.write(text)
        os.replace(part, path)
    finally:
        if fd != -1:
            os.close(fd)
