"""The messages a browser pane's workers send it: rows of a level as they stream, the level done or
failed, and markers computed in the background."""

from __future__ import annotations

from textual.message import Message

from pixel_tui.core.storage.listing import Level


class LevelRows(Message):
    """Rows of the level being loaded (generation ``gen``), packed into a Level by the worker."""

    def __init__(self, gen: int, rows: "list | Level") -> None:
        super().__init__()
        self.gen = gen
        if isinstance(rows, Level):
            self.chunk = rows
        else:
            self.chunk = Level("")
            self.chunk.add(rows)  # runs in the worker thread: the UI thread only copies columns


class LevelLoaded(Message):
    """The level finished loading."""

    def __init__(self, gen: int, elapsed: float) -> None:
        super().__init__()
        self.gen = gen
        self.elapsed = elapsed


class LevelFailed(Message):
    """Listing failed: what happened and what to do."""

    def __init__(self, gen: int, message: str, hint: str = "") -> None:
        super().__init__()
        self.gen = gen
        self.message = message
        self.hint = hint


class MarkersUpdated(Message):
    """Markers and/or folder info for rows of level generation ``gen``."""

    def __init__(self, gen: int, markers: dict[str, str] | None = None, info: dict[str, str] | None = None,
                 note: str = "", cache: tuple[str, str] | None = None, subtree: str = "") -> None:
        super().__init__()
        self.gen = gen
        self.subtree = subtree  # what the whole subtree of the level holds (a second part of the status)
        self.cache = cache  # (location, name) whose final totals these are: kept for the session
        self.markers = markers or {}
        self.info = info or {}
        self.note = note


class OnlyOnS3(Message):
    """Rows of S3 raw level generation ``gen`` with no Drive counterpart (the `+` status filter)."""

    def __init__(self, gen: int, names: set[str]) -> None:
        super().__init__()
        self.gen = gen
        self.names = names
