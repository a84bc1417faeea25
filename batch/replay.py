"""Bulk replay: many cases through the engine, streamed, on every core.

The I/O shell around ``aftersales.core``. For a JSONL file the main process only cuts the file
into blocks of about ``CHUNK_BYTES`` at line ends and counts their lines (no per-line work). Each
worker reads its block's byte range itself; decodes, parses, validates, decides and encodes every
line; and writes the block's output lines to a part file of its own, which the main process
appends to the output in input order (``os.sendfile``) and removes. (Input that cannot be read at
an offset, a pipe, travels with its block; with one worker everything happens in this process.)
The case store and ``policy diff`` go by chunks of ``CHUNK_LINES`` items, their output through
the pipe. At most ``workers * INFLIGHT_PER_WORKER`` blocks or chunks are in flight at any time, so
memory (and the parts on disk) stay flat however long the input is. A line that fails any step
becomes an error record with its line number and the reason, and the run goes on.

Used by ``aftersales replay`` and ``aftersales policy diff``; usable from Python::

    from aftersales.batch.replay import replay_file
    stats = replay_file("cases.jsonl", out=open("decisions.jsonl", "w"), workers=2)
"""

from __future__ import annotations

import codecs
import errno
import functools
import gc
import json
import os
import stat
import sys
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

import msgspec

#: items per chunk (case store, ``policy diff``)
CHUNK_LINES = 1000
#: bytes of JSONL per block (file replay); a block ends at a line end
CHUNK_BYTES = 1 << 20
INFLIGHT_PER_WORKER = 3

# ----------------------------------------------------------------------------- input

#: one input item: (where, payload, complete). ``where`` is the line number (int) or a store case
#: number (str); ``payload`` raw bytes of a JSONL line or an already-parsed mapping (store);
#: ``complete`` is False for a last line with no newline after it.
Item = tuple


def jsonl_items(path: str) -> Iterator[Item]:
    """Lines of a JSONL file as items; blank lines are skipped (their numbers still count)."""
    with open(path, "rb") as fh:
        lineno = 0
        for raw in fh:
            lineno += 1
            complete = raw.endswith(b"\n")
            body = raw.rstrip(b"\r\n")
            if not body.strip():
                continue
            yield (lineno, body, complete)


#: one block of a JSONL file: (path, first line number, byte offset, byte length, bytes or None).
#: The bytes travel with the block only when the input cannot be read at an offset (a pipe);
#: otherwise the worker reads the range itself.
Block = tuple


def jsonl_blocks(path: str, size: int | None = None) -> Iterator[Block]:
    """The file cut into blocks of about ``size`` bytes, each ending at a line end (the last one
    at the end of the file), with the number of its first line. Reads the file once into one
    reused buffer, counting newlines; no per-line work."""
    size = size or CHUNK_BYTES
    path = os.path.abspath(path)
    with open(path, "rb", buffering=0) as fh:
        fd = fh.fileno()
        if not stat.S_ISREG(os.fstat(fd).st_mode) or not hasattr(os, "pread"):
            yield from _stream_blocks(fh, path, size)
            return
        buf = bytearray(size)
        offset = 0
        line = 1
        while True:
            got = _read_into(fd, buf, offset)
            if not got:
                return
            cut = buf.rfind(b"\n", 0, got) + 1
            if cut == 0:
                if got == len(buf):       # a line longer than a block: take more of it
                    buf = bytearray(2 * len(buf))
                    continue
                cut = got                 # the last line, with no newline after it
            yield (path, line, offset, cut, None)
            line += buf.count(b"\n", 0, cut)
            offset += cut
            if len(buf) > size and cut < len(buf) // 2:
                buf = bytearray(size)


def _read_into(fd: int, buf: bytearray, offset: int) -> int:
    if hasattr(os, "preadv"):
        return os.preadv(fd, [buf], offset)
    data = os.pread(fd, len(buf), offset)       # pragma: no cover - systems without preadv
    buf[:len(data)] = data
    return len(data)


def _stream_blocks(fh: Any, path: str, size: int) -> Iterator[Block]:
    """Blocks of a pipe or other stream: the same cuts, the bytes carried in the block."""
    line, carry = 1, b""
    while True:
        data = fh.read(size)
        if not data:
            if carry:
                yield (path, line, None, len(carry), carry)
            return
        buf = carry + data if carry else data
        cut = buf.rfind(b"\n") + 1
        if cut == 0:
            carry = buf
            continue
        body, carry = buf[:cut], buf[cut:]
        yield (path, line, None, cut, body)
        line += body.count(b"\n")


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




class BadLine(ValueError):
    """A line that is no case at all (not UTF-8, not JSON, not an object), said in both languages."""

    def __init__(self, message: str, zh: str) -> None:
        super().__init__(message)
        self.zh = zh


def decode(item: Item) -> Any:
    """The mapping of one item, or raise ``BadLine`` with the reason a line is bad."""
    where, payload, complete = item
    if not isinstance(payload, (bytes, bytearray)):
        return payload
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        from aftersales.core.errors import not_utf8

        _line, column, en, zh = not_utf8(bytes(payload), exc)
        raise BadLine(f"{en} (column {column})", f"{zh}（第 {column} 列）") from None
    try:
        data = json.loads(text)
    except RecursionError:
        raise BadLine("not a case: nesting too deep", "不是案例：嵌套太深") from None
    except json.JSONDecodeError as exc:
        from aftersales.core.casefile import JSON_ZH

        if not complete:
            raise BadLine(f"truncated last line (no newline at the end of the file): {exc.msg} at column {exc.colno}",
                          f"最后一行不完整（文件末尾没有换行）：第 {exc.colno} 列，{JSON_ZH.get(exc.msg, exc.msg)}") from None
        raise BadLine(f"not JSON: {exc.msg} at column {exc.colno}",
                      f"不是 JSON：第 {exc.colno} 列，{JSON_ZH.get(exc.msg, exc.msg)}") from None
    except ValueError:  # an integer past Python's digit limit (the words case files use)
        raise BadLine("not a case: a number is too large", "不是案例：数字过大") from None
    if not isinstance(data, dict):
        kind = type(data).__name__
        raise BadLine(f"not a case: a JSON object is expected, not {kind}", f"不是案例：应为 JSON 对象，而不是 {kind}")
    return data


def ref(where: Any) -> dict[str, Any]:
    return {"line": where} if isinstance(where, int) else {"number": where}


def where_text(source: str, where: Any, lang: str = "en") -> str:
    """A bad item's place: ``FILE:LINE``, or the case number in the store."""
    if isinstance(where, int):
        return f"{source}:{where}"
    return f"案例库 案例 {where}" if lang == "zh" else f"{source} case {where}"


# ----------------------------------------------------------------------------- results

@dataclass
class ChunkResult:
    """What a worker sends back for one chunk."""

    data: bytes = b""                                    # output lines (UTF-8), each ending in "\n"
    count: int = 0                                       # items processed (good + bad)
    part: str | None = None                              # or: a file holding them (written by a worker)
    size: int = 0                                        # input bytes covered (file blocks)
    outcomes: Counter = field(default_factory=Counter)   # (remedy, basis) -> cases
    errors: list = field(default_factory=list)           # (where, reason, its Chinese): ``_reason``
    extra: Any = None                                    # task-specific (diff groups)
    #: plugin -> cases decided without it (a hook failed) or not decided (it is quarantined)
    plugin_failures: Counter = field(default_factory=Counter)


@dataclass
class RunStats:
    total: int = 0
    decided: int = 0
    outcomes: Counter = field(default_factory=Counter)
    errors: list = field(default_factory=list)
    error_kinds: Counter = field(default_factory=Counter)
    #: the same kinds in Chinese (what the Chinese reason says before its first "：" or "（")
    error_kinds_zh: Counter = field(default_factory=Counter)
    seconds: float = 0.0
    plugin_failures: Counter = field(default_factory=Counter)

    def add(self, result: ChunkResult) -> None:
        self.total += result.count
        self.decided += result.count - len(result.errors)
        self.outcomes.update(result.outcomes)
        if result.plugin_failures:
            self.plugin_failures.update(result.plugin_failures)
        for where, reason, zh in result.errors:
            if len(self.errors) < 100:
                self.errors.append((where, reason))
            self.error_kinds[reason.split(":", 1)[0].split(" (", 1)[0]] += 1
            self.error_kinds_zh[zh.split("：", 1)[0].split("（", 1)[0]] += 1

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
            # cases decided without a plugin, or not decided because it is quarantined
            "plugin_failures": sum(self.plugin_failures.values()),
            "plugin_failures_by_plugin": dict(self.plugin_failures.most_common()),
        }


# ----------------------------------------------------------------------------- workers

_STATE: dict[str, Any] = {}


def setup_worker(task: str, options: dict[str, Any]) -> None:
    """Load what a task needs, once per process (skipped when inherited through fork)."""
    key = (task, json.dumps(options, sort_keys=True, default=str))
    if _STATE.get("key") != key:
        from aftersales.core.registry import load_registry
        _STATE.clear()
        _STATE["task"] = task
        _STATE["options"] = options
        # a plugin that fails to import or validate is quarantined: its brands' lines are errors
        # naming it, every other brand is decided
        load = functools.partial(load_registry, plugins_dir=options.get("plugins_dir"))
        if task == "replay" and options.get("bundle"):   # the bundle in force when the run began
            from aftersales.store import db
            from aftersales.store.bundles import active_bundle
            from aftersales.store.policysource import PolicySource, registry_for

            engine = db.open_engine(options["bundle"]["db"])
            try:
                bundle = active_bundle(engine, options["bundle"]["id"])
            finally:
                engine.dispose()
            _STATE["registry"] = registry_for(PolicySource("bundle", bundle=bundle), plugins_dir=options.get("plugins_dir"))
        elif task == "replay":
            _STATE["registry"] = load(policies_dir=options.get("policies_dir"))
        elif task == "diff":
            old = load(policies_dir=options.get("old_dir"))
            new = load(policies_dir=options.get("new_dir"))
            _STATE["old"], _STATE["new"] = old, new
        else:  # pragma: no cover
            raise ValueError(task)
        _STATE["key"] = key  # only once loaded: a load that failed is tried again


def loaded_registries(task: str, options: dict[str, Any]) -> list[Any]:
    """Load what ``task`` needs in this process (workers forked later inherit it) and return
    its registries, for the command to say once what they left out (quarantined plugins)."""
    setup_worker(task, options)
    return [_STATE[k] for k in ("registry", "old", "new") if k in _STATE]


def _worker_init(task: str, options: dict[str, Any]) -> None:
    import signal

    # Ctrl-C reaches every process of the terminal's group: the main process alone handles it
    # (and ends the workers); a worker ends quietly on SIGTERM, as the pool ends it
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    setup_worker(task, options)
    sys.stdout = sys.stderr   # what a plugin prints: the worker's output goes by its part files
    # the policies and plugins loaded so far live as long as the worker: keep them out of the
    # cyclic collector's way. The collector does not run on its own in a worker: deciding a case
    # makes no reference cycles, and its passes would keep walking the engine's caches (over
    # 100,000 objects once warm, tens of milliseconds a pass); ``_in_worker`` runs it once per
    # task instead, on what that task left behind only
    gc.freeze()
    gc.disable()


def _in_worker(function: Callable[[Any], ChunkResult], task: Any) -> ChunkResult:
    """``function(task)`` in a pool worker, then one pass of the cyclic collector over the
    objects the task made and kept (new cache entries; any cycle it left behind is freed here),
    which are then frozen like the ones loaded before: memory stays flat, and no pass walks
    them again."""
    try:
        return function(task)
    finally:
        gc.collect(0)
        gc.freeze()


def run_chunk(chunk: list[Item]) -> ChunkResult:
    task = _STATE["task"]
    if task == "replay":
        return _replay_chunk(chunk)
    return _diff_chunk(chunk)


def run_block(block: Block) -> ChunkResult:
    """Replay one block of a JSONL file (read here, from its byte range, unless it carries its
    bytes). When the block names a part file, the output lines go there instead of back through
    the pipe."""
    path, first_line, offset, length, payload = block[:5]
    if payload is None:
        fds = _STATE.setdefault("fds", {})
        fd = fds.get(path)
        if fd is None:
            fd = fds[path] = os.open(path, os.O_RDONLY)
        payload = os.pread(fd, length, offset)
    result = _replay_lines(payload, first_line)
    part = block[5] if len(block) > 5 else None
    if part is not None and result.data:
        try:
            _write_file(part, result.data)
        except OSError:               # no room for the part: the lines go back the usual way
            pass
        else:
            result.part, result.data = part, b""
    return result


def _write_file(path: str, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def _reason(exc: BaseException) -> tuple[str, str]:
    """Why a line was not decided: (the reason written in the output line, its Chinese)."""
    from aftersales.core.errors import AftersalesError, CaseError, PluginError

    if isinstance(exc, BadLine):
        return str(exc), exc.zh
    if isinstance(exc, CaseError):
        return f"invalid case: {exc}", f"案例无效：{exc.line('zh')}"
    if isinstance(exc, PluginError):
        return f"plugin failed: {exc}", f"插件出错：{exc.line('zh')}"
    text = exc.line("zh") if isinstance(exc, AftersalesError) else str(exc)
    return f"internal error: {type(exc).__name__}: {exc}", f"内部错误：{type(exc).__name__}: {text}"


_encode = msgspec.json.Encoder().encode


def _tools() -> tuple:
    """What deciding and encoding take in this process, looked up once:
    ``(parse_case, plans, brands, registry_parse, evaluate, compact, encode_full)``.

    ``parse_case`` with the registry's ``plans`` is ``Registry.parse_case`` without its per-call
    overhead; a case whose brand is not in ``brands`` goes to ``registry_parse`` instead, which
    refuses it with the registry's own message. ``compact`` tells the output format: the compact
    line (``batch.compact.compact_line``) or ``encode_full(decision, where)``."""
    tools = _STATE.get("tools")
    if tools is None:
        from aftersales.core.model import parse_case

        reg = _STATE["registry"]
        opts = _STATE["options"]
        with_trace = bool(opts.get("trace"))

        def encode_full(decision: Any, where: Any) -> tuple[bytes, Any]:
            record = decision.to_dict()
            if not with_trace:
                del record["trace"]
            entitled = next(((r.remedy, r.basis) for r in decision.remedies if r.available), None)
            return _encode({**ref(where), **record}), entitled

        compact = opts.get("format", "compact") == "compact" and not with_trace
        tools = _STATE["tools"] = (parse_case, reg.coverage_plans, reg.brands, reg.parse_case, reg.engine.evaluate,
                                   compact, encode_full)
    return tools


def _decider() -> Callable[[Any, Any], tuple[bytes, Any]]:
    """``decide(data, where)``: one case — a JSON line (UTF-8 bytes) or a decoded mapping — parsed,
    decided and encoded, as ``(output line (UTF-8), (remedy, basis) of the entitlement or None)``;
    ``where`` is the line number or the stored case number the line opens with. A bad case
    raises (the caller reports it with its line)."""
    decide = _STATE.get("decide")
    if decide is None:
        from aftersales.batch.compact import compact_line
        from aftersales.core.model import decode_case

        parse_case, plans, brands, registry_parse, evaluate, compact, encode_full = _tools()

        failures = _STATE["plugin_failures"] = Counter()

        def decide(data: Any, where: Any) -> tuple[bytes, Any]:
            if type(data) is bytes:
                case = decode_case(data, coverage_plans=plans)
                if case.brand not in brands:
                    case = registry_parse(json.loads(data))
            else:
                case = parse_case(data, coverage_plans=plans)
                if case.brand not in brands:
                    case = registry_parse(data)
            decision = evaluate(case)
            if decision.plugin_errors:   # decided without a plugin: counted
                failures.update({f.plugin for f in decision.plugin_errors})
            if compact:
                return compact_line(decision, where)
            return encode_full(decision, where)

        _STATE["decide"] = decide
    return decide


def _replay_lines(raw: bytes, first_line: int) -> ChunkResult:
    """Every line of a block of JSONL: decided and encoded, or an error record.

    The lines stay bytes: the case decoder reads UTF-8 and checks it in every text it reads, so a
    line that is not UTF-8 is never decided, and only a line that failed is looked at again for
    the reason to give (``decode``)."""
    from aftersales.core.errors import CaseError

    decide = _decider()
    lines = raw.split(b"\n")
    last_complete = raw.endswith(b"\n")
    if last_complete:
        lines.pop()                  # the empty piece after the last newline
    last = len(lines) - 1
    out: list[bytes] = []
    result = ChunkResult(size=len(raw))
    outcomes = result.outcomes
    errors = result.errors
    lineno = first_line - 1
    for index, line in enumerate(lines):
        lineno += 1
        try:
            if line[:1] == b"{":                             # the usual line: one JSON object
                try:
                    text, entitled = decide(line, lineno)
                except CaseError as exc:
                    if exc.field is None or not _is_utf8(line):
                        # not UTF-8, not JSON, or not an object: the line's own reason, with its column
                        decode((lineno, line, index != last or last_complete))
                    raise
            else:                                            # blank, or something to explain
                body = line.rstrip(b"\r")
                if not body.strip():
                    continue
                data = decode((lineno, body, index != last or last_complete))
                text, entitled = decide(data, lineno)
        except Exception as exc:  # noqa: BLE001 - every bad line is reported, the run goes on
            reason, zh = _reason(exc)
            errors.append((lineno, reason, zh))
            _count_plugin(result, exc)
            out.append(_encode({"line": lineno, "error": reason, "error_zh": zh}))
            continue
        out.append(text)
        if entitled is not None:
            outcomes[entitled] += 1
    _take_plugin_failures(result)
    result.count = len(out)
    if out:
        out.append(b"")
        result.data = b"\n".join(out)
    return result


def _count_plugin(result: ChunkResult, exc: BaseException) -> None:
    """A case not decided because a plugin failed (quarantined): counted for that plugin."""
    from aftersales.core.errors import PluginError

    if isinstance(exc, PluginError):
        result.plugin_failures[exc.plugin or "?"] += 1


def _take_plugin_failures(result: ChunkResult) -> None:
    """The decisions of this block made without a plugin, counted by ``decide``."""
    failures = _STATE.get("plugin_failures")
    if failures:
        result.plugin_failures.update(failures)
        failures.clear()


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _replay_chunk(chunk: list[Item]) -> ChunkResult:
    """A chunk of items (the case store): decided and encoded, or error records."""
    decide = _decider()
    out: list[bytes] = []
    result = ChunkResult(count=len(chunk))
    outcomes = result.outcomes
    for item in chunk:
        where = item[0]
        try:
            text, entitled = decide(decode(item), where)
        except Exception as exc:  # noqa: BLE001 - every bad line is reported, the run goes on
            reason, zh = _reason(exc)
            _count_plugin(result, exc)
            result.errors.append((where, reason, zh))
            out.append(_encode({**ref(where), "error": reason, "error_zh": zh}))
            continue
        out.append(text)
        if entitled is not None:
            outcomes[entitled] += 1
    if out:
        out.append(b"")
        result.data = b"\n".join(out)
    _take_plugin_failures(result)
    return result


def _diff_chunk(chunk: list[Item]) -> ChunkResult:
    from aftersales.batch.compact import entitlement_of
    from aftersales.batch.impact import compare, group_key, outcome, same_outcome

    old_reg, new_reg = _STATE["old"], _STATE["new"]
    old_parse, new_parse = old_reg.parse_case, new_reg.parse_case
    old_eval, new_eval = old_reg.engine.evaluate, new_reg.engine.evaluate
    # the two sets of policies usually accept the same cases (the same brands and coverage
    # plans): then each case is parsed once (a case is immutable, both engines may read it)
    once = old_reg.brands.keys() == new_reg.brands.keys() and old_reg.coverage_plans == new_reg.coverage_plans
    result = ChunkResult(count=len(chunk))
    changed: list = []
    for item in chunk:
        where = item[0]
        try:
            data = decode(item)
            case = old_parse(data)
            old_decision = old_eval(case)
            new_decision = new_eval(case if once else new_parse(data))
            for decision in (old_decision, new_decision):
                if decision.plugin_errors:   # decided without a plugin: counted
                    result.plugin_failures.update({f.plugin for f in decision.plugin_errors})
            if same_outcome(old_decision, new_decision):   # most cases: nothing to compare further
                result.outcomes[entitlement_of(new_decision)[:2]] += 1
                continue
            old, new = outcome(old_decision), outcome(new_decision)
        except Exception as exc:  # noqa: BLE001
            result.errors.append((where, *_reason(exc)))
            _count_plugin(result, exc)
            continue
        result.outcomes[(new["entitlement"], new["basis"])] += 1
        differences = compare(old, new)
        if differences:
            changed.append((group_key(differences, old, new), where, data, old, new, differences))
    result.extra = changed
    return result


# ----------------------------------------------------------------------------- driver

def default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def run(items: Iterable[Item], task: str, options: dict[str, Any], *, workers: int,
        on_result: Callable[[ChunkResult], None], chunk_lines: int | None = None) -> None:
    """Feed ``items`` in chunks to ``workers`` processes; ``on_result`` sees results in order."""
    run_tasks(chunked(items, chunk_lines or CHUNK_LINES), run_chunk, task, options, workers=workers, on_result=on_result)


def run_tasks(tasks: Iterable[Any], function: Callable[[Any], ChunkResult], task: str, options: dict[str, Any], *,
              workers: int, on_result: Callable[[ChunkResult], None]) -> None:
    """Run ``function`` on each of ``tasks`` (chunks or blocks) in ``workers`` processes, at most
    ``workers * INFLIGHT_PER_WORKER`` at a time; ``on_result`` sees the results in order."""
    setup_worker(task, options)   # here first: a broken policy stops the run before any input is read
    if workers <= 1:
        from aftersales.core.registry import plugins_print_to_stderr

        for item in tasks:
            with plugins_print_to_stderr():   # a plugin's print never lands among the decisions
                result = function(item)
            on_result(result)
        return
    import multiprocessing  # only with more than one worker

    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    pending: deque = deque()
    limit = workers * INFLIGHT_PER_WORKER
    with ctx.Pool(workers, initializer=_worker_init, initargs=(task, options)) as pool:
        try:
            for item in tasks:
                pending.append(pool.apply_async(_in_worker, (function, item)))
                while len(pending) >= limit:
                    on_result(pending.popleft().get())
            while pending:
                on_result(pending.popleft().get())
        except BaseException:
            pool.terminate()
            raise


#: what sendfile answers for an output it cannot write to (then the part is copied through memory)
_NO_SENDFILE = {errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV, errno.ESPIPE, errno.EBADF,
                errno.ENOTSOCK}


class _Sink:
    """Where the output bytes go: ``out``'s binary buffer when it has one that takes UTF-8 (after
    its text is flushed), else ``out`` itself as text. Part files written by the workers are
    appended with ``os.sendfile`` (a copy inside the kernel) when ``out`` has a file descriptor."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.buffer: Any = None
        self.fd: int | None = None
        buffer = getattr(out, "buffer", None)
        encoding = getattr(out, "encoding", None)
        if buffer is not None and encoding:
            try:
                utf8 = codecs.lookup(encoding).name == "utf-8"
            except LookupError:
                utf8 = False
            if utf8:
                out.flush()
                self.buffer = buffer
                try:
                    self.fd = buffer.fileno() if hasattr(os, "sendfile") else None
                except (AttributeError, OSError, ValueError):
                    self.fd = None

    def write(self, data: bytes) -> None:
        if self.buffer is not None:
            self.buffer.write(data)
        else:
            self.out.write(data.decode("utf-8"))

    def append(self, part: str) -> None:
        """Copy a part file to the output, then remove it."""
        try:
            with open(part, "rb") as fh:
                sent = 0
                if self.fd is not None:
                    self.buffer.flush()
                    size = os.fstat(fh.fileno()).st_size
                    try:
                        while sent < size:
                            n = os.sendfile(self.fd, fh.fileno(), sent, size - sent)
                            if n == 0:
                                break
                            sent += n
                    except OSError as exc:    # an output sendfile cannot write to: copy through memory
                        if exc.errno not in _NO_SENDFILE:
                            raise
                        self.fd = None
                fh.seek(sent)
                rest = fh.read()
                if rest:
                    self.write(rest)
        finally:
            os.unlink(part)

    def flush(self) -> None:
        flush = getattr(self.out, "flush", None)
        if flush is not None:
            flush()


def replay_file(path: str | None, out: TextIO, *, workers: int = 1, options: dict[str, Any] | None = None,
                from_store: bool = False, db_url: str | None = None,
                progress: Any = None, report: Callable[[Any, str, str], None] | None = None) -> RunStats:
    """Replay a JSONL file (or the store) into ``out``; returns the counts for the summary.

    ``progress`` (optional) has ``bytes(n)`` and ``cases(n)``, called once per block or chunk
    done; ``report(where, reason, zh)`` is called for each bad line, in input order (``zh``: the
    reason in Chinese)."""
    import shutil
    import tempfile
    import time

    stats = RunStats()
    options = dict(options or {})
    sink = _Sink(out)

    def on_result(result: ChunkResult) -> None:
        if result.part:
            sink.append(result.part)
        elif result.data:
            sink.write(result.data)
        stats.add(result)
        if report is not None:
            for where, reason, zh in result.errors:
                report(where, reason, zh)
        if progress is not None:
            if result.size:
                progress.bytes(result.size)
            progress.cases(result.count)

    start = time.perf_counter()
    parts = None
    try:
        if from_store:
            run(store_items(db_url), "replay", options, workers=workers, on_result=on_result)
        else:
            assert path is not None  # without --from-store the CLI always passes a file
            blocks: Iterable[Block] = jsonl_blocks(path)
            if workers > 1:
                # each worker writes its blocks' output lines to a part file of its own; the parts
                # are appended to the output in input order and removed
                from aftersales.cli._common import remove_stale

                remove_stale(tempfile.gettempdir(), "aftersales-replay-")   # a killed run's parts
                parts = tempfile.mkdtemp(prefix=f"aftersales-replay-{os.getpid()}-")
                blocks = ((*block, os.path.join(parts, f"{index}.jsonl")) for index, block in enumerate(blocks))
            run_tasks(blocks, run_block, "replay", options, workers=workers, on_result=on_result)
    finally:
        if parts is not None:
            shutil.rmtree(parts, ignore_errors=True)
    sink.flush()
    stats.seconds = time.perf_counter() - start
    return stats
