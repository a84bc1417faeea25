"""``aftersales db``: the case store's schema (Alembic migrations shipped in the package).

``aftersales db upgrade`` creates or migrates the database named by ``--db`` /
``AFTERSALES_DB`` (default: the SQLite file in the user data directory). Run it once for a new
PostgreSQL database and after installing a version with a new migration; the default SQLite
file is migrated automatically on first use.
"""

from __future__ import annotations

import click

from aftersales.cli._common import echo_json, message_lang, warn

DB_OPTION = click.option("--db", "db_url", envvar="AFTERSALES_DB", metavar="URL",
                         help="数据库地址（sqlite:///文件 或 postgresql+psycopg://...；也可用环境变量 AFTERSALES_DB） / database URL (sqlite:///FILE or postgresql+psycopg://...); env AFTERSALES_DB.")


@click.group("db")
def db() -> None:
    """数据库迁移 / The case store's database schema."""


@db.command("upgrade")
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="输出 JSON / print JSON.")
def upgrade(db_url, as_json) -> None:
    """创建或升级数据库结构 / Create or migrate the database to this program's schema."""
    from aftersales.store import db as store_db

    url, _ = store_db.resolve_url(db_url)
    engine = store_db.make_engine(url)
    try:
        store_db.ensure_sqlite_folder(engine)
        path = store_db.sqlite_path(engine.url) if engine.dialect.name == "sqlite" else None
        if path is not None:
            store_db.create_private_file(path)  # mode 0600: it will hold customers' data
        for line in store_db.permission_warnings(engine):
            warn(line)
        before, after = store_db.upgrade(engine)
    finally:
        engine.dispose()
    where = store_db.display_url(url)
    if as_json:
        echo_json({"database": where, "before": before, "after": after, "head": store_db.head_revision()})
        return
    zh = message_lang(None) == "zh"
    if before == after:
        click.echo(f"{where}：数据库结构已是最新（{after}）" if zh else f"{where}: already at revision {after}")
    elif before is None:   # a new (empty) database
        click.echo(f"{where}：已建立数据库结构，为最新版本（{after}）" if zh
                   else f"{where}: schema created, at the latest revision ({after})")
    else:
        click.echo(f"{where}：数据库结构已从 {before} 升级到最新版本（{after}）" if zh
                   else f"{where}: upgraded from {before} to the latest revision ({after})")


@db.command("current")
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="输出 JSON / print JSON.")
def current(db_url, as_json) -> None:
    """数据库结构版本 / Show the database's schema revision and this program's.

    退出码：0 已是最新；5 需要运行 aftersales db upgrade（空库或旧版本），或数据库比本程序新
    （请升级 aftersales）。

    Exit 0 when up to date; 5 when it needs "aftersales db upgrade" (empty or older), or when it
    is newer than this program (upgrade aftersales): a monitoring script can tell.
    """
    from aftersales.store import db as store_db

    url, _ = store_db.resolve_url(db_url)
    engine = store_db.make_engine(url)
    path = store_db.sqlite_path(engine.url) if engine.dialect.name == "sqlite" else None
    if path is not None and not path.exists():
        raise store_db.missing_file(path, engine.url)
    try:
        rev = store_db.current_revision(engine)
    finally:
        engine.dispose()
    head = store_db.head_revision()
    where = store_db.display_url(url)
    newer = store_db.newer_schema(engine, rev)
    if as_json:
        echo_json({"database": where, "revision": rev, "head": head, "up_to_date": rev == head,
                   "newer": newer is not None})
    elif message_lang(None) == "zh":
        status = "已是最新" if rev == head else ("空库：请运行 `aftersales db upgrade`" if rev is None else
                                              "比本程序所知的更新：请升级 aftersales 程序" if newer is not None
                                              else "需要运行 `aftersales db upgrade`")
        click.echo(f"{where}：数据库结构 {rev or '（无）'}，本程序 {head} — {status}")
    else:
        status = "up to date" if rev == head else ("empty: run `aftersales db upgrade`" if rev is None else
                                                   "newer than this program: upgrade aftersales" if newer is not None
                                                   else "needs `aftersales db upgrade`")
        click.echo(f"{where}: revision {rev or '(none)'}, program {head} — {status}")
    if rev != head:
        raise click.exceptions.Exit(5)


@db.command("roles")
@DB_OPTION
@click.option("--prefix", default="aftersales", show_default=True,
              help="角色名前缀（PREFIX_owner、PREFIX_manager、PREFIX_store_网点代码） / role name prefix (PREFIX_owner, PREFIX_manager, PREFIX_store_CODE).")
@click.option("--store", "stores", multiple=True, metavar="CODE",
              help="门店代码，可重复 / a store that gets its own role (repeat).")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON / print JSON.")
def roles(db_url, prefix, stores, as_json) -> None:
    """创建门店、经理、所有者数据库角色 / Create the store, manager and owner roles (PostgreSQL).

    每个门店的角色只能查看和修改本店的案例（行级安全）；经理可查看、修改所有门店的案例并导出；
    只有所有者能迁移数据库。新增门店时再运行一次；柜台随后用
    aftersales db login 创建的登录账号连接。

    Each store's role sees and changes only that store's cases (row-level security); the manager
    reads and changes every store's and exports; the owner alone migrates. Run again to add a
    store; counters then connect as a login made with "aftersales db login".
    """
    from aftersales.store import db as store_db
    from aftersales.store import roles as store_roles

    url, _ = store_db.resolve_url(db_url)
    engine = store_db.make_engine(url)
    try:
        done = store_roles.create_roles(engine, prefix, stores)
    finally:
        engine.dispose()
    if as_json:
        echo_json(done)
        return
    zh = message_lang(None) == "zh"
    rows = [("所有者", "owner  ", done["owner"], "（迁移：aftersales db upgrade）", "(migrations: aftersales db upgrade)"),
            ("经理  ", "manager", done["manager"], "（所有网点、导出、员工）", "(every store, exports, staff)")]
    rows += [("网点  ", "store  ", role, f"（仅 {code}）", f"({code} only)") for code, role in done["stores"].items()]
    for label_zh, label_en, role, what_zh, what_en in rows:
        click.echo(f"{label_zh} {role}  {what_zh}" if zh else f"{label_en} {role}  {what_en}")
    if done["created"]:
        click.echo(("已创建：" if zh else "created: ") + ", ".join(done["created"]))


@db.command("login")
@DB_OPTION
@click.argument("login")
@click.option("--role", "member_of", required=True, metavar="ROLE",
              help="所属角色，如 aftersales_store_sz01 / the role it acts as, e.g. aftersales_store_sz01.")
@click.option("--password-env", metavar="VAR", default="AFTERSALES_DB_PASSWORD", show_default=True,
              help="读取密码的环境变量（不给时询问） / environment variable holding the password (else asked).")
def login(db_url, login, member_of, password_env) -> None:
    """创建登录账号 / Create a login (a counter PC, a manager) that acts as ROLE (PostgreSQL).

    \b
    柜台随后在连接地址中使用这个登录账号：
    AFTERSALES_DB=postgresql+psycopg://登录名:密码@主机/数据库

    The counter then connects with that login in its URL:
    AFTERSALES_DB=postgresql+psycopg://LOGIN:PASSWORD@HOST/DB
    """
    import os
    import sys

    from aftersales.store import db as store_db
    from aftersales.store import roles as store_roles
    from aftersales.store.errors import StoreError

    url, _ = store_db.resolve_url(db_url)
    engine = store_db.make_engine(url)
    try:
        store_roles.check_member_of(engine, member_of)  # before asking for a password
        password = os.environ.get(password_env)
        if not password:
            if not sys.stdin.isatty():
                raise StoreError(f"give the login's password in {password_env} (or type it at a terminal)",
                                 field="password", zh=f"请在 {password_env} 中提供密码，或在终端输入")
            password = click.prompt("密码 / password", hide_input=True, confirmation_prompt=True, err=True)
        store_roles.create_login(engine, login, member_of, password)
    finally:
        engine.dispose()
    click.echo(f"{login}：登录账号，身份为 {member_of}" if message_lang(None) == "zh"
               else f"{login}: login, acts as {member_of}")
