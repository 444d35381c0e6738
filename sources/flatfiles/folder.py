"""The drop folder: listing new files, fingerprints, the register of files seen (dlt state), settling.

A file is identified by its path, size and modification time (the fingerprint: the same file seen
again) and by the SHA-256 of its content (the same content dropped again, under any name). Files are
moved to `processed/` or `rejected/` only by `settle_drop_folder`, called after the load committed:
a crash in between leaves them in place, and the next run, finding their fingerprint in the
committed register, moves them without reading them again.
"""

from __future__ import annotations

import codecs
import hashlib
import posixpath
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from fnmatch import fnmatchcase
from typing import IO, Any

from fsspec import AbstractFileSystem
from fsspec.core import url_to_fs

from sources.flatfiles.settings import PARTIAL_SUFFIXES, PROCESSED_DIR, REASON_LINES, REJECTED_DIR

LOADED, PARTIAL, REJECTED, DUPLICATE = "loaded", "partial", "rejected", "duplicate"
REASON_SUFFIX = ".reason.txt"
_MTIME_KEYS = ("mtime", "LastModified", "last_modified", "updated", "modified", "created")
_SCAN_CHUNK = 1 << 20


@dataclass(frozen=True)
class DropFile:
    """A file waiting in the drop folder."""

    path: str  # full path in the filesystem
    name: str  # path relative to the drop folder, with `/`
    size: int
    modified: float | None  # Unix seconds, when the filesystem tells

    @property
    def fingerprint(self) -> str:
        stamp = "" if self.modified is None else str(round(self.modified * 1_000_000))
        return f"{self.name}|{self.size}|{stamp}"

    @property
    def modified_at(self) -> datetime | None:
        return None if self.modified is None else datetime.fromtimestamp(self.modified, UTC)


class DropFolder:
    """A local folder or an fsspec URL (`s3://bucket/drop`, `sftp://...`, `memory://...`).

    Credentials of remote storage come from the storage's own configuration (environment, profile),
    never from omnicanal's configuration.
    """

    def __init__(self, url: str, storage_options: dict[str, Any] | None = None) -> None:
        self.url = url
        fs, root = url_to_fs(url, **(storage_options or {}))
        self.fs: AbstractFileSystem = fs
        self.root = root.rstrip("/") or "/"

    def exists(self) -> bool:
        return bool(self.fs.isdir(self.root))

    def waiting(self, patterns: tuple[str, ...] | list[str] | None = None) -> list[DropFile]:
        """Files in the folder (not in `processed/` or `rejected/`, not hidden, not partial), oldest first.

        Args:
            patterns: globs relative to the folder (`*.csv`, `*/*.csv`); each segment matched on its own
                and without case. None lists every file.
        """
        found: list[DropFile] = []
        for path, info in self.fs.find(self.root, detail=True).items():
            if info.get("type", "file") != "file":
                continue
            name = posixpath.relpath(self.fs._strip_protocol(path), self.root)
            parts = name.split("/")
            if parts[0] in (PROCESSED_DIR, REJECTED_DIR) or any(p.startswith(".") for p in parts):
                continue
            if name.lower().endswith(PARTIAL_SUFFIXES) or name.endswith(REASON_SUFFIX):
                continue
            if patterns is not None and not any(_matches(name, p) for p in patterns):
                continue
            found.append(DropFile(path, name, int(info.get("size") or 0), _mtime(info)))
        return sorted(found, key=lambda f: (f.modified or 0.0, f.name))

    def open(self, file: DropFile) -> IO[bytes]:
        return self.fs.open(file.path, "rb")

    def settle(self, file: DropFile, entry: dict[str, Any]) -> str:
        """Move a registered file to `processed/` or `rejected/` (a reason file beside it when it has one).

        Returns:
            The new path, relative to the drop folder.
        """
        folder = PROCESSED_DIR if entry["status"] in (LOADED, PARTIAL) else REJECTED_DIR
        target = f"{folder}/{file.name}"
        if self.fs.exists(self._full(target)):
            stem, dot, suffix = file.name.rpartition(".")
            target = f"{folder}/{stem}.{entry['id']}.{suffix}" if dot else f"{target}.{entry['id']}"
        self.fs.makedirs(posixpath.dirname(self._full(target)), exist_ok=True)
        reason = reason_text(file, entry)
        if reason:
            # written first: a crash before the move leaves the file in the inbox, settled next run
            with self.fs.open(self._full(target + REASON_SUFFIX), "wb") as fh:
                fh.write(reason.encode("utf-8"))
        self.fs.mv(file.path, self._full(target))
        return target

    def _full(self, relative: str) -> str:
        return posixpath.join(self.root, relative)


def _matches(name: str, pattern: str) -> bool:
    parts, globs = name.lower().split("/"), pattern.lower().strip("/").split("/")
    return len(parts) == len(globs) and all(fnmatchcase(p, g) for p, g in zip(parts, globs, strict=True))


def _mtime(info: dict[str, Any]) -> float | None:
    for key in _MTIME_KEYS:
        value = info.get(key)
        if isinstance(value, int | float):
            return float(value)
        if isinstance(value, datetime):
            return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()
        if isinstance(value, str):
            try:
                parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                continue
            return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()
    return None


def is_settled_enough(file: DropFile, min_age_seconds: float, now: float | None = None) -> bool:
    """True when the file has not changed for `min_age_seconds` (a writer may still be appending)."""
    if file.modified is None or min_age_seconds <= 0:
        return True
    return (now if now is not None else time.time()) - file.modified >= min_age_seconds


@dataclass(frozen=True)
class Scan:
    """One pass over a file's bytes: its SHA-256, and the first place its text does not decode."""

    sha256: str
    size: int
    encoding_error: str | None


def scan(stream: IO[bytes], encoding: str | None) -> Scan:
    """Hash a file and, when `encoding` is given, check that all of it decodes (naming the line if not)."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder(encoding)("strict") if encoding else None
    size = 0
    lines = 1
    error: str | None = None
    while chunk := stream.read(_SCAN_CHUNK):
        digest.update(chunk)
        if decoder is not None and error is None:
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                line = lines + chunk.count(b"\n", 0, exc.start)
                byte = chunk[exc.start : exc.start + 1].hex().upper()
                error = f"line {line}: byte 0x{byte} at offset {size + exc.start} is not valid {encoding}" + (
                    " (is the file in CP1252/Latin-1? set csv.encoding)" if encoding == "utf-8" else ""
                )
            lines += chunk.count(b"\n")
        size += len(chunk)
    if decoder is not None and error is None:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            error = f"line {lines}: the file ends in the middle of a {encoding} character (truncated?)"
    return Scan(digest.hexdigest(), size, error)


class HashingReader:
    """A binary stream that hashes what is read through it, so a file read once is also hashed once.

    The digest stands for the whole file only when the file was read from its start to its end in one
    sequential pass (a seek back to the start starts a new pass); `whole()` says whether it was.
    """

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self._restart()

    def _restart(self) -> None:
        self.digest = hashlib.sha256()
        self.position = 0
        self.sequential = True

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self._seen(data)
        return data

    def readinto(self, buffer: Any) -> int:
        count = self.raw.readinto(buffer)  # type: ignore[attr-defined]
        self._seen(bytes(memoryview(buffer)[:count]))
        return int(count)

    def readline(self, size: int = -1) -> bytes:
        data = self.raw.readline(size)
        self._seen(data)
        return data

    def _seen(self, data: bytes) -> None:
        if self.sequential:
            self.digest.update(data)
        self.position += len(data)

    def seek(self, offset: int, whence: int = 0) -> int:
        position = self.raw.seek(offset, whence)
        if position == 0:
            self._restart()
        elif position != self.position:
            self.sequential = False
            self.position = position
        return position

    def tell(self) -> int:
        return self.position

    def whole(self) -> Scan | None:
        """The file's hash and size, when this pass read all of it (None: hash it with `scan`)."""
        if not self.sequential or self.raw.read(1):
            return None
        return Scan(self.digest.hexdigest(), self.position, None)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)


class Register:
    """The files seen by a connection, kept in dlt source state (committed with the rows they loaded).

    State shape: `{"last_file_id": n, "files": {fingerprint: {"id", "sha256", "status", "name",
    "reason", "lines", "duplicate_of", "rows"}}}`.
    """

    def __init__(self, state: dict[str, Any]) -> None:
        self.state = state
        self.files: dict[str, dict[str, Any]] = state.setdefault("files", {})
        state.setdefault("last_file_id", 0)
        self._loaded_by_hash = {e["sha256"]: e for e in self.files.values() if _counts(e)}

    def known(self, file: DropFile) -> dict[str, Any] | None:
        return self.files.get(file.fingerprint)

    def loaded_with(self, sha256: str) -> dict[str, Any] | None:
        """The entry of a file already loaded with this exact content and at least one row, if any.

        Files without rows (a store's header-only export of a closed day) are alike without being copies.
        """
        return self._loaded_by_hash.get(sha256)

    def next_id(self) -> int:
        self.state["last_file_id"] += 1
        return int(self.state["last_file_id"])

    def record(
        self,
        file: DropFile,
        file_id: int,
        sha256: str,
        status: str,
        reason: str | None = None,
        lines: list[str] | None = None,
        duplicate_of: int | None = None,
        rows: int = 0,
    ) -> dict[str, Any]:
        entry = {
            "id": file_id,
            "sha256": sha256,
            "status": status,
            "name": file.name,
            "reason": reason,
            "lines": (lines or [])[:REASON_LINES],
            "duplicate_of": duplicate_of,
            "rows": rows,
        }
        self.files[file.fingerprint] = entry
        if _counts(entry):
            self._loaded_by_hash.setdefault(sha256, entry)
        return entry


def _counts(entry: dict[str, Any]) -> bool:
    """A loaded file whose rows a copy would count twice."""
    return entry["status"] in (LOADED, PARTIAL) and entry.get("rows", 0) > 0


def reason_text(file: DropFile, entry: dict[str, Any]) -> str:
    """The text of a reason file: what happened to the file and the first bad lines."""
    if entry["status"] == LOADED:
        return ""
    head = {
        PARTIAL: "loaded without its bad lines (quarantined, table quarantined_lines)",
        REJECTED: "rejected: nothing of it was loaded",
        DUPLICATE: "rejected as a duplicate: nothing of it was loaded",
    }[entry["status"]]
    lines = [f"{file.name} (file id {entry['id']}, sha256 {entry['sha256']}): {head}"]
    if entry.get("reason"):
        lines.append(f"reason: {entry['reason']}")
    lines.extend(entry.get("lines") or [])
    return "\n".join(lines) + "\n"


def settle_files(folder: DropFolder, files: dict[str, dict[str, Any]]) -> list[str]:
    """Move every waiting file the committed register knows (see `settle_drop_folder`)."""
    moved = []
    for file in folder.waiting():
        entry = files.get(file.fingerprint)
        if entry is not None:
            moved.append(folder.settle(file, entry))
    return moved


def iter_new(
    folder: DropFolder, register: Register, patterns: tuple[str, ...], min_age_seconds: float
) -> Iterator[DropFile]:
    """Waiting files matching the patterns that the register does not know and that stopped changing."""
    now = time.time()
    for file in folder.waiting(patterns):
        if register.known(file) is None and is_settled_enough(file, min_age_seconds, now):
            yield file
