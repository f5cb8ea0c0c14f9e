"""The list of promotions for `history` and the history screen: journals joined with the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pixel_tui.core.promotion import audit
from pixel_tui.core.promotion.journal import JournalCorrupt, list_journals

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

    def to_dict(self) -> dict:
        """JSON-able dict."""
        return dict(self.__dict__)

    @property
    def resumable(self) -> bool:
        """True when `promote --resume` has something to do."""
        return self.status in ("interrupted", "failed", "cancelled")


def list_promotions(settings: "Settings") -> list[PromotionRow]:
    """Every journaled promotion, newest first."""
    who = {r.get("id"): r for r in audit.records(settings) if r.get("action") == "promote"}
    rows = []
    for j in list_journals(settings):
        try:
            st = j.state()
        except JournalCorrupt as exc:  # reported as its own row; every other promotion still lists
            rows.append(PromotionRow(id=j.id, status="unreadable", mode="", category="", objects=0, bytes=0,
                                     sources="", error=exc.message))
            continue
        if st.plan is None:
            continue
        p = st.plan
        tasks = [t for it in p["items"] for t in it["tasks"]]
        if st.undone:
            status = "undone"
        elif st.done:
            status = "done"
        elif j.running():
            status = "running"
        elif st.cancelled and not st.last_error:
            status = "cancelled"
        elif st.last_error:
            status = "failed"
        else:
            status = "interrupted"
        a = who.get(p["id"], {})
        rows.append(PromotionRow(
            id=p["id"], status=status, mode=p["mode"], category=p["category"], objects=len(tasks),
            bytes=sum(t["size"] for t in tasks), sources=", ".join(it["source"] for it in p["items"]),
            user=a.get("user", ""), host=a.get("host", ""), when=a.get("when", p.get("created", "")),
            error=st.last_error,
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
    for j in list_journals(settings):
        try:
            st = j.state()
        except JournalCorrupt:
            continue
        if st.plan is None or not st.done or st.undone:
            continue
        for item in st.plan["items"]:
            source = item["source"]
            out.add(source)
            if source.endswith("/"):
                out.add(source[:-1])
    return out
