"""`V` in the registry screen (issue 14): the versions of a registry in a versioned bucket, Enter a diff against the
current one, `t` restores after a y/n confirm. Pilot on a real SeaweedFS bucket with versioning on."""

from __future__ import annotations

import json

import pytest
from browser_helpers import screen_text
from pilot_helpers import wait_for

from pixel_tui.core.config import Settings
from pixel_tui.core.registry.document import Registry
from pixel_tui.tui.app import make_app

KEY = "config/dataset_registry.json"
DOC = {"datasets": {"g": {"a": {"path": "/mnt/gdrive/datasets/a.json", "stage": "stage1_foundation"}}}}


@pytest.fixture
def versioned(weed_server, weed_store, monkeypatch):
    """A registry saved by hand (no author) and then twice by pixel-tui, in a bucket that keeps versions."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", weed_server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", weed_server.secret_key)
    store = weed_store
    store.client.put_bucket_versioning(Bucket=store.bucket, VersioningConfiguration={"Status": "Enabled"})
    store.put_bytes(KEY, (json.dumps(DOC, indent=4) + "\n").encode())
    url = f"s3://{store.bucket}/{KEY}"
    reg = Registry.load(url, store_factory=lambda b: store)
    reg.update_fields("datasets/g", "a", size_mb=1)
    reg.save()
    reg.update_fields("datasets/g", "a", notes="second")
    reg.save()
    return store, url


def _app(store, url, tmp_path, **extra):
    return make_app(Settings(endpoint_url=store.endpoint_url, bucket=store.bucket, registry=url,
                             state_dir=str(tmp_path / "state"), **extra))


async def open_registry(pilot, app):
    """Home -> `R`; the registry screen once its registry is loaded."""
    from pixel_tui.tui.screens.registry import RegistryScreen

    await pilot.press("R")
    await wait_for(pilot, lambda: isinstance(app.screen, RegistryScreen) and app.screen.reg is not None,
                   what="registry loaded")
    return app.screen


async def open_versions(pilot, app, count: int):
    """`V` on the registry screen; the versions popup once it lists ``count`` versions."""
    from pixel_tui.tui.dialogs.registry_versions import VersionsScreen

    await pilot.press("V")
    await wait_for(pilot, lambda: isinstance(app.screen, VersionsScreen) and len(app.screen.found) == count,
                   what=f"{count} versions")
    return app.screen


@pytest.mark.timeout(120)
async def test_versions_list_diff_and_restore_with_confirm(versioned, tmp_path):
    from pixel_tui.tui.dialogs.prompts import DiffDialog

    store, url = versioned
    app = _app(store, url, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        registry_screen = await open_registry(pilot, app)
        await open_versions(pilot, app, 3)
        text = screen_text(app)
        assert "current" in text and "unknown" in text and "3 versions" in text
        versions = app.screen

        await pilot.press("G", "enter")  # the oldest (saved by hand): diff against the current one
        await wait_for(pilot, lambda: isinstance(app.screen, DiffDialog), what="diff")
        assert '-                "notes": "second"' in app.screen.diff_text
        await pilot.pause(0.1)
        assert "Close Esc" in screen_text(app) and "Cancel" not in screen_text(app)  # a diff to read, no action
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is versions, what="back to the list")

        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, DiffDialog), what="restore confirm")
        assert "restored (+)" in screen_text(app) and "Restore as a new version" in screen_text(app)
        await pilot.press("n")  # cancelled: nothing written
        await wait_for(pilot, lambda: app.screen is versions, what="cancelled")
        assert json.loads(store.get_bytes(KEY)[0])["datasets"]["g"]["a"]["notes"] == "second"

        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, DiffDialog), what="restore confirm again")
        await pilot.press("y")
        await wait_for(pilot, lambda: app.screen is registry_screen and not registry_screen.busy, what="restored")
        assert json.loads(store.get_bytes(KEY)[0]) == DOC
        assert registry_screen.reg.version.tag == store.head(KEY).etag  # the screen reloaded the new version
        assert not registry_screen.reg.dirty


@pytest.mark.timeout(120)
async def test_restore_is_refused_when_someone_saved_meanwhile(versioned, tmp_path):
    from pixel_tui.tui.dialogs.prompts import DiffDialog

    store, url = versioned
    app = _app(store, url, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_registry(pilot, app)
        await open_versions(pilot, app, 3)
        versions = app.screen
        other = Registry.load(url, store_factory=lambda b: store)
        other.update_fields("datasets/g", "a", notes="theirs")
        other.save()
        await pilot.press("G", "t")
        await wait_for(pilot, lambda: isinstance(app.screen, DiffDialog), what="restore confirm")
        await pilot.press("y")
        await wait_for(pilot, lambda: app.screen is versions and "changed since it was loaded" in versions.said,
                       what="conflict shown")
        assert json.loads(store.get_bytes(KEY)[0])["datasets"]["g"]["a"]["notes"] == "theirs"


@pytest.mark.timeout(60)
async def test_v_on_a_local_registry_says_there_are_no_versions(weed_server, weed_store, tmp_path, monkeypatch):
    from pixel_tui.tui.screens.registry import RegistryScreen

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", weed_server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", weed_server.secret_key)
    local = tmp_path / "dataset_registry.json"
    local.write_text(json.dumps(DOC, indent=4) + "\n")
    app = _app(weed_store, str(local), tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_registry(pilot, app)
        await pilot.press("V")
        await pilot.pause(0.2)
        assert isinstance(app.screen, RegistryScreen)
        assert any("is a local file" in str(n.message) for n in app._notifications)


@pytest.mark.timeout(60)
async def test_an_author_written_by_another_tool_is_shown_as_text(versioned, tmp_path):

    store, url = versioned
    store.put_bytes(KEY, (json.dumps(DOC) + "\n").encode(), metadata={"pixel-user": "[b]eve[/b]@host"})
    app = _app(store, url, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_registry(pilot, app)
        await open_versions(pilot, app, 4)
        await pilot.pause(0.2)
        assert "[b]eve[/b]@host" in screen_text(app)
        await pilot.press("enter")  # the newest, by eve: the diff's title names her as written
        await wait_for(pilot, lambda: "[b]eve[/b]@host" in screen_text(app) and "Current (-) vs" in screen_text(app),
                       what="diff title with the author as text")
