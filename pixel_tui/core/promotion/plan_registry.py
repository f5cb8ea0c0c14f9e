"""The registry side of a plan: each item's category and registry group, and the entry it will have.

An item already registered keeps its group, so a multi-item promotion never moves a `professional_therapeutic`
entry to `cot_reasoning` by itself; only an operator who picks another category for it moves the entry to that
category's group (the undo moves it back).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pixel_tui.core import units
from pixel_tui.core.promotion.naming import (
    RegistrySuggestion,
    registry_group,
    suggest_category,
    suggest_registry_entry,
)
from pixel_tui.core.registry.entries import SOURCE_FIELD
from pixel_tui.core.storage.s3url import parse_s3_url, s3_url

if TYPE_CHECKING:
    from pixel_tui.core.config import Settings
    from pixel_tui.core.promotion.plan import Plan, PlanItem
    from pixel_tui.core.storage.s3 import S3Store


@dataclass
class RegistryChange:
    """The registry edit of one item: group/name, the entry before (None = new) and after."""

    group: str
    name: str
    before: dict | None
    after: dict
    moved_from: str = ""  # the group the entry leaves (the operator chose another category for it), or ''


def group_category(group: str, settings: "Settings") -> str | None:
    """The S3 category folder of a registry group (``datasets/priority_datasets`` -> ``priority``), if configured."""
    last = group.rsplit("/", 1)[-1]
    cat = settings.group_map.get(last, last)
    return cat if cat in settings.categories else None


def item_categories(settings: "Settings", sources: list[str], default: str | None, registry=None) -> dict[str, str]:
    """Each source's own suggested category: a registered item keeps its registry group's category, another
    takes the category its name points at, else ``default`` (left out of the answer when ``default`` is None)."""
    datasets = registry.datasets() if registry is not None else []
    out = {}
    for src in sources:
        sug = suggest_registry_entry(src, default or settings.categories[0], settings, datasets,
                                     is_folder=src.endswith("/"))
        cat = (group_category(sug.group, settings) if sug.existing else None) or suggest_category(
            src, settings.categories) or default
        if cat:
            out[src] = cat
    return out


def item_suggestion(source: str, category: str, settings: "Settings", datasets, *,
                    is_folder: bool = False) -> tuple[RegistrySuggestion, str]:
    """(the registry entry an item promoted into ``category`` gets, the group it moves from or '').

    A registered item stays in its group, unless that group is another configured category's: then the
    operator chose a new category for it, and the entry moves to that category's group."""
    datasets = list(datasets)
    sug = suggest_registry_entry(source, category, settings, datasets, is_folder=is_folder)
    if not sug.existing:
        return sug, ""
    own = group_category(sug.group, settings)
    if own is None or own == category:
        return sug, ""
    top = {ref.group for ref in datasets if "/" not in ref.group}
    target = registry_group(category, settings, top)
    if target == sug.group:
        return sug, ""
    return RegistrySuggestion(target, sug.name, sug.fields, existing=True), sug.group


def plan_registry(plan: "Plan", store: "S3Store", settings: "Settings", registry, override) -> None:
    """Fill each item's registry change and the plan's diff, on an in-memory registry."""
    from pixel_tui.core.promotion.registry_update import apply_changes, load_registry
    from pixel_tui.core.registry.lookup import find_dataset

    if registry is None:
        registry = load_registry(settings, store)
    if registry is None:
        return
    plan.registry_location = registry.location
    datasets = registry.datasets()
    unit = _size_unit(store, plan, datasets)
    processed = s3_url(plan.bucket, settings.processed_prefix)
    for item in plan.items:
        category = item.category or plan.category
        sug, moved_from = item_suggestion(item.source, category, settings, datasets, is_folder=item.is_folder)
        if override and len(plan.items) == 1:
            group, reg_name, fields = override
            if not group:  # a unique name is enough; an ambiguous one lists its candidates
                found = find_dataset(registry, reg_name, missing_hint="a new registry entry needs its group")
                group, reg_name = found.group, found.name
            ref = registry.ref(group, reg_name)
            if ref is None and sug.name == reg_name and (moved_from or sug.existing):
                # The operator's group is a new home for the registered entry: move it, do not copy it.
                moved_from = moved_from or sug.group
                ref = registry.ref(moved_from, reg_name)
            else:
                moved_from = ""
            before = dict(ref.entry) if ref else None
            base_fields = dict(fields)
        else:
            group, reg_name = sug.group, sug.name
            before = dict(sug.fields) if sug.existing else None
            base_fields = {} if sug.existing else dict(sug.fields)
        after = dict(before or {})
        after.update(base_fields)
        after.update({"path": s3_url(plan.bucket, item.dest), "size_mb": _entry_size(after, item, unit)})
        if SOURCE_FIELD not in (before or {}):
            # Provenance is written once: a second promotion never replaces the original Drive path.
            old_path = (before or {}).get("path")
            after[SOURCE_FIELD] = old_path if old_path and not str(old_path).startswith(processed) \
                else s3_url(plan.bucket, item.source)
        else:
            after[SOURCE_FIELD] = before[SOURCE_FIELD]
        if before is None:
            # A new entry leads with its path, as the team writes them.
            after = {"path": after.pop("path"), **after}
        item.registry = RegistryChange(group, reg_name, before, after, moved_from=moved_from if before else "")
    apply_changes(registry, plan.items)
    plan.registry_diff = registry.diff()


def _known_size(entry: dict):
    value = entry.get("size_mb")
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _entry_size(entry: dict, item: "PlanItem", unit: int):
    """``size_mb`` for the promoted item: the written value when it already states these bytes (in MB or MiB),
    else the bytes in the file's own unit."""
    n_bytes = sum(t.size for t in item.tasks)
    written = _known_size(entry)
    if written is not None and units.size_mb_units(written, n_bytes):
        return written
    return units.size_mb(n_bytes, unit)


def _size_unit(store: "S3Store", plan: "Plan", datasets, probes: int = 8) -> int:
    """The unit the registry writes ``size_mb`` in, inferred from entries whose bytes we know: the items being
    promoted, then up to ``probes`` other S3 entries of this bucket (HEAD); decimal MB when they do not tell."""
    from pixel_tui.core.promotion.naming import registry_name

    pairs = []
    names = {registry_name(i.source, is_folder=i.is_folder).lower(): i for i in plan.items}
    for ref in datasets:
        item = names.get(ref.name.lower())
        written = _known_size(ref.entry)
        if item is not None and written is not None:
            pairs.append((written, sum(t.size for t in item.tasks)))
    unit = units.size_convention(pairs)
    if unit is not None:
        return unit
    prefix = s3_url(plan.bucket, "")
    for ref in datasets:
        if probes <= 0:
            break
        written = _known_size(ref.entry)
        if written is None or not ref.path.startswith(prefix) or ref.path.endswith("/"):
            continue
        probes -= 1
        head = store.head(parse_s3_url(ref.path)[1])
        if head is not None:
            pairs.append((written, head.size))
    return units.size_convention(pairs) or units.MB
