"""The S3 side's marks: which raw items are promoted and which processed items the registry
references, from key sets with their ancestors (one lookup per path component)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from pixel_tui.core.storage import s3url

if TYPE_CHECKING:
    pass


def registry_keys(paths: Iterable[str], bucket: str) -> set[str]:
    """S3 keys (in ``bucket``) that registry paths point at; other paths are ignored."""
    out = set()
    for p in paths:
        key = s3url.key_in_bucket(p, bucket)
        if key is not None:
            out.add(key)
    return out


def with_ancestors(keys: Iterable[str]) -> set[str]:
    """The keys plus every folder above them ('a/b/c' -> 'a/b/c', 'a/b/', 'a/'): O(1) lookups later."""
    out: set[str] = set()
    for key in keys:
        out.add(key)
        cut = key.rstrip("/").rfind("/")
        while cut >= 0:
            folder = key[: cut + 1]
            if folder in out:
                break
            out.add(folder)
            cut = key.rfind("/", 0, cut)
    return out


def processed_index(processed_keys: Iterable[str], processed_prefix: str, categories: Iterable[str]) -> set[str]:
    """Relative names present under processed/<category>/ (files, and folders ending in '/')."""
    cats = tuple(f"{processed_prefix}{c}/" for c in categories)
    rels = []
    for key in processed_keys:
        for cat in cats:
            if key.startswith(cat) and len(key) > len(cat):
                rels.append(key[len(cat) :])
                break
    return with_ancestors(rels)


def _referenced(key: str, ref_index: set[str]) -> bool:
    """A registry path names this key, or (for a folder, ending in '/') names it without its
    slash or lies inside it. A file ``x`` is never matched by a folder reference ``x/``."""
    return key in ref_index or (key.endswith("/") and key[:-1] in ref_index)


def raw_markers(names: Iterable[str], raw_prefix: str, rel_dir: str, promoted_rels: set[str],
                ref_index: set[str], processed_prefix: str, categories: Iterable[str]) -> dict[str, str]:
    """For raw items of one level (folders end in '/'): 'promoted' when the same relative name is
    under processed/<category>/ or the registry references it (raw or processed copy), else ''."""
    cats = list(categories)
    out: dict[str, str] = {}
    for name in names:
        rel = rel_dir + name
        promoted = rel in promoted_rels or _referenced(raw_prefix + rel, ref_index) or any(
            _referenced(f"{processed_prefix}{c}/{rel}", ref_index) for c in cats)
        out[name] = "promoted" if promoted else ""
    return out


def processed_markers(names: Iterable[str], level_prefix: str, ref_index: set[str]) -> dict[str, str]:
    """For processed items of one level: 'registered' when the registry references them, else 'unregistered'."""
    return {n: "registered" if _referenced(level_prefix + n, ref_index) else "unregistered" for n in names}
