"""The floor check: a brand's terms compared with the statutory ones for mainland units.

Chinese law is a floor (《移动电话机商品修理更换退货责任规定》第四条): for a unit made for and sold
in mainland China a brand may give more, never less. The engine already gives the customer the
statutory offers beside the brand's (and keeps ``restarts`` after an exchange), so a brand term
below the floor does not change a decision; it misleads the staff and the customer who read the
brand's policy. ``floor_issues`` reports each such term as a *warning* (code ``floor``) naming
the brand's rule and the statutory rule, with both citations.

What is compared, for a brand policy that can apply to mainland units (``applies_to.regions``
absent or including ``CN``) and each of its offers that can apply to a mainland unit, against
the statutory offers of the same remedy and basis whose scope overlaps (fault component, channel)
— fallback offers for lost papers (that need a field to be present, or apply only when some
papers are absent: production date + 90 days, the activation date) are compared with none:

* **period** — the warranty period per component (``periods``) is shorter than the statutory one,
  or a window (7/15 days) is shorter or starts later;
* **documents** — the offer needs a paper the statutory offer does not (a group of documents the
  statutory requirements do not already imply);
* **condition** — the offer requires a case condition (``condition.*``, ``history.*``,
  ``fault.confirmed``) the statutory offer does not, e.g. ``condition.cosmetic_wear: false``;
  likewise a brand exclusion on a condition the statute does not exclude;
* **start** — the start rule can give an earlier day than the statutory one (e.g. the earlier of
  invoice and activation, where the statute counts from the invoice);
* **exchange** — ``warranty_after: continues`` where the statute says ``restarts``.

Pure functions over validated policy data; nothing here reads a file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .policyload import PolicyIssue, candidates, locate, matches, satisfiable

SCOPE_PATHS = ("fault.component", "purchase.channel")
_DATE_ORDER = {"production_date": 0, "purchase_date": 1, "received_date": 2}


def _applies_to_mainland(data: Mapping[str, Any]) -> bool:
    applies = data.get("applies_to") or {}
    regions = applies.get("regions")
    countries = applies.get("purchase_countries")
    if regions is not None and "CN" not in regions:
        return False
    if countries is not None and not ({"CN", "unknown"} & set(countries)):
        return False
    return True


def _offer_reaches_mainland(offer: Mapping[str, Any]) -> bool:
    when = offer.get("when") or {}
    for path in ("region", "device.region"):
        if path in when and not matches(when[path], "CN"):
            return False
    if "purchase.country" in when and not (matches(when["purchase.country"], "CN") or matches(when["purchase.country"], None)):
        return False
    return True


def _is_fallback(offer: Mapping[str, Any]) -> bool:
    """An offer for when papers are lost: it needs a field to be present, or applies only when
    some papers are absent (``documents: {none_of: [...]}``). It adds to the regular offers and
    is compared with none of them."""
    when = offer.get("when") or {}
    docs = when.get("documents")
    return (isinstance(docs, Mapping) and "none_of" in docs) or any(
        isinstance(m, Mapping) and m.get("present") is True for m in when.values())


def _counterparts(offer: Mapping[str, Any], statutory: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    out = []
    when = offer.get("when") or {}
    for s_offer in statutory.get("offers") or ():
        if (s_offer.get("remedy"), s_offer.get("basis")) != (offer.get("remedy"), offer.get("basis")):
            continue
        if _is_fallback(s_offer):
            continue
        s_when = s_offer.get("when") or {}
        scope_a = {p: when[p] for p in SCOPE_PATHS if p in when}
        scope_b = {p: s_when[p] for p in SCOPE_PATHS if p in s_when}
        if satisfiable(scope_a, scope_b) is None:
            out.append(s_offer)
    return out


def _span_days(span: Mapping[str, Any]) -> float:
    return span.get("months", 0) * 30.44 + span.get("days", 0)


def _span_text(span: Mapping[str, Any]) -> str:
    parts = []
    if span.get("months"):
        parts.append(f"{span['months']} months")
    if span.get("days"):
        parts.append(f"{span['days']} days")
    return " ".join(parts) or "0 days"


def _doc_groups(spec: Iterable[Any] | None) -> list[frozenset[str]]:
    return [frozenset([g]) if isinstance(g, str) else frozenset(g) for g in spec or ()]


def _extra_documents(brand: list[frozenset[str]], statute: list[frozenset[str]]) -> list[frozenset[str]]:
    """Brand document groups the statutory requirements do not imply.

    A brand group (any one of its documents) is implied when some statutory group is a subset
    of it: whatever satisfies the statute then satisfies the brand.
    """
    return [g for g in brand if not any(s <= g for s in statute)]


def _sources(spec: Mapping[str, Any]) -> tuple[str, list[tuple[str, int]]]:
    if "from" in spec:
        return "one", [(spec["from"], spec.get("offset_days", 0))]
    if "first_of" in spec:
        return "first", [(i["from"], i.get("offset_days", 0)) for i in spec["first_of"]]
    return "earliest", [(i["from"], i.get("offset_days", 0)) for i in spec.get("earliest_of", ())]


def _not_before(a: tuple[str, int], b: tuple[str, int]) -> bool:
    """Date source ``a`` is never earlier than ``b`` (as far as the fields' order is known)."""
    (fa, oa), (fb, ob) = a, b
    if fa == fb:
        return oa >= ob
    if fa in _DATE_ORDER and fb in _DATE_ORDER and _DATE_ORDER[fa] > _DATE_ORDER[fb]:
        return oa >= ob
    return False


def start_may_be_earlier(brand: Mapping[str, Any], statute: Mapping[str, Any]) -> bool:
    """Whether the brand's start rule can give an earlier day than the statutory one."""
    strip = lambda s: {k: v for k, v in s.items() if k not in ("citation", "ref")}  # noqa: E731
    if strip(brand) == strip(statute):
        return False
    _, b_sources = _sources(brand)
    s_kind, s_sources = _sources(statute)
    if s_kind == "earliest":
        return not all(any(_not_before(b, s) for s in s_sources) for b in b_sources)
    return not all(all(_not_before(b, s) for s in s_sources) for b in b_sources)


def _statutory_exclusion_values(statutory: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Per condition path, the values a statutory exclusion already refuses (single-field exclusions)."""
    out: dict[str, list[Any]] = {}
    for exc in statutory.get("exclusions") or ():
        when = exc.get("when") or {}
        if len(when) == 1:
            (path, matcher), = when.items()
            out.setdefault(path, []).append(matcher)
    return out


def _is_condition_path(path: str) -> bool:
    return path.startswith(("condition.", "history.")) or path in ("fault.confirmed", "documents")


def floor_issues(data: Mapping[str, Any], node: Any, name: str,
                 statutory: Iterable[tuple[Mapping[str, Any], str]]) -> list[PolicyIssue]:
    """Floor violations of the brand policy ``data`` against each statutory policy (data, file)."""
    if data.get("kind") == "statutory" or not _applies_to_mainland(data):
        return []
    issues: list[PolicyIssue] = []
    seen: set[tuple] = set()
    pid = data.get("id")

    def warn(parts: list[Any], what: str, brand_rule: str | None, brand_cite: str, s_data: Mapping[str, Any],
             s_file: str, s_rule: str | None, s_cite: str, message: str) -> None:
        key = (tuple(parts), what, s_rule)
        if key in seen:
            return
        seen.add(key)
        line, col = locate(node, parts)
        path = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts)
        text = (f"below the statutory floor ({what}): {pid}/{brand_rule} {message} — {s_data.get('id')}/{s_rule} "
                f"「{s_cite}」; {pid}/{brand_rule} 「{brand_cite}」")
        refs = tuple((key, ref) for key, ref in (("ref", _ref(data, brand_rule)), ("statutory_ref", _ref(s_data, s_rule)))
                     if ref)  # the editors' references of both rules
        issues.append(PolicyIssue(name, line, col, path, text, severity="warning", code="floor", detail=(
            ("kind", what), ("rule", f"{pid}/{brand_rule}"), ("citation", brand_cite),
            ("statutory_rule", f"{s_data.get('id')}/{s_rule}"), ("statutory_citation", s_cite),
            ("statutory_file", s_file)) + refs))

    starts = data.get("starts") or {}
    periods = data.get("periods") or {}
    offers = data.get("offers") or []
    for s_data, s_file in statutory:
        if not _applies_to_mainland(s_data):
            continue
        s_starts = s_data.get("starts") or {}
        s_periods = s_data.get("periods") or {}
        s_excluded = _statutory_exclusion_values(s_data)
        s_by_id = {o.get("id"): o for o in s_data.get("offers") or ()}
        warranty_offer = next((o for o in s_data.get("offers") or () if o.get("period") == "warranty"
                               and o.get("basis") == "warranty" and not _is_fallback(o)), None)

        # warranty periods per component
        uses_warranty = [o for o in offers if o.get("period") == "warranty" and _offer_reaches_mainland(o)]
        if uses_warranty:
            for comp, span in periods.items():
                s_span = s_periods.get(comp)
                if s_span is not None and _span_days(span) < _span_days(s_span):
                    b_offer = uses_warranty[0]
                    warn(["periods", comp], "period", f"periods.{comp}", b_offer.get("citation", ""), s_data, s_file,
                         f"periods.{comp}", (warranty_offer or {}).get("citation", ""),
                         f"gives {comp} {_span_text(span)} where the statute gives {_span_text(s_span)}")

        for index, offer in enumerate(offers):
            if offer.get("remedy") == "paid_repair" or not _offer_reaches_mainland(offer) or _is_fallback(offer):
                continue
            rid = offer.get("id")
            cite = offer.get("citation", "")
            when = offer.get("when") or {}
            for s_offer in _counterparts(offer, s_data):
                sid = s_offer.get("id")
                s_cite = s_offer.get("citation", "")
                s_when = s_offer.get("when") or {}
                # windows
                win, s_win = offer.get("window"), s_offer.get("window")
                if win and s_win and (win.get("days", 0) < s_win.get("days", 0)
                                      or win.get("from_day", 0) > s_win.get("from_day", 0)):
                    warn(["offers", index, "window"], "period", rid, cite, s_data, s_file, sid, s_cite,
                         f"gives days {win.get('from_day', 0)}–{win['days']} where the statute gives days "
                         f"{s_win.get('from_day', 0)}–{s_win['days']}")
                # documents
                extra = _extra_documents(_doc_groups(offer.get("documents")), _doc_groups(s_offer.get("documents")))
                if extra:
                    needs = ", ".join(" or ".join(sorted(g)) for g in extra)
                    s_needs = ", ".join(" or ".join(sorted(g)) for g in _doc_groups(s_offer.get("documents"))) or "nothing"
                    warn(["offers", index, "documents"], "documents", rid, cite, s_data, s_file, sid, s_cite,
                         f"needs {needs} where the statute needs {s_needs}")
                # conditions
                for path, matcher in when.items():
                    if not _is_condition_path(path):
                        continue
                    s_matchers = [s_when[path]] if path in s_when else []
                    refused = s_excluded.get(path, [])
                    for value in candidates(path, [matcher] + s_matchers):
                        if all(matches(m, value) for m in s_matchers) and not any(matches(r, value) for r in refused) \
                                and not matches(matcher, value):
                            warn(["offers", index, "when", path], "condition", rid, cite, s_data, s_file, sid, s_cite,
                                 f"requires {path}: {_show(matcher)}, a condition the statute does not set")
                            break
                # start
                b_start, s_start = starts.get(offer.get("start")), s_starts.get(s_offer.get("start"))
                if b_start and s_start and start_may_be_earlier(b_start, s_start):
                    warn(["starts", offer.get("start")], "start", f"starts.{offer.get('start')}", b_start.get("citation", ""),
                         s_data, s_file, f"starts.{s_offer.get('start')}", s_start.get("citation", ""),
                         f"can start earlier than the statutory start (used by {_users(offers, offer.get('start'))})")

        # brand exclusions on conditions the statute does not exclude
        for index, exc in enumerate(data.get("exclusions") or ()):
            ew = exc.get("when") or {}
            if not ew:
                continue
            if any(_statute_excludes(s_data, path, m) for path, m in ew.items()):
                continue
            s_ref: Mapping[str, Any] = warranty_offer or next(iter(s_by_id.values()), {})
            warn(["exclusions", index, "when"], "condition", exc.get("id"), exc.get("citation", ""), s_data, s_file,
                 s_ref.get("id", "offers"), s_ref.get("citation", ""),
                 f"refuses free remedies when {', '.join(f'{p}: {_show(m)}' for p, m in ew.items())}, which the statute does not exclude")

        # exchange
        ex, s_ex = data.get("exchange"), s_data.get("exchange")
        if ex and s_ex and ex.get("warranty_after") == "continues" and s_ex.get("warranty_after") == "restarts":
            warn(["exchange", "warranty_after"], "exchange", "exchange", ex.get("citation", ""), s_data, s_file, "exchange",
                 s_ex.get("citation", ""), "says the warranty continues after an exchange where the statute says it restarts")
    return issues


def _ref(data: Mapping[str, Any], rule: str | None) -> str | None:
    """The ``ref`` of a rule named as the floor check names it (an id, ``starts.x``, ``periods.x``, ``exchange``)."""
    if not rule:
        return None
    if rule.startswith("starts."):
        return ((data.get("starts") or {}).get(rule[len("starts."):]) or {}).get("ref")
    if rule == "exchange":
        return (data.get("exchange") or {}).get("ref")
    for section in ("offers", "exclusions", "notices"):
        for item in data.get(section) or ():
            if item.get("id") == rule:
                return item.get("ref")
    return None


def _statute_excludes(s_data: Mapping[str, Any], path: str, matcher: Any) -> bool:
    """Whether a statutory exclusion already refuses every value ``matcher`` admits on ``path``."""
    for exc in s_data.get("exclusions") or ():
        ew = exc.get("when") or {}
        if path in ew and all(matches(ew[path], v) for v in candidates(path, [matcher, ew[path]]) if matches(matcher, v)):
            return True
    return False


def _users(offers: Iterable[Mapping[str, Any]], start: str | None) -> str:
    names = [o.get("id") for o in offers if o.get("start") == start]
    return ", ".join(str(n) for n in names)


def _show(matcher: Any) -> str:
    if isinstance(matcher, bool):
        return "true" if matcher else "false"
    if isinstance(matcher, Mapping):
        return "{" + ", ".join(f"{k}: {_show(v)}" for k, v in matcher.items()) + "}"
    if isinstance(matcher, list):
        return "[" + ", ".join(_show(v) for v in matcher) + "]"
    return str(matcher)
