"""Undo a finished promotion: delete the copies it made and restore the registry entry, or refuse with the reason."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pixel_tui.core.promotion import audit
from pixel_tui.core.promotion.errors import ReadOnlyMode, UndoRefused, VerificationFailed
from pixel_tui.core.promotion.journal import UNDONE, Journal
from pixel_tui.core.promotion.plan import COPY, OVERWRITE, Plan
from pixel_tui.core.promotion.registry_update import restore_changes
from pixel_tui.core.promotion.verify import check_copy
from pixel_tui.core.storage.s3url import strip_etag
from pixel_tui.core.units import plural

if TYPE_CHECKING:
    from pixel_tui.core.config import Settings
    from pixel_tui.core.storage.s3 import S3Store


@dataclass
class UndoResult:
    """What an undo did."""

    id: str
    deleted: int
    restored_sources: int
    registry_diff: str
    copies_only: bool = False

    def to_dict(self) -> dict:
        """JSON-able dict."""
        return dict(self.__dict__)


def undo(store: "S3Store", settings: "Settings", promotion_id: str, *, copies_only: bool = False) -> UndoResult:
    """Delete the promotion's copies (restoring moved sources first) and its registry change; refuse if changed.

    ``copies_only``: delete the copies and keep the registry entry as it is now (what the operator chooses
    when someone edited the entry since)."""
    if settings.read_only:
        raise ReadOnlyMode("undo is disabled in read-only mode")
    journal = Journal.find(settings, promotion_id).open()
    try:
        state = journal.state()
        plan = Plan.from_dict(state.plan)
        if state.undone:
            raise UndoRefused(f"promotion {promotion_id} was already undone")
        if not state.done:
            raise UndoRefused(f"promotion {promotion_id} did not finish",
                              f"resume it first with `pixel-tui promote --resume {promotion_id}`")
        if store.bucket != plan.bucket:
            raise UndoRefused(f"promotion {promotion_id} was in bucket {plan.bucket!r}, not {store.bucket!r}")
        overwritten = [t for t in plan.tasks if t.action == OVERWRITE]
        if overwritten:
            raise UndoRefused(f"promotion {promotion_id} overwrote {plural(len(overwritten), 'existing object')}, "
                              f"first {overwritten[0].dst}; their old content cannot be restored")
        created = [t for t in plan.tasks if t.action == COPY]
        now = _current(store, plan)
        for t in created:
            obj = now.get(t.dst)
            want = strip_etag(state.verified.get(t.dst, ""))
            if obj is None:
                raise UndoRefused(f"{t.dst} no longer exists", "it was deleted or moved since the promotion")
            if obj.size != t.size or strip_etag(obj.etag) != want:
                raise UndoRefused(f"{t.dst} changed since the promotion (ETag {obj.etag}, was {want})",
                                  "someone wrote to it; undo would delete their data")
        changes = [] if copies_only else state.registry_changes
        restore_changes(settings, store, changes, plan.registry_location, check_only=True)
        restored = _restore_sources(store, plan) if plan.mode == "move" and state.sources_deleted else 0
        diff = restore_changes(settings, store, changes, plan.registry_location)
        store.delete_many([t.dst for t in created])
        journal.append(UNDONE, deleted=len(created), restored_sources=restored, copies_only=copies_only)
        journal.sync()
        audit.record(settings, "undo", id=plan.id, bucket=plan.bucket, category=plan.category, objects=len(created),
                     bytes=sum(t.size for t in created), keys=[t.dst for t in created], restored_sources=restored,
                     registry_location=plan.registry_location, registry_diff=diff, copies_only=copies_only)
        return UndoResult(plan.id, len(created), restored, diff, copies_only)
    finally:
        journal.close()


def _current(store: "S3Store", plan: Plan) -> dict:
    found = {}
    for item in plan.items:
        if item.is_folder:
            found.update((o.key, o) for o in store.walk(item.dest))
        else:
            head = store.head(item.dest)
            if head:
                found[head.key] = head
    return found


def _restore_sources(store: "S3Store", plan: Plan) -> int:
    """Copy moved objects back to their raw keys (verified) before the copies are deleted."""
    n = 0
    for t in plan.tasks:
        there = store.head(t.src)
        if there is not None:
            if there.size == t.size and strip_etag(there.etag) == strip_etag(t.etag):
                continue
            raise UndoRefused(f"raw key {t.src} exists again with other content", "undo would overwrite it")
        parts: list[str] = []
        etag = store.copy(t.dst, t.src, t.size, cutoff=plan.copy_cutoff, part_size=plan.part_size, parts=parts)
        dst_now = store.head(t.dst)
        reason = check_copy(store, dst_now, store.head(t.src), {"etag": etag, "parts": parts}, plan.part_size)
        if reason:
            raise VerificationFailed(f"restoring {t.src} failed verification: {reason}; nothing was deleted")
        n += 1
    for item in plan.items:
        for marker in item.markers:
            store.put_bytes(marker, b"")
    return n
