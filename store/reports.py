"""The manager's view of the day as people read it: text with bars for a terminal, an HTML page
with SVG charts (``aftersales report --html``, the UI's print key). Input: ``CaseStore.report()``.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from .localday import shown_moment
from .privacy import mask_name

SECTIONS = (
    ("follow_ups_today", "今日回访", "follow-up calls due"),
    ("overdue_answers", "超时未答复/未给方案", "answers and solutions overdue"),
    ("overdue_repairs", "维修超期", "repairs overdue"),
    ("spare_phones", "应提供备用机（送修超过7天）", "spare phones owed (in repair over 7 days)"),
    ("exchanges_waiting", "待换货（等货）", "exchanges waiting for stock"),
)


def bar_chart(rows: list[dict], width: int = 30) -> list[str]:
    """The week's intake as text bars, one line a day."""
    top = max((r["count"] for r in rows), default=0) or 1
    return [f"  {r['date'][5:]} {'█' * round(r['count'] * width / top):<{width}} {r['count']}" for r in rows]


def render_text(report: dict, brand_label: Callable[[str], str] | None = None, lang: str = "zh") -> str:
    """The report as terminal text in ``lang``; ``brand_label`` names a brand as people read it
    (华为), its id otherwise."""
    from aftersales.store.outcomes import outcome_label

    from .workflow import state_label

    name = brand_label or str
    zh = lang == "zh"
    sep, none = ("：", "无") if zh else (": ", "none")
    lines = [("店长日报 " if zh else "Manager's report ") + report["date"]
             + (f"  {report['store']}" if report.get("store") else "")
             + (f"  （截至 {report['at'][11:16]}）" if zh else f"  (as of {report['at'][11:16]})")]
    for key, label_zh, label_en in SECTIONS:
        items = report[key]
        lines.append(f"{label_zh if zh else label_en}{sep}{len(items)}")
        for c in items:
            why = c["why"] if zh else c["why_en"]
            lines.append(f"  {c['number']}  {state_label(c['state'], lang)}  {name(c['brand'])} {c['model']}  "
                         f"{mask_name(c['customer'])}" + (f"  {why}" if why else ""))
    lines.append(("按状态" if zh else "by state") + sep
                 + ("  ".join(f"{state_label(s['state'], lang)} {s['count']}" for s in report["by_state"]) or none))
    lines.append(("在办按品牌" if zh else "open by brand") + sep
                 + ("  ".join(f"{name(b['brand'])} {b['count']}" for b in report["by_brand_open"]) or none))
    if report["outcomes"]:
        lines.append(("处理结果" if zh else "outcomes") + sep
                     + "  ".join(f"{outcome_label(k, lang)} {v}" for k, v in report["outcomes"].items()))
    lines.append("近7日受理：" if zh else "intake, last 7 days:")
    lines.extend(bar_chart(report["week_intake"]))
    return "\n".join(lines)


def _svg_bars(rows: list[dict], label_key: str, width: int = 560, height: int = 180) -> str:
    top = max((r["count"] for r in rows), default=0) or 1
    n = max(len(rows), 1)
    slot = width / n
    bar = slot * 0.6
    parts = [f'<svg viewBox="0 0 {width} {height + 40}" width="{width}" height="{height + 40}" role="img">']
    for i, r in enumerate(rows):
        h = r["count"] * height / top
        x = i * slot + (slot - bar) / 2
        parts.append(f'<rect x="{x:.1f}" y="{height - h + 10:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="#3b6ea5">'
                     f'<title>{html.escape(str(r[label_key]))}：{r["count"]}</title></rect>')   # a Chinese page
        parts.append(f'<text x="{x + bar / 2:.1f}" y="{height - h + 5:.1f}" text-anchor="middle" '
                     f'font-size="12">{r["count"]}</text>')
        parts.append(f'<text x="{x + bar / 2:.1f}" y="{height + 28}" text-anchor="middle" font-size="12">'
                     f'{html.escape(str(r[label_key]))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def render_html(report: dict, brand_label: Callable[[str], str] | None = None) -> str:
    """The report as an HTML page with SVG charts; ``brand_label`` as for ``render_text``."""
    esc = html.escape
    name = brand_label or str
    body = [f"<h1>店长日报 {esc(report['date'])}" + (f" · {esc(report['store'])}" if report.get("store") else "")
            + "</h1>", f"<p class=\"at\">截至 {esc(shown_moment(report['at']))}</p>"]
    for key, zh, _en in SECTIONS:
        items = report[key]
        body.append(f"<h2>{esc(zh)} <span class=\"n\">{len(items)}</span></h2>")
        if not items:
            body.append("<p class=\"none\">无</p>")
            continue
        body.append("<table><tr><th>单号</th><th>状态</th><th>设备</th><th>客户</th><th>说明</th></tr>")
        for c in items:
            body.append(f"<tr><td>{esc(c['number'])}</td><td>{esc(c['state_zh'])}</td>"
                        f"<td>{esc(name(c['brand']))} {esc(c['model'])}</td><td>{esc(mask_name(c['customer']))}</td>"
                        f"<td>{esc(c['why'])}</td></tr>")
        body.append("</table>")
    body.append("<h2>近7日受理</h2>")
    body.append(_svg_bars([{**r, "day": r["date"][5:]} for r in report["week_intake"]], "day"))
    body.append("<h2>按状态</h2>")
    body.append(_svg_bars([{**s, "label": s["state_zh"]} for s in report["by_state"]], "label")
                if report["by_state"] else "<p class=\"none\">无</p>")
    body.append("<h2>在办案例按品牌</h2>")
    body.append(_svg_bars([{**b, "label": name(b["brand"])} for b in report["by_brand_open"]], "label")
                if report["by_brand_open"] else "<p class=\"none\">无</p>")
    style = ("body{font-family:\"Noto Sans CJK SC\",\"PingFang SC\",\"Microsoft YaHei\",sans-serif;margin:1.5cm;}"
             "table{border-collapse:collapse;width:100%;margin-bottom:1em}th,td{border:1px solid #999;"
             "padding:.2em .5em;text-align:left}th{background:#eee}.n{color:#a33}.none{color:#666}")
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>店长日报 {esc(report['date'])}</title>\n<style>{style}</style>\n</head>\n<body>\n"
            + "\n".join(body) + "\n</body>\n</html>\n")
