"""Where a job copies from (its source root), so its files in flight mark the right Drive rows.

rclone names a transfer relative to its source: `u` on `therapist-sft-format` logs `f0.jsonl`, not
`therapist-sft-format/f0.jsonl`. The root comes from (first found): our own uploads' argv, an rc job's
`srcFs`, config `monitor.sources` (log glob -> source), or the log's `-vv` start lines.
"""

from __future__ import annotations

import fnmatch
import os
import re
import shlex
from typing import Mapping

HEAD = 256 * 1024  # rclone writes its start lines first
_BACKEND = re.compile(rb'DEBUG : Creating backend with remote "((?:[^"\\]|\\.)*)"')
_PARAMS = re.compile(rb"starting with parameters \[(.*)\]")
_COMMANDS = ("copy", "sync", "move", "copyto", "moveto", "bisync")


def root_from_log(path: str) -> str | None:
    """The source of the run a log was written by, from rclone's `-vv` start lines (None without -vv)."""
    try:
        with open(path, "rb") as fp:
            head = fp.read(HEAD)
    except OSError:
        return None
    found = _BACKEND.search(head)  # rclone makes the source's backend first, then the destination's
    if found:
        return found.group(1).decode("utf-8", "replace").replace('\\"', '"')
    params = _PARAMS.search(head)
    if params:
        try:
            argv = shlex.split(params.group(1).decode("utf-8", "replace"))
        except ValueError:
            return None
        for i, word in enumerate(argv):
            if word in _COMMANDS and i + 1 < len(argv) and not argv[i + 1].startswith("-"):
                return argv[i + 1]
    return None


def root_from_config(path: str, sources: Mapping[str, str]) -> str | None:
    """`monitor.sources`: the source configured for a log path (or a glob matching it)."""
    for pattern, root in sources.items():
        pattern = os.path.expanduser(pattern)
        if path == pattern or fnmatch.fnmatch(path, pattern):
            return root
    return None


def _norm(remote: str) -> str:
    return remote.rstrip("/") if not remote.endswith(":") else remote


def drive_prefix(root: str, drive: str) -> str | None:
    """The Drive path of ``root`` ('' for the Drive root, 'a/b/' below it); None when not under the Drive."""
    root, drive = _norm(root), _norm(drive)
    if root == drive:
        return ""
    base = drive if drive.endswith(":") else drive + "/"
    if root.startswith(base):
        return root[len(base):].strip("/") + "/"
    return None


def drive_name(name: str, root: str | None, drive: str) -> str | None:
    """A transfer's path under the Drive: ``name`` as rclone logs it, under the job's root.

    None when the job copies from somewhere else (its files are no Drive rows). A root that is a file
    (`u` on one file) names its transfer by the file's own name, so its folder is the prefix.
    """
    if root is None:
        return name  # unknown source: rclone's name is the best guess
    prefix = drive_prefix(root, drive)
    if prefix is None:
        return None
    if prefix and prefix.rstrip("/").rpartition("/")[2] == name:
        prefix = prefix.rstrip("/").rpartition("/")[0]
        prefix = prefix + "/" if prefix else ""
    return prefix + name
