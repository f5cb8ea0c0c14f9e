"""The registry's history when it lives in a versioned bucket: its versions (who, when), a diff of any two, and
restoring one through the same conflict-safe save as every edit (a new version on top, never a blind copy)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from pixel_tui.core.errors import PixelError
from pixel_tui.core.registry.backends import SAVED_BY_META, S3Backend
from pixel_tui.core.registry.parsing import decode, parse_text

if TYPE_CHECKING:
    from pixel_tui.core.registry.document import Registry

UNKNOWN_AUTHOR = "unknown"  # a version written by another tool (or by hand) names nobody
SHORT_ID = 12  # version ids are 32-36 characters: lists show this much, and any unique prefix is accepted


class RegistryNotVersioned(PixelError):
    """The registry is a local file, or its bucket does not keep versions."""

    exit_code = 2


class UnknownVersion(PixelError):
    """No version of the registry has this id (or the prefix names several)."""

    exit_code = 2


@dataclass(frozen=True)
class RegistryVersion:
    """One stored version of the registry object."""

    version_id: str
    modified: datetime | None
    author: str
    size: int
    current: bool
    deleted: bool = False  # a delete marker: the object was deleted at that time

    @property
    def short_id(self) -> str:
        """The id as lists show it."""
        return self.version_id[:SHORT_ID]

    def when(self) -> str:
        """The time in UTC, to the second."""
        return self.modified.strftime("%Y-%m-%d %H:%M:%S") if self.modified else "?"

    def as_dict(self) -> dict:
        """For --json."""
        return {"version_id": self.version_id, "modified": self.modified.isoformat() if self.modified else None,
                "author": self.author, "size": self.size, "current": self.current, "deleted": self.deleted}


def _backend(reg: "Registry") -> S3Backend:
    backend = reg.backend
    if not isinstance(backend, S3Backend):
        raise RegistryNotVersioned(f"registry {reg.location} is a local file: it has no S3 versions",
                                   "local saves keep backups in the state dir (registry-backups/)")
    return backend


def versions(reg: "Registry") -> list[RegistryVersion]:
    """Every version of the registry object, newest first, with who saved it ("unknown" when no pixel-tui did)."""
    from pixel_tui.core.storage.s3_versions import list_versions, versioning_status, with_metadata

    backend = _backend(reg)
    status = versioning_status(backend.store)
    found = list_versions(backend.store, backend.key)
    if status != "Enabled" and not any(v.version_id not in ("", "null") for v in found):
        raise RegistryNotVersioned(
            f"bucket {backend.store.bucket} does not keep versions (versioning {status.lower() or 'never enabled'}): "
            f"registry {reg.location} has no history",
            "enable versioning on the bucket (aws s3api put-bucket-versioning ... Status=Enabled)")
    out = []
    for v in with_metadata(backend.store, backend.key, found):
        author = (v.metadata or {}).get(SAVED_BY_META) or UNKNOWN_AUTHOR
        out.append(RegistryVersion(v.version_id, v.modified, "" if v.delete_marker else author, v.size, v.latest,
                                   v.delete_marker))
    return out


def find_version(found: list[RegistryVersion], wanted: str, location: str) -> RegistryVersion:
    """The version whose id is ``wanted`` or starts with it; UnknownVersion when none or several do."""
    wanted = wanted.strip()
    exact = [v for v in found if v.version_id == wanted]
    matches = exact or ([v for v in found if v.version_id.startswith(wanted)] if wanted else [])
    if not matches:
        raise UnknownVersion(f"registry {location} has no version {wanted!r}",
                             "list them with `pixel-tui registry versions`")
    if len(matches) > 1:
        raise UnknownVersion(f"{wanted!r} starts {len(matches)} version ids of registry {location}",
                             "give more of it: " + ", ".join(v.version_id for v in matches[:5]))
    return matches[0]


def version_text(reg: "Registry", version: RegistryVersion) -> str:
    """The document as that version stored it."""
    from pixel_tui.core.storage.s3_versions import get_version

    if version.deleted:
        raise UnknownVersion(f"version {version.short_id} of registry {reg.location} is a delete marker: "
                             "it has no content", "pick a version listed with a size")
    backend = _backend(reg)
    return decode(get_version(backend.store, backend.key, version.version_id), reg.location)


def diff_texts(old: str, new: str, location: str, old_label: str, new_label: str) -> str:
    """A unified diff from ``old`` to ``new``, labelled as the app labels registry diffs."""
    return "".join(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                        fromfile=f"{location} ({old_label})", tofile=f"{location} ({new_label})"))


def label(version: RegistryVersion) -> str:
    """How a diff header names a version: its short id, time and author."""
    return f"{version.short_id}, {version.when()}, {version.author}" + (", current" if version.current else "")


def diff_versions(reg: "Registry", found: list[RegistryVersion], old: str, new: str | None = None) -> str:
    """Unified diff from version ``old`` to version ``new`` (default: the current one)."""
    a = find_version(found, old, reg.location)
    b = find_version(found, new, reg.location) if new else _current(found, reg.location)
    return diff_texts(version_text(reg, a), version_text(reg, b), reg.location, label(a), label(b))


def _current(found: list[RegistryVersion], location: str) -> RegistryVersion:
    now = next((v for v in found if v.current), None)
    if now is None or now.deleted:
        raise UnknownVersion(f"registry {location} has no current version (it was deleted)",
                             "give both versions to compare")
    return now


def restore(reg: "Registry", found: list[RegistryVersion], wanted: str, backups: int = 5) -> str:
    """Save version ``wanted``'s text as a new version, conditional on ``reg`` still being what is stored (the
    same save as every edit: RegistryConflict if someone saved since); returns the diff that was written."""
    if reg.dirty:
        raise PixelError(f"registry {reg.location} has unsaved edits", "save or discard them before restoring")
    version = find_version(found, wanted, reg.location)
    text = version_text(reg, version)
    parse_text(text.removeprefix("\ufeff"), f"{reg.location} version {version.short_id}")  # refuse broken JSON
    reg.replace_text(text)
    diff = reg.diff(label=f"restored {version.short_id}")
    reg.save(backups=backups)
    return diff
