"""The registry side of a promotion, through the registry model: load, apply, save, restore on undo."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Iterable

from pixel_tui.core.promotion.errors import PromotionError, UndoRefused

if TYPE_CHECKING:
    from pixel_tui.core.config import Settings
    from pixel_tui.core.promotion.plan import PlanItem
    from pixel_tui.core.storage.s3 import S3Store


def load_registry(settings: "Settings", store: "S3Store", location: str | None = None):
    """The registry at ``location`` (default: the configured one), freshly loaded; None when none is set."""
    location = location or settings.registry
    if not location:
        return None
    from pixel_tui.core.registry.document import Registry
    from pixel_tui.core.storage.s3 import store_factory

    return Registry.load(location, store_factory(settings, reuse=store),
                         backup_dir=settings.state_path / "registry-backups", max_bytes=settings.registry_max_bytes)


def _same(a, b) -> bool:
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def changed_fields_list(was: dict | None, now: dict | None) -> list[str]:
    """The fields that differ between what the promotion wrote and the entry now, in the entry's order."""
    was, now = was or {}, now or {}
    keys = list(dict.fromkeys([*now, *was]))
    return [k for k in keys if k not in now or k not in was or not _same(now[k], was[k])]


def changed_fields(was: dict | None, now: dict | None) -> str:
    """What a person needs to hear: ``the entry was removed`` or ``notes changed``, ``path and size_mb changed``."""
    if now is None:
        return "the entry was removed"
    names = changed_fields_list(was, now)
    parts = [f"{k} {'added' if k not in (was or {}) else 'removed' if k not in now else 'changed'}" for k in names]
    return ", ".join(parts) or "its layout changed"


def apply_changes(registry, items: Iterable["PlanItem"], *, strict: bool = False) -> list[dict]:
    """Apply each item's registry change in memory; returns what each entry was before.

    With ``strict`` (execution), an entry that is neither the planned ``before`` nor already the
    planned ``after`` means someone edited it since the plan: refuse rather than overwrite their work.
    """
    applied = []
    for item in items:
        ch = item.registry
        if ch is None:
            continue
        moved_from = getattr(ch, "moved_from", "")
        # A moving entry is still in its old group (or, in a resumed run, already in the new one).
        ref = (registry.ref(moved_from, ch.name) if moved_from else None) or registry.ref(ch.group, ch.name)
        now = dict(ref.entry) if ref else None
        if strict and not (_same(now, ch.before) or _same(now, ch.after)):
            raise PromotionError(
                f"registry entry {ref.group if ref else ch.group}/{ch.name} in {registry.location} changed since "
                "the plan was made",
                "the verified copies are kept; review the entry and run the promotion again (it will skip them)",
            )
        record = {"group": ch.group, "name": ch.name, "before": now, "after": ch.after}
        if now is None:
            registry.set_entry(ch.group, ch.name, ch.after)
        else:
            if ref.group != ch.group:
                # Where it stood, so that an undo puts it back in its place, not last in its group.
                record.update(moved_from=ref.group, moved_after=registry.member_before(ref.group, ch.name))
                registry.move(ref.group, ch.name, ch.group)
            registry.update_fields(ch.group, ch.name, **{k: v for k, v in ch.after.items() if not _same(now.get(k), v)})
        applied.append(record)
    return applied


def save_changes(settings: "Settings", store: "S3Store", items: list["PlanItem"],
                 location: str | None = None) -> tuple[str, list[dict]]:
    """Reload the registry, apply the plan's changes and save atomically; returns (diff, changes)."""
    registry = load_registry(settings, store, location)
    if registry is None:
        return "", []
    changes = apply_changes(registry, items, strict=True)
    diff = registry.diff()
    registry.save(backups=settings.backups)
    return diff, changes


def restore_changes(settings: "Settings", store: "S3Store", changes: list[dict], location: str | None = None, *,
                    check_only: bool = False) -> str:
    """Put each changed entry back as it was before; refuse if any is not what the promotion wrote."""
    if not changes:
        return ""
    registry = load_registry(settings, store, location)
    if registry is None:
        raise UndoRefused("the promotion changed the registry but no registry is configured now",
                          "set registry.location (or --registry) to the registry it changed")
    for ch in changes:
        ref = registry.ref(ch["group"], ch["name"])
        now = dict(ref.entry) if ref else None
        if not _same(now, ch["after"]):
            raise UndoRefused(
                f"registry entry {ch['group']}/{ch['name']} changed since the promotion "
                f"({changed_fields(ch['after'], now)})",
                "undo the copies only (`history undo ID --copies-only`, or c in the history) to keep the entry "
                "as it is now, or restore it by hand in the registry screen",
                fields=changed_fields_list(ch["after"], now),
            )
    if check_only:
        return ""
    for ch in changes:
        before = ch["before"]
        if before is None:
            registry.remove(ch["group"], ch["name"])
            continue
        group = ch.get("moved_from") or ch["group"]
        if group != ch["group"]:  # back to the group it came from, in its old place
            after = ch.get("moved_after")
            registry.move(ch["group"], ch["name"], group, after=after, first=after is None)
        for key in [k for k in ch["after"] if k not in before]:
            registry.remove_field(group, ch["name"], key)
        registry.update_fields(group, ch["name"], **before)
    diff = registry.diff()
    registry.save(backups=settings.backups)
    return diff
