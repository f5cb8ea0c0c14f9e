"""Open the files we are pointed at (logs, registries) without hanging or exhausting memory.

A FIFO blocks ``open()`` until a writer appears and ``read()`` until it writes; a device such as
/dev/zero never ends. So: open without blocking, refuse anything but a regular file, read at most a
limit. Private state files (journals, audit log, backups) are created owner-only from the start.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

from pixel_tui.core.errors import PixelError

_KINDS = (
    (stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"),
)


class NotRegularFile(OSError):
    """The path is a FIFO, device, socket or directory; ``strerror`` says which."""


class FileTooLarge(OSError):
    """The file is larger than the limit we read."""


def kind_of(mode: int) -> str:
    """'a FIFO (named pipe)', 'a character device', ... for a st_mode that is not a regular file."""
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def open_regular(path: str | os.PathLike) -> BinaryIO:
    """Open ``path`` for reading in binary; raise NotRegularFile (never block) unless it is a regular file."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFile(errno.EINVAL, f"{kind_of(mode)}, not a regular file", str(path))
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular(path: str | os.PathLike, limit: int) -> tuple[bytes, os.stat_result]:
    """The whole of a regular file of at most ``limit`` bytes, and its stat (taken on the open file)."""
    with open_regular(path) as fp:
        st = os.fstat(fp.fileno())
        if st.st_size > limit:
            raise FileTooLarge(errno.EFBIG, f"{st.st_size:,} bytes, more than the limit of {limit:,}", str(path))
        data = fp.read(limit + 1)  # a file growing while we read is cut off here, not followed forever
        if len(data) > limit:
            raise FileTooLarge(errno.EFBIG, f"more than the limit of {limit:,} bytes", str(path))
        return data, st


class StateDirUnwritable(PixelError):
    """The state dir (journals, audit log, backups) cannot be created or written: exit 2, nothing done."""

    exit_code = 2


def ensure_private_dir(path: str | os.PathLike, root: str | os.PathLike | None = None) -> Path:
    """Create ``path`` as 0700 when missing, and so every missing folder from ``root`` (default: ``path``)
    down to it; folders above ``root`` are made as mkdir -p would. An existing folder's mode is kept."""
    path = Path(path)
    chain = [path, *path.parents]
    top = Path(root) if root is not None and Path(root) in chain else path
    top.parent.mkdir(parents=True, exist_ok=True)
    for folder in reversed(chain[: chain.index(top) + 1]):
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:
            if not folder.is_dir():
                raise NotADirectoryError(20, "Not a directory", str(folder)) from None
    return path


def state_subdir(state_dir: str | os.PathLike, *parts: str) -> Path:
    """``state_dir/parts...`` created owner-only, or StateDirUnwritable saying which folder and why."""
    target = Path(state_dir).joinpath(*parts)
    try:
        ensure_private_dir(target, root=state_dir)
        probe_writable(target)
    except OSError as exc:
        raise StateDirUnwritable(f"the state dir {state_dir} cannot be used: {exc.strerror or exc} "
                                 f"({exc.filename or target}); nothing was done",
                                 "make it writable, or point `paths.state_dir` (PIXEL_TUI_STATE_DIR) elsewhere") from None
    return target


def probe_writable(folder: Path) -> None:
    """Raise PermissionError when new files cannot be made in ``folder``: its mode bits (for anyone but
    root), a read-only mount or an immutable (chattr +i) folder (for root too)."""
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PermissionError(13, "Permission denied", str(folder))


def open_private(path: str | os.PathLike, flags: int = os.O_WRONLY | os.O_CREAT | os.O_APPEND, text: bool = True):
    """Open ``path`` for writing, created 0600 (umask cannot widen it; an existing file is left as is)."""
    fd = os.open(path, flags | os.O_CLOEXEC, 0o600)
    mode = "a" if flags & os.O_APPEND else "w"
    return os.fdopen(fd, mode + ("" if text else "b"), **({"encoding": "utf-8"} if text else {}))


def replace_atomically(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` to a 0600 temp file beside ``path``, then rename it over ``path``.

    A reader (another process, a crash) sees the old file or the new one, never half of one; the temp
    file is removed when anything fails, and the error is raised for the caller to judge.
    """
    import tempfile

    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")  # mkstemp: 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
