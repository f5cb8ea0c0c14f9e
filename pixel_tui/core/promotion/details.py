"""What one promotion did, for a person: sources -> destinations, bytes, the registry diff, what verification
found, who and when (the history screen's Enter; journals and the audit log, read only)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pixel_tui.core import units
from pixel_tui.core.promotion import audit
from pixel_tui.core.promotion.journal import Journal

if TYPE_CHECKING:
    from pixel_tui.core.config import Settings

MAX_OBJECTS = 200  # a folder of 100k objects lists its first ones, then a count


def promotion_details(settings: "Settings", promotion_id: str) -> list[tuple[str, str]]:
    """(section, text) lines describing ``promotion_id`` (JournalNotFound / JournalCorrupt when unreadable)."""
    st = Journal.find(settings, promotion_id).state()
    p = st.plan or {}
    who = next((r for r in audit.records(settings) if r.get("id") == promotion_id and r.get("action") == "promote"),
               {})
    tasks = [t for it in p.get("items", []) for t in it["tasks"]]
    total = sum(t["size"] for t in tasks)
    out: list[tuple[str, str]] = [
        ("heading", f"Promotion {promotion_id}"),
        ("", f"mode {p.get('mode', '?')} · {_categories(p)} · "
             f"{units.plural(len(tasks), 'object')} · {units.human_bytes(total)} ({units.exact_bytes(total)})"),
        ("", "by " + (f"{who.get('user', '?')}@{who.get('host', '?')}" if who else "(no audit record)")
             + f" · {who.get('when') or p.get('created', '?')}"),
        ("", f"status: {_status(st)}" + (f" · last error: {st.last_error}" if st.last_error else "")),
        ("heading", "Sources -> destinations"),
    ]
    several = len({it.get("category") or p.get("category") for it in p.get("items", [])}) > 1
    for it in p.get("items", []):
        cat = f"  [{it.get('category') or p.get('category', '?')}]" if several else ""
        out.append(("", f"s3://{p.get('bucket', '?')}/{it['source']}{cat}"))
        out.append(("", f"  -> s3://{p.get('bucket', '?')}/{it['dest']}  "
                        f"({units.plural(len(it['tasks']), 'object')}, "
                        f"{units.human_bytes(sum(t['size'] for t in it['tasks']))})"))
    out.append(("heading", "Verification"))
    verified = sum(1 for t in tasks if t["dst"] in st.verified)
    out.append(("", f"{verified:,}/{len(tasks):,} verified (size, ETag, ranged byte reads); "
                    f"{len(st.copies):,} copied"))
    pending = [t["dst"] for t in tasks if t["dst"] not in st.verified]
    for dst in pending[:MAX_OBJECTS]:
        out.append(("bad", f"not verified: {dst}"))
    if len(pending) > MAX_OBJECTS:
        out.append(("bad", f"… and {len(pending) - MAX_OBJECTS:,} more not verified"))
    if p.get("mode") == "move":
        out.append(("", "raw sources deleted" if st.sources_deleted else "raw sources kept"))
        for key in st.sources_kept_changed:
            out.append(("warn", f"kept (changed after verification): {key}"))
    out.append(("heading", "Registry"))
    diff = st.registry_diff or p.get("registry_diff", "")
    if diff:
        if not st.registry_saved:
            out.append(("warn", "planned, not saved yet:"))
        out += [("diff", line) for line in diff.splitlines()]
    else:
        out.append(("", "saved, no textual change" if st.registry_saved else "not changed"))
    return out


def _categories(p: dict) -> str:
    """``category cot_reasoning`` or ``categories cot_reasoning, priority``."""
    from pixel_tui.core.promotion.journal_index import categories_label

    if not p.get("items"):
        return f"category {p.get('category', '?')}"
    label = categories_label(p)
    return ("categories " if ", " in label else "category ") + label


def _status(st) -> str:
    if st.undone:
        return "undone"
    if st.done:
        return "done"
    if st.cancelled and not st.last_error:
        return "cancelled"
    return "failed" if st.last_error else "interrupted"
