"""`U` on the monitor (or `p` on a Drive item not in raw yet, or `U` in a folder's details): start a Drive ->
S3 raw upload as a detached rclone copy with a log file, watched by the app's job feed.

From the details view it is prefilled with a file list: only those files are copied (`--files-from-raw`, the
list written to the state dir by the same writer as `diff --missing-to`), the differing ones when ticked."""

from __future__ import annotations

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from pixel_tui.core.browse.folder_details import UploadList
from pixel_tui.core.printable import one_line
from pixel_tui.core.storage.rclone import CopyJob, join_remote
from pixel_tui.core.storage.s3url import s3_url
from pixel_tui.tui.dialogs.glyph_checkbox import GlyphCheckbox
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

    def __init__(self, initial_path: str = "", files: UploadList | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.initial_path = initial_path
        self.files = files  # copy only these files of the folder (None: the whole path)

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
            if self.files is not None:
                with Horizontal(classes="upload-row upload-files-row"):
                    yield Label("Files", classes="upload-label")
                    yield Static(id="upload-files")
                if self.files.differing:
                    yield GlyphCheckbox(f"also the {self.files.describe_differing()}",
                                        value=not self.files.missing, id="upload-differing", compact=True)
            yield WrappedStatic(id="upload-dest")
            yield Static(id="upload-error", classes="error-box")
            with Horizontal(id="upload-buttons"):
                yield Button("Start Enter", id="upload-start", variant="primary", compact=True)
                yield Button("Cancel Esc", id="upload-cancel", compact=True)

    def on_mount(self) -> None:
        """Focus the path and show the destination (with a file list: the path is fixed, Start is focused)."""
        path = self.query_one("#upload-path", Input)
        if self.files is None:
            path.focus()
        else:
            path.disabled = True  # the list names files of this folder
            self.query_one("#upload-start", Button).focus()
            self._show_files()
        self._show_dest(self.initial_path)

    def _differing(self) -> bool:
        boxes = self.query("#upload-differing")
        return bool(boxes) and boxes.first(GlyphCheckbox).value

    @on(GlyphCheckbox.Changed, "#upload-differing")
    def _show_files(self) -> None:
        files = self.files
        text = f"only {escape(files.describe(self._differing()))}\n(a --files-from-raw list in the state dir)"
        if files.unlisted:
            text += f"\n{files.unlisted:,} with a newline in the name cannot be listed: not included"
        self.query_one("#upload-files", Static).update(text)

    @on(Input.Changed, "#upload-path")
    def _path_changed(self, event: Input.Changed) -> None:
        self._show_dest(event.value)

    def _show_dest(self, rel: str) -> None:
        s = self.app.services.settings
        src = join_remote(s.drive, rel)
        dest = s3_url(s.bucket or "?", s.raw_prefix + rel.strip("/"))
        self.query_one("#upload-dest", Static).update(slash_wrapped(f"{one_line(src)}\n  -> {one_line(dest)}"))

    @on(Input.Submitted)
    @on(Button.Pressed, "#upload-start")
    def _start(self) -> None:
        rel = self.query_one("#upload-path", Input).value.strip()
        paths = None
        if self.files is not None:
            rel = self.files.folder
            paths = self.files.paths(self._differing())
            if not paths:
                self.query_one("#upload-error", Static).update("Nothing to upload: tick the differing files.")
                return
        elif not rel:
            self.query_one("#upload-error", Static).update("Give a folder or file under the Drive remote.")
            return
        bw = self.query_one("#upload-bwlimit", Input).value.strip() or None
        self.query_one("#upload-start", Button).disabled = True
        self.query_one("#upload-error", Static).update("starting rclone…")
        self._launch(rel, bw, paths)

    @on(Button.Pressed, "#upload-cancel")
    def action_cancel(self) -> None:
        """Close without starting anything."""
        self.dismiss(None)

    @work(thread=True, exclusive=True, group="upload")
    def _launch(self, rel: str, bwlimit: str | None, paths: list[str] | None = None) -> None:
        from pixel_tui.core.errors import PixelError
        from pixel_tui.core.jobs.uploads import start_upload

        services = self.app.services
        try:
            listing = None
            if paths is not None:
                from pixel_tui.core.browse.folder_details import files_from_path, write_files_from
                from pixel_tui.core.files import state_subdir

                state_subdir(services.settings.state_path, "uploads")  # owner-only, or a message
                listing = files_from_path(services.settings, rel)
                write_files_from(listing, paths)
            job = start_upload(services.settings, rel, rclone=services.rclone, bwlimit=bwlimit, files_from=listing)
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
