"""The store interface that the SQLite and the PostgreSQL store both provide."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, Protocol, Self

if TYPE_CHECKING:
    from narrascope.ingest.fetch import CachedResponse
    from narrascope.model import Document
    from narrascope.store.sqlite import EntityRow, SearchHit

__all__ = ["Row", "Store"]


class Row(Protocol):
    """A result row, read by column name (``row["doc"]``) or position (``row[0]``)."""

    def keys(self) -> list[str]: ...

    def __getitem__(self, key: int | str, /) -> Any: ...

    def __iter__(self) -> Iterator[Any]: ...

    def __len__(self) -> int: ...


class Store(Protocol):
    """What the pipeline, the exports, the check and the web UI need of a store.

    SQL given to :meth:`query`, :meth:`execute` and :meth:`executemany` is written in
    SQLite's dialect with ``?`` placeholders; the PostgreSQL store translates it.
    """

    @property
    def path(self) -> str: ...  # the file, or the URL without its password

    @property
    def read_only(self) -> bool: ...

    @property
    def dialect(self) -> str: ...  # "sqlite" or "postgresql"

    @property
    def schema_version(self) -> int: ...

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc: object) -> None: ...

    def close(self) -> None: ...

    def has_document(self, doc_id: str) -> bool: ...

    def save_document(
        self,
        doc: Document,
        build_id: int | None = None,
        extra: Iterable[tuple[str, Iterable[Sequence[Any]]]] = (),
    ) -> None: ...

    def count(self, table: str) -> int: ...

    def documents(self) -> Iterator[Any]: ...

    def regions(self, doc_id: str) -> list[Any]: ...

    def mentions(self) -> Iterator[Any]: ...

    def entities(self) -> Iterator[Any]: ...

    def entity_aliases(self, entity_id: str) -> list[tuple[str, int]]: ...

    def replace_entities(self, entities: Iterable[EntityRow]) -> int: ...

    def start_build(self, inputs: Sequence[str]) -> int: ...

    def finish_build(
        self, build_id: int, *, added: int, unchanged: int, skipped: int, seconds: float
    ) -> None: ...

    def record_skip(self, build_id: int | None, source: str, reason: str) -> None: ...

    def skips(self, build_id: int | None = None) -> list[Any]: ...

    def search(self, query: str, limit: int = 20) -> list[SearchHit]: ...

    def get(self, url: str) -> CachedResponse | None: ...

    def put(self, url: str, response: CachedResponse) -> None: ...

    def transaction(self) -> AbstractContextManager[Any]: ...

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int: ...

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None: ...

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]: ...

    def table_columns(self) -> dict[str, list[str]]: ...
