"""Arrows point one way (import-linter contracts in pyproject.toml); binaries are found where pip puts them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pixel_tui.core.binaries import find_binary

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint(package_parent: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(package_parent)}
    return subprocess.run([str(LINT_IMPORTS), str(ROOT / "pyproject.toml"), "--no-cache"],
                          capture_output=True, text=True, env=env, cwd=package_parent)


def test_import_contracts_hold():
    out = _lint(ROOT)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "BROKEN" not in out.stdout and "KEPT" in out.stdout


@pytest.mark.parametrize("module, bad_import", [
    ("core/storage/s3.py", "import pixel_tui.core.browse.reconcile"),   # a room pointing up
    ("core/jobs/parse.py", "import textual.app"),                        # the core importing the UI toolkit
    ("core/storage/s3url.py", "import pixel_tui.core.storage.s3"),  # a cycle inside one room (s3 uses s3url)
])
def test_contracts_fail_when_an_arrow_is_reversed(tmp_path, module, bad_import):
    shutil.copytree(ROOT / "pixel_tui", tmp_path / "pixel_tui", ignore=shutil.ignore_patterns("__pycache__"))
    target = tmp_path / "pixel_tui" / module
    target.write_text(target.read_text() + f"\n{bad_import}  # added by the test\n")
    out = _lint(tmp_path)
    assert out.returncode != 0 and "BROKEN" in out.stdout, out.stdout


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
