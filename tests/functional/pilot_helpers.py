"""Helpers every Pilot test uses: wait for a condition while the app runs."""

from __future__ import annotations

import time


async def wait_for(pilot, cond, timeout: float = 20.0, what: str = "condition") -> None:
    """Let the app run until ``cond()`` holds; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.05)
