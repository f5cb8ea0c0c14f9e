"""Default subcommand: open the dashboard."""

from __future__ import annotations

NAME = "dashboard"
HELP = "open the dashboard (the default when no subcommand is given)"


def add_arguments(parser) -> None:
    """No options beyond the global ones."""


def run(args, settings) -> int:
    """Open the Textual app on the configured bucket, Drive remote, logs and registry."""
    from pixel_tui.tui.app import make_app

    make_app(settings).run()
    return 0
