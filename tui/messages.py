"""Messages the screens and workers post: each names a fact that has already happened.

Workers (threads) never touch widgets; they post one of these and the UI thread reacts.
"""

from __future__ import annotations

from typing import Any

from textual.message import Message


class CaseEvaluated(Message):
    """The intake form was decided again (``decision`` is the v1 mapping, or ``None``)."""

    def __init__(self, decision: dict[str, Any] | None, problem: str | None = None) -> None:
        super().__init__()
        self.decision = decision
        self.problem = problem


class CaseSaved(Message):
    """A case was stored; ``summary`` is the store's view of it (with its ``number``);
    ``corrected``: an existing case was corrected, not a new one taken in."""

    def __init__(self, summary: dict[str, Any], corrected: bool = False) -> None:
        super().__init__()
        self.summary = summary
        self.corrected = corrected


class UnitKnown(Message):
    """Before a new case is saved: what the store knows about its unit (a replacement's restarted
    period, earlier repairs), for the unit the form named then (``key``)."""

    def __init__(self, key: tuple[str, str], case: dict[str, Any], warnings: list[Any], sent: Any,
                 paths: set[str]) -> None:
        super().__init__()
        self.key = key
        #: the case input as the store will take it, the form it was asked for, the fields it changes
        self.case = case
        self.warnings = warnings
        self.sent = sent
        self.paths = paths


class CaseSaveFailed(Message):
    def __init__(self, error: str, field: str | None = None) -> None:
        super().__init__()
        self.error = error
        self.field = field


class CasesListed(Message):
    """The queue's cases were read from the store."""

    def __init__(self, cases: list[dict[str, Any]]) -> None:
        super().__init__()
        self.cases = cases


class CaseLoaded(Message):
    """One case was read (or changed: moved, followed up, re-evaluated) and here it is."""

    def __init__(self, view: dict[str, Any], done: str | None = None) -> None:
        super().__init__()
        self.view = view
        self.done = done   # what just happened: moved / followed / reevaluated / None


class StoreActionFailed(Message):
    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class StoreOpened(Message):
    def __init__(self, store: Any) -> None:
        super().__init__()
        self.store = store


class StoreUnavailable(Message):
    def __init__(self, error: str, url: str) -> None:
        super().__init__()
        self.error = error
        self.url = url


class PoliciesLoaded(Message):
    """The plugins and policies were loaded at start."""

    def __init__(self, registry: Any) -> None:
        super().__init__()
        self.registry = registry


class PoliciesReloaded(Message):
    """A reload succeeded: ``registry`` is now in force."""

    def __init__(self, registry: Any) -> None:
        super().__init__()
        self.registry = registry


class PolicyReloadFailed(Message):
    """A reload (or the first load) failed; ``issues`` are located ``PolicyIssue`` records."""

    def __init__(self, error: str, issues: list[Any], initial: bool = False) -> None:
        super().__init__()
        self.error = error
        self.issues = issues
        self.initial = initial



class SameUnitFound(Message):
    """Before a new case is saved: the unit (same IMEI or serial number) has open cases."""

    def __init__(self, numbers: list[str]) -> None:
        super().__init__()
        self.numbers = numbers


class CasesFound(Message):
    """The store's answer to a search typed in the queue."""

    def __init__(self, text: str, cases: list[dict[str, Any]]) -> None:
        super().__init__()
        self.text = text
        self.cases = cases
