"""The list of promotions for `history` and the history screen: journals joined with the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pixel_tui.core.promotion import audit
from pixel_tui.core.promotion.journal import Journal, journal_dir
from pixel_tui.core.promotion.journal_index import summaries

if TYPE_CHECKING:
    from pixel_tui.core.config import Settings


@dataclass
class PromotionRow:
    """One promotion as listed: id, status (done, undone, interrupted, failed), what, who."""

    id: str
    status: str
    mode: str
    category: str
    objects: int
    bytes: int
    sources: str
    user: str = ""
    host: str = ""
    when: str = ""
    error: str = ""
    items: int = 0  # sources promoted (each has its registry entry)

    def to_dict(self) -> dict:
        """JSON-able dict."""
        return dict(self.__dict__)

    @property
    def resumable(self) -> bool:
        """True when `promote --resume` has something to do."""
        return self.status in ("interrupted", "failed", "cancelled")


def list_promotions(settings: "Settings") -> list[PromotionRow]:
    """Every journaled promotion, newest first (from the journal index: a journal is read only when it changed)."""
    who = {r.get("id"): r for r in audit.records(settings) if r.get("action") == "promote"}
    d = journal_dir(settings)
    rows = []
    for s in summaries(settings):
        if s.error:  # reported as its own row; every other promotion still lists
            rows.append(PromotionRow(id=s.id, status="unreadable", mode="", category="", objects=0, bytes=0,
                                     sources="", error=s.error))
            continue
        if not s.has_plan:
            continue
        if s.undone:
            status = "undone"
        elif s.done:
            status = "done"
        elif Journal(d / f"{s.id}.jsonl").running():
            status = "running"
        elif s.cancelled and not s.last_error:
            status = "cancelled"
        elif s.last_error:
            status = "failed"
        else:
            status = "interrupted"
        a = who.get(s.id, {})
        rows.append(PromotionRow(
            id=s.id, status=status, mode=s.mode, category=s.category, objects=s.objects, bytes=s.bytes,
            sources=", ".join(s.sources), user=a.get("user", ""), host=a.get("host", ""),
            when=a.get("when", s.created), error=s.last_error, items=len(s.sources),
        ))
    return rows[::-1]


def count_unfinished_uploads(settings: "Settings", rows: list[PromotionRow], store_for) -> dict[str, int]:
    """For each resumable promotion, how many unfinished multipart uploads to its own destination keys
    the server still holds (``store_for(bucket)`` gives the store); one listing per promotion."""
    from pixel_tui.core.promotion.execute import leftover_uploads
    from pixel_tui.core.promotion.journal import Journal
    from pixel_tui.core.promotion.plan import Plan

    out: dict[str, int] = {}
    for row in rows:
        if not row.resumable:
            continue
        plan = Plan.from_dict(Journal.find(settings, row.id).state().plan)
        out[row.id] = len(leftover_uploads(store_for(plan.bucket), plan))
    return out


def promoted_sources(settings: "Settings") -> set[str]:
    """Raw keys and prefixes that a finished (not undone) promotion copied into processed."""
    out: set[str] = set()
    for s in summaries(settings):
        if not s.has_plan or not s.done or s.undone:
            continue
        for source in s.sources:
            out.add(source)
            if source.endswith("/"):
                out.add(source[:-1])
    return out
