"""The one way a name the operator typed becomes a dataset: ``GROUP/NAME``, or a NAME alone when it is unique.

The CLI (`registry get/set/add/rm`), the resolver, the registry screen's jump and the promote dialog's
registry entry all go through ``find_dataset`` / ``split_address``: a unique name is enough everywhere, and an
ambiguous one lists its candidates as ``group/name``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pixel_tui.core.registry.edits import RegistryEditError

if TYPE_CHECKING:
    from pixel_tui.core.registry.document import DatasetRef, Registry


class NameNotFound(RegistryEditError):
    """No dataset has this name (or GROUP/NAME)."""


class AmbiguousName(RegistryEditError):
    """The name is in several groups; ``candidates`` are their ``group/name`` keys."""

    def __init__(self, message: str, hint: str, candidates: list[str]) -> None:
        super().__init__(message, hint)
        self.candidates = candidates


def candidates(reg: "Registry", address: str, group: str | None = None) -> list["DatasetRef"]:
    """Every dataset ``address`` may mean: the one at GROUP/NAME, else every dataset called NAME (in ``group``)."""
    address = address.strip().strip("/")
    if group is None:
        known = reg.split_key(address)
        if known is not None and reg.ref(*known) is not None:
            return [reg.ref(*known)]
    return [r for r in reg.find(address) if group is None or r.group == group]


def find_dataset(reg: "Registry", address: str, group: str | None = None, missing_hint: str = "") -> "DatasetRef":
    """The one dataset ``address`` names (GROUP/NAME, or a unique NAME); NameNotFound (with ``missing_hint``, when
    given, as what to do) or AmbiguousName."""
    found = candidates(reg, address, group)
    if len(found) == 1:
        return found[0]
    shown = address.strip().strip("/")
    if not found:
        where = f" in group {group}" if group else ""
        raise NameNotFound(f"no dataset {shown!r}{where} in the registry {reg.location}",
                           missing_hint or "give GROUP/NAME or a dataset name (`pixel-tui registry show` lists them)")
    keys = [r.key for r in found]
    raise AmbiguousName(f"{shown!r} names {len(found)} datasets in {reg.location} (it is in several groups: "
                        f"{', '.join(r.group for r in found)})", "give GROUP/NAME: " + ", ".join(keys), keys)


def split_address(reg: "Registry", address: str, must_exist: bool = True) -> tuple[str, str]:
    """GROUP/NAME -> (group, name) for an edit: an existing dataset by GROUP/NAME or unique NAME, else (for a new
    entry) the group and name typed, with the groups listed when the group is unknown."""
    try:
        ref = find_dataset(reg, address)
        return ref.group, ref.name
    except NameNotFound:
        pass
    text = address.strip().strip("/")
    known = reg.split_key(text)
    if known is not None:
        return known
    group, _, name = text.rpartition("/")
    if not group or not name:
        raise NameNotFound(f"no dataset {text!r} in {reg.location}, and {text!r} is not GROUP/NAME",
                           "e.g. datasets/cot_reasoning/CoT_Temporal_Reasoning, or a dataset name")
    if must_exist and group not in reg.groups():
        raise NameNotFound(f"no group {group!r} in {reg.location}", "groups: " + ", ".join(reg.groups()))
    return group, name
