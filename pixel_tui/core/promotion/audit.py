"""Audit log: who (OS user, host) did what (keys, bytes, registry change) and when, one JSON line each."""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pixel_tui.core.files import StateDirUnwritable, open_private, state_subdir
from pixel_tui.core.who import who  # noqa: F401 - importers of audit.who keep working

if TYPE_CHECKING:
    from pixel_tui.core.config import Settings


def audit_path(settings: "Settings") -> Path:
    """<state>/audit.jsonl."""
    return settings.state_path / "audit.jsonl"


def record(settings: "Settings", action: str, **data: Any) -> dict:
    """Append one audit line (action = promote | undo) and return it."""
    rec = {"action": action, "when": datetime.now(timezone.utc).isoformat(timespec="seconds"), **who(), **data}
    path = audit_path(settings)
    state_subdir(settings.state_path)
    try:
        fh = open_private(path)  # 0600: who did what, on which bucket
    except OSError as exc:
        raise StateDirUnwritable(f"cannot write the audit log {path}: {exc.strerror}",
                                 "make the state dir writable (`paths.state_dir`)") from None
    with fh:
        fh.write(json.dumps(rec, separators=(",", ":")) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return rec


def records(settings: "Settings") -> list[dict]:
    """Every audit line, oldest first (torn lines skipped)."""
    path = audit_path(settings)
    if not path.is_file():
        return []
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return out
