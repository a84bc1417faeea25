"""A cache of validated policies and of their compiled code, keyed by content hash.

A policy file already found valid is not constructed from YAML, JSON Schema validated (nor is
jsonschema imported) or even parsed again: its validated mapping comes from the cache, and its
YAML node tree is composed only if something asks for a location (:class:`LazyNode`). The
registry reads such a file with :func:`read_text` and needs neither yaml nor the checker
module ``policyload``.
The Python functions ``rules.py`` generates for its conditions are compiled once too: their
code objects are kept (``marshal``) beside the validated mapping.

Keys: SHA-256 of the policy text, together with a fingerprint of what validated it (the schema
file, the checker's code (``authoring/policyload.py``, ``rules.py`` whose condition expressions it uses,
the table of case fields, ``vocab.py``), this module and its format, the
installed yaml and jsonschema) and of the Python that compiled the code objects
(``sys.version``). Change the policy, the schema, the checks, a library or the interpreter and
the entry is simply not found. A code object is stored under the exact source text it was
compiled from, so a change to the code generator cannot reuse a stale one. Only policies with
no issue at all are stored; a policy with errors or warnings is checked in full every time, so
every message still shows with its location.

Files, in the cache folder, per policy text hash ``H`` and fingerprint ``F``:

* ``H-F.json``: a header line (format, policy hash, digest of the rest) and the validated
  mapping as JSON (stored only when it survives a JSON round trip unchanged);
* ``H-F.code``: a header line, then the marshalled ``{filename + source: code object}`` map.

A file whose digest does not match, that does not belong to the policy, cannot be read or (for
code) is not the user's own or is writable by others is ignored: the policy is then validated
or compiled as if there were no cache. Writing never raises either.

Location: ``$AFTERSALES_POLICY_CACHE`` (a folder; ``off`` disables the cache, ``on`` is the default), else the user
cache folder (``~/.cache/aftersales/policies`` on Linux, ``$XDG_CACHE_HOME`` honoured).

The same folder remembers which plugin entry points the installed distributions declare
(:func:`entry_points`), while nothing on ``sys.path`` was installed or removed.

Not on the decision path: this runs while policies load, never while a case is decided.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from hashlib import sha256 as _sha256
from pathlib import Path
from typing import Any, NamedTuple

FORMAT = "2"
#: the other modules whose code decides what "valid" means (besides the schema)
CHECKER_MODULES = ("../authoring/policyload.py", "../authoring/floorcheck.py", "rules.py", "casefields.py", "model.py",
                   "vocab.py", "policycache.py")
#: the libraries that parse and validate: an upgrade (a new file) changes the fingerprint too
LIBRARIES = ("yaml", "jsonschema")


def sha256_hex(data: bytes) -> str:
    """The SHA-256 of ``data`` in hex (the same as ``hashlib.sha256(data).hexdigest()``)."""
    return _sha256(data).hexdigest()


@lru_cache(maxsize=1)
def folder() -> Path | None:
    setting = os.environ.get("AFTERSALES_POLICY_CACHE")
    if setting is not None and setting.strip().lower() in ("off", "0", "no", "false", ""):
        return None
    if setting and setting.strip().lower() not in ("on", "1", "yes", "true"):
        return Path(setting)
    import platformdirs

    return platformdirs.user_cache_path("aftersales") / "policies"


def _schema_bytes() -> bytes:
    from aftersales.policies import bundled

    return bundled("policy.schema.json").read_bytes()


def _library_mark(name: str) -> str:
    """Where a library is installed and when its package file was written (without importing it)."""
    from importlib.machinery import PathFinder

    try:
        spec = PathFinder.find_spec(name)
        origin = spec.origin if spec is not None else None
        if not origin:
            return f"{name}: -"
        st = os.stat(origin)
    except (OSError, ImportError, ValueError):
        return f"{name}: ?"
    return f"{name}: {origin} {st.st_size} {st.st_mtime_ns}"


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """What an entry depends on besides the policy text ("" when that cannot be read: no cache)."""
    h = _sha256(f"{FORMAT}\n{sys.version}\n{sys.implementation.cache_tag}\n".encode())
    here = Path(__file__).parent
    try:
        h.update(_schema_bytes())
        for name in CHECKER_MODULES:
            h.update(name.encode())
            h.update((here / name).read_bytes())
    except (OSError, ImportError):
        return ""
    for name in LIBRARIES:
        h.update(_library_mark(name).encode())
    return h.hexdigest()[:16]


def _path(sha256: str, suffix: str = ".json") -> Path | None:
    base = folder()
    if base is None:
        return None
    fp = fingerprint()
    if not fp:
        return None
    return base / f"{sha256}-{fp}{suffix}"


def _header(kind: str, sha256: str, payload: bytes) -> bytes:
    return f"aftersales-policycache {FORMAT} {kind} {sha256} {sha256_hex(payload)}\n".encode("ascii")


def _read(path: Path, kind: str, sha256: str, *, own: bool = False) -> bytes | None:
    """The payload of a cache file, or None when it is missing, foreign, damaged or not ours."""
    try:
        with open(path, "rb") as fh:
            if own and os.name == "posix":
                st = os.fstat(fh.fileno())
                if st.st_uid != os.getuid() or st.st_mode & 0o002:
                    return None
            raw = fh.read()
    except OSError:
        return None
    head, sep, payload = raw.partition(b"\n")
    if not sep:
        return None
    try:
        magic, fmt, got_kind, got_sha, digest = head.decode("ascii").split(" ")
    except (UnicodeDecodeError, ValueError):
        return None
    if (magic, fmt, got_kind, got_sha) != ("aftersales-policycache", FORMAT, kind, sha256) or digest != sha256_hex(payload):
        return None
    return payload


def _write(path: Path, kind: str, sha256: str, payload: bytes) -> None:
    """Write a cache file atomically (whole or not at all), readable and writable by the user only."""
    from threading import get_ident

    tmp = path.with_name(f"{path.name}.{os.getpid()}.{get_ident()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(_header(kind, sha256, payload))
            fh.write(payload)
        os.replace(tmp, path)
    except OSError:
        try:
            tmp.unlink()
        except OSError:
            pass


# --------------------------------------------------------------------------- policy files

def bundle_file_name(bundle_id: int, name: str) -> str:
    """How a published bundle's policy file is named in issues: ``bundle 3:apple.yaml``."""
    return f"bundle {bundle_id}:{name}"


def bundle_file_of(shown: str) -> tuple[int, str] | None:
    """(bundle id, file name) of a name ``bundle_file_name`` gave; None for any other file."""
    head, sep, name = shown.partition(":")
    number = head.removeprefix("bundle ")
    if not sep or number == head or not number.isdigit() or not name:
        return None
    return int(number), name


def file_in(shown: str, lang: str) -> str:
    """A policy file's name (a location may follow: ``:12:5``) as a message in ``lang`` says it:
    a bundle's file in Chinese is ``政策包 3 的 apple.yaml``."""
    found = bundle_file_of(shown) if lang == "zh" else None
    return f"政策包 {found[0]} 的 {found[1]}" if found else shown


def display_name(location: Any) -> str:
    """The name a policy file's issues are reported under (``policyload.read_source`` gives it)."""
    if isinstance(location, Path):
        try:
            return str(location.relative_to(Path.cwd()))
        except ValueError:
            return str(location)
    shown = getattr(location, "display_name", None)
    if isinstance(shown, str):   # a location that names itself (a published bundle's file)
        return shown
    name = getattr(location, "name", None)
    if name and not isinstance(location, (str, bytes)):
        # a resource inside the installed package: show it as the repository path
        return f"policies/{name}"
    return str(location)


def read_text(location: Any) -> tuple[str, str, str] | None:
    """(name, text, SHA-256) of a policy file (a path or a resources traversable); None when it
    is something else or cannot be read as UTF-8 text (``policyload.read_source`` then tells)."""
    read = getattr(location, "read_bytes", None)
    if read is None or isinstance(location, (str, bytes)):
        return None
    try:
        raw = read()
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return display_name(location), text, sha256_hex(raw)


class LazyNode:
    """The YAML node tree of a cached policy's text, composed the first time it is used.

    A policy served from the cache needs its node tree only to locate an issue found across
    files (versions) or by the floor check; ``policyload.locate`` and friends resolve it, and
    any node attribute (``start_mark``, ``value``...) is the composed root node's.
    """

    __slots__ = ("_text", "_node", "_done")

    def __init__(self, text: str) -> None:
        self._text = text
        self._node: Any = None
        self._done = False

    def resolve(self) -> Any:
        if not self._done:
            from aftersales.authoring.policyload import compose

            self._node = compose(self._text)
            self._done = True
        return self._node

    def __getattr__(self, name: str) -> Any:
        node = self.resolve()
        if node is None:
            raise AttributeError(name)
        return getattr(node, name)


# --------------------------------------------------------------------------- validated mappings

def get(sha256: str) -> dict[str, Any] | None:
    """The validated mapping of the policy with this text hash, if cached."""
    path = _path(sha256)
    if path is None:
        return None
    payload = _read(path, "data", sha256)
    if payload is None:
        return None
    import msgspec  # loaded already for the case model: the stdlib's json would be one more import

    try:
        data = msgspec.json.decode(payload)
    except (msgspec.DecodeError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def put(sha256: str, data: Mapping[str, Any]) -> None:
    """Remember a policy found valid (no issue at all). Never raises."""
    path = _path(sha256)
    if path is None:
        return
    import json

    try:
        text = json.dumps(data, ensure_ascii=False, sort_keys=False)
        if json.loads(text) != data:
            return
    except (TypeError, ValueError, RecursionError):
        return
    _write(path, "data", sha256, text.encode("utf-8"))


# --------------------------------------------------------------------------- compiled code

class _Codes:
    """The code objects of one policy being compiled: those found in the cache, those used."""

    __slots__ = ("known", "used", "missed")

    def __init__(self, known: dict[str, Any]) -> None:
        self.known = known
        self.used: dict[str, Any] = {}
        self.missed = False


_session: ContextVar[_Codes | None] = ContextVar("aftersales_policy_code", default=None)


def code(source: str, filename: str) -> Any:
    """``compile(source, filename, "exec")``, from the cache while a policy is being compiled
    inside :func:`compiling` (and remembered for it). Reads no file."""
    codes = _session.get()
    if codes is None:
        return compile(source, filename, "exec")
    key = f"{filename}\n{source}"
    found = codes.known.get(key)
    if found is None:
        found = compile(source, filename, "exec")
        codes.missed = True
    codes.used[key] = found
    return found


def _load_codes(path: Path, sha256: str) -> dict[str, Any]:
    payload = _read(path, "code", sha256, own=True)
    if payload is None:
        return {}
    import marshal

    try:
        codes = marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return {}
    code_type = type(_load_codes.__code__)
    if not isinstance(codes, dict) or not all(isinstance(k, str) and type(v) is code_type for k, v in codes.items()):
        return {}
    return codes


def _store_codes(path: Path, sha256: str, codes: Mapping[str, Any]) -> None:
    import marshal

    try:
        payload = marshal.dumps(dict(codes))
    except ValueError:
        return
    _write(path, "code", sha256, payload)


@contextmanager
def compiling(sha256: str) -> Iterator[None]:
    """While the (valid, issue-free) policy with this text hash is compiled, its generated
    functions' code objects come from the cache; new ones are stored after. A missing or bad
    cache file only means compiling again; errors of the compilation itself pass through."""
    path = _path(sha256, ".code")
    if path is None or _session.get() is not None:
        yield
        return
    codes = _Codes(_load_codes(path, sha256))
    token = _session.set(codes)
    try:
        yield
    finally:
        _session.reset(token)
    if codes.missed and codes.used:
        _store_codes(path, sha256, codes.used)


# --------------------------------------------------------------------------- plugin entry points

class EntryRef(NamedTuple):
    """A plugin entry point as ``importlib.metadata`` found it: enough to load and report it."""

    name: str
    #: as written in the distribution (``module:attr``), for messages
    value: str
    #: the distribution's name, if known
    dist: str | None
    module: str
    attr: str | None

    def load(self) -> Any:
        from pkgutil import resolve_name

        return resolve_name(f"{self.module}:{self.attr}" if self.attr else self.module)


def _search_path_mark() -> str:
    """``sys.path`` and when each of its folders last changed: installing, upgrading or removing
    a distribution adds or removes its metadata folder, which changes its parent folder."""
    h = _sha256(f"{FORMAT}\n{sys.version}\n".encode())
    for entry in sys.path:
        try:
            st = os.stat(entry or ".")
            mark = f"{st.st_mtime_ns} {st.st_ino}"
        except (OSError, ValueError):
            mark = "-"
        h.update(f"{entry}\0{mark}\n".encode("utf-8", "surrogateescape"))
    return h.hexdigest()


#: search paths remembered per group (one per folder Python is started from, for ``python -m``)
ENTRY_POINT_MARKS = 16


def entry_points(group: str) -> list[EntryRef]:
    """The entry points of ``group`` of the installed distributions.

    Found by ``importlib.metadata`` (whose import alone takes longer than loading the bundled
    policies) and remembered in the cache folder under a mark of ``sys.path`` and of when each
    of its folders last changed; while nothing was installed or removed, the remembered answer
    is used. Without a cache folder every call asks ``importlib.metadata``."""
    base = folder()
    path = base / f"entry-points-{group}.json" if base is not None else None
    mark = _search_path_mark() if path is not None else ""
    known: dict[str, Any] = {}
    if path is not None:
        payload = _read(path, "entry-points", group, own=True)
        if payload is not None:
            import msgspec

            try:
                known = msgspec.json.decode(payload)
                if mark in known:
                    return [EntryRef(*item) for item in known[mark]]
            except (msgspec.DecodeError, ValueError, TypeError, RecursionError):
                known = {}
    import importlib.metadata

    found = [EntryRef(ep.name, ep.value, ep.dist.name if ep.dist else None, ep.module, ep.attr or None)
             for ep in importlib.metadata.entry_points(group=group)]
    if path is not None and isinstance(known, dict):
        import json

        known.pop(mark, None)
        known[mark] = found
        while len(known) > ENTRY_POINT_MARKS:  # the oldest goes first
            del known[next(iter(known))]
        _write(path, "entry-points", group, json.dumps(known).encode("utf-8"))
    return found
