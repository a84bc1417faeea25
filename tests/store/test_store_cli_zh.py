"""What a clerk reads when a command refuses: one line, ``错误：`` and the Chinese by default;
``error:`` and the English with ``AFTERSALES_LANG=en`` (or ``--lang en`` where a command has it)."""

from __future__ import annotations

import re

import pytest
import yaml
from store_helpers import CASE, MAIL_IN

from aftersales.store import db

ZH = {"AFTERSALES_LANG": "zh"}
EN = {"AFTERSALES_LANG": "en"}


@pytest.fixture
def case_file(tmp_path):
    path = tmp_path / "case.yaml"
    path.write_text(yaml.safe_dump(CASE, allow_unicode=True), encoding="utf-8")
    return str(path)


def _line(rc, err, code, prefix):
    assert rc == code, err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith(prefix), err
    return err[len(prefix):].rstrip("\n")


def both(store_cli, *args, code, env=None):
    """The Chinese line (default) and the English line (AFTERSALES_LANG=en) of one refusal."""
    rc, _, err = store_cli(*args, env={**(env or {}), **ZH})
    zh = _line(rc, err, code, "错误：")
    rc, _, err = store_cli(*args, env={**(env or {}), **EN})
    en = _line(rc, err, code, "error: ")
    return zh, en


def _english_words(text):
    """Runs of three or more English words: what a Chinese line must not carry (ids, commands and
    paths aside, which the caller removes)."""
    return re.findall(r"[A-Za-z]+(?: [A-Za-z]+){2,}", text)


def _new(case_file, url, *extra):
    return ("cases", "new", case_file, "--customer", "李雷", "--phone", "13800138000", "--store", "SZ01",
            "--staff", "王芳", "--db", url, *extra)


def test_a_missing_sqlite_file_is_said_in_chinese(store_cli, case_file, tmp_path):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    command = f"`aftersales db upgrade --db {url}`"
    zh, en = both(store_cli, *_new(case_file, url), code=5)
    assert zh == f"数据库文件 {tmp_path / 'x.db'} 不存在：请用 {command} 创建"
    assert en == f"database file {tmp_path / 'x.db'} does not exist: create it with {command}"
    # db current says the same, with the same command (the file named, not the default one)
    assert both(store_cli, "db", "current", "--db", url, code=5) == (zh, en)
    assert not (tmp_path / "x.db").exists()


def test_lang_en_on_the_command_line_gives_the_english_line(store_cli, case_file, tmp_path):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    rc, _, err = store_cli("evaluate", case_file, "--lang", "en", env={**ZH, "AFTERSALES_DB": url})
    assert _line(rc, err, 5, "error: ").startswith(f"database file {tmp_path / 'x.db'} does not exist")
    rc, _, err = store_cli("evaluate", case_file, env={**ZH, "AFTERSALES_DB": url})
    assert _line(rc, err, 5, "错误：").startswith(f"数据库文件 {tmp_path / 'x.db'} 不存在")


def test_a_file_without_schema_asks_for_db_upgrade_in_chinese(store_cli, tmp_path):
    (tmp_path / "empty.db").write_bytes(b"")
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    zh, en = both(store_cli, "cases", "list", "--db", url, code=5)
    assert zh == f"数据库 {url} 还没有 aftersales 的数据库结构：请先执行一次 `aftersales db upgrade --db URL`"
    assert en == f"database {url} has no aftersales schema: run `aftersales db upgrade --db URL` once"


@pytest.mark.parametrize("revision,zh_text,en_text", [
    ("0003", f"的结构版本为 0003，本程序需要 {db.HEAD_REVISION}：请执行 `aftersales db upgrade`（先备份）",
     f"has schema revision 0003, this program needs {db.HEAD_REVISION}: run `aftersales db upgrade`"),
    ("9999", f"的结构版本为 9999，比本程序所知的（{db.HEAD_REVISION}）更新：请升级 aftersales 程序",
     f"has schema revision 9999, newer than this program knows ({db.HEAD_REVISION}); upgrade aftersales"),
])
def test_another_schema_revision_is_said_in_chinese(store_cli, db_url, revision, zh_text, en_text):
    engine = db.make_engine(db_url)
    try:
        with db.write_transaction(engine) as conn:
            conn.exec_driver_sql(f"UPDATE alembic_version SET version_num = '{revision}'")
    finally:
        engine.dispose()
    zh, en = both(store_cli, "cases", "list", "--db", db_url, code=5)
    assert zh.startswith("数据库 ") and zh_text in zh
    assert en.startswith("database ") and en_text in en


@pytest.mark.parametrize("url,code,zh_text", [
    ("not a url", 4, "'not a url' 不是数据库地址（应如 sqlite:///path/cases.sqlite3 或 "
                     "postgresql+psycopg://user@host/db）"),
    ("mysql://x@y/z", 4, "不支持的数据库 'mysql'（mysql://x@y/z）：请用 sqlite 或 postgresql+psycopg"),
])
def test_a_bad_database_url_is_said_in_chinese(store_cli, url, code, zh_text):
    zh, en = both(store_cli, "cases", "list", "--db", url, code=code)
    assert zh == zh_text
    assert en.startswith(("not a database URL", "unsupported database"))


def test_a_read_only_database_is_said_in_chinese(store_cli, case_file, tmp_path):
    path = tmp_path / "cases.sqlite3"
    db.create_database(f"sqlite:///{path}").dispose()
    url = f"sqlite:///file:{path}?mode=ro&uri=true"
    zh, en = both(store_cli, *_new(case_file, url), code=4)
    assert "只读，未写入任何内容" in zh and "read-only" not in zh
    assert "is read-only; nothing was written" in en


@pytest.mark.parametrize("extra,zh_text,en_text", [
    (["--phone", "12345"], "phone：12345 不是有效的电话号码", "phone: "),
    (["--store", "深圳"], "store：'深圳' 不是网点代码：应为 2 至 12 位字母或数字，如 SZ01",
     "store: '深圳' is not a store code: 2-12 letters or digits, e.g. SZ01"),
    (["--customer", " "], "customer：必填：客户姓名", "customer: required: the customer's name"),
    (["--staff", "王" * 65], "staff：超过 64 个字符", "staff: longer than 64 characters"),
])
def test_bad_counter_input_is_said_in_chinese(store_cli, db_url, case_file, extra, zh_text, en_text):
    zh, en = both(store_cli, *_new(case_file, db_url, *extra), code=2)
    assert zh.startswith(zh_text), zh
    assert en.startswith(en_text), en


def test_a_bad_mail_in_record_is_said_in_chinese(store_cli, db_url, case_file, tmp_path):
    mail = tmp_path / "mail.yaml"
    mail.write_text(yaml.safe_dump({**MAIL_IN, "insurance_amount": 0}, allow_unicode=True), encoding="utf-8")
    zh, en = both(store_cli, *_new(case_file, db_url, "--mail-in", str(mail)), code=2)
    assert zh == "mail_in.insurance_amount：购买保险时必填：大于 0 的保险金额（元）"
    assert en == "mail_in.insurance_amount: required with insurance: an amount in yuan above 0"
    mail.write_text(yaml.safe_dump({**MAIL_IN, "colour": "red"}, allow_unicode=True), encoding="utf-8")
    zh, _ = both(store_cli, *_new(case_file, db_url, "--mail-in", str(mail)), code=2)
    assert zh.startswith("mail_in.colour：未知字段；可用字段：courier、")


def test_case_numbers_and_states_are_said_in_chinese(store_cli, db_url, case_file):
    assert store_cli(*_new(case_file, db_url))[0] == 0
    zh, en = both(store_cli, "cases", "show", "SZ01-20260615-0042", "--db", db_url, code=2)
    assert (zh, en) == ("没有编号为 SZ01-20260615-0042 的案例", "no case numbered SZ01-20260615-0042")
    zh, en = both(store_cli, "cases", "ticket", "SZ01-20260615-0001", "--agreement", "--db", db_url, code=2)
    assert zh == "案例 SZ01-20260615-0001 不是寄修案例，没有寄送维修协议书"
    assert en == "case SZ01-20260615-0001 is not a mail-in case: no mail-in agreement"
    # the pickup SMS only once the unit waits for its owner (as the counter UI's N)
    zh, en = both(store_cli, "cases", "ticket", "SZ01-20260615-0001", "--sms", "--db", db_url, code=2)
    assert zh == "维修完成后才能发取机通知：现为「受理」"
    assert en == "no pickup notice before the repair is done: the case is “received”"
    zh, en = both(store_cli, "cases", "list", "--state", "repaired", "--db", db_url, code=2)
    assert zh.startswith("state：未知状态 'repaired'；可用状态：received（受理）、diagnosing（检测）、")
    assert en.startswith("state: unknown state 'repaired'; states: received, diagnosing, ")


def test_staff_and_role_refusals_are_said_in_chinese(store_cli, db_url, backend):
    manager = {"AFTERSALES_NEW_PIN": "246810"}
    assert store_cli("staff", "add", "M001", "--name", "王经理", "--manager", "--db", db_url, env=manager)[0] == 0
    signed_in = {"AFTERSALES_NEW_PIN": "135790", "AFTERSALES_STAFF": "M001", "AFTERSALES_PIN": "246810"}
    zh, en = both(store_cli, "staff", "add", "S001", "--name", "李雷", "--db", db_url, code=2, env=signed_in)
    assert (zh, en) == ("store：店员须属于一个门店：请用 --store 给出门店代码",
                        "store: a clerk belongs to a store: give --store")
    zh, en = both(store_cli, "staff", "add", "S-1", "--name", "李雷", "--store", "SZ01", "--db", db_url, code=2,
                  env=signed_in)
    assert zh == "staff：'S-1' 不是工号：应为 2 至 16 位字母或数字，如 S001"
    assert en == "staff: 'S-1' is not a staff code: 2-16 letters or digits, e.g. S001"
    if backend == "sqlite":
        zh, en = both(store_cli, "db", "roles", "--prefix", "shop", "--db", db_url, code=2)
        assert zh == "db：数据库角色仅用于 PostgreSQL；SQLite 文件靠文件权限（0600）保护"
        assert en.startswith("db: database roles exist on PostgreSQL only")
    else:
        zh, en = both(store_cli, "db", "roles", "--prefix", "Shop", "--db", db_url, code=2)
        assert zh.startswith("prefix：'Shop' 不是角色名前缀：应以小写字母开头")
        assert en.startswith("prefix: 'Shop' is not a role prefix")


def test_a_missing_plugins_folder_is_warned_in_chinese(store_cli, case_file, tmp_path):
    folder = tmp_path / "nowhere"
    rc, _, err = store_cli("evaluate", case_file, "--plugins-dir", str(folder), env=ZH)
    assert rc == 0 and f"警告：{folder}：插件文件夹不存在\n" in err and "does not exist" not in err
    rc, _, err = store_cli("evaluate", case_file, "--plugins-dir", str(folder), env=EN)
    assert rc == 0 and f"warning: {folder}: plugins folder does not exist\n" in err


@pytest.mark.parametrize("args,code", [
    (["cases", "list", "--db", "sqlite:///{tmp}/missing.db"], 5),
    (["cases", "list", "--db", "mysql://x@y/z"], 4),
    (["cases", "show", "SZ01-20260615-0042", "--db", "{db}"], 2),
    (["cases", "list", "--state", "repaired", "--db", "{db}"], 2),
    (["db", "current", "--db", "sqlite:///{tmp}/missing.db"], 5),
])
def test_no_english_sentence_in_the_chinese_line(store_cli, db_url, tmp_path, args, code):
    args = [a.format(tmp=tmp_path, db=db_url) for a in args]
    zh, en = both(store_cli, *args, code=code)
    stripped = re.sub(r"`[^`]*`|\S*[/:]\S*|'[^']*'", "", zh)   # commands, URLs, paths and quoted values
    assert not _english_words(stripped), zh
    assert zh != en
