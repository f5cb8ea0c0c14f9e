"""Hostile bytes in keys, registry text, file contents and log lines never reach the screen as controls.

Textual draws a string's ESC and BEL as they are (measured: a Static, a Label and a DataTable cell all
pass ``\\x1b]0;...`` through to the terminal), so each screen is walked with such data and every
rendered line is checked.
"""

from __future__ import annotations

import json

from browser_helpers import build, settings_for, settle

EVIL = "evil\x1b]0;PWNED\x07\x1b[2J\x9b31m\u202e"
RAW = ("\x1b", "\x07", "\x9b", "\u202e")


def _all_text(app) -> str:
    strips = app.screen._compositor.render_strips()
    text = "\n".join("".join(seg.text for seg in strip) for strip in strips)
    for toast in app.query("Toast"):
        text += str(toast.render())
    return text


def _clean(app, where: str) -> None:
    text = _all_text(app)
    for ch in RAW:
        assert ch not in text, f"{where}: raw {ch!r} on screen"


async def test_every_screen_escapes_hostile_data(moto_server, drive_dir, tmp_path, monkeypatch):
    from conftest import _new_bucket

    store = _new_bucket(moto_server)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", moto_server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", moto_server.secret_key)
    store.put_bytes(f"gdrive/raw/{EVIL}.json", ('{"k": "' + EVIL.replace("\x1b", "\\u001b") + '"}\n').encode())
    store.put_bytes(f"gdrive/raw/{EVIL}.txt", f"line {EVIL}\n".encode())
    store.put_bytes(f"gdrive/processed/priority/{EVIL}/x.jsonl", b"{}")
    (drive_dir / "a.txt").write_bytes(b"d")
    reg = tmp_path / "r.json"
    reg.write_text(json.dumps({"datasets": {"priority": {EVIL: {
        "path": f"s3://{store.bucket}/gdrive/processed/priority/{EVIL}/", "notes": EVIL, "stage": EVIL,
        "type": EVIL}}}}))
    log = tmp_path / "upload.log"
    log.write_text(f"2026/12/01 10:00:00 INFO  : {EVIL}.json: Copied (new)\n"
                   f"2026/12/01 10:00:01 ERROR : {EVIL}.bin: Failed to copy: {EVIL}\n")
    settings = settings_for(moto_server, store.bucket, registry=str(reg), logs=(str(log),))
    app = build(settings, drive_dir)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("tab")
        await settle(pilot)
        _clean(app, "home")
        home = app.screen
        names = home.s3.entries.level.names
        assert any("PWNED" in n for n in names)
        for i, name in enumerate(names):
            if name.endswith(".txt") or name.endswith(".json"):
                home.s3.entries.move_to(i) if hasattr(home.s3.entries, "move_to") else None
        await pilot.press("G")
        await pilot.pause(0.2)
        _clean(app, "home, cursor on the key")
        await pilot.press("v")
        await settle(pilot)
        await pilot.pause(0.3)
        _clean(app, "preview")
        await pilot.press("escape")
        await pilot.press("R")
        await pilot.pause(1.5)
        _clean(app, "registry")
        assert "PWNED" in _all_text(app)
        await pilot.press("escape")
        await pilot.press("m")
        await pilot.pause(1.5)
        _clean(app, "monitor")
        assert "PWNED" in _all_text(app)


async def test_no_password_on_screen(weed_server, drive_dir, tmp_path, monkeypatch):
    """The header shows the endpoint and the monitor the rc URL: neither shows their password."""
    from browser_helpers import empty_fixed_bucket

    secret = "Sup3rS3cretPW"
    store = empty_fixed_bucket(weed_server, "secret-screen", monkeypatch)
    scheme, rest = weed_server.endpoint_url.split("://", 1)
    settings = settings_for(weed_server, store.bucket, rc_urls=(f"http://rc:{secret}@127.0.0.1:9",))
    settings = settings.__class__(**{**settings.__dict__, "endpoint_url": f"{scheme}://op:{secret}@{rest}"})
    app = build(settings, drive_dir)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause(1.0)
        assert secret not in _all_text(app) and secret not in app.sub_title
        await pilot.press("m")
        await pilot.pause(1.5)
        assert "127.0.0.1:9" in _all_text(app)
        assert secret not in _all_text(app)
