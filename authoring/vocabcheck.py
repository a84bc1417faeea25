"""The checks of a policy's own vocabulary (``vocabulary``: documents and checklist items).

The schema accepts any id where a document is expected (a bundled one completes in an editor);
here every id a policy uses is checked against the bundled documents and the ids the policy
declares, and what it declares against what it uses:

* an id neither bundled nor declared: error (with the closest known id);
* an id declared that is a bundled one, or declared both as a document and a checklist item: error;
* an id declared to gate a remedy that no offer of that remedy in this policy needs: warning;
* an id declared and never used: warning.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any


def declared(data: Mapping[str, Any]) -> dict[str, tuple[str, str, str, tuple[str, ...]]]:
    """``{id: (zh, en, kind, gates)}`` of the ids a policy declares (kind: document or checklist)."""
    out: dict[str, tuple[str, str, str, tuple[str, ...]]] = {}
    vocabulary = data.get("vocabulary") or {}
    for section, kind in (("documents", "document"), ("checklist", "checklist")):
        for id_, entry in (vocabulary.get(section) or {}).items():
            if isinstance(entry, Mapping):
                out.setdefault(id_, (str(entry.get("zh", id_)), str(entry.get("en", id_)), kind,
                                     tuple(entry.get("gates") or ())))
    return out


def _uses(data: Mapping[str, Any]) -> Iterator[tuple[list[Any], str, str | None]]:
    """(path, id, remedy of the offer that needs it or None) of every document id used."""
    for index, offer in enumerate(data.get("offers") or ()):
        if not isinstance(offer, Mapping):
            continue
        for d_index, item in enumerate(offer.get("documents") or ()):
            if isinstance(item, list):
                for a_index, alt in enumerate(item):
                    yield ["offers", index, "documents", d_index, a_index], alt, offer.get("remedy")
            else:
                yield ["offers", index, "documents", d_index], item, offer.get("remedy")
        for a_index, item in enumerate(offer.get("asks") or ()):
            yield ["offers", index, "asks", a_index], item, None
    for section in ("offers", "exclusions", "notices"):
        for index, item in enumerate(data.get(section) or ()):
            when = item.get("when") if isinstance(item, Mapping) else None
            matcher = when.get("documents") if isinstance(when, Mapping) else None
            if isinstance(matcher, Mapping):
                for op, value in matcher.items():
                    yield [section, index, "when", "documents", op], value, None


def vocabulary_issues(data: Mapping[str, Any], add: Callable[..., None]) -> None:
    """Report (through ``add(parts, (zh, en), code, severity=...)``) what is wrong with the ids a
    policy declares and uses."""
    from aftersales.core.vocab import DOCUMENTS

    own = declared(data)
    vocabulary = data.get("vocabulary") or {}
    docs = set(vocabulary.get("documents") or {})
    for id_ in (vocabulary.get("checklist") or {}):
        if id_ in docs:
            add(["vocabulary", "checklist", id_], (f"{id_!r} 同时声明为单证和清单项",
                                                   f"{id_!r} is declared both as a document and as a checklist item"),
                "vocabulary")
    for id_, (_zh, _en, kind, _gates) in own.items():
        if id_ in DOCUMENTS:
            add(["vocabulary", "documents" if kind == "document" else "checklist", id_],
                (f"{id_!r} 是内置的单证代码；这里只声明自己的代码",
                 f"{id_!r} is a bundled document id; declare only ids of your own"), "vocabulary")
    known = set(DOCUMENTS) | set(own)
    used: dict[str, set[str]] = {}
    for parts, id_, remedy in _uses(data):
        if not isinstance(id_, str):
            continue
        used.setdefault(id_, set())
        if remedy:
            used[id_].add(remedy)
        if id_ not in known:
            from aftersales.core.errors import nearest

            near = nearest(id_, sorted(known), 1)
            hint = (f"（您是否想写 {near[0]!r}？）" if near else "", f" (did you mean {near[0]!r}?)" if near else "")
            add(parts, (f"未知的单证代码 {id_!r}{hint[0]}；自己的单证请在 vocabulary.documents 或 vocabulary.checklist 中声明",
                        f"unknown document id {id_!r}{hint[1]}; a document of your own is declared under "
                        f"vocabulary.documents or vocabulary.checklist"), "unknown_ref")
    for id_, (_zh, _en, kind, gates) in own.items():
        section = "documents" if kind == "document" else "checklist"
        if id_ not in used:
            add(["vocabulary", section, id_], (f"{id_!r} 已声明，但没有任何规则用到它",
                                               f"{id_!r} is declared but no offer, exclusion or notice uses it"),
                "vocabulary", severity="warning")
            continue
        for remedy in gates:
            if remedy not in used[id_]:
                add(["vocabulary", section, id_, "gates"], (f"{id_!r} 声明为{remedy}所需，但本政策没有哪条{remedy}规则需要它",
                                                            f"{id_!r} is declared to gate {remedy} but no {remedy} "
                                                            f"offer of this policy needs it"), "vocabulary", severity="warning")
