"""How the team names processed datasets: the canonical-name rule, category guess, safe-name checks."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pixel_tui.core.errors import UnsafeNameError

if TYPE_CHECKING:
    from pixel_tui.core.config import Settings

# Extensions kept whole (a `.gz` alone would lose what is inside).
_DOUBLE_EXT = (".tar.gz", ".tar.bz2", ".tar.xz", ".json.gz", ".jsonl.gz", ".csv.gz", ".tar.zst")
# What Drive/browsers append to a downloaded file: ` (1)`, `_downloaded`, `_final_download`, `-copy`.
_SUFFIXES = (
    re.compile(r"[\s_\-]*\(\d+\)$"),
    re.compile(r"[\s_\-]+(final[\s_\-]*)?download(ed)?$", re.IGNORECASE),
    re.compile(r"[\s_\-]+copy$", re.IGNORECASE),
)
_COPY_OF = re.compile(r"^copy[\s_\-]+of[\s_\-]+", re.IGNORECASE)
_WORD_SPLIT = re.compile(r"[^0-9A-Za-z]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

# Leading tokens people use for a category, beyond the category's own first word.
CATEGORY_ALIASES: dict[str, tuple[str, ...]] = {
    "cot_reasoning": ("cot", "chain_of_thought", "reasoning"),
    "professional_therapeutic": ("professional", "therapist", "therapy", "counseling", "counselling", "counsel"),
    "priority": ("priority", "curated"),
    "edge_cases": ("edge", "edge_case", "edgecase"),
}
# Defaults when the registry has no entry in the category to learn from.
DEFAULT_STAGES = {
    "cot_reasoning": "stage2_therapeutic_expertise",
    "professional_therapeutic": "stage1_foundation",
    "priority": "stage1_foundation",
    "edge_cases": "stage3_edge_stress_test",
}
DEFAULT_TYPES = {
    "cot_reasoning": "chain_of_thought",
    "professional_therapeutic": "professional",
    "priority": "curated_priority",
    "edge_cases": "synthetic_edge",
}


def split_extension(name: str) -> tuple[str, str]:
    """('stem', '.ext') with known double extensions (.tar.gz, .jsonl.gz) kept whole."""
    low = name.lower()
    for ext in _DOUBLE_EXT:
        if low.endswith(ext) and len(name) > len(ext):
            return name[: -len(ext)], ext
    dot = name.rfind(".")
    if dot <= 0 or dot == len(name) - 1 or not name[dot + 1 :].isalnum():
        return name, ""
    return name[:dot], name[dot:].lower()


def strip_download_suffixes(stem: str) -> str:
    """Drop what downloads append (` (1)`, `_downloaded`, `_final_download`, `Copy of `), repeatedly."""
    stem = _COPY_OF.sub("", stem.strip())
    changed = True
    while changed:
        changed = False
        for pattern in _SUFFIXES:
            new = pattern.sub("", stem)
            if new != stem and new:
                stem, changed = new, True
    return stem


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD_SPLIT.split(text) if w]


def _category_tokens(category: str) -> list[list[str]]:
    """Word sequences that, leading a name, only repeat the category."""
    seqs = [category.split("_"), [category.split("_")[0]]]
    seqs += [a.split("_") for a in CATEGORY_ALIASES.get(category, ())]
    return sorted(seqs, key=len, reverse=True)


def canonical_name(source_name: str, category: str | None = None, *, is_folder: bool = False) -> str:
    """The processed name for a raw item: lower case, `_`-joined words, no download suffix, ext kept."""
    base = source_name.rstrip("/").rsplit("/", 1)[-1]
    stem, ext = (base, "") if is_folder else split_extension(base)
    words = _words(strip_download_suffixes(stem))
    if category and len(words) > 1:
        for seq in _category_tokens(category):
            # Only drop when something is left: `cot.json` stays `cot.json`.
            if words[: len(seq)] == seq and len(words) > len(seq):
                words = words[len(seq) :]
                break
    name = "_".join(words) or "dataset"
    return name + ext


def registry_name(source_name: str, *, is_folder: bool = False) -> str:
    """The registry key the team would use: the original stem without download suffixes."""
    base = source_name.rstrip("/").rsplit("/", 1)[-1]
    stem = base if is_folder else split_extension(base)[0]
    return strip_download_suffixes(stem) or stem


def suggest_category(source_name: str, categories: tuple[str, ...] | list[str]) -> str | None:
    """The configured category a name points at (by its leading or any word), or None."""
    words = _words(source_name.rstrip("/").rsplit("/", 1)[-1])
    if not words:
        return None
    best: tuple[int, str] | None = None
    for cat in categories:
        for seq in _category_tokens(cat):
            n = len(seq)
            hits = [i for i in range(len(words) - n + 1) if words[i : i + n] == seq]
            if hits:
                # A leading match beats one in the middle; a longer sequence beats a shorter one.
                score = (100 if hits[0] == 0 else 10) + n
                if best is None or score > best[0]:
                    best = (score, cat)
    return best[1] if best else None


def check_name(name: str) -> str:
    """Return ``name`` if it is safe as one path component, else raise UnsafeNameError saying why."""
    if not name or not name.strip():
        raise UnsafeNameError("the target name is empty", "type a name such as heartbreak_and_breakups.json")
    if _CONTROL.search(name):
        raise UnsafeNameError(f"the target name {name!r} contains control characters", "use letters, digits, _ - .")
    if name.startswith("/"):
        raise UnsafeNameError(f"the target name {name!r} starts with '/'", "give a plain name, not a path")
    if ".." in name.split("/") or name in (".", "..") or name.startswith(".."):
        raise UnsafeNameError(f"the target name {name!r} contains '..'", "a name may not point outside its category")
    if "/" in name or "\\" in name:
        raise UnsafeNameError(f"the target name {name!r} contains a path separator", "give one name; the category sets the folder")
    if len(name.encode()) > 255:
        raise UnsafeNameError(f"the target name is {len(name.encode())} bytes long", "keep it under 255 bytes")
    return name


def check_category(category: str, settings: "Settings") -> str:
    """Return ``category`` if it is configured, else raise UnsafeNameError listing the known ones."""
    if category not in settings.categories:
        raise UnsafeNameError(
            f"unknown category {category!r}", f"categories are: {', '.join(settings.categories)} (config `categories.names`)"
        )
    return category


def check_key_under(key: str, prefix: str, what: str = "key") -> str:
    """Return ``key`` if it lies under ``prefix`` and has no '..', control chars or '//'; else raise."""
    if _CONTROL.search(key):
        raise UnsafeNameError(f"{what} {key!r} contains control characters")
    if key.startswith("/") or "//" in key:
        raise UnsafeNameError(f"{what} {key!r} has an empty path component")
    if ".." in key.split("/"):
        raise UnsafeNameError(f"{what} {key!r} contains '..'")
    if not key.startswith(prefix) or key == prefix:
        raise UnsafeNameError(f"{what} {key!r} is not under {prefix!r}", f"promotion only reads under {prefix}")
    return key


@dataclass
class RegistrySuggestion:
    """What the dialog pre-fills: registry group and name, and the fields of the entry."""

    group: str
    name: str
    fields: dict = field(default_factory=dict)
    existing: bool = False


def registry_group(category: str, settings: "Settings", top_level_groups: set[str] | frozenset = frozenset()) -> str:
    """Registry group path of a category: `datasets/<g>` or a top-level group such as `edge_case_sources`."""
    for g, cat in settings.group_map.items():
        if cat == category:
            if g in top_level_groups or (not top_level_groups and g.endswith("_sources")):
                return g
            return f"datasets/{g}"
    return f"datasets/{category}"


def suggest_registry_entry(source_name: str, category: str, settings: "Settings", datasets=(), *,
                           is_folder: bool = False) -> RegistrySuggestion:
    """Pre-fill the registry entry: reuse an entry whose path ends with the source's name, else a new one."""
    base = source_name.rstrip("/").rsplit("/", 1)[-1]
    reg_name = registry_name(base, is_folder=is_folder)
    stem_keys = {base.lower(), reg_name.lower(), strip_download_suffixes(split_extension(base)[0]).lower()}
    datasets = list(datasets)
    for ref in datasets:
        path = str(ref.entry.get("path", "")).rstrip("/")
        last = path.rsplit("/", 1)[-1]
        if ref.name.lower() in stem_keys or last.lower() in stem_keys or split_extension(last)[0].lower() in stem_keys:
            return RegistrySuggestion(ref.group, ref.name, dict(ref.entry), existing=True)
    top = {ref.group for ref in datasets if "/" not in ref.group}
    group = registry_group(category, settings, top)
    in_group = [ref.entry for ref in datasets if ref.group == group]
    stage = _most_common(e.get("stage") for e in in_group) or DEFAULT_STAGES.get(category, "")
    typ = _most_common(e.get("type") for e in in_group) or DEFAULT_TYPES.get(category, "")
    fields = {k: v for k, v in (("type", typ), ("stage", stage)) if v}
    return RegistrySuggestion(group, reg_name, fields, existing=False)


def _most_common(values) -> str | None:
    counts = Counter(v for v in values if isinstance(v, str) and v)
    return counts.most_common(1)[0][0] if counts else None
