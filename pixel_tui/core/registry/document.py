"""dataset_registry.json as a shared document: read the real shape, edit by splicing, save safely.

The loaded text is the source of truth. Every edit replaces only the spans it touches, so key order,
indentation, inline objects, number spelling (20.0 vs 20) and unmodelled sections survive byte for byte.
"""

from __future__ import annotations

import difflib
import json
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from pixel_tui.core.errors import PixelError, render_error
from pixel_tui.core.registry import jsonspan
from pixel_tui.core.registry.backends import RegistryConflict, RegistryNotFound, Version, backend_for

__all__ = [
    "DatasetRef", "Registry", "RegistryConflict", "RegistryEditError", "RegistryNotFound", "RegistryParseError",
    "SOURCE_FIELD", "STAGES", "ONE_LEVEL_GROUPS",
]

SOURCE_FIELD = "source_path"  # where a migrated dataset came from (its Drive location)
STAGES = ("stage1_foundation", "stage2_therapeutic_expertise", "stage3_edge_stress_test", "stage4_voice_persona")
ONE_LEVEL_GROUPS = ("edge_case_sources", "voice_persona")
TWO_LEVEL_ROOT = "datasets"
MAX_UNDO = 200


class RegistryParseError(PixelError):
    """The registry is not valid JSON (or has duplicate keys); names line and column. Never written."""

    exit_code = 2

    def __init__(self, location: str, message: str, line: int, column: int) -> None:
        super().__init__(f"{location}: line {line} column {column}: {message}",
                         "fix the file by hand (pixel-tui never overwrites a file it cannot parse)")
        self.line, self.column = line, column


class RegistryEditError(PixelError):
    """An edit that cannot be made (unknown group or dataset, empty name...); nothing changed."""

    exit_code = 2


@dataclass(frozen=True)
class DatasetRef:
    """One dataset: its group path (``datasets/cot_reasoning``, ``voice_persona``), name and entry."""

    group: str
    name: str
    entry: dict

    @property
    def key(self) -> str:
        """``group/name``, the address the CLI uses."""
        return f"{self.group}/{self.name}"

    @property
    def path(self) -> str:
        """The primary path ('' when missing or not a string)."""
        p = self.entry.get("path")
        return p if isinstance(p, str) else ""


@dataclass(frozen=True)
class OddEntry:
    """Something in a dataset group that is not an object entry (kept as is, reported by validation)."""

    group: str
    name: str
    value: Any


class _Duplicate(Exception):
    pass


def _no_duplicates(pairs: list) -> dict:
    d = dict(pairs)
    if len(d) != len(pairs):
        raise _Duplicate
    return d


# Entries (datasets/<group>/<name>) sit at depth 3: the span parser skips inside them with the C
# scanner and parses one only when it is edited, so loading costs little more than json.loads.
LAZY_DEPTH = 3


def parse_text(text: str, location: str = "<registry>") -> jsonspan.Node:
    """Parse registry text, turning any syntax error or duplicate key into RegistryParseError."""
    lazy: int | None = LAZY_DEPTH
    try:
        # The C parser gives precise messages for syntax errors and finds duplicates cheaply.
        json.loads(text, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as exc:
        raise RegistryParseError(location, exc.msg, exc.lineno, exc.colno) from None
    except RecursionError:
        raise RegistryParseError(location, "nested too deeply", 1, 1) from None
    except _Duplicate:
        lazy = None  # parse everything eagerly: the span parser reports where the duplicate is
    try:
        root = jsonspan.parse(text, lazy_depth=lazy)
    except jsonspan.SpanError as exc:
        raise RegistryParseError(location, exc.message, exc.line, exc.column) from None
    if root.kind != "object":
        raise RegistryParseError(location, "the registry must be a JSON object", *jsonspan.line_col(text, root.start))
    return root


def decode(data: bytes, location: str) -> str:
    """Bytes to text; invalid UTF-8 is a parse error with its position."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = jsonspan.line_col(data[: exc.start].decode("utf-8", "replace"), exc.start)
        raise RegistryParseError(location, f"not UTF-8 ({exc.reason})", line, col) from None


def _same(a: Any, b: Any) -> bool:
    # json.dumps tells 20 from 20.0 and 1 from true, which == does not.
    return json.dumps(a, ensure_ascii=False) == json.dumps(b, ensure_ascii=False)


class Registry:
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
             extra_groups: Iterable[str] = ()) -> "Registry":
        """Read a registry from a local path or ``s3://bucket/key``; remembers its version for conflicts."""
        backend = backend_for(str(location), store_factory, backup_dir)
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

    # -- editing ----------------------------------------------------------------------------------
    @contextmanager
    def _edit(self, op: str, args: tuple, kwargs: dict):
        before = (self._text, tuple(self._ops))
        try:
            yield
        except BaseException:
            self._text, self._root = before[0], parse_text(before[0], self.location)
            raise
        if self._text != before[0]:
            self._undo.append(before)
            del self._undo[:-MAX_UNDO]
            self._redo.clear()
            self._ops.append((op, args, kwargs))

    def _splice(self, text: str) -> None:
        self._root = parse_text(text, self.location)
        self._text = text

    def _entry_node(self, group: str, name: str) -> jsonspan.Member:
        node = self._group_node(group)
        m = node.member(name) if node is not None else None
        if m is None:
            raise RegistryEditError(f"no dataset {group}/{name} in {self.location}")
        return m

    def add_group(self, group: str) -> None:
        """Create an empty dataset group (``datasets/<g>`` or a one-level top-level group)."""
        with self._edit("add_group", (group,), {}):
            self._ensure_group(group)

    def _ensure_group(self, group: str) -> jsonspan.Node:
        parts = group.split("/")
        if not all(parts) or len(parts) > 2 or (len(parts) == 2 and parts[0] != TWO_LEVEL_ROOT):
            raise RegistryEditError(f"invalid group {group!r}", "use datasets/<group> or a top-level group name")
        if len(parts) == 1:
            if parts[0] == TWO_LEVEL_ROOT:
                raise RegistryEditError(f"{TWO_LEVEL_ROOT!r} holds groups, not datasets", "use datasets/<group>")
            top = self._root.member(parts[0])
            if top is not None and top.value.members and group not in self.groups():
                # training_strategy, usage_notes...: sections we keep but must not turn into groups
                raise RegistryEditError(f"{group!r} in {self.location} is not a dataset group")
            self._one_level.add(parts[0])
        node = self._root
        for i, part in enumerate(parts):
            m = node.member(part)
            if m is None:
                self._splice(jsonspan.insert_member(self._text, node, part, {}))
                node = self._group_node("/".join(parts[:i])) if i else self._root
                m = node.member(part)
            if m.value.kind != "object":
                raise RegistryEditError(f"{'/'.join(parts[: i + 1])} in {self.location} is not an object")
            node = m.value
        return node

    def set_entry(self, group: str, name: str, entry: dict) -> None:
        """Add or replace one entry; existing keys keep their place, keys ``entry`` lacks are kept."""
        if not isinstance(entry, dict):
            raise RegistryEditError("an entry must be an object")
        with self._edit("set_entry", (group, name, entry), {}):
            self._set(group, name, entry)

    def _set(self, group: str, name: str, entry: dict) -> None:
        if not name or not name.strip():
            raise RegistryEditError("a dataset name cannot be empty")
        node = self._ensure_group(group)
        m = node.member(name)
        if m is None:
            self._splice(jsonspan.insert_member(self._text, node, name, entry))
            return
        if m.value.kind != "object":
            self._splice(jsonspan.replace_value(self._text, m.value, entry))
            return
        for key, value in entry.items():
            self._set_field(group, name, key, value)

    def _set_field(self, group: str, name: str, key: str, value: Any) -> None:
        entry = self._entry_node(group, name).value
        f = entry.member(key)
        if f is None:
            # The source path goes right under `path`: the migration diff then touches adjacent lines only.
            after = "path" if key == SOURCE_FIELD else None
            self._splice(jsonspan.insert_member(self._text, entry, key, value, after=after))
        elif not _same(f.value.value(self._text), value):
            self._splice(jsonspan.replace_value(self._text, f.value, value))

    def update_fields(self, group: str, name: str, **fields: Any) -> None:
        """Change or add only the named fields of an existing entry."""
        with self._edit("update_fields", (group, name), fields):
            if self._entry_node(group, name).value.kind != "object":
                raise RegistryEditError(f"{group}/{name} is not an object")
            for key, value in fields.items():
                self._set_field(group, name, key, value)

    def remove_field(self, group: str, name: str, key: str) -> None:
        """Delete one field of an entry (no-op when it is not there)."""
        with self._edit("remove_field", (group, name, key), {}):
            entry = self._entry_node(group, name).value
            if entry.kind == "object" and entry.member(key) is not None:
                self._splice(jsonspan.remove_member(self._text, entry, key))

    def remove(self, group: str, name: str) -> None:
        """Delete one dataset."""
        with self._edit("remove", (group, name), {}):
            self._entry_node(group, name)
            self._splice(jsonspan.remove_member(self._text, self._group_node(group), name))

    def move(self, group: str, name: str, new_group: str, new_name: str | None = None) -> None:
        """Move (and optionally rename) a dataset to another group; refuses to overwrite one there."""
        new_name = new_name or name
        with self._edit("move", (group, name, new_group, new_name), {}):
            value = self._entry_node(group, name).value.value(self._text)
            target = self._group_node(new_group)
            if target is not None and target.member(new_name) is not None:
                raise RegistryEditError(f"{new_group}/{new_name} already exists in {self.location}")
            self._splice(jsonspan.remove_member(self._text, self._group_node(group), name))
            node = self._ensure_group(new_group)
            self._splice(jsonspan.insert_member(self._text, node, new_name, value))

    def duplicate(self, group: str, name: str, new_name: str, new_group: str | None = None) -> None:
        """Copy an entry under a new name."""
        new_group = new_group or group
        with self._edit("duplicate", (group, name, new_name, new_group), {}):
            value = self._entry_node(group, name).value.value(self._text)
            target = self._group_node(new_group)
            if target is not None and target.member(new_name) is not None:
                raise RegistryEditError(f"{new_group}/{new_name} already exists in {self.location}")
            self._set(new_group, new_name, value)

    # -- undo / redo --------------------------------------------------------------------------------
    def undo(self) -> bool:
        """Step back one edit; False when there is nothing to undo."""
        if not self._undo:
            return False
        self._redo.append((self._text, tuple(self._ops)))
        text, ops = self._undo.pop()
        self._splice(text)
        self._ops = list(ops)
        return True

    def redo(self) -> bool:
        """Re-apply an undone edit; False when there is nothing to redo."""
        if not self._redo:
            return False
        self._undo.append((self._text, tuple(self._ops)))
        text, ops = self._redo.pop()
        self._splice(text)
        self._ops = list(ops)
        return True

    def squash_since(self, text: str) -> None:
        """Merge the undo steps made since the document was ``text`` into one (one form = one step)."""
        if self._bom and text.startswith(self._bom):
            text = text[len(self._bom):]
        for i in range(len(self._undo) - 1, -1, -1):
            if self._undo[i][0] == text:
                del self._undo[i + 1 :]
                return

    @property
    def can_undo(self) -> bool:
        """True when undo() would change something."""
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        """True when redo() would change something."""
        return bool(self._redo)

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
    def version(self) -> Version | None:
        """The stored version this registry was loaded from."""
        return self._version

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
        backend = backend_for(location, store_factory, getattr(self._backend, "backup_dir", None))
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
