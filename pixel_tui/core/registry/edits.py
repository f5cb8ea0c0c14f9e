"""Editing a registry document: every edit splices only the spans it touches, one undo step per edit.

``RegistryEdits`` is mixed into ``Registry`` (document.py), which holds the text, its span tree and the
group lookups the edits use; the edit log it keeps is what ``Registry.reload`` replays on a newer version.
"""

from __future__ import annotations

import math
import re
from contextlib import contextmanager
from typing import Any

from pixel_tui.core.errors import PixelError
from pixel_tui.core.registry import jsonspan
from pixel_tui.core.registry.entries import SOURCE_FIELD, TWO_LEVEL_ROOT
from pixel_tui.core.registry.parsing import parse_text, same_json

MAX_UNDO = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class RegistryEditError(PixelError):
    """An edit that cannot be made (unknown group or dataset, empty name...); nothing changed."""

    exit_code = 2


def check_finite(value: Any, field: str) -> None:
    """Refuse NaN and the infinities anywhere in ``value``: JSON has no spelling for them."""
    if isinstance(value, float) and not math.isfinite(value):
        raise RegistryEditError(f"{field!r}: {value!r} is not a finite number; JSON cannot store it",
                                "give a finite number (e.g. 20 or 1.5), or a quoted string")
    if isinstance(value, dict):
        for key, item in value.items():
            check_finite(item, f"{field}.{key}")
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            check_finite(item, f"{field}[{i}]")


def check_new_name(name: str, what: str = "dataset name") -> None:
    """Refuse a name that would be unsafe or ambiguous as a key, a path segment or a line on a screen.

    Existing entries keep whatever name they have (they are addressed through their group); only names
    we are about to write go through this.
    """
    shown = name.encode("unicode_escape").decode("ascii")
    if not name or not name.strip():
        raise RegistryEditError(f"a {what} cannot be empty")
    if _CONTROL.search(name):
        raise RegistryEditError(f"{what} {shown!r} holds control characters", "use letters, digits, '_', '-' and '.'")
    if name != name.strip():
        raise RegistryEditError(f"{what} {name!r} starts or ends with a space")
    if "/" in name:
        raise RegistryEditError(f"{what} {name!r} contains '/', which separates groups from names",
                                "pick a name without '/' (e.g. replace it with '_')")
    if name in (".", "..") or ".." in name:
        raise RegistryEditError(f"{what} {name!r} contains '..'", "scripts use names as path segments")


class RegistryEdits:
    """Add, change, move, remove datasets; undo and redo. Needs ``_text``, ``_root``, ``_ops``, ``_undo``,
    ``_redo``, ``_bom``, ``_one_level``, ``location``, ``groups()`` and ``_group_node()`` from the document."""

    # -- editing ----------------------------------------------------------------------------------
    @contextmanager
    def _edit(self, op: str, args: tuple, kwargs: dict):
        before = (self._text, tuple(self._ops))
        try:
            yield
        except (RecursionError, jsonspan.SpanError) as exc:
            # An entry nested hundreds of levels deep: the span parser (which parses an entry the first
            # time it is edited) gives up. Nothing changed; say so instead of a traceback.
            self._text, self._root = before[0], parse_text(before[0], self.location)
            what = "/".join(str(a) for a in args[:2])
            detail = "it is nested too deeply" if isinstance(exc, RecursionError) else exc.message
            raise RegistryEditError(f"cannot {op.strip('_').replace('_', ' ')} {what} in {self.location}: {detail}; "
                                    "nothing changed", "edit this entry by hand, or flatten it") from None
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
        if all(parts) and self._group_node(group) is None:
            for part in parts:
                check_new_name(part, "group name")
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

    def set_entry(self, group: str, name: str, entry: dict, replace_odd: bool = False) -> None:
        """Add or replace one entry; existing keys keep their place, keys ``entry`` lacks are kept.

        A member that is not an object (a string, a list) is refused unless ``replace_odd`` says the
        operator chose to replace it."""
        if not isinstance(entry, dict):
            raise RegistryEditError("an entry must be an object")
        for key, value in entry.items():
            check_finite(value, key)
        with self._edit("set_entry", (group, name, entry), {"replace_odd": replace_odd}):
            self._set(group, name, entry, replace_odd)

    def _set(self, group: str, name: str, entry: dict, replace_odd: bool = False) -> None:
        if not name or not name.strip():
            raise RegistryEditError("a dataset name cannot be empty")
        node = self._group_node(group)
        m = node.member(name) if node is not None else None
        if m is None:
            check_new_name(name)
            node = self._ensure_group(group)
            self._splice(jsonspan.insert_member(self._text, node, name, entry))
            return
        if m.value.kind != "object" and replace_odd:
            self._splice(jsonspan.replace_value(self._text, m.value, entry))
            return
        if m.value.kind != "object":
            # Someone put a string or a list there on purpose or by mistake: either way it is theirs.
            raise RegistryEditError(f"{group}/{name} in {self.location} is a {m.value.kind}, not an entry object",
                                    "fix or remove it by hand first; it was left as it is")
        self._ensure_group(group)
        for key, value in entry.items():
            self._set_field(group, name, key, value)

    def _set_field(self, group: str, name: str, key: str, value: Any) -> None:
        check_finite(value, key)
        entry = self._entry_node(group, name).value
        f = entry.member(key)
        if f is None:
            # The source path goes right under `path`: the migration diff then touches adjacent lines only.
            after = "path" if key == SOURCE_FIELD else None
            self._splice(jsonspan.insert_member(self._text, entry, key, value, after=after))
        elif not same_json(f.value.value(self._text), value):
            self._splice(jsonspan.replace_value(self._text, f.value, value))

    def update_fields(self, group: str, name: str, **fields: Any) -> None:
        """Change or add only the named fields of an existing entry."""
        for key, value in fields.items():
            check_finite(value, key)
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

    def move(self, group: str, name: str, new_group: str, new_name: str | None = None, *,
             after: str | None = None, first: bool = False) -> None:
        """Move (and optionally rename) a dataset to another group, last there (or after member ``after``, or
        ``first``: an undone move puts the entry back where it was); refuses to overwrite one there."""
        new_name = new_name or name
        if new_name != name:
            check_new_name(new_name)
        with self._edit("move", (group, name, new_group, new_name), {"after": after, "first": first}):
            value = self._entry_node(group, name).value.value(self._text)
            target = self._group_node(new_group)
            if target is not None and target.member(new_name) is not None:
                raise RegistryEditError(f"{new_group}/{new_name} already exists in {self.location}")
            self._splice(jsonspan.remove_member(self._text, self._group_node(group), name))
            node = self._ensure_group(new_group)
            self._splice(jsonspan.insert_member(self._text, node, new_name, value, after=after, first=first))

    def member_before(self, group: str, name: str) -> str | None:
        """The name of the member just before ``name`` in ``group`` (None when it is the first)."""
        node = self._group_node(group)
        names = [m.key for m in (node.members or [])] if node is not None else []
        i = names.index(name) if name in names else 0
        return names[i - 1] if i > 0 else None

    def duplicate(self, group: str, name: str, new_name: str, new_group: str | None = None) -> None:
        """Copy an entry under a new name."""
        new_group = new_group or group
        check_new_name(new_name)
        with self._edit("duplicate", (group, name, new_name, new_group), {}):
            value = self._entry_node(group, name).value.value(self._text)
            target = self._group_node(new_group)
            if target is not None and target.member(new_name) is not None:
                raise RegistryEditError(f"{new_group}/{new_name} already exists in {self.location}")
            self._set(new_group, new_name, value)

    def replace_text(self, text: str) -> None:
        """Replace the whole document (restoring an older version); one undo step, refused when not JSON."""
        with self._edit("replace_text", (text,), {}):
            self._splice(text.removeprefix("\ufeff"))

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
