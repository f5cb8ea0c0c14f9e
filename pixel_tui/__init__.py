"""pixel_tui: a terminal dashboard for a Drive -> S3 training-data pipeline, and its library.

The names below are the API for scripts and training code; they load on first use (PEP 562), so
`import pixel_tui` and `pixel-tui --version` stay cheap (no boto3, no textual).

    from pixel_tui import Resolver
    with Resolver("s3://bucket/config/dataset_registry.json").open("priority_1") as f: ...
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "Settings": "pixel_tui.core.config",
    "load_settings": "pixel_tui.core.config",
    "PixelError": "pixel_tui.core.errors",
    "S3Store": "pixel_tui.core.storage.s3",
    "Registry": "pixel_tui.core.registry.document",
    "Resolver": "pixel_tui.core.registry.resolver",
    "Plan": "pixel_tui.core.promotion",
    "build_plan": "pixel_tui.core.promotion",
    "execute": "pixel_tui.core.promotion",
    "resume": "pixel_tui.core.promotion",
    "LogParser": "pixel_tui.core.jobs.parse",
    "Snapshot": "pixel_tui.core.jobs.parse",
}

__all__ = ["__version__", "Settings", "load_settings", "PixelError", "S3Store", "Registry", "Resolver", "Plan",
           "build_plan", "execute", "resume", "LogParser", "Snapshot"]

if TYPE_CHECKING:
    from pixel_tui.core.config import Settings, load_settings
    from pixel_tui.core.errors import PixelError
    from pixel_tui.core.jobs.parse import LogParser, Snapshot
    from pixel_tui.core.promotion import Plan, build_plan, execute, resume
    from pixel_tui.core.registry.document import Registry
    from pixel_tui.core.registry.resolver import Resolver
    from pixel_tui.core.storage.s3 import S3Store


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'pixel_tui' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
