"""A checkbox whose state reads without colour: `[x] Move` when on, `[ ] Move` when off (NO_COLOR, a
monochrome terminal and a tired eye see the same)."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Checkbox


class GlyphCheckbox(Checkbox):
    """Checkbox drawn as `[x]` / `[ ]`."""

    @property
    def _button(self) -> Content:
        """`[x]` or `[ ]` in the label's style (the state is the glyph, not the shade)."""
        style = self.get_visual_style("toggle--label")
        return Content.assemble(("[x]" if self.value else "[ ]", style))
