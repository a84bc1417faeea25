"""``aftersales tui``: the counter terminal UI (also what ``aftersales`` alone opens)."""

from __future__ import annotations

from functools import partial

import click

from .start import from_environment, open_ui


@click.command("tui")
@click.option("--db", "db_url", default=partial(from_environment, "db_url"), metavar="URL",
              help="数据库地址（sqlite:///文件 或 postgresql+psycopg://...；也可用环境变量 AFTERSALES_DB；不给时用用户数据目录中的 SQLite 文件，首次使用时创建） / database URL (sqlite:///FILE or postgresql+psycopg://...); env AFTERSALES_DB. "
                   "Default: a SQLite file in the user data directory, created on first use.")
@click.option("--store", "store_code", default=partial(from_environment, "store_code"), metavar="CODE",
              help="服务网点代码，用于新案例编号（也可用环境变量 AFTERSALES_STORE；默认 MAIN） / service point code for new case numbers (env AFTERSALES_STORE; default MAIN).")
@click.option("--staff", default=partial(from_environment, "staff"), metavar="NAME",
              help="经办人（也可用环境变量 AFTERSALES_STAFF；不给时取登录名） / who is at the counter (env AFTERSALES_STAFF; default: login name).")
def tui(db_url: str | None, store_code: str | None, staff: str | None) -> None:
    """打开柜台终端界面 / Open the counter terminal UI.

    F1 受理 intake · F2 案例队列 queue · F3 政策 policies · F4 中文/English · Ctrl+P commands · Ctrl+Q quit.
    """
    from . import message_lang

    open_ui(db_url=db_url, lang=message_lang(), store_code=store_code, staff=staff)
