"""The store's errors. All are ``AftersalesError``s, so the CLI prints one line and exits.

Exit codes (documented in docs/store.md):

* 2 — ``StoreError``: bad input (unknown case number, a move the workflow does not allow,
  a phone number that is not one, a mail-in record that does not validate); ``OutputError``:
  an output file that cannot be written.
* 4 — ``DatabaseUnavailable``: the database cannot be reached, opened or written
  (server down, wrong URL, read-only file, disk full, locked for too long).
* 5 — ``SchemaError``: the database has no aftersales schema or another revision than this
  program's; run ``aftersales db upgrade``.
* 7 — ``AccessDenied``: the database role connected may not do this (PostgreSQL roles made by
  ``aftersales db roles``), or the staff code and PIN did not sign in.
"""

from __future__ import annotations

from collections.abc import Mapping

from aftersales.core.errors import AftersalesError, OutputError  # noqa: F401 - re-exported for the store's callers


class StoreError(AftersalesError):
    """Bad input to the store: nothing was written."""

    exit_code = 2


class DatabaseUnavailable(StoreError):
    """The database cannot be reached, opened or written; nothing was written."""

    exit_code = 4


class SchemaError(StoreError):
    """The database schema is missing or at another revision than this program's."""

    exit_code = 5


class AccessDenied(StoreError):
    """The database role connected may not do this (another store's cases, a manager's or the
    owner's right); nothing was written."""

    exit_code = 7


def choices_zh(labels: Mapping[str, tuple[str, str]]) -> str:
    """The allowed values for a Chinese message, ``id（中文）、id（中文）…``, from a table of
    ``id: (中文, English)`` labels (ids stay as typed on the command line)."""
    return "、".join(f"{key}（{zh}）" for key, (zh, _en) in labels.items())
