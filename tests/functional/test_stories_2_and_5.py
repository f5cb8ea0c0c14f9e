"""Operator stories 2 ("What hasn't arrived yet?") and 5 ("Spot-check the layout") step by step: real rclone,
real SeaweedFS, the real CLI; every mark and number on the way is checked."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from browser_helpers import build, screen_text, settings_for, settle
from pilot_helpers import wait_for

from pixel_tui.cli import main
from pixel_tui.core.units import human_bytes

RAW = "gdrive/raw/"
N, UPLOADED = 1210, 1204


@pytest.fixture
def story2(weed_server, weed_store, drive_dir, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", weed_server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", weed_server.secret_key)
    wendy = {f"wendy_sessions_part{i}.jsonl": b"w" * (1000 * i) for i in range(1, 5)}
    (drive_dir / "datasets-wendy").mkdir()
    for name, data in wendy.items():
        (drive_dir / "datasets-wendy" / name).write_bytes(data)
    therapist = drive_dir / "therapist-sft-format"
    therapist.mkdir()
    files = {f"shard_{i:04d}.jsonl": b"t" * (100 + i % 7) for i in range(N)}
    for name, data in files.items():
        (therapist / name).write_bytes(data)
    puts = [(f"{RAW}datasets-wendy/{n}", d) for n, d in list(wendy.items())[:3]]
    puts += [(f"{RAW}therapist-sft-format/{n}", d) for n, d in list(files.items())[:UPLOADED]]
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda kv: weed_store.put_bytes(*kv), puts))
    missing = list(files.items())[UPLOADED:]
    return build(settings_for(weed_server, weed_store.bucket), drive_dir), missing


@pytest.mark.timeout(180)
async def test_story_2_what_has_not_arrived_yet(story2, weed_server, weed_store, drive_dir, monkeypatch, capsys):
    app, missing = story2
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot, timeout=60)
        home = app.screen
        drive = home.drive.entries
        # therapist-sft-format/ reads 1,204/1,210 uploaded, and is partial, not "differs"
        await wait_for(pilot, lambda: drive.info.get("therapist-sft-format/") == "1,204/1,210 uploaded", timeout=60,
                       what="the folder's count")
        assert drive.markers["therapist-sft-format/"] == "partial"
        assert drive.markers["datasets-wendy/"] == "partial"
        # datasets-wendy/: three uploaded, one missing
        drive.select_name("datasets-wendy/")
        await pilot.press("enter")
        await settle(pilot)
        marks = drive.markers
        assert sorted(marks.values()) == ["missing", "uploaded", "uploaded", "uploaded"], marks
        assert "this level 3/4 uploaded" in screen_text(app)
        await pilot.press("c")  # the raw prefix jumps to the same folder
        await settle(pilot)
        assert home.s3.location == RAW + "datasets-wendy/"
        await pilot.press("tab", "backspace")  # back to the Drive root
        await settle(pilot)
        drive.select_name("therapist-sft-format/")
        await pilot.press("s")  # folder totals
        await wait_for(pilot, lambda: "files" in drive.info.get("therapist-sft-format/", ""), timeout=60,
                       what="the totals")
        total = sum(100 + i % 7 for i in range(N))
        gone = sum(len(d) for _, d in missing)
        assert drive.info["therapist-sft-format/"] == (
            f"1,210 files {human_bytes(total)} · 1,204/1,210 uploaded, 6 missing ({human_bytes(gone)})")
        assert drive.markers["therapist-sft-format/"] == "partial"
    # the same list, to paste into a ticket
    monkeypatch.setenv("RCLONE_CONFIG_DRIVE_TYPE", "alias")
    monkeypatch.setenv("RCLONE_CONFIG_DRIVE_REMOTE", str(drive_dir))
    args = ["--endpoint-url", weed_server.endpoint_url, "--bucket", weed_store.bucket, "--drive", "drive:"]
    assert main(["diff", "drive:therapist-sft-format", "--json", *args]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert sorted(i["path"] for i in doc["missing"]) == [n for n, _ in missing]
    assert sum(i["drive_size"] for i in doc["missing"]) == sum(len(d) for _, d in missing)


@pytest.mark.timeout(120)
async def test_story_5_spot_check_then_preview(weed_server, weed_store, drive_dir, tmp_path, monkeypatch, capsys):
    from pixel_tui.tui.dialogs.preview import PreviewScreen

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", weed_server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", weed_server.secret_key)
    b = weed_store.bucket
    chatml = b'{"messages": [{"role": "system", "content": "You are kind."}, {"role": "user", "content": "hi"}]}\n'
    weed_store.put_bytes("gdrive/processed/priority/priority_1_FINAL.jsonl", chatml * 50)
    weed_store.put_bytes("gdrive/processed/cot_reasoning/ok.json", b"{}")
    weed_store.put_bytes("gdrive/processed/cot_reasoning/nobody/part-0.jsonl", b"{}")
    weed_store.put_bytes("gdrive/raw/never_promoted.json", b"{}")
    (drive_dir / "not_uploaded.json").write_bytes(b"u" * 2048)
    proc = f"s3://{b}/gdrive/processed"
    doc = {"datasets": {
        "priority_datasets": {"priority_1": {"path": f"{proc}/priority/priority_1_FINAL.jsonl", "tier": 1}},
        "cot_reasoning": {"ok": {"path": f"{proc}/cot_reasoning/ok.json"},
                          "broken_a": {"path": f"{proc}/cot_reasoning/typo_a.json"},
                          "broken_b": {"path": f"{proc}/cot_reasoning/typo_b.json"},
                          "on_drive": {"path": "/mnt/gdrive/datasets/on_drive.json"}}}}
    reg = tmp_path / "dataset_registry.json"
    reg.write_text(json.dumps(doc, indent=4) + "\n")
    monkeypatch.setenv("RCLONE_CONFIG_DRIVE_TYPE", "alias")
    monkeypatch.setenv("RCLONE_CONFIG_DRIVE_REMOTE", str(drive_dir))
    args = ["--endpoint-url", weed_server.endpoint_url, "--bucket", b, "--drive", "drive:", "--registry", str(reg)]
    assert main(["check", *args]) == 1  # two registry paths are broken
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert sum(1 for ln in lines if ln.strip().startswith("missing in S3")) == 2
    assert any(ln.strip().startswith("not migrated") and "on_drive" in ln for ln in lines)
    assert "processed items nobody registered (under processed/<category>/): 1 (1 folder, 0 files)" in out
    assert f"s3://{b}/gdrive/processed/cot_reasoning/nobody/" in out
    assert "raw items not promoted yet: 1" in out and "never_promoted.json" in out
    assert "Drive items not uploaded: 1 of 1 file (2.0 KiB)" in out
    assert "migration: 4 of 5 datasets on S3" in out

    app = build(settings_for(weed_server, b, registry=str(reg), state_dir=str(tmp_path / "state")), drive_dir)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("tab")
        app.screen.s3.open_location("gdrive/processed/priority/", select="priority_1_FINAL.jsonl")
        await settle(pilot)
        assert app.screen.s3.entries.markers["priority_1_FINAL.jsonl"] == "registered"
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(app.screen, PreviewScreen) and '"role": "system"' in
                       screen_text(app), what="the preview")
