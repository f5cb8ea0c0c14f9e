"""Where a registry document lives: a local file (atomic replace + backups) or an S3 object (conditional put)."""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import re
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from pixel_tui.core.errors import NoSuchKey, PixelError, PreconditionFailed
from pixel_tui.core.files import (
    FileTooLarge,
    NotRegularFile,
    StateDirUnwritable,
    ensure_private_dir,
    open_private,
    probe_writable,
    read_regular,
)
from pixel_tui.core.who import user_at_host

if TYPE_CHECKING:
    from pixel_tui.core.storage.s3 import S3Store


class RegistryConflict(PixelError):
    """The registry changed on disk (or in S3) since it was loaded; the edits are still in memory."""

    def __init__(self, location: str, loaded: str, now: str) -> None:
        super().__init__(
            f"registry {location} changed since it was loaded (loaded version {loaded}, now {now}); nothing was written",
            "reload it (your edits are replayed on the new version), look at the difference, or save to another path",
        )
        self.location = location


class RegistryNotFound(PixelError):
    """The registry file or object does not exist."""

    exit_code = 2


class RegistryReadOnly(PixelError):
    """The registry file has no write permission bit: refuse rather than replace it."""

    exit_code = 2


@dataclass(frozen=True)
class Version:
    """What identifies one version of the stored document: a sha256 (local) or an ETag (S3)."""

    tag: str
    mtime_ns: int = 0
    size: int = 0
    ctime_ns: int = 0  # a write changes ctime even when the writer restores mtime
    ino: int = 0

    def short(self) -> str:
        """A short form for messages."""
        return self.tag[:12] if self.tag else "absent"


STALE_TEMP_SECONDS = 600
# A registry is a small document; past this (setting `registry.max_mb`) it is refused, not read into
# memory: `--registry /dev/zero` or a runaway file must not take the machine down.
DEFAULT_MAX_BYTES = 256 * 1024 * 1024


class RegistryUnreadable(PixelError):
    """The registry is not a regular file (a FIFO, a device, a folder) or is larger than the limit."""

    exit_code = 2


def _read_capped(path: Path, location: str, limit: int) -> tuple[bytes, os.stat_result]:
    """read_regular with the registry's messages: never blocks on a FIFO, never reads past ``limit``."""
    try:
        return read_regular(path, limit)
    except NotRegularFile as exc:
        raise RegistryUnreadable(f"registry {location} is {exc.strerror}; nothing was read",
                                 "point --registry at the JSON file (or an s3:// URL)") from None
    except FileTooLarge as exc:
        raise RegistryUnreadable(f"registry {location} is too large: {exc.strerror}",
                                 "check it is the right file, or raise `registry.max_mb` in the config") from None


def _temp_pattern(name: str) -> re.Pattern:
    """Our temp files beside ``name``: ``.NAME.[PID.]XXXXXXXX.tmp`` (mkstemp's 8 random characters)."""
    return re.compile(rf"\.{re.escape(name)}\.(?:(\d+)\.)?[A-Za-z0-9_]{{8}}\.tmp")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, not ours to signal
    return True


def clean_stale_temps(target: Path, max_age: float = STALE_TEMP_SECONDS) -> list[str]:
    """Remove temp files a killed save left beside ``target``: ours by name, and older than ``max_age``
    or made by a process that is gone. Returns the names removed; never raises."""
    pattern = _temp_pattern(target.name)
    removed = []
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        m = pattern.fullmatch(entry.name)
        if not m:
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            age = now - entry.stat(follow_symlinks=False).st_mtime
            pid = int(m.group(1)) if m.group(1) else None
            if age > max_age or (pid is not None and pid != os.getpid() and not _pid_alive(pid)):
                os.unlink(entry.path)
                removed.append(entry.name)
        except (OSError, ValueError):
            continue
    return removed


class LocalBackend:
    """A registry file on disk."""

    def __init__(self, path: str | os.PathLike, backup_dir: str | os.PathLike | None = None,
                 max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.path = Path(path).expanduser()
        self.location = str(path)
        self.backup_dir = Path(backup_dir) if backup_dir else None
        self.max_bytes = max_bytes

    def read(self) -> tuple[bytes, Version]:
        """The whole file and its version (and clears temp files a killed save left)."""
        clean_stale_temps(self.target())
        try:
            data, st = _read_capped(self.path, self.location, self.max_bytes)
        except FileNotFoundError:
            raise RegistryNotFound(f"registry {self.location} does not exist",
                                   "check --registry or `registry.location` in the config") from None
        except OSError as exc:
            raise PixelError(f"cannot read registry {self.location}: {exc.strerror}") from None
        return data, _version(data, st)

    def current(self, known: Version | None = None) -> Version | None:
        """The version on disk now (None when the file is gone); cheap when mtime and size did not move."""
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        if known and (st.st_mtime_ns, st.st_size, st.st_ctime_ns, st.st_ino) == (
            known.mtime_ns, known.size, known.ctime_ns, known.ino
        ):
            return known
        try:
            data, st = _read_capped(self.path, self.location, self.max_bytes)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise PixelError(f"cannot read registry {self.location}: {exc.strerror}") from None
        return _version(data, st)

    def write(self, data: bytes, loaded: Version | None, backups: int) -> Version:
        """Atomically replace the file with ``data`` unless it changed since ``loaded``; keep a backup.

        The check, the backup, the write and the rename happen under an exclusive lock on a lock file beside
        the registry, so of two concurrent savers the second one sees the first one's version: a conflict.
        """
        with self._locked():
            return self._write_locked(data, loaded, backups)

    def target(self) -> Path:
        """The file really written: the path itself, or what it links to (the link is kept)."""
        return Path(os.path.realpath(self.path))

    def lock_path(self) -> Path:
        """The lock file beside the (resolved) registry (``.dataset_registry.json.lock``)."""
        target = self.target()
        return target.parent / f".{target.name}.lock"

    @contextmanager
    def _locked(self):
        lock = self.lock_path()
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError as exc:
            raise RegistryReadOnly(f"cannot lock registry {self.location}: its folder {lock.parent} is not writable "
                                   f"({exc.strerror}); nothing was written",
                                   "make the folder writable, or save to another path") from None
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX)
                    break
                except InterruptedError:
                    continue
                except OSError as exc:
                    if exc.errno == errno.EINTR:
                        continue
                    raise PixelError(f"cannot lock registry {self.location}: {exc.strerror}") from None
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def _write_locked(self, data: bytes, loaded: Version | None, backups: int) -> Version:
        target = self.target()
        try:
            mode = target.stat().st_mode & 0o7777
        except FileNotFoundError:
            mode = None
        if mode is not None and not mode & 0o222:
            # Checked on the bits, not with os.access: root may write anything, but a 0444 file says "do not".
            raise RegistryReadOnly(f"registry {self.location} is read-only (mode {mode:04o}); nothing was written",
                                   "make it writable (chmod u+w) if it should be edited, or save to another path")
        now = self.current(None)
        if (now.tag if now else None) != (loaded.tag if loaded else None):
            raise RegistryConflict(self.location, loaded.short() if loaded else "absent", now.short() if now else "deleted")
        directory = target.parent
        if now is not None and backups > 0:
            self._backup(backups)
        clean_stale_temps(target)
        # The PID in the name lets the next load or save tell a dead saver's leftover from a live one.
        try:
            fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp")
        except OSError as exc:
            raise RegistryReadOnly(f"cannot write registry {self.location}: {exc.strerror} in {directory}; nothing was written",
                             "check that the registry's folder is writable, or save to another path") from None
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            if mode is not None:
                os.chmod(tmp, mode)
            # Onto the resolved target: a symlinked registry stays a link to the file it names.
            os.replace(tmp, target)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        _fsync_dir(directory)
        return _version(data, self.path.stat())

    def backups(self) -> list[Path]:
        """Backups of this file, oldest first."""
        d = self._backup_root()
        if not d.is_dir():
            return []
        return sorted(d.glob(f"{self._backup_stem()}.*.json"))

    def _backup_root(self) -> Path:
        if self.backup_dir:
            return self.backup_dir
        from pixel_tui.core.config import xdg_state_dir

        return xdg_state_dir() / "registry-backups"

    def _backup_stem(self) -> str:
        # The path hash keeps backups of two registries with the same file name apart.
        digest = hashlib.sha1(str(self.path.resolve()).encode()).hexdigest()[:8]
        return f"{self.path.stem}-{digest}"

    def _backup(self, keep: int) -> None:
        root = self._backup_root()
        try:
            ensure_private_dir(root, root=root.parent)  # the state dir too, when this creates it
            probe_writable(root)
        except OSError as exc:
            raise StateDirUnwritable(f"cannot keep a backup of registry {self.location}: {exc.strerror} ({root}); "
                                     "nothing was written",
                                     "make the state dir writable (`paths.state_dir`), or set registry.backups = 0") from None
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        target = root / f"{self._backup_stem()}.{stamp}.json"
        data, _ = _read_capped(self.path, self.location, self.max_bytes)
        # Backups are copies of a document that may name private paths: owner-only, like the state dir.
        with open_private(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, text=False) as fh:
            fh.write(data)
        for old in self.backups()[:-keep]:
            old.unlink(missing_ok=True)


def _version(data: bytes, st: os.stat_result) -> Version:
    return Version(hashlib.sha256(data).hexdigest(), st.st_mtime_ns, st.st_size, st.st_ctime_ns, st.st_ino)


def _fsync_dir(directory: Path) -> None:
    """Make the rename itself durable."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


SAVED_BY_META = "pixel-user"  # x-amz-meta-pixel-user: user@host of the save that wrote a version


class S3Backend:
    """A registry object in S3, shared by several machines through conditional puts."""

    def __init__(self, url: str, store_factory: Callable[[str], "S3Store"] | None = None,
                 max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        from pixel_tui.core.storage.s3 import store_factory as default_factory
        from pixel_tui.core.storage.s3url import parse_s3_url

        bucket, self.key = parse_s3_url(url)
        if not bucket or not self.key:
            raise PixelError(f"registry URL {url} needs a bucket and a key", "e.g. s3://bucket/config/dataset_registry.json")
        self.store = (store_factory or default_factory())(bucket)
        self.location = url
        self.max_bytes = max_bytes

    def read(self) -> tuple[bytes, Version]:
        """The whole object and its ETag (refused past ``max_bytes``, checked with a HEAD first)."""
        head = self.store.head(self.key)
        if head is not None and head.size > self.max_bytes:
            raise RegistryUnreadable(f"registry {self.location} is too large: {head.size:,} bytes, more than the "
                                     f"limit of {self.max_bytes:,}",
                                     "check it is the right object, or raise `registry.max_mb` in the config")
        try:
            data, etag = self.store.get_bytes(self.key)
        except NoSuchKey:
            raise RegistryNotFound(f"registry {self.location} does not exist",
                                   "check --registry or `registry.location` in the config") from None
        return data, Version(etag, 0, len(data))

    def current(self, known: Version | None = None) -> Version | None:
        """The object's version now (one HEAD), None when it is gone."""
        head = self.store.head(self.key)
        return Version(head.etag, 0, head.size) if head else None

    def conditional_writes(self) -> bool:
        """True when this endpoint refuses a stale If-Match / If-None-Match put itself (probed once per
        endpoint on scratch keys, kept in the state directory; see core/storage/probe.py)."""
        from pixel_tui.core.storage.probe import provider

        try:
            return provider(self.store).conditional_writes
        except Exception:  # noqa: BLE001 - no verdict: keep the HEAD check, which costs one request
            return False

    def save_caveat(self) -> str:
        """What a user must know before saving here ('' when saves are race-free). Probes (network)."""
        if self.conditional_writes():
            return ""
        return (f"saves are not race-free on this server ({self.store.endpoint_url or 'AWS'} ignores conditional "
                "writes): a save compares the version right before writing, but two saves at the same moment "
                "can still overwrite each other")

    def write(self, data: bytes, loaded: Version | None, backups: int) -> Version:
        """Put ``data`` only if the object still has the loaded ETag (or still does not exist).

        Some servers ignore the condition (they accept a stale If-Match and write anyway: rclone serve s3,
        OVH before mid-2026), so the ETag is also compared with a HEAD right before the put: a save that
        lost to another one is refused with the same conflict everywhere (on such a server the window
        left is the HEAD-to-put time, which `save_caveat` tells). One HEAD per save, so it is done even
        where the probe found the condition enforced: a cached verdict can be out of date.
        """
        del backups  # S3 keeps history through bucket versioning, not through copies we make.
        now = self.current()
        if (now.tag if now else None) != (loaded.tag if loaded else None):
            raise RegistryConflict(self.location, loaded.short() if loaded else "absent",
                                   now.short() if now else "deleted")
        # S3 versions have no author: each save says who made it (shown by `registry versions`).
        meta = {SAVED_BY_META: user_at_host()}
        try:
            if loaded is None:
                etag = self.store.put_bytes(self.key, data, if_none_match=True, content_type="application/json",
                                            metadata=meta)
            else:
                etag = self.store.put_bytes(self.key, data, if_match=loaded.tag, content_type="application/json",
                                            metadata=meta)
        except PreconditionFailed:
            now = self.current()
            raise RegistryConflict(self.location, loaded.short() if loaded else "absent",
                                   now.short() if now else "deleted") from None
        return Version(etag, 0, len(data))


def backend_for(location: str, store_factory=None, backup_dir=None, max_bytes: int = DEFAULT_MAX_BYTES):
    """The backend of a local path or an s3:// URL."""
    from pixel_tui.core.storage.s3url import is_s3_url

    if is_s3_url(location):
        return S3Backend(location, store_factory, max_bytes)
    return LocalBackend(location, backup_dir, max_bytes)
