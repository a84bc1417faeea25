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


def _span_text(span: Mapping[str, Any], lang: str = "en") -> str:
    parts = []
    if span.get("months"):
        parts.append(f"{span['months']} 个月" if lang == "zh" else f"{span['months']} months")
    if span.get("days"):
        parts.append(f"{span['days']} 天" if lang == "zh" else f"{span['days']} days")
    return " ".join(parts) or ("0 天" if lang == "zh" else "0 days")


_KIND_ZH = {"period": "期限", "documents": "单证", "condition": "条件", "start": "起算日", "exchange": "换货",
            "shadowed": "被法定规则遮蔽"}


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
             s_file: str, s_rule: str | None, s_cite: str, message: tuple[str, str]) -> None:
        key = (tuple(parts), what, s_rule)
        if key in seen:
            return
        seen.add(key)
        line, col = locate(node, parts)
        path = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts)
        text = (f"below the statutory floor ({what}): {pid}/{brand_rule} {message[1]} — {s_data.get('id')}/{s_rule} "
                f"「{s_cite}」; {pid}/{brand_rule} 「{brand_cite}」")
        refs = tuple((key, ref) for key, ref in (("ref", _ref(data, brand_rule)), ("statutory_ref", _ref(s_data, s_rule)))
                     if ref)  # the editors' references of both rules
        zh = (f"低于法定底线（{_KIND_ZH.get(what, what)}）：{pid}/{brand_rule} {message[0]} — {s_data.get('id')}/{s_rule} "
              f"「{s_cite}」；{pid}/{brand_rule} 「{brand_cite}」")
        code = "floor"
        if what == "shadowed":
            code = "shadowed"
            text = (f"shadowed by the statute: {pid}/{brand_rule} {message[1]} — {s_data.get('id')}/{s_rule} 「{s_cite}」")
            zh = f"被法定规则遮蔽：{pid}/{brand_rule} {message[0]} — {s_data.get('id')}/{s_rule} 「{s_cite}」"
        issues.append(PolicyIssue(name, line, col, path, text, severity="warning", code=code, zh=zh, detail=(
            ("ack", f"shadowed:{brand_rule}" if what == "shadowed" else f"floor:{what}:{brand_rule}"),
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
                         (f"给 {comp} {_span_text(span, 'zh')}，法定为 {_span_text(s_span, 'zh')}",
                          f"gives {comp} {_span_text(span)} where the statute gives {_span_text(s_span)}"))

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
                         (f"给第 {win.get('from_day', 0)}–{win['days']} 日，法定为第 {s_win.get('from_day', 0)}–{s_win['days']} 日",
                          f"gives days {win.get('from_day', 0)}–{win['days']} where the statute gives days "
                          f"{s_win.get('from_day', 0)}–{s_win['days']}"))
                # documents
                extra = _extra_documents(_doc_groups(offer.get("documents")), _doc_groups(s_offer.get("documents")))
                if extra:
                    needs = ", ".join(" or ".join(sorted(g)) for g in extra)
                    s_needs = ", ".join(" or ".join(sorted(g)) for g in _doc_groups(s_offer.get("documents"))) or "nothing"
                    warn(["offers", index, "documents"], "documents", rid, cite, s_data, s_file, sid, s_cite,
                         (f"需要 {needs}，法定只需 {s_needs}", f"needs {needs} where the statute needs {s_needs}"))
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
                                 (f"要求 {path}: {_show(matcher)}，法定没有这个条件",
                                  f"requires {path}: {_show(matcher)}, a condition the statute does not set"))
                            break
                # start
                b_start, s_start = starts.get(offer.get("start")), s_starts.get(s_offer.get("start"))
                if _same_terms(offer, s_offer, periods, s_periods, b_start, s_start):
                    warn(["offers", index, "id"], "shadowed", rid, cite, s_data, s_file, sid, s_cite,
                         ("给出的与法定规则完全相同；平局时法定规则优先，所以它永远不会决定任何案例（覆盖率也不会计入它）："
                          "删掉它，或让它比法定更好（更长的期限、更少的单证）",
                          "gives exactly what the statutory rule gives; ties go to the statute, so it never decides a "
                          "case (nor counts in coverage): remove it, or make it better than the statute (a longer "
                          "period, fewer papers)"))
                if b_start and s_start and start_may_be_earlier(b_start, s_start):
                    warn(["starts", offer.get("start")], "start", f"starts.{offer.get('start')}", b_start.get("citation", ""),
                         s_data, s_file, f"starts.{s_offer.get('start')}", s_start.get("citation", ""),
                         (f"可能早于法定起算日（用于 {_users(offers, offer.get('start'))}）",
                          f"can start earlier than the statutory start (used by {_users(offers, offer.get('start'))})"))

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
                 (f"在 {', '.join(f'{p}: {_show(m)}' for p, m in ew.items())} 时拒绝免费处理，法定并不排除",
                  f"refuses free remedies when {', '.join(f'{p}: {_show(m)}' for p, m in ew.items())}, "
                  "which the statute does not exclude"))

        # exchange
        ex, s_ex = data.get("exchange"), s_data.get("exchange")
        if ex and s_ex and ex.get("warranty_after") == "continues" and s_ex.get("warranty_after") == "restarts":
            warn(["exchange", "warranty_after"], "exchange", "exchange", ex.get("citation", ""), s_data, s_file, "exchange",
                 s_ex.get("citation", ""), ("规定换货后保修期延续，法定为重新计算",
                                            "says the warranty continues after an exchange where the statute says it restarts"))
    return issues


_TERMS_IGNORED = frozenset({"id", "citation", "ref", "when", "start", "period", "documents", "note"})


def _same_terms(offer: Mapping[str, Any], s_offer: Mapping[str, Any], periods: Mapping[str, Any],
                s_periods: Mapping[str, Any], b_start: Mapping[str, Any] | None, s_start: Mapping[str, Any] | None) -> bool:
    """Whether a brand offer gives exactly what a statutory offer gives, for no more cases: then
    the statutory one wins every tie and the brand rule never decides."""
    keys = (set(offer) | set(s_offer)) - _TERMS_IGNORED
    if any(offer.get(k) != s_offer.get(k) for k in keys):
        return False
    if set(_doc_groups(offer.get("documents"))) != set(_doc_groups(s_offer.get("documents"))):
        return False
    strip = lambda s: {k: v for k, v in (s or {}).items() if k not in ("citation", "ref")}  # noqa: E731
    if strip(b_start) != strip(s_start):
        return False
    when, s_when = offer.get("when") or {}, s_offer.get("when") or {}
    region_paths = ("region", "device.region", "purchase.country", "brand")
    if {p: m for p, m in when.items() if p not in SCOPE_PATHS and p not in region_paths} != \
            {p: m for p, m in s_when.items() if p not in SCOPE_PATHS}:
        return False
    for path in SCOPE_PATHS:   # the brand's scope lies within the statute's
        if path in s_when and any(not matches(s_when[path], v) for v in candidates(path, [s_when[path]] +
                                                                                   ([when[path]] if path in when else []))
                                  if path not in when or matches(when[path], v)):
            return False
    period, s_period = offer.get("period"), s_offer.get("period")
    if period == "warranty" and s_period == "warranty":
        comp = when.get("fault.component")
        comps = [c for c in candidates("fault.component", []) if comp is None or matches(comp, c)]
        return all(periods.get(c) == s_periods.get(c) for c in comps if c in periods or c in s_periods)
    return bool(period == s_period)


#: the regulation's own terms, the reference for the statutory policy itself (it cannot be compared
#: with itself): 《移动电话机商品修理更换退货责任规定》 第十一条、第十二条、附录 (三包有效期) and 第二十一条
REGULATION_PERIODS: dict[str, tuple[int, str]] = {
    "host": (12, "附录 主机三包有效期1年"), "battery": (6, "附录 电池三包有效期6个月"),
    "charger": (12, "附录 充电器三包有效期1年"), "earphone": (3, "附录 有线耳机三包有效期3个月"),
    "data_card": (12, "附录 数据接口卡三包有效期1年"), "terminal_card": (12, "附录 移动终端卡三包有效期1年"),
}
REGULATION_WINDOWS: dict[tuple[str, str], tuple[int, int, str]] = {
    ("return", "doa"): (1, 7, "第十一条 自售出之日起7日内，主机出现性能故障，消费者可以选择退货、换货或者修理"),
    ("exchange", "doa"): (1, 7, "第十一条 自售出之日起7日内，主机出现性能故障，消费者可以选择退货、换货或者修理"),
    ("exchange", "dap"): (8, 15, "第十二条 自售出之日起第8日至第15日内，主机出现性能故障，消费者可以选择换货或者修理"),
}
REGULATION_EXCHANGE = "第二十一条 换货后的三包有效期自换货之日起重新计算"


def statute_issues(data: Mapping[str, Any], node: Any, name: str) -> list[PolicyIssue]:
    """A statutory policy that gives less than the regulation itself: a shorter period per
    component, a shorter or later window, a warranty that continues after an exchange, a
    regulation remedy missing. Errors (code ``statute``) naming the article, which no
    acknowledgement lifts: a brand's term below the statute still leaves the customer the
    statute's (the engine gives the better), but nothing stands under the statutory policy."""
    if data.get("kind") != "statutory":
        return []
    pid = data.get("id")
    issues: list[PolicyIssue] = []

    def warn(parts: list[Any], ack: str, message: tuple[str, str], cite: str) -> None:
        line, col = locate(node, parts)
        path = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts)
        issues.append(PolicyIssue(name, line, col, path,
                                  f"the statutory policy {pid} may not give less than the regulation: {message[1]} — "
                                  f"「{cite}」; the regulation is the floor: give at least what it gives",
                                  severity="error", code="statute", detail=(("ack", f"statute:{ack}"), ("citation", cite)),
                                  zh=f"法定政策 {pid} 不得低于法规本身：{message[0]} — 「{cite}」；法规是底线，请至少给到法规的规定"))

    periods = data.get("periods") or {}
    for comp, (months, cite) in REGULATION_PERIODS.items():
        span = periods.get(comp)
        if span is not None and _span_days(span) < months * 30.44:
            warn(["periods", comp], f"periods.{comp}", (f"{comp} 写的是 {_span_text(span, 'zh')}，法规为 {months} 个月",
                                                        f"{comp} is given {_span_text(span)} where the regulation gives "
                                                        f"{months} months"), cite)
        elif span is None and periods:
            warn(["periods"], f"periods.{comp}", (f"缺少 {comp} 的三包有效期（法规为 {months} 个月）",
                                                  f"no period for {comp} (the regulation gives {months} months)"), cite)
    offers = data.get("offers") or []
    for (remedy, basis), (first, last, cite) in REGULATION_WINDOWS.items():
        found = [(i, o) for i, o in enumerate(offers) if (o.get("remedy"), o.get("basis")) == (remedy, basis)]
        if not found:
            warn(["offers"], f"{remedy}_{basis}", (f"没有 {remedy}/{basis} 的规则（法规给第 {first}–{last} 日）",
                                                   f"no {remedy}/{basis} offer (the regulation gives days {first}–{last})"), cite)
            continue
        for index, offer in found:
            win = offer.get("window") or {}
            if win and (win.get("days", 0) < last or win.get("from_day", 1) > first):
                warn(["offers", index, "window"], str(offer.get("id")),
                     (f"{offer.get('id')} 给第 {win.get('from_day', 1)}–{win.get('days')} 日，法规为第 {first}–{last} 日",
                      f"{offer.get('id')} gives days {win.get('from_day', 1)}–{win.get('days')} where the regulation "
                      f"gives days {first}–{last}"), cite)
    exchange = data.get("exchange") or {}
    if exchange.get("warranty_after") == "continues":
        warn(["exchange", "warranty_after"], "exchange", ("换货后保修期延续，法规为自换货之日起重新计算",
                                                          "the warranty continues after an exchange where the regulation "
                                                          "restarts it"), REGULATION_EXCHANGE)
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
