"""Startup: `pixel-tui` to its first painted frame, against a minimal Textual app's first painted frame.

Run: .venv/bin/python bench/bench_startup.py [--runs 7]
Both run on a real pty at 120x36. The dashboard is pointed at a live local S3 server and Drive folder,
so what it starts in the background (listings) is real; the first frame must not wait for it.
Each app writes the wall-clock time of its first frame (after the first refresh) to a file and leaves;
the figure is that time minus the time of the fork, and the whole process to its exit is shown too.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import Run, alternate, header, ratio_line  # noqa: E402
from _pty import run_on_pty  # noqa: E402

MINIMAL = """
import os, time
from textual.app import App
from textual.widgets import Static
class Minimal(App):
    def compose(self):
        yield Static("ready")
    def on_mount(self):
        self.call_after_refresh(self.painted)
    def painted(self):
        with open(os.environ["PIXEL_TUI_BENCH_EXIT_AFTER_PAINT"], "w") as fh:
            fh.write(repr(time.time()))
        self.exit()
Minimal().run()
"""


def first_paint(argv: list[str], env: dict[str, str], stamp: Path) -> Run:
    """One run on a pty: ``wall`` is fork to first frame; ``cpu`` and ``rss_mib`` are of the whole process."""
    stamp.unlink(missing_ok=True)
    started = time.time()
    whole = run_on_pty(argv, env)
    return Run(float(stamp.read_text()) - started, whole.cpu, whole.rss_mib, whole.code, str(whole.wall).encode())


def main() -> None:
    """Print both contenders' medians (min-max) and the ratio, alternated round by round."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7, help="rounds (each runs both, alternating who goes first)")
    args = parser.parse_args()
    from pixel_tui.demo.environment import start_demo

    exe = str(Path(sys.executable).parent / "pixel-tui")
    with tempfile.TemporaryDirectory() as tmp:
        env_demo = start_demo(Path(tmp) / "demo", start_upload=False)
        try:
            s = env_demo.settings
            stamp = Path(tmp) / "painted"
            env = {**os.environ, **env_demo.process_env(), "TERM": "xterm-256color",
                   "PIXEL_TUI_BENCH_EXIT_AFTER_PAINT": str(stamp), "PIXEL_TUI_ENDPOINT_URL": s.endpoint_url,
                   "PIXEL_TUI_BUCKET": s.bucket, "PIXEL_TUI_DRIVE": s.drive, "PIXEL_TUI_REGISTRY": s.registry,
                   "PIXEL_TUI_LOGS": ",".join(s.logs), "PIXEL_TUI_STATE_DIR": s.state_dir}
            minimal_argv = [sys.executable, "-c", MINIMAL]
            ours_argv = [exe]
            # One warm-up each so both read the same warm page cache.
            first_paint(minimal_argv, env, stamp)
            first_paint(ours_argv, env, stamp)
            series = alternate({"ours": lambda: first_paint(ours_argv, env, stamp),
                                "minimal": lambda: first_paint(minimal_argv, env, stamp)}, args.runs)
        finally:
            env_demo.stop()
    print(f"load average {os.getloadavg()[0]:.1f}; whole processes on a 120x36 pty, {args.runs} alternated rounds")
    print(header("Start-up to the first painted frame", "pixel-tui", "minimal Textual app"))
    print(ratio_line("fork to the first frame (demo data)", series["ours"], series["minimal"], "<= 1.3x"))
    ours_exit = sorted(float(r.out) for r in series["ours"].runs)
    mini_exit = sorted(float(r.out) for r in series["minimal"].runs)
    print(f"  to the process's exit: {ours_exit[len(ours_exit) // 2]:.2f} s against {mini_exit[len(mini_exit) // 2]:.2f} s "
          f"(ours waits for its first listings' threads); CPU of the whole process: "
          f"{series['ours'].spread('cpu')} against {series['minimal'].spread('cpu')}")


if __name__ == "__main__":
    main()
