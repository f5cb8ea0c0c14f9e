"""`registry show` fits the terminal (issue 14): at a terminal of 80 columns name, status and path come first and
share the width, long paths shortened in the middle (root and file name kept), no line past the width; at 200
columns more columns; piped output keeps every value whole. Real subprocesses, on a real pseudo-terminal."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys

import pytest

LONG = "/mnt/gdrive/datasets/therapist-sft-format/conversations/2024/CoT_Heartbreak_and_Breakups_cleaned.json"
S3_LONG = "s3://pixel-data/gdrive/processed/professional_therapeutic/a_rather_long_folder_name/psych8k_final.json"
DOC = {
    "datasets": {
        "cot_reasoning": {"CoT_Heartbreak_and_Breakups_with_a_long_name": {"path": LONG, "stage": "stage2_therapeutic_expertise",
                                                                          "type": "chain_of_thought"}},
        "professional_therapeutic": {"psych8k": {"path": S3_LONG, "stage": "stage1_foundation", "type": "professional"}},
    }
}


@pytest.fixture
def reg_path(tmp_path):
    p = tmp_path / "dataset_registry.json"
    p.write_text(json.dumps(DOC, indent=4))
    return p


def run_show(reg_path, columns: int | None, tty: bool) -> str:
    """`pixel-tui registry show --offline` in a subprocess, its stdout a pty (``tty``) or a pipe."""
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    if columns is not None:
        env["COLUMNS"] = str(columns)
    argv = [sys.executable, "-m", "pixel_tui", "registry", "show", "--offline", "--registry", str(reg_path)]
    if not tty:
        return subprocess.run(argv, env=env, capture_output=True, text=True, check=True, timeout=60).stdout
    main, child = pty.openpty()
    proc = subprocess.Popen(argv, env=env, stdout=child, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    os.close(child)
    chunks = []
    while True:
        try:
            data = os.read(main, 65536)
        except OSError:  # EIO: the child closed its side
            break
        if not data:
            break
        chunks.append(data)
    os.close(main)
    assert proc.wait(timeout=60) == 0, proc.stderr.read()
    return b"".join(chunks).decode().replace("\r\n", "\n")


def test_at_80_columns_name_status_path_share_the_width(reg_path):
    out = run_show(reg_path, 80, tty=True)
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80, out
    assert lines[0].split()[:3] == ["NAME", "STATUS", "PATH"]
    row = next(line for line in lines if "not migrated" in line)
    assert "/mnt/gdrive/" in row and row.rstrip().endswith("_cleaned.json") and "…" in row  # root and file name
    s3_row = next(line for line in lines if line.startswith("psych8k"))
    assert "s3://pixel-data/" in s3_row and s3_row.rstrip().endswith("psych8k_final.json")
    assert "stage2_therapeutic_expertise" not in out  # stage gives way to the path at 80 columns


def test_at_200_columns_more_columns_and_a_wider_path(reg_path):
    out = run_show(reg_path, 200, tty=True)
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 200
    assert lines[0].split()[:3] == ["NAME", "STATUS", "PATH"]
    assert "GROUP" in lines[0] and "STAGE" in lines[0] and "stage2_therapeutic_expertise" in out
    assert "CoT_Heartbreak_and_Breakups_with_a_long_name" in out  # the name whole
    narrow = next(line for line in run_show(reg_path, 80, tty=True).splitlines() if line.startswith("psych8k"))
    wide = next(line for line in lines if line.startswith("psych8k"))
    path = lambda line: line[line.index("s3://"):].split("  ")[0]  # noqa: E731
    assert len(path(wide)) > len(path(narrow)) and path(wide).endswith("/psych8k_final.json")


def test_piped_output_keeps_every_value_whole(reg_path):
    out = run_show(reg_path, 80, tty=False)  # COLUMNS set, but not a terminal: scripts get the values
    assert LONG in out and S3_LONG in out and "stage2_therapeutic_expertise" in out
    assert out.splitlines()[0].split() == ["GROUP", "NAME", "STAGE", "TYPE", "STATUS", "PATH"]
