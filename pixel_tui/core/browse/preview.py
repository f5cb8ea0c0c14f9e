"""Bounded previews of S3 objects and Drive files: a ranged read of the head, never the whole object."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pixel_tui.core.units import exact_bytes

if TYPE_CHECKING:
    from pixel_tui.core.storage.rclone import Rclone
    from pixel_tui.core.storage.s3 import S3Store

MAX_BYTES = 64 * 1024
MAX_LINES = 200
TEXT_EXTS = {".txt", ".csv", ".tsv", ".md", ".yaml", ".yml", ".log", ".xml", ".html", ".py", ".toml", ".ini", ".cfg"}
JSONL_EXTS = {".jsonl", ".ndjson"}


@dataclass
class Preview:
    """What a preview pane shows: a kind, the text (may be empty), and metadata rows."""

    name: str
    kind: str  # json | jsonl | text | binary | empty
    text: str = ""
    truncated: bool = False
    note: str = ""
    meta: dict[str, str] = field(default_factory=dict)


def _ext(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot > name.rfind("/") else ""


def _decode_head(data: bytes, cut: bool) -> str | None:
    """UTF-8 text of ``data`` (a multi-byte char split by the cut is dropped), None for binary."""
    if b"\x00" in data[:8192]:
        return None
    for trim in range(0, 4 if cut else 1):
        try:
            return data[: len(data) - trim].decode("utf-8")
        except UnicodeDecodeError:
            continue
    return None


def _first_lines(text: str, max_lines: int, cut: bool) -> tuple[str, bool]:
    lines = text.split("\n")
    if cut and len(lines) > 1:
        lines = lines[:-1]  # the last line was cut by the byte bound
    truncated = cut or len(lines) > max_lines
    return "\n".join(lines[:max_lines]), truncated


def render_preview(name: str, data: bytes, total_size: int | None, max_lines: int = MAX_LINES,
                   meta: dict[str, str] | None = None) -> Preview:
    """Turn the first bytes of a file into a Preview (pure: no IO)."""
    meta = dict(meta or {})
    cut = total_size is not None and len(data) < total_size
    ext = _ext(name)
    if total_size == 0 or (not data and not cut):
        return Preview(name, "empty", note="empty file", meta=meta)
    text = _decode_head(data, cut)
    if text is None:
        return Preview(name, "binary", note="binary content: metadata only", meta=meta)
    if ext == ".json" and not cut:
        try:
            pretty = json.dumps(json.loads(text), indent=2, ensure_ascii=False)
        except ValueError as exc:
            shown, trunc = _first_lines(text, max_lines, cut)
            return Preview(name, "text", shown, trunc, f"not valid JSON ({exc}); raw text", meta)
        shown, trunc = _first_lines(pretty, max_lines, False)
        return Preview(name, "json", shown, trunc, "", meta)
    if ext in JSONL_EXTS:
        shown, trunc = _first_lines(text, max_lines, cut)
        rows = [ln for ln in shown.split("\n") if ln.strip()]
        bad = 0
        for ln in rows:
            try:
                json.loads(ln)
            except ValueError:
                bad += 1
        note = f"first {len(rows)} records" + (f", {bad} not valid JSON" if bad else "")
        return Preview(name, "jsonl", shown, trunc, note, meta)
    shown, trunc = _first_lines(text, max_lines, cut)
    note = "too large to pretty-print: first lines" if ext == ".json" else ""
    if ext not in TEXT_EXTS and ext not in (".json",) and ext:
        note = note or "shown as text"
    return Preview(name, "text", shown, trunc, note, meta)


def preview_s3(store: "S3Store", key: str, max_bytes: int = MAX_BYTES, max_lines: int = MAX_LINES) -> Preview:
    """Preview an S3 object: HEAD for metadata, then one ranged GET of at most ``max_bytes``."""
    from pixel_tui.core.storage.s3url import s3_url, strip_etag

    head = store.head_full(key)
    size = int(head.get("ContentLength", 0))
    meta = {
        "key": s3_url(store.bucket, key),
        "size": exact_bytes(size),
        "modified": str(head.get("LastModified", "")),
        "etag": strip_etag(head.get("ETag")),
        "content type": str(head.get("ContentType", "")),
    }
    for k, v in (head.get("Metadata") or {}).items():
        meta[f"meta {k}"] = str(v)
    data = store.read_range(key, min(max_bytes, size)) if size else b""
    return render_preview(key, data, size, max_lines, meta)


def preview_drive(rclone: "Rclone", remote_path: str, size: int | None, modified: str = "",
                  max_bytes: int = MAX_BYTES, max_lines: int = MAX_LINES) -> Preview:
    """Preview a Drive file with `rclone cat --count` (bounded)."""
    meta = {"path": remote_path, "size": exact_bytes(size) if size is not None and size >= 0 else "?"}
    if modified:
        meta["modified"] = modified
    want = max_bytes if size is None or size < 0 else min(max_bytes, size)
    data = rclone.read_head(remote_path, want) if want else b""
    return render_preview(remote_path, data, size, max_lines, meta)
