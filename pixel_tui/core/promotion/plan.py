"""The promotion plan: a pure, serialisable description of what will be copied where and what the registry becomes."""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Callable

from pixel_tui.core import units
from pixel_tui.core.errors import UnsafeNameError, redact
from pixel_tui.core.promotion.errors import ConflictsBlock, PromotionError, ReadOnlyMode
from pixel_tui.core.promotion.naming import canonical_name, check_category, check_key_under, check_name
from pixel_tui.core.promotion.plan_registry import RegistryChange, plan_registry
from pixel_tui.core.promotion.verify import same_content
from pixel_tui.core.storage.s3 import S3Object
from pixel_tui.core.storage.s3url import is_s3_url, parse_s3_url, s3_url
from pixel_tui.core.units import plural

if TYPE_CHECKING:
    from pixel_tui.core.config import Settings
    from pixel_tui.core.storage.s3 import S3Store

# What a task does: copy to a free key, overwrite a different object (explicit), skip an identical
# one, or block (a different object is there and overwrite was not chosen).
COPY, OVERWRITE, SKIP, CONFLICT = "copy", "overwrite", "skip", "conflict"


@dataclass
class CopyTask:
    """One source object and its destination key."""

    src: str
    dst: str
    size: int
    etag: str
    action: str = COPY
    dst_etag: str = ""  # the existing destination's ETag (skip/overwrite/conflict)

    def source_object(self) -> S3Object:
        """The source as an S3Object (for verification)."""
        return S3Object(self.src, self.size, self.etag)


@dataclass
class PlanItem:
    """One selected source (a key or a prefix) and where it goes."""

    source: str
    is_folder: bool
    name: str
    dest: str
    tasks: list[CopyTask] = field(default_factory=list)
    markers: list[str] = field(default_factory=list)  # empty folder-marker keys (deleted in move mode)
    registry: RegistryChange | None = None
    category: str = ""  # this item's category ('' in plans written before items had their own: the plan's)


@dataclass
class Plan:
    """Everything a promotion will do, computed before anything changes; JSON round-trips."""

    id: str
    created: str
    bucket: str
    endpoint: str | None
    category: str
    mode: str  # "copy" or "move"
    overwrite: bool
    items: list[PlanItem]
    copy_cutoff: int
    part_size: int
    registry_location: str | None = None
    registry_diff: str = ""
    # Where the server cannot copy by itself (the provider probe), copies go through this machine.
    stream_single: bool = False  # CopyObject missing: objects up to copy_cutoff are streamed
    stream_multipart: bool = False  # UploadPartCopy missing: objects above copy_cutoff are streamed
    copy_note: str = ""  # why, for the plan's text

    @property
    def copy_method(self) -> str:
        """How objects will be copied, in words."""
        if self.stream_single and self.stream_multipart:
            return "streamed through this machine (download and upload)"
        cut = units.human_bytes(self.copy_cutoff)
        if self.stream_multipart:
            return f"server-side up to {cut}, streamed through this machine above it"
        if self.stream_single:
            return f"streamed through this machine up to {cut}, server-side above it"
        return f"server-side (CopyObject up to {cut}, UploadPartCopy above)"

    @property
    def categories(self) -> list[str]:
        """The categories the items go into, in the items' order (the plan's own when there are no items)."""
        return list(dict.fromkeys(i.category or self.category for i in self.items)) or [self.category]

    @property
    def tasks(self) -> list[CopyTask]:
        """Every copy task of every item."""
        return [t for item in self.items for t in item.tasks]

    @property
    def conflicts(self) -> list[CopyTask]:
        """Tasks blocked by a different object at the destination."""
        return [t for t in self.tasks if t.action == CONFLICT]

    @property
    def to_copy(self) -> list[CopyTask]:
        """Tasks that will copy (including explicit overwrites)."""
        return [t for t in self.tasks if t.action in (COPY, OVERWRITE)]

    @property
    def object_count(self) -> int:
        """Number of source objects (markers excluded)."""
        return len(self.tasks)

    @property
    def total_bytes(self) -> int:
        """Bytes of all source objects."""
        return sum(t.size for t in self.tasks)

    @property
    def copy_bytes(self) -> int:
        """Bytes that will actually be copied."""
        return sum(t.size for t in self.to_copy)

    def blocked(self) -> bool:
        """True when conflicts stop the plan from running."""
        return bool(self.conflicts)

    def to_dict(self) -> dict:
        """Plain JSON-able dict (the journal stores this)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Plan":
        """Rebuild a plan from to_dict() output."""
        d = dict(d)
        items = []
        for it in d.pop("items"):
            it = dict(it)
            tasks = [CopyTask(**t) for t in it.pop("tasks")]
            reg = it.pop("registry")
            items.append(PlanItem(**it, tasks=tasks, registry=RegistryChange(**reg) if reg else None))
        return cls(**d, items=items)

    def to_json(self) -> str:
        """The plan as one JSON document, for --json and --dry-run --json."""
        d = self.summary()
        d["plan"] = self.to_dict()
        return json.dumps(d)

    def summary(self) -> dict:
        """Counts and bytes, as shown at the top of the plan."""
        return {
            "id": self.id, "mode": self.mode, "category": self.category, "categories": self.categories,
            "objects": self.object_count,
            "bytes": self.total_bytes, "to_copy": len(self.to_copy), "copy_bytes": self.copy_bytes,
            "skipped": sum(1 for t in self.tasks if t.action == SKIP),
            "overwrites": sum(1 for t in self.tasks if t.action == OVERWRITE),
            "conflicts": len(self.conflicts),
            "markers": sum(len(i.markers) for i in self.items),
            "copy_method": self.copy_method,
        }

    def render(self, max_lines: int = 20) -> str:
        """The plan as text for a person: each source -> destination, counts, conflicts, registry diff."""
        s = self.summary()
        cats = self.categories
        out = [f"Promotion {self.id} ({self.mode}) into {', '.join(cats)} in s3://{self.bucket}"]
        for item in self.items:
            kind = "folder" if item.is_folder else "object"
            where = f"[{item.category}] " if len(cats) > 1 else ""
            out.append(f"  {where}{item.source} -> {item.dest}  ({kind}, {units.plural(len(item.tasks), 'object')}, "
                       f"{units.human_bytes(sum(t.size for t in item.tasks))})")
            for t in item.tasks[:max_lines] if item.is_folder else []:
                out.append(f"      {t.src} -> {t.dst}  [{t.action}]")
            if item.is_folder and len(item.tasks) > max_lines:
                out.append(f"      ... and {len(item.tasks) - max_lines} more")
        out.append(f"Objects: {s['objects']:,} ({units.human_bytes(s['bytes'])}); to copy: {s['to_copy']:,} "
                   f"({units.human_bytes(s['copy_bytes'])}); identical, skipped: {s['skipped']:,}; "
                   f"overwrite: {s['overwrites']:,}; conflicts: {s['conflicts']:,}")
        out.append(f"Copies: {self.copy_method}" + (f" ({self.copy_note})" if self.copy_note else ""))
        for t in self.conflicts[:max_lines]:
            out.append(f"  CONFLICT {t.dst} exists with different content (ETag {t.dst_etag}); use overwrite to replace it")
        if self.mode == "move":
            out.append(f"MOVE: after verification {units.plural(s['objects'], 'raw object')} "
                       f"({units.human_bytes(s['bytes'])}) and {units.plural(s['markers'], 'folder marker')} will be deleted")
        if self.registry_location:
            out.append(f"Registry {self.registry_location}:")
            out.append(self.registry_diff.rstrip("\n") or "  (no change)")
        else:
            out.append("Registry: none configured (registry.location); it will not be updated")
        return "\n".join(out)


def new_id() -> str:
    """A sortable promotion id: UTC time plus 4 random hex digits."""
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(2)


def source_key(src: str, bucket: str) -> str:
    """The key of an `s3://bucket/key` (or bare key) argument; another bucket is refused."""
    if is_s3_url(src):
        b, key = parse_s3_url(src)
        if b != bucket:
            raise UnsafeNameError(f"{src} is not in the configured bucket {bucket!r}", "promotion stays inside one bucket")
        return key
    return src


def _resolve(store: "S3Store", key: str, cancelled) -> tuple[bool, list[S3Object]]:
    """(is_folder, objects) of a source: a key, or a prefix (ending in '/' or not)."""
    if not key.endswith("/"):
        obj = store.head(key)
        if obj is not None:
            return False, [obj]
        key += "/"
    objs = list(store.walk(key, cancelled))
    if not objs:
        raise PromotionError(f"{s3_url(store.bucket, key.rstrip('/'))} does not exist (neither an object nor a prefix)",
                             "if it is still on Drive, upload it to raw first (monitor screen `m`, then `u`)")
    return True, objs


def build_plan(store: "S3Store", settings: "Settings", sources: list[str], category: str, *, name: str | None = None,
               move: bool = False, overwrite: bool = False, registry=None,
               registry_entry: tuple[str, str, dict] | None = None,
               categories: dict[str, str] | None = None,
               cancelled: Callable[[], bool] | None = None) -> Plan:
    """Look at sources, destinations and the registry, and return the plan; changes nothing.

    ``registry`` is a loaded Registry (or None to load settings.registry); ``registry_entry`` =
    (group, name, fields) overrides the suggested entry for a single source; ``categories`` gives
    sources their own category (the others take ``category``).
    """
    if settings.read_only:
        raise ReadOnlyMode("promotion is disabled in read-only mode", "start without --read-only (ui.read_only = false)")
    check_category(category, settings)
    categories = dict(categories or {})
    for cat in categories.values():
        check_category(cat, settings)
    if not sources:
        raise PromotionError("nothing to promote: give at least one s3:// raw key or prefix")
    if name is not None and len(sources) > 1:
        raise PromotionError("--name applies to one source; give one SRC or let the names be suggested")
    if name is not None:
        check_name(name)
    raw, bucket = settings.raw_prefix, store.bucket
    items: list[PlanItem] = []
    seen_dst: set[str] = set()
    for src in sources:
        item_category = categories.get(src, category)
        dest_prefix = settings.category_prefix(item_category)
        key = check_key_under(source_key(src, bucket), raw, "source")
        is_folder, objs = _resolve(store, key, cancelled)
        base = key.rstrip("/").rsplit("/", 1)[-1]
        item_name = check_name(name or canonical_name(base, item_category, is_folder=is_folder))
        dest = dest_prefix + item_name + ("/" if is_folder else "")
        item = PlanItem(source=key if not is_folder else key.rstrip("/") + "/", is_folder=is_folder,
                        name=item_name, dest=dest, category=item_category)
        for obj in objs:
            if is_folder and obj.key.endswith("/"):
                item.markers.append(obj.key)
                continue
            dst = dest + obj.key[len(item.source):] if is_folder else dest
            check_key_under(dst, dest_prefix, "destination")
            if dst in seen_dst:
                raise PromotionError(f"two sources would be copied to the same key {dst}")
            seen_dst.add(dst)
            item.tasks.append(CopyTask(obj.key, dst, obj.size, obj.etag))
        _mark_conflicts(store, item, overwrite, cancelled)
        items.append(item)
    plan = Plan(id=new_id(), created=datetime.now(timezone.utc).isoformat(timespec="seconds"), bucket=bucket,
                endpoint=redact(store.endpoint_url) if store.endpoint_url else None, category=category, mode="move" if move else "copy", overwrite=overwrite,
                items=items, copy_cutoff=settings.copy_cutoff, part_size=settings.part_size)
    _plan_copy_method(plan, store, settings)
    plan_registry(plan, store, settings, registry, registry_entry)
    return plan


def _plan_copy_method(plan: Plan, store: "S3Store", settings: "Settings") -> None:
    """Stream what the server cannot copy, from the endpoint's probe (made now once per endpoint, or only
    read from the cache in read-only mode: a probe writes scratch keys)."""
    from pixel_tui.core.errors import PixelError
    from pixel_tui.core.storage.probe import cached, provider

    if not plan.to_copy:
        return
    try:
        report = cached(store) if settings.read_only else provider(store)
    except PixelError:
        report = None
    if report is None:
        return
    plan.stream_single = report.copy_object is False
    plan.stream_multipart = report.upload_part_copy is False
    missing = [name for name, bad in (("CopyObject", plan.stream_single), ("UploadPartCopy", plan.stream_multipart))
               if bad]
    if missing:
        plan.copy_note = f"the server's {' and '.join(missing)} does not work (pixel-tui check --provider)"


def _mark_conflicts(store: "S3Store", item: PlanItem, overwrite: bool, cancelled) -> None:
    """Set each task's action from what already sits at its destination."""
    if item.is_folder:
        existing = {o.key: o for o in store.walk(item.dest, cancelled)}
    else:
        head = store.head(item.dest)
        existing = {head.key: head} if head else {}
    for t in item.tasks:
        there = existing.get(t.dst)
        if there is None:
            continue
        t.dst_etag = there.etag
        if same_content(t.source_object(), there):
            t.action = SKIP
        else:
            t.action = OVERWRITE if overwrite else CONFLICT


def require_runnable(plan: Plan) -> None:
    """Raise ConflictsBlock when conflicts stop the plan."""
    if plan.blocked():
        first = plan.conflicts[0]
        raise ConflictsBlock(
            f"{plural(len(plan.conflicts), 'destination')} {'exists' if len(plan.conflicts) == 1 else 'exist'} "
            f"with different content, first {first.dst}",
            "choose overwrite (--overwrite) to replace them, or another name (--name)",
        )
