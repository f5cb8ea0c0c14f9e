"""The fields the registry models, type-checked before an edit is made (numbers, stage names, paths).

Fields the tool does not model stay free-form: people add their own and other scripts read them.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from pixel_tui.core.registry.edits import RegistryEditError, check_finite
from pixel_tui.core.registry.entries import SOURCE_FIELD, STAGES

NUMBER_FIELDS = ("size_mb",)
INTEGER_FIELDS = ("tier",)
PATH_FIELDS = ("path", SOURCE_FIELD)
TEXT_FIELDS = ("type", "focus", "quality_profile", "notes", "status")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def known_stages(datasets: Iterable = ()) -> list[str]:
    """The stage names the team uses: the four of the pipeline plus any the file already holds."""
    seen = dict.fromkeys(STAGES)
    for ref in datasets:
        stage = ref.entry.get("stage")
        if isinstance(stage, str) and stage:
            seen.setdefault(stage)
    return list(seen)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def field_problem(key: str, value: Any, stages: Iterable[str]) -> str:
    """Why ``value`` cannot be ``key``'s value ('' when it can, and for every field the tool does not model)."""
    if key in NUMBER_FIELDS:
        if not _number(value):
            return f"{key} must be a number (megabytes, e.g. 37 or 12.5), got {value!r}"
        if value < 0:
            return f"{key} cannot be negative, got {value!r}"
    elif key in INTEGER_FIELDS:
        if not isinstance(value, int) or isinstance(value, bool):
            return f"{key} must be a whole number (e.g. 1), got {value!r}"
    elif key in PATH_FIELDS:
        if not isinstance(value, str) or not value.strip():
            return f"{key} must be a path (s3://bucket/key, or a Drive or local path), got {value!r}"
        if _CONTROL.search(value):
            return f"{key} {value!r} contains control characters"
        if value.startswith("s3://"):
            from pixel_tui.core.storage.s3url import parse_s3_url

            if not parse_s3_url(value)[0]:
                return f"{key} {value!r} is not an s3://bucket/key URL"
    elif key == "stage":
        stages = list(stages)
        if not isinstance(value, str) or value not in stages:
            return f"stage must be one of the stages this registry uses ({', '.join(stages)}), got {value!r}"
    elif key in TEXT_FIELDS and not isinstance(value, str):
        return f"{key} must be text, got {value!r}"
    return ""


def check_fields(fields: dict[str, Any], datasets: Iterable = ()) -> None:
    """Raise RegistryEditError (exit 2) naming the first field whose value the registry cannot hold."""
    stages = known_stages(datasets)
    for key, value in fields.items():
        check_finite(value, key)  # NaN is "not finite" whatever the field: say that first
        problem = field_problem(key, value, stages)
        if problem:
            raise RegistryEditError(problem, "quote a value to store it as text only in a field the tool does not model")
