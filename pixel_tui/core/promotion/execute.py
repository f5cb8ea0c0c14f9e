"""Run a plan: parallel server-side copies, verify every one, then registry, then (move) delete sources.

Every step goes to the journal first, so ``resume`` after a crash, a cancel or a dead server skips
what is already verified and redoes the rest; a copy to the same key is idempotent, so nothing is
ever duplicated, and sources are deleted only once every copy is verified and the registry saved.
"""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from pixel_tui.core.errors import CopyNotSupported, PixelError, render_error
from pixel_tui.core.promotion import audit
from pixel_tui.core.promotion.errors import Cancelled, PromotionError, ReadOnlyMode, VerificationFailed
from pixel_tui.core.promotion.journal import (
    CANCELLED,
    COPIED,
    DONE,
    FAILED,
    REGISTRY_SAVED,
    SOURCES_DELETED,
    VERIFIED,
    VERIFY_FAILED,
    Journal,
    JournalState,
)
from pixel_tui.core.promotion.plan import SKIP, CopyTask, Plan, require_runnable
from pixel_tui.core.promotion.verify import check_copy, same_content
from pixel_tui.core.storage.fastcopy import FastCopier
from pixel_tui.core.storage.s3 import MAX_COPY_PART
from pixel_tui.core.storage.s3url import strip_etag
from pixel_tui.core.units import plural

if TYPE_CHECKING:
    from pixel_tui.core.config import Settings
    from pixel_tui.core.storage.s3 import S3Object, S3Store


@dataclass
class Progress:
    """Where a running promotion is: phase, objects and bytes done of total, rate and ETA."""

    phase: str
    objects_done: int
    objects_total: int
    bytes_done: int
    bytes_total: int
    elapsed: float

    @property
    def rate(self) -> float:
        """Bytes per second so far."""
        return self.bytes_done / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def objects_rate(self) -> float:
        """Objects per second so far."""
        return self.objects_done / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def eta(self) -> float | None:
        """Seconds left at the current rate (None before anything is known)."""
        if self.bytes_total and self.bytes_done and self.rate > 0:
            return max(0.0, (self.bytes_total - self.bytes_done) / self.rate)
        if self.objects_total and self.objects_done and self.objects_rate > 0:
            return max(0.0, (self.objects_total - self.objects_done) / self.objects_rate)
        return None

    @property
    def fraction(self) -> float:
        """0..1 done, by bytes when there are any, else by objects."""
        if self.bytes_total:
            return min(1.0, self.bytes_done / self.bytes_total)
        return min(1.0, self.objects_done / self.objects_total) if self.objects_total else 1.0


@dataclass
class Result:
    """What a finished promotion did."""

    id: str
    status: str
    copied: int = 0
    skipped: int = 0
    verified: int = 0
    bytes_copied: int = 0
    uploads_aborted: int = 0  # a killed run's unfinished multipart uploads, aborted by resume
    streamed: int = 0  # copies made through this machine (the server could not copy them itself)
    registry_diff: str = ""
    sources_deleted: int = 0
    sources_kept_changed: list[str] = field(default_factory=list)  # raw keys re-written after verification
    seconds: float = 0.0
    journal: str = ""

    def to_dict(self) -> dict:
        """JSON-able dict for --json."""
        out = dict(self.__dict__)
        out["sources_kept_changed"] = list(self.sources_kept_changed)
        return out


@dataclass
class _Run:
    store: "S3Store"
    settings: "Settings"
    plan: Plan
    journal: Journal
    state: JournalState
    progress: Callable[[Progress], None] | None
    cancel: threading.Event
    result: Result
    copier: FastCopier | None = None
    started: float = field(default_factory=time.monotonic)
    _last_tick: float = 0.0
    # Bytes of streamed copies still running (dst -> uploaded so far): progress in bytes, not per object.
    partial: dict = field(default_factory=dict)
    partial_lock: threading.Lock = field(default_factory=threading.Lock)

    def streamed(self, dst: str, n: int) -> None:
        with self.partial_lock:
            self.partial[dst] = self.partial.get(dst, 0) + n

    def in_flight_bytes(self) -> int:
        with self.partial_lock:
            return sum(self.partial.values())

    def tick(self, phase: str, objs: int, total_objs: int, done_bytes: int, total_bytes: int, force=False) -> None:
        now = time.monotonic()
        if self.progress and (force or now - self._last_tick >= 0.1):
            self._last_tick = now
            self.progress(Progress(phase, objs, total_objs, done_bytes, total_bytes, now - self.started))


def execute(store: "S3Store", settings: "Settings", plan: Plan, *, progress: Callable[[Progress], None] | None = None,
            cancel: threading.Event | None = None) -> Result:
    """Journal the plan and run it to the end (or raise, journaled, so it can be resumed)."""
    if settings.read_only:
        raise ReadOnlyMode("promotion is disabled in read-only mode")
    require_runnable(plan)
    _check_target(store, plan)
    journal = Journal.create(settings, plan.to_dict())
    try:
        return _run(store, settings, plan, journal, JournalState(plan=plan.to_dict()), progress, cancel)
    finally:
        journal.close()


def resume(store: "S3Store", settings: "Settings", promotion_id: str, *,
           progress: Callable[[Progress], None] | None = None, cancel: threading.Event | None = None) -> Result:
    """Go on with an interrupted promotion: verified objects are skipped, the rest copied again."""
    if settings.read_only:
        raise ReadOnlyMode("promotion is disabled in read-only mode")
    journal = Journal.find(settings, promotion_id).open()
    try:
        state = journal.state()
        if state.plan is None:
            raise PromotionError(f"journal {journal.path} holds no plan; nothing to resume")
        plan = Plan.from_dict(state.plan)
        if state.complete:
            return Result(plan.id, "already done" if state.done else "undone", journal=str(journal.path))
        _check_target(store, plan)
        aborted = abort_leftover_uploads(store, plan)
        if aborted:
            journal.append("uploads_aborted", count=aborted)
        result = _run(store, settings, plan, journal, state, progress, cancel)
        result.uploads_aborted = aborted
        return result
    finally:
        journal.close()


def leftover_uploads(store: "S3Store", plan: Plan) -> list[tuple[str, str]]:
    """Unfinished multipart uploads to this plan's own destination keys (a killed run's leftovers)."""
    dsts = {t.dst for t in plan.tasks}
    if not dsts:
        return []
    prefix = os.path.commonprefix(sorted(dsts))
    return [(key, uid) for key, uid in store.unfinished_uploads(prefix) if key in dsts]


def abort_leftover_uploads(store: "S3Store", plan: Plan) -> int:
    """Abort the plan's leftover multipart uploads before copying again; only its own keys, never others'.

    Safe while nothing else writes those keys: the journal's lock keeps a second run of this promotion
    out, and the destination keys are this promotion's own."""
    left = leftover_uploads(store, plan)
    for key, upload_id in left:
        store.abort_upload(key, upload_id)
    return len(left)


def _check_target(store: "S3Store", plan: Plan) -> None:
    if store.bucket != plan.bucket:
        raise PromotionError(f"promotion {plan.id} is for bucket {plan.bucket!r}, the store is {store.bucket!r}")


def _run(store, settings, plan, journal, state, progress, cancel) -> Result:
    run = _Run(store, settings, plan, journal, state, progress, cancel or threading.Event(),
               Result(plan.id, "running", journal=str(journal.path)))
    run.copier = FastCopier(store, pool_size=max(16, settings.concurrency * 2))
    try:
        _copy_phase(run)
        _verify_phase(run)
        _registry_phase(run)
        _delete_phase(run)
    except Cancelled:
        journal.append(CANCELLED)
        journal.sync()
        raise
    except PixelError as exc:
        journal.append(FAILED, error=exc.message)
        journal.sync()
        if isinstance(exc, PromotionError):
            raise
        raise PromotionError(
            f"promotion {plan.id} stopped: {render_error(exc, one_line=True)}",
            f"nothing in the registry changed; when the cause is fixed run `pixel-tui promote --resume {plan.id}`",
        ) from exc
    except BaseException as exc:
        journal.append(FAILED, error=repr(exc))
        journal.sync()
        raise
    res = run.result
    res.status = "done"
    res.seconds = time.monotonic() - run.started
    res.skipped = sum(1 for t in plan.tasks if t.action == SKIP)
    audit.record(
        settings, "promote", id=plan.id, bucket=plan.bucket, category=plan.category, mode=plan.mode,
        objects=plan.object_count, bytes=plan.total_bytes, copied=res.copied, skipped=res.skipped,
        keys=[[t.src, t.dst, t.action] for t in plan.tasks], registry_location=plan.registry_location,
        registry_diff=res.registry_diff, journal=str(journal.path),
    )
    journal.append(DONE, seconds=round(res.seconds, 3))
    journal.sync()
    run.tick("done", len(plan.tasks), len(plan.tasks), plan.total_bytes, plan.total_bytes, force=True)
    return res


def _copy_one(run: _Run, t: CopyTask, stop: threading.Event) -> dict | None:
    if stop.is_set() or run.cancel.is_set():
        return None
    single = t.size <= min(run.plan.copy_cutoff, MAX_COPY_PART)
    if (run.plan.stream_single if single else run.plan.stream_multipart):
        return _stream_one(run, t)
    parts: list[str] = []
    attrs: dict = {}
    kwargs = dict(cutoff=run.plan.copy_cutoff, part_size=run.plan.part_size, parallel=run.settings.concurrency,
                  parts=parts)
    try:
        if single:
            etag = run.copier.copy(t.src, t.dst, t.size, **kwargs)
        else:
            etag = run.store.copy(t.src, t.dst, t.size, attrs_out=attrs, **kwargs)
    except CopyNotSupported:
        # The server refused (501 NotImplemented) or faked the copy: the same bytes through this machine.
        return _stream_one(run, t)
    return {"dst": t.dst, "etag": etag, "parts": parts, "attrs": attrs, "method": "server-side"}


def _stream_one(run: _Run, t: CopyTask) -> dict:
    """Download-and-upload copy (ranged GETs, multipart PUTs); verified like a server-side one."""
    parts: list[str] = []
    attrs: dict = {}
    try:
        etag = run.store.stream_copy(t.src, t.dst, t.size, part_size=run.plan.part_size,
                                     parallel=max(1, min(4, run.settings.concurrency)), parts=parts, attrs_out=attrs,
                                     on_bytes=lambda n: run.streamed(t.dst, n))
    finally:
        with run.partial_lock:
            run.partial.pop(t.dst, None)
    return {"dst": t.dst, "etag": etag, "parts": parts, "attrs": attrs, "method": "streamed"}


def _copy_phase(run: _Run) -> None:
    plan, state = run.plan, run.state
    # Copies journaled by an earlier run are not redone: the verify phase checks them, and one
    # that fails is dropped from the journal's copies so the next resume copies it again.
    pending = [t for t in plan.to_copy if t.dst not in state.verified and t.dst not in state.copies]
    total_objs, total_bytes = len(plan.tasks), plan.total_bytes
    done_objs = total_objs - len(pending)
    done_bytes = total_bytes - sum(t.size for t in pending)
    run.tick("copy", done_objs, total_objs, done_bytes, total_bytes, force=True)
    stop, errors, rows = threading.Event(), [], []
    workers = max(1, run.settings.concurrency)
    # Largest first: a big multipart copy then overlaps with the many small ones.
    pending.sort(key=lambda t: -t.size)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        it = iter(pending)
        running: dict = {}
        last_flush = time.monotonic()
        while True:
            # Keep at most 2x workers in flight so a cancel stops quickly and memory stays flat.
            while len(running) < workers * 2 and not stop.is_set() and not run.cancel.is_set():
                t = next(it, None)
                if t is None:
                    break
                running[pool.submit(_copy_one, run, t, stop)] = t
            if not running:
                break
            finished, _ = wait(running, timeout=0.2, return_when=FIRST_COMPLETED)
            for fut in finished:
                t = running.pop(fut)
                try:
                    rec = fut.result()
                except Exception as exc:  # first error stops new copies; in-flight ones finish
                    errors.append(exc)
                    stop.set()
                    continue
                if rec is None:
                    continue
                state.copies[t.dst] = rec
                rows.append(rec)
                run.result.copied += 1
                if rec.get("method") == "streamed":
                    run.result.streamed += 1
                run.result.bytes_copied += t.size
                done_objs += 1
                done_bytes += t.size
            if rows and (len(rows) >= 500 or time.monotonic() - last_flush > 0.25):
                run.journal.append_many(COPIED, rows)
                rows, last_flush = [], time.monotonic()
            run.tick("copy", done_objs, total_objs, done_bytes + run.in_flight_bytes(), total_bytes)
    run.journal.append_many(COPIED, rows)
    run.journal.sync()
    # The loop's ticks are throttled: the copies that end it can fall inside the throttle.
    run.tick("copy", done_objs, total_objs, done_bytes, total_bytes, force=True)
    if errors:
        raise errors[0]
    if run.cancel.is_set():
        raise Cancelled(f"promotion {plan.id} cancelled after {done_objs:,} of {plural(total_objs, 'object')}",
                        f"nothing in the registry changed; `pixel-tui promote --resume {plan.id}` goes on from here")


def _destinations(run: _Run) -> dict[str, "S3Object"]:
    """What is at every destination now: one listing per folder item, one HEAD per single object."""
    found: dict[str, S3Object] = {}
    for item in run.plan.items:
        if item.is_folder:
            found.update((o.key, o) for o in run.store.walk(item.dest))
        else:
            head = run.store.head(item.dest)
            if head is not None:
                found[head.key] = head
    return found


def _verify_phase(run: _Run) -> None:
    plan, state = run.plan, run.state
    todo = [t for t in plan.tasks if t.dst not in state.verified]
    if not todo:
        return
    run.tick("verify", 0, len(todo), 0, 0, force=True)
    found = _destinations(run)

    def check(t: CopyTask) -> str | None:
        dst = found.get(t.dst)
        if t.action == SKIP:
            return None if dst is not None and same_content(t.source_object(), dst) else \
                "the identical object planned to be skipped changed or disappeared since the plan"
        if t.dst not in state.copies:
            return "not copied"
        return check_copy(run.store, t.source_object(), dst, state.copies.get(t.dst), plan.part_size)

    with ThreadPoolExecutor(max_workers=max(1, run.settings.concurrency)) as pool:
        reasons = list(pool.map(check, todo))
    good, bad = [], []
    for t, reason in zip(todo, reasons):
        if reason is None:
            good.append({"dst": t.dst, "etag": found[t.dst].etag})
            state.verified[t.dst] = found[t.dst].etag
        else:
            bad.append({"dst": t.dst, "reason": reason})
    run.journal.append_many(VERIFIED, good)
    run.journal.append_many(VERIFY_FAILED, bad)
    run.journal.sync()
    run.result.verified = len(state.verified)
    run.tick("verify", len(todo), len(todo), 0, 0, force=True)
    if bad:
        for b in bad:
            state.copies.pop(b["dst"], None)
        first = bad[0]
        raise VerificationFailed(
            f"{len(bad):,} of {plural(len(todo), 'copy', 'copies')} failed verification; first {first['dst']}: {first['reason']}",
            f"the registry and the sources were not touched; `pixel-tui promote --resume {plan.id}` copies them again",
        )


def _registry_phase(run: _Run) -> None:
    from pixel_tui.core.promotion.registry_update import save_changes

    plan, state = run.plan, run.state
    if state.registry_saved:
        run.result.registry_diff = state.registry_diff
        return
    if not plan.registry_location:
        return
    run.tick("registry", 0, 1, 0, 0, force=True)
    diff, changes = save_changes(run.settings, run.store, plan.items, plan.registry_location)
    run.journal.append(REGISTRY_SAVED, changes=changes, diff=diff)
    run.journal.sync()
    state.registry_saved, state.registry_changes, state.registry_diff = True, changes, diff
    run.result.registry_diff = diff


def _delete_phase(run: _Run) -> None:
    plan, state = run.plan, run.state
    if plan.mode != "move":
        return
    if state.sources_deleted:
        run.result.sources_kept_changed = list(state.sources_kept_changed)
        return
    missing = [t.dst for t in plan.tasks if t.dst not in state.verified]
    if missing:  # cannot happen after _verify_phase; guard because deleting is the one irreversible step
        raise PromotionError(f"refusing to delete sources: {plural(len(missing), 'copy', 'copies')} "
                             f"{'is' if len(missing) == 1 else 'are'} not verified")
    # Each source is deleted only while it is still the object whose copy was verified: a raw file
    # re-uploaded since then (other size or ETag) is kept and reported, never lost.
    expected: dict[str, tuple[int, str]] = {t.src: (t.size, strip_etag(t.etag)) for t in plan.tasks}
    markers = [m for item in plan.items for m in item.markers if m not in expected]
    keys = list(expected) + markers
    run.tick("delete", 0, len(keys), 0, 0, force=True)
    with ThreadPoolExecutor(max_workers=max(1, run.settings.concurrency)) as pool:
        heads = list(pool.map(run.store.head, keys))
    to_delete, kept = [], []
    for key, now in zip(keys, heads):
        if now is None:
            continue  # already gone (an earlier, interrupted delete)
        size, etag = expected.get(key, (0, ""))
        if now.size != size or (key in expected and strip_etag(now.etag) != etag):
            kept.append(key)
        else:
            to_delete.append(now)
    kept += run.store.delete_if_unchanged(to_delete)
    kept_set = set(kept)
    deleted = sum(1 for o in to_delete if o.key not in kept_set)
    run.journal.append(SOURCES_DELETED, count=deleted, kept_changed=kept)
    run.journal.sync()
    run.result.sources_deleted = deleted
    run.result.sources_kept_changed = kept
