"""What ``replay``, ``policy diff`` and ``cases generate`` leave behind: an output file written
whole or not at all; a drop-in plugin that fails to import is quarantined and said, the other
brands decided; cases its failure leaves undecided are counted (exit 3)."""

from __future__ import annotations

import json
import os
import stat

from aftersales.batch.generate import generate_cases


def _cases(path, n=5):
    path.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in generate_cases(n, 3)), encoding="utf-8")
    return path


def _broken_plugins(tmp_path):
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "bad.py").write_text("raise ImportError('boom')\n", encoding="utf-8")
    return folder


def test_policies_that_fail_to_load_leave_no_output_and_an_old_one_as_it_was(tmp_path, cli):
    cases = _cases(tmp_path / "c.jsonl")
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "x.yaml").write_text("id: [broken\n", encoding="utf-8")
    rc, _, err = cli("replay", str(cases), "--policies", str(policies), "--out", str(tmp_path / "new.jsonl"))
    assert rc == 2 and "x.yaml:1:5" in err   # at the [ not closed
    assert not (tmp_path / "new.jsonl").exists()
    old = tmp_path / "old.jsonl"
    old.write_text("yesterday's decisions\n", encoding="utf-8")
    rc, _, _ = cli("replay", str(cases), "--policies", str(policies), "--out", str(old))
    assert rc == 2 and old.read_text(encoding="utf-8") == "yesterday's decisions\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.jsonl", "old.jsonl", "policies"]  # no temporary left


def test_a_broken_drop_in_plugin_is_quarantined_and_replay_and_diff_go_on(tmp_path, cli):
    """A drop-in that fails to import is said once, located; it serves none of these cases'
    brands, so every case is decided."""
    cases = _cases(tmp_path / "c.jsonl")
    plugins = _broken_plugins(tmp_path)
    rc, _, err = cli("replay", str(cases), "--plugins-dir", str(plugins), "--out", str(tmp_path / "d.jsonl"), "--workers", "1")
    assert rc == 0 and "plugin 'bad' is quarantined" in err and "bad.py:1:1" in err, err
    assert len((tmp_path / "d.jsonl").read_text(encoding="utf-8").splitlines()) == 5
    from aftersales.policies import bundled

    rc, out, err = cli("policy", "diff", "--old", str(bundled("apple.yaml").parent), "--new", str(bundled("apple.yaml").parent),
                       "--cases", str(cases), "--plugins-dir", str(plugins), "--workers", "1")
    assert rc == 0 and "bad.py:1:1" in err and "no case is decided differently" in out


def test_cases_of_a_quarantined_brand_are_counted_and_exit_3(tmp_path, cli):
    cases = _cases(tmp_path / "c.jsonl", 40)
    lines = [json.loads(line) for line in cases.read_text(encoding="utf-8").splitlines()]
    apple = sum(1 for c in lines if c["brand"] == "apple")
    assert 0 < apple < len(lines)
    policies = tmp_path / "policies"
    policies.mkdir()
    from aftersales.policies import bundled

    text = bundled("apple.yaml").read_text(encoding="utf-8")
    (policies / "apple.yaml").write_text(text[: text.index("\nexclusions:")] + "\n", encoding="utf-8")
    summary = tmp_path / "s.json"
    rc, _, err = cli("replay", str(cases), "--policies", str(policies), "--out", str(tmp_path / "d.jsonl"),
                     "--workers", "1", "--summary-json", str(summary))
    assert rc == 3 and f"plugin failures: {apple:,} cases met a failed plugin (apple: {apple:,})" in err
    # the quarantined brand's cases are not decided: the line says where they are counted
    assert "those not decided (their brand's plugin quarantined) are counted in errors above" in err
    assert f"errors: {apple:,} lines not decided" in err
    data = json.loads(summary.read_text(encoding="utf-8"))
    assert data["plugin_failures"] == apple and data["plugin_failures_by_plugin"] == {"apple": apple}
    assert data["decided"] == len(lines) - apple
    # a preview against a folder that does not load is refused before any case is read (the
    # replay above decides what it can; a comparison would only count the broken brand's cases)
    rc, out, err = cli("policy", "diff", "--old", str(bundled("apple.yaml").parent), "--new", str(policies),
                       "--cases", str(cases), "--workers", "1", "--json")
    assert rc == 2 and out == "" and "--new" in err and "apple.yaml" in err


def test_a_finished_output_replaces_the_old_one_with_the_usual_mode(tmp_path, cli):
    cases = _cases(tmp_path / "c.jsonl")
    out = tmp_path / "d.jsonl"
    out.write_text("old\n", encoding="utf-8")
    os.chmod(out, 0o640)
    rc, _, err = cli("replay", str(cases), "--out", str(out), "--workers", "1")
    assert rc == 0, err
    assert len(out.read_text(encoding="utf-8").splitlines()) == 5
    assert stat.S_IMODE(out.stat().st_mode) == 0o640          # an existing file keeps its mode
    fresh = tmp_path / "g.jsonl"
    mask = os.umask(0o022)
    try:
        rc, _, err = cli("cases", "generate", "3", "--out", str(fresh))
    finally:
        os.umask(mask)
    assert rc == 0, err
    assert len(fresh.read_text(encoding="utf-8").splitlines()) == 3
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o644        # a new one: as open() would make it


def test_an_unwritable_output_of_generate_is_refused(tmp_path, cli):
    rc, _, err = cli("cases", "generate", "3", "--out", str(tmp_path))
    assert rc == 2 and "cannot write" in err


def test_an_output_that_is_a_device_is_written_to_not_replaced(tmp_path, cli):
    devnull = os.devnull
    before = os.stat(devnull)
    if stat.S_ISREG(before.st_mode):  # pragma: no cover - a platform without a null device
        return
    cases = _cases(tmp_path / "c.jsonl")
    rc, _, err = cli("replay", str(cases), "--out", devnull, "--workers", "1")
    assert rc == 0, err
    after = os.stat(devnull)
    assert stat.S_ISCHR(after.st_mode) and (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    import threading

    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text(encoding="utf-8")))
    reader.start()
    rc, _, err = cli("cases", "generate", "2", "--out", str(fifo))
    reader.join(10)
    assert rc == 0, err
    assert stat.S_ISFIFO(fifo.stat().st_mode) and len(got[0].splitlines()) == 2


def test_an_output_through_a_symbolic_link_replaces_the_file_it_names(tmp_path, cli):
    real = tmp_path / "real.jsonl"
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "link.jsonl"
    link.symlink_to(real)
    rc, _, err = cli("cases", "generate", "2", "--out", str(link))
    assert rc == 0, err
    assert link.is_symlink() and len(real.read_text(encoding="utf-8").splitlines()) == 2
