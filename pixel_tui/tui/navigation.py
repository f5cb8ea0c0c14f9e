"""Jumps between panes and screens by name, so no screen imports another (home <-> registry)."""

from __future__ import annotations

import importlib

from pixel_tui.core.storage.s3url import is_s3_url, key_in_bucket

# Screens are imported on first use so startup only pays for the home screen.
SCREEN_FACTORIES = {
    "monitor": "pixel_tui.tui.screens.monitor:MonitorScreen",
    "registry": "pixel_tui.tui.screens.registry:RegistryScreen",
    "history": "pixel_tui.tui.screens.history:HistoryScreen",
}


def screen_class(name: str):
    """The screen class registered under ``name`` (imported now)."""
    module, _, attr = SCREEN_FACTORIES[name].partition(":")
    return getattr(importlib.import_module(module), attr)


def go_home(app) -> None:
    """Pop every screen and popup above the home screen (the default screen, at the bottom)."""
    while len(app.screen_stack) > 1:
        app.pop_screen()


def open_screen(app, name: str, **kwargs) -> None:
    """Show the named screen right above home: screens never stack more than two deep, so Esc always
    comes back to the browser. Nothing happens when it is already on top (and no arguments change it)."""
    cls = screen_class(name)
    if not kwargs and isinstance(app.screen, cls):
        return
    go_home(app)
    app.push_screen(cls(**kwargs))


def s3_target(url: str, bucket: str) -> tuple[str, str] | None:
    """(parent prefix, entry name) of an s3:// URL in ``bucket``; None for other buckets or paths."""
    key = key_in_bucket(url, bucket)
    if not key:
        return None
    parent, _, name = key.rstrip("/").rpartition("/")
    return (parent + "/" if parent else ""), name + ("/" if key.endswith("/") else "")


def show_in_s3(app, url: str) -> bool:
    """Back to the home screen with the S3 pane on ``url`` (cursor on it); False (and a notice) if it cannot."""
    bucket = app.services.settings.bucket or ""
    target = s3_target(url, bucket)
    if target is None:
        where = "not an s3:// path" if not is_s3_url(url) else f"not in the browsed bucket s3://{bucket}"
        app.notify(f"{url or '(no path)'}: {where}", severity="warning")
        return False
    go_home(app)
    show = getattr(app.screen, "show_s3_location", None)
    if show is None:
        return False
    show(*target)
    return True
