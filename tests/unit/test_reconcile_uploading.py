"""'Uploading now' markers from a real rclone log cut mid-transfer."""

from __future__ import annotations

from pixel_tui.core.config import Settings
from pixel_tui.tui.widgets.drive_pane import transfer_matches, uploading_now


def _cut_mid_transfer(log_text: str) -> str:
    """The log up to the end (blank line) of the first stats block that lists files in flight."""
    lines = log_text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.startswith(" * "):
            j = i
            while j < len(lines) and lines[j].startswith(" * "):
                j += 1
            return "".join(lines[: j + 1])
    raise AssertionError("no transferring block in the log")


def test_uploading_now_reads_the_live_transfer_list(rclone_logs, tmp_path):
    live = tmp_path / "live.log"
    live.write_text(_cut_mid_transfer(rclone_logs.text.read_text()))
    names = uploading_now(Settings(logs=(str(live),)))
    assert names and all(n.endswith(".bin") for n in names)
    assert set(names) <= {"part-0.bin", "sub/part-1.bin", "part-2.bin", "sub/part-3.bin"}
    assert uploading_now(Settings()) == []  # no log configured: no marker, no error
    assert uploading_now(Settings(logs=(str(tmp_path / "not there yet.log"),))) == []


def test_transfer_names_match_files_and_folders():
    assert transfer_matches("sub/part-1.bin", "sub/part-1.bin", False)
    assert transfer_matches("sub/part-1.bin", "sub/", True)
    assert not transfer_matches("sub/part-1.bin", "sub", False)
    assert not transfer_matches("subway/x", "sub/", True)
    # rclone shortens long names with an ellipsis in the middle
    assert transfer_matches("very/long/na…file.json", "very/long/name/of/the/file.json", False)
    assert transfer_matches("very/long/na…file.json", "very/", True)
