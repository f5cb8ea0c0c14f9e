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
from pixel_tui.core.files import StateDirUnwritable, open_private, state_subdir

if TYPE_CHECKING:
    from pixel_tui.core.config import Settings

PLAN, COPIED, VERIFIED, VERIFY_FAILED, REGISTRY_SAVED, SOURCES_DELETED = (
    "plan", "copied", "verified", "verify_failed", "registry_saved", "sources_deleted")
FAILED, CANCELLED, DONE, UNDONE = "failed", "cancelled", "done", "undone"


class JournalBusy(PixelError):
    """Another process is running this promotion right now."""


class JournalCorrupt(PixelError):
    """A journal file that cannot be read (bad byte, broken line, a plan of the wrong shape); it is skipped."""

    def __init__(self, path: Path, reason: str) -> None:
        shown = "".join(c if c.isprintable() else "?" for c in str(path))  # no control characters from a name
        super().__init__(f"journal {shown} is unreadable: {reason}",
                         "it is skipped (other promotions are unaffected); inspect the file or move it away")
        self.path = path
        self.reason = reason


class JournalNotFound(PixelError):
    """No journal with that id."""

    exit_code = 2


def journal_dir(settings: "Settings") -> Path:
    """Where journals live: <state>/journal."""
    return settings.state_path / "journal"


def _drop_torn_tail(fh, path: Path) -> None:
    """Cut a last line a crash left without its newline, so the next append is not glued onto it."""
    fh.flush()
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        os.ftruncate(fh.fileno(), data.rfind(b"\n") + 1)


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
        d = state_subdir(settings.state_path, "journal")
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
            try:
                fh = open_private(self.path)  # 0600: a journal names buckets, keys and endpoints
            except OSError as exc:
                raise StateDirUnwritable(f"cannot write journal {self.path}: {exc.strerror}; nothing was done",
                                         "make the state dir writable (`paths.state_dir`)") from None
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                fh.close()
                raise JournalBusy(f"promotion {self.id} is running in another process",
                                  "wait for it to finish, or check `pixel-tui history`") from None
            _drop_torn_tail(fh, self.path)
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
        """Every complete line (a torn last line is skipped); JournalCorrupt when a complete line is damaged."""
        try:
            data = self.path.read_bytes()
        except OSError as exc:
            raise JournalCorrupt(self.path, f"cannot read it ({exc.strerror})") from None
        lines = data.split(b"\n")
        lines.pop()  # what follows the last newline: empty, or a line torn by a crash
        out = []
        for n, raw in enumerate(lines, 1):
            try:
                rec = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError as exc:
                raise JournalCorrupt(self.path, f"line {n} is not UTF-8 (byte {exc.start + 1})") from None
            except json.JSONDecodeError as exc:
                raise JournalCorrupt(self.path, f"line {n} is not JSON ({exc.msg} at column {exc.colno})") from None
            if not isinstance(rec, dict):
                raise JournalCorrupt(self.path, f"line {n} is not a JSON object")
            out.append(rec)
        return out

    def state(self) -> JournalState:
        """Fold the lines into what happened (JournalCorrupt when the file is damaged)."""
        try:
            st = self._fold(self.records())
            if st.plan is not None:
                _check_plan(st.plan)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise JournalCorrupt(self.path, f"a record has the wrong shape ({type(exc).__name__})") from None
        return st

    def _fold(self, records: list[dict]) -> JournalState:
        st = JournalState()
        for r in records:
            ev = r.get("event")
            if ev == PLAN:
                st.plan = r["plan"]
            elif ev == COPIED:
                st.copies[r["dst"]] = {"etag": r.get("etag", ""), "parts": r.get("parts") or [],
                                       "attrs": r.get("attrs") or {}}
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


def _check_plan(plan: Any) -> None:
    """The fields everything reading a journal relies on; a TypeError/KeyError/ValueError when one is off."""
    if not isinstance(plan, dict):
        raise TypeError("plan")
    for key in ("id", "mode", "category"):
        if not isinstance(plan[key], str):
            raise TypeError(key)
    if not isinstance(plan["items"], list):
        raise TypeError("items")
    for item in plan["items"]:
        if not isinstance(item["source"], str) or not isinstance(item["tasks"], list):
            raise TypeError("item")
        for t in item["tasks"]:
            if not isinstance(t["size"], int):
                raise TypeError("size")


def list_journals(settings: "Settings") -> list[Journal]:
    """Every journal, oldest first (ids sort by time)."""
    d = journal_dir(settings)
    if not d.is_dir():
        return []
    return [Journal(p) for p in sorted(d.glob("*.jsonl"))]
