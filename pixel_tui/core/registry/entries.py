"""What the registry holds: dataset groups, the stage names, and one dataset (DatasetRef) as read from it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SOURCE_FIELD = "source_path"  # where a migrated dataset came from (its Drive location)
STAGES = ("stage1_foundation", "stage2_therapeutic_expertise", "stage3_edge_stress_test", "stage4_voice_persona")
ONE_LEVEL_GROUPS = ("edge_case_sources", "voice_persona")
TWO_LEVEL_ROOT = "datasets"


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
