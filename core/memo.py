"""Bounded memo tables: what the parser, the engine and the line encoder remember.

Every table the decision path keeps across cases is a plain ``dict`` emptied when it is full, so
that memory stays flat however many cases go by (a replay of millions of cases). ``remember`` is
the one way such a table grows.
"""

from __future__ import annotations

from typing import Any


def remember(table: dict, key: Any, value: Any, limit: int) -> Any:
    """Keep ``key -> value`` in ``table`` (emptied first when it holds ``limit`` entries); gives ``value``."""
    if len(table) >= limit:
        table.clear()
    table[key] = value
    return value
