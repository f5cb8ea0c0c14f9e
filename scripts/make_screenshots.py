"""Regenerate screenshots/*.svg from the real app running on the demo data, at 120x36.

Run: .venv/bin/python scripts/make_screenshots.py
It starts the demo environment (local S3 server, Drive folder, registry, a live upload), drives the
app with Textual's Pilot like an operator would, and saves one SVG per main screen.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "screenshots"
SIZE = (120, 36)


async def settle(pilot, seconds: float = 1.0) -> None:
    """Let workers deliver their results and the screen repaint."""
    await pilot.pause(seconds)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause(0.3)


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
    return saved


async def open_raw_folder(pilot) -> None:
    """Hook for the home screen: show the raw prefix on the S3 side if the screen offers it."""
    screen = pilot.app.screen
    opener = getattr(screen, "screenshot_setup", None)
    if opener is not None:
        await opener(pilot)


async def open_promotion_plan(pilot) -> bool:
    """Select the CoT_Heartbreak file under raw and press `p` (story 3), if the home screen supports it."""
    screen = pilot.app.screen
    select = getattr(screen, "select_s3_key", None)
    if select is None:
        return False
    await select("gdrive/raw/CoT_Heartbreak_and_Breakups_downloaded.json")
    await pilot.press("p")
    return True


def main() -> int:
    """Start the demo, take the screenshots, stop the demo."""
    sys.path.insert(0, str(ROOT))
    from pixel_tui.core.demo import start_demo

    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        env = start_demo(Path(tmp) / "demo")
        try:
            os.environ.update(env.process_env())
            saved = asyncio.run(shoot(env))
        finally:
            env.stop()
    for path in saved:
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
