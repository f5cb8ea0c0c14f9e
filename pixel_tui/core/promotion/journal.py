"""Append-only JSON-lines journal of one promotion: the plan, then every step, so a crash can be resumed.

One file per promotion, ``<state>/journal/<id>.jsonl``. Lines are written and flushed one by one
(a killed process loses nothing the OS has seen); ``sync()`` fsyncs at phase boundaries. A torn
last line (power loss mid-write) is ignored when reading. While a promotion runs its journal is
held with an exclusive ``flock`` so two processes never resume the same one.
"""

from __future__ import annotations

import fcntl
import json
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pixel_tui.core.errors import PixelError

if TYPE_CHECKING:
    from pixel_tui.core.config import Settings

PLAN, COPIED, VERIFIED, VERIFY_FAILED, REGISTRY_SAVED, SOURCES_DELETED = (
    "plan", "copied", "verified", "verify_failed", "registry_saved", "sources_deleted")
FAILED, CANCELLED, DONE, UNDONE = "failed", "cancelled", "done", "undone"


class JournalBusy(PixelError):
    """Another process is running this promotion right now."""


class JournalNotFound(PixelError):
    """No journal with that id."""

    exit_code = 2


def journal_dir(settings: "Settings") -> Path:
    """Where journals live: <state>/journal."""
    return settings.state_path / "journal"


@dataclass
class JournalState:
    """What a journal says happened, folded from its lines."""

    plan: dict | None = None
    copies: dict[str, dict] = field(default_factory=dict)  # dst -> {"etag", "parts"}
    verified: dict[str, str] = field(default_factory=dict)  # dst -> verified ETag
    registry_saved: bool = False
    registry_changes: list[dict] = field(default_factory=list)
    registry_diff: str = ""
    sources_deleted: bool = False
    sources_kept_changed: list[str] = field(default_factory=list)  # raw keys kept: re-written after verification
    done: bool = False
    undone: bool = False
    last_error: str = ""
    cancelled: bool = False

    @property
    def complete(self) -> bool:
        """True when the promotion finished (or was undone): nothing to resume."""
        return self.done or self.undone


class Journal:
    """One promotion's journal file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.id = path.stem
        self._fh = None

    @classmethod
    def create(cls, settings: "Settings", plan_dict: dict) -> "Journal":
        """A new journal holding the plan as its first line."""
        d = journal_dir(settings)
        d.mkdir(parents=True, exist_ok=True)
        j = cls(d / f"{plan_dict['id']}.jsonl")
        if j.path.exists():
            raise PixelError(f"journal {j.path} already exists")
        j.open()
        j.append(PLAN, plan=plan_dict)
        j.sync()
        return j

    @classmethod
    def find(cls, settings: "Settings", promotion_id: str) -> "Journal":
        """The journal of ``promotion_id`` (raise JournalNotFound)."""
        if "/" in promotion_id or promotion_id.startswith("."):
            raise JournalNotFound(f"invalid promotion id {promotion_id!r}")
        path = journal_dir(settings) / f"{promotion_id}.jsonl"
        if not path.is_file():
            raise JournalNotFound(f"no promotion {promotion_id} in {journal_dir(settings)}",
                                  "`pixel-tui history` lists them")
        return cls(path)

    def open(self) -> "Journal":
        """Open for appending and take the exclusive lock (JournalBusy if another process holds it)."""
        if self._fh is None:
            fh = open(self.path, "a", encoding="utf-8")
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                fh.close()
                raise JournalBusy(f"promotion {self.id} is running in another process",
                                  "wait for it to finish, or check `pixel-tui history`") from None
            self._fh = fh
        return self

    def close(self) -> None:
        """Release the lock."""
        if self._fh is not None:
            self._fh.flush()
            self._fh.close()
            self._fh = None

    def __enter__(self) -> "Journal":
        return self.open()

    def __exit__(self, *exc) -> None:
        self.close()

    def running(self) -> bool:
        """True when some process (this one included) holds the journal's lock right now."""
        if self._fh is not None:
            return True
        with open(self.path, "a", encoding="utf-8") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(fh, fcntl.LOCK_UN)
        return False

    def append(self, event: str, **data: Any) -> None:
        """Write one line and hand it to the OS (flush)."""
        rec = {"event": event, "at": datetime.now(timezone.utc).isoformat(timespec="milliseconds"), **data}
        self._fh.write(json.dumps(rec, separators=(",", ":")) + "\n")
        self._fh.flush()

    def append_many(self, event: str, rows: list[dict]) -> None:
        """Write several lines of one event in one write (cheap for thousands of objects)."""
        if not rows:
            return
        at = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
        self._fh.write("".join(json.dumps({"event": event, "at": at, **r}, separators=(",", ":")) + "\n" for r in rows))
        self._fh.flush()

    def sync(self) -> None:
        """fsync: the lines so far survive a power cut."""
        if self._fh is not None:
            self._fh.flush()
            os.fsync(self._fh.fileno())

    def records(self) -> list[dict]:
        """Every complete line (a torn last line is skipped)."""
        out = []
        with open(self.path, encoding="utf-8") as fh:
            for line in fh:
                if not line.endswith("\n"):
                    break
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError:
                    break
        return out

    def state(self) -> JournalState:
        """Fold the lines into what happened."""
        st = JournalState()
        for r in self.records():
            ev = r.get("event")
            if ev == PLAN:
                st.plan = r["plan"]
            elif ev == COPIED:
                st.copies[r["dst"]] = {"etag": r.get("etag", ""), "parts": r.get("parts") or []}
            elif ev == VERIFIED:
                st.verified[r["dst"]] = r.get("etag", "")
            elif ev == VERIFY_FAILED:
                st.verified.pop(r["dst"], None)
                st.copies.pop(r["dst"], None)
            elif ev == REGISTRY_SAVED:
                st.registry_saved = True
                st.registry_changes = r.get("changes", [])
                st.registry_diff = r.get("diff", "")
            elif ev == SOURCES_DELETED:
                st.sources_deleted = True
                st.sources_kept_changed = list(r.get("kept_changed") or [])
            elif ev == DONE:
                st.done = True
            elif ev == UNDONE:
                st.undone = True
            elif ev == FAILED:
                st.last_error = r.get("error", "")
            elif ev == CANCELLED:
                st.cancelled = True
        return st


def list_journals(settings: "Settings") -> list[Journal]:
    """Every journal, oldest first (ids sort by time)."""
    d = journal_dir(settings)
    if not d.is_dir():
        return []
    return [Journal(p) for p in sorted(d.glob("*.jsonl"))]


def incomplete(settings: "Settings") -> list[tuple[Journal, JournalState]]:
    """Promotions that started and did not finish: what the app offers to resume."""
    out = []
    for j in list_journals(settings):
        st = j.state()
        if st.plan is not None and not st.complete and not j.running():
            out.append((j, st))
    return out
