"""Typed errors whose messages say what went wrong and what to do about it, and the one way to show them.

``render_error`` is what every person sees, in a pane, a dialog, a notice or on the CLI's stderr:
``message`` and, on a second line, ``what to do: hint`` for our errors; ``Type: text`` for anything
else (never a traceback). ``one_line=True`` joins the two for a status line. ``error_parts`` gives
the two halves to a widget that styles them itself.
"""

from __future__ import annotations


class PixelError(Exception):
    """Base of every error pixel_tui reports to a person; ``hint`` says what to do."""

    exit_code = 1

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return render_error(self)


def error_parts(exc: BaseException) -> tuple[str, str]:
    """(message, hint) of an exception; the hint is empty when there is none."""
    if isinstance(exc, PixelError):
        return exc.message, exc.hint
    return f"{type(exc).__name__}: {exc}", ""


def render_error(exc: BaseException, one_line: bool = False) -> str:
    """'message\\nwhat to do: hint' (or 'message (what to do: hint)' on one line); 'Type: text' otherwise."""
    message, hint = error_parts(exc)
    if not hint:
        return message
    return f"{message} (what to do: {hint})" if one_line else f"{message}\nwhat to do: {hint}"


class ConfigError(PixelError):
    """Bad configuration: unknown key, wrong type, missing bucket (exit code 2)."""

    exit_code = 2


class UnsafeNameError(PixelError):
    """A name or key that would escape the configured bucket/prefixes (``..``, leading ``/``...)."""

    exit_code = 2


class BinaryNotFound(PixelError):
    """rclone or weed could not be found next to the interpreter or on PATH."""

    exit_code = 2


class S3Error(PixelError):
    """Any S3 failure; names endpoint, bucket and key."""


class NoSuchBucket(S3Error):
    """The bucket does not exist."""


class NoSuchKey(S3Error):
    """The object does not exist."""


class AccessDenied(S3Error):
    """Credentials are missing, wrong, or lack permission."""


class EndpointUnreachable(S3Error):
    """The endpoint could not be reached at all."""


class PreconditionFailed(S3Error):
    """A conditional write lost: the object changed (or appeared) since it was read."""


class RcloneError(PixelError):
    """rclone failed or a remote is not configured."""
