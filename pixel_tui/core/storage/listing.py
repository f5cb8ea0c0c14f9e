"""One open level of a listing, held compactly as parallel columns (100k keys in ~12 MiB)."""

from __future__ import annotations

from array import array
from datetime import datetime, timezone
from typing import Iterable


def epoch(dt: datetime | None) -> float:
    """POSIX seconds of a datetime (naive = UTC); NaN when unknown."""
    if dt is None:
        return float("nan")
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp()


class Level:
    """One open level held compactly: parallel columns instead of one object per key.

    ``names`` are the last path components (folders end in '/'); ``sizes`` is -1 for folders and for
    files of unknown size (Google Docs, http remotes);
    ``mtimes`` are POSIX seconds (NaN when unknown); plain MD5 ETags are packed as 16 bytes
    each, other ETags (multipart "...-N") kept aside by row.
    """

    __slots__ = ("prefix", "names", "sizes", "mtimes", "_md5", "_odd_etags", "n_dirs")

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.names: list[str] = []
        self.sizes = array("q")
        self.mtimes = array("d")
        self._md5 = bytearray()
        self._odd_etags: dict[int, str] = {}
        self.n_dirs = 0

    def __len__(self) -> int:
        return len(self.names)

    def etag(self, row: int) -> str:
        """The unquoted ETag of a row ('' for folders and unknown)."""
        odd = self._odd_etags.get(row)
        if odd is not None:
            return odd
        raw = self._md5[row * 16 : row * 16 + 16]
        return raw.hex() if any(raw) else ""

    def add_page(self, page) -> None:
        """Append one LevelPage (prefixes become folder rows, objects file rows)."""
        cut = len(self.prefix)
        self.add(((p[cut:], -1, float("nan"), "") for p in page.prefixes))
        self.add(((o.key[cut:], o.size, epoch(o.last_modified), o.etag) for o in page.objects))

    def add(self, rows: Iterable[tuple[str, int, float, str]]) -> None:
        """Append (name, size or -1 for a folder or an unknown size, mtime seconds, etag) rows."""
        names, sizes, mtimes, md5 = self.names, self.sizes, self.mtimes, self._md5
        zero = bytes(16)
        for name, size, mtime, etag in rows:
            row = len(names)
            names.append(name)
            sizes.append(size)
            mtimes.append(mtime)
            if size < 0 and name.endswith("/"):  # a folder; not a 0-byte folder marker, not a size-unknown file
                self.n_dirs += 1
            if len(etag) == 32 and etag == etag.lower():
                try:
                    md5 += bytes.fromhex(etag)
                    continue
                except ValueError:
                    pass
            md5 += zero
            if etag:
                self._odd_etags[row] = etag

    def extend(self, other: "Level") -> None:
        """Append every row of ``other`` (built elsewhere, e.g. in a worker thread): C-speed copies."""
        base = len(self.names)
        self.names.extend(other.names)
        self.sizes.extend(other.sizes)
        self.mtimes.extend(other.mtimes)
        self._md5 += other._md5
        for row, etag in other._odd_etags.items():
            self._odd_etags[base + row] = etag
        self.n_dirs += other.n_dirs
