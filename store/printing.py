"""Printing a page from the counter: the HTML ticket (or the manager's report) goes to the system
printer through ``lp`` when the store has a printer configured (``aftersales stores set CODE
--printer NAME``, or ``AFTERSALES_PRINTER``), else it is saved and opened in the browser, whose
print dialog does the rest.

The page is always saved first, created ``0600``: it carries the customer's name and phone
number. It is saved in the store's tickets folder (``tickets_folder``), beside the store's database,
so two stores on one machine never mix their tickets: ``AFTERSALES_TICKETS_DIR`` when set, else for
a SQLite file ``FILE-tickets/`` next to it (named as SQLite names its ``FILE-wal``), for PostgreSQL
``DATABASE@HOST_PORT-tickets/`` in the user data folder; the folder is made ``0700``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .files import write_private

ENV_PRINTER = "AFTERSALES_PRINTER"
ENV_FOLDER = "AFTERSALES_TICKETS_DIR"


@dataclass(frozen=True, slots=True)
class Printed:
    #: ``printer`` (sent to lp), ``browser`` (opened), ``saved`` (neither was possible)
    how: str
    path: Path
    detail: str = ""


def tickets_folder(url: Any) -> Path:
    """The folder the store whose database is at ``url`` (a URL or its text) keeps its printed
    pages in: ``AFTERSALES_TICKETS_DIR`` when set; else, for a SQLite file, ``FILE-tickets`` beside
    it; for PostgreSQL (or a SQLite database with no file), a folder in the user data folder named
    after the database, with its host and port (two servers may each have a database
    ``aftersales``). ``save_page`` makes it (0700)."""
    folder = os.environ.get(ENV_FOLDER)
    if folder:
        return Path(folder)
    from sqlalchemy.engine import make_url

    from .db import sqlite_path

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_path(parsed)
        if path is not None:
            return path.absolute().with_name(f"{path.name}-tickets")
        name = "tickets"   # an in-memory database
    else:
        name = parsed.database or "postgres"
        if parsed.host:
            name += f"@{parsed.host}" + (f"_{parsed.port}" if parsed.port else "")
        name = re.sub(r"[^\w.@-]", "_", name) + "-tickets"
    from platformdirs import user_data_dir

    return Path(user_data_dir("aftersales", appauthor=False)) / name


def save_page(name: str, text: str, folder: Path) -> Path:
    """Write ``text`` to ``folder/name`` (0600; the folder made 0700 when missing), replacing an
    earlier copy whole. ``folder``: the store's tickets folder (``CaseStore.tickets_folder``)."""
    path = folder / name
    write_private(path, text)
    return path


def print_page(name: str, html_text: str, printer: str | None = None, *, folder: Path,
               open_browser=None) -> Printed:
    """Save the page in ``folder`` (the store's tickets folder), then send it to ``printer`` with
    ``lp`` or open it in the browser."""
    path = save_page(name, html_text, folder)
    printer = printer or os.environ.get(ENV_PRINTER) or None
    lp = shutil.which("lp")
    if printer and lp:
        proc = subprocess.run([lp, "-d", printer, "-t", name, str(path)], capture_output=True, text=True,
                              timeout=30, check=False)
        if proc.returncode == 0:
            return Printed("printer", path, proc.stdout.strip())
        return Printed("saved", path, (proc.stderr or proc.stdout).strip().splitlines()[-1:][0]
                       if (proc.stderr or proc.stdout).strip() else f"lp exited {proc.returncode}")
    if open_browser is None:
        if not _graphical():
            # a text-mode browser would take over the counter's terminal: the file is saved
            return Printed("saved", path, "no graphical session")
        import webbrowser

        open_browser = webbrowser.open
    try:
        opened = open_browser(path.resolve().as_uri())
    except Exception as exc:  # noqa: BLE001 - no browser is not an error: the file is saved
        return Printed("saved", path, str(exc))
    return Printed("browser" if opened else "saved", path, "" if opened else "no browser")


def _graphical() -> bool:
    """Whether a browser window can open (Windows, macOS, or an X11 / Wayland session)."""
    import sys

    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
