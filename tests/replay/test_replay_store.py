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
    assert "replayed 12 cases" in result.stderr


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
