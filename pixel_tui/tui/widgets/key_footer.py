"""The footer every screen shows: the keys that matter most first (`?` help, `q` quit, Esc back), so an 80
column terminal cuts the least useful ones, not these."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

FIRST_ACTIONS = ("app.help", "help", "app.quit", "quit", "dismiss", "back", "app.pop_screen", "app.back")


def footer_order(bindings: list) -> list:
    """``bindings`` (Binding objects) with help, quit and back first, else in their given order."""

    def rank(item: tuple[int, object]) -> tuple[int, int]:
        pos, binding = item
        action = binding.action
        return (FIRST_ACTIONS.index(action) if action in FIRST_ACTIONS else len(FIRST_ACTIONS), pos)

    return [b for _, b in sorted(enumerate(bindings), key=rank)]


class KeyFooter(Footer):
    """A compact Footer listing `?`, `q` and Esc before the screen's own keys (one entry per action)."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("compact", True)
        kwargs.setdefault("show_command_palette", False)  # Ctrl+P is listed in `?` instead
        super().__init__(**kwargs)

    def compose(self) -> ComposeResult:
        """One FooterKey per shown action, help/quit/back first."""
        if not self._bindings_ready:
            return
        seen: set[str] = set()
        shown = []
        for _node, binding, enabled, tooltip in self.screen.active_bindings.values():
            if binding.show and binding.action not in seen:
                seen.add(binding.action)
                shown.append((binding, enabled, tooltip))
        order = {id(b): (b, e, t) for b, e, t in shown}
        for binding in footer_order([b for b, _, _ in shown]):
            binding, enabled, tooltip = order[id(binding)]
            yield FooterKey(binding.key, self.app.get_key_display(binding), binding.description, binding.action,
                            disabled=not enabled, tooltip=tooltip).data_bind(compact=Footer.compact)
