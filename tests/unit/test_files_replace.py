"""core.files.replace_atomically: the one temp-file-and-rename every state file uses."""

from __future__ import annotations

import stat

import pytest

from pixel_tui.core.files import replace_atomically


def test_replaces_whole_and_owner_only(tmp_path):
    target = tmp_path / "cache.json"
    target.write_text("old")
    replace_atomically(target, "new ü")
    assert target.read_text(encoding="utf-8") == "new ü"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["cache.json"]


def test_a_failed_rename_leaves_the_old_file_and_no_temp_file(tmp_path):
    target = tmp_path / "taken"
    target.mkdir()  # a directory where the file should go: the rename fails
    with pytest.raises(OSError):
        replace_atomically(target, "data")
    assert target.is_dir() and [p.name for p in tmp_path.iterdir()] == ["taken"]
