"""The orchestrator: read, parse, clean, annotate, store; then the corpus stages.

Per-document stages are plain functions from one record to the next
(:func:`parse`, then :func:`narrascope.extract.nlp.annotate`); the store is
written by this module only, one transaction per document. Corpus stages
(:func:`run_corpus_stages`) read the store and replace what they own.
"""

from __future__ import annotations

import ctypes
import gc
import os
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from narrascope.clean import SiteLines, classify_text, extract_html
from narrascope.corpus.claims import ClaimParams, find_claims
from narrascope.corpus.claims.features import feature_rows, features_of
from narrascope.corpus.claims.vectors import BackgroundVectors, complete_vectors, store_vectors
from narrascope.corpus.corrections import apply_corrections, corrections
from narrascope.corpus.entities import MentionRef, resolve, to_rows
from narrascope.corpus.events import merge_events
from narrascope.corpus.network import build_network, normalize
from narrascope.corpus.reuse import find_reuse
from narrascope.corpus.stance import find_stance
from narrascope.errors import NarrascopeError
from narrascope.extract import aliases as aliases_stage
from narrascope.extract import attribution, names
from narrascope.extract import events as events_stage
from narrascope.extract import nlp as nlp_stage
from narrascope.extract import relations as relations_stage
from narrascope.extract import stance as stance_stage
from narrascope.extract import techniques as techniques_stage
from narrascope.ingest import discover, read
from narrascope.model import CONTENT, Alias, Document, RawDocument, Region, Skipped
from narrascope.settings import Settings
from narrascope.store import SqliteStore

if TYPE_CHECKING:
    from spacy.language import Language

    from narrascope.extract.techniques.model import TechniqueModel

__all__ = [
    "BuildReport",
    "Progress",
    "add_documents",
    "annotate",
    "annotate_batch",
    "build",
    "normalize_date",
    "parse",
    "prepass",
    "resolve_entities",
    "run_corpus_stages",
]

_PREPASS_SUFFIXES = (".txt", ".jsonl")
_M_MMAP_THRESHOLD = -3  #: glibc's mallopt parameter for the mmap threshold (malloc.h)
_MAPPED_FROM = 2000  #: documents from which the corpus stages fix the mmap threshold


class Progress(Protocol):
    """What the build reports while it runs (the CLI draws a bar from it)."""

    def start(self, total: int) -> None: ...
    def advance(self, source: str) -> None: ...
    def stop(self) -> None: ...


@dataclass
class BuildReport:
    build_id: int = 0
    added: int = 0
    unchanged: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    entities: int = 0
    seconds: float = 0.0
    #: seconds per stage: parse, language-model stages, store writes, each corpus stage
    timings: dict[str, float] = field(default_factory=dict)
    #: the process's peak resident memory in MB so far, after the documents are stored
    #: ("documents") and after each corpus stage (empty where the platform cannot say)
    peak_rss_mb: dict[str, float] = field(default_factory=dict)

    @property
    def documents(self) -> int:
        """Documents of this build's inputs now in the store."""
        return self.added + self.unchanged


_YEAR = re.compile(r"\b(1[5-9]\d\d|2[01]\d\d)\b")


def normalize_date(value: str | None) -> str | None:
    """ISO 8601 for a date or datetime string that names a year; ``None`` otherwise."""
    if not value or not _YEAR.search(value):
        return None
    from dateutil import parser as dateparser

    try:
        parsed: datetime = dateparser.parse(value.strip(), fuzzy=True)
    except (ValueError, OverflowError):
        return None
    if (parsed.hour, parsed.minute, parsed.second) == (0, 0, 0) and not re.search(
        r"\d:\d", value
    ):
        return str(parsed.date().isoformat())
    return str(parsed.isoformat())


def parse(raw: RawDocument, settings: Settings, site_lines: SiteLines | None = None) -> Document:
    """Turn a raw record into a :class:`Document` with content and boilerplate regions.

    HTML goes through main-text extraction (the stored text is the extracted
    text); plain text is kept exactly as decoded and its boilerplate marked.
    """
    if raw.is_html:
        extract = extract_html(raw.body, raw.url)
        text = extract.text
        regions: Sequence[Region] = _paragraph_regions(text)
        title = raw.title or extract.title
        author = raw.author or extract.author
        published = raw.published or extract.published
        site = raw.site or extract.site
    else:
        text = raw.body
        cleaned = classify_text(text, settings, site_lines, raw.collection)
        regions = cleaned.regions
        title = raw.title or cleaned.title
        author = raw.author or cleaned.author
        published = raw.published or cleaned.dateline
        site = raw.site
    if len(text) > settings.max_doc_chars:
        raise NarrascopeError(
            f"text has {len(text):,} characters, over max_doc_chars={settings.max_doc_chars:,}"
        )
    if sum(1 for c in text if not c.isspace()) < settings.min_doc_chars:
        raise NarrascopeError("no text")
    return Document(
        source=raw.source, format=raw.format, text=text, url=raw.url,
        title=_clean_field(title), author=_clean_field(author),
        published=normalize_date(published), site=site, encoding=raw.encoding,
        regions=tuple(regions),
    )


def _clean_field(value: str | None) -> str | None:
    return " ".join(value.split()) or None if value else None


def _paragraph_regions(text: str) -> list[Region]:
    """Extracted HTML text is all content: one region per non-blank line."""
    return [
        Region(m.start(), m.end(), CONTENT) for m in re.finditer(r"[^\n]*\S[^\n]*", text)
    ]


def prepass(paths: Sequence[Path], settings: Settings) -> SiteLines:
    """Count short lines per site/folder over the plain-text inputs (a corpus statistic).

    Lines found in one document only are dropped once all are counted: no rule
    reads them, and they are most of the distinct lines of a large corpus.
    """
    lines = SiteLines()
    for path in paths:
        if path.name.lower().endswith(_PREPASS_SUFFIXES):
            for raw in read(path, settings):
                if isinstance(raw, RawDocument) and not raw.is_html:
                    lines.add(raw.collection, raw.body)
    lines.prune(2)
    return lines


def build(
    inputs: Sequence[str],
    store: SqliteStore,
    settings: Settings,
    *,
    urls: Sequence[str] = (),
    progress: Progress | None = None,
    nlp: Language | None = None,
) -> BuildReport:
    """Ingest ``inputs`` (files, folders, globs) and ``urls`` into ``store``.

    Never stops on a bad input: each one is recorded as skipped with its reason.
    Documents already stored (same text) are counted as unchanged and not redone.
    """
    started = time.perf_counter()
    report = BuildReport(build_id=store.start_build([*inputs, *urls]))
    paths: list[Path] = []
    for found in discover(inputs):
        if isinstance(found, Skipped):
            report.skipped.append(found)
        else:
            paths.append(found)
    if progress is not None:
        progress.start(len(paths) + len(urls))
    location = _child_location(store, settings, paths, nlp)
    if location is not None:
        from narrascope.isolated import add_documents_apart

        add_documents_apart(location, paths, urls, settings, report, progress)
    else:
        add_documents(paths, urls, store, settings, report, progress, nlp)
    if progress is not None:
        progress.stop()
    for s in report.skipped:
        store.record_skip(report.build_id, s.source, s.reason)
    report.entities = run_corpus_stages(
        store, report.timings, peaks=report.peak_rss_mb, incremental=True
    )
    report.seconds = time.perf_counter() - started
    store.finish_build(
        report.build_id, added=report.added, unchanged=report.unchanged,
        skipped=len(report.skipped), seconds=report.seconds,
    )
    return report


def add_documents(  # noqa: PLR0917 - the build's parts, handed on
    paths: Sequence[Path],
    urls: Sequence[str],
    store: SqliteStore,
    settings: Settings,
    report: BuildReport,
    progress: Progress | None = None,
    nlp: Language | None = None,
    *,
    site_lines: SiteLines | None = None,
    stop_after: int = 0,
) -> int:
    """The per-document phase of a build: read, parse, annotate and store each new
    document of ``paths`` and ``urls`` (counted and skipped in ``report``), then
    embed the candidate claim sentences the vectors thread did not reach.

    ``site_lines``: the corpus's short-line statistics (:func:`prepass`), counted
    here if not given. With ``stop_after``, no further input file is started once
    that many documents have been read (nor the URLs). Returns the number of
    ``paths`` done, all of them unless it stopped early.
    """
    if site_lines is None:
        site_lines = prepass(paths, settings)
    share = _Share(limit=stop_after)

    def skip(source: str, reason: str) -> None:
        report.skipped.append(Skipped(source, reason))

    seen: set[str] = set()

    def new_documents() -> Iterator[Document]:
        for raw in _raw_documents(paths, urls, settings, store, progress, share):
            if isinstance(raw, Skipped):
                report.skipped.append(raw)
                continue
            try:
                with _timed(report.timings, "parse"):
                    doc = parse(raw, settings, site_lines)
            except NarrascopeError as exc:
                skip(raw.source, str(exc))
                continue
            except Exception as exc:  # noqa: BLE001 - one bad document must not end a build
                skip(raw.source, f"internal error while parsing: {type(exc).__name__}: {exc}")
                continue
            if doc.id in seen or store.has_document(doc.id):
                report.unchanged += 1
                continue
            seen.add(doc.id)
            yield doc

    with ExitStack() as stack:
        vectors = (stack.enter_context(BackgroundVectors())
                   if _vectors_beside(settings) else None)  # fmt: skip
        # the language model is held by the parse alone: one this build loaded is
        # let go when the parse is done, before the corpus stages
        _store_annotated(store, _annotated(stack, new_documents(), settings, skip, report, nlp),
                         report, vectors)
    _note_peak(report.peak_rss_mb, "documents")
    if vectors is not None and vectors.error is None:
        # what the vectors thread did not reach, embedded now that the parse is done
        with _timed(report.timings, "vectors"):
            complete_vectors(store, sorted(seen))
        _note_peak(report.peak_rss_mb, "vectors")
    return share.paths


def _child_location(
    store: SqliteStore, settings: Settings, paths: Sequence[Path], nlp: Language | None
) -> str | None:
    """Where a process of its own can open ``store`` for the per-document phase, or
    ``None`` where the phase runs in this process: a caller's own language model,
    Dask workers, a store in memory, or inputs under ``settings.parse_process_mb``."""
    if nlp is not None or settings.workers > 0 or settings.scheduler:
        return None
    location = str(getattr(store, "url", "") or store.path)
    if location == ":memory:":
        return None
    if settings.parse_process_mb > 0:
        size = 0
        for path in paths:
            try:
                size += path.stat().st_size
            except OSError:
                continue  # the phase reports it as skipped
        if size < settings.parse_process_mb * 1_000_000:
            return None
    return location


def _annotated(  # noqa: PLR0917 - build's parts, handed on
    stack: ExitStack,
    docs: Iterator[Document],
    settings: Settings,
    skip: Callable[[str, str], None],
    report: BuildReport,
    nlp: Language | None,
) -> Iterator[Document]:
    """``docs`` annotated on Dask workers (``settings.workers``, ``settings.scheduler``) or
    here, with ``nlp`` or the model of ``settings`` (loaded here, timed as "load model")."""
    if settings.workers > 0 or settings.scheduler:
        from narrascope.parallel import DaskAnnotator

        return stack.enter_context(DaskAnnotator(settings)).annotate(docs, skip)
    with _timed(report.timings, "load model"):
        model = nlp if nlp is not None else nlp_stage.load_nlp(settings)
    return _annotate_guarded(docs, model, settings, skip, report.timings)


def _vectors_beside(settings: Settings) -> bool:
    """Whether sentence vectors are computed on a second core while this process parses."""
    local = settings.workers == 0 and not settings.scheduler and settings.n_process == 1
    return settings.vectors_while_parsing and local and (os.cpu_count() or 1) > 1


def _store_annotated(
    store: SqliteStore,
    docs: Iterable[Document],
    report: BuildReport,
    vectors: BackgroundVectors | None = None,
) -> None:
    """The one writer: each annotated document and its findings in one transaction.

    A document's claim features are computed here, from its sentences and
    mentions; with ``vectors``, its candidate claim sentences are queued to be
    embedded beside the parse, and the vectors done so far are stored.
    """
    params = ClaimParams()
    for doc in docs:
        with _timed(report.timings, "store writes"):
            features = features_of(doc, params)
            store.save_document(
                doc, report.build_id,
                extra=[*attribution.store_rows(doc), *events_stage.document_rows(doc),
                       *techniques_stage.technique_rows(doc),
                       *stance_stage.document_rows(doc),
                       *feature_rows(doc.id, features, params)],
            )
            if vectors is not None:
                vectors.submit(doc.id, [(row[0], row[1]) for row in features], doc.text)
                store_vectors(store, vectors.take())
        report.added += 1
    if vectors is not None:
        with _timed(report.timings, "store writes"):
            store_vectors(store, vectors.close())


@dataclass
class _Share:
    """How far :func:`_raw_documents` went: documents read, input files done; it
    starts no further file once ``limit`` documents are read (0: no limit)."""

    limit: int = 0
    read: int = 0
    paths: int = 0


def _raw_documents(  # noqa: PLR0917 - the build's parts, handed on
    paths: Sequence[Path],
    urls: Sequence[str],
    settings: Settings,
    store: SqliteStore,
    progress: Progress | None,
    share: _Share,
) -> Iterator[RawDocument | Skipped]:
    for path in paths:
        if share.limit and share.read >= share.limit:
            return
        for item in read(path, settings):
            share.read += 1
            yield item
        share.paths += 1
        if progress is not None:
            progress.advance(str(path))
    if urls:
        from narrascope.ingest.fetch import fetch_urls

        for item in fetch_urls(urls, settings, store):
            yield item
            if progress is not None:
                progress.advance(item.source)


def annotate(batch: Sequence[Document], nlp: Language, settings: Settings) -> list[Document]:
    """Run the per-document stages that need the language model over ``batch``.

    The spaCy parses live only inside the batch's memory zone: the strings and
    lexemes spaCy adds for the batch's new words are freed after it, so a long
    build's memory does not grow with the corpus's vocabulary.
    """
    lemma = events_stage.lemmatizer(nlp)
    detector = techniques_stage.load_model() if settings.techniques else None
    failed: Exception | None = None
    with nlp_stage.memory_zone(nlp):
        # an error leaves the zone normally and is raised after it: some spaCy
        # releases keep a zone's vocabulary when an exception crosses its end
        # (explosion/spaCy#13924), and a failed batch is retried here
        try:
            parses = nlp_stage.parse_batch(batch, nlp, settings)
            done = [_annotate_one(doc, parsed, lemma, detector)
                    for doc, parsed in zip(batch, parses, strict=True)]  # fmt: skip
            del parses  # no spaCy object outlives the zone
        except Exception as exc:  # noqa: BLE001 - raised again below, outside the zone
            failed = exc
    if failed is not None:
        raise failed
    return done


def _annotate_one(
    raw: Document,
    parsed: Sequence[nlp_stage.Parsed],
    lemma: events_stage.Lemmatize,
    detector: TechniqueModel | None,
) -> Document:
    """The per-document stages, in order, over one parsed document."""
    doc = replace(raw, sentences=nlp_stage.sentences(raw, parsed),
                  mentions=nlp_stage.mentions(raw, parsed))
    doc = aliases_stage.with_aliases(doc)  # tidies mentions: before the stages that read them
    doc = attribution.attribute(doc, parsed)
    doc = events_stage.with_dates(doc, parsed, lemma)
    doc = techniques_stage.with_techniques(doc, parsed, detector)
    return relations_stage.with_relations(doc, parsed, lemma)


def annotate_batch(
    batch: Sequence[Document], nlp: Language, settings: Settings
) -> tuple[list[Document], list[tuple[str, str]]]:
    """:func:`annotate` ``batch``; if it fails, redo it one document at a time.

    Returns the annotated documents and ``(source, reason)`` of those that failed.
    """
    try:
        return annotate(batch, nlp, settings), []
    except Exception:  # noqa: BLE001 - isolate the document that fails below
        done: list[Document] = []
        skipped: list[tuple[str, str]] = []
        for doc in batch:
            try:
                done.extend(annotate([doc], nlp, settings))
            except Exception as exc:  # noqa: BLE001 - recorded as a skip reason
                skipped.append((doc.source,
                                f"language model failed: {type(exc).__name__}: {exc}"))
        return done, skipped


def _annotate_guarded(
    docs: Iterable[Document],
    nlp: Language,
    settings: Settings,
    skip: Callable[[str, str], None],
    timings: dict[str, float] | None = None,
) -> Iterator[Document]:
    """Annotate in batches; if a batch fails, redo it one document at a time.

    The spelling and lemma caches are emptied after each batch: filled over a
    whole parse (up to 65,536 spellings each and 200,000 lemmas), their entries
    pin the pages of the batches that made them, and the parse's memory grows
    with the corpus (:func:`narrascope.extract.names.clear_caches`; by 800
    documents, 352 MB against 331 MB with the spelling caches emptied per batch).
    """
    batch: list[Document] = []

    def flush() -> list[Document]:
        with _timed(timings, "language-model stages"):
            done, skipped = annotate_batch(batch, nlp, settings)
            _clear_memos()
            events_stage.clear_lemma_caches(nlp)
        for source, reason in skipped:
            skip(source, reason)
        return done

    for doc in docs:
        batch.append(doc)
        if len(batch) >= settings.batch_size:
            yield from flush()
            batch = []
    if batch:
        yield from flush()


@contextmanager
def _timed(timings: dict[str, float] | None, name: str) -> Iterator[None]:
    """Add the seconds spent in the block to ``timings[name]``."""
    started = time.perf_counter()
    try:
        yield
    finally:
        if timings is not None:
            timings[name] = timings.get(name, 0.0) + time.perf_counter() - started


def _note_peak(peaks: dict[str, float] | None, name: str) -> None:
    """Record the process's peak resident memory so far (MB) under ``name``."""
    if peaks is None:
        return
    try:
        import resource
    except ImportError:  # not on this platform
        return
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peaks[name] = kb / 1024 / (1024 if sys.platform == "darwin" else 1)  # bytes on macOS


def _release_heap() -> bool:
    """Give the C heap's free pages back to the system; whether it could (glibc only).

    Python returns freed memory to the C allocator, which keeps most of it: after
    the parse of a corpus, hundreds of megabytes that the corpus stages would
    otherwise allocate on top of. ``malloc_trim`` hands them back.
    """
    trim = _glibc("malloc_trim")
    if trim is None:
        return False
    trim(0)
    return True


def _glibc(name: str) -> Any:
    """The C library's function ``name`` where it is glibc's (Linux); ``None`` elsewhere
    (musl has neither ``malloc_trim`` nor ``mallopt``)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return getattr(ctypes.CDLL(None), name)
    except (OSError, AttributeError):
        return None


def _map_large_blocks(documents: int, threshold: int = 1 << 20) -> bool:
    """Before the corpus stages of a store of ``documents``: have the C allocator give
    blocks of ``threshold`` bytes or more pages of their own from now on, on a large
    corpus; whether it did (glibc only).

    glibc serves a large block from its own pages, returned to the system when it
    is freed, but raises that threshold (up to 32 MB) each time such a block is
    freed; the corpus stages' arrays of a few MB then come from the heap, where a
    freed one stays resident under the next (with the threshold fixed for a whole
    process, the claim stage's peak after a build fell from 767 MB to 674 MB at
    10,000 documents). It is fixed only where the corpus stages' arrays are large
    (``_MAPPED_FROM`` documents or more), and after the parse: the setting lasts
    for the rest of the process, and a parse under it is a fifth slower (every
    large array of spaCy's faults in fresh pages).
    """
    mallopt = _glibc("mallopt") if documents >= _MAPPED_FROM else None
    return mallopt is not None and bool(mallopt(_M_MMAP_THRESHOLD, threshold))


def _clear_memos() -> None:
    """Empty the spelling caches that every stage fills (names, network spellings).

    Left filled, their entries pin the memory of the stage that made them
    (:func:`narrascope.extract.names.clear_caches`).
    """
    names.clear_caches()
    normalize.cache_clear()


@contextmanager
def _corpus_stage(
    timings: dict[str, float] | None, name: str, peaks: dict[str, float] | None = None
) -> Iterator[None]:
    """Time a corpus stage, with Python's cycle collector paused until its end.

    A corpus stage builds hundreds of thousands of small containers that live
    until it returns (sentence features, keys, mention records) and makes few
    reference cycles; with the collector on, it walks all of them again and
    again (on a 1,000-document store, the claim features took twice as long).
    Cycles made by the stage are collected once, when it is done: everything it
    allocated is still in the youngest generation, so collecting that one finds
    them without walking the rest of the process (the language model, for one).
    The spelling caches are emptied before and after it.
    """
    with _timed(timings, name):
        _clear_memos()
        _release_heap()  # what the stages before freed, before this one allocates
        paused = gc.isenabled()
        gc.disable()
        try:
            yield
        finally:
            if paused:
                gc.enable()
            _clear_memos()
            gc.collect(0)
            _note_peak(peaks, name)


def resolve_entities(store: SqliteStore) -> tuple[int, list[str]]:
    """The entity stage: resolve every mention, apply the corrections log, store.

    Returns the number of entities and a line per correction that matched nothing.
    """
    # every mention of the corpus is read (on a 10,000-document corpus, 460,000): the
    # strings that repeat (a document's id and date, a label, a spelling) are held once
    one: dict[str, str] = {}
    refs = []
    for r in store.mentions():
        doc, text, label = (one.setdefault(v, v) for v in (r["doc"], r["text"], r["label"]))
        title, published = (None if v is None else one.setdefault(v, v)
                            for v in (r["title"], r["published"]))  # fmt: skip
        refs.append(MentionRef(int(r["id"]), doc, int(r["start"]), text, label, title, published))
    del one
    declared = [Alias(r["doc"], int(r["start"]), int(r["end"]), r["name"], r["alias"], r["kind"])
                for r in store.aliases()]
    clusters = resolve(refs, declared)
    unmatched = apply_corrections(clusters, corrections(store))
    return store.replace_entities(to_rows(clusters)), unmatched


def run_corpus_stages(
    store: SqliteStore,
    timings: dict[str, float] | None = None,
    unmatched: list[str] | None = None,
    peaks: dict[str, float] | None = None,
    *,
    incremental: bool = False,
) -> int:
    """Recompute what spans documents; returns the number of entities.

    ``unmatched``, if given, receives a line per correction that matched nothing;
    ``peaks``, the process's peak resident memory after each stage. With
    ``incremental`` (a build that added documents), the stored claims are kept and
    only the new documents' sentences are linked to them and to the corpus
    (:func:`~narrascope.corpus.claims.find_claims`); without it (after corrections
    to the entities, which change what the claim rules read), all are recomputed.
    """
    _map_large_blocks(store.count("documents"))
    with _corpus_stage(timings, "entities", peaks):
        entities, lines = resolve_entities(store)
    if unmatched is not None:
        unmatched.extend(lines)
    with _corpus_stage(timings, "timeline", peaks):
        merge_events(store)  # after entities: it reads mentions.entity
    with _corpus_stage(timings, "reuse", peaks):
        find_reuse(store)
    with _corpus_stage(timings, "claims", peaks):
        # after entities (mentions.entity) and reuse (independence)
        find_claims(store, incremental=incremental)
    with _corpus_stage(timings, "network", peaks):
        build_network(store)  # after entities (mentions.entity) and timeline (dates)
        find_stance(store)  # after the network (relations.subject_entity/object_entity)
    return entities
