"""discover(): files, folders, globs, and every way an input can be wrong."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from narrascope.ingest import SUPPORTED_SUFFIXES, discover, suffix_of
from narrascope.model import Skipped


def _touch(path: Path, text: str = "hello") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _paths(items: list[Path | Skipped]) -> list[Path]:
    return [item for item in items if isinstance(item, Path)]


def _skips(items: list[Path | Skipped]) -> list[Skipped]:
    return [item for item in items if isinstance(item, Skipped)]


def test_supported_suffixes() -> None:
    assert set(SUPPORTED_SUFFIXES) == {".txt", ".html", ".htm", ".warc", ".warc.gz", ".jsonl"}
    assert suffix_of("a/b.WARC.GZ") == ".warc.gz"
    assert suffix_of("x.HTML") == ".html"
    assert suffix_of("x.gz") is None
    assert suffix_of("README") is None


def test_folder_is_walked_recursively_in_sorted_order(tmp_path: Path) -> None:
    _touch(tmp_path / "b.txt")
    _touch(tmp_path / "a.html")
    _touch(tmp_path / "sub" / "c.jsonl")
    _touch(tmp_path / "sub" / "deeper" / "d.warc.gz")
    _touch(tmp_path / "notes.pdf")
    _touch(tmp_path / "image.png")
    _touch(tmp_path / ".hidden.txt")
    _touch(tmp_path / ".git" / "e.txt")
    items = list(discover([str(tmp_path)]))
    assert _skips(items) == []
    rel = [p.relative_to(tmp_path).as_posix() for p in _paths(items)]
    assert rel == ["a.html", "b.txt", "sub/c.jsonl", "sub/deeper/d.warc.gz"]
    assert items == list(discover([str(tmp_path)]))  # deterministic


def test_named_unsupported_file_is_skipped_with_reason(tmp_path: Path) -> None:
    pdf = _touch(tmp_path / "paper.pdf")
    (skip,) = list(discover([str(pdf)]))
    assert isinstance(skip, Skipped)
    assert skip.source == str(pdf)
    assert "unsupported file type '.pdf'" in skip.reason
    assert ".txt" in skip.reason


def test_missing_path_and_empty_glob(tmp_path: Path) -> None:
    items = list(discover([str(tmp_path / "nope.txt"), str(tmp_path / "*.html"), ""]))
    assert [type(i) for i in items] == [Skipped, Skipped, Skipped]
    assert isinstance(items[0], Skipped)
    assert "no such file" in items[0].reason
    assert isinstance(items[1], Skipped)
    assert "no files match" in items[1].reason
    assert isinstance(items[2], Skipped)
    assert "empty path" in items[2].reason


def test_glob_patterns(tmp_path: Path) -> None:
    _touch(tmp_path / "one.txt")
    _touch(tmp_path / "two.txt")
    _touch(tmp_path / "three.pdf")
    _touch(tmp_path / "deep" / "er" / "four.txt")
    flat = _paths(list(discover([str(tmp_path / "*")])))
    assert [p.name for p in flat] == ["four.txt", "one.txt", "two.txt"]  # deep/ is walked
    recursive = _paths(list(discover([str(tmp_path / "**" / "*.txt")])))
    assert sorted(p.name for p in recursive) == ["four.txt", "one.txt", "two.txt"]
    (skip,) = list(discover([str(tmp_path / "*.pdf")]))
    assert isinstance(skip, Skipped)
    assert "no supported files" in skip.reason


def test_empty_folder_is_reported(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    _touch(tmp_path / "only" / "x.docx")
    items = list(discover([str(tmp_path / "empty"), str(tmp_path / "only")]))
    assert all(isinstance(i, Skipped) and "no supported files" in i.reason for i in items)
    assert len(items) == 2


def test_same_real_file_is_yielded_once(tmp_path: Path) -> None:
    a = _touch(tmp_path / "docs" / "a.txt")
    (tmp_path / "docs" / "link.txt").symlink_to(a)
    (tmp_path / "alias").symlink_to(tmp_path / "docs", target_is_directory=True)
    items = list(discover([str(tmp_path / "docs"), str(a), str(tmp_path / "alias"), str(tmp_path)]))
    assert _skips(items) == []
    assert len(_paths(items)) == 1


def test_symlink_loops(tmp_path: Path) -> None:
    loop_a = tmp_path / "loop_a.txt"
    loop_b = tmp_path / "loop_b.txt"
    loop_a.symlink_to(loop_b)
    loop_b.symlink_to(loop_a)
    (tmp_path / "dir").mkdir()
    _touch(tmp_path / "dir" / "real.txt")
    (tmp_path / "dir" / "back").symlink_to(tmp_path / "dir", target_is_directory=True)

    (named,) = list(discover([str(loop_a)]))
    assert isinstance(named, Skipped)
    assert "symbolic link loop" in named.reason

    items = list(discover([str(tmp_path)]))
    assert [p.name for p in _paths(items)] == ["real.txt"]
    reasons = {Path(s.source).name: s.reason for s in _skips(items)}
    assert "symbolic link loop" in reasons["loop_a.txt"]
    assert "symbolic link loop" in reasons["loop_b.txt"]
    assert "parent folder" in reasons["back"]


def test_broken_symlink(tmp_path: Path) -> None:
    link = tmp_path / "gone.txt"
    link.symlink_to(tmp_path / "missing.txt")
    (skip,) = list(discover([str(link)]))
    assert isinstance(skip, Skipped)
    assert "broken symbolic link" in skip.reason


def test_odd_characters_in_names(tmp_path: Path) -> None:
    odd = [
        _touch(tmp_path / "with space.txt"),
        _touch(tmp_path / "ünïcödé 記事.html"),
        _touch(tmp_path / "quote's & [brackets].txt"),
    ]
    found = _paths(list(discover([str(tmp_path)])))
    assert sorted(found) == sorted(odd)
    assert _paths(list(discover([str(odd[1])]))) == [odd[1]]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any directory")
def test_unreadable_folder(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    _touch(locked / "a.txt")
    locked.chmod(0)
    try:
        items = list(discover([str(tmp_path)]))
    finally:
        locked.chmod(0o755)
    (skip,) = _skips(items)
    assert skip.source == str(locked)
    assert "cannot read directory" in skip.reason


def test_unreadable_folder_via_scandir_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = tmp_path / "locked"
    _touch(locked / "a.txt")
    _touch(tmp_path / "ok.txt")
    real_scandir = os.scandir

    def fake_scandir(path: str | Path) -> object:
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", fake_scandir)
    items = list(discover([str(tmp_path)]))
    assert [p.name for p in _paths(items)] == ["ok.txt"]
    (skip,) = _skips(items)
    assert skip.source == str(locked)
    assert skip.reason == "cannot read directory: permission denied"


def test_special_file_named_directly(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    (skip,) = list(discover([str(fifo)]))
    assert isinstance(skip, Skipped)
    assert "not a regular file" in skip.reason
    listed = ", ".join(SUPPORTED_SUFFIXES)
    assert list(discover([str(tmp_path)])) == [
        Skipped(str(tmp_path), f"folder contains no supported files ({listed})")
    ]
