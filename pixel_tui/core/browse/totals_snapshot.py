"""Folder totals remembered between sessions: objects and bytes per prefix, with when they were counted.

Counting a 1M-object prefix takes minutes over SSH; the count is kept in the state directory, one
file per endpoint and bucket (``<state>/totals/<hash>.json``), so reopening the level shows the
totals at once with their age, and `s` counts again. Writes are atomic (temp file + rename); a
damaged or unreadable file is treated as empty (it is only a cache of what S3 says).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from pixel_tui.core.files import replace_atomically


@dataclass(frozen=True)
class Totals:
    """Objects and bytes under one prefix, counted at ``at`` (epoch seconds)."""

    count: int
    bytes: int
    at: float


class TotalsSnapshots:
    """The remembered totals of one endpoint and bucket (thread-safe)."""

    def __init__(self, state_dir: str | os.PathLike, endpoint: str, bucket: str) -> None:
        digest = hashlib.sha256(f"{endpoint or 'aws'}\n{bucket}".encode()).hexdigest()[:20]
        self.path = Path(state_dir) / "totals" / f"{digest}.json"
        self._lock = threading.Lock()
        self._data: dict[str, dict] | None = None

    def _load(self) -> dict[str, dict]:
        if self._data is None:
            try:
                doc = json.loads(self.path.read_text(encoding="utf-8"))
                self._data = {k: v for k, v in doc.get("prefixes", {}).items()
                              if isinstance(v, dict) and {"count", "bytes", "at"} <= v.keys()}
            except (OSError, ValueError, AttributeError):
                self._data = {}
        return self._data

    def get(self, prefix: str) -> Totals | None:
        """The remembered totals of ``prefix`` (None when never counted)."""
        with self._lock:
            v = self._load().get(prefix)
        return None if v is None else Totals(int(v["count"]), int(v["bytes"]), float(v["at"]))

    def put(self, prefix: str, count: int, total: int, at: float | None = None) -> None:
        """Remember a complete count of ``prefix`` (never a cancelled, partial one)."""
        with self._lock:
            data = self._load()
            data[prefix] = {"count": count, "bytes": total, "at": time.time() if at is None else at}
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                replace_atomically(self.path, json.dumps({"prefixes": data}, separators=(",", ":")))
            except OSError:
                pass  # a read-only state dir: remembered for this session only
