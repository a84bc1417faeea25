"""The ``aftersales`` command line.

The commands are click's (``cli/group.py``), each in its own module, imported only when used, so
``aftersales --help`` and ``aftersales evaluate`` stay fast. Bare ``aftersales`` opens the counter
UI without importing click at all (``cli/start.py``): click and the command line would cost its
start more than the UI's own first module does. Exit codes: 0 ok, 1 a check failed, 2 bad input
(case or policy), 3 a plugin failed.

This module imports nothing of click; ``main_group`` is loaded when first asked for.
"""

from __future__ import annotations

import sys
from typing import Any


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: runs the group and maps the project's errors to exit codes."""
    if not (sys.argv[1:] if argv is None else argv):
        from .start import open_bare

        code = open_bare()
        if code is not None:
            sys.exit(code)
    from ._common import run
    from .group import main_group

    sys.exit(run(main_group, argv))


def __getattr__(name: str) -> Any:
    if name in ("main_group", "COMMANDS"):
        from . import group

        return getattr(group, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
