"""``aftersales replay``: bad lines, exit codes, summary, order and output formats."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from aftersales.batch.generate import generate_cases


def _write_cases(path, n=30, seed=4):
    with open(path, "w", encoding="utf-8") as fh:
        for case in generate_cases(n, seed):
            fh.write(json.dumps(case, ensure_ascii=False) + "\n")
    return path


def _invoke(*args, lang="en"):
    """``aftersales replay ARGS`` as the console script runs it (its errors mapped to exit codes)."""
    import click

    from aftersales.cli import main_group
    from aftersales.cli.group import run

    holder = {}

    @click.command()
    def shim():
        holder["rc"] = run(main_group, ["replay", *args])

    result = CliRunner().invoke(shim, [], env={"AFTERSALES_LANG": lang})
    return holder.get("rc", result.exit_code), result.stdout, result.stderr


def test_good_file_exit_0_one_line_per_case_in_order(tmp_path):
    cases = _write_cases(tmp_path / "c.jsonl", 40)
    out = tmp_path / "d.jsonl"
    rc, stdout, stderr = _invoke(str(cases), "--out", str(out), "--workers", "1")
    assert rc == 0, stderr
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [x["line"] for x in lines] == list(range(1, 41))
    assert all(x["entitlement"] in ("return", "exchange", "repair", "paid_repair") for x in lines)
    assert "trace" not in lines[0]
    assert "replayed 40 cases" in stderr
    assert "errors: none" in stderr


def test_decisions_go_to_stdout_by_default(tmp_path):
    cases = _write_cases(tmp_path / "c.jsonl", 5)
    rc, stdout, stderr = _invoke(str(cases), "--workers", "1")
    assert rc == 0
    assert len(stdout.splitlines()) == 5
    assert "replayed 5 cases" in stderr


def _mixed_file(path):
    good = [json.dumps(c) for c in generate_cases(3, seed=1)]
    bad_imei = dict(next(generate_cases(1, seed=1)))
    bad_imei["device"] = {**bad_imei["device"], "imei": "356938035643800"}
    with open(path, "wb") as fh:
        fh.write(good[0].encode() + b"\n")                           # 1 ok
        fh.write(b"this is not json\n")                              # 2 not JSON
        fh.write(good[1].encode().replace(b"schema_version", b"schema_version", 1)[:-1] + b", \"x\": \"\xff\"}\n")  # 3 not UTF-8
        fh.write(json.dumps(bad_imei).encode() + b"\n")              # 4 invalid case
        fh.write(b"\n")                                              # 5 blank: skipped
        fh.write(b"[1, 2]\n")                                        # 6 not an object
        fh.write(good[2].encode() + b"\n")                           # 7 ok
        fh.write(good[0].encode()[:40])                              # 8 truncated, no newline
    return path


def test_bad_lines_reported_with_line_number_and_run_goes_on(tmp_path):
    path = _mixed_file(tmp_path / "mixed.jsonl")
    out = tmp_path / "d.jsonl"
    rc, stdout, stderr = _invoke(str(path), "--out", str(out), "--workers", "1")
    assert rc == 1
    assert f"{path}:2: not JSON" in stderr
    assert f"{path}:3: not UTF-8 text (byte 0xff" in stderr
    assert f"{path}:4: invalid case: device.imei" in stderr
    assert f"{path}:6: not a case" in stderr
    assert f"{path}:8: truncated last line" in stderr
    records = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [r["line"] for r in records] == [1, 2, 3, 4, 6, 7, 8]
    assert [("error" in r) for r in records] == [False, True, True, True, True, False, True]
    assert next(r for r in records if r["line"] == 2)["error_zh"].startswith("不是 JSON：")   # as a person reads it
    assert "replayed 7 lines (2 cases decided)" in stderr   # the lines not decided are not cases replayed
    assert "errors: 5 lines not decided" in stderr
    assert "not JSON: 1" in stderr and "invalid case: 1" in stderr and "truncated last line: 1" in stderr


def test_bad_lines_and_the_summary_are_chinese_by_default_the_output_the_same(tmp_path):
    path = _mixed_file(tmp_path / "mixed.jsonl")
    rc, _, stderr = _invoke(str(path), "--out", str(tmp_path / "zh.jsonl"), "--workers", "2", lang="zh")
    assert rc == 1
    assert f"{path}:2: 不是 JSON：第 1 列，这里应当是一个值" in stderr
    assert f"{path}:3: 不是 UTF-8 文本（字节 0xff）：请用 UTF-8 编码保存（不要用 GBK）（第 " in stderr
    assert f"{path}:4: 案例无效：device.imei：" in stderr
    assert f"{path}:6: 不是案例：应为 JSON 对象，而不是 list" in stderr
    assert f"{path}:8: 最后一行不完整（文件末尾没有换行）" in stderr
    assert "已重放 7 行（判定 2 个案例）" in stderr
    assert "错误：5 行未能判定（" in stderr and "案例无效 1 行" in stderr and "最后一行不完整 1 行" in stderr
    assert "插件故障：无" in stderr
    assert not any(word in stderr for word in ("replayed", "errors:", "invalid case", "not JSON", "plugin failures"))
    _invoke(str(path), "--out", str(tmp_path / "en.jsonl"), "--workers", "2")
    # the output lines are data: the same in either language
    assert (tmp_path / "zh.jsonl").read_bytes() == (tmp_path / "en.jsonl").read_bytes()


def test_a_complete_last_line_without_newline_is_fine(tmp_path):
    case = json.dumps(next(generate_cases(1, seed=3)))
    path = tmp_path / "c.jsonl"
    path.write_text(case, encoding="utf-8")
    rc, stdout, stderr = _invoke(str(path), "--workers", "1")
    assert rc == 0, stderr


def test_unwritable_output_stops_before_reading(tmp_path, monkeypatch):
    import aftersales.batch.replay as rp

    def boom(*a, **k):  # pragma: no cover - must not be called
        raise AssertionError("input was read")

    monkeypatch.setattr(rp, "jsonl_items", boom)
    monkeypatch.setattr(rp, "jsonl_blocks", boom)
    cases = _write_cases(tmp_path / "c.jsonl", 3)
    rc, stdout, stderr = _invoke(str(cases), "--out", str(tmp_path / "no" / "such" / "dir" / "d.jsonl"))
    assert rc == 2
    assert "cannot write" in stderr
    rc, stdout, stderr = _invoke(str(cases), "--out", str(tmp_path))   # a folder
    assert rc == 2


def test_summary_counts_per_remedy_and_basis(tmp_path):
    cases = _write_cases(tmp_path / "c.jsonl", 60, seed=8)
    summary = tmp_path / "s.json"
    rc, stdout, stderr = _invoke(str(cases), "--out", str(tmp_path / "d.jsonl"), "--workers", "1", "--summary-json", str(summary))
    assert rc == 0
    data = json.loads(summary.read_text(encoding="utf-8"))
    assert data["cases"] == 60 and data["decided"] == 60 and data["errors"] == 0
    assert sum(data["by_remedy"].values()) == 60
    assert sum(x["cases"] for x in data["by_remedy_and_basis"]) == 60
    decisions = [json.loads(x) for x in (tmp_path / "d.jsonl").read_text(encoding="utf-8").splitlines()]
    for remedy, n in data["by_remedy"].items():
        assert sum(1 for d in decisions if d["entitlement"] == remedy) == n
        assert remedy in stderr


def test_two_workers_give_the_same_output_as_one(tmp_path, monkeypatch):
    import aftersales.batch.replay as rp

    monkeypatch.setattr(rp, "CHUNK_LINES", 7)
    monkeypatch.setattr(rp, "CHUNK_BYTES", 3000)        # many blocks
    cases = _write_cases(tmp_path / "c.jsonl", 100, seed=2)
    with open(cases, "a", encoding="utf-8") as fh:
        fh.write("{oops\n")
    one, two = tmp_path / "1.jsonl", tmp_path / "2.jsonl"
    rc1, _, _ = _invoke(str(cases), "--out", str(one), "--workers", "1")
    rc2, _, _ = _invoke(str(cases), "--out", str(two), "--workers", "2")
    assert rc1 == rc2 == 1
    assert one.read_bytes() == two.read_bytes()
    rc3, stdout, _ = _invoke(str(cases), "--workers", "2")         # to standard output
    assert rc3 == 1
    assert stdout.encode("utf-8") == one.read_bytes()


def test_progress_bar_counts_bytes_and_cases(tmp_path, monkeypatch):
    import io
    import os

    import aftersales.batch.replay as rp
    from aftersales.cli.replay import Progress

    monkeypatch.setattr(rp, "CHUNK_BYTES", 2000)
    cases = _write_cases(tmp_path / "c.jsonl", 20, seed=5)
    progress = Progress(os.path.getsize(cases))
    with progress:
        stats = rp.replay_file(str(cases), io.StringIO(), workers=2, progress=progress)
    task = progress.progress.tasks[0]
    assert task.completed == task.total == os.path.getsize(cases)
    assert progress.done == stats.total == 20
    assert task.fields["cases"] == 20 and task.fields["rate"].startswith("每秒 ")
    english = Progress(os.path.getsize(cases), lang="en")
    english.cases(20)
    assert english.progress.tasks[0].fields["rate"].endswith("cases/s")


@pytest.mark.parametrize("flag, has_trace, has_citations", [("--full", False, True), ("--trace", True, True)])
def test_full_and_trace_formats(tmp_path, flag, has_trace, has_citations, registry):
    cases = _write_cases(tmp_path / "c.jsonl", 3)
    rc, stdout, stderr = _invoke(str(cases), "--workers", "1", flag)
    assert rc == 0
    first = json.loads(stdout.splitlines()[0])
    assert ("trace" in first) is has_trace
    assert first["schema_version"] == 1
    assert "citation" in first["remedies"][0]["granted_by"]
    # the same decision the Python API gives, apart from the line number

    data = json.loads(cases.read_text(encoding="utf-8").splitlines()[0])
    expected = registry.evaluate(registry.parse_case(data)).to_dict()
    if not has_trace:
        expected.pop("trace")
    first.pop("line")
    assert first == json.loads(json.dumps(expected, ensure_ascii=False))


def test_file_and_from_store_are_exclusive(tmp_path):
    cases = _write_cases(tmp_path / "c.jsonl", 1)
    rc, _, stderr = _invoke(str(cases), "--from-store")
    assert rc == 2
    rc, _, stderr = _invoke()
    assert rc == 2


def test_registered_as_aftersales_replay(tmp_path, cli):
    cases = _write_cases(tmp_path / "c.jsonl", 3)
    rc, stdout, stderr = cli("replay", str(cases), "--workers", "1", "--quiet")
    assert rc == 0
    assert len(stdout.splitlines()) == 3


def test_an_unwritable_summary_stops_before_reading(tmp_path, monkeypatch):
    import aftersales.batch.replay as rp

    def boom(*a, **k):  # pragma: no cover - must not be called
        raise AssertionError("input was read")

    monkeypatch.setattr(rp, "jsonl_blocks", boom)
    cases = _write_cases(tmp_path / "c.jsonl", 3)
    rc, _, stderr = _invoke(str(cases), "--out", str(tmp_path / "d.jsonl"),
                            "--summary-json", str(tmp_path / "no" / "s.json"))
    assert rc == 2 and "cannot write" in stderr and "Traceback" not in stderr
    assert not (tmp_path / "d.jsonl").exists()
