"""The home screen as one dashboard: the job strip, live upload progress in the Drive pane, and jumps
between registry rows and the S3 tree, driven with Pilot against real rclone logs and SeaweedFS."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from browser_helpers import FIXED_MTIME, FixedHomeApp, build, drive_env, seed, settings_for, settle
from pilot_helpers import wait_for

from pixel_tui.core.jobs.parse import parse_bytes
from pixel_tui.core.units import human_rate
from pixel_tui.tui.navigation import s3_target
from pixel_tui.tui.screens.home import entries_for_key
from pixel_tui.tui.screens.registry import RegistryScreen
from pixel_tui.tui.services import Services
from pixel_tui.tui.widgets.pane import StatusLine

DATA = Path(__file__).parent / "data"


def status_of(pane) -> str:
    return pane.query_one(StatusLine).text


def strip_lines(app) -> list[str]:
    return str(app.screen.jobs.render()).splitlines()


def _creds(monkeypatch, weed_server) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", weed_server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", weed_server.secret_key)


def cut_in_flight(text: str) -> tuple[str, list[str]]:
    """A real log cut just after its first transferring list, and the names in flight there."""
    lines = text.splitlines(keepends=True)
    start = next(i for i, ln in enumerate(lines) if ln.startswith(" * "))
    end = next(i for i in range(start, len(lines)) if not lines[i].startswith(" * "))
    return "".join(lines[: end + 1]), [ln.split(":")[0].strip(" *") for ln in lines[start:end]]


# -- 1. the job strip ------------------------------------------------------------------------------
async def test_strip_hidden_without_logs_shown_with_them(weed_server, weed_store, drive_dir, monkeypatch,
                                                        rclone_logs, tmp_path):
    _creds(monkeypatch, weed_server)
    seed(drive_dir, weed_store)
    app = build(settings_for(weed_server, weed_store.bucket), drive_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert not app.screen.jobs.display
        assert app.screen.query_one("#panes").region.height == 22  # header and footer only

    shutil.copy(rclone_logs.text, tmp_path / "upload_a.log")
    shutil.copy(rclone_logs.failed, tmp_path / "upload_b.log")
    for name in ("c", "d", "e"):  # not started yet: WAITING
        (tmp_path / f"upload_{name}.log").touch()
    logs = tuple(str(tmp_path / f"upload_{n}.log") for n in "abcde")
    app = build(settings_for(weed_server, weed_store.bucket, logs=logs), drive_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        strip = app.screen.jobs
        await wait_for(pilot, lambda: len(strip.views) == 5 and "FAILED" in str(strip.render()), what="five jobs")
        await pilot.pause(0.3)
        lines = strip_lines(app)
        assert len(lines) == 3 and strip.region.height == 3  # capped: the trees keep the room
        assert "FAILED" in lines[0] and "upload_b.log" in lines[0]  # the busiest job first
        assert lines[2] == "+3 more jobs: m opens the monitor"  # 5 jobs, 2 shown
        assert app.screen.query_one("#panes").region.height == 19
        await pilot.press("m")  # the strip's key leads to the full monitor
        await wait_for(pilot, lambda: type(app.screen).__name__ == "MonitorScreen", what="monitor")


# -- 2. live progress of the Drive item under the cursor --------------------------------------------
@pytest.mark.timeout(90)
async def test_drive_cursor_on_uploading_file_shows_its_live_progress(weed_server, weed_store, drive_dir,
                                                                    monkeypatch, rclone_logs, tmp_path):
    _creds(monkeypatch, weed_server)
    real = rclone_logs.text.read_text()
    first, in_flight = cut_in_flight(real)
    before = first[: first.index("Transferred:")]  # the log as it was before its first stats block
    live = tmp_path / "live.log"
    live.write_text(before)
    for name in in_flight + ["done.bin"]:
        (drive_dir / name).write_bytes(b"x" * 10)
    weed_store.put_bytes("gdrive/raw/done.bin", b"x" * 10)
    name = in_flight[0]
    transfer = next(t for t in parse_bytes(first.encode()).transferring if t.name == name)
    app = build(settings_for(weed_server, weed_store.bucket, logs=(str(live),)), drive_dir)
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        drive = app.screen.drive
        markers = drive.entries.markers
        assert markers[name] == "missing" and markers["done.bin"] == "uploaded"
        drive.entries.select_name(name)
        await pilot.pause(0.5)
        assert "↑" not in status_of(drive)  # nothing in flight yet: the usual status

        with open(live, "a") as f:  # rclone starts on the files
            f.write(first[len(before):])
        await wait_for(pilot, lambda: "↑" in status_of(drive), what="live progress")
        text = status_of(drive)
        assert f"{transfer.percent}%" in text and human_rate(transfer.speed) in text and "ETA" in text
        await wait_for(pilot, lambda: markers[name] == "uploading", what="marker follows the log")
        drive.entries.select_name("done.bin")
        await pilot.pause(0.3)
        assert "↑" not in status_of(drive)  # the cursor on a file not in flight

        drive.entries.select_name(name)
        with open(live, "a") as f:  # the rest of the run, which finishes every file (into another bucket)
            f.write(real[len(first):])
        await wait_for(pilot, lambda: "↑" not in status_of(drive), what="progress gone once the file is done")
        assert "entries" in status_of(drive)
        await wait_for(pilot, lambda: markers[name] == "missing", what="marker back to what S3 holds")


@pytest.mark.timeout(90)
async def test_drive_folder_with_files_in_flight(weed_server, weed_store, drive_dir, monkeypatch, rclone_logs,
                                                 tmp_path):
    """The real log with its files renamed into 'Alpha Set/' (as a copy of the whole remote names them)."""
    _creds(monkeypatch, weed_server)
    seed(drive_dir, weed_store)
    real = rclone_logs.text.read_text()
    first, in_flight = cut_in_flight(real)
    for name in in_flight:
        first = first.replace(f" {name}:", f" Alpha Set/{name}:")
    live = tmp_path / "live.log"
    live.write_text(first)
    app = build(settings_for(weed_server, weed_store.bucket, logs=(str(live),)), drive_dir)
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        drive = app.screen.drive
        assert drive.entries.markers["Alpha Set/"] == "uploading"
        drive.entries.select_name("Alpha Set/")
        await wait_for(pilot, lambda: f"↑ {len(in_flight)} files" in status_of(drive), what="folder progress")
        with open(live, "a") as f:
            f.write(real[len(cut_in_flight(real)[0]):])
        await wait_for(pilot, lambda: drive.entries.markers["Alpha Set/"] == "", what="uploading cleared")
        assert "↑" not in status_of(drive)


# -- 3. registry row <-> S3 tree -----------------------------------------------------------------
def write_registry(tmp_path: Path, bucket: str) -> Path:
    proc = f"s3://{bucket}/gdrive/processed/priority"
    doc = {"datasets": {"priority": {
        "alpha": {"path": f"{proc}/Alpha Set/records.jsonl", "stage": "stage1_foundation"},
        "alpha_dir": {"path": f"{proc}/Alpha Set", "stage": "stage1_foundation"},
        "local": {"path": "/mnt/gdrive/local.json", "stage": "stage1_foundation"},
        "elsewhere": {"path": "s3://another-bucket/x.json", "stage": "stage1_foundation"},
    }}}
    path = tmp_path / "dataset_registry.json"
    path.write_text(json.dumps(doc, indent=2) + "\n")
    return path


def notices(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_registry_row_to_s3_tree_and_back(weed_server, weed_store, drive_dir, monkeypatch, tmp_path):
    _creds(monkeypatch, weed_server)
    seed(drive_dir, weed_store)
    reg = write_registry(tmp_path, weed_store.bucket)
    app = build(settings_for(weed_server, weed_store.bucket, registry=str(reg)), drive_dir)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        home = app.screen
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(app.screen, RegistryScreen) and app.screen.table.row_count == 4,
                       what="registry rows")
        app.screen.table.select_key("datasets/priority/alpha")
        await pilot.press("c")  # Show in S3: back home, the S3 pane on the object
        assert app.screen is home
        await settle(pilot)
        assert home.s3.location == "gdrive/processed/priority/Alpha Set/"
        assert home.s3.entries.current_name == "records.jsonl"
        assert home.focused is home.s3.entries

        await pilot.press("e")  # and back: the registry on the entry pointing at this object
        await wait_for(pilot, lambda: isinstance(app.screen, RegistryScreen) and app.screen.table.row_count == 4,
                       what="registry again")
        await wait_for(pilot, lambda: app.screen.table.current_key() == "datasets/priority/alpha", what="cursor")

        app.screen.table.select_key("datasets/priority/alpha_dir")  # a folder path without its '/'
        await pilot.press("c")
        await settle(pilot)
        assert home.s3.location == "gdrive/processed/priority/"
        assert home.s3.entries.current_name == "Alpha Set/"
        await pilot.press("e")  # the folder itself is an entry: exact match wins over the file inside
        await wait_for(pilot, lambda: isinstance(app.screen, RegistryScreen)
                       and app.screen.table.current_key() == "datasets/priority/alpha_dir", what="folder entry")

        for key, says in [("datasets/priority/local", "not an s3:// path"),
                          ("datasets/priority/elsewhere", "not in the browsed bucket")]:
            app.screen.table.select_key(key)
            await pilot.press("c")  # cannot be shown: a notice, and the registry stays
            assert isinstance(app.screen, RegistryScreen)
            assert any(says in n for n in notices(app))

        await pilot.press("escape")
        home.s3.open_location("gdrive/raw/", select="only on s3.bin")
        await settle(pilot)
        assert home.s3.entries.current_name == "only on s3.bin"
        home.s3.entries.focus()
        await pilot.press("e")  # nothing references it: said, and home stays
        url = f"s3://{weed_store.bucket}/gdrive/raw/only on s3.bin"
        await wait_for(pilot, lambda: any(f"no registry entry references {url}" in n for n in notices(app)),
                       what="notice")
        assert app.screen is home


def test_entries_for_key_and_s3_target():
    class Ref:
        def __init__(self, key, path):
            self.key, self.path = key, path

    refs = [Ref("g/file", "s3://b/p/set/f.json"), Ref("g/set", "s3://b/p/set/"), Ref("g/p", "s3://b/p"),
            Ref("g/other", "s3://c/p/set/f.json"), Ref("g/local", "/p/set/f.json")]
    assert entries_for_key(refs, "b", "p/set/f.json") == ["g/file", "g/set", "g/p"]  # exact, then deepest folder
    assert entries_for_key(refs, "b", "p/set/") == ["g/set", "g/p", "g/file"]
    assert entries_for_key(refs, "b", "q/") == []
    assert s3_target("s3://b/p/set/f.json", "b") == ("p/set/", "f.json")
    assert s3_target("s3://b/p/set/", "b") == ("p/", "set/")
    assert s3_target("s3://b/top.json", "b") == ("", "top.json")
    assert s3_target("s3://c/p/x", "b") is None and s3_target("/p/x", "b") is None and s3_target("s3://b/", "b") is None


# -- 4. snapshot: home with the strip and an upload in flight, at 80x24 ----------------------------
@pytest.mark.timeout(90)
def test_home_with_job_strip_snapshot_80x24(snap_compare, weed_server, drive_dir, monkeypatch, tmp_path):
    """Cursor on f3.bin, which the fixed log shows at 10%; the clock frozen 30 s after that block."""
    _creds(monkeypatch, weed_server)
    store = weed_server.store("snap-home")  # a fixed name: it is shown on screen
    store.ensure_bucket()
    store.delete_many([o.key for o in store.walk("")])
    seed(drive_dir, store)
    (drive_dir / "f3.bin").write_bytes(b"3" * 100)
    os.utime(drive_dir / "f3.bin", (FIXED_MTIME, FIXED_MTIME))
    os.utime(drive_dir, (FIXED_MTIME, FIXED_MTIME))
    log = tmp_path / "upload_raw_final.log"
    shutil.copy(DATA / "monitor_running.log", log)
    now = parse_bytes(log.read_bytes()).progress_at.timestamp() + 30
    os.utime(log, (now - 30, now - 30))
    settings = settings_for(weed_server, "snap-home", logs=(str(log), str(tmp_path / "next_upload.log")),
                            stall_seconds=600)
    app = FixedHomeApp(Services(settings, drive_env(drive_dir)))
    app.now = now

    async def run_before(pilot):
        await settle(pilot)
        strip = app.screen.jobs
        await wait_for(pilot, lambda: len(strip.views) == 2 and app.screen.drive.live_transfers, what="strip")
        app.screen.drive.entries.select_name("f3.bin")
        await wait_for(pilot, lambda: "↑ 10%" in status_of(app.screen.drive), what="f3.bin progress")
        await pilot.pause(0.6)  # two redraw ticks

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


# -- 4. promoting an item that is only on Drive offers its upload first ----------------------------
async def test_p_on_a_drive_item_not_in_raw_offers_an_upload_job(weed_server, weed_store, drive_dir, monkeypatch,
                                                                  tmp_path):
    from pixel_tui.tui.dialogs.promote import PromoteScreen
    from pixel_tui.tui.dialogs.upload import UploadDialog

    _creds(monkeypatch, weed_server)
    seed(drive_dir, weed_store)
    app = build(settings_for(weed_server, weed_store.bucket, state_dir=str(tmp_path / "state")), drive_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        drive = app.screen.drive
        await pilot.press("j", "enter")  # Beta_downloaded/
        await settle(pilot)
        await pilot.press("j")
        assert drive.entries.current_name == "part+2 %.json"
        assert drive.entries.markers["part+2 %.json"] == "missing"
        await pilot.press("p")
        await pilot.pause(0.3)
        dialog = app.screen
        assert isinstance(dialog, UploadDialog) and not isinstance(dialog, PromoteScreen)
        assert dialog.query_one("#upload-path").value == "Beta_downloaded/part+2 %.json"
        await pilot.press("enter")
        key = "gdrive/raw/Beta_downloaded/part+2 %.json"
        await wait_for(pilot, lambda: weed_store.head(key) is not None, timeout=60, what="the upload to raw")
        assert weed_store.get_bytes(key)[0] == '{"k": "ü"}'.encode()
        # An uploaded item goes straight to the promote dialog.
        await pilot.press("k")
        assert drive.entries.markers[drive.entries.current_name] == "uploaded"
        await pilot.press("p")
        await pilot.pause(0.3)
        assert isinstance(app.screen, PromoteScreen)
