"""What screens need from the core, built lazily so the first paint imports nothing heavy."""

from __future__ import annotations

import os
import threading
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pixel_tui.core.browse.shared_level import SharedLevels
    from pixel_tui.core.browse.totals_snapshot import TotalsSnapshots
    from pixel_tui.core.config import Settings
    from pixel_tui.core.storage.rclone import Rclone
    from pixel_tui.core.storage.s3 import S3Store
    from pixel_tui.tui.job_feed import JobFeed


class Services:
    """Shared handles for every screen: settings, the S3 store, the rclone runner, the job feed.

    Building the S3 store imports boto3 (~0.2 s), so it happens on first use, from a worker thread.
    """

    def __init__(self, settings: "Settings", rclone_env: dict[str, str] | None = None) -> None:
        self.settings = settings
        self.rclone_env = dict(rclone_env or {})
        self._lock = threading.Lock()

    @cached_property
    def store(self) -> "S3Store":
        """The S3 store of the configured bucket (raises ConfigError when no bucket is set)."""
        from pixel_tui.core.storage.s3 import S3Store

        with self._lock:
            return S3Store.from_settings(self.settings)

    @cached_property
    def rclone(self) -> "Rclone":
        """The rclone runner, with any extra RCLONE_CONFIG_* variables (the demo's Drive alias)."""
        from pixel_tui.core.storage.rclone import Rclone

        return Rclone(env=self.rclone_env)

    @cached_property
    def levels(self) -> "SharedLevels":
        """S3 level listings shared by the panes (the S3 pane's rows and the Drive pane's markers)."""
        from pixel_tui.core.browse.shared_level import SharedLevels

        return SharedLevels()

    @cached_property
    def totals(self) -> "TotalsSnapshots":
        """Folder totals remembered in the state dir for this endpoint and bucket (read in workers)."""
        from pixel_tui.core.browse.totals_snapshot import TotalsSnapshots

        s = self.settings
        return TotalsSnapshots(s.state_path, s.endpoint_url or "", s.bucket or "")

    @cached_property
    def feed(self) -> "JobFeed":
        """The app's one job feed (the configured logs and rc endpoints, plus the uploads it starts)."""
        from pixel_tui.tui.job_feed import JobFeed

        return JobFeed.from_settings(self.settings)

    @property
    def read_only(self) -> bool:
        """True when writes to S3 and the registry are disabled."""
        return self.settings.read_only

    @property
    def user(self) -> str:
        """The OS user, for audit records."""
        return os.environ.get("USER") or os.environ.get("LOGNAME") or "unknown"
