"""Generated news-like articles for the build benchmark.

Each article is new English prose from sentence templates: invented people,
organisations and places (shared across the corpus, so the entity stage has
actors to resolve), dates, numbers, quotes with speakers, cited reports and
opinion words, in paragraphs, with a site's navigation and cookie lines around
the body. A few articles copy a paragraph of an earlier one (verbatim or
lightly edited) and a few restate one of a small set of corpus-wide claims in
other words, so reuse and claims have work that grows with the corpus, as on
a real one, instead of with its square (as copies of one sample would).

    python benchmarks/generate.py OUT_DIR --docs 1000 [--seed 0]
"""

from __future__ import annotations

import argparse
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["World", "make_corpus"]



def _words(text: str) -> list[str]:
    return text.split()


_ON = _words("ba be bi bo da de di do ka ke ko la le li lo ma me mi mo na ne no ra re ri ro "
             "sa se si so ta te ti to va ve vi za zo")
_NOUNS = _words(
    "agreement border budget campaign ceasefire committee conflict contract court crisis "
    "deal decision delegation election embassy evidence investigation law leader meeting "
    "minister mission network office operation parliament plan policy port programme "
    "project protest province reform region report sanction security statement strategy "
    "summit tribunal union vote war weapon"
)
_PLURALS = _words(
    "activists advisers civilians contracts documents donors engineers funds journalists "
    "lawmakers members observers officers officials payments protesters refugees soldiers "
    "students supporters troops voters weapons witnesses workers"
)
_VERBS = _words(
    "accused announced approved blocked condemned criticised defended delayed denied "
    "financed funded investigated opposed organised praised rejected signed supported "
    "suspended threatened trained welcomed"
)
_ADJS = _words(
    "controversial corrupt dangerous disastrous fragile illegal independent notorious "
    "peaceful radical reckless secret shameful strong unprecedented violent weak"
)
_MONTHS = _words("January February March April May June July August September October "
                 "November December")
_ORG_HEADS = ["Front", "Council", "Party", "Movement", "Institute", "Foundation", "Alliance"]
_SENTENCES = [
    "{P} of the {O} {v} the {n} in {L} {D}.",
    "The {O} {v} the {adj} {n}, according to a report by the {O2}.",
    '"The {n} is {adj} and the people of {L} know it," {P} said.',
    "{P} told reporters that the {O} had {v} {N} {ns} {D}.",
    "Critics say the {O} is a {adj} group that has {v} the {n} for years.",
    "In {L}, {N} {ns} {v} the {n} after the {n2} collapsed {D}.",
    "A spokesman for the {O} said the {n} would be {v} by the end of the year.",
    "{P}, a {adj} critic of the {O}, {v} the {n} on television {D}.",
    "The {n} in {L} was {v} by the {O} and its {ns}.",
    "According to {P}, the {O} {v} at least {N} {ns} in {L}.",
    "Officials in {L} {v} the {adj} {n} and called for a new {n2}.",
    "The {O2} has {v} the {O} since its leaders moved to {L} {D}.",
    "Documents seen by this newspaper show that the {O} {v} the {n} in secret.",
    "{P} {v} the {O}, calling it a {adj} threat to {L}.",
    "Many {ns} in {L} say the {n} has made their lives harder.",
    "The {O} denied that it had {v} any {ns} in {L}.",
    'In a statement, the {O} said: "We have never {v} the {n}."',
    "Since {Y}, the {O} has {v} {N} {ns} across {L} and {L2}.",
    "It is not clear whether the {n} will survive the {adj} {n2}.",
    "{P} and {P2} met in {L} {D} to discuss the {n}.",
]
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


def _name(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(_ON) for _ in range(parts)).capitalize()


@dataclass
class World:
    """Actors and places shared by the articles of one corpus."""

    seed: int = 0
    people: list[str] = field(default_factory=list)
    orgs: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    claims: list[tuple[int, str, str, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        rng = random.Random(self.seed)
        self.people = [f"{_name(rng, 2)} {_name(rng, 3)}" for _ in range(3000)]
        self.orgs = [f"{_name(rng, 3)} {rng.choice(_ORG_HEADS)}" for _ in range(600)]
        self.places = [_name(rng, rng.choice([2, 3])) for _ in range(400)]
        self.claims = [
            (k % len(_CLAIMS), f"the {rng.choice(self.orgs)}", rng.choice(self.places),
             rng.randint(3, 90))
            for k in range(30)
        ]


def _sentence(rng: random.Random, cast: dict[str, list[str]]) -> str:
    template = rng.choice(_SENTENCES)
    day = f"on {rng.randint(1, 28)} {rng.choice(_MONTHS)} {rng.randint(1990, 2024)}"
    values = {
        "P": rng.choice(cast["people"]), "P2": rng.choice(cast["people"]),
        "O": rng.choice(cast["orgs"]), "O2": rng.choice(cast["orgs"]),
        "L": rng.choice(cast["places"]), "L2": rng.choice(cast["places"]),
        "n": rng.choice(_NOUNS), "n2": rng.choice(_NOUNS), "ns": rng.choice(_PLURALS),
        "v": rng.choice(_VERBS), "adj": rng.choice(_ADJS), "N": str(rng.randint(2, 900)),
        "Y": str(rng.randint(1980, 2024)),
        "D": rng.choice([day, f"in {rng.randint(1990, 2024)}", "last week", "on Tuesday"]),
    }
    opening = rng.choice(["", "", "", "Meanwhile, ", "Last year, ", f"In {values['L2']}, ",
                          f"According to {values['P2']}, ", "However, ", "Officials said "])
    closing = rng.choice(["", "", "", f", {values['P2']} said", ", officials said",
                          f" despite the {values['n2']}", f" before the {values['n2']}"])
    text = template.format(**values)
    if closing and text.endswith(".") and not text.endswith('."'):
        text = text[:-1] + closing + "."
    if opening and not text.startswith('"'):
        text = opening + text[0].lower() + text[1:] if text[:4] in {"The ", "It i", "A sp",
                                                                     "Many", "Crit"} else (
            opening + text)
    text = re.sub(r"\ba ([aeiou])", r"an \1", text)
    return text[0].upper() + text[1:]


def _article(rng: random.Random, world: World, earlier: list[list[str]]) -> list[str]:
    cast = {
        "people": rng.sample(world.people, 6),
        "orgs": rng.sample(world.orgs, 3),
        "places": rng.sample(world.places, 3),
    }
    paragraphs = [
        " ".join(_sentence(rng, cast) for _ in range(rng.randint(3, 6)))
        for _ in range(rng.randint(8, 13))
    ]
    if earlier and rng.random() < 0.03:  # republish a paragraph of an earlier article
        copied = rng.choice(rng.choice(earlier))
        if rng.random() < 0.5:
            words = copied.split()
            words[rng.randrange(len(words))] = rng.choice(_NOUNS)
            copied = " ".join(words)
        paragraphs.insert(rng.randrange(len(paragraphs)), copied)
    if rng.random() < 0.05:  # restate a corpus-wide claim in one of its wordings
        kind, actor, place, number = rng.choice(world.claims)
        claim = rng.choice(_CLAIMS[kind]).format(a=actor, l=place, n=number)
        at = rng.randrange(len(paragraphs))
        paragraphs[at] = f"{paragraphs[at]} {claim[0].upper()}{claim[1:]}"
    return paragraphs


def make_corpus(folder: Path, n_docs: int, seed: int = 0, prefix: str = "doc",
                world: World | None = None) -> None:
    """Write ``n_docs`` generated articles (text and HTML) into ``folder``."""
    world = world or World()
    rng = random.Random(f"{seed}-{prefix}")
    sites = [f"{_name(random.Random(k), 3)} News" for k in range(40)]
    earlier: list[list[str]] = []
    for i in range(n_docs):
        paragraphs = _article(rng, world, earlier)
        earlier = [*earlier[-200:], paragraphs]
        site = rng.choice(sites)
        title = _sentence(rng, {"people": world.people[:50], "orgs": world.orgs[:20],
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
