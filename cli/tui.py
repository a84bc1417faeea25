"""``aftersales tui``: the counter terminal UI (also what ``aftersales`` alone opens)."""

from __future__ import annotations

import click


@click.command("tui")
@click.option("--db", "db_url", envvar="AFTERSALES_DB", metavar="URL",
              help="数据库 / database URL (sqlite:///FILE or postgresql+psycopg://...); env AFTERSALES_DB. "
                   "Default: a SQLite file in the user data directory, created on first use.")
@click.option("--lang", type=click.Choice(["zh", "en"]), envvar="AFTERSALES_LANG", default="zh", show_default=True,
              help="界面语言 / UI language (F4 switches while running).")
@click.option("--store", "store_code", envvar="AFTERSALES_STORE", metavar="CODE",
              help="服务网点代码 / service point code for new case numbers (env AFTERSALES_STORE; default MAIN).")
@click.option("--staff", envvar="AFTERSALES_STAFF", metavar="NAME",
              help="经办人 / who is at the counter (env AFTERSALES_STAFF; default: login name).")
def tui(db_url: str | None, lang: str, store_code: str | None, staff: str | None) -> None:
    """打开柜台终端界面 / Open the counter terminal UI.

    F1 受理 intake · F2 案例队列 queue · F3 政策 policies · F4 中文/English · Ctrl+P commands · Ctrl+Q quit.
    """
    import gc

    # Starting the UI allocates a great deal (importing Textual, building and styling the first
    # screen) and next to none of it is garbage: the cyclic collector's passes would only delay
    # the first screen. The app turns the collector back on once that screen is shown.
    gc.disable()
    try:
        from aftersales.tui.app import make_app

        make_app(lang=lang, db_url=db_url, store_code=store_code, staff=staff).run()
    finally:
        gc.enable()
