"""Bad input that used to traceback: each is a message and exit 2, in a real `pixel-tui` process.

Read-only folders: this suite runs as root, for whom mode bits mean nothing, so a folder is made
really unwritable with `chattr +i` (immutable: refused even to root). Where chattr cannot work (a
filesystem without the flag, no CAP_LINUX_IMMUTABLE) the test is skipped when root and falls back to
chmod 0555 otherwise; neither fakes the failure.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).parent / "data" / "registry_real_shape.json"
DEEP = 600


def cli(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    """`python -m pixel_tui ARGS` in a child process."""
    full = {**os.environ, "PYTHONPATH": str(ROOT), "AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b",
            **(env or {})}
    return subprocess.run([sys.executable, "-m", "pixel_tui", *args], capture_output=True, text=True,
                          timeout=timeout, env=full, stdin=subprocess.DEVNULL, check=False)


def refused(result: subprocess.CompletedProcess, *needles: str) -> None:
    """Exit 2, every needle in stderr, no traceback."""
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    for needle in needles:
        assert needle in result.stderr, (needle, result.stderr)


@contextmanager
def unwritable(folder: Path):
    """Make ``folder`` refuse new files for this process, root included; restore it afterwards."""
    made = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, check=False) \
        if shutil.which("chattr") else None
    if made is not None and made.returncode == 0:
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        return
    if os.geteuid() == 0:
        pytest.skip("chattr +i is not available here and root ignores mode bits: no honest read-only folder")
    folder.chmod(0o555)
    try:
        yield
    finally:
        folder.chmod(0o755)


@pytest.fixture
def reg(tmp_path) -> Path:
    path = tmp_path / "regdir" / "dataset_registry.json"
    path.parent.mkdir()
    shutil.copyfile(FIXTURE, path)
    return path


@pytest.mark.parametrize("endpoint", ["not a url", "ftp://127.0.0.1:21", "http://", "https://exa mple.com", "http:///bucket"])
def test_an_endpoint_url_that_is_not_http_is_refused(endpoint):
    refused(cli("ls", "s3://bucket/", "--endpoint-url", endpoint), "is not an http:// or https:// URL")


def test_an_endpoint_url_with_a_bad_port_is_refused_without_showing_its_password():
    result = cli("ls", "s3://bucket/", "--endpoint-url", "http://key:hunter2@127.0.0.1:port")
    refused(result, "is not a valid URL")
    assert "hunter2" not in result.stderr


def test_an_endpoint_url_in_the_config_file_is_checked_too(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[s3]\nendpoint_url = "ftp://files.example.com"\nbucket = "b"\n')
    refused(cli("--config", str(config), "ls", "s3://b/"), str(config), "`s3.endpoint_url`")


def test_a_bucket_name_with_a_space_is_refused(tmp_path):
    refused(cli("ls", "s3://my bucket/raw/", "--endpoint-url", "http://127.0.0.1:1"), "invalid bucket name 'my bucket'")
    refused(cli("--bucket", "my bucket", "ls", "s3://ok/", "--endpoint-url", "http://127.0.0.1:1"),
            "`s3.bucket`: invalid bucket name 'my bucket'")


def test_a_config_file_that_is_not_utf8_is_refused(tmp_path):
    config = tmp_path / "config.toml"
    config.write_bytes(b'[s3]\nbucket = "caf\xe9"\n')
    refused(cli("--config", str(config), "ls", "s3://b/"), "not UTF-8", "line 2")


@pytest.mark.parametrize("follow", [False, True])
def test_an_rc_url_with_a_non_numeric_port_is_refused(follow):
    args = ["status", *(["--follow"] if follow else []), "http://127.0.0.1:rc"]
    refused(cli(*args, timeout=30), "rc URL 'http://127.0.0.1:rc' is not a valid URL")


def test_an_rc_url_in_the_config_is_checked(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[monitor]\nrc_urls = ["localhost:abc"]\n')
    refused(cli("--config", str(config), "status", "--json", str(tmp_path / "x.log")), "`monitor.rc_urls`")


def test_a_registry_in_a_read_only_folder_is_refused_and_unchanged(reg, tmp_path):
    before = reg.read_bytes()
    with unwritable(reg.parent):
        result = cli("registry", "set", "datasets/priority_datasets/priority_1", "tier=3", "--registry", str(reg),
                     env={"PIXEL_TUI_STATE_DIR": str(tmp_path / "state")})
    refused(result, "is not writable", "nothing was written")
    assert reg.read_bytes() == before


def test_an_unwritable_state_dir_is_refused_before_anything_changes(reg, tmp_path):
    state = tmp_path / "state"
    state.mkdir()
    before = reg.read_bytes()
    with unwritable(state):
        result = cli("registry", "set", "datasets/priority_datasets/priority_1", "tier=3", "--registry", str(reg),
                     env={"PIXEL_TUI_STATE_DIR": str(state)})
    refused(result, "cannot keep a backup", "nothing was written")
    assert reg.read_bytes() == before
    # A state dir that is a file is as unusable.
    (tmp_path / "afile").write_text("")
    result = cli("registry", "set", "datasets/priority_datasets/priority_1", "tier=3", "--registry", str(reg),
                 env={"PIXEL_TUI_STATE_DIR": str(tmp_path / "afile")})
    refused(result, "cannot keep a backup")


def test_an_unwritable_state_dir_stops_a_promotion_before_any_copy(weed_promo_env, tmp_path):
    env = weed_promo_env
    env.put("gdrive/raw/CoT_Heartbreak_and_Breakups_downloaded.json", b'{"a": 1}\n' * 100)
    before = env.inventory()
    state = Path(env.settings.state_dir)
    state.mkdir(parents=True)
    with unwritable(state):
        result = cli("promote", f"s3://{env.store.bucket}/gdrive/raw/CoT_Heartbreak_and_Breakups_downloaded.json",
                     "-c", "cot_reasoning", "--yes", env=env.cli_env())
    refused(result, "state dir", "nothing was done")
    assert env.inventory() == before


def _deep_registry(path: Path) -> None:
    doc = json.loads(FIXTURE.read_text())
    value: dict = {}
    node = value
    for _ in range(DEEP):
        node["n"] = {}
        node = node["n"]
    doc["datasets"]["priority_datasets"]["deep"] = {"path": "s3://b/deep.jsonl", "meta": value}
    path.write_text(json.dumps(doc, indent=1))


def test_editing_an_entry_nested_500_deep_is_refused_and_changes_nothing(tmp_path):
    path = tmp_path / "dataset_registry.json"
    _deep_registry(path)
    before = path.read_bytes()
    env = {"PIXEL_TUI_STATE_DIR": str(tmp_path / "state")}
    refused(cli("registry", "set", "datasets/priority_datasets/deep", "tier=3", "--registry", str(path), env=env),
            "nested too deeply", "nothing changed")
    refused(cli("registry", "set", "datasets/priority_datasets/deep", "--unset", "meta", "--registry", str(path),
                env=env), "nested too deeply")
    assert path.read_bytes() == before
    # Reading it still works, and so do edits elsewhere in the file.
    assert cli("registry", "get", "datasets/priority_datasets/deep", "--registry", str(path)).returncode == 0
    assert cli("registry", "set", "datasets/priority_datasets/priority_1", "tier=2", "--registry", str(path),
               env=env).returncode == 0


def test_a_value_nested_thousands_deep_is_refused(reg, tmp_path):
    deep = "[" * 5000 + "]" * 5000
    refused(cli("registry", "set", "datasets/priority_datasets/priority_1", f"meta={deep}", "--registry", str(reg),
                env={"PIXEL_TUI_STATE_DIR": str(tmp_path / "state")}), "nested too deeply")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_state_files_are_private(weed_promo_env, tmp_path):
    """Journals, audit log, registry backups and the state dir itself: 0600 files in 0700 folders."""
    env = weed_promo_env
    env.put("gdrive/raw/CoT_Heartbreak_and_Breakups_downloaded.json", b'{"a": 1}\n' * 100)
    old = os.umask(0o022)  # a usual umask: what we create must not depend on it
    try:
        result = cli("promote", f"s3://{env.store.bucket}/gdrive/raw/CoT_Heartbreak_and_Breakups_downloaded.json",
                     "-c", "cot_reasoning", "--yes", env=env.cli_env())
    finally:
        os.umask(old)
    assert result.returncode == 0, result.stderr
    state = Path(env.settings.state_dir)
    journals = list((state / "journal").glob("*.jsonl"))
    backups = list((state / "registry-backups").glob("*.json"))
    assert journals and backups
    assert {_mode(p) for p in [state, state / "journal", state / "registry-backups"]} == {0o700}
    assert {_mode(p) for p in [*journals, *backups, state / "audit.jsonl"]} == {0o600}
    lock = env.registry_path.parent / f".{env.registry_path.name}.lock"
    assert _mode(lock) == 0o600
