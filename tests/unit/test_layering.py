"""The core never imports textual; binaries are found where pip puts them."""

from __future__ import annotations

import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pixel_tui.core
from pixel_tui.core.binaries import find_binary


def test_core_modules_do_not_import_textual():
    names = [f"pixel_tui.core.{m.name}" for m in pkgutil.iter_modules(pixel_tui.core.__path__)]
    assert "pixel_tui.core.storage.s3" in names and "pixel_tui.core.config" in names
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"pixel_tui.core imported textual: {out.stdout}"


def test_binaries_found_next_to_interpreter_without_path():
    find_binary.cache_clear()
    old = os.environ.get("PATH", "")
    os.environ["PATH"] = "/nonexistent"
    try:
        for name in ("rclone", "weed"):
            path = find_binary(name)
            assert Path(path).parent == Path(sys.executable).parent
    finally:
        os.environ["PATH"] = old
        find_binary.cache_clear()


def test_entry_point_runs_from_an_unactivated_venv():
    exe = Path(sys.executable).parent / "pixel-tui"
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    env["PATH"] = "/usr/bin:/bin"
    out = subprocess.run([str(exe), "--version"], capture_output=True, text=True, env=env)
    assert out.returncode == 0 and out.stdout.startswith("pixel-tui ")
