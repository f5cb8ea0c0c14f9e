"""The options every subcommand takes, shared by the top-level parser and nested subparsers."""

from __future__ import annotations

import argparse


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


def repeated_global_options() -> argparse.ArgumentParser:
    """The global options again for a subparser, with no defaults.

    So `pixel-tui --registry X registry show` keeps X instead of the subparser resetting it to None.
    """
    parent = global_options()
    for action in parent._actions:
        action.default = argparse.SUPPRESS
    return parent
