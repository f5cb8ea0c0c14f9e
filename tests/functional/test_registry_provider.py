"""The registry screen on an S3 server that ignores conditional writes (`rclone serve s3`): its header says
saves are not race-free there; on SeaweedFS (which enforces them) it says nothing."""

from __future__ import annotations

import json

import pytest
from pilot_helpers import wait_for

from pixel_tui.core.config import Settings
from pixel_tui.tui.app import make_app


@pytest.mark.timeout(120)
@pytest.mark.parametrize("name", ["rclone", "weed"])
async def test_registry_header_says_when_saves_are_not_race_free(name, request, monkeypatch, tmp_path):
    from conftest import _new_bucket

    from pixel_tui.tui.screens.registry import RegistryScreen

    server = request.getfixturevalue("rclone_s3_server" if name == "rclone" else "weed_server")
    store = _new_bucket(server)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", server.secret_key)
    key = "config/dataset_registry.json"
    store.put_bytes(key, (json.dumps({"voice_persona": {"v": {"path": "/x"}}}, indent=4) + "\n").encode())
    app = make_app(Settings(endpoint_url=server.endpoint_url, bucket=store.bucket,
                            registry=f"s3://{store.bucket}/{key}", state_dir=str(tmp_path / "state")))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(app.screen, RegistryScreen) and app.screen.reg is not None,
                       what="loaded from S3")
        await pilot.pause()
        screen = app.screen
        if name == "rclone":
            assert screen.sub_title == "⚠ saves are not race-free on this server"
            assert "ignores conditional writes" in screen.save_caveat
        else:
            assert not screen.sub_title and screen.save_caveat == ""
    assert [o.key for o in store.walk("")] == [key]  # the probe cleaned up after itself
