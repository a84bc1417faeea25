"""The manager's view of the day (店长日报), Ctrl+R: follow-up calls due today, overdue answers and
repairs, spare phones owed, exchanges waiting for stock, open cases by state and brand, and the
week's intake as a chart (Textual's ``Sparkline``, labelled with what it shows, and text bars).
``r`` reads the store again,
``h`` prints the same page as ``aftersales report --html`` (the printer, else the browser).
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Sparkline, Static

from ..app import key, modes_out_of_footer
from ..i18n import colon, error_line, t
from ..widgets.footer import KeysFooter
from ..widgets.titlebar import TitleBar
from .base import CounterScreen


class ReportRead(Message):
    def __init__(self, report: dict[str, Any] | None, error: str | None = None) -> None:
        super().__init__()
        self.report = report
        self.error = error


def report_text(report: dict[str, Any], lang: str, brand_label: Any = str) -> Text:
    """The report as ``aftersales report`` prints it (``reports.render_text``: one wording, the
    day and the time in its first line, names masked), its headings bold, a heading with cases
    to act on red."""
    from aftersales.store.reports import SECTIONS, render_text

    zh = lang == "zh"
    headings = {(label_zh if zh else label_en): key_ for key_, label_zh, label_en in SECTIONS}
    out = Text()
    for index, line in enumerate(render_text(report, brand_label, lang).split("\n")):
        style = ""
        if index == 0 or not line.startswith(" "):
            key_ = headings.get(line.split(colon(lang), 1)[0])
            style = "bold red" if key_ and report[key_] and key_ != "follow_ups_today" else "bold"
        out.append(line + "\n", style)
    return out


class ReportScreen(CounterScreen):
    DEFAULT_CSS = """
    ReportScreen #report-week { height: 3; margin: 0 1; }
    ReportScreen #report-spark-label { width: auto; margin-right: 2; color: $text-muted; }
    ReportScreen #report-spark { width: 1fr; height: 3; }
    ReportScreen #report-body { padding: 0 1; }
    """
    BINDINGS = [
        key("escape", "back", "back"), key("r", "refresh", "refresh"), key("h", "print_report", "print_html"),
        *modes_out_of_footer(),         # (at 80 columns they pushed F4 out of the footer)
    ]

    #: F1 closes it when it was opened over the intake (``AftersalesApp.action_to_intake``)
    closes_for_a_mode = True

    def __init__(self) -> None:
        super().__init__(id="report")
        self.report: dict[str, Any] | None = None

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Horizontal(id="report-week"):
            yield Static(t("report.spark", self.app.lang), id="report-spark-label")
            yield Sparkline([], id="report-spark")
        with VerticalScroll():
            yield Static("…", id="report-body")
        yield KeysFooter()

    def on_mount(self) -> None:
        self._show()
        self.action_refresh()

    def action_refresh(self) -> None:
        store = self.app.store
        if store is None:
            self.query_one("#report-body", Static).update(self.app.store_error or "—")
            return
        self.read(store)

    @work(thread=True, exclusive=True, group="report")
    def read(self, store: Any) -> None:
        try:
            report = store.report(now=self.app.now(), store=self.app.store_code)
        except Exception as exc:  # noqa: BLE001 - one line on the screen
            self.post_message(ReportRead(None, error_line(exc, self.app.lang)))
            return
        self.post_message(ReportRead(report))

    def on_report_read(self, message: ReportRead) -> None:
        body = self.query_one("#report-body", Static)
        if message.report is None:
            body.update(Text(message.error or "", style="bold red"))
            return
        self.report = message.report
        self.query_one("#report-spark", Sparkline).data = [d["count"] for d in self.report["week_intake"]]
        self._show()

    def relabel(self) -> None:
        super().relabel()
        self._show()

    def _show(self) -> None:
        """The title, the report in the UI's language and the label of its chart: what it shows,
        the days (the first and the last) and its top."""
        lang = self.app.lang
        self.sub_title = "店长日报" if lang == "zh" else "Manager's report"
        label = [t("report.spark", lang)]
        if self.report is not None:
            self.query_one("#report-body", Static).update(self._text(self.report))
            week = self.report["week_intake"]
            if week:
                label += [t("report.spark_days", lang, start=week[0]["date"][5:], end=week[-1]["date"][5:]),
                          t("report.spark_top", lang, n=max(d["count"] for d in week))]
        self.query_one("#report-spark-label", Static).update("\n".join(label))

    def _text(self, report: dict[str, Any]) -> Text:
        from .detail import brand_name

        lang = self.app.lang
        return report_text(report, lang, lambda brand: brand_name(self.app, brand, lang))

    def registry_changed(self) -> None:
        pass

    def action_print_report(self) -> None:
        store = self.app.store
        if self.report is None or store is None:
            return
        from aftersales.store.printing import print_page
        from aftersales.store.reports import render_html

        from .detail import brand_name

        page = render_html(self.report, lambda brand: brand_name(self.app, brand, "zh"))   # a Chinese page
        try:
            printed = print_page(f"report-{self.report['date']}.html", page, store.store_info(self.app.store_code).printer,
                                 folder=store.tickets_folder)
        except OSError as exc:
            self.app.notify(error_line(exc, self.app.lang), severity="error")
            return
        self.app.notify(_printed_message(printed, self.app.lang))

    def action_back(self) -> None:
        self.app.pop_screen()


def _printed_message(printed: Any, lang: str) -> str:
    zh = lang == "zh"
    if printed.how == "printer":
        return ("已发送到打印机 " if zh else "Sent to the printer ") + printed.detail
    if printed.how == "browser":
        return ("已在浏览器打开，请用浏览器打印：" if zh else "Opened in the browser to print: ") + str(printed.path)
    reason = {"no graphical session": ("无图形界面，未打开浏览器", "no graphical session"),
              "no browser": ("未找到浏览器", "no browser")}.get(printed.detail, (printed.detail, printed.detail))
    return (f"已保存（{reason[0]}）：" if zh else f"Saved ({reason[1]}): ") + str(printed.path)
