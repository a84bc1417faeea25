"""The intake draft: what the form holds, written to a file shortly after each change, so a
half-filled intake survives a crash or a closed terminal and is offered back at the next start.

One file per counter (``AFTERSALES_DRAFT``, else ``intake-draft-STORE.json`` in the user's state
folder, ``STORE`` the counter's store code: two stores' counters on one machine never offer each
other's half-typed customer back), written
whole to a temporary file and renamed over the old one, readable by its owner alone (it holds
the customer's name and phone), removed once the case is saved or the form is cleared.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any

from .form import FIELDS, FormState


def default_path(store_code: str) -> Path:
    """Where the counter of ``store_code`` keeps its draft."""
    fixed = os.environ.get("AFTERSALES_DRAFT")
    if fixed:
        return Path(fixed)
    import re

    from platformdirs import user_state_dir

    name = re.sub(r"[^0-9A-Za-z_-]", "_", store_code) or "MAIN"
    return Path(user_state_dir("aftersales", appauthor=False)) / f"intake-draft-{name}.json"


def write(path: Path, form: FormState, when: datetime) -> None:
    data = {"saved_at": when.isoformat(timespec="seconds"), "values": form.values,
            "documents": sorted(form.documents), "conditions": sorted(form.conditions), "plans": sorted(form.plans)}
    import json

    from aftersales.store.files import write_private

    write_private(path, json.dumps(data, ensure_ascii=False))   # the customer's name and phone: 0600


def read(path: Path, blank: FormState) -> tuple[FormState, str] | None:
    """The form in the draft and when it was written (``None``: no draft, or not readable)."""
    # (json is not imported as the counter starts: a draft is read after the first screen)
    import json

    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
        values = data["values"]
        known = {f.path for f in FIELDS}
        form = FormState({**blank.values, **{k: v for k, v in values.items() if k in known}},
                         set(data.get("documents", ())), set(data.get("conditions", ())), set(data.get("plans", ())))
        return form, str(data.get("saved_at", ""))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def remove(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass                    # already gone
