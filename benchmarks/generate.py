"""Generated news-like articles for the build benchmark.

Each sentence of an article is the skeleton of a sentence of the bundled
sample (its function words, punctuation and syntax) with new words in its
slots: nouns, verbs, adjectives and adverbs from the sample's vocabulary or
invented with a fitting ending, numbers, and invented people, organisations
and places (shared across the corpus, so the entity stage has actors to
resolve). Articles have the length of news articles, in paragraphs, with a
site's navigation and cookie lines around the body. A few articles copy a
paragraph of an earlier one (verbatim or lightly edited) and a few restate one
of a small set of corpus-wide claims in other words, so reuse and claims have
work that grows with the corpus, as on a real one, instead of with its square
(as copies of one sample would).

    python benchmarks/generate.py OUT_DIR --docs 1000 [--seed 0]
"""

from __future__ import annotations

import argparse
import random
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["World", "make_corpus"]



def _words(text: str) -> list[str]:
    return text.split()


_ON = _words("ba be bi bo da de di do ka ke ko la le li lo ma me mi mo na ne no ra re ri ro "
             "sa se si so ta te ti to va ve vi za zo")
_MONTHS = _words("January February March April May June July August September October "
                 "November December")
_ORG_HEADS = ["Front", "Council", "Party", "Movement", "Institute", "Foundation", "Alliance"]
_SWAP = {"NN", "NNS", "VB", "VBD", "VBG", "VBN", "VBP", "VBZ", "JJ", "JJR", "JJS", "RB"}
_PEOPLE, _PLACES = {"PERSON"}, {"GPE", "LOC", "FAC", "NORP"}
_NEW_WORDS = 0.4  # share of content slots given an invented word (the sample's vocabulary is small)
_ENDINGS = {
    "NN": ["ation", "ment", "ness", "er", "ity", "ism"], "NNS": ["ations", "ments", "ers"],
    "VB": ["ate", "ize", "en"], "VBP": ["ate", "ize"], "VBZ": ["ates", "izes"],
    "VBD": ["ated", "ized", "ed"], "VBN": ["ated", "ized", "ed"], "VBG": ["ating", "izing"],
    "JJ": ["ous", "al", "ive", "ic"], "JJR": ["er"], "JJS": ["est"], "RB": ["ously", "ally"],
}
_CLAIMS = [  # corpus-wide facts, each in several wordings: {a} actor, {l} place, {n} number
    ["{a} killed {n} officers in {l}.", "{n} officers died in {l} at the hands of {a}.",
     "The deaths of {n} officers in {l} were the work of {a}."],
    ["{a} received weapons from the government of {l}.",
     "The government of {l} armed {a} for years.",
     "Weapons from {l} were supplied to {a}, its former members say."],
    ["{a} moved its headquarters to {l} after the war.",
     "After the war, {a} relocated its base to {l}.",
     "Following the war {a} settled its leadership in {l}."],
]


def _new_word(rng: random.Random, tag: str) -> str:
    """An invented word whose ending suits ``tag`` ("vobalation", "kemired", "sotively")."""
    stem = "".join(rng.choice(_ON) for _ in range(rng.randint(1, 3))) + rng.choice("mnrlst")
    return stem + rng.choice(_ENDINGS.get(tag, [""]))


def _name(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(_ON) for _ in range(parts)).capitalize()


@dataclass
class World:
    """Actors and places shared by the articles of one corpus, and sentence skeletons.

    A skeleton is a sentence of the bundled sample parsed by spaCy: each token
    is kept (function words, punctuation) or marked as a slot of its tag
    (nouns, verbs, adjectives, adverbs, numbers) or entity type, so a new
    sentence has a real sentence's syntax and new content words.
    """

    nlp: Any
    seed: int = 0
    people: list[str] = field(default_factory=list)
    orgs: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    claims: list[tuple[int, str, str, int]] = field(default_factory=list)
    skeletons: list[list[tuple[str, str, str]]] = field(default_factory=list)
    vocab: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        rng = random.Random(self.seed)
        self.people = [f"{_name(rng, 2)} {_name(rng, 3)}" for _ in range(3000)]
        self.orgs = [f"the {_name(rng, 3)} {rng.choice(_ORG_HEADS)}" for _ in range(600)]
        self.places = [_name(rng, rng.choice([2, 3])) for _ in range(400)]
        self.claims = [
            (k % len(_CLAIMS), rng.choice(self.orgs), rng.choice(self.places),
             rng.randint(3, 90))
            for k in range(30)
        ]
        vocab: dict[str, set[str]] = {}
        for doc in self.nlp.pipe(_sample_paragraphs(), batch_size=32):
            for sent in doc.sents:
                words = [t for t in sent if not t.is_space]
                if not 8 <= len(words) <= 45 or words[-1].text not in {".", "!", "?", '"'}:
                    continue
                ents = {e.start: e for e in sent.ents if e.label_ in _PEOPLE | _PLACES | {"ORG"}}
                skeleton: list[tuple[str, str, str]] = []
                skip_to = 0
                for t in sent:
                    if t.i < skip_to:
                        continue  # inside an entity: its slot is its first token
                    if t.i in ents:
                        e = ents[t.i]
                        skip_to = e.end
                        skeleton.append((e.label_, "", doc[e.end - 1].whitespace_))
                    elif t.tag_ in _SWAP and t.text.isalpha():
                        skeleton.append((t.tag_, "", t.whitespace_))
                        vocab.setdefault(t.tag_, set()).add(t.text.lower())
                    elif t.tag_ == "NNP" and t.text.isalpha() and t.i > sent.start:
                        skeleton.append(("PERSON", "", t.whitespace_))
                    elif t.tag_ == "CD" and t.text.isdigit():
                        skeleton.append(("CD", t.text, t.whitespace_))
                    else:
                        skeleton.append(("", t.text, t.whitespace_))
                self.skeletons.append(skeleton)
        self.vocab = {k: sorted(v) for k, v in vocab.items()}


def _sample_paragraphs() -> list[str]:
    """Paragraphs of the bundled sample's text and HTML articles (tags stripped)."""
    from narrascope.demo import sample_corpus

    out = []
    with sample_corpus() as sample:
        for path in sorted(sample.rglob("*")):
            if path.suffix not in {".txt", ".html", ".htm"}:
                continue
            text = path.read_text(encoding="utf-8")
            if path.suffix != ".txt":
                text = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", text, flags=re.S)
                text = re.sub(r"</(p|h\d|li|div)>|<br\s*/?>", "\n\n", text)
                text = re.sub(r"<[^>]+>", " ", text)
            out.extend(p.strip() for p in re.split(r"\n\s*\n", text) if len(p) > 60)
    return out


def _new_word(rng: random.Random, tag: str) -> str:
    """An invented word whose ending suits ``tag`` ("vobalation", "kemired", "sotively")."""
    stem = "".join(rng.choice(_ON) for _ in range(rng.randint(1, 3))) + rng.choice("mnrlst")
    return stem + rng.choice(_ENDINGS.get(tag, [""]))


def _name(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(_ON) for _ in range(parts)).capitalize()


def _sentence(rng: random.Random, world: World, cast: dict[str, list[str]]) -> str:
    """A new sentence: a sample sentence's skeleton with new words in its slots."""
    out = []
    for slot, text, space in rng.choice(world.skeletons):
        if slot == "PERSON":
            word = rng.choice(cast["people"])
        elif slot == "ORG":
            word = rng.choice(cast["orgs"]).removeprefix("the ")
        elif slot in _PLACES:
            word = rng.choice(cast["places"])
        elif slot == "CD":
            word = str(rng.randint(1950, 2024) if len(text) == 4 else rng.randint(2, 900))
        elif slot and rng.random() < _NEW_WORDS:
            word = _new_word(rng, slot)
        elif slot:
            word = rng.choice(world.vocab[slot])
        else:
            word = text
        out.append(word + space)
    sentence = "".join(out).strip()
    return sentence[0].upper() + sentence[1:]


def _article(rng: random.Random, world: World, earlier: list[list[str]]) -> list[str]:
    cast = {
        "people": rng.sample(world.people, 6),
        "orgs": rng.sample(world.orgs, 3),
        "places": rng.sample(world.places, 3),
    }
    paragraphs = [
        " ".join(_sentence(rng, world, cast) for _ in range(rng.randint(3, 6)))
        for _ in range(rng.randint(8, 13))
    ]
    if earlier and rng.random() < 0.03:  # republish a paragraph of an earlier article
        copied = rng.choice(rng.choice(earlier))
        if rng.random() < 0.5:
            words = copied.split()
            words[rng.randrange(len(words))] = rng.choice(world.vocab["NN"])
            copied = " ".join(words)
        paragraphs.insert(rng.randrange(len(paragraphs)), copied)
    if rng.random() < 0.05:  # restate a corpus-wide claim in one of its wordings
        kind, actor, place, number = rng.choice(world.claims)
        claim = rng.choice(_CLAIMS[kind]).format(a=actor, l=place, n=number)
        at = rng.randrange(len(paragraphs))
        paragraphs[at] = f"{paragraphs[at]} {claim[0].upper()}{claim[1:]}"
    return paragraphs


def make_corpus(folder: Path, n_docs: int, seed: int = 0, prefix: str = "doc", *,
                world: World | None = None, nlp: Any = None) -> None:
    """Write ``n_docs`` generated articles (text and HTML) into ``folder``.

    ``world`` (or one made with ``nlp``, else with the configured spaCy model)
    gives the actors and skeletons; pass the same one for corpora that belong together.
    """
    if world is None:
        if nlp is None:
            from narrascope.extract.nlp import load_nlp
            from narrascope.settings import Settings

            nlp = load_nlp(Settings())
        world = World(nlp)
    rng = random.Random(f"{seed}-{prefix}")
    sites = [f"{_name(random.Random(k), 3)} News" for k in range(40)]
    earlier: list[list[str]] = []
    for i in range(n_docs):
        paragraphs = _article(rng, world, earlier)
        earlier = [*earlier[-200:], paragraphs]
        site = rng.choice(sites)
        title = _sentence(rng, world, {"people": world.people[:50], "orgs": world.orgs[:20],
                                       "places": world.places[:20]}).rstrip(".")
        if i % 4:
            nav = f"Home | World | Politics | {site}"
            foot = ("We use cookies to improve your experience. Accept all cookies\n"
                    f"Copyright {site}. All rights reserved.")
            text = "\n\n".join([nav, title, *paragraphs, foot]) + "\n"
            (folder / f"{prefix}{i:06d}.txt").write_text(text, encoding="utf-8")
        else:
            body = "".join(f"<p>{p}</p>\n" for p in paragraphs)
            html = (f"<html><head><title>{title} - {site}</title></head><body>"
                    f"<nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
                    f"<article><h1>{title}</h1>\n{body}</article>"
                    f"<footer>Copyright {site}. Accept cookies.</footer></body></html>\n")
            (folder / f"{prefix}{i:06d}.html").write_text(html, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to write the articles into")
    parser.add_argument("--docs", type=int, default=100, help="number of articles")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    make_corpus(args.out, args.docs, args.seed)


if __name__ == "__main__":
    main()
