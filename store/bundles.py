"""Policy bundles: a network's policies, published to the shared case store, one in force.

``aftersales policy publish DIR`` validates a folder of policies and runs its policy tests, then
stores it here as a bundle: every file's text, a manifest of their SHA-256, the bundle's own
SHA-256 (of the manifest), who published it, a note and when. ``policy activate ID`` puts a
bundle in force (an activation row, appended: the history of what was in force when is kept);
``policy rollback`` puts back the one before. Every counter that uses the store decides with the
bundle in force, and says which (``Decision.bundle``: id and SHA-256).

A bundle is checked against its manifest when it is read: a file whose text does not match is
never loaded (its brand is quarantined, named), whatever was changed in the database.

Two tables (``store/schema.py``, migration 0003): ``policy_bundles`` and ``policy_activations``;
on a PostgreSQL with roles every counter reads them and only the manager writes them. One code path for
SQLite and PostgreSQL; a running counter polls ``active_marker`` (one small query) to notice a
new activation.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from aftersales.core.errors import not_utf8
from aftersales.core.policycache import bundle_file_name

from . import db as _db
from .errors import StoreError
from .localday import local_iso
from .schema import policy_activations, policy_bundles

#: the largest bundle file accepted (a policy is a few tens of kilobytes)
MAX_FILE_BYTES = 1 << 20


def text_sha256(text: str) -> str:
    """The SHA-256 of a policy file's text (UTF-8) in hex: what a bundle's manifest names."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def manifest_sha256(manifest: Mapping[str, str]) -> str:
    """The bundle's SHA-256: of its manifest (file name -> SHA-256), as sorted JSON."""
    text = json.dumps(dict(sorted(manifest.items())), separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def read_folder(folder: str | Path) -> dict[str, str]:
    """The files a bundle holds: every ``*.yaml`` of ``folder`` (policies and their policy tests)."""
    path = Path(folder)
    if not path.is_dir():
        raise StoreError(f"{folder}: not a folder", zh=f"{folder}：不是文件夹")
    files: dict[str, str] = {}
    for item in sorted(path.glob("*.yaml")):
        raw = item.read_bytes()
        if len(raw) > MAX_FILE_BYTES:
            raise StoreError(f"{item}: larger than {MAX_FILE_BYTES} bytes", zh=f"{item}：超过 {MAX_FILE_BYTES} 字节")
        try:
            files[item.name] = raw.decode("utf-8")
        except UnicodeDecodeError as exc:   # said as validate says it: where, which byte, what to do
            line, column, en, zh = not_utf8(raw, exc)
            raise StoreError(f"{item}:{line}:{column}: {en}", zh=f"{item}:{line}:{column}: {zh}") from None
    if not any(not name.endswith(".cases.yaml") for name in files):
        raise StoreError(f"{folder}: no policy file (*.yaml) to publish", zh=f"{folder}：没有可发布的政策文件（*.yaml）")
    return files


def publish(engine: sa.Engine, files: Mapping[str, str], *, author: str, note: str | None, now: datetime) -> dict[str, Any]:
    """Store ``files`` as a new bundle (not yet in force); returns its record. Files a bundle
    already holds, to the byte, are not stored again: that bundle's record comes back, marked
    ``already`` (publishing the same folder twice makes no second bundle of one sha256)."""
    manifest = {name: text_sha256(text) for name, text in sorted(files.items())}
    row = {"sha256": manifest_sha256(manifest), "author": author, "note": note, "created_at": now,
           "manifest": manifest, "files": dict(sorted(files.items()))}
    with _db.write_transaction(engine) as conn:
        same = conn.execute(sa.select(policy_bundles).where(policy_bundles.c.sha256 == row["sha256"])
                            .order_by(policy_bundles.c.id)).mappings().first()
        if same is not None:
            latest = _latest(conn)
            return {**_record(same, active=bool(latest) and latest[0]["bundle_id"] == same["id"]), "already": True}
        bundle_id = conn.execute(sa.insert(policy_bundles).values(**row).returning(policy_bundles.c.id)).scalar_one()
    return _record({**row, "id": bundle_id}, active=False)


def id_version(text: str) -> tuple[str, str] | None:
    """A policy file's ``id`` and ``version`` (the file was validated before it was published)."""
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    if not isinstance(data, Mapping) or not isinstance(data.get("id"), str) or data.get("version") is None:
        return None
    return data["id"], str(data["version"])


def next_version(version: str) -> str:
    """A version one step on (``2026.1`` -> ``2026.2``), to suggest; the version itself when it
    does not end in a number."""
    head, _, last = version.rpartition(".")
    return f"{head}.{int(last) + 1}" if head and last.isdigit() else (str(int(version) + 1) if version.isdigit() else version)


def version_clashes(engine: sa.Engine, files: Mapping[str, str],
                    installed: Iterable[str] = ()) -> list[tuple[str, str, int | None, str, bool]]:
    """The policies of ``files`` whose id and version were published before with other text: as
    an installed policy (``installed``: their texts) or in an earlier bundle. Each as (id,
    version, the earlier bundle's id or None for the installed one, the file's name in
    ``files``, whether the terms are the same all the same: only comments or the layout
    differ), the first found. A decision names a policy by id, version and SHA-256: two texts
    under one version would be two sets of terms that the counters and the decisions' readers
    take for one (or, terms alike, two hashes of one version that no reader can tell apart)."""
    mine = {key: (name, text) for name, text in files.items()
            if not name.endswith(".cases.yaml") and (key := id_version(text)) is not None}
    if not mine:
        return []
    with _db.read_connection(engine) as conn:
        rows = conn.execute(sa.select(policy_bundles.c.id, policy_bundles.c.files)
                            .order_by(policy_bundles.c.id)).mappings().all()
    earlier: list[tuple[int | None, str]] = [(None, text) for text in installed]
    earlier += [(row["id"], text) for row in rows for name, text in (row["files"] or {}).items()
                if not name.endswith(".cases.yaml")]
    clashes: list[tuple[str, str, int | None, str, bool]] = []
    seen: set[tuple[str, str]] = set()
    for where, text in earlier:
        key = id_version(text)
        if key is not None and key in mine and key not in seen and mine[key][1] != text:
            clashes.append((*key, where, mine[key][0], same_terms(text, mine[key][1])))
            seen.add(key)
    return clashes


def same_terms(text: str, other: str) -> bool:
    """Whether two policy texts say the same (their YAML read alike: only comments, quoting or
    the layout differ)."""
    import yaml

    try:
        return bool(yaml.safe_load(text) == yaml.safe_load(other))
    except yaml.YAMLError:
        return False


def version_line(text: str) -> int:
    """The line of a policy text's top-level ``version:`` (1 when there is none to find)."""
    import re

    found = re.search(r"^version\s*:", text, re.MULTILINE)
    return text.count("\n", 0, found.start()) + 1 if found else 1


def _record(row: Mapping[str, Any], *, active: bool) -> dict[str, Any]:
    created = row["created_at"]
    return {"id": row["id"], "sha256": row["sha256"], "author": row["author"], "note": row["note"],
            "created_at": local_iso(created),
            "files": sorted(row["manifest"]), "active": active}


def bundles(engine: sa.Engine) -> list[dict[str, Any]]:
    """Every bundle, newest first, the one in force marked."""
    current = active_id(engine)
    cols = [policy_bundles.c.id, policy_bundles.c.sha256, policy_bundles.c.author, policy_bundles.c.note,
            policy_bundles.c.created_at, policy_bundles.c.manifest]
    with _db.read_connection(engine) as conn:
        rows = conn.execute(sa.select(*cols).order_by(policy_bundles.c.id.desc())).mappings().all()
    return [_record(r, active=r["id"] == current) for r in rows]


def _latest(conn: sa.Connection, n: int = 1) -> list[Any]:
    return list(conn.execute(sa.select(policy_activations).order_by(policy_activations.c.seq.desc()).limit(n))
                .mappings().all())


def active_marker(engine: sa.Engine) -> tuple[int, int] | None:
    """(activation number, bundle id) of the latest activation, or None: what a running counter
    polls to notice a newly activated bundle."""
    with _db.read_connection(engine) as conn:
        latest = _latest(conn)
    return (latest[0]["seq"], latest[0]["bundle_id"]) if latest else None


def active_id(engine: sa.Engine) -> int | None:
    marker = active_marker(engine)
    return marker[1] if marker else None


def _manifest_problem(row: Mapping[str, Any]) -> tuple[str, str] | None:
    """(English, 中文) when a bundle's manifest does not match the bundle's SHA-256."""
    if manifest_sha256(dict(row["manifest"] or {})) == row["sha256"]:
        return None
    return (f"policy bundle {row['id']}: its manifest does not match its sha256 {row['sha256']}",
            f"政策包 {row['id']} 的清单与其 sha256 {row['sha256']} 不符")


def _changed(row: Mapping[str, Any]) -> tuple[str, str] | None:
    """(English, 中文) when a bundle is not as it was published: its manifest, or a file whose
    text is not the one the manifest names (or one missing or added)."""
    problem = _manifest_problem(row)
    if problem is not None:
        return problem
    manifest, files = dict(row["manifest"] or {}), dict(row["files"] or {})
    for name in sorted(set(manifest) | set(files)):
        text = files.get(name)
        if text is None or text_sha256(text) != manifest.get(name):
            return (f"policy bundle {row['id']}: {name} does not match its manifest (changed after it was published)",
                    f"政策包 {row['id']} 的 {name} 与清单不符（发布后被改动过）")
    return None


def activate(engine: sa.Engine, bundle_id: int, *, actor: str, now: datetime, kind: str = "activate") -> dict[str, Any]:
    """Put bundle ``bundle_id`` in force (appends an activation); a bundle changed since it was
    published is refused (every counter would refuse its brands' cases)."""
    with _db.write_transaction(engine) as conn:
        row = conn.execute(sa.select(policy_bundles).where(policy_bundles.c.id == bundle_id)).mappings().first()
        if row is None:
            raise StoreError(f"no policy bundle {bundle_id}; see aftersales policy bundles",
                             zh=f"没有政策包 {bundle_id}；请用 aftersales policy bundles 查看")
        changed = _changed(row)
        if changed is not None:
            raise StoreError(f"{changed[0]}: not put in force; publish the policies again (aftersales policy publish FOLDER)",
                             zh=f"{changed[1]}：不能生效；请重新发布政策（aftersales policy publish 政策文件夹）")
        conn.execute(sa.insert(policy_activations).values(bundle_id=bundle_id, at=now, actor=actor, kind=kind))
    return _record(row, active=True)


def rollback(engine: sa.Engine, *, actor: str, now: datetime) -> dict[str, Any]:
    """Put back the bundle that was in force before the current one was put in force. Rollbacks
    undo one after the other, as an editor's undo does: publishing 1, 2 and 3 then rolling back
    twice puts 1 in force (a rollback is not itself undone by the next one)."""
    with _db.read_connection(engine) as conn:
        history = conn.execute(sa.select(policy_activations.c.bundle_id, policy_activations.c.kind)
                               .order_by(policy_activations.c.seq)).all()
    if not history:
        raise StoreError("no policy bundle is in force: nothing to roll back", zh="没有生效的政策包，无法回退")
    # the bundles put in force, each over the one before it; a rollback takes the top one off
    stack: list[int] = []
    for bundle_id, kind in history:
        if kind == "rollback":
            if len(stack) > 1:
                stack.pop()
        elif not stack or stack[-1] != bundle_id:
            stack.append(bundle_id)
    if len(stack) < 2:
        current = stack[-1] if stack else history[-1][0]
        # the policies the plugins ship are no bundle: back to them through one made of them
        raise StoreError(f"bundle {current} is the first one in force: nothing earlier to roll back to; to go back "
                         f"to the policies the installed plugins ship: aftersales policy export FOLDER --shipped, "
                         f"then publish FOLDER and activate it",
                         zh=f"政策包 {current} 是最早生效的，无可回退；要回到软件自带的政策：aftersales policy export "
                            f"文件夹 --shipped，再发布该文件夹并启用")
    return activate(engine, stack[-2], actor=actor, now=now, kind="rollback")


class ManifestMismatch(OSError):
    """A bundle's file whose text is not the one its manifest names (``message_zh``: in Chinese,
    as ``policyload.read_source`` reports it)."""

    def __init__(self, message: str, zh: str) -> None:
        super().__init__(message)
        self.message_zh = zh


class BundleFile:
    """One policy file of a bundle, as the registry reads a policy location (``name``,
    ``read_bytes``). Its text is checked against the bundle's manifest when read: a file that
    does not match is refused (``OSError``), so its policy never loads."""

    __slots__ = ("name", "display_name", "text", "expected", "policy_id")

    def __init__(self, bundle_id: int, name: str, text: str, expected: str | None) -> None:
        self.name = name
        #: how issues name it: ``bundle 3:apple.yaml``
        self.display_name = bundle_file_name(bundle_id, name)
        self.text = text
        self.expected = expected
        #: the policy the file is named for (``apple.yaml``: apple), to know whose brand to stop
        self.policy_id = name.split(".", 1)[0]

    def read_bytes(self) -> bytes:
        if self.expected is None or text_sha256(self.text) != self.expected:
            raise ManifestMismatch(
                f"does not match the bundle's manifest (sha256 {self.expected or 'missing'}): "
                f"changed after it was published",   # what to do: the quarantine's advice for a bundle's file
                f"与政策包清单不符（sha256 {self.expected or '缺失'}）：发布后被改动过")
        return self.text.encode("utf-8")

    def __str__(self) -> str:
        return self.display_name


class ActiveBundle:
    """The bundle in force: its id, SHA-256, and its policy files (``BundleFile``)."""

    def __init__(self, bundle_id: int, sha256: str, files: list[BundleFile], seq: int,
                 problem: tuple[str, str] | None) -> None:
        self.id = bundle_id
        self.sha256 = sha256
        self.files = files
        self.seq = seq
        #: the manifest itself does not match the bundle's SHA-256 (the whole bundle is refused):
        #: ``(English, 中文)``
        self.problem = problem

    @property
    def ref(self) -> tuple[str, str]:
        return (str(self.id), self.sha256)


def active_bundle(engine: sa.Engine, bundle_id: int | None = None, *, with_tests: bool = False) -> ActiveBundle | None:
    """The bundle in force (or bundle ``bundle_id``), its files ready for the registry (its
    policy tests too with ``with_tests``), or None when none is in force."""
    with _db.read_connection(engine) as conn:
        latest = _latest(conn)
        if bundle_id is None:
            if not latest:
                return None
            bundle_id = latest[0]["bundle_id"]
        row = conn.execute(sa.select(policy_bundles).where(policy_bundles.c.id == bundle_id)).mappings().first()
        if row is None:
            raise StoreError(f"no policy bundle {bundle_id}", zh=f"没有政策包 {bundle_id}")
    manifest = dict(row["manifest"] or {})
    problem = _manifest_problem(row)
    files = [BundleFile(row["id"], name, text, manifest.get(name))
             for name, text in sorted((row["files"] or {}).items()) if with_tests or not name.endswith(".cases.yaml")]
    return ActiveBundle(row["id"], row["sha256"], files, latest[0]["seq"] if latest else 0, problem)

