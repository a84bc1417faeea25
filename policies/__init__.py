"""The bundled policies (YAML) and their JSON Schema."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def bundled(name: str) -> Any:
    """A bundled file: a plain path when the package is installed as files (as
    ``importlib.resources`` would give, without importing its machinery), else the
    ``importlib.resources`` traversable (a package inside a zip)."""
    here = os.path.dirname(__file__) if __file__ else ""
    if here and os.path.isfile(os.path.join(here, name)):
        return Path(here, name)
    from importlib import resources

    return resources.files(__name__) / name
