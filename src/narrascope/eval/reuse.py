"""Score passage reuse and claim clustering on a synthetic corpus and on the sample corpus.

``python -m narrascope.eval.reuse [--docs N] [--seed S] [--no-sample]``

The synthetic set: documents of random word paragraphs (words drawn from the
bundled sample corpus), with passages copied verbatim, copied with light
edits, and repeated inside one document at known places; plus claims, each
stated in two to four documents in different wordings (templates), next to
distractors that name the same actor with another number. Reuse is scored by
passage overlap (a found passage matches a planted one when both sides
overlap it), claims by pairwise precision and recall over sentences
(pairs of a planted copy and its source are the same text, so they are left
out of both sides: they say nothing about paraphrase). The
sample corpus check: the texts whose MANIFEST entry has ``shared_passage``
must be linked by reuse, and no other pair. The claims are scored twice: built
at once, and with the last tenth of the documents (``--add-share``) added to a
store built from the others, as an incremental build does.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from dataclasses import dataclass, field
from importlib import resources
from itertools import combinations
from typing import Any

from narrascope.model import Document, Region, Sentence
from narrascope.store import SqliteStore

__all__ = ["Synthetic", "main", "make_synthetic", "score_claims", "score_reuse"]

_FACTS = [  # (claim template set); {a} actor, {n} number, {g} group, {p} place
    ["{a} killed {n} {g} in {p} in the spring.",
     "{n} {g} died in {p} at the hands of {a}.",
     "{a} was responsible for the deaths of {n} {g} in {p}.",
     "In {p}, {n} {g} were murdered by {a}."],
    ["{a} received money from the government of {p} for years.",
     "For years the government of {p} financed {a}.",
     "{a} was funded by {p} over many years, officials said."],
    ["{a} moved its headquarters to {p} after the war.",
     "After the war, {a} relocated its base to {p}.",
     "Following the war {a} settled its leadership in {p}."],
]


@dataclass
class Synthetic:
    docs: list[Document] = field(default_factory=list)
    reuse: list[tuple[str, int, int, str, int, int]] = field(default_factory=list)
    claims: dict[tuple[str, int, int], int] = field(default_factory=dict)


def _vocabulary() -> list[str]:
    words: set[str] = set()
    folder = resources.files("narrascope.data") / "sample"
    for entry in folder.iterdir():
        if entry.name.endswith((".txt", ".html", ".jsonl")):
            words.update(re.findall(r"[a-z]{3,}", entry.read_text(encoding="utf-8").lower()))
    return sorted(words) or [f"w{i}" for i in range(3000)]


def make_synthetic(n_docs: int = 60, seed: int = 1) -> Synthetic:
    """Documents with planted reuse and claims, and the answer key."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not security
    vocab = _vocabulary()

    def para(k: int) -> str:
        return " ".join(rng.choice(vocab) for _ in range(k)).capitalize() + "."

    paras: list[list[str]] = [[para(rng.randint(30, 90)) for _ in range(rng.randint(4, 8))]
                              for _ in range(n_docs)]
    plants: list[tuple[int, int, int, int]] = []  # (src doc, src para, dst doc, dst para)
    for _ in range(max(1, n_docs // 3)):
        a, b = rng.sample(range(n_docs), 2)
        i = rng.randrange(len(paras[a]))
        words = paras[a][i].split()
        if rng.random() < 0.5:  # light edit: replace or drop a few words
            for k in rng.sample(range(1, len(words) - 1), max(1, len(words) // 12)):
                words[k] = rng.choice(vocab) if rng.random() < 0.7 else ""
        j = rng.randrange(len(paras[b]) + 1)
        paras[b].insert(j, " ".join(w for w in words if w))
        plants = [(x, xi + (x == b and xi >= j), y, yj + (y == b and yj >= j))
                  for x, xi, y, yj in plants]
        plants.append((a, i, b, j))
    for _ in range(max(1, n_docs // 10)):  # repetition inside one document
        a = rng.randrange(n_docs)
        i = rng.randrange(len(paras[a]))
        paras[a].append(paras[a][i])
        plants.append((a, i, a, len(paras[a]) - 1))
    claim_of: dict[tuple[int, int], int] = {}  # (doc, index of appended sentence) -> claim
    extra: list[list[str]] = [[] for _ in range(n_docs)]
    for c in range(max(2, n_docs // 4)):
        templates = _FACTS[c % len(_FACTS)]
        body = rng.choice(["front", "league", "council", "movement"])
        group = rng.choice(["engineers", "soldiers", "students", "pilgrims"])
        slots = {"a": f"the {rng.choice(vocab).capitalize()} {body}",
                 "n": str(rng.randint(3, 90)), "g": group,
                 "p": rng.choice(vocab).capitalize()}
        for d, t in zip(rng.sample(range(n_docs), rng.randint(2, 4)),
                        rng.sample(templates, len(templates)), strict=False):
            claim_of[d, len(extra[d])] = c
            extra[d].append(t.format(**slots)[0].upper() + t.format(**slots)[1:])
        if templates is _FACTS[0]:  # a distractor: same actor and place, another number
            d = rng.randrange(n_docs)
            extra[d].append(templates[0].format(**{**slots, "n": str(int(slots["n"]) + 100)}))
    out = Synthetic()
    for d in range(n_docs):
        pieces = paras[d] + extra[d]
        text = "\n\n".join(pieces)
        starts, pos = [], 0
        for piece in pieces:
            starts.append(text.index(piece, pos))
            pos = starts[-1] + len(piece)
        spans = [(s, s + len(p)) for s, p in zip(starts, pieces, strict=True)]
        doc = Document(source=f"synthetic/{d:04d}.txt", format="txt", text=text,
                       published=f"2022-01-{1 + d % 28:02d}", site=f"site{d % 7}.example",
                       regions=tuple(Region(s, e, "content") for s, e in spans))
        doc = Document(source=doc.source, format="txt", text=text, published=doc.published,
                       site=doc.site, regions=doc.regions,
                       sentences=tuple(Sentence(doc.id, s, e) for s, e in spans))
        out.docs.append(doc)
        for k in range(len(extra[d])):
            s, e = spans[len(paras[d]) + k]
            if (d, k) in claim_of:
                out.claims[doc.id, s, e] = claim_of[d, k]
    for a, i, b, j in plants:
        da, db = out.docs[a], out.docs[b]
        sa, ea = da.regions[i].start, da.regions[i].end
        sb, eb = db.regions[j].start, db.regions[j].end
        out.reuse.append((da.id, sa, ea, db.id, sb, eb))
    return out


def _overlap(s1: int, e1: int, s2: int, e2: int) -> bool:
    return s1 < e2 and s2 < e1


def score_reuse(
    store: SqliteStore, gold: list[tuple[str, int, int, str, int, int]]
) -> dict[str, float]:
    from narrascope.corpus.reuse import reuse_passages

    found = reuse_passages(store)

    def match(x: Any, g: tuple[str, int, int, str, int, int]) -> bool:
        for (d1, s1, e1), (d2, s2, e2) in (((g[0], g[1], g[2]), (g[3], g[4], g[5])),
                                           ((g[3], g[4], g[5]), (g[0], g[1], g[2]))):
            if (x.doc_a, x.doc_b) == (d1, d2) and _overlap(x.start_a, x.end_a, s1, e1) \
                    and _overlap(x.start_b, x.end_b, s2, e2):
                return True
        return False

    tp_gold = sum(1 for g in gold if any(match(x, g) for x in found))
    tp_found = sum(1 for x in found if any(match(x, g) for g in gold))
    return {"gold": len(gold), "found": len(found),
            "precision": tp_found / len(found) if found else 0.0,
            "recall": tp_gold / len(gold) if gold else 0.0}


def score_claims(store: SqliteStore, gold: dict[tuple[str, int, int], int],
                 copies: list[tuple[str, int, int, str, int, int]] | None = None
                 ) -> dict[str, float]:
    """Pairwise precision and recall; pairs of one planted copy group are left out."""
    from narrascope.corpus.claims import claims

    group: dict[tuple[str, int, int], tuple[str, int, int]] = {}

    def root(x: tuple[str, int, int]) -> tuple[str, int, int]:
        while group.get(x, x) != x:
            x = group[x]
        return x

    for g in copies or []:
        group[root((g[0], g[1], g[2]))] = root((g[3], g[4], g[5]))

    def same_text(p: tuple[tuple[str, int, int], ...]) -> bool:
        return root(p[0]) == root(p[1])

    predicted: dict[tuple[str, int, int], int] = {}
    for c in claims(store):
        for m in c.members:
            predicted[m.doc, m.start, m.end] = c.id
    gold_pairs = {frozenset(p) for p in combinations(gold, 2)
                  if gold[p[0]] == gold[p[1]] and not same_text(p)}
    pred_pairs = {frozenset(p) for p in combinations(predicted, 2)
                  if predicted[p[0]] == predicted[p[1]] and not same_text(p)}
    tp = len(gold_pairs & pred_pairs)
    return {"gold_pairs": len(gold_pairs), "predicted_pairs": len(pred_pairs),
            "precision": tp / len(pred_pairs) if pred_pairs else 0.0,
            "recall": tp / len(gold_pairs) if gold_pairs else 0.0}


def score_sample() -> dict[str, Any]:
    """Build the bundled sample corpus; the shared-passage texts must be linked by reuse."""
    from narrascope.corpus.reuse import reuse_passages
    from narrascope.pipeline import build
    from narrascope.settings import Settings

    folder = resources.files("narrascope.data") / "sample"
    manifest = json.loads((folder / "MANIFEST.json").read_text(encoding="utf-8"))
    carriers = {k for k, v in manifest.items() if isinstance(v, dict) and "shared_passage" in v}
    with SqliteStore(":memory:") as store:
        build([str(folder)], store, Settings())
        names = {}
        for r in store.query("SELECT id, source FROM documents"):
            src = r["source"].replace("\\", "/")
            names[r["id"]] = next((k for k in manifest if src.endswith(k)), src)
        pairs = {frozenset((names[x.doc_a], names[x.doc_b])) for x in reuse_passages(store)
                 if x.scope == "between"}
    gold = {frozenset(p) for p in combinations(sorted(carriers), 2)}
    tp = len(gold & pairs)
    return {"gold_pairs": len(gold), "found_pairs": len(pairs),
            "precision": tp / len(pairs) if pairs else 0.0,
            "recall": tp / len(gold) if gold else 0.0}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m narrascope.eval.reuse",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=60, help="synthetic documents")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-sample", action="store_true", help="skip the sample corpus")
    parser.add_argument("--add-share", type=float, default=0.1,
                        help="share of the synthetic documents added to a built store, for the"
                             " claims after an add (default 0.1)")
    args = parser.parse_args(argv)
    from narrascope.corpus.claims import find_claims
    from narrascope.corpus.reuse import find_reuse

    syn = make_synthetic(args.docs, args.seed)
    with SqliteStore(":memory:") as store:
        for doc in syn.docs:
            store.save_document(doc)
        find_reuse(store)
        find_claims(store)
        result = {"synthetic_reuse": score_reuse(store, syn.reuse),
                  "synthetic_claims": score_claims(store, syn.claims, syn.reuse)}
    # the same documents, the last ones added to a store built from the others: the
    # stored claims are kept and only the new sentences linked (find_claims(incremental))
    split = len(syn.docs) - max(1, round(args.add_share * len(syn.docs)))
    with SqliteStore(":memory:") as store:
        for part in (syn.docs[:split], syn.docs[split:]):
            for doc in part:
                store.save_document(doc)
            find_reuse(store)
            find_claims(store, incremental=True)
        result["synthetic_claims_after_add"] = score_claims(store, syn.claims, syn.reuse)
    if not args.no_sample:
        result["sample_reuse"] = score_sample()
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
