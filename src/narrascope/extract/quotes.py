"""Per-document stage: direct, partial and indirect quotes, with cue and speaker.

Over the content regions only (each parsed separately, see
:mod:`narrascope.extract.nlp`):

* direct quotes come from :func:`narrascope.extract.marks.pair_marks`, every
  quote style, unpaired marks skipped; a split quote ("…," he said, "…") is one
  record with two ``parts``; a quote running over paragraphs (each opening with
  a mark, only the last closing) is one record per paragraph sharing ``group``;
* the cue is the reporting verb next to the quote ("…," she explains / Ritter
  wrote that "…") or, failing that, the reporting verb that governs it; a quote
  with no cue of its own that follows an attributed one continues it;
* indirect speech is a reporting verb with a clausal complement ("X said that
  …", "X told CNN …"), "according to X, …", "as X puts it", and the hedges
  "reportedly"/"allegedly" (anonymous);
* short unattributed quotes ('scare quotes') and quoted titles are left out.

Speakers are resolved by :func:`narrascope.extract.speakers.resolve`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from narrascope.extract.marks import Quoted, pair_marks
from narrascope.extract.speakers import (
    Resolved,
    Speaker,
    find_speaker,
    is_cue_word,
    is_reporting,
    resolve,
    speaker_of,
    strong_reporting,
)
from narrascope.model import Document, Mention, Quote

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

    from narrascope.extract.nlp import Parsed

__all__ = ["quotes"]

_HEDGES = frozenset({"reportedly", "allegedly", "purportedly", "supposedly", "rumoredly"})
_SHORT = 4  # fewer words than this, and no cue: a scare quote, not a quote
_CONTINUE_CHARS = 600  # an unattributed quote this close after an attributed one continues it


@dataclass
class _Found:
    """A quote before speaker resolution (offsets local to its piece)."""

    piece: int
    parts: list[tuple[int, int]]
    kind: str
    cue: Token | None = None
    cue_span: tuple[int, int] | None = None
    speaker: Speaker | None = None
    group: int | None = None
    anonymous: bool = False
    inherit: bool = False


def quotes(doc: Document, parsed: Sequence[Parsed]) -> tuple[Quote, ...]:
    """The quotes of ``doc``'s content regions, in text order."""
    all_pairs: list[list[Quoted]] = [_pairs(p.text) for p in parsed]
    _continue_paragraphs(parsed, all_pairs)
    quoted_doc = [
        (p.offset + q.open, p.offset + q.end) for p, pairs in zip(parsed, all_pairs, strict=True)
        for q in pairs
    ]
    found: list[_Found] = []
    for i, (piece, pairs) in enumerate(zip(parsed, all_pairs, strict=True)):
        local = [(q.open, q.end) for q in pairs]
        direct = _direct(i, piece.doc, piece.text, [q for q in pairs if not q.nested], local)
        found.extend(direct)
        found.extend(_indirect(i, piece.doc, piece.text, local, direct))
    found.sort(key=lambda f: (parsed[f.piece].offset + f.parts[0][0]))
    return _resolve_all(doc, parsed, found, quoted_doc)


def _pairs(text: str) -> list[Quoted]:
    out: list[Quoted] = []
    for m in re.finditer(r"[^\n]+", text):
        out.extend(
            Quoted(m.start() + q.open, None if q.close is None else m.start() + q.close,
                   m.start() + q.end, q.family, q.nested)
            for q in pair_marks(m.group())
        )
    return out


def _continue_paragraphs(parsed: Sequence[Parsed], all_pairs: list[list[Quoted]]) -> None:
    """Keep an open paragraph quote only if the next paragraph opens with a mark."""
    paragraphs = [
        (i, m.start(), m.group()) for i, p in enumerate(parsed)
        for m in re.finditer(r"[^\n]*\S[^\n]*", p.text)
    ]
    for i, pairs in enumerate(all_pairs):
        kept = []
        text = parsed[i].text
        for q in pairs:
            line_start = text.rfind("\n", 0, q.open) + 1
            if q.close is None and not text[line_start:q.open].strip():
                nxt = next(
                    (t for j, s, t in paragraphs if (j, s) > (i, q.open) and
                     not (j == i and s <= q.open)), None,
                )
                if nxt is None or nxt.lstrip()[:1] not in "\"“„«‘'":
                    continue
            kept.append(q)
        all_pairs[i] = kept


def _inside(pos: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(s <= pos < e for s, e in spans)


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _token_at(sd: Doc, char: int) -> Token | None:
    """The token at ``char``, else the first one after it."""
    # token ends only grow: the first token ending after ``char``, by bisection
    i = bisect_right(range(len(sd)), char, key=lambda j: sd[j].idx + len(sd[j].text))
    return sd[i] if i < len(sd) else None


def _direct(
    piece: int, sd: Doc, text: str, pairs: Sequence[Quoted], quoted: Sequence[tuple[int, int]]
) -> list[_Found]:
    out: list[_Found] = []
    for q in pairs:
        start, end = _trimmed(text, *q.content)
        if end <= start or not any(c.isalnum() for c in text[start:end]):
            continue
        # a quote inside a block quote (Vizinko said: "…" inside a memoir) finds its own cue
        outside = [(s, e) for s, e in quoted if not (s < q.open and (q.close or q.end) < e)]
        cue, speaker, cue_span = _cue(sd, text, q, outside)
        content = text[start:end]
        words = len(content.split())
        if cue is None and (words < _SHORT or _is_title(content)):
            continue
        if cue is not None and _is_title(content) and words < _SHORT:
            continue
        f = _Found(piece, [(start, end)], _kind(text, q, content), cue, None, speaker,
                   group=None, inherit=cue is None or speaker is None)
        f.cue_span = cue_span
        if q.close is None:
            f.group = q.open
        out.append(f)
    return _merge_split(text, out)


def _is_title(content: str) -> bool:
    words = [w for w in re.findall(r"[^\W\d_][\w’'-]*", content) if len(w) > 3]
    return bool(words) and len(content.split()) <= 8 and all(w[0].isupper() for w in words) \
        and content.rstrip()[-1:] not in ".!?,…"


def _kind(text: str, q: Quoted, content: str) -> str:
    before = text[:q.open].rstrip()
    prev = before[-1:] if before else ""
    if content.rstrip()[-1:] in ".!?…" or prev in {"", ":", ".", "!", "?"}:
        return "direct"
    if content[:1].isupper() and prev in {",", "—", "–", "-", ";"}:
        return "direct"
    return "partial" if prev.isalnum() or prev in {",", ")", "”", '"'} or content[:1].islower() \
        else "direct"


_Cue = tuple["Token | None", "Speaker | None", "tuple[int, int] | None"]


def _cue(sd: Doc, text: str, q: Quoted, quoted: Sequence[tuple[int, int]]) -> _Cue:
    open_tok = _token_at(sd, q.open)
    if open_tok is None:
        return None, None, None
    sent = open_tok.sent
    before = [t for t in sent if t.idx < q.open and not _inside(t.idx, quoted)]
    close_at = q.close if q.close is not None else q.end
    after: list[Token] = []
    word_at: dict[int, tuple[int, int]] = {}
    n_words = 0
    ends_sentence = text[:close_at].rstrip()[-1:] in ".!?"
    nxt = text[close_at + 1:close_at + 3].lstrip()[:1]
    if not (ends_sentence and nxt.isupper()):
        # by the text, not the tokens: a glued mark (,”writes) may hide in a token
        for m in re.finditer(r"[^\W\d_][\w’'-]*|[.!?\"“”«»]", text[close_at + 1:close_at + 60]):
            if not m.group()[0].isalpha() or n_words >= 5:
                break
            n_words += 1
            t = _token_at(sd, close_at + 1 + m.start())
            if t is None or _inside(close_at + 1 + m.start(), quoted):
                break
            if is_cue_word(m.group()):
                after.append(t)
                word_at[t.i] = (close_at + 1 + m.start(), close_at + 1 + m.end())
                break
    starts = all(t.is_punct or t.is_space for t in before)
    searches = (after, before[::-1]) if starts else (before[::-1], after)
    for tokens in searches:
        for t in tokens:
            span = word_at.get(t.i, (t.idx, t.idx + len(t.text)))
            if is_reporting(t) or (tokens is after):
                return t, speaker_of(t) or _next_name(t, quoted), span
            if t.lower_ == "according":
                return t, find_speaker(t.sent), span
    if text[:q.open].rstrip().endswith(":"):  # Vizinko carried this message: "…"
        for t in before[::-1]:
            if t.pos_ in {"VERB", "AUX"} and (sp := speaker_of(t)) is not None:
                return t, sp, (t.idx, t.idx + len(t.text))
    glued = _glued_cue(sd, text, q.open, quoted)
    if glued is not None:
        return glued
    # the reporting verb that governs the quote, e.g. "X has identified the group as "…""
    inner = [t for t in sent if q.open < t.idx < close_at]
    for t in inner:
        h = t.head
        steps = 0
        while _inside(h.idx, [(q.open, close_at)]) and h.head is not h and steps < 40:
            h, steps = h.head, steps + 1
        while steps < 40:
            steps += 1
            if not _inside(h.idx, quoted) and is_reporting(h):
                return h, speaker_of(h), (h.idx, h.idx + len(h.text))
            if h.head is h:
                break
            h = h.head
        words = len(text[q.open:close_at].split())
        root = h.pos_ == "VERB" and h.dep_ == "ROOT"
        if not _inside(h.idx, quoted) and root and words >= _SHORT:
            sp = speaker_of(h)
            if sp is not None and not _inside(sp.start, quoted):
                return h, sp, (h.idx, h.idx + len(h.text))
        break
    return None, None, None


_CUE_BEFORE = re.compile(r"([^\W\d_][\w’'-]*)\s*(?:,|:|\s+that)?\s*$")
_PRONOUNS = frozenset({"he", "she", "they", "it", "we", "i"})


def _glued_cue(
    sd: Doc, text: str, at: int, quoted: Sequence[tuple[int, int]]
) -> _Cue | None:
    """``he writes,”The …`` / ``X, clarifies that”Cooperation``: a cue read from the text.

    When a mark is glued to the words around it the tokenizer merges them and
    the parse is lost; the cue is then the reporting verb just before the mark,
    its speaker the pronoun or name before it, else the nearest person named
    earlier on the same line.
    """
    line = text.rfind("\n", 0, at) + 1
    m = _CUE_BEFORE.search(text, line, at)
    if m is None or not is_cue_word(m.group(1)):
        return None
    cs, ce = m.start(1), m.end(1)
    cue = _token_at(sd, cs)
    if cue is None:
        return None
    prev = re.search(r"([^\W\d_][\w.’'-]*)[\s,]*$", text[line:cs])
    if prev is not None and (prev.group(1).lower() in _PRONOUNS or prev.group(1)[0].isupper()):
        ps, pe = line + prev.start(1), line + prev.end(1)
        word = prev.group(1).rstrip(".")
        sp = Speaker(ps, ps + len(word), word.lower(), None, ps, ps + len(word),
                     word.lower() not in _PRONOUNS)
        if not _inside(ps, quoted) and (pe < cs):
            person = [e for e in sd.ents if e.label_ == "PERSON" and line <= e.start_char
                      and e.end_char <= cs and not _inside(e.start_char, quoted)]
            if word.lower() in _PRONOUNS or not person:
                return cue, sp, (cs, ce)
    person = [e for e in sd.ents if e.label_ == "PERSON" and line <= e.start_char
              and e.end_char <= cs and cs - e.end_char < 300 and not _inside(e.start_char, quoted)]
    if person:
        e = person[-1]
        root = e.root
        sp = Speaker(e.start_char, e.end_char, root.lower_, None, root.idx,
                     root.idx + len(root.text), True)
        return cue, sp, (cs, ce)
    return None


def _next_name(verb: Token, quoted: Sequence[tuple[int, int]]) -> Speaker | None:
    """After an inverted cue ("…," writes Max Perry): the proper nouns that follow."""
    toks = []
    for t in verb.doc[verb.i + 1:verb.i + 6]:
        if t.pos_ == "PROPN" and not _inside(t.idx, quoted):
            toks.append(t)
        elif toks:
            break
    if not toks:
        return None
    return Speaker(toks[0].idx, toks[-1].idx + len(toks[-1].text), toks[-1].lower_, None)


def _merge_split(text: str, found: list[_Found]) -> list[_Found]:
    """"…," he said, "…": the second part joins the first when only the cue lies between."""
    out: list[_Found] = []
    for f in found:
        if out:
            prev = out[-1]
            gap = text[prev.parts[-1][1]:f.parts[0][0]]
            if (
                prev.cue_span is not None and prev.parts[-1][1] <= prev.cue_span[0]
                and prev.cue_span[1] <= f.parts[0][0] and len(gap) < 80 and "\n" not in gap
                and (f.cue is None or (prev.cue is not None and f.cue.i == prev.cue.i))
            ):
                prev.parts.append(f.parts[0])
                continue
        out.append(f)
    return out


def _indirect(
    piece: int, sd: Doc, text: str, quoted: Sequence[tuple[int, int]], direct: Sequence[_Found]
) -> list[_Found]:
    taken = [p for f in direct for p in f.parts] + list(quoted)
    out: list[_Found] = []

    def overlaps(s: int, e: int) -> bool:
        return any(s < te and ts < e for ts, te in taken)

    for t in sd:
        if _inside(t.idx, quoted):
            continue
        span: tuple[int, int] | None = None
        speaker: Speaker | None = None
        anonymous = False
        if strong_reporting(t):
            comp = next((c for c in t.children if c.dep_ == "ccomp"), None)
            if comp is None or comp.i < t.i:
                continue
            toks = [x for x in comp.subtree if not (x.dep_ == "mark" and x.i == comp.left_edge.i)]
            span = (toks[0].idx, toks[-1].idx + len(toks[-1].text)) if toks else None
            speaker = speaker_of(t)
            anonymous = speaker is not None and speaker.head == "it" and t.tag_ == "VBN"
        elif (t.lower_ == "according" and t.i + 1 < len(sd) and sd[t.i + 1].lower_ == "to"
              and t.head.dep_ == "ROOT"):
            speaker = find_speaker(t.sent)
            span = _rest_of(text, t)
        elif t.lower_ in _HEDGES:
            anonymous = True
            span = (t.head.left_edge.idx, t.head.right_edge.idx + len(t.head.right_edge.text))
        elif t.lower_ in {"put", "puts"} and any(c.lower_ == "as" for c in t.children) and any(
            c.lower_ == "it" and c.dep_ == "dobj" for c in t.children
        ):
            speaker = speaker_of(t)
            span = _rest_of(text, t)
        if span is None:
            continue
        s, e = _trimmed(text, *span)
        while e > s and text[e - 1] in ".,;:":
            e -= 1
        if e - s < 8 or overlaps(s, e) or (speaker is not None and _inside(speaker.start, quoted)):
            continue
        if speaker is None and not anonymous:
            continue
        f = _Found(piece, [(s, e)], "indirect", t, (t.idx, t.idx + len(t.text)),
                   None if anonymous else speaker, anonymous=anonymous)
        taken.append((s, e))
        out.append(f)
    return out


def _rest_of(text: str, cue: Token) -> tuple[int, int] | None:
    """The sentence without the cue phrase's subtree ("according to X," / "as X puts it")."""
    sub = list(cue.subtree)
    s0, s1 = sub[0].idx, sub[-1].idx + len(sub[-1].text)
    first, last = cue.sent[0], cue.sent[-1]
    begin, end = first.idx, last.idx + len(last.text)
    if s0 - begin < end - s1:
        rest = s1
        while rest < end and text[rest] in " ,":
            rest += 1
        return (rest, end) if end > rest else None
    return (begin, s0) if s0 > begin else None


def _resolve_all(
    doc: Document,
    parsed: Sequence[Parsed],
    found: Sequence[_Found],
    quoted: Sequence[tuple[int, int]],
) -> tuple[Quote, ...]:
    text = doc.text
    mentions: Sequence[Mention] = doc.mentions
    history: list[tuple[int, Mention]] = []
    plural: list[tuple[int, Resolved]] = []
    out: list[Quote] = []
    last: Quote | None = None
    open_group: int | None = None
    for f in found:
        off = parsed[f.piece].offset
        parts = tuple((off + s, off + e) for s, e in f.parts)
        group = open_group if open_group is not None and f.kind != "indirect" else None
        if f.group is not None:
            group = group if group is not None else off + f.group
            open_group = group
        elif f.kind != "indirect":
            open_group = None
        quote = Quote(doc.id, parts[0][0], parts[-1][1], f.kind, parts, "unknown", group=group)
        if f.cue is not None and f.cue_span is not None:
            quote = replace(quote, cue=text[off + f.cue_span[0]:off + f.cue_span[1]], cue_start=off + f.cue_span[0],  # noqa: E501
                            cue_end=off + f.cue_span[1])
        if f.anonymous:
            quote = replace(quote, source_type="anonymous")
        elif f.speaker is not None:
            r = resolve(text, f.speaker, off, mentions=mentions, history=history,
                        quoted=quoted, plural=plural)
            if r.source_type in {"anonymous", "organisation"}:
                plural.append((off + f.speaker.start, r))
            quote = replace(
                quote, source_type=r.source_type, speaker=_no_possessive(r.speaker),
                speaker_start=off + f.speaker.start, speaker_end=off + f.speaker.end,
                ref_start=r.ref.start if r.ref else None, ref_end=r.ref.end if r.ref else None,
            )
            if r.ref is not None:
                history.append((off + f.speaker.start, r.ref))
            elif r.source_type == "person" and r.speaker and f.speaker.proper:
                history.append((off + f.speaker.start, Mention(
                    doc.id, off + f.speaker.start, off + f.speaker.end, r.speaker, "PERSON")))
        elif f.inherit and last is not None and (
            quote.start - last.end < _CONTINUE_CHARS or last.group is not None
        ):
            quote = replace(
                quote, source_type=last.source_type, speaker=last.speaker,
                speaker_start=last.speaker_start, speaker_end=last.speaker_end,
                ref_start=last.ref_start, ref_end=last.ref_end,
            )
        if quote.speaker_start is not None or quote.source_type == "anonymous":
            last = quote
        out.append(quote)
    return tuple(_share_in_groups(out))


def _no_possessive(name: str | None) -> str | None:
    if name and name.endswith(("’s", "'s")) and len(name) > 2:
        return name[:-2]
    return name


def _share_in_groups(found: list[Quote]) -> list[Quote]:
    """The paragraphs of a multi-paragraph quote share the speaker that one of them has."""
    speakers: dict[int, Quote] = {}
    for q in found:
        if q.group is not None and q.speaker_start is not None and q.group not in speakers:
            speakers[q.group] = q
    out = []
    for item in found:
        q = item
        src = speakers.get(q.group) if q.group is not None else None
        if src is not None and q.speaker_start is None:
            q = replace(
                q, source_type=src.source_type, speaker=src.speaker,
                speaker_start=src.speaker_start, speaker_end=src.speaker_end,
                ref_start=src.ref_start, ref_end=src.ref_end,
            )
        out.append(q)
    return out
