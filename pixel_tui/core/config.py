"""Typed settings: TOML file (XDG path) < PIXEL_TUI_* environment < CLI flags."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlsplit

from pixel_tui.core.errors import ConfigError

DEFAULT_CATEGORIES = ("cot_reasoning", "professional_therapeutic", "priority", "edge_cases")
DEFAULT_GROUP_MAP = {
    "cot_reasoning": "cot_reasoning",
    "professional_therapeutic": "professional_therapeutic",
    "priority_datasets": "priority",
    "edge_case_sources": "edge_cases",
}


# What S3 and rclone accept as a bucket name (botocore's own rule), so a bad one is a message, not a traceback.
_BUCKET = re.compile(r"[A-Za-z0-9._-]{1,255}")
_HOST = re.compile(r"[A-Za-z0-9._%:-]+")  # a name, IPv4 or (bracket-less) IPv6 address; no spaces


def check_http_url(url: str, what: str) -> str:
    """``url`` if it is http(s)://host[:port][/path]; else a ConfigError naming ``what`` (the URL redacted)."""
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError for a non-numeric or out-of-range port
    except ValueError as exc:
        raise ConfigError(f"{what} {url!r} is not a valid URL ({exc})", "e.g. http://127.0.0.1:5572") from None
    if parts.scheme not in ("http", "https") or not _HOST.fullmatch(parts.hostname or ""):
        raise ConfigError(f"{what} {url!r} is not an http:// or https:// URL with a host",
                          "e.g. https://s3.example.com or http://127.0.0.1:9000")
    del port
    return url


def check_bucket(name: str, where: str = "") -> str:
    """``name`` if S3 could accept it as a bucket name (letters, digits, '.', '-', '_'); else a ConfigError."""
    if not _BUCKET.fullmatch(name or ""):
        raise ConfigError(f"{where}invalid bucket name {name!r}: only letters, digits, '.', '-' and '_' are allowed",
                          "check s3.bucket, --bucket or the s3:// URL")
    return name


def xdg_config_path() -> Path:
    """Default config file: $XDG_CONFIG_HOME/pixel-tui/config.toml."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "pixel-tui" / "config.toml"


def xdg_state_dir() -> Path:
    """Default state directory (journals, audit log, demo data): $XDG_STATE_HOME/pixel-tui."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "pixel-tui"


@dataclass(frozen=True)
class Settings:
    """Every setting pixel_tui reads. Field metadata gives its TOML section and env variable."""

    endpoint_url: str | None = field(default=None, metadata={"section": "s3"})
    region: str = field(default="us-east-1", metadata={"section": "s3"})
    bucket: str | None = field(default=None, metadata={"section": "s3"})
    addressing_style: str = field(default="path", metadata={"section": "s3", "choices": ("path", "virtual", "auto")})
    profile: str | None = field(default=None, metadata={"section": "s3"})
    rclone_remote: str | None = field(default=None, metadata={"section": "s3"})
    # Bounded waits: an unreachable or silent endpoint is reported within about attempts x time-out.
    connect_timeout: float = field(default=5.0, metadata={"section": "s3"})
    read_timeout: float = field(default=20.0, metadata={"section": "s3"})
    max_attempts: int = field(default=3, metadata={"section": "s3"})
    raw_prefix: str = field(default="gdrive/raw/", metadata={"section": "s3"})
    processed_prefix: str = field(default="gdrive/processed/", metadata={"section": "s3"})
    # Scratch keys of `check --provider` and the once-per-endpoint probe of conditional writes (deleted after).
    probe_prefix: str = field(default="pixel-tui-probe/", metadata={"section": "s3"})
    categories: tuple[str, ...] = field(default=DEFAULT_CATEGORIES, metadata={"section": "categories", "key": "names"})
    group_map: Mapping[str, str] = field(
        default_factory=lambda: dict(DEFAULT_GROUP_MAP), metadata={"section": "categories", "key": "registry_groups"}
    )
    drive: str = field(default="gdrive:datasets", metadata={"section": "drive", "key": "remote"})
    logs: tuple[str, ...] = field(default=(), metadata={"section": "monitor"})
    rc_urls: tuple[str, ...] = field(default=(), metadata={"section": "monitor"})
    stall_seconds: float = field(default=600.0, metadata={"section": "monitor"})
    registry: str | None = field(default=None, metadata={"section": "registry", "key": "location"})
    backups: int = field(default=5, metadata={"section": "registry"})
    registry_max_mb: int = field(default=256, metadata={"section": "registry", "key": "max_mb"})
    copy_cutoff: int = field(default=4_995 * 1024 * 1024, metadata={"section": "promotion"})
    part_size: int = field(default=256 * 1024 * 1024, metadata={"section": "promotion"})
    concurrency: int = field(default=16, metadata={"section": "promotion"})
    read_only: bool = field(default=False, metadata={"section": "ui"})
    bell: bool = field(default=True, metadata={"section": "ui"})
    state_dir: str | None = field(default=None, metadata={"section": "paths"})
    config_file: str | None = field(default=None, metadata={"internal": True})

    @property
    def state_path(self) -> Path:
        """The state directory as a Path (journals, audit log, backups of last resort)."""
        return Path(self.state_dir).expanduser() if self.state_dir else xdg_state_dir()

    @property
    def registry_max_bytes(self) -> int:
        """The most of a registry we read (`registry.max_mb`), in bytes."""
        return self.registry_max_mb * 1024 * 1024

    def require_bucket(self) -> str:
        """Return the bucket or raise a ConfigError saying where to set it."""
        if not self.bucket:
            where = self.config_file or str(xdg_config_path())
            raise ConfigError(
                f"no S3 bucket configured (key `s3.bucket` in {where})",
                "set it in the config file, with PIXEL_TUI_BUCKET, or with --bucket NAME",
            )
        return self.bucket

    def category_prefix(self, category: str) -> str:
        """The processed prefix of one category, e.g. gdrive/processed/priority/."""
        return f"{self.processed_prefix}{category}/"


_FIELDS = {f.name: f for f in fields(Settings) if not f.metadata.get("internal")}


def _toml_key(f) -> tuple[str, str]:
    return f.metadata["section"], f.metadata.get("key", f.name)


def env_name(name: str) -> str:
    """PIXEL_TUI_* variable of a field, e.g. endpoint_url -> PIXEL_TUI_ENDPOINT_URL."""
    return "PIXEL_TUI_" + name.upper()


def _type_name(f) -> str:
    t = str(f.type)
    if "tuple" in t:
        return "list of strings"
    if "Mapping" in t:
        return "table of strings"
    if t == "bool":
        return "boolean"
    if t == "int":
        return "integer"
    if t == "float":
        return "number"
    return "string"


def _coerce(f, value: Any, where: str, text: bool = False) -> Any:
    """Check and convert one value for field ``f``; ``text`` values (env, flags) are parsed from strings."""
    t = str(f.type)
    bad = ConfigError(f"{where}: expected {_type_name(f)}, got {type(value).__name__} {value!r}")
    if isinstance(value, str) and not text and t != "str" and "str |" not in t:
        raise bad
    if "tuple" in t:
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise bad
        return tuple(value)
    if "Mapping" in t:
        if isinstance(value, str):
            pairs = [p for p in value.split(",") if p.strip()]
            try:
                value = dict(p.split("=", 1) for p in pairs)
            except ValueError:
                raise bad from None
            value = {k.strip(): v.strip() for k, v in value.items()}
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise bad
        return dict(value)
    if t == "bool":
        if isinstance(value, str):
            low = value.strip().lower()
            if low in ("1", "true", "yes", "on"):
                return True
            if low in ("0", "false", "no", "off", ""):
                return False
        if not isinstance(value, bool):
            raise bad
        return value
    if t in ("int", "float"):
        if isinstance(value, str):
            try:
                value = int(value) if t == "int" else float(value)
            except ValueError:
                raise bad from None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (t == "int" and not isinstance(value, int)):
            raise bad
        return int(value) if t == "int" else float(value)
    if not isinstance(value, str):
        raise bad
    choices = f.metadata.get("choices")
    if choices and value not in choices:
        raise ConfigError(f"{where}: must be one of {', '.join(choices)}, got {value!r}")
    return value


def _from_toml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{path}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x} on line {line})",
                          "save the config file as UTF-8") from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    by_key = {_toml_key(f): f for f in _FIELDS.values()}
    sections = {s for s, _ in by_key}
    values: dict[str, Any] = {}
    for section, table in doc.items():
        if section not in sections:
            raise ConfigError(f"{path}: unknown section [{section}]", f"known sections: {', '.join(sorted(sections))}")
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: `{section}` must be a table ([{section}])")
        for key, value in table.items():
            f = by_key.get((section, key))
            if f is None:
                known = sorted(k for s, k in by_key if s == section)
                raise ConfigError(f"{path}: unknown key `{section}.{key}`", f"known keys in [{section}]: {', '.join(known)}")
            values[f.name] = _coerce(f, value, f"{path}: key `{section}.{key}`")
    return values


def _from_env(env: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, f in _FIELDS.items():
        var = env_name(name)
        if var in env:
            values[name] = _coerce(f, env[var], f"environment variable {var}", text=True)
    return values


def _normalise(values: dict[str, Any]) -> dict[str, Any]:
    # Custom categories without a custom mapping keep only the default mappings that still apply.
    if "categories" in values and "group_map" not in values:
        values["group_map"] = {g: c for g, c in DEFAULT_GROUP_MAP.items() if c in values["categories"]}
    for key in ("raw_prefix", "processed_prefix"):
        if key in values and values[key] and not values[key].endswith("/"):
            values[key] += "/"
    return values


def load_settings(
    config_file: str | os.PathLike | None = None,
    overrides: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Build Settings from the TOML file, then PIXEL_TUI_* env, then ``overrides`` (CLI flags)."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    explicit = config_file or env.get("PIXEL_TUI_CONFIG")
    path = Path(explicit).expanduser() if explicit else xdg_config_path()
    if explicit and not path.is_file():
        raise ConfigError(f"config file {path} does not exist")
    if path.is_file():
        values.update(_from_toml(path))
    values.update(_from_env(env))
    for name, value in (overrides or {}).items():
        if value is None:
            continue
        if name not in _FIELDS:
            raise ConfigError(f"unknown setting `{name}`")
        values[name] = _coerce(_FIELDS[name], value, f"option --{name.replace('_', '-')}", text=True)
    values = _normalise(values)
    settings = Settings(**values, config_file=str(path) if path.is_file() else None)
    _check(settings)
    return settings


def _check(settings: Settings) -> None:
    where = settings.config_file or "the settings"
    if settings.endpoint_url:
        # Without a scheme it means https://, as rclone reads it (storage.s3.endpoint_url).
        url = settings.endpoint_url.strip()
        check_http_url(url if "://" in url else "https://" + url, f"{where}: `s3.endpoint_url`")
    if settings.bucket:
        check_bucket(settings.bucket, f"{where}: `s3.bucket`: ")
    for url in settings.rc_urls:
        check_http_url(url if "://" in url else f"http://{url}", f"{where}: rc URL in `monitor.rc_urls`")
    for category in settings.categories:
        if not category or "/" in category or category in (".", ".."):
            raise ConfigError(f"{where}: invalid category name {category!r} in `categories.names`")
    for group, category in settings.group_map.items():
        if category not in settings.categories:
            raise ConfigError(
                f"{where}: `categories.registry_groups.{group}` maps to unknown category {category!r}",
                f"categories are: {', '.join(settings.categories)}",
            )
    for key in ("connect_timeout", "read_timeout"):
        if not 0 < getattr(settings, key) <= 3600:
            raise ConfigError(f"{where}: `s3.{key}` must be between 0 and 3600 seconds, got {getattr(settings, key)}")
    if not 1 <= settings.max_attempts <= 20:
        raise ConfigError(f"{where}: `s3.max_attempts` must be between 1 and 20, got {settings.max_attempts}")
    if settings.registry_max_mb < 1:
        raise ConfigError(f"{where}: `registry.max_mb` must be at least 1, got {settings.registry_max_mb}")
    if settings.copy_cutoff > 5 * 1024**3:
        raise ConfigError(f"{where}: `promotion.copy_cutoff` is above the S3 limit of 5 GiB for one CopyObject")


def with_overrides(settings: Settings, **changes: Any) -> Settings:
    """A copy of ``settings`` with some fields changed (used by the demo and tests)."""
    return replace(settings, **changes)
