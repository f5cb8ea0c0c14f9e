"""Errors of the promotion engine (all PixelErrors, so the CLI prints them with their hint)."""

from __future__ import annotations

from pixel_tui.core.errors import PixelError


class PromotionError(PixelError):
    """A promotion cannot start or cannot go on; the message says why and nothing was changed beyond it."""


class BadChoice(PromotionError):
    """The command line's choices do not say what to promote where (exit code 2, as for any usage error)."""

    exit_code = 2


class ReadOnlyMode(PromotionError):
    """Promotion is disabled in read-only mode."""

    exit_code = 2


class ConflictsBlock(PromotionError):
    """Destinations exist with different content and overwrite was not chosen."""


class VerificationFailed(PromotionError):
    """A destination does not match its source; the registry and the sources were left alone."""


class Cancelled(PromotionError):
    """The operator cancelled; finished copies are journaled and `--resume` goes on from there."""

    exit_code = 130


class UndoRefused(PromotionError):
    """Undo would lose data: a copy or the registry entry changed since the promotion.

    ``fields`` names the registry fields that changed when the entry is the reason (then undoing the
    copies only is possible)."""

    def __init__(self, message: str, hint: str = "", fields: list[str] | None = None) -> None:
        super().__init__(message, hint)
        self.fields = list(fields or [])

    @property
    def registry_only(self) -> bool:
        """True when only the registry entry stands in the way (the copies are as the promotion left them)."""
        return bool(self.fields)
