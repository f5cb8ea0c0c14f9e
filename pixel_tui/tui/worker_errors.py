"""Workers that fail safely: an unexpected exception is reported on its screen in one line, its traceback is
appended to ``<state dir>/errors.log``, and the app (with any unsaved edits) keeps running.

Every thread worker runs its body inside ``reported(...)``; the errors a worker expects (PixelError and the
like) it still handles itself, inside, with its own wording::

    @work(thread=True, exclusive=True, group="registry-save")
    def _save(self, reg):
        with reported(self, "saving the registry", RegistrySaved):
            ...

With a ``message`` factory the one-line text goes to the screen's own failure message, so the screen resets
its state (busy flags, buttons) exactly as for an expected failure; without one it becomes a notification.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from textual.app import App
from textual.message import Message
from textual.message_pump import MessagePump

from pixel_tui.core.files import ensure_private_dir, open_private

ERRORS_LOG = "errors.log"


def one_line(exc: BaseException) -> str:
    """``Type: first line of the message`` (just the type when the message is empty)."""
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__


def log_error(state_dir: Path, what: str, exc: BaseException) -> Path | None:
    """Append ``exc``'s traceback to ``state_dir/errors.log``; the log's path, or None when it cannot be written."""
    path = Path(state_dir) / ERRORS_LOG
    try:
        ensure_private_dir(path.parent)
        with open_private(path) as fp:  # tracebacks may quote paths and keys: owner-only
            fp.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')} {what} failed\n")
            fp.write("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
    except OSError:
        return None
    return path


def report(node: MessagePump, what: str, exc: BaseException,
           message: Callable[[str], Message] | None = None) -> str:
    """Log ``exc`` and show it on ``node``'s screen (through ``message(text)`` when given); returns the text.

    Safe from a worker thread and from the UI thread.
    """
    app = node if isinstance(node, App) else node.app
    path = log_error(app.services.settings.state_path, what, exc)
    text = f"{what} failed: {one_line(exc)}" + (f" (traceback in {path})" if path else "")
    if message is not None:
        node.post_message(message(text))  # post_message is thread-safe
    elif getattr(app, "_thread_id", None) == threading.get_ident():
        app.notify(text, severity="error", timeout=10)
    else:
        try:
            app.call_from_thread(app.notify, text, severity="error", timeout=10)
        except RuntimeError:  # the app is shutting down: the log has it
            pass
    return text


@contextmanager
def reported(node: MessagePump, what: str, message: Callable[[str], Message] | None = None) -> Iterator[None]:
    """Run a worker's body; an exception that escapes it is reported (see ``report``) instead of closing the app."""
    try:
        yield
    except Exception as exc:  # noqa: BLE001 - the point: nothing unexpected may take the app down
        report(node, what, exc, message)
