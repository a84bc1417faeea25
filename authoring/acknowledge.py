"""Acknowledged warnings: a policy says, by the warning's id and with a reason, that it knows.

A warning (a floor check, a rule shadowed by the statute...) has an id, shown in brackets by
``policy validate`` (``floor:exchange:exchange``). The policy acknowledges it::

    acknowledgements:
      - id: floor:exchange:exchange
        reason: Apple 公布的条款如此；法定的"重新计算"由引擎按底线执行（第二十一条）

An acknowledged warning no longer fails ``--strict`` and ``policy validate`` counts it in one line
(``--show-acknowledged`` lists it, with its reason); a new warning, not acknowledged, prints in
full and still fails ``--strict``. An acknowledgement that matches no warning any more is
itself a warning (``ack_unused``), so the list does not outlive what it speaks of. The compiled
policy keeps its acknowledgements, and the decision's trace names them beside the rule.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from aftersales.core.errors import nearest

from .policyload import PolicyIssue, locate

ACKNOWLEDGED = "acknowledged"


def acknowledgements(data: Mapping[str, Any]) -> dict[str, str]:
    """``{warning id: reason}`` of a policy."""
    out: dict[str, str] = {}
    for item in data.get("acknowledgements") or ():
        if isinstance(item, Mapping) and isinstance(item.get("id"), str):
            reason = item.get("reason")
            if isinstance(reason, Mapping):
                reason = reason.get("zh") or reason.get("en")
            out[item["id"]] = str(reason or "")
    return out


def apply_acknowledgements(issues: Iterable[PolicyIssue], policies: Iterable[tuple[Mapping[str, Any], Any, str]],
                           *, report_unused: bool = True) -> list[PolicyIssue]:
    """``issues`` with each warning its policy acknowledges marked ``acknowledged`` (the reason
    added), and (``report_unused``: when ``issues`` are every check's) a warning for each
    acknowledgement that matches nothing. ``policies`` are (data, node, file name) of the valid
    policies."""
    by_file = {name: (data, node) for data, node, name in policies}
    used: set[tuple[str, str]] = set()
    out: list[PolicyIssue] = []
    for issue in issues:
        data = by_file.get(issue.file, ({}, None))[0]
        acks = acknowledgements(data)
        if issue.severity == "warning" and issue.ack_id in acks:
            reason = acks[issue.ack_id]
            used.add((issue.file, issue.ack_id))
            issue = dataclasses.replace(
                issue, severity=ACKNOWLEDGED, message=f"{issue.message} (acknowledged: {reason})",
                zh=f"{issue.zh or issue.message}（已确认：{reason}）",
                detail=(*issue.detail, ("acknowledged", reason)))
        out.append(issue)
    for name, (data, node) in by_file.items() if report_unused else ():
        # the warnings of this file no acknowledgement speaks of: a typo'd id names one of them
        open_ids = sorted({i.ack_id for i in out if i.file == name and i.severity == "warning"})
        for index, (ack_id, _reason) in enumerate(acknowledgements(data).items()):
            if (name, ack_id) in used:
                continue
            line, col = locate(node, ["acknowledgements", index, "id"])
            close = nearest(ack_id, open_ids, 1)
            if close:
                message = (f"acknowledges {ack_id!r}, but no such warning is given; did you mean {close[0]!r} "
                           f"(a warning this file has)?")
                zh = f"确认了 {ack_id!r}，但没有这条警告；您是否想写 {close[0]!r}（本文件的一条警告）？"
            else:
                message = f"acknowledges {ack_id!r}, but no such warning is given any more: remove the acknowledgement"
                zh = f"确认了 {ack_id!r}，但已经没有这条警告：请删掉这条确认"
            out.append(PolicyIssue(
                name, line, col, f"$.acknowledgements[{index}].id", message,
                severity="warning", code="ack_unused", detail=(("ack", f"ack_unused:{ack_id}"),), zh=zh))
    return out
