"""Entry point `pixel-tui`: global options, then one subcommand (default: the dashboard)."""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Sequence

from pixel_tui import __version__

# Each module defines NAME, HELP, add_arguments(parser) and run(args, settings) -> int.
# They import heavy libraries inside run(), so building the parser stays cheap.
COMMAND_MODULES = (
    "pixel_tui.commands.dashboard",
    "pixel_tui.commands.status",
    "pixel_tui.commands.demo",
    "pixel_tui.commands.registry",
    "pixel_tui.commands.check",
    "pixel_tui.commands.promote",
    "pixel_tui.commands.history",
    "pixel_tui.commands.ls",
    "pixel_tui.commands.diff",
)


def global_options() -> argparse.ArgumentParser:
    """The options every subcommand takes."""
    parent = argparse.ArgumentParser(add_help=False)
    g = parent.add_argument_group("global options")
    g.add_argument("--config", metavar="FILE", help="config file (default: ~/.config/pixel-tui/config.toml)")
    g.add_argument("--endpoint-url", metavar="URL", help="S3 endpoint URL, e.g. https://s3.gra.io.cloud.ovh.net")
    g.add_argument("--bucket", metavar="NAME", help="S3 bucket holding gdrive/raw and gdrive/processed")
    g.add_argument("--drive", metavar="REMOTE:PATH", help="rclone remote of the Drive source, e.g. gdrive:datasets")
    g.add_argument("--registry", metavar="PATH_OR_S3_URL", help="dataset_registry.json, a local path or s3://bucket/key")
    g.add_argument("--read-only", action="store_true", default=None, help="never write to S3 or the registry")
    return parent


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser with every subcommand."""
    parent = global_options()
    parser = argparse.ArgumentParser(
        prog="pixel-tui",
        parents=[parent],
        description="Dashboard for a Google Drive -> S3 training-data pipeline. "
        "With no subcommand, opens the dashboard.",
    )
    parser.add_argument("--version", action="version", version=f"pixel-tui {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    # Subcommands repeat the global options with no defaults, so `pixel-tui --registry X registry show`
    # keeps X instead of the subparser resetting it to None.
    sub_parent = global_options()
    for action in sub_parent._actions:
        action.default = argparse.SUPPRESS
    for module_name in COMMAND_MODULES:
        module = importlib.import_module(module_name)
        p = sub.add_parser(module.NAME, parents=[sub_parent], help=module.HELP, description=module.HELP)
        module.add_arguments(p)
        p.set_defaults(_module=module)
    return parser


def settings_from_args(args: argparse.Namespace):
    """Load Settings with the CLI flags as the highest-priority layer."""
    from pixel_tui.core.config import load_settings

    overrides = {
        "endpoint_url": args.endpoint_url,
        "bucket": args.bucket,
        "drive": args.drive,
        "registry": args.registry,
        "read_only": args.read_only,
    }
    return load_settings(args.config, overrides)


def main(argv: Sequence[str] | None = None) -> int:
    """Run pixel-tui; returns the process exit code."""
    from pixel_tui.core.errors import PixelError, render_error

    parser = build_parser()
    args = parser.parse_args(argv)
    module = getattr(args, "_module", None)
    if module is None:
        module = importlib.import_module("pixel_tui.commands.dashboard")
    try:
        settings = None if getattr(module, "NEEDS_SETTINGS", True) is False else settings_from_args(args)
        return int(module.run(args, settings) or 0)
    except PixelError as exc:
        print(f"pixel-tui: {render_error(exc)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
