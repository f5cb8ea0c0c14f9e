"""The public API for scripts: every name resolves, and importing the package stays cheap."""

from __future__ import annotations

import subprocess
import sys

import pixel_tui


def test_every_public_name_resolves():
    for name in pixel_tui.__all__:
        assert getattr(pixel_tui, name) is not None, name
    assert {"Registry", "Resolver", "S3Store", "build_plan", "execute", "resume", "LogParser"} <= set(pixel_tui.__all__)
    from pixel_tui.core.registry.resolver import Resolver

    assert pixel_tui.Resolver is Resolver


def test_importing_the_package_loads_neither_boto3_nor_textual():
    code = ("import sys, pixel_tui; pixel_tui.__version__; "
            "print(','.join(m for m in ('boto3', 'botocore', 'textual') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_an_unknown_name_is_an_attribute_error():
    import pytest

    with pytest.raises(AttributeError):
        pixel_tui.not_a_thing  # noqa: B018
