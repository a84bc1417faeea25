"""aftersales — 售后政策框架: the after-sales policy framework for phone service counters.

The stable Python API::

    from aftersales import evaluate, parse_case
    decision = evaluate(parse_case(mapping))
    decision.to_dict()          # the v1 decision

Plugins mark their hook implementations with ``aftersales.hookimpl``.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "hookimpl", "hookspec", "evaluate", "parse_case", "Case", "Decision", "default_registry"]


def __getattr__(name: str):
    # Lazy: importing the package (``aftersales --help``, a plugin's ``from aftersales import
    # hookimpl``) loads only what is asked for.
    if name in ("hookimpl", "hookspec"):
        from aftersales.core import hookspecs

        return getattr(hookspecs, name)
    if name in ("evaluate", "default_registry"):
        from aftersales.core import registry

        return getattr(registry, name)
    if name in ("parse_case", "Case"):
        from aftersales.core import model

        return getattr(model, name)
    if name == "Decision":
        from aftersales.core.decision import Decision

        return Decision
    raise AttributeError(name)
