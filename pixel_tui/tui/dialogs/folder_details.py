"""`i` on a Drive row: the files below a folder that are missing or differ on S3, with their sizes, as
`pixel-tui diff` prints them; `U` then uploads exactly those files (the upload dialog, prefilled)."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Static
from textual.worker import get_current_worker

from pixel_tui.core.browse.folder_details import (
    counts_line,
    diff_rows,
    diff_summary,
    drive_folder,
    upload_list,
)
from pixel_tui.core.printable import one_line, printable
from pixel_tui.core.storage.s3url import s3_url
from pixel_tui.core.units import plural
from pixel_tui.tui.dialogs.path_wrap import WrappedStatic, slash_wrapped
from pixel_tui.tui.keys import HOME_FROM_POPUP, NavScroll
from pixel_tui.tui.spinner import SPINNER
from pixel_tui.tui.worker_errors import reported

MAX_ROWS = 2000  # a Static of more lines costs seconds to lay out; `pixel-tui diff` lists them all
ROW_STYLE = {"missing": "red", "differs": "yellow", "dup": "magenta", "shortcut": "cyan", "extra": "dim",
             "uploading": "green"}


class DetailsReady(Message):
    """The folder's comparison (or why it failed: ``error``), and the names rclone has in flight."""

    def __init__(self, report=None, busy: frozenset = frozenset(), error: str = "") -> None:
        super().__init__()
        self.report, self.busy, self.error = report, busy, error


class FolderDetails(ModalScreen[None]):
    """The missing and differing files under one Drive folder; Esc cancels or closes, U uploads them."""

    CSS_PATH = "../styles/dialogs.tcss"
    BINDINGS = [Binding("escape", "close", "Close"), Binding("i", "close", "Details", show=False),
                Binding("U", "upload", "Upload"), HOME_FROM_POPUP]

    def __init__(self, folder: str, hashes: bool | None = None) -> None:
        super().__init__()
        self.folder = folder.strip("/")  # relative to the Drive remote ('' its root)
        self.hashes = hashes
        self.report = None
        self._spin = 0

    def compose(self) -> ComposeResult:
        with Vertical(id="folder-details"):
            yield Static(id="fd-counts")
            with NavScroll(id="fd-box"):
                yield WrappedStatic("", id="fd-rows")  # long paths break after a `/`, copies stay whole

    def on_mount(self) -> None:
        """Compare the folder in a worker; a spinner turns meanwhile."""
        settings = self.app.services.settings
        drive_path, prefix = drive_folder(settings, self.folder)
        self._header = f"{drive_path}  vs  {s3_url(settings.bucket, prefix)}"  # diff's first line
        box = self.query_one("#folder-details")
        box.border_title = one_line(f"Details: {drive_path}")
        box.border_subtitle = "Esc cancels"
        self.query_one("#fd-box").focus()
        self._timer = self.set_interval(0.25, self._tick)
        self._tick()
        self._load(drive_path, prefix)

    def _tick(self) -> None:
        if self.report is not None:
            return
        self._spin = (self._spin + 1) % len(SPINNER)
        where = self.folder + "/" if self.folder else "the whole Drive remote"
        self.query_one("#fd-counts", Static).update(
            Text(f"{SPINNER[self._spin]} comparing {one_line(where)} with S3 raw… (Esc cancels)"))

    @work(thread=True, exclusive=True, group="folder-details", exit_on_error=False)
    def _load(self, drive_path: str, prefix: str) -> None:
        from pixel_tui.core.browse.folder_details import busy_paths
        from pixel_tui.core.browse.reconcile import diff_remote
        from pixel_tui.core.errors import PixelError, render_error
        from pixel_tui.tui.job_feed import feed_of

        worker = get_current_worker()
        services = self.app.services
        with reported(self, "the folder details", lambda text: DetailsReady(error=text)):
            try:
                report = diff_remote(services.rclone, drive_path, services.store, prefix, services.settings,
                                     hashes=self.hashes, cancelled=lambda: worker.is_cancelled)
            except (PixelError, OSError) as exc:
                self.post_message(DetailsReady(error=render_error(exc)))
                return
            if worker.is_cancelled:
                return
            rel = prefix[len(services.settings.raw_prefix):]
            busy = busy_paths(report, rel, feed_of(self.app).in_flight_names())
            self.post_message(DetailsReady(report, frozenset(busy)))

    @on(DetailsReady)
    def _show(self, msg: DetailsReady) -> None:
        self._timer.stop()
        box = self.query_one("#folder-details")
        rows = self.query_one("#fd-rows", WrappedStatic)
        counts = self.query_one("#fd-counts", Static)
        if msg.error:
            self.report = False  # stops the spinner: nothing to upload
            counts.update(Text("cannot compare this folder", style="bold red"))
            rows.update(Text(printable(msg.error), style="red"))
            box.border_subtitle = "Esc closes"
            return
        report = self.report = msg.report
        counts.update(Text(counts_line(report), style="bold"))
        lines = diff_rows(report, msg.busy)
        out = Text(one_line(self._header) + "\n", style="dim")
        for line in lines[:MAX_ROWS]:
            out.append(one_line(line) + "\n", style=ROW_STYLE.get(line.split(" ", 1)[0], ""))
        if len(lines) > MAX_ROWS:
            out.append(f"… and {plural(len(lines) - MAX_ROWS, 'more row')}: `pixel-tui diff` lists them all\n",
                       style="italic")
        if not lines:
            out.append("nothing missing or differing: every file below is on S3\n", style="green")
        for line in diff_summary(report, msg.busy):
            out.append("\n" + printable(line), style="dim")
        rows.update(slash_wrapped(out))
        todo = bool(report.missing or report.differs)
        box.border_subtitle = "U uploads the missing files · Esc closes" if todo else "Esc closes"

    def action_close(self) -> None:
        """Esc: stop the comparison if it still runs, and close."""
        self.workers.cancel_group(self, "folder-details")
        self.dismiss(None)

    def action_upload(self) -> None:
        """U: the upload dialog, prefilled with exactly the missing (and, ticked, the differing) files."""
        from pixel_tui.tui.dialogs.upload import UploadDialog

        app = self.app
        if app.services.read_only:
            app.notify("read-only mode: uploads are disabled", severity="warning")
            return
        if not self.report:
            app.notify("still comparing: the files to upload are not known yet", severity="warning")
            return
        if not (self.report.missing or self.report.differs):
            app.notify("nothing to upload: every file below is on S3", severity="information")
            return
        files = upload_list(self.report, self.folder)

        def started(job) -> None:
            if job is not None:
                app.notify(f"upload started (pid {job.pid}); log {job.log_file.name}; m shows it")

        # In place of this view, not above it: screens never stack three deep.
        self.dismiss(None)
        app.push_screen(UploadDialog(initial_path=self.folder, files=files), started)
