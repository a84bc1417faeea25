"""``aftersales report``: a store manager's view of the day; ``aftersales stores``: a service
point's name, address, hotline, working hours and ticket printer.

    aftersales report [--store SZ01] [--json | --html [-o FILE]]
    aftersales stores set SZ01 --name 华强北旗舰店 --address … --hotline 0755-83001234 --opens 09:00 --closes 18:00
    aftersales stores show SZ01 [--json]

The report lists the follow-up calls due today, overdue repairs and answers (the 24 h answer and
48 h solution of the service levels), spare phones owed (repairs past 7 days), exchanges waiting
for stock, open cases by state and by brand, outcomes, and the week's intake as a chart (text
bars in the terminal, an SVG chart in the HTML page).
"""

from __future__ import annotations

import click

from aftersales.cli._common import json_text, message_lang, output_file
from aftersales.cli.cases import (
    DB_OPTION,
    JSON_OPTION,
    OUTPUT_OPTION,
    _brand_labeler,
    _echo,
    _open,
    _staff_option,
    echo_json,
)
from aftersales.store.localday import counter_now
from aftersales.store.reports import render_html, render_text


@click.command("report")
@click.option("--store", "store_code", envvar="AFTERSALES_STORE", metavar="CODE",
              help="只看此网点（也可用环境变量 AFTERSALES_STORE） / only this service point (env AFTERSALES_STORE).")
@click.option("--all-stores", is_flag=True, help="全部网点 / every service point.")
@click.option("--html", "as_html", is_flag=True, help="HTML 页面（含图表）/ an HTML page with charts.")
@OUTPUT_OPTION
@DB_OPTION
@JSON_OPTION
def report(store_code, all_stores, as_html, output, db_url, as_json) -> None:
    """店长日报 / The manager's view of the day."""
    from aftersales.store.privacy import escape_controls

    with output_file(output, private=True) as out:
        with _open(db_url) as store:
            data = store.report(now=counter_now(), store=None if all_stores else store_code)
        if as_json:
            text = json_text(data, indent=2) + "\n"
        else:
            # the page is Chinese; the terminal's text names brands in the messages' language
            lang = message_lang()
            labels = _brand_labeler(lang="zh" if as_html else lang)
            text = render_html(data, labels) if as_html else render_text(data, labels, lang) + "\n"
        out.write(escape_controls(text))
    if output and output != "-":
        _echo(output)


@click.group("stores")
def stores() -> None:
    """服务网点信息 / A service point's name, address, hotline and hours."""


@stores.command("show")
@click.argument("code", envvar="AFTERSALES_STORE")
@DB_OPTION
@JSON_OPTION
def show(code, db_url, as_json) -> None:
    """显示网点信息 / Show a service point's details."""
    with _open(db_url) as store:
        info = store.store_info(code)
    if as_json:
        echo_json(info.to_dict())
        return
    from aftersales.store.contact import shown_phone

    hotline = shown_phone(info.hotline) or "-"
    if message_lang() == "zh":
        _echo(f"{info.code}  {info.name or '（未设置名称）'}")
        _echo(f"地址：{info.address or '-'}  服务热线：{hotline}  营业时间：{info.opens}-{info.closes}"
              f"  打印机：{info.printer or '（浏览器打印）'}")
    else:
        _echo(f"{info.code}  {info.name or '(no name set)'}")
        _echo(f"address: {info.address or '-'}  hotline: {hotline}  hours: {info.opens}-{info.closes}"
              f"  printer: {info.printer or '(printed from the browser)'}")


@stores.command("set")
@click.argument("code")
@click.option("--name", help="网点名称 / the shop's name.")
@click.option("--address", help="地址 / address.")
@click.option("--hotline", help="服务热线 / hotline.")
@click.option("--opens", metavar="HH:MM", help="营业开始 / opening time (default 09:00).")
@click.option("--closes", metavar="HH:MM", help="营业结束 / closing time (default 18:00).")
@click.option("--printer", help="受理单打印机（lp -d 的名称）/ the ticket printer (an lp destination).")
@_staff_option()
@DB_OPTION
@JSON_OPTION
def set_(code, name, address, hotline, opens, closes, printer, staff, db_url, as_json) -> None:
    """设置网点信息 / Set a service point's details (what is not given stays)."""
    from aftersales.cli.staff import signed_in

    with _open(db_url) as store:
        info = store.set_store_info(code, actor=signed_in(store, staff), now=counter_now(), name=name, address=address,
                                    hotline=hotline, opens=opens, closes=closes, printer=printer)
    if as_json:
        echo_json(info.to_dict())
        return
    saved = "：已保存" if message_lang() == "zh" else ": saved"
    _echo("  ".join(part for part in (f"{info.code}{saved}", info.name, f"{info.opens}-{info.closes}") if part))


set_.name = "set"
