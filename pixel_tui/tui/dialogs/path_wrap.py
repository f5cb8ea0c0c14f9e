"""Dialog text that wraps at spaces and after each `/`: long s3:// paths break between their parts, headings
between words, and only a part wider than the whole line is cut inside (issue 14).

Rich and Textual wrap at whitespace only, so a path is one "word" to them and folds mid-name. Inserting zero-width
spaces would not help (neither counts them as break points) and would end up in what the operator copies; the
lines are cut here instead, from the text as it is. ``WrappedStatic`` maps a mouse selection back onto that text,
so a copied path is the path: no inserted newline, no invisible character.
"""

from __future__ import annotations

import re

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text
from textual.widgets import Static

from pixel_tui.core.printable import printable

# A part ending in its slashes, a word, or a run of spaces: lines may end after any of them.
_PART = re.compile(r"[^\s/]*/+|[^\s/]+|[^\S\n]+")


def line_spans(text: str, width: int) -> list[tuple[int, int]]:
    """(start, end) of each line of ``text`` wrapped to ``width`` cells, breaking at spaces and after `/`;
    trailing spaces are left out of a line, newlines always break."""
    width = max(1, width)
    spans: list[tuple[int, int]] = []
    pos = 0
    for para in text.split("\n"):
        start, col, end = pos, 0, pos  # the open line: from start, col cells wide, content up to end
        first = len(spans)
        for m in _PART.finditer(para):
            a, b, part = pos + m.start(), pos + m.end(), m.group()
            w = cell_len(part)
            if part.isspace():
                if col + w > width:  # spaces end the line; the next starts after them
                    if end > start:
                        spans.append((start, end))
                    start, col, end = b, 0, b
                else:
                    col += w
                continue
            if col + w <= width:
                col, end = col + w, b
                continue
            if col:  # the part starts the next line
                if end > start:
                    spans.append((start, end))
                start, col, end = a, 0, a
            while w > width:  # wider than a whole line: cut it (the only mid-word break)
                cut, cells = a, 0
                while cut < b and cells + cell_len(text[cut]) <= width:
                    cells += cell_len(text[cut])
                    cut += 1
                cut = max(cut, a + 1)
                spans.append((start, cut))
                start = a = end = cut
                w = cell_len(text[a:b])
            col, end = w, b
        if end > start or len(spans) == first:  # an empty paragraph is an empty line
            spans.append((start, end))
        pos += len(para) + 1
    return spans


class SlashWrapped:
    """A rich renderable: ``text`` (a Text, styles kept) wrapped by line_spans() at the width it is given."""

    def __init__(self, text: Text) -> None:
        self.text = text

    @property
    def plain(self) -> str:
        """The text as given (what a copy of it must be)."""
        return self.text.plain

    def __str__(self) -> str:
        return self.text.plain

    def lines(self, width: int) -> list[Text]:
        """The styled lines at ``width``."""
        return [self.text[a:b] for a, b in line_spans(self.text.plain, width)]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in self.lines(options.max_width):
            line.no_wrap, line.overflow, line.end = True, "ignore", "\n"
            yield line

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        plain = self.text.plain
        parts = [cell_len(m.group()) for m in _PART.finditer(plain) if not m.group().isspace()]
        longest = max((cell_len(line) for line in plain.split("\n")), default=0)
        return Measurement(min(max(parts, default=1), options.max_width), min(longest, options.max_width))


def slash_wrapped(text: str | Text, style: str = "") -> SlashWrapped:
    """``text`` wrapped at spaces and after `/`; a plain string is data: its control characters are escaped."""
    if isinstance(text, str):
        text = Text(printable(text), style=style)
    return SlashWrapped(text)


def markup_wrapped(markup: str) -> SlashWrapped:
    """Console markup (its data already escaped by the caller), wrapped at spaces and after `/`."""
    return SlashWrapped(Text.from_markup(printable(markup)))


class WrappedStatic(Static):
    """A Static showing a SlashWrapped; a mouse selection copies the original text, not the wrapped lines."""

    def render(self):
        """The SlashWrapped itself (a Visual made of it each time), so str() of it reads as its text."""
        return self.content if isinstance(self.content, SlashWrapped) else super().render()

    def get_selection(self, selection):
        """The selected part of the text as given (line breaks the wrapping made are not in it)."""
        wrapped = self.content
        if not isinstance(wrapped, SlashWrapped):
            return super().get_selection(selection)
        spans = line_spans(wrapped.plain, self.content_size.width or self.size.width)
        return selected_text(wrapped.plain, spans, selection), "\n"


def selected_text(plain: str, spans: list[tuple[int, int]], selection) -> str:
    """The slice of ``plain`` that a selection over its wrapped lines (``spans``) covers."""
    if not spans:
        return ""

    def offset(point, default: int) -> int:
        if point is None:
            return default
        a, b = spans[min(point.y, len(spans) - 1)]
        return min(a + point.x, b) if point.y < len(spans) else spans[-1][1]

    return plain[offset(selection.start, 0):offset(selection.end, spans[-1][1])]
