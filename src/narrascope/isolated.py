"""A build's per-document phase in a process of its own.

The per-document phase (reading, parsing, spaCy and the extractors, the store
writes, the sentence vectors) holds a language model, an ONNX Runtime session
and a batch of parses at a time; the memory the C allocator and Python's object
arenas keep after it is freed stays with the process that used it (after a
10,000-document parse, about 400 MB with the model let go). The corpus stages,
whose memory grows with the corpus, would start on top of it. Run in a child
process, the phase gives all of it back when the child exits, and the corpus
stages start from a small heap in the build process. A child also ends after
``parse_process_documents`` documents (at the end of an input file) and a fresh
one goes on, so what creeps up over a long parse (the allocator's fragments,
spaCy's and ONNX Runtime's own pools) is given back every few thousand documents.

The child opens the store by its location (a SQLite file, a ``postgresql://``
URL) and is its only writer while it runs; it reports each input it finishes
(for the progress bar) and, at the end, what :class:`~narrascope.pipeline.BuildReport`
holds of the phase: documents added and unchanged, skip reasons, time per step
and its own peak memory (``peak_rss_mb["documents"]``, ``["vectors"]``). The
documents stored before a child dies stay stored; the build then stops with a
:class:`~narrascope.errors.NarrascopeError` that says so, and a rerun skips them
as unchanged. On Linux the child is killed with the build process; an interrupt (Ctrl-C)
is the build process's to handle, which stops the child.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pickle
import signal
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from narrascope.errors import NarrascopeError

if TYPE_CHECKING:
    from narrascope.pipeline import BuildReport, Progress
    from narrascope.settings import Settings

__all__ = ["add_documents_apart"]

_PR_SET_PDEATHSIG = 1  #: prctl option: the signal a process gets when its parent dies


class _Messages:
    """The child's messages to the build process, pickled on its standard output;
    as a :class:`~narrascope.pipeline.Progress`, each finished input."""

    def __init__(self, sink: BinaryIO) -> None:
        self._sink = sink

    def send(self, kind: str, value: object) -> None:
        pickle.dump((kind, value), self._sink)
        self._sink.flush()

    def start(self, total: int) -> None:
        """Already started by the build process."""

    def advance(self, source: str) -> None:
        self.send("advance", source)

    def stop(self) -> None:
        """Stopped by the build process."""


def add_documents_apart(  # noqa: PLR0917 - build's parts, handed on
    location: str,
    paths: Sequence[Path],
    urls: Sequence[str],
    settings: Settings,
    report: BuildReport,
    progress: Progress | None = None,
) -> None:
    """:func:`~narrascope.pipeline.add_documents` in child processes over the store at
    ``location``; their counts, skips, timings and peaks are added to ``report``.

    The site-line statistics are counted here, once, and handed to each child. A
    child starts no further input file once it has read
    ``settings.parse_process_documents`` documents and exits; a fresh one goes on
    with the next file, so the memory of a long parse is that of its first few
    thousand documents, whatever the corpus's size. Each child is a new interpreter
    (``python -m narrascope.isolated``), not a multiprocessing one: nothing of the
    caller's main module runs again in it, so a script without an
    ``if __name__ == "__main__"`` guard builds as it always did.
    """
    from narrascope.pipeline import prepass

    site_lines = prepass(paths, settings)
    done = 0
    first = True
    while first or done < len(paths):
        job = (location, [str(p) for p in paths[done:]], list(urls), settings,
               report.build_id, os.getpid(), site_lines)  # fmt: skip
        result, paths_done = _run_child(job, progress)
        report.added += result.added
        report.unchanged += result.unchanged
        report.skipped.extend(result.skipped)
        for step, seconds in result.timings.items():
            # a later child's model load is a cost of the fresh process, not of the first load
            name = step if first or step != "load model" else "new parse process"
            report.timings[name] = report.timings.get(name, 0.0) + seconds
        for name, mb in result.peak_rss_mb.items():
            report.peak_rss_mb[name] = max(mb, report.peak_rss_mb.get(name, 0.0))
        if not first and paths_done == 0:  # never: a child always finishes a file
            raise NarrascopeError("a document process read no input file; build stopped")
        done += paths_done
        first = False


def _run_child(
    job: tuple[object, ...], progress: Progress | None
) -> tuple[BuildReport, int]:
    """One child process over ``job``, to its end: its part of the build's report,
    and the number of input files it finished (the next child starts after them)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    child = subprocess.Popen(
        [sys.executable, "-m", "narrascope.isolated"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
    )
    result: tuple[BuildReport, int] | None = None
    failure: BaseException | None = None
    try:
        source, sink = child.stdout, child.stdin
        if source is None or sink is None:  # never: both are pipes
            raise RuntimeError("no pipe to the document process")
        pickle.dump(job, sink)
        sink.close()
        while True:
            try:
                kind, value = pickle.load(source)  # noqa: S301 - our own child's messages
            except EOFError:
                break
            except Exception:  # noqa: BLE001 - cut off mid-message: the child died, said below
                break
            if kind == "advance" and progress is not None:
                progress.advance(value)
            elif kind == "done":
                result = value
            elif kind == "error":
                failure = value
        child.wait()
    finally:
        if child.poll() is None:  # the build was interrupted
            child.kill()
            child.wait()
        for stream in (child.stdin, child.stdout):
            if stream is not None:
                stream.close()
    if failure is not None:
        raise failure
    if result is None:
        raise NarrascopeError(
            f"the process that reads and parses the documents ended without finishing "
            f"(exit status {child.returncode}); the documents it stored are kept, and "
            f"running the build again continues after them"
        )
    return result


def _child(source: BinaryIO, sink: BinaryIO) -> None:
    """The child process: the per-document phase of the job read from ``source``."""
    location, paths, urls, settings, build_id, parent, site_lines = pickle.load(source)  # noqa: S301
    _die_with(parent)
    from narrascope.pipeline import BuildReport, add_documents
    from narrascope.store import open_store

    messages = _Messages(sink)
    report = BuildReport(build_id=build_id)
    try:
        with open_store(location) as store:
            done = add_documents(
                [Path(p) for p in paths], urls, store, settings, report, messages,
                site_lines=site_lines, stop_after=settings.parse_process_documents,
            )
        messages.send("done", (report, done))
    except Exception as exc:  # noqa: BLE001 - handed to the build process, which raises it
        messages.send("error", _picklable(exc))


def _picklable(exc: Exception) -> Exception:
    """``exc`` where it can be sent to the build process, else a plain copy of its text."""
    try:
        pickle.loads(pickle.dumps(exc))  # noqa: S301 - its own bytes, just made
    except Exception:  # noqa: BLE001 - any pickling failure: send its text instead
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


def _die_with(parent: int) -> None:
    """Have this process killed when ``parent`` exits (Linux); exit now if it already did.

    Ctrl-C reaches the whole process group: the build process stops this one."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):  # no prctl: it may outlive us
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL))
    if os.getppid() != parent:
        os._exit(1)


def main() -> None:
    """Entry point of ``python -m narrascope.isolated``: the job on standard input,
    messages on standard output (what else writes there goes to standard error)."""
    sink = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    with sink:
        _child(sys.stdin.buffer, sink)


if __name__ == "__main__":
    main()
