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


@pytest.mark.parametrize("argv", [[], ["--bucket", "b", "--read-only"], ["--endpoint-url=http://h:1", "--drive", "x:y"],
                                  ["--config", "c.toml", "--registry", "s3://b/k.json"]])
def test_bare_dashboard_command_line_parses_as_the_full_parser_does(argv):
    """The start-up fast path (`cli.dashboard_args`) gives exactly the full parser's namespace."""
    from pixel_tui.cli import build_parser, dashboard_args

    fast, full = dashboard_args(argv), build_parser().parse_args(argv)
    assert fast is not None and vars(fast) == vars(full)


@pytest.mark.parametrize("argv", [["ls"], ["--bucket", "ls"], ["-h"], ["--version"], ["--nope"], ["--bucket"],
                                  ["stray"]])
def test_anything_but_a_bare_dashboard_goes_to_the_full_parser(argv):
    from pixel_tui.cli import dashboard_args

    assert dashboard_args(argv) is None
