"""``aftersales replay --from-store`` and ``policy diff --from-store`` on a small SQLite store."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from aftersales.batch.generate import generate_cases
from aftersales.cli.diff import diff
from aftersales.cli.replay import replay


@pytest.fixture
def store_url(tmp_path):
    from aftersales.store import db, open_store

    url = f"sqlite:///{tmp_path / 'cases.sqlite3'}"
    db.create_database(url).dispose()
    now = datetime(2026, 12, 31, 10, 0, tzinfo=UTC)
    with open_store(url) as store:
        for case in generate_cases(12, seed=11):
            store.create_case(case, store="SZ01", staff="王芳", customer="李雷", phone="13800138000", now=now,
                              backdate=True)  # generated cases carry their own earlier case_date
    return url


def test_replay_from_store(store_url, tmp_path):
    out = tmp_path / "d.jsonl"
    result = CliRunner().invoke(replay, ["--from-store", "--db", store_url, "--out", str(out), "--workers", "1"])
    assert result.exit_code == 0, result.stderr
    records = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 12
    assert all(r["number"].startswith("SZ01") for r in records)
    assert "已重放 12 个案例" in result.stderr


def test_diff_from_store_same_policies(store_url, tmp_path):
    from importlib import resources

    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "huawei.yaml").write_text(resources.files("aftersales.policies").joinpath("huawei.yaml").read_text(encoding="utf-8"),
                                        encoding="utf-8")
    result = CliRunner().invoke(diff, ["--old", str(folder), "--new", str(folder), "--from-store", "--db", store_url,
                                       "--workers", "1", "--json", "--fail-on-change"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["cases"] == 12 and report["changed"] == 0


def test_explain_from_store_finds_a_case_by_its_number_or_its_position(store_url, tmp_path):
    from importlib import resources

    from aftersales.batch.replay import store_items

    folder = tmp_path / "p"
    folder.mkdir()
    for name in ("huawei.yaml", "apple.yaml"):
        (folder / name).write_text(resources.files("aftersales.policies").joinpath(name).read_text(encoding="utf-8"),
                                   encoding="utf-8")
    numbers = [number for number, _case, _raw in store_items(store_url)]  # the store's order
    assert len(numbers) == 12 and all(isinstance(n, str) for n in numbers)
    third = numbers[2]
    base = ["--old", str(folder), "--new", str(folder), "--from-store", "--db", store_url, "--workers", "1"]
    by_number = CliRunner().invoke(diff, [*base, "--explain", third, "--json"])
    assert by_number.exit_code == 0, by_number.output
    assert json.loads(by_number.stdout)["case"] == third
    by_position = CliRunner().invoke(diff, [*base, "--explain", "3", "--json"])
    assert by_position.exit_code == 0, by_position.output
    assert json.loads(by_position.stdout)["case"] == third
    from aftersales.cli import main_group

    text = CliRunner().invoke(main_group, ["policy", "diff", *base, "--explain", third, "--lang", "zh"])
    assert text.exit_code == 0 and text.stdout.startswith(f"案例 {third}：")
    from aftersales.cli.group import run

    assert run(main_group, ["policy", "diff", *base, "--explain", "SZ01-19990101-0001"]) == 2
