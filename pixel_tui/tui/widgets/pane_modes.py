"""The browser pane's modes: its sort (`o`) and its status filter (`f`), and the border title naming them.

A mixin of BrowserPane: the orders and the filters' rules live in core/browse/order.py, the shown rows
in EntryList (a permutation of its column store); this says which apply where and what the title reads.
"""

from __future__ import annotations

from pixel_tui.core.browse.order import SORT_LABELS, next_sort, next_status, status_matches


class PaneModes:
    """Sort and status filter of a BrowserPane (which provides ``entries``, ``location`` and the status line)."""

    status_kind = ""  # the status filter (core/browse/order.py), '' for all rows

    def status_filters(self, location: str) -> tuple[tuple[str, str], ...]:
        """(kind, label) of the status filters that mean something at ``location`` (the `f` cycle)."""
        return ()

    def status_keeps(self, kind: str, name: str) -> bool:
        """Whether the row ``name`` passes the status filter ``kind`` (looked up at each recompute)."""
        return status_matches(kind, self.entries.markers.get(name, ""))

    def title_badges(self) -> list[str]:
        """What the pane's border title says about its modes (the sort, the S3 pane's link)."""
        sort = self.entries.sort
        return [f"sort: {SORT_LABELS[sort]}"] if sort else []

    def refresh_title(self) -> None:
        """Show the modes (title_badges) in the border title."""
        self.border_title = " · ".join(self.title_badges())

    def action_sort(self) -> None:
        """o: the next order (as listed, name, size, time; folders first); the cursor keeps its row."""
        self.entries.set_sort(next_sort(self.entries.sort))
        self.refresh_title()
        self._update_status()

    def action_status_filter(self) -> None:
        """f: the next status filter of this location (all, then each status), with the name filter."""
        kinds = [k for k, _ in self.status_filters(self.location)]
        if not kinds:
            self.app.notify("no status filter here: the rows of this level have no sync markers", severity="warning")
            return
        self.set_status_filter(next_status(kinds, self.status_kind))

    def set_status_filter(self, kind: str) -> None:
        """Show only the rows of status ``kind`` ('' all of them)."""
        self.status_kind = kind
        self.entries.set_keep((lambda name: self.status_keeps(kind, name)) if kind else None)
        self._update_status()

