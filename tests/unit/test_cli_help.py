"""Every subcommand answers --help; the global options are accepted everywhere."""

from __future__ import annotations

import pytest

from pixel_tui import __version__
from pixel_tui.cli import COMMAND_MODULES, build_parser, main


def _names():
    import importlib

    return [importlib.import_module(m).NAME for m in COMMAND_MODULES]


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0 and __version__ in capsys.readouterr().out


@pytest.mark.parametrize("name", _names())
def test_every_subcommand_has_help_with_global_options(name, capsys):
    with pytest.raises(SystemExit) as info:
        main([name, "--help"])
    out = capsys.readouterr().out
    assert info.value.code == 0
    for flag in ("--config", "--endpoint-url", "--bucket", "--drive", "--registry", "--read-only"):
        assert flag in out, f"{name} --help lacks {flag}"


def test_top_level_help_lists_subcommands(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--help"])
    out = capsys.readouterr().out
    for name in _names():
        assert name in out
