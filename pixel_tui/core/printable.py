"""Text from data made safe to print: no control character we did not write reaches the terminal.

S3 keys, Drive names, registry values and log lines are other people's bytes. An ESC in a key
(``\\x1b]0;...`` sets the window title, ``\\x1b[2J`` clears the screen, OSC 52 writes the clipboard)
would be obeyed by the terminal if printed raw, and bidi overrides make a name read differently
from what it is. Each such character is shown as its ``\\uXXXX`` escape instead: readable, unambiguous,
and still valid inside a JSON string, so the same filter serves plain text and ``--json``.
"""

from __future__ import annotations

import io
import re
from typing import Callable, TextIO

# C0 (but tab and newline), DEL, C1, and the Unicode bidi embeddings/overrides/isolates.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_UNSAFE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match) -> str:
    return f"\\u{ord(match.group()):04x}"


def printable(text: str) -> str:
    """``text`` with every control character but tab and newline shown as ``\\uXXXX``."""
    return _UNSAFE.sub(_escape, text) if _UNSAFE.search(text) else text


def one_line(text: str) -> str:
    """Like printable(), and newlines and tabs escaped too: for a table cell or a list row."""
    return _UNSAFE_LINE.sub(_escape, text) if _UNSAFE_LINE.search(text) else text


class SafeStream(io.TextIOBase):
    """A text stream that escapes control characters on their way to ``raw``.

    The CLI installs it as sys.stdout and sys.stderr, so every print is covered at the one place all
    output passes. ``redact`` (the CLI passes core.errors.redact) masks credentials on the same way
    out, as the last line of defence behind the messages that redact their own. Our own terminal
    controls (the promote progress line's ``\\r`` and erase-line) go through ``write_control``, the
    only way around the filter.
    """

    def __init__(self, raw: TextIO, redact: Callable[[str], str] | None = None) -> None:
        self.raw = raw
        self._redact = redact

    def write(self, text: str) -> int:
        """Write ``text`` with data's control characters escaped (and secrets masked)."""
        self.raw.write(printable(self._redact(text) if self._redact else text))
        return len(text)

    def write_control(self, text: str) -> None:
        """Write ``text`` as it is: only for sequences the program itself composed."""
        self.raw.write(text)

    def flush(self) -> None:
        """Flush the underlying stream."""
        self.raw.flush()

    def isatty(self) -> bool:
        """Whether the underlying stream is a terminal."""
        return self.raw.isatty()

    def fileno(self) -> int:
        """The underlying stream's file descriptor."""
        return self.raw.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        """The underlying stream's encoding."""
        return getattr(self.raw, "encoding", "utf-8")

    def writable(self) -> bool:
        """Always: this is an output stream."""
        return True


def write_control(stream: TextIO, text: str) -> None:
    """Write our own terminal control sequence, past a SafeStream if ``stream`` is one."""
    (stream.write_control if isinstance(stream, SafeStream) else stream.write)(text)
