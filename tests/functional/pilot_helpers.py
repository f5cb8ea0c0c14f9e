"""Helpers every Pilot test uses: run an async test without a plugin, wait for a condition."""

from __future__ import annotations

import asyncio
import functools
import time


def sync(fn):
    """Run an async Pilot test with asyncio.run (no async pytest plugin is used)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return asyncio.run(fn(*args, **kwargs))

    return wrapper


async def wait_for(pilot, cond, timeout: float = 20.0, what: str = "condition") -> None:
    """Let the app run until ``cond()`` holds; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.05)
