"""`u` on the monitor (or `p` on a Drive item not in raw yet): start a Drive -> S3 raw upload as a
detached rclone copy with a log file, watched by the app's job feed."""

from __future__ import annotations

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from pixel_tui.core.storage.rclone import CopyJob, join_remote
from pixel_tui.core.storage.s3url import s3_url
from pixel_tui.tui.dialogs.path_wrap import WrappedStatic, markup_wrapped, slash_wrapped


class UploadStarted(Message):
    """rclone was started; ``job`` has its pid and log file."""

    def __init__(self, job: CopyJob) -> None:
        super().__init__()
        self.job = job


class UploadFailed(Message):
    """The upload could not be started; ``error`` says why."""

    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class UploadDialog(ModalScreen["CopyJob | None"]):
    """Asks for a Drive path (and an optional bandwidth limit), shows where it will land, starts it."""

    CSS_PATH = "../styles/dialogs.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, initial_path: str = "", **kwargs) -> None:
        super().__init__(**kwargs)
        self.initial_path = initial_path

    def compose(self) -> ComposeResult:
        settings = self.app.services.settings
        with Vertical(id="upload-dialog"):
            yield WrappedStatic(markup_wrapped(f"[b]Upload from Drive to S3 raw[/b]  ({escape(settings.drive)})"))
            # compact one-line fields with a label beside: short, and clear at 80x24
            with Horizontal(classes="upload-row"):
                yield Label("Drive path", classes="upload-label")
                yield Input(self.initial_path, select_on_focus=False, placeholder="folder or file, e.g. therapist-sft-format", id="upload-path",
                            compact=True)
            with Horizontal(classes="upload-row"):
                yield Label("Bandwidth", classes="upload-label")
                yield Input(placeholder="limit, e.g. 20M (empty: none)", select_on_focus=False, id="upload-bwlimit", compact=True)
            yield WrappedStatic(id="upload-dest")
            yield Static(id="upload-error", classes="error-box")
            with Horizontal(id="upload-buttons"):
                yield Button("Start Enter", id="upload-start", variant="primary", compact=True)
                yield Button("Cancel Esc", id="upload-cancel", compact=True)

    def on_mount(self) -> None:
        """Focus the path and show the destination."""
        self.query_one("#upload-path", Input).focus()
        self._show_dest(self.initial_path)

    @on(Input.Changed, "#upload-path")
    def _path_changed(self, event: Input.Changed) -> None:
        self._show_dest(event.value)

    def _show_dest(self, rel: str) -> None:
        s = self.app.services.settings
        src = join_remote(s.drive, rel)
        dest = s3_url(s.bucket or "?", s.raw_prefix + rel.strip("/"))
        self.query_one("#upload-dest", Static).update(slash_wrapped(f"{src}\n  -> {dest}"))

    @on(Input.Submitted)
    @on(Button.Pressed, "#upload-start")
    def _start(self) -> None:
        rel = self.query_one("#upload-path", Input).value.strip()
        if not rel:
            self.query_one("#upload-error", Static).update("Give a folder or file under the Drive remote.")
            return
        bw = self.query_one("#upload-bwlimit", Input).value.strip() or None
        self.query_one("#upload-start", Button).disabled = True
        self.query_one("#upload-error", Static).update("starting rclone…")
        self._launch(rel, bw)

    @on(Button.Pressed, "#upload-cancel")
    def action_cancel(self) -> None:
        """Close without starting anything."""
        self.dismiss(None)

    @work(thread=True, exclusive=True, group="upload")
    def _launch(self, rel: str, bwlimit: str | None) -> None:
        from pixel_tui.core.errors import PixelError
        from pixel_tui.core.jobs.uploads import start_upload

        services = self.app.services
        try:
            job = start_upload(services.settings, rel, rclone=services.rclone, bwlimit=bwlimit)
        except PixelError as exc:
            self.post_message(UploadFailed(str(exc)))
        except OSError as exc:
            self.post_message(UploadFailed(f"cannot start rclone: {exc.strerror or exc}"))
        else:
            self.post_message(UploadStarted(job))

    def on_upload_started(self, message: UploadStarted) -> None:
        """Watch its log in the app's job feed for the app's life (strip, monitor, alerts, Drive markers),
        and hand the job to the caller."""
        from pixel_tui.core.jobs.uploads import job_source
        from pixel_tui.tui.job_feed import feed_of

        feed_of(self.app).add_source(str(message.job.log_file), root=job_source(message.job))
        self.dismiss(message.job)

    def on_upload_failed(self, message: UploadFailed) -> None:
        """Say why, keep the dialog open."""
        self.query_one("#upload-error", Static).update(escape(message.error))
        self.query_one("#upload-start", Button).disabled = False
