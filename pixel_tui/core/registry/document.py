"""dataset_registry.json as a shared document: read the real shape, edit by splicing, save safely.

The loaded text is the source of truth. Every edit replaces only the spans it touches, so key order,
indentation, inline objects, number spelling (20.0 vs 20) and unmodelled sections survive byte for byte.
This module holds the document (load, query, diff, save, reload); the edits and the undo stack are in
edits.py, the parsing in parsing.py, what an entry is in entries.py.
"""

from __future__ import annotations

import difflib
from typing import Any, Callable, Iterable

from pixel_tui.core.errors import PixelError, render_error
from pixel_tui.core.registry import jsonspan
from pixel_tui.core.registry.backends import DEFAULT_MAX_BYTES, RegistryConflict, RegistryNotFound, Version, backend_for
from pixel_tui.core.registry.edits import MAX_UNDO, RegistryEditError, RegistryEdits  # noqa: F401
from pixel_tui.core.registry.entries import (  # noqa: F401
    ONE_LEVEL_GROUPS,
    SOURCE_FIELD,
    STAGES,
    TWO_LEVEL_ROOT,
    DatasetRef,
    OddEntry,
)
from pixel_tui.core.registry.parsing import LAZY_DEPTH, RegistryParseError, decode, parse_text  # noqa: F401

__all__ = [
    "DatasetRef", "Registry", "RegistryConflict", "RegistryEditError", "RegistryNotFound", "RegistryParseError",
    "SOURCE_FIELD", "STAGES", "ONE_LEVEL_GROUPS",
]


class Registry(RegistryEdits):
    """A loaded registry: query datasets, edit them (with undo), diff, save without losing anyone's edit."""

    def __init__(self, text: str, location: str = "<memory>", backend=None, version: Version | None = None,
                 extra_groups: Iterable[str] = ()) -> None:
        self.location = location
        # A byte-order mark (Windows editors) is kept on save but is not part of the JSON text.
        self._bom = "\ufeff" if text.startswith("\ufeff") else ""
        text = text[len(self._bom):]
        self._backend = backend
        self._version = version
        self._one_level = set(ONE_LEVEL_GROUPS) | {g for g in extra_groups if "/" not in g}
        self._baseline = text
        self._text = text
        self._root = parse_text(text, location)
        self._ops: list[tuple[str, tuple, dict]] = []
        self._undo: list[tuple[str, tuple]] = []
        self._redo: list[tuple[str, tuple]] = []

    # -- loading ----------------------------------------------------------------------------------
    @classmethod
    def load(cls, location: str, store_factory: Callable[[str], Any] | None = None, backup_dir=None,
             extra_groups: Iterable[str] = (), max_bytes: int = DEFAULT_MAX_BYTES) -> "Registry":
        """Read a registry from a local path or ``s3://bucket/key``; remembers its version for conflicts."""
        backend = backend_for(str(location), store_factory, backup_dir, max_bytes)
        data, version = backend.read()
        return cls(decode(data, backend.location), backend.location, backend, version, extra_groups)

    @classmethod
    def from_text(cls, text: str, location: str = "<memory>") -> "Registry":
        """A registry held only in memory (tests, previews); cannot be saved."""
        return cls(text, location)

    # -- reading ----------------------------------------------------------------------------------
    def _group_nodes(self) -> list[tuple[str, jsonspan.Node]]:
        out = []
        for m in self._root.members:
            if m.key == TWO_LEVEL_ROOT and m.value.kind == "object":
                out.extend((f"{TWO_LEVEL_ROOT}/{g.key}", g.value) for g in m.value.members if g.value.kind == "object")
            elif m.value.kind == "object" and (m.key in self._one_level or self._looks_like_group(m.value)):
                out.append((m.key, m.value))
        return out

    def _looks_like_group(self, node: jsonspan.Node) -> bool:
        # training_strategy holds objects without `path`, usage_notes holds strings: neither is a group.
        return bool(node.members) and all(
            m.value.kind == "object" and m.value.member("path") is not None for m in node.members
        )

    def groups(self) -> list[str]:
        """Every dataset group path, in file order."""
        return [g for g, _ in self._group_nodes()]

    def datasets(self) -> list[DatasetRef]:
        """Every dataset whose entry is an object, in file order."""
        text = self._text
        return [
            DatasetRef(g, m.key, m.value.value(text))
            for g, node in self._group_nodes()
            for m in node.members
            if m.value.kind == "object"
        ]

    def odd_entries(self) -> list[OddEntry]:
        """Members of dataset groups that are not objects, and children of `datasets` that are not groups."""
        text, out = self._text, []
        top = self._root.member(TWO_LEVEL_ROOT)
        if top is not None and top.value.kind == "object":
            out += [OddEntry(TWO_LEVEL_ROOT, g.key, g.value.value(text)) for g in top.value.members if g.value.kind != "object"]
        elif top is not None:
            out.append(OddEntry("", TWO_LEVEL_ROOT, top.value.value(text)))
        for g, node in self._group_nodes():
            out += [OddEntry(g, m.key, m.value.value(text)) for m in node.members if m.value.kind != "object"]
        return out

    def ref(self, group: str, name: str) -> DatasetRef | None:
        """One dataset, or None."""
        node = self._group_node(group)
        m = node.member(name) if node is not None else None
        if m is None or m.value.kind != "object":
            return None
        return DatasetRef(group, name, m.value.value(self._text))

    def split_key(self, address: str) -> tuple[str, str] | None:
        """``group/name`` -> (group, name) using the known groups, so a name may itself hold a '/'."""
        for group in sorted(self.groups(), key=len, reverse=True):
            if address.startswith(group + "/") and len(address) > len(group) + 1:
                return group, address[len(group) + 1 :]
        return None

    def find(self, name: str) -> list[DatasetRef]:
        """Every dataset called ``name``, whatever its group."""
        return [d for d in self.datasets() if d.name == name]

    def metadata(self) -> dict[str, Any]:
        """Top-level keys that are not dataset groups (description, totals, notes...)."""
        groups = {g.split("/")[0] for g in self.groups()} | {TWO_LEVEL_ROOT}
        return {m.key: m.value.value(self._text) for m in self._root.members if m.key not in groups}

    def _group_node(self, group: str) -> jsonspan.Node | None:
        node = self._root
        for part in group.split("/"):
            m = node.member(part) if node.kind == "object" else None
            if m is None:
                return None
            node = m.value
        return node if node.kind == "object" else None

    # -- output -----------------------------------------------------------------------------------
    def render(self) -> str:
        """The text that save() would write."""
        return self._bom + self._text

    @property
    def dirty(self) -> bool:
        """True when the text differs from what was loaded (or last saved)."""
        return self._text != self._baseline

    @property
    def baseline(self) -> str:
        """The text as loaded (or last saved)."""
        return self._baseline

    def diff(self, other: str | None = None, label: str = "edited") -> str:
        """Unified diff from the loaded text to the edited text (or to ``other``)."""
        new = self._text if other is None else other
        return "".join(difflib.unified_diff(
            self._baseline.splitlines(keepends=True), new.splitlines(keepends=True),
            fromfile=f"{self.location} (loaded)", tofile=f"{self.location} ({label})",
        ))

    # -- storage ----------------------------------------------------------------------------------
    @property
    def backend(self):
        """Where the document is stored (LocalBackend, S3Backend; None in memory)."""
        return self._backend

    @property
    def version(self) -> Version | None:
        """The stored version this registry was loaded from."""
        return self._version

    def save_caveat(self) -> str:
        """Why a save here is not race-free ('' when it is, or for a local file). May probe the server."""
        caveat = getattr(self._backend, "save_caveat", None)
        return caveat() if caveat is not None else ""

    def changed_on_disk(self) -> bool:
        """True when the stored document is no longer the version that was loaded (file or S3 object)."""
        if self._backend is None:
            return False
        now = self._backend.current(self._version)
        return (now.tag if now else None) != (self._version.tag if self._version else None)

    def stored_text(self) -> str:
        """The document as it is stored now (to show the other version in a conflict)."""
        self._need_backend()
        data, _ = self._backend.read()
        return decode(data, self.location)

    def save(self, backups: int = 5) -> None:
        """Write the edits: atomic and backed up locally, conditional put in S3; RegistryConflict if changed."""
        self._need_backend()
        if not self.dirty:
            return
        # No re-parse here: every edit already parsed the text it produced (see _splice).
        self._version = self._backend.write(self.render().encode("utf-8"), self._version, backups)
        self._baseline = self._text
        self._ops.clear()

    def save_as(self, location: str, store_factory=None, backups: int = 5) -> None:
        """Write the edited text to another path or URL (it must not exist yet) and continue from there."""
        backend = backend_for(location, store_factory, getattr(self._backend, "backup_dir", None),
                              getattr(self._backend, "max_bytes", DEFAULT_MAX_BYTES))
        if backend.current() is not None:
            raise RegistryEditError(f"{location} already exists", "choose a new path")
        self._version = backend.write(self.render().encode("utf-8"), None, backups)
        self._backend, self.location = backend, backend.location
        self._baseline = self._text
        self._ops.clear()

    def reload(self, keep_edits: bool = True) -> list[str]:
        """Load the stored version again and replay this session's edits on it; returns edits that no longer apply."""
        self._need_backend()
        data, version = self._backend.read()
        text = decode(data, self.location)
        ops = list(self._ops) if keep_edits else []
        fresh = Registry(text, self.location, self._backend, version, self._one_level)
        failed = []
        for op, args, kwargs in ops:
            try:
                getattr(fresh, op)(*args, **kwargs)
            except PixelError as exc:
                failed.append(f"{op} {'/'.join(str(a) for a in args[:2])}: {render_error(exc, one_line=True)}")
        self.__dict__.update(fresh.__dict__)
        return failed

    def _need_backend(self) -> None:
        if self._backend is None:
            raise RegistryEditError(f"registry {self.location} is held in memory only and cannot be saved")
