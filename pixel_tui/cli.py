"""Entry point `pixel-tui`: global options, then one subcommand (default: the dashboard)."""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Sequence

from pixel_tui import __version__
from pixel_tui.commands.options import global_options, repeated_global_options

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
    "pixel_tui.commands.jobs",
)


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
    sub_parent = repeated_global_options()
    for module_name in COMMAND_MODULES:
        module = importlib.import_module(module_name)
        p = sub.add_parser(module.NAME, parents=[sub_parent], help=module.HELP, description=module.HELP)
        module.add_arguments(p)
        p.set_defaults(_module=module)
    return parser


def dashboard_args(argv: list[str]) -> argparse.Namespace | None:
    """The namespace of a bare `pixel-tui [global options]` (the dashboard), or None for anything else.

    Why: building the full parser (ten subparsers, each copying the global options) costs ~40 ms of the
    dashboard's start-up; a command line naming no subcommand and asking no help needs only the globals.
    Anything unusual (a subcommand, help, an unknown or malformed option) goes to the full parser.
    """
    names = {m.rsplit(".", 1)[1] for m in COMMAND_MODULES}
    if any(a in names or a in ("-h", "--help", "--version") for a in argv):
        return None
    parser = argparse.ArgumentParser(prog="pixel-tui", parents=[global_options()], add_help=False,
                                     exit_on_error=False)
    try:
        args, rest = parser.parse_known_args(argv)
    except argparse.ArgumentError:
        return None
    if rest:
        return None
    args.command = None
    return args


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
    from pixel_tui.core.errors import PixelError, redact, render_error
    from pixel_tui.core.printable import SafeStream

    args = dashboard_args(sys.argv[1:] if argv is None else list(argv))
    if args is None:
        args = build_parser().parse_args(argv)
    module = getattr(args, "_module", None)
    if module is None:
        module = importlib.import_module("pixel_tui.commands.dashboard")
    # Everything printed from here on carries data (keys, names, log lines): it passes the one filter.
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = SafeStream(sys.stdout, redact), SafeStream(sys.stderr, redact)
    try:
        settings = None if getattr(module, "NEEDS_SETTINGS", True) is False else settings_from_args(args)
        return int(module.run(args, settings) or 0)
    except PixelError as exc:
        print(f"pixel-tui: {render_error(exc)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return _reader_went_away()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        sys.stdout, sys.stderr = saved


def _reader_went_away() -> int:
    """`pixel-tui ls --json | head`: the reader closed the pipe. End quietly, as `yes | head` does: point
    stdout at /dev/null so the interpreter's final flush does not print a second traceback."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.__stdout__.fileno())
    except (OSError, ValueError, AttributeError):  # stdout closed or not a file: nothing left to protect
        pass
    return 141  # 128 + SIGPIPE, what a shell reports for a writer killed by a closed pipe


if __name__ == "__main__":
    sys.exit(main())
