"""Bounded previews: ranged reads only, pretty JSON when it fits, JSONL first records, metadata."""

from __future__ import annotations

import json

from pixel_tui.core.browse.preview import preview_drive, preview_s3, render_preview


def test_small_json_is_pretty_printed():
    data = '{"b": [1, 2], "é": "ü"}'.encode()
    p = render_preview("a.json", data, len(data))
    assert p.kind == "json" and not p.truncated
    assert p.text == json.dumps({"b": [1, 2], "é": "ü"}, indent=2, ensure_ascii=False)


def test_json_cut_by_the_bound_shows_first_lines_not_a_parse_error():
    doc = json.dumps([{"i": i} for i in range(1000)], indent=1).encode()
    p = render_preview("big.json", doc[:500], len(doc))
    assert p.kind == "text" and p.truncated and "too large" in p.note
    assert p.text and doc.decode().startswith(p.text)


def test_jsonl_first_records_and_bad_lines_counted():
    data = b'{"a": 1}\n{"a": 2}\nnot json\n{"a": 4}\n'
    p = render_preview("x.jsonl", data, len(data), max_lines=3)
    assert p.kind == "jsonl" and p.truncated
    assert p.text.split("\n") == ['{"a": 1}', '{"a": 2}', "not json"]
    assert p.note == "first 3 records, 1 not valid JSON"


def test_multibyte_char_split_by_the_cut_is_dropped():
    data = "line one\nünïcödé line\n".encode()
    p = render_preview("t.txt", data[:12], len(data))  # cuts inside 'ü'
    assert p.kind == "text" and p.text == "line one" and p.truncated


def test_binary_and_empty():
    assert render_preview("x.bin", b"\x00\x01\x02", 3).kind == "binary"
    assert render_preview("x.txt", b"", 0).kind == "empty"


def test_s3_preview_reads_a_bounded_range(store):
    big = b"".join(json.dumps({"row": i}).encode() + b"\n" for i in range(20000))
    store.put_bytes("p/rows.jsonl", big, content_type="application/x-ndjson")
    calls = []
    real = store.read_range

    def counting(key, length, start=0):
        calls.append(length)
        return real(key, length, start)

    store.read_range = counting
    p = preview_s3(store, "p/rows.jsonl", max_bytes=4096, max_lines=10)
    assert calls == [4096]  # one ranged read of the bound, never the whole object
    assert p.kind == "jsonl" and p.text.split("\n")[0] == '{"row": 0}' and len(p.text.split("\n")) == 10
    assert p.meta["size"] == f"{len(big):,} B" and p.meta["content type"] == "application/x-ndjson"
    store.put_bytes("p/doc.json", b'{"k": "v"}')
    assert preview_s3(store, "p/doc.json").text == '{\n  "k": "v"\n}'


def test_drive_preview_with_rclone(rclone, drive_dir):
    (drive_dir / "notes with space.txt").write_text("hello\nworld\n" * 5000)
    size = (drive_dir / "notes with space.txt").stat().st_size
    p = preview_drive(rclone, "drive:notes with space.txt", size, max_bytes=100, max_lines=5)
    assert p.kind == "text" and p.truncated
    assert p.text == "hello\nworld\nhello\nworld\nhello"
