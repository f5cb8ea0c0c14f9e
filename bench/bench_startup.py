"""Startup: `pixel-tui` to its first painted frame, against a minimal Textual app that exits on mount.

Run: .venv/bin/python bench/bench_startup.py [--runs 7]
Both run on a real pty at 120x36. The dashboard is pointed at a live local S3 server and Drive folder,
so what it starts in the background (listings) is real; the first frame must not wait for it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _pty import run_on_pty  # noqa: E402

MINIMAL = """
from textual.app import App
class Minimal(App):
    def on_mount(self):
        self.exit()
Minimal().run()
"""


def main() -> None:
    """Print the median times and the ratio."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    from pixel_tui.demo.environment import start_demo

    exe = str(Path(sys.executable).parent / "pixel-tui")
    with tempfile.TemporaryDirectory() as tmp:
        env_demo = start_demo(Path(tmp) / "demo", start_upload=False)
        try:
            s = env_demo.settings
            env = {**os.environ, **env_demo.process_env(), "TERM": "xterm-256color",
                   "PIXEL_TUI_BENCH_EXIT_AFTER_PAINT": "1", "PIXEL_TUI_ENDPOINT_URL": s.endpoint_url,
                   "PIXEL_TUI_BUCKET": s.bucket, "PIXEL_TUI_DRIVE": s.drive, "PIXEL_TUI_REGISTRY": s.registry,
                   "PIXEL_TUI_LOGS": ",".join(s.logs), "PIXEL_TUI_STATE_DIR": s.state_dir}
            minimal_argv = [sys.executable, "-c", MINIMAL]
            ours_argv = [exe]
            # One warm-up each so both read the same warm page cache.
            run_on_pty(minimal_argv, env)
            run_on_pty(ours_argv, env)
            minimal = [run_on_pty(minimal_argv, env) for _ in range(args.runs)]
            ours = [run_on_pty(ours_argv, env) for _ in range(args.runs)]
        finally:
            env_demo.stop()
    m, o = statistics.median(minimal), statistics.median(ours)
    print(f"minimal textual app (exit on mount): median {m * 1000:7.0f} ms  over {args.runs} runs")
    print(f"pixel-tui to first painted frame:    median {o * 1000:7.0f} ms  over {args.runs} runs")
    print(f"ratio pixel-tui / minimal: {o / m:.2f}x   (goal: <= 2.0x)")


if __name__ == "__main__":
    main()
