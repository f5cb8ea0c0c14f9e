"""Settings: TOML file < PIXEL_TUI_* env < CLI flags, and clear errors for bad input."""

from __future__ import annotations

import pytest

from pixel_tui.cli import main
from pixel_tui.core.config import DEFAULT_CATEGORIES, load_settings, xdg_config_path
from pixel_tui.core.errors import ConfigError


def write(tmp_path, text: str):
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def test_defaults_without_any_file():
    s = load_settings(env={})
    assert s.raw_prefix == "gdrive/raw/" and s.processed_prefix == "gdrive/processed/"
    assert s.categories == DEFAULT_CATEGORIES
    assert s.group_map["priority_datasets"] == "priority"
    assert s.drive == "gdrive:datasets" and s.addressing_style == "path" and not s.read_only


def test_layers_file_then_env_then_flags(tmp_path):
    cfg = write(tmp_path, """
[s3]
endpoint_url = "https://s3.gra.io.cloud.ovh.net"
bucket = "from-file"
raw_prefix = "staging/raw"
[categories]
names = ["cot_reasoning", "priority", "voice"]
[categories.registry_groups]
priority_datasets = "priority"
[monitor]
logs = ["/var/log/rclone/*.log"]
stall_seconds = 300
""")
    s = load_settings(cfg, env={})
    assert s.bucket == "from-file" and s.raw_prefix == "staging/raw/"
    assert s.categories == ("cot_reasoning", "priority", "voice")
    assert s.logs == ("/var/log/rclone/*.log",) and s.stall_seconds == 300.0
    assert s.config_file == str(cfg)
    s = load_settings(cfg, env={"PIXEL_TUI_BUCKET": "from-env", "PIXEL_TUI_READ_ONLY": "true"})
    assert s.bucket == "from-env" and s.read_only
    s = load_settings(cfg, overrides={"bucket": "from-flag"}, env={"PIXEL_TUI_BUCKET": "from-env"})
    assert s.bucket == "from-flag"


def test_xdg_path_is_used(tmp_path):
    (tmp_path / "pixel-tui").mkdir()
    (tmp_path / "pixel-tui" / "config.toml").write_text('[s3]\nbucket = "xdg-bucket"\n')
    s = load_settings(env={"XDG_CONFIG_HOME": str(tmp_path)}) if False else None
    # load_settings reads the XDG path from os.environ through xdg_config_path().
    import os

    old = os.environ.get("XDG_CONFIG_HOME")
    os.environ["XDG_CONFIG_HOME"] = str(tmp_path)
    try:
        assert xdg_config_path() == tmp_path / "pixel-tui" / "config.toml"
        s = load_settings(env={})
        assert s.bucket == "xdg-bucket"
    finally:
        os.environ["XDG_CONFIG_HOME"] = old


@pytest.mark.parametrize(
    "text, words",
    [
        ('[s3]\nbucket_name = "x"\n', ["s3.bucket_name", "unknown key"]),
        ('[nope]\nx = 1\n', ["unknown section", "[nope]"]),
        ('[monitor]\nstall_seconds = "soon"\n', ["monitor.stall_seconds", "number"]),
        ('[categories]\nnames = "cot"\n', ["categories.names", "list"]),
        ('[ui]\nread_only = "maybe"\n', ["ui.read_only", "boolean"]),
        ('[s3]\naddressing_style = "sideways"\n', ["s3.addressing_style", "path"]),
        ('[categories.registry_groups]\npriority_datasets = "nowhere"\n', ["unknown category", "nowhere"]),
        ("[s3\nbucket=", ["not valid TOML"]),
    ],
)
def test_bad_config_names_key_and_file(tmp_path, text, words):
    cfg = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_settings(cfg, env={})
    msg = str(info.value)
    assert str(cfg) in msg
    for w in words:
        assert w in msg


def test_bad_env_value_names_the_variable():
    with pytest.raises(ConfigError) as info:
        load_settings(env={"PIXEL_TUI_BACKUPS": "many"})
    assert "PIXEL_TUI_BACKUPS" in str(info.value)


def test_cli_exit_code_2_with_one_clear_message(tmp_path, capsys):
    cfg = write(tmp_path, '[s3]\nbukket = "x"\n')
    assert main(["--config", str(cfg), "dashboard"]) == 2
    err = capsys.readouterr().err
    assert "s3.bukket" in err and str(cfg) in err and "Traceback" not in err


def test_missing_bucket_is_a_config_error(tmp_path):
    s = load_settings(env={})
    with pytest.raises(ConfigError) as info:
        s.require_bucket()
    assert "s3.bucket" in str(info.value) and "--bucket" in str(info.value)


def test_missing_explicit_config_file(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_settings(tmp_path / "nope.toml", env={})
    assert "nope.toml" in str(info.value)
