"""Reading case files (YAML or JSON) from disk: the shell around ``parse_case``.

Syntax errors are ``CaseError`` located at ``file:line:column``; nothing here decides anything.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .errors import AftersalesError, CaseError


def load_case_text(text: str, name: str) -> Any:
    """Parse case text: JSON when it looks like JSON, else safe YAML.

    A scenario (a mapping with ``case:`` and ``expect:``) gives its case.
    """
    return _case_of(_parse(text, name))


def _case_of(data: Any) -> Any:
    if isinstance(data, dict) and "case" in data and "expect" in data and isinstance(data["case"], dict):
        return data["case"]
    return data


def _parse(text: str, name: str, error: type[AftersalesError] = CaseError) -> Any:
    stripped = text.lstrip()
    if stripped.startswith("{"):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise error(f"{name}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from None
    import yaml

    loader_cls = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(text, Loader=loader_cls)  # noqa: S506 - a safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{name}:{mark.line + 1}:{mark.column + 1}" if mark else name
        raise error(f"{where}: not valid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise error(f"{name}: not valid YAML: {exc}") from None


def load_data_file(path: str | Path, error: type[AftersalesError] = CaseError) -> Any:
    """A YAML or JSON file's content; unreadable or malformed files raise ``error``, located."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise error(f"{p}: cannot read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise error(f"{p}:{line}:1: not UTF-8 text") from None
    return _parse(text, str(p), error)


def load_case_file(path: str | Path) -> Any:
    """The mapping in a case file (see ``load_case_text``)."""
    return _case_of(load_data_file(path))
