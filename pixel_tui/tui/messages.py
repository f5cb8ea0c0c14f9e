"""The messages that cross screens: job views from the app's feed, a promotion's progress and end.

Messages a widget only sends to its own screen stay beside the widget.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from pixel_tui.core.jobs.tail import JobView
    from pixel_tui.core.promotion import Progress, Result


class JobViewChanged(Message):
    """A watched log or rc endpoint has new data (``view``: the feed's newest copy; read it, keep it,
    do not change it). Sent to each subscriber only: it does not bubble."""

    bubble = False

    def __init__(self, view: JobView) -> None:
        super().__init__()
        self.view = view


class PromotionProgressed(Message):
    """Progress of the running promotion (supersedes the previous one)."""

    def __init__(self, progress: "Progress") -> None:
        super().__init__()
        self.progress = progress

    def can_replace(self, message: Message) -> bool:
        """Only the latest progress matters."""
        return isinstance(message, PromotionProgressed)


class PromotionFinished(Message):
    """Every object copied and verified, registry saved (and sources deleted in move mode)."""

    def __init__(self, result: "Result") -> None:
        super().__init__()
        self.result = result


class PromotionStopped(Message):
    """The promotion stopped (cancelled, S3 error, verification failure); it can be resumed."""

    def __init__(self, error: str, resumable_id: str) -> None:
        super().__init__()
        self.error, self.resumable_id = error, resumable_id


class PromotionUndone(Message):
    """A promotion was undone (its copies deleted, the registry entry restored or kept): trees refresh."""

    def __init__(self, promotion_id: str) -> None:
        super().__init__()
        self.promotion_id = promotion_id
