"""Regenerate screenshots/*.svg from the real app running on the demo data, at 120x36.

Run: .venv/bin/python scripts/make_screenshots.py
It starts the demo environment (local S3 server, Drive folder, registry, a live upload), drives the
app with Textual's Pilot like an operator would, and saves one SVG per main screen.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "screenshots"
SIZE = (120, 36)


async def settle(pilot, seconds: float = 1.0, timeout: float = 30.0) -> None:
    """Let listings finish and the screen repaint (job watchers run for ever, so wait on panes only)."""
    import time

    await pilot.pause(seconds)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        panes = list(pilot.app.screen.query("BrowserPane"))
        if not any(p.loading for p in panes):
            break
        await pilot.pause(0.1)
    await pilot.pause(0.5)


async def shoot(env) -> list[Path]:
    """Drive the app through its main screens and save an SVG of each."""
    from pixel_tui.tui.app import make_app

    app = make_app(env.settings, rclone_env=env.rclone_env)
    saved: list[Path] = []

    def save(name: str) -> None:
        path = OUT / f"{name}.svg"
        app.save_screenshot(filename=path.name, path=str(OUT))
        saved.append(path)

    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, 4.0)
        await open_raw_folder(pilot)
        save("home")
        await pilot.press("question_mark")
        await settle(pilot, 0.5)
        save("help")
        await pilot.press("escape")
        await pilot.press("m")
        await settle(pilot, 3.0)
        save("monitor")
        await pilot.press("escape")
        await pilot.press("R")
        await settle(pilot, 4.0)
        save("registry")
        await pilot.press("escape")
        await settle(pilot, 0.5)
        if await open_promotion_plan(pilot):
            await settle(pilot, 2.0)
            save("promotion_plan")
            if await promote_and_open_details(pilot):
                save("history_details")
    return saved


async def promote_and_open_details(pilot, timeout: float = 60.0) -> bool:
    """Story 3 to the end: `y` promotes, `y` closes the dialog, then `H` and Enter on the promotion."""
    import time

    dialog = pilot.app.screen
    if getattr(dialog, "_plan", None) is None:
        return False
    await pilot.press("y")
    deadline = time.monotonic() + timeout
    while getattr(dialog, "_finished", None) is None:
        if time.monotonic() > deadline:
            return False
        await pilot.pause(0.2)
    await pilot.press("y")
    await pilot.press("H")
    await settle(pilot, 1.5)
    await pilot.press("enter")
    await settle(pilot, 1.5)
    return True


async def open_raw_folder(pilot) -> None:
    """Story 2: datasets-wendy/ open on the Drive side, its raw counterpart on the S3 side."""
    screen = pilot.app.screen
    screen.drive.open_location("datasets-wendy/")
    screen.s3.open_location("gdrive/raw/datasets-wendy/")
    await settle(pilot, 1.5)


async def open_promotion_plan(pilot) -> bool:
    """Story 3: the CoT_Heartbreak file selected under raw in the S3 pane, then `p`."""
    screen = pilot.app.screen
    screen.s3.open_location("gdrive/raw/", select="CoT_Heartbreak_and_Breakups_downloaded.json")
    await settle(pilot, 1.0)
    screen.s3.entries.focus()
    await pilot.pause(0.3)
    await pilot.press("p")
    return True


def main() -> int:
    """Start the demo, take the screenshots, stop the demo."""
    sys.path.insert(0, str(ROOT))
    from pixel_tui.demo.environment import start_demo

    OUT.mkdir(exist_ok=True)
    # A fixed place (not a random temp dir), so the paths shown in the screenshots stay the same.
    root = Path(tempfile.gettempdir()) / "pixel-tui-screenshots"
    env = start_demo(root, reset=True)
    try:
        os.environ.update(env.process_env())
        saved = asyncio.run(shoot(env))
    finally:
        env.stop()
        shutil.rmtree(root, ignore_errors=True)
    for path in saved:
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
