"""One renderer of message + hint: panes, dialogs, notices and the CLI all show the hint."""

from __future__ import annotations

from pixel_tui.cli import main
from pixel_tui.core.errors import ConfigError, PixelError, error_parts, render_error


def test_render_error_of_ours_and_of_anything_else():
    exc = ConfigError("no bucket configured", "pass --bucket or set s3.bucket")
    assert render_error(exc) == "no bucket configured\nwhat to do: pass --bucket or set s3.bucket"
    assert render_error(exc, one_line=True) == "no bucket configured (what to do: pass --bucket or set s3.bucket)"
    assert str(exc) == render_error(exc)  # str() of our errors is the same text, so no path drops the hint
    assert error_parts(exc) == ("no bucket configured", "pass --bucket or set s3.bucket")
    assert render_error(PixelError("plain")) == "plain" == render_error(PixelError("plain"), one_line=True)
    assert render_error(ValueError("bad value")) == "ValueError: bad value"
    assert error_parts(KeyError("k")) == ("KeyError: 'k'", "")


def test_the_cli_prints_message_and_hint(capsys):
    assert main(["ls", "s3:/pixel-data/gdrive/raw/"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("pixel-tui: 's3:/pixel-data/gdrive/raw/' is not an S3 URL\nwhat to do: write it as s3://")
