"""One summary per promotion journal, read from a journal only when it changed since it was last indexed.

A journal grows with the objects it promoted (a line per copy and per verification), and the
dashboard asked every journal on each start and each S3 refresh which sources it promoted. The
summaries are kept in ``<state>/journal/index.json`` keyed by file name with the journal's size
and mtime, and in memory for the life of the process: a start costs one stat per promotion, and a
journal is folded again only when its size or mtime moved (a running or resumed promotion).
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pixel_tui.core.promotion.journal import Journal, JournalCorrupt, JournalState, journal_dir, list_journals

if TYPE_CHECKING:
    from pixel_tui.core.config import Settings

INDEX_NAME = "index.json"
_VERSION = 1


@dataclass(frozen=True)
class JournalSummary:
    """What the history list, the S3 markers and the resume offer need from one journal."""

    id: str
    stamp: tuple[int, int]  # (size, mtime_ns) of the journal file when it was folded
    error: str = ""  # the JournalCorrupt message of an unreadable journal
    has_plan: bool = False
    mode: str = ""
    category: str = ""
    objects: int = 0
    bytes: int = 0
    sources: list[str] = field(default_factory=list)
    created: str = ""
    done: bool = False
    undone: bool = False
    cancelled: bool = False
    last_error: str = ""

    @property
    def complete(self) -> bool:
        """Finished or undone: nothing to resume."""
        return self.done or self.undone


def _stamp(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns


def summarize(journal: Journal) -> JournalSummary:
    """Fold one journal into its summary (JournalCorrupt becomes the summary's error)."""
    stamp = _stamp(journal.path)
    try:
        st = journal.state()
    except JournalCorrupt as exc:
        return JournalSummary(journal.id, stamp, error=exc.message)
    if st.plan is None:
        return JournalSummary(journal.id, stamp)
    p = st.plan
    tasks = [t for it in p["items"] for t in it["tasks"]]
    return JournalSummary(journal.id, stamp, has_plan=True, mode=p["mode"], category=categories_label(p),
                          objects=len(tasks), bytes=sum(t["size"] for t in tasks),
                          sources=[it["source"] for it in p["items"]], created=str(p.get("created", "")),
                          done=st.done, undone=st.undone, cancelled=st.cancelled, last_error=st.last_error)


def categories_label(plan: dict) -> str:
    """The categories a journaled plan's items went into (``cot_reasoning, professional_therapeutic``)."""
    cats = dict.fromkeys((it.get("category") or plan["category"]) for it in plan["items"])
    return ", ".join(cats) or plan["category"]


_memo: dict[str, dict[str, JournalSummary]] = {}  # journal dir -> file name -> summary, this process
_lock = threading.Lock()


def _load_index(path: Path) -> dict[str, JournalSummary]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        if doc.get("version") != _VERSION:
            return {}
        return {name: JournalSummary(**{**s, "stamp": tuple(s["stamp"])}) for name, s in doc["journals"].items()}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return {}  # missing or damaged: rebuilt from the journals, which stay the truth


def _save_index(path: Path, summaries: dict[str, JournalSummary]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps({"version": _VERSION, "journals": {n: asdict(s) for n, s in summaries.items()}},
                                  separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:  # a read-only state dir: the index is only a cache
        try:
            tmp.unlink()
        except OSError:
            pass


def summaries(settings: "Settings") -> list[JournalSummary]:
    """A summary of every journal, oldest first; only new or changed journals are read."""
    d = journal_dir(settings)
    journals = list_journals(settings)
    with _lock:
        known = _memo.get(str(d))
        if known is None:
            known = _load_index(d / INDEX_NAME)
        fresh: dict[str, JournalSummary] = {}
        changed = False
        out = []
        for j in journals:
            name = j.path.name
            try:
                stamp = _stamp(j.path)
            except OSError:
                continue  # removed since the directory was listed
            s = known.get(name)
            if s is None or s.stamp != stamp:
                s = summarize(j)
                changed = True
            fresh[name] = s
            out.append(s)
        changed = changed or len(fresh) != len(known)
        _memo[str(d)] = fresh
    if changed and d.is_dir():
        _save_index(d / INDEX_NAME, fresh)
    return out


def incomplete(settings: "Settings") -> list[tuple[Journal, JournalState]]:
    """Promotions that started and did not finish: what the app offers to resume (only those are folded)."""
    d = journal_dir(settings)
    out = []
    for s in summaries(settings):
        if not s.has_plan or s.complete:
            continue  # unreadable ones are reported by `history` and never offered for resume
        j = Journal(d / f"{s.id}.jsonl")
        if j.running():
            continue
        try:
            out.append((j, j.state()))
        except (JournalCorrupt, OSError):
            continue
    return out
