"""The promote dialog's plan view: counts and conflicts first (they show at 80x24), then destinations and the
registry diff, folded at the edge."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group
from rich.markup import escape
from rich.text import Text

from pixel_tui.core.printable import printable
from pixel_tui.core.units import plural
from pixel_tui.tui.dialogs.path_wrap import SlashWrapped

if TYPE_CHECKING:
    from pixel_tui.core.promotion import Plan


class _Folded:
    """Lines wrapped at spaces and after `/` (paths break between their parts, not inside a name)."""

    def __init__(self, lines: list[Text]) -> None:
        self.lines = lines

    def __rich_console__(self, console, options):
        for line in self.lines:
            yield from SlashWrapped(line).__rich_console__(console, options)


def plan_view(plan: "Plan") -> Group:
    """The plan, summary first so it shows at 80x24: counts, conflicts, destinations, then the registry diff."""
    from pixel_tui.core.units import human_bytes

    sm = plan.summary()
    head = [f"[b]Objects: {sm['objects']:,} ({human_bytes(sm['bytes'])})[/b]  to copy {sm['to_copy']:,}  "
            f"skipped {sm['skipped']:,}  overwrite {sm['overwrites']:,}  "
            + (f"[b red]conflicts: {sm['conflicts']:,}[/]" if sm["conflicts"] else "[green]conflicts: 0[/]")]
    for t in plan.conflicts[:5]:
        head.append(f"[b yellow]  CONFLICT {escape(t.dst)} differs (overwrite replaces it)[/]")
    if len(plan.conflicts) > 5:
        head.append(f"[b yellow]  … and {len(plan.conflicts) - 5} more conflicts[/]")
    if plan.stream_single or plan.stream_multipart:  # the server cannot copy (the provider probe)
        head.append(f"[b yellow]Copies: {escape(plan.copy_method)}[/]")
    if plan.mode == "move":
        head.append(f"[b yellow]MOVE: {plural(sm['objects'], 'raw object')} ({human_bytes(sm['bytes'])}) deleted after "
                    f"verification[/]")
    folded = []
    for item in plan.items[:3]:
        kind = f" (folder, {plural(len(item.tasks), 'object')})" if item.is_folder else ""
        cat = f"[{item.category}] " if len(plan.categories) > 1 else ""
        folded.append(Text(printable(f"{cat}{item.source} -> {item.dest}{kind}")))
    if len(plan.items) > 3:
        folded.append(Text(f"… and {plural(len(plan.items) - 3, 'more item')}"))
    if plan.registry_location:
        folded.append(Text.from_markup(f"[b]Registry[/b] {escape(plan.registry_location)}:"))
        folded.extend(diff_lines(plan.registry_diff) or [Text("  (no change)")])
    else:
        folded.append(Text("Registry: none configured (registry.location); it will not be updated"))
    return Group(Text.from_markup("\n".join(head)), _Folded(folded))


def diff_lines(diff: str) -> list[Text]:
    """Changed lines of a unified diff with one line of context each side; file headers dropped, the JSON
    indentation they share removed (it would wrap every line at 80 columns)."""
    body = [ln.rstrip("\n") for ln in diff.splitlines() if not ln.startswith(("---", "+++"))]
    changed = [ln[:1] in "+-" for ln in body]
    keep = [i for i, ln in enumerate(body) if not ln.startswith("@@") and (
        changed[i] or (i > 0 and changed[i - 1]) or (i + 1 < len(body) and changed[i + 1]))]
    indents = [len(body[i][1:]) - len(body[i][1:].lstrip()) for i in keep if body[i][1:].strip()]
    cut = min(indents, default=0)
    out, last = [], None
    for i in keep:
        if last is not None and i != last + 1:
            out.append(Text("  …", style="dim"))
        last = i
        ln = body[i][:1] + body[i][1 + cut:]
        out.append(Text(printable(ln), style="green" if ln[:1] == "+" else "red" if ln[:1] == "-" else "dim"))
    return out
