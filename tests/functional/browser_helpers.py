"""Shared set-up of the browser tests: a Drive folder and a bucket with known contents."""

from __future__ import annotations

import os
import time
from pathlib import Path

from textual.binding import Binding

from pixel_tui.core.config import Settings
from pixel_tui.tui import app as app_module
from pixel_tui.tui.app import PixelApp, make_app
from pixel_tui.tui.screens.home import HomeScreen

FIXED_MTIME = 1_764_000_000  # 2025-11-24 16:00 UTC

DRIVE_FILES = {
    "Alpha Set/records.jsonl": b'{"q": "hi", "a": "hello"}\n{"q": "x", "a": "y"}\n',
    "Alpha Set/meta.json": b'{"name": "alpha", "rows": 2}',
    "Beta_downloaded/part 1.json": b'{"k": [1, 2, 3]}',
    "Beta_downloaded/part+2 %.json": '{"k": "ü"}'.encode(),
    "not uploaded yet/big.txt": b"line\n" * 300,
    "notes.txt": b"first line\nsecond line\n",
    "plus+sign.json": b'{"plus": true}',
    "changed.json": b'{"v": 1}',
}
# What already reached raw (changed.json differs in size).
UPLOADED = ["Alpha Set/records.jsonl", "Alpha Set/meta.json", "Beta_downloaded/part 1.json", "notes.txt",
            "plus+sign.json"]


def seed(drive_dir: Path, store) -> None:
    """Write the Drive folder (fixed mtimes) and the bucket's raw/processed objects."""
    for rel, data in DRIVE_FILES.items():
        path = drive_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    for path in sorted(drive_dir.rglob("*"), reverse=True):
        os.utime(path, (FIXED_MTIME, FIXED_MTIME))
    os.utime(drive_dir, (FIXED_MTIME, FIXED_MTIME))
    for rel in UPLOADED:
        store.put_bytes("gdrive/raw/" + rel, DRIVE_FILES[rel])
    store.put_bytes("gdrive/raw/changed.json", b'{"v": 1000}')
    store.put_bytes("gdrive/raw/only on s3.bin", b"\x00\x01")
    store.put_bytes("gdrive/processed/priority/Alpha Set/records.jsonl", DRIVE_FILES["Alpha Set/records.jsonl"])


def empty_fixed_bucket(server, bucket: str, monkeypatch):
    """A bucket with a fixed name (snapshots show it), emptied, with the app's credentials in the env."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", server.secret_key)
    store = server.store(bucket)
    store.ensure_bucket()
    store.delete_many([o.key for o in store.walk("")])
    # SeaweedFS keeps a deleted object's folders (they list as empty prefixes): a bucket made anew has none,
    # so a snapshot does not show another test's leftover folder first.
    store.client.delete_bucket(Bucket=bucket)
    store.ensure_bucket()
    return store


def settings_for(server, bucket: str, **extra) -> Settings:
    """Settings pointing at the test server and the `drive:` alias."""
    return Settings(endpoint_url=server.endpoint_url, bucket=bucket, drive="drive:", **extra)


def drive_env(drive_dir: Path) -> dict[str, str]:
    """RCLONE_CONFIG_* of the `drive:` alias remote."""
    return {"RCLONE_CONFIG_DRIVE_TYPE": "alias", "RCLONE_CONFIG_DRIVE_REMOTE": str(drive_dir)}


class FixedApp(PixelApp):
    """The real app with a fixed subtitle and no S3 time column: S3 mtimes differ per run."""

    # CSS paths resolve next to the class's module: point back at the app's own styles.
    CSS_PATH = [str(Path(app_module.__file__).parent / p) for p in PixelApp.CSS_PATH]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.sub_title = "test"

    def get_default_screen(self):
        return HomeScreen(show_s3_times=False)


class FixedHomeApp(PixelApp, inherit_bindings=False):
    """The real app with fixed app keys, subtitle, clock and no S3 time column (S3 mtimes differ per run)."""

    CSS_PATH = [str(Path(app_module.__file__).parent / css) for css in PixelApp.CSS_PATH]
    BINDINGS = [Binding("q", "quit", "Quit"), Binding("m", "show('monitor')", "Monitor")]
    now = 0.0

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.sub_title = "test"

    def get_default_screen(self):
        return HomeScreen(show_s3_times=False, clock=lambda: self.now)


def build(settings: Settings, drive_dir: Path, fixed: bool = False) -> PixelApp:
    """make_app() for the tests (FixedApp for snapshots)."""
    app = make_app(settings, rclone_env=drive_env(drive_dir))
    if fixed:
        return FixedApp(app.services)
    return app


def seeded_browser(weed_server, weed_store, drive_dir, monkeypatch) -> PixelApp:
    """An app on a seeded Drive folder and bucket (credentials through the AWS variables)."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", weed_server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", weed_server.secret_key)
    seed(drive_dir, weed_store)
    return build(settings_for(weed_server, weed_store.bucket), drive_dir)


async def settle(pilot, timeout: float = 20.0) -> None:
    """Wait until both panes finished loading and their marker workers are done."""
    from pixel_tui.tui.dialogs.preview import PreviewScreen
    from pixel_tui.tui.widgets.pane import BrowserPane

    mine = (BrowserPane, PreviewScreen)  # other screens' watchers (e.g. the job monitor) run for ever
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await pilot.pause(0.05)
        panes = [p for screen in pilot.app.screen_stack for p in screen.query("BrowserPane")]
        if panes and not any(p.loading for p in panes) and not any(
                w.is_running for w in pilot.app.workers if isinstance(w.node, mine)):
            await pilot.pause(0.05)
            return
    panes = [p for screen in pilot.app.screen_stack for p in screen.query("BrowserPane")]
    state = [(type(p).__name__, p.loading, p.error) for p in panes]
    workers = [(w.name, w.state.name) for w in pilot.app.workers]
    raise AssertionError(f"the browser did not finish loading in time: {state} {workers}")


def screen_text(app) -> str:
    """The screen as plain text (for assertions and debugging)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(seg.text for seg in strip).rstrip() for strip in strips)


