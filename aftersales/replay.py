"""Bulk replay: many cases through the engine, streamed, on every core.

The I/O shell around ``aftersales.core``: it reads JSONL (or the case store), hands chunks of
raw lines to worker processes, and writes what comes back in input order. At most
``workers * INFLIGHT_PER_WORKER`` chunks are in flight at any time, so memory stays flat however
long the input is. A worker decodes, parses, validates and decides; a line that fails any of
those steps becomes an error record with its line number and the reason, and the run goes on.

Used by ``aftersales replay`` and ``aftersales policy diff``; usable from Python::

    from aftersales.replay import replay_file
    stats = replay_file("cases.jsonl", out=open("decisions.jsonl", "w"), workers=2)
"""

from __future__ import annotations

import json
import multiprocessing
import os
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, TextIO

CHUNK_LINES = 1000
INFLIGHT_PER_WORKER = 3

# ----------------------------------------------------------------------------- input

#: one input item: (where, payload, complete). ``where`` is the line number (int) or a store case
#: number (str); ``payload`` raw bytes of a JSONL line or an already-parsed mapping (store);
#: ``complete`` is False for a last line with no newline after it.
Item = tuple


def jsonl_items(path: str, progress: Callable[[int], None] | None = None) -> Iterator[Item]:
    """Lines of a JSONL file as items; blank lines are skipped (their numbers still count)."""
    with open(path, "rb") as fh:
        lineno = 0
        for raw in fh:
            lineno += 1
            if progress is not None:
                progress(len(raw))
            complete = raw.endswith(b"\n")
            body = raw.rstrip(b"\r\n")
            if not body.strip():
                continue
            yield (lineno, body, complete)


def store_items(url: str | None = None, batch: int = 500) -> Iterator[Item]:
    """Every case input in the case store, oldest first, keyed by case number."""
    import sqlalchemy as sa

    from aftersales.store import db as _db
    from aftersales.store.schema import cases

    engine = _db.open_engine(url)
    try:
        last = 0
        while True:
            query = (sa.select(cases.c.id, cases.c.number, cases.c.case_input)
                     .where(cases.c.id > last).order_by(cases.c.id).limit(batch))
            with _db.read_connection(engine) as conn:
                rows = conn.execute(query).all()
            if not rows:
                return
            for row in rows:
                yield (row.number, row.case_input, True)
            last = rows[-1].id
    finally:
        engine.dispose()


def store_count(url: str | None = None) -> int:
    from aftersales.store import open_store

    with open_store(url) as store:
        return store.count()


def chunked(items: Iterable[Item], size: int = CHUNK_LINES) -> Iterator[list[Item]]:
    chunk: list[Item] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def decode(item: Item) -> Any:
    """The mapping of one item, or raise ``ValueError`` with the reason a line is bad."""
    where, payload, complete = item
    if not isinstance(payload, (bytes, bytearray)):
        return payload
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 text (byte 0x{payload[exc.start]:02x} at column {exc.start + 1})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        if not complete:
            raise ValueError(f"truncated last line (no newline at the end of the file): {exc.msg} at column {exc.colno}") from None
        raise ValueError(f"not JSON: {exc.msg} at column {exc.colno}") from None
    if not isinstance(data, dict):
        raise ValueError(f"not a case: a JSON object is expected, not {type(data).__name__}")
    return data


def ref(where: Any) -> dict[str, Any]:
    return {"line": where} if isinstance(where, int) else {"number": where}


def where_text(source: str, where: Any) -> str:
    return f"{source}:{where}" if isinstance(where, int) else f"{source} case {where}"


# ----------------------------------------------------------------------------- results

@dataclass
class ChunkResult:
    """What a worker sends back for one chunk."""

    text: str = ""                                       # output lines, each ending in "\n"
    count: int = 0                                       # items processed (good + bad)
    outcomes: Counter = field(default_factory=Counter)   # (remedy, basis) -> cases
    errors: list = field(default_factory=list)           # (where, reason)
    extra: Any = None                                    # task-specific (diff groups)


@dataclass
class RunStats:
    total: int = 0
    decided: int = 0
    outcomes: Counter = field(default_factory=Counter)
    errors: list = field(default_factory=list)
    error_kinds: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    def add(self, result: ChunkResult) -> None:
        self.total += result.count
        self.decided += result.count - len(result.errors)
        self.outcomes.update(result.outcomes)
        for where, reason in result.errors:
            if len(self.errors) < 100:
                self.errors.append((where, reason))
            self.error_kinds[reason.split(":", 1)[0].split(" (", 1)[0]] += 1

    def to_dict(self) -> dict[str, Any]:
        by_remedy: Counter = Counter()
        for (remedy, _basis), n in self.outcomes.items():
            by_remedy[remedy] += n
        return {
            "cases": self.total,
            "decided": self.decided,
            "errors": self.total - self.decided,
            "seconds": round(self.seconds, 3),
            "cases_per_second": round(self.total / self.seconds) if self.seconds else None,
            "by_remedy": dict(by_remedy.most_common()),
            "by_remedy_and_basis": [{"remedy": r, "basis": b, "cases": n} for (r, b), n in self.outcomes.most_common()],
            "errors_by_kind": dict(self.error_kinds.most_common()),
        }


# ----------------------------------------------------------------------------- workers

_STATE: dict[str, Any] = {}


def setup_worker(task: str, options: dict[str, Any]) -> None:
    """Load what a task needs, once per process (skipped when inherited through fork)."""
    key = (task, json.dumps(options, sort_keys=True, default=str))
    if _STATE.get("key") == key:
        return
    from aftersales.core.registry import load_registry
    _STATE.clear()
    _STATE["key"] = key
    _STATE["task"] = task
    _STATE["options"] = options
    if task == "replay":
        reg = load_registry(policies_dir=options.get("policies_dir"), plugins_dir=options.get("plugins_dir"))
        _STATE["registry"] = reg
    elif task == "diff":
        old = load_registry(policies_dir=options.get("old_dir"), plugins_dir=options.get("plugins_dir"))
        new = load_registry(policies_dir=options.get("new_dir"), plugins_dir=options.get("plugins_dir"))
        _STATE["old"], _STATE["new"] = old, new
    else:  # pragma: no cover
        raise ValueError(task)


def run_chunk(chunk: list[Item]) -> ChunkResult:
    task = _STATE["task"]
    if task == "replay":
        return _replay_chunk(chunk)
    return _diff_chunk(chunk)


def _reason(exc: BaseException) -> str:
    from aftersales.core.errors import CaseError

    if isinstance(exc, ValueError) and not isinstance(exc, CaseError):
        return str(exc)
    if isinstance(exc, CaseError):
        return f"invalid case: {exc}"
    return f"internal error: {type(exc).__name__}: {exc}"


def _replay_chunk(chunk: list[Item]) -> ChunkResult:
    from aftersales.core.replay import compact_decision

    opts = _STATE["options"]
    parse = _STATE["registry"].parse_case
    evaluate = _STATE["registry"].engine.evaluate
    fmt = opts.get("format", "compact")
    with_trace = bool(opts.get("trace"))
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    out: list[str] = []
    result = ChunkResult(count=len(chunk))
    outcomes = result.outcomes
    for item in chunk:
        where = item[0]
        try:
            decision = evaluate(parse(decode(item)))
        except Exception as exc:  # noqa: BLE001 - every bad line is reported, the run goes on
            reason = _reason(exc)
            result.errors.append((where, reason))
            out.append(dumps({**ref(where), "error": reason}))
            continue
        for r in decision.remedies:
            if r.available:
                outcomes[(r.remedy, r.basis)] += 1
                break
        if fmt == "compact" and not with_trace:
            record = compact_decision(decision)
        else:
            record = decision.to_dict()
            if not with_trace:
                del record["trace"]
        out.append(dumps({**ref(where), **record}))
    out.append("")
    result.text = "\n".join(out)
    return result


def _diff_chunk(chunk: list[Item]) -> ChunkResult:
    from aftersales.core.replay import change_key, changes, outcome

    old_parse, new_parse = _STATE["old"].parse_case, _STATE["new"].parse_case
    old_eval, new_eval = _STATE["old"].engine.evaluate, _STATE["new"].engine.evaluate
    result = ChunkResult(count=len(chunk))
    changed: list = []
    for item in chunk:
        where = item[0]
        try:
            data = decode(item)
            old = outcome(old_eval(old_parse(data)))
            new = outcome(new_eval(new_parse(data)))
        except Exception as exc:  # noqa: BLE001
            result.errors.append((where, _reason(exc)))
            continue
        result.outcomes[(new["entitlement"], new["basis"])] += 1
        if changes(old, new):
            changed.append((change_key(old, new), where, data, old, new))
    result.extra = changed
    return result


# ----------------------------------------------------------------------------- driver

def default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def run(items: Iterable[Item], task: str, options: dict[str, Any], *, workers: int,
        on_result: Callable[[ChunkResult], None], chunk_lines: int = CHUNK_LINES) -> None:
    """Feed ``items`` in chunks to ``workers`` processes; ``on_result`` sees results in order."""
    setup_worker(task, options)   # here first: a broken policy stops the run before any input is read
    chunks = chunked(items, chunk_lines)
    if workers <= 1:
        for chunk in chunks:
            on_result(run_chunk(chunk))
        return
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    pending: deque = deque()
    limit = workers * INFLIGHT_PER_WORKER
    with ctx.Pool(workers, initializer=setup_worker, initargs=(task, options)) as pool:
        try:
            for chunk in chunks:
                pending.append(pool.apply_async(run_chunk, (chunk,)))
                while len(pending) >= limit:
                    on_result(pending.popleft().get())
            while pending:
                on_result(pending.popleft().get())
        except BaseException:
            pool.terminate()
            raise


def replay_file(path: str | None, out: TextIO, *, workers: int = 1, options: dict[str, Any] | None = None,
                from_store: bool = False, db_url: str | None = None,
                progress: Any = None, report: Callable[[Any, str], None] | None = None) -> RunStats:
    """Replay a JSONL file (or the store) into ``out``; returns the counts for the summary."""
    import time

    stats = RunStats()
    options = dict(options or {})

    def on_result(result: ChunkResult) -> None:
        if result.text:
            out.write(result.text)
        stats.add(result)
        if report is not None:
            for where, reason in result.errors:
                report(where, reason)
        if progress is not None:
            progress.cases(result.count)

    start = time.perf_counter()
    if from_store:
        items: Iterable[Item] = store_items(db_url)
    else:
        items = jsonl_items(path, progress.bytes if progress is not None else None)
    run(items, "replay", options, workers=workers, on_result=on_result)
    stats.seconds = time.perf_counter() - start
    return stats
