"""Unsaved registry edits kept through a hang-up: the whole edited text, written next to the registry.

A closed terminal (SIGHUP) gives no time to ask "save or discard?", and saving unasked could overwrite a
teammate's version. So the text goes to a recovery file beside the registry (for a registry in S3, under
the state directory) and the next start says where it is.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from pixel_tui.core.storage.s3url import is_s3_url, parse_s3_url

SUFFIX = ".unsaved.json"


def recovery_path(location: str, state_dir: Path) -> Path:
    """Where the unsaved text of the registry at ``location`` is kept: ``<registry>.unsaved.json`` beside a
    local file; ``<state>/registry-recovery/<bucket>__<key>.unsaved.json`` for one in S3."""
    if is_s3_url(location):
        bucket, key = parse_s3_url(location)
        safe = re.sub(r"[^A-Za-z0-9._-]+", "_", f"{bucket}__{key}")
        return Path(state_dir) / "registry-recovery" / (safe + SUFFIX)
    path = Path(location).expanduser()
    return path.with_name(path.name + SUFFIX)


def write_recovery(location: str, text: str, state_dir: Path) -> Path:
    """Write ``text`` (the edited registry) to its recovery file, atomically and fsynced; returns the path."""
    path = recovery_path(location, state_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    return path


def pending_recovery(location: str | None, state_dir: Path) -> Path | None:
    """The recovery file of the registry at ``location`` when one is waiting (None otherwise)."""
    if not location:
        return None
    path = recovery_path(location, state_dir)
    return path if path.is_file() else None
