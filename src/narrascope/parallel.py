"""Run the per-document stages on a Dask cluster: local worker processes or a remote one.

The build process keeps reading, parsing and writing the store (one writer);
batches of parsed documents go to the workers, which run the language-model stages
(:func:`narrascope.pipeline.annotate_batch`) and send back annotated documents and
skip reasons. Each worker loads the spaCy pipeline once, through a worker plugin.
At most ``2 × workers`` batches are in flight, so memory stays bounded however
large the corpus, and results come back in input order.

``settings.scheduler`` (``tcp://HOST:PORT``) connects to a running cluster
(``dask scheduler`` / ``dask worker``); otherwise ``settings.workers`` starts a
``LocalCluster`` of that many single-threaded worker processes for the build.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, ExitStack
from typing import TYPE_CHECKING, Any

from distributed import Client, LocalCluster, WorkerPlugin, get_worker

from narrascope.errors import ConfigError

if TYPE_CHECKING:
    from narrascope.model import Document
    from narrascope.settings import Settings

__all__ = ["DaskAnnotator", "annotate_on_worker"]

_PLUGIN = "narrascope-nlp"
Skip = Callable[[str, str], None]


class _ModelPlugin(WorkerPlugin):
    """Loads the spaCy pipeline once per worker and keeps it on the worker object."""

    name = _PLUGIN

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.settings = settings

    def setup(self, worker: Any) -> None:
        from narrascope.extract import nlp as nlp_stage

        worker.narrascope_nlp = {}
        worker.narrascope_nlp[self.settings.spacy_model] = nlp_stage.load_nlp(self.settings)

    def teardown(self, worker: Any) -> None:
        worker.narrascope_nlp = {}


def annotate_on_worker(
    batch: list[Document], settings: Settings
) -> tuple[list[Document], list[tuple[str, str]]]:
    """The task run on a worker: annotate ``batch`` with the worker's own model."""
    from narrascope.extract import nlp as nlp_stage
    from narrascope.pipeline import annotate_batch

    worker: Any = get_worker()
    models: dict[str, Any] = getattr(worker, "narrascope_nlp", None) or {}
    nlp = models.get(settings.spacy_model)
    if nlp is None:  # a worker that joined after the plugin was registered
        nlp = models[settings.spacy_model] = nlp_stage.load_nlp(settings)
        worker.narrascope_nlp = models
    return annotate_batch(batch, nlp, settings)


class DaskAnnotator(AbstractContextManager["DaskAnnotator"]):
    """Annotate documents on Dask workers; use as a context manager around a build."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._stack = ExitStack()
        self._client: Any = None
        self.workers = 0

    def __enter__(self) -> DaskAnnotator:
        client_cls: Any = Client  # untyped constructors
        cluster_cls: Any = LocalCluster
        try:
            if self.settings.scheduler:
                client = client_cls(self.settings.scheduler, timeout="20s")
            else:
                cluster = cluster_cls(
                    n_workers=self.settings.workers, threads_per_worker=1, processes=True,
                    dashboard_address=None, host="127.0.0.1",
                )
                self._stack.callback(cluster.close)
                client = client_cls(cluster)
        except OSError as exc:
            where = self.settings.scheduler or "a local cluster"
            raise ConfigError(f"cannot reach the Dask scheduler at {where}: {exc}") from None
        self._stack.callback(client.close)
        self._client = client
        client.register_plugin(_ModelPlugin(self.settings), name=_PLUGIN)
        self.workers = max(1, len(client.scheduler_info().get("workers", {})))
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def annotate(self, docs: Iterable[Document], skip: Skip) -> Iterator[Document]:
        """Annotated ``docs`` in input order; failures are passed to ``skip``."""
        if self._client is None:
            raise RuntimeError("DaskAnnotator used outside its with-block")
        in_flight: deque[Any] = deque()
        limit = 2 * self.workers
        batch: list[Document] = []

        def collect() -> Iterator[Document]:
            future, sent = in_flight.popleft()
            try:
                done, skipped = future.result()
            except Exception as exc:  # noqa: BLE001 - a lost worker skips its batch only
                for doc in sent:
                    skip(doc.source, f"worker failed: {type(exc).__name__}: {exc}")
                return
            for source, reason in skipped:
                skip(source, reason)
            yield from done

        def submit(b: list[Document]) -> None:
            future = self._client.submit(annotate_on_worker, b, self.settings, pure=False)
            in_flight.append((future, b))

        for doc in docs:
            batch.append(doc)
            if len(batch) >= self.settings.batch_size:
                submit(batch)
                batch = []
                while len(in_flight) >= limit:
                    yield from collect()
        if batch:
            submit(batch)
        while in_flight:
            yield from collect()
