"""File replay by blocks: workers read their own byte ranges and write their own output parts,
and the result is line for line what deciding each line on its own gives — good lines, bad lines
of every kind, blank lines, CRLF, lines longer than a block, a pipe instead of a file."""

from __future__ import annotations

import io
import json
import os
import threading
from types import SimpleNamespace

import pytest

import aftersales.batch.replay as rp
from aftersales.batch.compact import compact_decision, compact_line
from aftersales.batch.generate import generate_cases
from aftersales.core.errors import CaseError

DUMPS = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _mixed_lines() -> list[bytes]:
    good = [json.dumps(c, ensure_ascii=False).encode() for c in generate_cases(40, seed=12)]
    bad_imei = json.loads(good[5])
    bad_imei["device"]["imei"] = "356938035643800"
    nokia = dict(json.loads(good[6]), brand="nokia")
    lines = [
        good[0], good[1] + b"\r", b"  " + good[2], good[3] + b"   ", good[4] + b" x",
        "\ufeff".encode() + good[7], b"", b"   \t", b"\x0c", b"\x1c", b"\r",
        good[8][:30] + b"\xff" + good[8][30:], good[9], b"[1, 2]", b"null", b'"text"', b"{oops",
        json.dumps(bad_imei).encode(), json.dumps(nokia).encode(), b"{" + b'"a":{' * 3000 + b"}" * 3000 + b"}",
        b'{"a": 1}', good[10].replace(b'"brand"', b'"brand":"apple","brand"', 1),
        json.dumps({**json.loads(good[11]), "note": "x" * 5000}).encode(),       # longer than a small block
    ]
    lines += good[12:]
    return lines


def _write(path, lines, last_newline=True):
    data = b"\n".join(lines) + (b"\n" if last_newline else b"")
    path.write_bytes(data)
    return path


def _reference(path, registry):
    """What the replay must give: each line decided on its own, as a block of one line."""
    out, errors = [], []
    rp.setup_worker("replay", {})
    for lineno, body, complete in rp.jsonl_items(str(path)):
        result = rp._replay_lines(body + (b"\n" if complete else b""), lineno)
        if result.data:
            out.append(result.data.decode("utf-8"))
        errors += result.errors
    return "".join(out), errors


def _replay(path, workers, **kw):
    out = io.StringIO()
    reported = []
    stats = rp.replay_file(str(path), out, workers=workers, report=lambda w, r, zh: reported.append((w, r, zh)), **kw)
    return out.getvalue(), reported, stats


@pytest.mark.parametrize("block", [64, 700, 1 << 20])
@pytest.mark.parametrize("workers", [1, 2])
def test_blocks_give_what_each_line_gives_on_its_own(tmp_path, registry, monkeypatch, block, workers):
    monkeypatch.setattr(rp, "CHUNK_BYTES", block)
    path = _write(tmp_path / "mixed.jsonl", _mixed_lines() + [b'{"brand": "apple", "dev'], last_newline=False)
    expected, expected_errors = _reference(path, registry)
    got, reported, stats = _replay(path, workers)
    assert got == expected
    assert reported == expected_errors
    assert stats.total == expected.count("\n") and stats.total - stats.decided == len(expected_errors)
    kinds = {r.split(":", 1)[0].split(" (", 1)[0] for _, r, _zh in expected_errors}
    assert {"not JSON", "not UTF-8 text", "not a case", "invalid case", "truncated last line"} <= kinds
    assert "internal error" not in kinds  # deep nesting is a bad case, not a crash


def test_every_case_of_a_long_file_in_order(tmp_path, registry, monkeypatch):
    monkeypatch.setattr(rp, "CHUNK_BYTES", 4096)
    lines = [json.dumps(c).encode() for c in generate_cases(300, seed=3)]
    path = _write(tmp_path / "c.jsonl", lines)
    expected, _ = _reference(path, registry)
    one, _, _ = _replay(path, 1)
    two, _, stats = _replay(path, 2)
    assert one == two == expected
    assert stats.total == stats.decided == 300
    assert sum(stats.outcomes.values()) == sum(1 for x in expected.splitlines() if json.loads(x)["entitlement"] != "paid_repair"
                                               or any(r["available"] for r in json.loads(x)["remedies"]))


def test_blocks_end_at_line_ends_and_count_lines(tmp_path):
    lines = [b"a" * n for n in (0, 3, 10, 0, 250, 1, 0, 7)]
    path = _write(tmp_path / "x.jsonl", lines, last_newline=False)
    data = path.read_bytes()
    for size in (1, 4, 16, 100, 1 << 20):
        blocks = list(rp.jsonl_blocks(str(path), size))
        assert blocks[0][2] == 0 and sum(b[3] for b in blocks) == len(data)
        line = 1
        for (_, first, offset, length, payload) in blocks:
            assert payload is None
            chunk = data[offset:offset + length]
            assert first == line
            assert chunk.endswith(b"\n") or offset + length == len(data)
            line += chunk.count(b"\n")
            assert blocks[-1][2] + blocks[-1][3] == len(data)


def test_a_pipe_is_read_as_a_stream(tmp_path, registry, monkeypatch):
    monkeypatch.setattr(rp, "CHUNK_BYTES", 500)
    source = _write(tmp_path / "mixed.jsonl", _mixed_lines())
    expected, expected_errors = _reference(source, registry)
    fifo = tmp_path / "cases.fifo"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_bytes(source.read_bytes()))
    writer.start()
    blocks = []
    try:
        got, reported, _ = _replay(fifo, 2)
    finally:
        writer.join()
    assert got == expected and reported == expected_errors
    writer = threading.Thread(target=lambda: fifo.write_bytes(source.read_bytes()))
    writer.start()
    try:
        blocks = list(rp.jsonl_blocks(str(fifo), 500))
    finally:
        writer.join()
    assert all(b[4] is not None for b in blocks) and b"".join(b[4] for b in blocks) == source.read_bytes()


@pytest.mark.parametrize("kind", ["file", "buffer without a descriptor", "text only"])
def test_output_sinks_and_part_files_are_removed(tmp_path, registry, monkeypatch, kind):
    import tempfile

    monkeypatch.setattr(rp, "CHUNK_BYTES", 2000)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    path = _write(tmp_path / "mixed.jsonl", _mixed_lines())
    expected, _ = _reference(path, registry)
    if kind == "file":
        with open(tmp_path / "out.jsonl", "w", encoding="utf-8") as out:
            out.write("")
            rp.replay_file(str(path), out, workers=2)
        got = (tmp_path / "out.jsonl").read_text(encoding="utf-8")
    elif kind == "buffer without a descriptor":
        raw = io.BytesIO()
        out = io.TextIOWrapper(raw, encoding="utf-8", newline="\n")
        rp.replay_file(str(path), out, workers=2)
        got = raw.getvalue().decode("utf-8")
    else:
        out = io.StringIO()
        rp.replay_file(str(path), out, workers=2)
        got = out.getvalue()
    assert got == expected
    assert list((tmp_path / "tmp").iterdir()) == []


def test_text_written_before_the_replay_stays_first(tmp_path):
    path = _write(tmp_path / "c.jsonl", [json.dumps(c).encode() for c in generate_cases(5, seed=1)])
    with open(tmp_path / "out.jsonl", "w", encoding="utf-8") as out:
        out.write("# header\n")
        rp.replay_file(str(path), out, workers=2)
        out.write("# footer\n")
    text = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    assert text[0] == "# header" and text[-1] == "# footer" and len(text) == 7


def test_progress_is_told_per_block_and_parts_do_not_pile_up(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(rp, "CHUNK_BYTES", 1500)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    path = _write(tmp_path / "c.jsonl", [json.dumps(c).encode() for c in generate_cases(50, seed=2)] + [b""])
    calls = SimpleNamespace(bytes=[], cases=[], parts=[])

    def cases(n):
        calls.cases.append(n)
        calls.parts.append(sum(len(files) for _, _, files in os.walk(tmp_path / "tmp")))

    progress = SimpleNamespace(bytes=calls.bytes.append, cases=cases)
    stats = rp.replay_file(str(path), io.StringIO(), workers=2, progress=progress)
    assert sum(calls.bytes) == path.stat().st_size
    assert sum(calls.cases) == stats.total == 50
    blocks = len(list(rp.jsonl_blocks(str(path), 1500)))
    assert len(calls.cases) == blocks > 2 * rp.INFLIGHT_PER_WORKER
    assert max(calls.parts) <= 2 * rp.INFLIGHT_PER_WORKER       # each part is removed once written


# ----------------------------------------------------------------------------- compact lines

def _fake_decision(**kw):
    remedy = SimpleNamespace(remedy="return", basis="doa", available=False, status="outside_window", policy="p\"q",
                             rule="r\\1", missing_documents=("invoice", "三包"), reason="超出 \"7\" 日\n", end=None, refund_instead=None)
    base = dict(brand="品牌", case_date=__import__("datetime").date(2026, 1, 2), region="CN",
                remedies=(remedy,), coverage=None, exclusions=(), exchange=None, service_location="seller",
                policies=(SimpleNamespace(id="a", version="1\u2028"),), notices=(), plugin_errors=(), legal=True, bundle=None)
    base.update(kw)
    base["entitlement"] = next((x.remedy for x in base["remedies"] if x.available), "paid_repair")
    return SimpleNamespace(**base)


def test_compact_line_is_the_json_of_compact_decision(registry):
    """msgspec's line is the text ``json.dumps`` gives the same record (v1 replay lines unchanged)."""
    from datetime import date, datetime

    decisions = [registry.evaluate(registry.parse_case(c)) for c in generate_cases(300, seed=9)]
    # a refund instead of an exchange, and an amount with fen (issue 17)
    refund = {"case_date": "2026-06-15", "brand": "generic",
              "device": {"model": "X1"}, "fault": {"component": "host", "confirmed": True},
              "documents": ["invoice"], "purchase": {"channel": "authorized_reseller", "date": "2026-06-06", "price": 4999.9}}
    decisions += [registry.evaluate(registry.parse_case(refund))]
    assert decisions[-1].remedy("exchange").refund_instead.amount == 4774.9
    r = SimpleNamespace(remedy="exchange", basis="dap", available=True, status="granted", policy=None, rule=None,
                        missing_documents=(), reason=None, end=date(2026, 3, 4), refund_instead=None)
    odd = [
        _fake_decision(),
        _fake_decision(remedies=(r, SimpleNamespace(**{**vars(r), "available": 1}))),
        _fake_decision(remedies=(SimpleNamespace(**{**vars(r), "available": 1}), r)),
        _fake_decision(coverage=SimpleNamespace(start=date(2025, 1, 1), end=None, policy="x", rule="y"),
                       exclusions=(SimpleNamespace(id="liquid_damage"), SimpleNamespace(id="é\t")),
                       exchange=SimpleNamespace(mode="deferred", warranty_after="restarts"),
                       notices=(SimpleNamespace(id="spare_phone"),),
                       plugin_errors=(SimpleNamespace(plugin="acme", hook="h", error="boom \"x\""),)),
        _fake_decision(coverage=SimpleNamespace(start=datetime(2025, 1, 1, 8, 0), end=date(2025, 1, 1), policy=None, rule="y"),
                       case_date=datetime(2026, 1, 2, 3, 4), region=None, service_location=None),
    ]
    for _ in range(2):                          # the second pass reads the memo tables
        for n, d in enumerate(decisions + odd):
            line, entitled = compact_line(d, n)
            assert line.decode("utf-8") == DUMPS({"line": n, **compact_decision(d)})
            first = next(((x.remedy, x.basis) for x in d.remedies if x.available), None)
            assert entitled == first


def test_compact_line_with_a_store_number(tmp_path, registry):
    d = registry.evaluate(registry.parse_case(next(generate_cases(1, seed=1))))
    line, _ = compact_line(d, "SZ01-20260101-0001")
    assert line.decode("utf-8") == DUMPS({"number": "SZ01-20260101-0001", **compact_decision(d)})
    assert json.loads(line) == {"number": "SZ01-20260101-0001", **json.loads(DUMPS(compact_decision(d)))}


def test_decode_shortcut_agrees_with_json_loads():
    cases = ['{"a": 1}', '  {"a": 1}', '{"a": 1}  \t', '{"a": 1} x', '{"a": 1}{"b": 2}', '{"a": NaN}', "{",
             '{"a": "\x01"}', '\ufeff{"a": 1}', "[]", '{"a": 1}\r', "{}"]
    for text in cases:
        for complete in (True, False):
            try:
                want = ("ok", json.loads(text))
                if not isinstance(want[1], dict):
                    want = ("error", "not a case")
            except json.JSONDecodeError as exc:
                want = ("error", exc.msg)
            try:
                got = ("ok", rp.decode((1, text.encode(), complete)))
            except ValueError as exc:
                got = ("error", str(exc))
            assert got[0] == want[0], text
            if got[0] == "ok":
                assert repr(got[1]) == repr(want[1])
            else:
                assert want[1] in got[1]
                assert got[1].startswith("not JSON" if complete else "truncated") or got[1].startswith("not a case")


def test_unknown_brand_message_comes_from_the_registry(tmp_path, registry):
    case = dict(next(generate_cases(1, seed=1)), brand="nokia")
    path = _write(tmp_path / "c.jsonl", [json.dumps(case).encode()])
    _, reported, _ = _replay(path, 1)
    with pytest.raises(CaseError) as err:
        registry.parse_case(case)
    assert reported == [(1, f"invalid case: {err.value}", f"案例无效：{err.value.line('zh')}")]
    assert reported[0][2].startswith("案例无效：brand：未知品牌 'nokia'")
