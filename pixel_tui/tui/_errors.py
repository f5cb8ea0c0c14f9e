"""Turn exceptions into the text a pane or dialog shows: message and what to do, never a traceback."""

from __future__ import annotations

from pixel_tui.core.errors import PixelError


def describe(exc: BaseException) -> str:
    """'message\\nwhat to do: hint' for our errors; 'Type: text' for anything else."""
    if isinstance(exc, PixelError):
        return exc.message + (f"\nwhat to do: {exc.hint}" if exc.hint else "")
    return f"{type(exc).__name__}: {exc}"
