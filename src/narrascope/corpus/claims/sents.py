"""The candidate claim sentences of a corpus, in flat arrays.

A corpus has hundreds of thousands of candidate sentences (472,000 at 10,000
generated documents), and the claim stage reads each one's features many
times. As Python objects, with a tuple per feature, they took about 700 bytes
a sentence; here a sentence is a row of a few numpy columns and each feature
a slice of one flat array of ids (about 130 bytes). A :class:`Sent` is made
when a rule reads one (``sents[i]``) and let go after.
"""

from __future__ import annotations

import itertools
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, overload

import numpy as np

__all__ = [
    "FIELDS", "HELD", "Place", "Places", "Rows", "Sent", "SentColumns", "Sents", "Units",
    "apart", "meets",
]  # fmt: skip

#: a sentence's features, each a tuple of distinct items; ``qty`` items are pairs
FIELDS = ("nums", "ents", "words", "qty", "names", "pairs", "rare")  # seven: Sents.__getitem__
_WORDY = frozenset({"ents", "words", "names", "rare"})  #: tuples of strings, held as ids
_NUMERIC = frozenset({"nums", "pairs"})  #: tuples of integers
HELD = 1 << 16  #: sentences that :class:`Rows` holds made at once, at most


@dataclass(slots=True)
class Sent:
    """A content sentence as the rules see it (its text is read only where needed)."""

    doc: str
    start: int
    end: int
    key: int  #: digest of the text with its spacing normalised: republished copies share it
    nums: tuple[int, ...]
    ents: tuple[str, ...]
    words: tuple[str, ...]
    qty: tuple[tuple[int, str], ...]
    names: tuple[str, ...] = ()  #: entity keys and stems of capitalised words
    #: adjacent content stems (no names), "a b", that one other sentence has too,
    #: by their hashes (only shared ones are kept, and only equality is asked of them)
    pairs: tuple[int, ...] = ()
    size: int = 0  #: words
    rare: tuple[str, ...] = ()  #: entities few sentences name


class Place(NamedTuple):
    """Where a sentence is, and nothing else of it (what the claims are written from)."""

    doc: str
    start: int
    end: int


def meets(a: Sequence[Any], b: Sequence[Any]) -> bool:
    """Whether two features of sentences (tuples of distinct items) share an item."""
    return bool(a and b) and not frozenset(a).isdisjoint(b)


def apart(a: Sequence[Any], b: Sequence[Any]) -> bool:
    """Whether both have items and none in common (two sentences' numbers that conflict)."""
    return bool(a and b) and frozenset(a).isdisjoint(b)


class SentColumns:
    """Sentences appended one at a time into growing flat arrays (:meth:`done` makes
    the :class:`Sents`). Strings get one id each, in a vocabulary shared by all fields."""

    def __init__(self) -> None:
        self.docs: list[str] = []
        self._doc_id: dict[str, int] = {}
        self.vocab: list[str] = []
        self.ids: dict[str, int] = {}
        self.doc: array[int] = array("i")
        self.start: array[int] = array("i")
        self.end: array[int] = array("i")
        self.size: array[int] = array("i")
        self.key: array[int] = array("q")
        self.values: dict[str, array[int]] = {
            f: array("q" if f in _NUMERIC or f == "qty" else "i") for f in FIELDS
        }
        self.qty_words: array[int] = array("i")
        self.lengths: dict[str, array[int]] = {f: array("i") for f in FIELDS}

    def __len__(self) -> int:
        return len(self.key)

    def word(self, text: str) -> int:
        """The id of ``text`` in the vocabulary (a new one if it has none)."""
        found = self.ids.get(text)
        if found is None:
            found = self.ids[text] = len(self.vocab)
            self.vocab.append(text)
        return found

    def append(self, doc: str, start: int, end: int, key: int, size: int,  # noqa: PLR0917 - one row
               features: dict[str, Iterable[Any]]) -> None:  # fmt: skip
        """One sentence; ``features``: items of the fields of :data:`FIELDS` it has."""
        d = self._doc_id.get(doc)
        if d is None:
            d = self._doc_id[doc] = len(self.docs)
            self.docs.append(doc)
        self.doc.append(d)
        self.start.append(start)
        self.end.append(end)
        self.key.append(key)
        self.size.append(size)
        for f in FIELDS:
            items = list(features.get(f, ()))
            self.lengths[f].append(len(items))
            if f == "qty":
                self.values[f].extend(v for v, _ in items)
                self.qty_words.extend(self.word(w) for _, w in items)
            elif f in _WORDY:
                self.values[f].extend(map(self.word, items))
            else:
                self.values[f].extend(items)

    def done(self) -> Sents:
        """The sentences appended, as :class:`Sents`, which keeps this object's arrays (not
        copies: a whole corpus's columns were held twice); nothing can be appended after."""
        n = len(self)
        offsets = np.zeros((n + 1, len(FIELDS)), dtype=np.int64)
        for j, f in enumerate(FIELDS):
            np.cumsum(_view(self.lengths[f]), out=offsets[1:, j])
        # views of the arrays appended to, which Sents keeps
        values = {f: _view(self.values[f]) for f in FIELDS}
        values["qty_words"] = _view(self.qty_words)
        return Sents(
            self.docs, _view(self.doc), _view(self.start), _view(self.end), _view(self.size),
            _view(self.key), self.vocab, offsets, values,
        )  # fmt: skip


def _view(flat: array[int]) -> np.ndarray:
    """A numpy view of an ``array.array`` of 32- or 64-bit integers (no copy)."""
    return np.frombuffer(flat, dtype=np.int64 if flat.itemsize == 8 else np.int32)


class Places:
    """Where each row is, without its features (document, start, end): what the claims
    are written from once the rules are done (:meth:`Sents.places`; the features, most
    of the columns' memory, can then be let go: on a 10,000-document corpus, about
    100 MB). :class:`Sents` reads its rows' places the same way."""

    def __init__(
        self, docs: list[str], doc: array[int], start: array[int], end: array[int]
    ) -> None:
        self.docs = docs
        self._at = (doc, start, end)

    def __len__(self) -> int:
        return len(self._at[0])

    def doc_of(self, i: int) -> str:
        """The document of row ``i`` (no :class:`Sent` made)."""
        return self.docs[self._at[0][i]]

    def place(self, i: int) -> Place:
        """The :class:`Place` of row ``i`` (no :class:`Sent` made)."""
        doc, start, end = self._at
        return Place(self.docs[doc[i]], start[i], end[i])


class Sents(Places, Sequence[Sent]):
    """Candidate sentences by document and start: ``sents[i]`` is the :class:`Sent` of row ``i``.

    Columns (one row a sentence): ``doc`` (index into ``docs``), ``start``, ``end``,
    ``size`` (words), ``key`` (the digest of the spaced text, as an integer).
    Each field of :data:`FIELDS` is a slice of one flat array, by ``offsets``.
    """

    def __init__(  # noqa: PLR0917 - the columns, built by SentColumns
        self,
        docs: list[str],
        doc: np.ndarray,
        start: np.ndarray,
        end: np.ndarray,
        size: np.ndarray,
        key: np.ndarray,
        vocab: list[str],
        offsets: np.ndarray,
        values: dict[str, np.ndarray],
    ) -> None:
        self.vocab = vocab
        # each column is an array.array (a row's items are sliced from it fast, as Python
        # objects) seen by a numpy view of the same memory (what is computed over columns)
        self._flat: dict[str, array[int]] = {}
        self.doc = self._column("doc", doc, np.int32)
        self.start = self._column("start", start, np.int32)
        self.end = self._column("end", end, np.int32)
        self.size = self._column("size", size, np.int32)
        self.key = self._column("key", key, np.int64)
        # offsets as int32 where they fit: 4 bytes a field and sentence
        fits = not len(offsets) or int(offsets[-1].max()) < 2**31
        self.offsets = self._column("offsets", offsets, np.int32 if fits else np.int64)
        self.values: dict[str, np.ndarray] = {}
        for f, x in values.items():
            self.values[f] = self._column(f"values {f}", x, x.dtype.type)
        super().__init__(docs, self._flat["doc"], self._flat["start"], self._flat["end"])  # docs
        self._doc_rows: dict[str, tuple[int, int]] | None = None
        self._items: tuple[array[int], ...] = ()
        self._refresh()

    def _refresh(self) -> None:
        """The flat arrays of the fields, in the order of :data:`FIELDS`, then ``qty``'s words."""
        self._items = tuple(self._flat[f"values {f}"] for f in (*FIELDS, "qty_words"))

    def _column(self, name: str, x: np.ndarray, dtype: type[np.integer[Any]]) -> np.ndarray:
        """Keep ``x`` as the array.array ``name``; its numpy view, of the shape of ``x``.

        Where ``x`` is already a whole view of an array.array of ``dtype``'s size (what
        :meth:`SentColumns.done` hands over), that array is kept as it is, not copied.
        """
        held = x.base.obj if isinstance(x.base, memoryview) else None
        size = np.dtype(dtype).itemsize
        if isinstance(held, array) and held.itemsize == size == x.itemsize and (
            x.ndim == 1 and len(held) == len(x)
        ):
            self._flat[name] = held
            return x
        flat = array("q" if size == 8 else "i")
        flat.frombytes(np.ascontiguousarray(x, dtype=dtype).reshape(-1).data.cast("B"))  # one copy
        self._flat[name] = flat
        return np.frombuffer(flat, dtype=dtype).reshape(x.shape)

    @classmethod
    def of(cls, sents: Iterable[Sent]) -> Sents:
        """The columns of ``sents``, in their order (the stage reads them by document and start)."""
        cols = SentColumns()
        for s in sents:
            cols.append(s.doc, s.start, s.end, s.key, s.size,
                        {f: getattr(s, f) for f in FIELDS})  # fmt: skip
        return cols.done()

    def __len__(self) -> int:
        return len(self.key)

    @overload
    def __getitem__(self, i: int) -> Sent: ...

    @overload
    def __getitem__(self, i: slice) -> Sequence[Sent]: ...

    def __getitem__(self, i: int | slice) -> Sent | Sequence[Sent]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        if not -len(self) <= i < len(self):
            raise IndexError(i)
        i %= len(self)
        flat = self._flat
        at = flat["offsets"][i * 7 : i * 7 + 14]  # this row's offsets and the next's
        nums, ents, words, qty, names, pairs, rare, qty_words = self._items
        vocab = self.vocab.__getitem__
        return Sent(
            self.docs[flat["doc"][i]], flat["start"][i], flat["end"][i], flat["key"][i],
            tuple(nums[at[0] : at[7]]), tuple(map(vocab, ents[at[1] : at[8]])),
            tuple(map(vocab, words[at[2] : at[9]])),
            tuple(zip(qty[at[3] : at[10]], map(vocab, qty_words[at[3] : at[10]]), strict=True)),
            tuple(map(vocab, names[at[4] : at[11]])), tuple(pairs[at[5] : at[12]]),
            flat["size"][i], tuple(map(vocab, rare[at[6] : at[13]])),
        )  # fmt: skip

    def __iter__(self) -> Iterator[Sent]:
        return (self[i] for i in range(len(self)))

    def raw(self, i: int, field: str) -> array[int]:
        """The items of ``field`` of row ``i`` as stored (ids for strings; ``qty``: the
        numbers only): enough to ask whether two rows share one, without a :class:`Sent`."""
        j = FIELDS.index(field)
        at = self._flat["offsets"]
        return self._items[j][at[i * 7 + j] : at[i * 7 + 7 + j]]

    def places(self) -> Places:
        """Where each row is, copied: these columns can then be let go."""
        return Places(self.docs, *(array(a.typecode, a) for a in self._at))

    def lengths(self, field: str) -> np.ndarray:
        """How many items of ``field`` each row has."""
        j = FIELDS.index(field)
        return np.diff(self.offsets[:, j]).astype(np.int64)

    def items(
        self, field: str, lo: int = 0, hi: int | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(row of each item, the item)`` of ``field`` (ids for strings), row by row, for
        the rows ``lo`` to ``hi`` (all of them by default)."""
        j = FIELDS.index(field)
        hi = len(self) if hi is None else hi
        at = self.offsets[lo : hi + 1, j]
        rows = np.repeat(np.arange(lo, hi, dtype=np.int64), np.diff(at))
        return rows, self.values[field][int(at[0]) : int(at[-1])]

    def put(self, field: str, rows: np.ndarray, values: np.ndarray) -> None:
        """Give ``field`` the items ``values``, of the rows ``rows`` (sorted)."""
        j = FIELDS.index(field)
        counts = np.bincount(rows, minlength=len(self)) if len(rows) else np.zeros(len(self))
        self.offsets[1:, j] = np.cumsum(counts)
        self.offsets[0, j] = 0
        self.values[field] = self._column(f"values {field}", values, self.values[field].dtype.type)
        self._refresh()

    def locate(self, doc: str, start: int, end: int) -> int | None:
        """The row of the sentence ``doc[start:end]``, if it is one."""
        if self._doc_rows is None:
            first = np.flatnonzero(np.r_[True, self.doc[1:] != self.doc[:-1]])
            bounds = np.r_[first, len(self.doc)].tolist()
            self._doc_rows = {self.docs[int(self.doc[a])]: (a, b)
                              for a, b in itertools.pairwise(bounds)}  # fmt: skip
        lo, hi = self._doc_rows.get(doc, (0, 0))
        at = lo + int(np.searchsorted(self.start[lo:hi], start))
        if at < hi and self.start[at] == start and self.end[at] == end:
            return at
        return None


class Rows(Sequence[Sent]):
    """Some sentences of :class:`Sents` as rows: ``heads[row]`` is a row's sentence.

    Each is made from the columns when a rule reads it, and held while fewer than
    :data:`HELD` others are (the rules read the rows of a tile of pairs at a time).
    Where a row's document and place are all that is read, :meth:`span` makes no
    :class:`Sent`.
    """

    def __init__(self, sents: Sents, heads: np.ndarray) -> None:
        self.sents = sents
        self.heads = heads
        self._held: dict[int, Sent] = {}

    def __len__(self) -> int:
        return len(self.heads)

    @overload
    def __getitem__(self, row: int) -> Sent: ...

    @overload
    def __getitem__(self, row: slice) -> Sequence[Sent]: ...

    def __getitem__(self, row: int | slice) -> Sent | Sequence[Sent]:
        if isinstance(row, slice):
            return [self[k] for k in range(*row.indices(len(self)))]
        found = self._held.get(row)
        if found is None:
            if len(self._held) >= HELD:
                self._held.clear()
            found = self._held[row] = self.sents[int(self.heads[row])]
        return found

    def __iter__(self) -> Iterator[Sent]:
        return (self.sents[int(i)] for i in self.heads)

    def span(self, row: int) -> tuple[str, int, int]:
        """``(doc, start, end)`` of a row."""
        return self.sents.place(int(self.heads[row]))

    def key(self, row: int) -> int:
        """The key of a row's text (:attr:`Sents.key`)."""
        return int(self.sents.key[int(self.heads[row])])


class Units(Sequence[list[int]]):
    """The rows of :class:`Sents` grouped by ``key`` (sentences with the same text: the
    republished copies of one sentence are one unit), in order of each unit's first row,
    its rows in order: ``units[k]`` is a list of rows, :attr:`first` each unit's first.

    Two flat arrays (12 bytes a sentence), not a list of lists (on a 10,000-document
    corpus, 466,000 lists: about 60 MB).
    """

    def __init__(self, key: np.ndarray) -> None:
        n = len(key)
        order = np.argsort(key, kind="stable")  # a key's rows stay in order
        sorted_key = key[order]
        starts = np.flatnonzero(np.r_[True, sorted_key[1:] != sorted_key[:-1]]) if n else (
            np.zeros(0, dtype=np.int64))  # fmt: skip
        sizes = np.diff(np.r_[starts, n]).astype(np.int64)
        by_first = np.argsort(order[starts], kind="stable")  # the units by their first row
        rank = np.empty(len(starts), dtype=np.int64)
        rank[by_first] = np.arange(len(starts), dtype=np.int64)
        unit = np.repeat(rank, sizes)  # each row of ``order``'s new unit number
        self.rows: np.ndarray = order[np.argsort(unit, kind="stable")].astype(np.int64)
        self.bounds: np.ndarray = np.r_[0, np.cumsum(sizes[by_first])].astype(np.int64)
        self.first: np.ndarray = self.rows[self.bounds[:-1]]

    def __len__(self) -> int:
        return len(self.bounds) - 1

    @overload
    def __getitem__(self, k: int) -> list[int]: ...

    @overload
    def __getitem__(self, k: slice) -> Sequence[list[int]]: ...

    def __getitem__(self, k: int | slice) -> list[int] | Sequence[list[int]]:
        if isinstance(k, slice):
            return [self[j] for j in range(*k.indices(len(self)))]
        if not -len(self) <= k < len(self):
            raise IndexError(k)
        k %= len(self)
        rows: list[int] = self.rows[int(self.bounds[k]) : int(self.bounds[k + 1])].tolist()
        return rows

    def __iter__(self) -> Iterator[list[int]]:
        return (self[k] for k in range(len(self)))
