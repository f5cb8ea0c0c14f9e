"""`y`: copy the selected row's s3:// URI, Drive path or registry key with OSC 52, which reaches the local
clipboard over SSH (and through tmux with `set -g set-clipboard on`)."""

from __future__ import annotations


def copy_text(app, text: str, what: str) -> None:
    """Put ``text`` on the clipboard (Textual writes the OSC 52 sequence) and say what was copied."""
    if not text:
        app.notify(f"nothing to copy: no {what} under the cursor", severity="warning", timeout=3)
        return
    app.copy_to_clipboard(text)
    app.notify(f"copied {what}: {text}", timeout=3, markup=False)
