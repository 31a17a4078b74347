"""Finding input files and reading them into :class:`RawDocument` records.

:func:`discover` turns command-line inputs (files, folders, glob patterns)
into paths; :func:`read` turns one path into documents. Neither raises for a
bad input: every problem becomes a :class:`Skipped` with a human reason.
"""

from __future__ import annotations

import errno
import glob
import os
import stat
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path, PurePath

from narrascope.errors import InputError
from narrascope.ingest.html import read_html
from narrascope.ingest.jsonl import read_jsonl
from narrascope.ingest.text import read_text
from narrascope.ingest.warc import read_warc
from narrascope.model import RawDocument, Skipped
from narrascope.settings import Settings

__all__ = ["SUPPORTED_SUFFIXES", "discover", "read", "suffix_of"]

Reader = Callable[[Path, Settings], Iterator[RawDocument | Skipped]]

_READERS: dict[str, Reader] = {
    ".txt": read_text,
    ".html": read_html,
    ".htm": read_html,
    ".warc": read_warc,
    ".warc.gz": read_warc,
    ".jsonl": read_jsonl,
}

#: File name endings :func:`read` understands (matched case-insensitively).
SUPPORTED_SUFFIXES: tuple[str, ...] = tuple(_READERS)

_SUPPORTED_LIST = ", ".join(SUPPORTED_SUFFIXES)


def suffix_of(path: Path | str) -> str | None:
    """The supported suffix ``path`` ends with (lower-cased), or None."""
    name = Path(path).name.lower()
    if name.endswith(".warc.gz"):
        return ".warc.gz"
    suffix = PurePath(name).suffix
    return suffix if suffix in _READERS else None


def _display_suffix(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(".gz"):
        stem_suffix = PurePath(name[:-3]).suffix
        return f"{stem_suffix}.gz" if stem_suffix else ".gz"
    return PurePath(name).suffix or "(none)"


def _stat_problem(path: Path) -> tuple[os.stat_result | None, str | None]:
    """``(stat, None)`` for a reachable path, ``(None, reason)`` otherwise."""
    try:
        return path.stat(), None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return None, "symbolic link loop"
        if exc.errno == errno.ENOENT:
            if path.is_symlink():
                return None, "broken symbolic link (its target does not exist)"
            return None, "no such file or directory"
        if exc.errno in (errno.EACCES, errno.EPERM):
            return None, "permission denied"
        if exc.errno == errno.ENAMETOOLONG:
            return None, "file name too long"
        return None, f"cannot access: {exc.strerror or exc}"


def _sort_key(path: Path | str) -> tuple[str, ...]:
    return Path(path).parts


class _Walker:
    """Collects the files of one input, remembering real files already yielded."""

    def __init__(self, seen: set[tuple[int, int]]) -> None:
        self.seen = seen
        self.found: list[tuple[tuple[str, ...], Path | Skipped]] = []
        self.matched = 0  # supported files found, duplicates included

    def add_file(self, path: Path, info: os.stat_result) -> None:
        self.matched += 1
        key = (info.st_dev, info.st_ino)
        if key not in self.seen:
            self.seen.add(key)
            self.found.append((_sort_key(path), path))

    def skip(self, path: Path | str, reason: str) -> None:
        self.found.append((_sort_key(path), Skipped(str(path), reason)))

    def walk(self, folder: Path, ancestors: frozenset[tuple[int, int]]) -> None:
        """Recursively add the supported, non-hidden files under ``folder``."""
        try:
            with os.scandir(folder) as entries:
                names = sorted(entry.name for entry in entries)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            self.skip(folder, f"cannot read directory: {reason.lower()}")
            return
        for name in names:
            if name.startswith("."):
                continue
            child = folder / name
            info, problem = _stat_problem(child)
            if info is None:
                if suffix_of(child) is not None or problem == "symbolic link loop":
                    self.skip(child, problem or "cannot access")
                continue
            if stat.S_ISDIR(info.st_mode):
                key = (info.st_dev, info.st_ino)
                if key in ancestors:
                    self.skip(child, "symbolic link loop (points back to a parent folder)")
                elif key not in self.seen:
                    self.seen.add(key)
                    self.walk(child, ancestors | {key})
                else:
                    self.matched += 1  # walked already, through another path
            elif stat.S_ISREG(info.st_mode) and suffix_of(child) is not None:
                self.add_file(child, info)

    def add_input(self, path: Path, info: os.stat_result, named: bool) -> None:
        """Add one existing path: a folder to walk, or a file (checked when ``named``)."""
        if stat.S_ISDIR(info.st_mode):
            key = (info.st_dev, info.st_ino)
            if key not in self.seen:
                self.seen.add(key)
                self.walk(path, frozenset({key}))
            else:
                self.matched += 1  # already walked through an earlier input
        elif not stat.S_ISREG(info.st_mode):
            if named:
                self.skip(path, "not a regular file")
        elif suffix_of(path) is None:
            if named:
                self.skip(
                    path,
                    f"unsupported file type {_display_suffix(path)!r} "
                    f"(supported: {_SUPPORTED_LIST})",
                )
        else:
            self.add_file(path, info)


def discover(inputs: Sequence[str]) -> Iterator[Path | Skipped]:
    """The files to read for ``inputs``, each a file, a folder or a glob pattern.

    Folders are walked recursively, keeping files with a supported suffix and
    silently ignoring other files and hidden files and folders. Glob patterns
    use ``glob.glob(pattern, recursive=True)``. A named file of an unsupported
    type, a missing path, a pattern or folder with no supported file, an
    unreadable folder or a symbolic link loop yields a :class:`Skipped`.
    Inputs are handled in the order given, the files of each in sorted order;
    a real file reached twice (a symlink, overlapping inputs) is yielded once.
    """
    seen: set[tuple[int, int]] = set()
    for raw in inputs:
        walker = _Walker(seen)
        path = Path(raw)
        info, problem = _stat_problem(path) if raw else (None, "empty path")
        if info is not None:
            walker.add_input(path, info, named=True)
            if stat.S_ISDIR(info.st_mode) and walker.matched == 0 and not walker.found:
                walker.skip(path, f"folder contains no supported files ({_SUPPORTED_LIST})")
        elif raw and glob.has_magic(raw) and problem == "no such file or directory":
            matches = sorted(glob.glob(raw, recursive=True), key=_sort_key)  # noqa: PTH207
            if not matches:
                walker.skip(raw, "no files match this pattern")
            for match in matches:
                match_path = Path(match)
                match_info, match_problem = _stat_problem(match_path)
                if match_info is None:
                    walker.skip(match_path, match_problem or "cannot access")
                else:
                    walker.add_input(match_path, match_info, named=False)
            if matches and walker.matched == 0 and not walker.found:
                walker.skip(raw, f"no supported files match this pattern ({_SUPPORTED_LIST})")
        else:
            walker.skip(raw, problem or "cannot access")
        for _, item in sorted(walker.found, key=lambda pair: pair[0]):
            yield item


def read(path: Path, settings: Settings) -> Iterator[RawDocument | Skipped]:
    """The documents in ``path``, chosen by its suffix; never raises for a bad file.

    Any problem (too large, empty, binary, undecodable, truncated, a bad record
    inside a WARC or JSONL file) becomes a :class:`Skipped` with a reason;
    documents already yielded from a container stay valid.
    """
    suffix = suffix_of(path)
    if suffix is None:
        yield Skipped(
            str(path),
            f"unsupported file type {_display_suffix(path)!r} (supported: {_SUPPORTED_LIST})",
        )
        return
    try:
        yield from _READERS[suffix](path, settings)
    except InputError as exc:
        yield Skipped(str(path), str(exc))
    except MemoryError:
        yield Skipped(str(path), "not enough memory to read this file")
    except OSError as exc:
        yield Skipped(str(path), f"cannot read file: {exc.strerror or exc}")
    except Exception as exc:  # noqa: BLE001 - a bad file must never stop a build
        yield Skipped(str(path), f"unexpected error while reading ({type(exc).__name__}: {exc})")
