"""Compile a validated policy (a mapping, see ``policies/policy.schema.json``) into fast checks.

Conditions are declarative field matchers. They are compiled once, when the policy loads, into
small Python functions with the policy's constants inlined, so that checking a case costs about
what a hand-written ``if`` would. Only values the schema admits (ids, numbers, booleans) reach
the generated source, each through ``repr``; field paths are checked against a fixed grammar.

Nothing here reads a file, the clock or the environment.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import date, timedelta
from typing import Any, NamedTuple

from .dates import RestDayCalendar, span_end
from .errors import PolicyError
from .memo import remember
from .offers import OfferRule
from .outcomes import ExchangeRule, ExclusionHit, Identity, Notice, OfferResult, TraceStep
from .refund import RefundRule

_PATH = re.compile(r"^(region|brand|documents|coverage_plans|activation_date|"
                   r"(device|purchase|fault|condition|history)\.[a-z_]+(\.[a-z_]+)?|"
                   r"predicate\.[a-z][a-z0-9_]*)$")
#: the prefix of a condition on a plugin's named predicate (``aftersales_predicates``), and the names
PREDICATE_PREFIX = "predicate."
PREDICATE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
#: the case field each start rule's ``from`` counts from (a policy's ``starts.<name>.from``)
START_FIELDS = {
    "purchase_date": "purchase.date",
    "received_date": "purchase.received_date",
    "activation_date": "activation_date",
    "production_date": "device.production_date",
}
_REGION_FIELDS = {
    "device.part_number": "part_number",
    "device.model_code": "model_code",
    "device.serial": "serial",
    "device.imei": "imei",
    "purchase.country": "country",
}
_ONE_DAY = timedelta(days=1)
#: the condition that waits for the repairer's test: an offer whose only unmet condition is this
#: one is ``pending_detection`` (its time limit and papers are checked, so the papers can be asked for)
DETECTION = ("fault.confirmed", True)
#: how far past a period's unrolled last day rest days can carry it: a year without holiday data
#: matters to a case only when its date falls within this reach (else the rollover decides nothing)
ROLLOVER_REACH = timedelta(days=15)
_NO_DAYS = timedelta(0)
#: the verdict of an offer whose only unmet condition is ``DETECTION``
PENDING = -2
#: condition verdicts kept per policy; beyond this the table starts again
ASSESSMENT_CACHE_SIZE = 4096
#: how much each basis is worth to the customer when two offers of one remedy are both granted
_BASIS_RANK = {
    "doa": 8, "dap": 7, "repeat_failure": 6, "repair_overdue": 6, "warranty": 5,
    "no_reason": 4, "extended": 3, "out_of_warranty": 0,
}


# --------------------------------------------------------------------------- code generation

class _Source:
    """Collects generated lines and the constants they refer to."""

    def __init__(self) -> None:
        self.consts: dict[str, Any] = {}

    def const(self, value: Any) -> str:
        if isinstance(value, (bool, int, float, str)) or value is None:
            return repr(value)
        name = f"_k{len(self.consts)}"
        self.consts[name] = value
        return name


def _value_expr(path: str) -> str:
    """The expression a condition reads: ``c`` is the case, ``r`` the region, ``p`` the values
    of the named predicates for the case (worked out by the engine, see ``CompiledPolicy``)."""
    if not _PATH.match(path):
        raise PolicyError(f"unknown case field {path!r}", field=path, zh=f"未知的案例字段 {path!r}")
    if path == "region":
        return "r"
    if path.startswith(PREDICATE_PREFIX):
        return f"p[{path[len(PREDICATE_PREFIX):]!r}]"
    if path.startswith("history.plan_claims."):
        return f"c.history.claims({path.rsplit('.', 1)[1]!r})"
    if path.count(".") > 1:
        raise PolicyError(f"unknown case field {path!r}", field=path, zh=f"未知的案例字段 {path!r}")
    return f"c.{path}"


#: the expression of each operator whose argument is a list of values (read as a set), then of
#: each whose argument is one value: ``v`` the field's value, ``arg`` the argument's constant
_SET_TESTS = {
    "in": "({v} in {arg})",
    "not_in": "({v} not in {arg})",
    "any_of": "(not {v}.isdisjoint({arg}))",
    "none_of": "({v}.isdisjoint({arg}))",
}
_VALUE_TESTS = {
    "gt": "({v} is not None and {v} > {arg})",
    "gte": "({v} is not None and {v} >= {arg})",
    "lt": "({v} is not None and {v} < {arg})",
    "lte": "({v} is not None and {v} <= {arg})",
    "includes": "({arg} in {v})",
    "excludes": "({arg} not in {v})",
}
#: every key a condition's operator object may hold (``{gte: 20, lt: 80}``), as ``_test_expr`` reads them
OPERATORS = frozenset({"eq", "ne", "present", *_SET_TESTS, *_VALUE_TESTS})


def _test_expr(path: str, matcher: Any, src: _Source, value: str | None = None) -> str:
    """A Python expression that is true when the case satisfies ``path: matcher`` (``value``:
    read the field from this expression instead of the case)."""
    v = _value_expr(path) if value is None else value
    if isinstance(matcher, bool) or matcher is None:
        return f"({v} is {matcher!r})"
    if isinstance(matcher, (str, int, float)):
        return f"({v} == {src.const(matcher)})"
    if isinstance(matcher, list):
        return f"({v} in {src.const(frozenset(matcher))})"
    if isinstance(matcher, Mapping) and len(matcher) == 2:
        if range_bounds(matcher) is None:
            zh, en = range_problem(matcher) or ("", "")
            raise PolicyError(en, field=path, zh=zh)
        return "(" + " and ".join(_test_expr(path, {op: arg}, src, value) for op, arg in matcher.items()) + ")"
    if isinstance(matcher, Mapping) and len(matcher) == 1:
        (op, arg), = matcher.items()
        if op == "eq":
            return _test_expr(path, arg, src, value)
        if op == "ne":
            return f"(not {_test_expr(path, arg, src, value)})"
        template = _SET_TESTS.get(op)
        if template is not None:   # ``arg`` a list of values, tested as a set
            return template.format(v=v, arg=src.const(frozenset(arg)))
        template = _VALUE_TESTS.get(op)
        if template is not None:
            return template.format(v=v, arg=src.const(arg))
        if op == "present":
            return f"({v} is not None)" if arg else f"({v} is None)"
    raise PolicyError(f"cannot read the condition {matcher!r}", field=path, zh=f"看不懂这个条件：{matcher!r}")


#: the operators of a range's lower and of its upper bound (a condition may hold one of each)
_LOWER, _UPPER = ("gt", "gte"), ("lt", "lte")


def range_bounds(matcher: Mapping[str, Any]) -> tuple[tuple[str, Any], tuple[str, Any]] | None:
    """A condition of two comparisons, ``{gte: 20, lt: 80}``: its (lower, upper) bounds, each an
    (operator, value) pair; ``None`` when the two are not one lower and one upper bound."""
    lower = [(op, arg) for op, arg in matcher.items() if op in _LOWER]
    upper = [(op, arg) for op, arg in matcher.items() if op in _UPPER]
    if len(matcher) != 2 or len(lower) != 1 or len(upper) != 1:
        return None
    return lower[0], upper[0]


def range_problem(matcher: Any, whole: bool = False) -> tuple[str, str] | None:
    """What is wrong with a condition of two comparisons, (Chinese, English): not one lower and
    one upper bound, or a lower bound not below the upper (no value lies between them; with
    ``whole``, the field's values being whole numbers, no whole number); None when ``matcher`` is
    no such condition or a good one."""
    if not isinstance(matcher, Mapping) or len(matcher) != 2:
        return None
    bounds = range_bounds(matcher)
    written = "{" + ", ".join(f"{op}: {arg}" for op, arg in matcher.items()) + "}"
    if bounds is None:
        return (f"一个条件里写两项比较时，只能是一个下限（gt 或 gte）和一个上限（lt 或 lte），如 {{gte: 20, lt: 80}}；"
                f"这里写的是 {written}",
                f"two comparisons in one condition must be a lower bound (gt or gte) and an upper bound (lt or lte), "
                f"as {{gte: 20, lt: 80}}; this one is {written}")
    (low_op, low), (high_op, high) = bounds
    numbers = all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (low, high))
    if numbers and (low > high or (low == high and (low_op, high_op) != ("gte", "lte"))):
        return (f"范围写反了：下限 {low_op}: {low} 不低于上限 {high_op}: {high}，没有值能落在其中",
                f"the range is the wrong way round: the lower bound {low_op}: {low} is not below the upper bound "
                f"{high_op}: {high}, so no value lies between them")
    if numbers and whole:   # the whole numbers the range holds: from ``least`` to ``most``
        least = math.floor(low) + 1 if low_op == "gt" else math.ceil(low)
        most = math.ceil(high) - 1 if high_op == "lt" else math.floor(high)
        if least > most:
            return (f"范围 {written} 里没有整数（这个字段只取整数），条件不可能成立",
                    f"no whole number lies in {written} (the field takes whole numbers), so the condition cannot hold")
    return None


def _compile(name: str, lines: list[str], src: _Source, extra: Mapping[str, Any] | None = None) -> Callable:
    # The code object depends only on the source text: while a policy loads, ``policycache``
    # hands back the one compiled for the same text before (no file is read here).
    from .policycache import code as _code

    namespace: dict[str, Any] = dict(src.consts)
    if extra:
        namespace.update(extra)
    exec(_code("\n".join(lines), f"<policy {name}>"), namespace)  # noqa: S102 - source built above
    return namespace["_fn"]


def compile_matcher(path: str, matcher: Any) -> Callable[[Any], bool]:
    """``fn(value) -> bool``: whether one value of the field ``path`` satisfies ``matcher``, by the
    very expression a policy's verdict uses (``_test_expr``), for the checks that reason about
    conditions without a case (``policyload.satisfiable``, the floor check). A value of a type
    the expression cannot compare does not satisfy it."""
    src = _Source()
    expr = _test_expr(path, matcher, src, value="v")
    lines = ["def _fn(v):", "    try:", f"        return bool({expr})", "    except TypeError:", "        return False"]
    return _compile(f"matcher {path}", lines, src)


def _start_lines(spec: Mapping[str, Any], src: _Source) -> list[str]:
    """Statements that set ``s`` to the start date (or None) of a start rule, inline: no calls."""
    def one(item: Mapping[str, Any], var: str) -> list[str]:
        lines = [f"    {var} = c.{START_FIELDS[item['from']]}"]
        days = int(item.get("offset_days", 0))
        if days:
            lines.append(f"    if {var} is not None: {var} = {var} + {src.const(timedelta(days=days))}")
        return lines

    if "from" in spec:
        return one(spec, "s")
    items = spec["first_of"] if "first_of" in spec else spec["earliest_of"]
    lines: list[str] = []
    for index, item in enumerate(items):
        lines += one(item, f"s{index}")
    lines.append("    s = None")
    for index in range(len(items)):
        var = f"s{index}"
        if "first_of" in spec:  # the first date given
            lines.append(f"    if s is None: s = {var}")
        else:  # the earliest date given
            lines.append(f"    if {var} is not None and (s is None or {var} < s): s = {var}")
    return lines


def _result(status: str, *, detail: str = "None", start: str = "s", end: str = "e", missing: str = "()",
            asks_missing: str = "()", gaps: str = "()") -> str:
    """Source of an ``OfferResult`` of the offer ``RULE`` built in generated code: the fields'
    expressions by name, given by position in the record's declared field order (a positional
    call is the cheapest way to make a ``msgspec.Struct`` on this per-case path)."""
    fields = {"rule": "RULE", "status": repr(status), "detail": detail, "start": start, "end": end,
              "missing": missing, "asks_missing": asks_missing, "unknown_years": gaps}
    return f"_R({', '.join(fields[name] for name in OfferResult.__struct_fields__)})"


def _period_lines(months: str, days: str, rollover: bool) -> list[str]:
    """Statements that set ``pe`` to the end (``PeriodEnd``) of a period of ``months`` and
    ``days`` (expressions) from the start ``s``: looked up in the calendar's table of ends
    (``RestDayCalendar.spans``), worked out by ``span_end`` (which keeps it there) when not found."""
    flag = int(rollover)
    return [f"    pm = {months}", f"    pd = {days}",
            f"    pe = SPANS{flag}.get((s, pm, pd)) or _period(s, pm, pd, {rollover}, CAL)"]


#: a case field read as a plain attribute (``c.purchase`` / ``c.purchase.date``): no call, no lookup
_PLAIN_READ = re.compile(r"^c(\.[a-z_]+){1,2}$")


def verdicts_function(policies: Sequence[Any]) -> Callable:
    """``fn(case, region, predicates)``: the verdicts of ``policies`` (``CompiledPolicy``) one
    after the other in one flat tuple: per policy, per offer the index of its first condition
    that fails (-1: all hold; ``PENDING``: only the fault's confirmation is missing), then per
    exclusion and per notice whether its conditions all hold. Cheap to work out: no time limit
    or paper is looked at. ``predicates`` maps each name the policies use to its value.

    This is the one place conditions are compiled for deciding (the checks that reason about
    conditions without a case use the same expressions, see ``compile_matcher``).

    Nothing is read twice that is sure to be read once: a condition that opens an offer's, an
    exclusion's or a notice's list is always tested, so when it is written more than once (the
    damage exclusions every policy has, "the fault is confirmed"), it is tested once, first; and
    a field read by such a condition and read again elsewhere is read once, into a local (plain
    attribute reads only: no call is moved and no other condition is tested earlier)."""
    src = _Source()
    listings = [policy._conditions() for policy in policies]
    fields: dict[str, str] = {}
    tests: dict[tuple[str, str], tuple[str, Any]] = {}   # (path, repr(matcher)) -> (path, matcher)
    sure_tests: dict[tuple[str, str], int] = {}
    all_tests: dict[tuple[str, str], int] = {}
    for listing in listings:
        for _section, when in listing:
            for position, (path, matcher) in enumerate(when):
                fields.setdefault(path, _value_expr(path))
                key = (path, repr(matcher))
                tests.setdefault(key, (path, matcher))
                all_tests[key] = all_tests.get(key, 0) + 1
                if position == 0:
                    sure_tests[key] = sure_tests.get(key, 0) + 1
    shared = [key for key in sure_tests if all_tests[key] > 1]
    # the field reads left: a shared test reads its field once, surely
    sure_reads: dict[str, int] = {}
    reads: dict[str, int] = {}
    for key, count in all_tests.items():
        path = key[0]
        once = key in shared
        reads[path] = reads.get(path, 0) + (1 if once else count)
        if once or key in sure_tests:
            sure_reads[path] = sure_reads.get(path, 0) + (1 if once else sure_tests[key])
    hoisted = [path for path in fields
               if sure_reads.get(path, 0) >= 1 and reads[path] > 1 and _PLAIN_READ.match(fields[path])]
    local_of = {path: f"v{index}" for index, path in enumerate(hoisted)}
    lines = ["def _fn(c, r, p):"]
    lines += [f"    {local_of[path]} = {fields[path]}" for path in hoisted]

    def test(path: str, matcher: Any) -> str:
        return _test_expr(path, matcher, src, local_of.get(path))

    test_of: dict[tuple[str, str], str] = {}
    for index, key in enumerate(shared):
        lines.append(f"    t{index} = {test(*tests[key])}")
        test_of[key] = f"t{index}"

    def cond(path: str, matcher: Any) -> str:
        return test_of.get((path, repr(matcher))) or test(path, matcher)

    names: list[str] = []
    for number, listing in enumerate(listings):
        written: dict[str, str] = {}  # offers with the same conditions in the same order share one reading
        for index, (section, when) in enumerate(listing):
            name = f"{section}{number}_{index}"
            names.append(name)
            if section != "o":
                parts = [cond(path, matcher) for path, matcher in when]
                lines.append(f"    {name} = {' and '.join(parts) if parts else 'True'}")
                continue
            same = repr(when)
            if same in written:
                lines.append(f"    {name} = {written[same]}")
                continue
            written[same] = name
            branch = "if"
            for position, (path, matcher) in enumerate(when):
                if (path, matcher) == DETECTION:  # all the others holding: pending the test
                    rest = [cond(p, m) for p, m in when[position + 1:]]
                    verdict = f"{PENDING} if {' and '.join(rest)} else {position}" if rest else str(PENDING)
                    lines.append(f"    {branch} not {cond(path, matcher)}: {name} = {verdict}")
                else:
                    lines.append(f"    {branch} not {cond(path, matcher)}: {name} = {position}")
                branch = "elif"
            lines.append(f"    {'else' if branch == 'elif' else 'if True'}: {name} = -1")
    lines.append(f"    return ({', '.join(names)}{',' if names else ''})")
    label = "+".join(policy.id for policy in policies)
    return _compile(f"{label}#verdict", lines, src)


# --------------------------------------------------------------------------- compiled rules

#: the predicate values of a policy that uses none
_NO_PREDICATES: Mapping[str, bool] = {}


def _documents(spec: list | None) -> tuple[tuple[str, ...], ...]:
    groups = []
    for item in spec or ():
        groups.append((item,) if isinstance(item, str) else tuple(item))
    return tuple(groups)


class ExclusionRule(NamedTuple):
    """An exclusion of a policy; whether its conditions hold is part of the policy's verdict."""

    id: str
    hit: ExclusionHit
    on_expiry: bool


class NoticeRule(NamedTuple):
    """A notice of a policy; whether its conditions hold is part of the policy's verdict."""

    id: str
    notice: Notice


def compile_pattern(text: str, *, field: str, groups: int = 1) -> Any:
    """A pattern a policy editor wrote, compiled by RE2 (``google-re2``): matching takes time
    linear in the text, whatever the pattern (``^(([A-Z])+)+/A$`` cannot backtrack without
    bound). A pattern RE2 cannot run (backreferences, lookaround) or with fewer than ``groups``
    capture groups is refused, naming ``field``."""
    import re2

    options = re2.Options()
    options.log_errors = False   # the error is ours to say, on one line
    try:
        compiled = re2.compile(text, options)
    except re2.error as exc:
        reason = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise PolicyError(f"pattern {text!r} is not a pattern RE2 can run ({reason}); backreferences and "
                          f"lookaround are not supported", field=field,
                          zh=f"模式 {text!r} 无法由 RE2 运行（{reason}）；不支持反向引用和环视") from None
    if compiled.groups < groups:
        raise PolicyError(f"pattern {text!r} needs a capture group, ( ), around the code it reads", field=field,
                          zh=f"模式 {text!r} 需要用捕获组 ( ) 括住它读取的代码")
    return compiled


class RegionRule(NamedTuple):
    id: str
    field: str | None
    pattern: Any    # an RE2 pattern (``compile_pattern``)
    mapping: Mapping[str, str]
    default: str | None
    citation: str

    def identify(self, case: Any) -> str | None:
        if self.field is None:
            return self.default
        owner = case.purchase if self.field == "purchase.country" else case.device
        value = getattr(owner, _REGION_FIELDS[self.field])
        if value is None:
            return None
        if self.pattern is not None:
            match = self.pattern.search(value.upper())
            code = match.group(1) if match else None
        else:
            code = value.upper()
        if code is not None and code in self.mapping:
            return self.mapping[code]
        return self.default


def exclusion_step(hit: ExclusionHit) -> TraceStep:
    """The trace entry of an exclusion that holds."""
    return TraceStep(plugin=hit.plugin, policy=hit.policy, rule=hit.id, effect="exclusion", citation=hit.citation,
                     detail=hit.message_zh)


class Assessment:
    """What a policy's conditions say about every case with the same condition outcomes.

    ``live`` are the offers whose conditions hold (their time limits and documents are checked
    per case with ``OfferRule.tail``); ``na`` the ready-made results of the others; ``hits`` and
    ``notices`` the exclusions and notices whose conditions hold, ``hit_log`` their trace
    entries. ``na_best`` is, per remedy, the not-applicable result to show when no live offer of
    any policy speaks for that remedy: the first of the best by ``OfferRule.na_rank``.
    """

    __slots__ = ("live", "na", "hits", "notices", "hit_log", "na_best", "pending")

    def __init__(self, live: tuple, na: tuple, hits: tuple, notices: tuple, pending: tuple = ()) -> None:
        self.live = live
        #: offers whose only unmet condition is the fault's confirmation (``DETECTION``); their
        #: not-applicable results are in ``na`` too
        self.pending = pending
        self.na = na
        self.hits = hits
        self.notices = notices
        self.hit_log = tuple(exclusion_step(h) for h in hits)
        best: dict[str, OfferResult] = {}
        for result in na:
            current = best.get(result.rule.remedy)
            if current is None or result.rule.na_rank > current.rule.na_rank:
                best[result.rule.remedy] = result
        self.na_best = tuple(best.items())

    def __iter__(self):  # (live, na, hits, notices), as the tuple it once was
        return iter((self.live, self.na, self.hits, self.notices))


class Workflow(NamedTuple):
    """Counter-process settings a policy gives the case store."""

    follow_up_days: int = 10
    spare_phone_after_days: int = 7
    overdue_exchange_days: int = 30
    overdue_parts_days: int = 60
    simple_repair_working_days: tuple[int, int] = (3, 5)
    complex_repair_working_days: tuple[int, int] = (7, 10)
    citation: str = ""


class CompiledPolicy:
    """A policy ready to check cases: the data it came from plus compiled rules."""

    def __init__(self, data: Mapping[str, Any], *, sha256: str, source: str, plugin: str = "",
                 predicates: Collection[str] | None = None) -> None:
        """``predicates``: the names of the predicates the plugins offer; a condition on another
        name is refused. None: any name (a policy checked on its own, without plugins)."""
        self.data = data
        self.sha256 = sha256
        self.source = source
        self.plugin = plugin
        self.id: str = data["id"]
        self.kind: str = data["kind"]
        self.statutory = self.kind == "statutory"
        self.version: str = str(data["version"])
        self.title: Mapping[str, str] = data["title"]
        eff = data["effective"]
        self.effective_from = date.fromisoformat(eff["from"])
        self.effective_until = date.fromisoformat(eff["until"]) if eff.get("until") else None
        self.effective_by: str = eff.get("by", "purchase_date")
        applies = data["applies_to"]
        brands = applies["brands"]
        self.brands: frozenset[str] | None = None if brands == "any" else frozenset(brands)
        self.regions: frozenset[str] | None = frozenset(applies["regions"]) if "regions" in applies else None
        countries = applies.get("purchase_countries")
        self.countries: frozenset[str | None] | None = (
            None if countries is None else frozenset(None if c == "unknown" else c for c in countries)
        )
        cal = data.get("calendar", {})
        self.rollover_periods: bool = cal.get("rollover_periods", True)
        self.rollover_windows: bool = cal.get("rollover_windows", False)
        self.extend_by_repair_days: bool = cal.get("extend_by_repair_days", True)
        extra_rest = [date.fromisoformat(d) for d in cal.get("extra_rest_days", ())]
        extra_work = [date.fromisoformat(d) for d in cal.get("extra_working_days", ())]
        self.calendar = RestDayCalendar(extra_rest, extra_work) if (extra_rest or extra_work) else _default_calendar()
        self.periods: dict[str, tuple[int, int]] = {
            comp: (span.get("months", 0), span.get("days", 0)) for comp, span in data.get("periods", {}).items()
        }
        self.starts: Mapping[str, Mapping[str, Any]] = data.get("starts", {})
        #: the named predicates the policy's conditions use, in order of first use
        self.predicates_used: tuple[str, ...] = self._predicates_used(predicates)
        self.region_rules = tuple(self._region_rule(r, i) for i, r in enumerate(data.get("region_rules", ())))
        self.exclusions = tuple(self._exclusion(e) for e in data.get("exclusions", ()))
        self.expiry_hit = next((e.hit for e in self.exclusions if e.on_expiry), None)
        #: its trace entry, made once
        self.expiry_step = exclusion_step(self.expiry_hit) if self.expiry_hit is not None else None
        self._when_exclusions = tuple(e for e in self.exclusions if not e.on_expiry)
        self.notices = tuple(self._notice(n) for n in data.get("notices", ()))
        #: papers that prove the same thing: a document -> the documents that also give it
        self.equivalents: dict[str, tuple[str, ...]] = {
            item["document"]: tuple(item["given_by"]) for item in data.get("equivalent_documents", ())}
        self.offers = tuple(self._offer(o) for o in data.get("offers", ()))
        #: warnings the policy acknowledges (``acknowledgements``: id -> reason); each rule they
        #: name carries them in its trace entries
        self.acknowledgements: dict[str, str] = {
            a["id"]: str(a.get("reason", "")) for a in data.get("acknowledgements", ()) or () if isinstance(a, Mapping)}
        for offer in self.offers:
            noted = self.acknowledged(offer.id)
            if noted:
                offer.chosen_log = offer.chosen_log._replace(detail=f"{offer.remedy}; {noted}")
                offer.refused_log = offer.refused_log._replace(detail=f"{offer.remedy}; {noted}")
        self._verdict = self._verdict_function()
        self._verdicts: dict[tuple, Assessment] = {}
        ex = data.get("exchange")
        self.exchange: ExchangeRule | None = None
        if ex:
            lead = ex.get("lead_days")
            self.exchange = ExchangeRule(
                mode=ex["mode"], lead_days=(lead["min"], lead["max"]) if lead else None,
                warranty_after=ex["warranty_after"], plugin=plugin, policy=self.id, rule="exchange",
                citation=ex["citation"], acknowledged=self.acknowledged("exchange"),
            )
        refund = data.get("refund_instead")
        #: the refund a customer may take instead of an exchange that is due (``core.refund``)
        self.refund_instead: RefundRule | None = RefundRule.from_data(self.id, refund) if refund else None
        wf = data.get("workflow")
        self.workflow: Workflow | None = None
        if wf:  # what the policy leaves out keeps ``Workflow``'s default
            given: dict[str, Any] = {name: tuple(value) if isinstance(value, list) else value
                                     for name, value in wf.items() if name in Workflow._fields}
            self.workflow = Workflow(**given)

    def __repr__(self) -> str:
        return f"<CompiledPolicy {self.id} {self.version} from {self.source}>"

    def refs(self) -> dict[str, str]:
        """The editors' references (``ref``) of the policy's rules, by the rule name a decision's
        trace gives (an offer's, exclusion's or notice's id, ``exchange``, ``starts.<name>``,
        ``refund_instead``). Never part of a decision: traces and policy tools show them."""
        data = self.data
        out: dict[str, str] = {}
        for section in ("offers", "exclusions", "notices", "region_rules"):
            for item in data.get(section, ()) or ():
                if item.get("ref"):
                    out[item["id"]] = item["ref"]
        for name, start in (data.get("starts") or {}).items():
            if start.get("ref"):
                out[f"starts.{name}"] = start["ref"]
        for name in ("exchange", "refund_instead", "workflow"):
            if (data.get(name) or {}).get("ref"):
                out[name] = data[name]["ref"]
        return out

    # ----------------------------------------------------------------- building

    def _predicates_used(self, known: Collection[str] | None) -> tuple[str, ...]:
        used: dict[str, None] = {}
        for section in ("offers", "exclusions", "notices"):
            for index, item in enumerate(self.data.get(section, ()) or ()):
                for path in item.get("when") or {}:
                    if not path.startswith(PREDICATE_PREFIX):
                        continue
                    name = path[len(PREDICATE_PREFIX):]
                    if known is not None and name not in known:
                        offered = ", ".join(sorted(known)) or "none"
                        raise PolicyError(f"unknown predicate {name!r} (no loaded plugin offers it; offered: {offered})",
                                          field=f"{section}[{item.get('id', index)}].when.{path}",
                                          zh=f"未知的判断函数 {name!r}（已加载的插件都没有提供；现有：{offered}）")
                    used[name] = None
        return tuple(used)

    def _region_rule(self, spec: Mapping[str, Any], index: int = 0) -> RegionRule:
        pattern = compile_pattern(spec["pattern"], field=f"$.region_rules[{index}].pattern") \
            if spec.get("pattern") else None
        return RegionRule(id=spec["id"], field=spec.get("field"), pattern=pattern, mapping=dict(spec.get("map", {})),
                          default=spec.get("default"), citation=spec["citation"])

    def _exclusion(self, spec: Mapping[str, Any]) -> ExclusionRule:
        msg = spec["message"]
        hit = ExclusionHit(plugin=self.plugin, policy=self.id, id=spec["id"], statutory=self.statutory,
                           message_zh=msg["zh"], message_en=msg["en"], citation=spec["citation"])
        return ExclusionRule(id=spec["id"], hit=hit, on_expiry=bool(spec.get("on_expiry")))

    def _notice(self, spec: Mapping[str, Any]) -> NoticeRule:
        msg = spec["message"]
        notice = Notice(plugin=self.plugin, policy=self.id, id=spec["id"], message_zh=msg["zh"], message_en=msg["en"],
                        citation=spec["citation"])
        return NoticeRule(id=spec["id"], notice=notice)

    def acknowledged(self, rule: str) -> str:
        """The acknowledgements naming ``rule`` (ids ending in ``:rule``), as trace text."""
        return "; ".join(f"acknowledged {a}: {reason}" for a, reason in self.acknowledgements.items()
                         if a.rsplit(":", 1)[-1] == rule)

    def _offer(self, spec: Mapping[str, Any]) -> OfferRule:
        rid = spec["id"]
        name = f"{self.id}/{rid}"
        where = f"offers[{rid}]"
        src = _Source()
        when = spec.get("when") or {}
        for path, matcher in when.items():  # checked here; the conditions are read by ``_verdict``
            _test_expr(path, matcher, _Source())
        lines: list[str] = []

        start_name = spec.get("start")
        start_citation = None
        window = spec.get("window")
        period = spec.get("period")
        if (window or period) and not start_name:
            raise PolicyError("an offer with a window or period needs a `start`", field=f"{where}.start",
                              zh="有期限（window 或 period）的权益必须写 `start`（起算规则）")
        if start_name:
            if start_name not in self.starts:
                raise PolicyError(f"unknown start rule {start_name!r}; defined: {', '.join(self.starts) or 'none'}",
                                  field=f"{where}.start",
                                  zh=f"未知的起算规则 {start_name!r}；已定义：{'、'.join(self.starts) or '无'}")
            start_spec = self.starts[start_name]
            start_citation = start_spec.get("citation")
            lines += _start_lines(start_spec, src)
            lines.append(f"    if s is None: return {_result('no_start', detail=repr(start_name), start='None', end='None')}")
        else:
            lines.append("    s = None")
        lines.append("    e = None")
        lines.append("    gap = ()")
        if window:
            days = int(window["days"])
            from_day = int(window.get("from_day", 0))
            lines.append("    el = (c.case_date - s).days")
            if self.rollover_windows:
                lines += _period_lines("0", str(days), True)
                lines.append("    e = pe.end")
                lines.append(f"    gap = pe.unknown_years if pe.unknown_years and {src.const(_NO_DAYS)} < c.case_date - pe.unrolled <= {src.const(ROLLOVER_REACH)} else ()")
                lines.append(f"    if el < {from_day} or c.case_date > e:")
            else:
                lines.append(f"    e = s + {src.const(timedelta(days=days))}")
                lines.append(f"    if el < {from_day} or el > {days}:")
            lines.append(f"        return {_result('outside_window', gaps='gap')}")
        if period:
            # days in repair push the end later (``span_end`` adds them to the period's days)
            extra_days = " + c.history.days_in_repair" if self.extend_by_repair_days else ""
            if period == "warranty":
                lines.append("    span = PERIODS.get(c.fault.component)")
                missing_span = _result("not_applicable", detail="'periods.' + c.fault.component", end="None")
                lines.append(f"    if span is None: return {missing_span}")
                lines += _period_lines("span[0]", f"span[1]{extra_days}", self.rollover_periods)
            else:
                months, span_days = int(period.get("months", 0)), int(period.get("days", 0))
                lines += _period_lines(str(months), f"{span_days}{extra_days}", self.rollover_periods)
            lines.append("    e = pe.end")
            lines.append(f"    gap = pe.unknown_years if pe.unknown_years and {src.const(_NO_DAYS)} < c.case_date - pe.unrolled <= {src.const(ROLLOVER_REACH)} else ()")
            lines.append(f"    if c.case_date > e: return {_result('expired', gaps='gap')}")

        groups = _documents(spec.get("documents"))
        asks = tuple(spec.get("asks", ()))
        if groups or asks:
            lines.append("    d = c.documents")
        # a paper is given by itself or by one the policy's table says proves the same
        same = self.equivalents

        def given(docs: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(dict.fromkeys(d for doc in docs for d in (doc, *same.get(doc, ()))))

        # documents: one membership test per paper, no loops (this runs for every case)
        for index, group in enumerate(groups):
            test = " and ".join(f"{doc!r} not in d" for doc in given(group))
            lines.append(f"    m{index} = ({group[0]!r},) if {test} else ()")
        if asks:
            parts = " + ".join(f"(({doc!r},) if {' and '.join(f'{d!r} not in d' for d in given((doc,)))} else ())"
                               for doc in asks)
            lines.append(f"    a = {parts}")
        else:
            lines.append("    a = ()")
        if groups:
            lines.append("    m = " + " + ".join(f"m{i}" for i in range(len(groups))))
            lines.append(f"    if m: return {_result('blocked_documents', missing='m', asks_missing='a', gaps='gap')}")
        lines.append(f"    return {_result('granted', asks_missing='a', gaps='gap')}")
        lines = ["def _fn(c):"] + lines

        fee = spec.get("fee")
        note = spec.get("note")
        extra = {"_R": OfferResult, "_period": span_end, "CAL": self.calendar, "SPANS0": self.calendar.spans[0],
                 "SPANS1": self.calendar.spans[1], "PERIODS": self.periods}
        tail = _compile(name + "#tail", lines, src, extra)
        rule = OfferRule(
            policy=self,
            id=rid,
            remedy=spec["remedy"],
            basis=spec["basis"],
            citation=spec["citation"],
            documents=groups,
            asks=asks,
            service_location=spec.get("service_location", "any_authorized"),
            covers=frozenset(spec.get("covers", ())),
            fee=(float(fee["amount"]), fee.get("currency", "CNY")) if fee else None,
            needs_confirmation=spec.get("needs_confirmation"),
            note=(note["zh"], note["en"]) if note else None,
            start_name=start_name,
            start_citation=start_citation,
            specificity=len(when),
            tail=tail,
            static_rank=(
                0 if spec.get("needs_confirmation") else 1,
                -(float(fee["amount"]) if fee else 1e9) if spec["remedy"] == "paid_repair" else 0,
                _BASIS_RANK.get(spec["basis"], 0),
            ),
        )
        # results that need nothing from the case are built once
        na = tuple(OfferResult(rule=rule, status="not_applicable", detail=path, start=None, end=None, missing=(),
                               asks_missing=(), unknown_years=()) for path in when)
        tail.__globals__["RULE"] = rule
        rule.na_results = na
        rule.detection_at = next((i for i, item in enumerate(when.items()) if item == DETECTION), -1)
        if not (start_name or window or period or groups or asks):  # the tail above reads nothing of the case
            rule.fixed = OfferResult(rule=rule, status="granted", detail=None, start=None, end=None, missing=(),
                                     asks_missing=(), unknown_years=())
        return rule

    # ----------------------------------------------------------------- per case

    def in_force(self, case: Any) -> bool:
        day = case.purchase.date if self.effective_by == "purchase_date" and case.purchase.date else case.case_date
        if day < self.effective_from:
            return False
        return self.effective_until is None or day <= self.effective_until

    def speaks_to_brand(self, brand: str) -> bool:
        return self.brands is None or brand in self.brands

    def applies(self, case: Any, region: str) -> bool:
        if self.brands is not None and case.brand not in self.brands:
            return False
        if self.regions is not None and region not in self.regions:
            return False
        if self.countries is not None and case.purchase.country not in self.countries:
            return False
        return True

    def identify(self, case: Any, plugin: str) -> Identity | None:
        for rule in self.region_rules:
            region = rule.identify(case)
            if region is not None:
                return Identity(region=region, plugin=plugin, policy=self.id, rule=rule.id, citation=rule.citation)
        return None

    def _verdict_function(self) -> Callable:
        """``fn(case, region, predicates)``: what the conditions say, as a tuple: per offer the
        index of its first condition that fails (-1: all hold), then per exclusion and per notice
        whether its conditions all hold (see ``verdicts_function``, which writes it)."""
        return verdicts_function((self,))

    def _conditions(self) -> list[tuple[str, list[tuple[str, Any]]]]:
        """Every condition list the verdict reads, in the verdict's order: ``("o", when)`` per
        offer, ``("e", when)`` per exclusion read by its conditions, ``("n", when)`` per notice."""
        out: list[tuple[str, list[tuple[str, Any]]]] = [
            ("o", list((spec.get("when") or {}).items())) for spec in self.data.get("offers", ()) or ()]
        out += [("e", list((item.get("when") or {}).items()))
                for item in self.data.get("exclusions", ()) or () if not item.get("on_expiry")]
        out += [("n", list((item.get("when") or {}).items())) for item in self.data.get("notices", ()) or ()]
        return out

    def assess(self, case: Any, region: str, predicates: Mapping[str, bool] = _NO_PREDICATES) -> Assessment:
        """What the conditions say about this case (``_verdict``); cases with the same verdict
        share one ``Assessment``. ``predicates``: the value of each predicate the policy uses."""
        return self.assessment(self._verdict(case, region, predicates))

    def assessment(self, verdict: tuple) -> Assessment:
        """The ``Assessment`` of a verdict (``_verdict``), one per distinct verdict."""
        found = self._verdicts.get(verdict)
        if found is None:
            found = remember(self._verdicts, verdict, self._assessment(verdict), ASSESSMENT_CACHE_SIZE)
        return found

    def _assessment(self, verdict: tuple) -> Assessment:
        offers = len(self.offers)
        exclusions = len(self._when_exclusions)
        live, na, pending = [], [], []
        for offer, failed in zip(self.offers, verdict[:offers], strict=True):
            if failed == -1:
                live.append(offer)
            elif failed == PENDING:
                na.append(offer.na_results[offer.detection_at])
                pending.append(offer)
            else:
                na.append(offer.na_results[failed])
        hits = [e.hit for e, holds in zip(self._when_exclusions, verdict[offers:offers + exclusions], strict=True) if holds]
        notices = [n.notice for n, holds in zip(self.notices, verdict[offers + exclusions:], strict=True) if holds]
        return Assessment(tuple(live), tuple(na), tuple(hits), tuple(notices), tuple(pending))




def _default_calendar() -> RestDayCalendar:
    from .dates import DEFAULT_CALENDAR

    return DEFAULT_CALENDAR
